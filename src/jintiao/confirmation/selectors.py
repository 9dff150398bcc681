"""Reads for the court: which court may confirm, the application, the judge's checklist."""

from __future__ import annotations

from django.db.models import QuerySet

from jintiao import clock
from jintiao.agreements import selectors as agreements
from jintiao.confirmation.models import Application
from jintiao.disputes.access import RecordNotFound, record_get_for
from jintiao.disputes.models import Dispute
from jintiao.domain.confirmation import Check
from jintiao.orgs.models import Organization, OrgKind, User


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
