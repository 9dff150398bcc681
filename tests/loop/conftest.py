from __future__ import annotations

import datetime as dt

import pytest

from jintiao.agreements.content import Draft
from tests.factories import flat
from tests.loop.helpers import DRAFT, accept_plan, agree, confirm

CHARGES_SINCE = Draft(**{**DRAFT.__dict__, "charges_since": dt.date(2025, 1, 1)})


@pytest.fixture
def performing(desk, mediating):
    """The branch's dispute on a confirmed 12-instalment plan of 231,208.40 from 2027-01-20."""
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    confirm(desk, mediating)
    mediating.refresh_from_db()
    return mediating
