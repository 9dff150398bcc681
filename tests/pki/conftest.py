"""A deployment of its own for the tests that make or replace roots."""

from __future__ import annotations

import pytest


@pytest.fixture
def own_pki(settings, tmp_path):
    """An empty PKI_DIR, apart from the run's (whose root every other test signs under)."""
    settings.PKI_DIR = tmp_path / "pki"
    return settings.PKI_DIR
