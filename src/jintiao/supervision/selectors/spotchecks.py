"""The quarters' spot checks as supervisors read them, and a committee's findings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, F, QuerySet

from jintiao.disputes.access import supervises_everything
from jintiao.domain.figures import PeriodKind, ReportPeriod
from jintiao.domain.spotchecks import CHECKLIST
from jintiao.orgs.models import Organization, User
from jintiao.supervision.models import SpotCheck, SpotCheckItem
from jintiao.supervision.selectors.access import may_supervise


@dataclass(frozen=True)
class FindingsRow:
    """A committee's spot-check results for a quarter (the quarterly report's section)."""

    committee: str
    drawn: int
    reviewed: int
    failed: Mapping[str, int]        # checklist item → how many drawn disputes failed it
    findings: tuple[tuple[str, str], ...]  # (dispute number, what was found)



def spot_checks_for(viewer: User) -> QuerySet[SpotCheck]:
    """The spot checks of the viewer's node and below (a supervisor), or every one (an
    administrator); with their items' counts."""
    if not may_supervise(viewer):
        return SpotCheck.objects.none()
    checks = SpotCheck.objects.all()
    if not supervises_everything(viewer):
        if viewer.organization is None:
            return SpotCheck.objects.none()
        checks = checks.filter(node__path__startswith=viewer.organization.path)
    return (checks.select_related("node", "drawn_by")
            .annotate(drawn=Count("items"), reviewed=Count("items__reviewed_at"))
            .order_by("-year", "-quarter", "node__path"))


def spot_check_for(viewer: User, check_id: int) -> SpotCheck | None:
    return spot_checks_for(viewer).filter(pk=check_id).first()


def spot_check_items(check: SpotCheck) -> QuerySet[SpotCheckItem]:
    return (check.items.select_related("dispute", "committee", "reviewer")
            .order_by("committee__path", "dispute__number"))


def findings_summary(node: Organization, period: ReportPeriod,
                     check: SpotCheck | None = None) -> list[FindingsRow]:
    """Per committee under ``node``, the quarter's drawn disputes, how many were reviewed,
    how many failed each checklist item, and the findings written — of one ``check``, or
    of every check that quarter with a dispute drawn twice (by a county and the
    prefecture) counted once, by its latest review."""
    if period.kind is not PeriodKind.QUARTER:
        return []
    items = (SpotCheckItem.objects.filter(spot_check__year=period.year,
                                          spot_check__quarter=period.index,
                                          committee__path__startswith=node.path)
             .select_related("committee", "dispute"))
    if check is not None:
        items = items.filter(spot_check=check)
    latest: dict[int, SpotCheckItem] = {}
    for item in items.order_by(F("reviewed_at").asc(nulls_first=True), "pk"):
        latest[item.dispute_id] = item
    by: dict[int, list[SpotCheckItem]] = {}
    names: dict[int, str] = {}
    for item in sorted(latest.values(), key=lambda i: (i.committee.path, i.dispute.number)):
        by.setdefault(item.committee_id, []).append(item)
        names[item.committee_id] = item.committee.name
    rows = []
    for committee_id, found in by.items():
        reviewed = [i for i in found if i.reviewed_at is not None]
        failed = {k: sum(1 for i in reviewed if i.answers.get(k) is False) for k in CHECKLIST}
        rows.append(FindingsRow(names[committee_id], len(found), len(reviewed), failed,
                                tuple((i.dispute.number, i.findings) for i in reviewed
                                      if i.failed or i.findings)))
    return rows
