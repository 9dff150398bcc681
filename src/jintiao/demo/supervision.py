"""The demo's supervision: last quarter's spot check drawn and partly reviewed, so the
quarterly report has findings to show."""

from __future__ import annotations

import datetime as dt

from jintiao.domain.figures import ReportPeriod
from jintiao.domain.spotchecks import CHECKLIST, SpotCheckInvalid
from jintiao.orgs.models import Organization, User
from jintiao.supervision.services import spot_check_draw, spot_check_review

FINDINGS = ("延长调解期限未见双方当事人书面同意", "")


def draw_last_quarter(prefecture: Organization, supervisor: User, today: dt.date) -> int:
    """Draw two disputes per committee from last quarter and review the first few; return
    how many were drawn (none when the quarter concluded nothing)."""
    last = ReportPeriod.quarter_of(today).previous
    try:
        check = spot_check_draw(actor=supervisor, node=prefecture, year=last.year,
                                quarter=last.index, per_committee=2)
    except SpotCheckInvalid:
        return 0
    items = list(check.items.order_by("pk"))
    for n, item in enumerate(items[:4]):
        answers: dict[str, object] = dict.fromkeys(CHECKLIST, True)
        finding = FINDINGS[n % 2]
        if finding:
            answers["deadlines_kept"] = False
        spot_check_review(actor=supervisor, item_id=item.pk, answers=answers,
                          findings=finding)
    return len(items)
