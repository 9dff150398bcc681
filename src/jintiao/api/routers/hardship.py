"""A dispute's hardship pauses over the API (issue 21 §3): the creditor's system sees that
one runs and until when, so it stops its own collection; only the desk reads the evidence."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from jintiao.api.routers.disputes import ERRORS, DisputeId
from jintiao.disputes.access import PermissionDenied, dispute_get_for, standing_of
from jintiao.mediation import selectors
from jintiao.orgs.models import User

router = Router(tags=["mediation"])


class PauseOut(Schema):
    seq: int
    ground: str
    ground_label: str
    evidence: str | None = Field(description="the evidence verified; the desk's only")
    days: int
    status: str = Field(description="requested | active | refused | ended")
    starts_on: dt.date | None
    ends_on: dt.date | None = Field(description="the last paused day")
    review_on: dt.date | None
    outcome: str = Field(description="expired | resumed | withdrawn, once ended")
    ended_on: dt.date | None


@router.get("/disputes/{dispute_id}/pauses", response={200: list[PauseOut], **ERRORS},
            operation_id="pauses_list")
def pauses_list(request: HttpRequest, dispute_id: DisputeId) -> list[PauseOut]:
    """The dispute's hardship pauses, newest first: to the desk and the creditor's officers."""
    viewer: User = request.auth  # type: ignore[attr-defined]
    me = standing_of(viewer, dispute_get_for(viewer, dispute_id))
    if not me.active:
        raise PermissionDenied("只有调解员和债权人可以查看纾困暂停", "desk and creditor only")
    return [PauseOut(seq=p.seq, ground=p.ground, ground_label=p.get_ground_display(),
                     evidence=p.evidence if me.desk else None, days=p.days, status=p.status,
                     starts_on=p.starts_on, ends_on=p.ends_on, review_on=p.review_on,
                     outcome=p.outcome, ended_on=p.ended_on)
            for p in selectors.pauses_for(me)]
