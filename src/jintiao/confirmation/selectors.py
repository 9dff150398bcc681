"""Reads for the court: which court may confirm, the application, the judge's checklist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from jintiao import clock
from jintiao.agreements import selectors as agreements
from jintiao.confirmation.models import Application
from jintiao.disputes.access import (
    COURT_ROLES,
    RecordNotFound,
    dispute_visible_to,
    holds,
    record_get_for,
)
from jintiao.disputes.models import Dispute
from jintiao.domain import periods
from jintiao.domain.calendar import WorkingCalendar
from jintiao.domain.confirmation import Check
from jintiao.mediation import selectors as mediation
from jintiao.orgs.models import Organization, OrgKind, User
from jintiao.orgs.selectors import subtree
from jintiao.policies.selectors import working_calendar


def court_problem(dispute: Dispute, court: Organization) -> str:
    """Why ``court`` may not confirm this dispute's agreement (empty when it may): the court
    that delegated the dispute, else a basic court where the committee sits (CPL Art. 205;
    JC2011 Art. 2)."""
    if court.kind != OrgKind.COURT:
        return f"“{court.name}”不是人民法院"
    if dispute.court_id is not None:
        if dispute.court_id != court.pk:
            return f"本纠纷由{dispute.court}委派或委托，应向该院申请"
        return ""
    if court.region_code != dispute.committee.region_code:
        return f"{court.name}不是调解组织所在地的基层人民法院"
    return ""


def competent_courts(dispute: Dispute) -> QuerySet[Organization]:
    if dispute.court_id is not None:
        return Organization.objects.filter(pk=dispute.court_id)
    return Organization.objects.filter(kind=OrgKind.COURT,
                                       region_code=dispute.committee.region_code)


def application_get_for(viewer: User, application_id: int) -> Application:
    return record_get_for(viewer, Application.objects.select_related("court", "agreement"),
                          application_id,
                          RecordNotFound("司法确认申请不存在", "no such application"))


def applications_of(dispute: Dispute) -> list[Application]:
    return list(Application.objects.filter(dispute=dispute).select_related("court")
                .order_by("-filed_at"))


def review(application: Application) -> tuple[Check, ...]:
    """The checklist the judge sees: the desk's, with the court's part answered."""
    applied_on = application.filed_at.astimezone(clock.TZ).date()
    earlier = Application.objects.filter(agreement=application.agreement,
                                         status=Application.Status.CONFIRMED) \
        .exclude(pk=application.pk).exists()
    problem = court_problem(application.dispute, application.court)
    return agreements.checklist_of(application.agreement, court_competent=not problem,
                                   court_problem=problem, window_ends=application.window_ends,
                                   applied_on=applied_on, already_confirmed=earlier)


def acceptance_due(application: Application,
                   calendar: WorkingCalendar | None = None) -> dt.date:
    """The day by which the court is to decide whether to accept (docket) an application:
    the dispute's policy limit from the day it was filed (法释〔2011〕5号第4条, three days by
    default), on the holiday calendar (read once by a caller with many)."""
    filed_on = application.filed_at.astimezone(clock.TZ).date()
    limit = mediation.policy_of(application.dispute).court_acceptance_limit
    return periods.deadline(filed_on, limit, calendar or working_calendar()).due_on


@dataclass(frozen=True)
class Docketing:
    """An application waiting for the court to accept it, with its deadline."""

    application: Application
    filed_on: dt.date
    accept_by: dt.date
    overdue: bool


def applications_to_docket(viewer: User, today: dt.date) -> list[Docketing]:
    """The applications filed with a court the viewer is a judge or clerk of (or a court
    below theirs) and not yet accepted, the soonest deadline first: the court's desk, like
    ``Standing.may_accept_application``, which the service requires."""
    if viewer.organization is None or not holds(viewer, *COURT_ROLES):
        return []
    waiting = (Application.objects
               .filter(status=Application.Status.FILED, court__in=subtree(viewer.organization),
                       dispute__in=dispute_visible_to(viewer))
               .select_related("court", "dispute__committee", "dispute__policy_version")
               .prefetch_related("dispute__party_rows__party"))
    rows = []
    calendar = working_calendar()
    for application in waiting:
        due = acceptance_due(application, calendar)
        rows.append(Docketing(application, application.filed_at.astimezone(clock.TZ).date(),
                              due, due < today))
    return sorted(rows, key=lambda r: (r.accept_by, r.application.filed_at, r.application.pk))
