"""``jintiao backup DIR`` and ``jintiao restore DIR``."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    """Backup and restore join here (issue 18, part 5)."""
