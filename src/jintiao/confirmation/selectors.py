"""Reads for the court: which court may confirm, the application, the judge's checklist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from jintiao import clock
from jintiao.agreements import integrity as agreement_integrity
from jintiao.agreements import selectors as agreements
from jintiao.confirmation.models import Application, ConfirmationBatch
from jintiao.disputes.access import (
    COURT_ROLES,
    RecordNotFound,
    dispute_visible_to,
    holds,
    record_get_for,
    standing_of,
)
from jintiao.disputes.models import Dispute
from jintiao.domain import identity, likeness, periods
from jintiao.domain.calendar import WorkingCalendar
from jintiao.domain.confirmation import Check, Verdict
from jintiao.domain.lifecycle import Action, State
from jintiao.domain.money import format_amount
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


# --- in batches (issue 20 §6) ---

@dataclass(frozen=True)
class ReviewItem:
    """One application as the judge's batch review shows it: the checklist evaluated by
    :func:`review`, the agreement's key terms (parties masked) and its shape."""

    application: Application
    version: int  # the dispute's, for the ruling form
    checks: tuple[Check, ...]
    altered: str  # why the stored agreement is not the one signed; empty when intact
    parties: tuple[str, ...]
    total: str
    instalments: int
    first_due: str
    last_due: str
    waivers: tuple[str, ...]
    shape: likeness.Shape

    @property
    def system_ok(self) -> bool:
        """Every ground the system checks is met: only the judge's own items remain."""
        return not self.altered and not [c for c in self.checks
                                         if c.verdict in (Verdict.UNMET, Verdict.PENDING)]

    @property
    def for_judge(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.verdict is Verdict.FOR_JUDGE)

    @property
    def ready(self) -> bool:
        """Under review with a complete checklist: confirmable with the judge's attestations
        (the ruling service decides it again)."""
        return self.system_ok and self.application.status == Application.Status.ACCEPTED


def _party_shown(p: dict[str, object]) -> str:
    name = str(p.get("name", ""))
    shown = name if p.get("kind") == "entity" else identity.mask_name(name)
    masked = f"（{p['id_masked']}）" if p.get("id_masked") else ""
    return f"{p.get('role_label', '')} {shown}{masked}"


def _review_item(application: Application) -> ReviewItem:
    agreement = application.agreement
    dispute = application.dispute
    content = agreement.content
    terms = content["terms"]
    schedule = terms.get("schedule") or []
    institution = dispute.institution.name if dispute.institution else ""
    altered = agreement_integrity.problem_of(agreement)
    return ReviewItem(
        application=application, version=dispute.version,
        checks=() if altered else review(application), altered=altered,
        parties=tuple(_party_shown(p) for p in content.get("parties", [])),
        total=format_amount(Decimal(terms["total"])), instalments=len(schedule),
        first_due=schedule[0]["due_on"] if schedule else "",
        last_due=schedule[-1]["due_on"] if schedule else "",
        waivers=tuple(f"{w['label']}{format_amount(Decimal(w['amount']))}元"
                      f"{'（附条件）' if w.get('conditional') else ''}"
                      for w in terms.get("waivers", [])),
        shape=likeness.shape_of(institution=institution,
                                dispute_type=dispute.get_dispute_type_display(), terms=terms))


@dataclass(frozen=True)
class ReviewQueue:
    """The court's applications on one page: those under review grouped by shape, those
    waiting to be docketed, and (for one batch) those already ruled."""

    groups: list[likeness.Group[ReviewItem]]
    docketing: list[ReviewItem]
    ruled: list[ReviewItem]

    @property
    def count(self) -> int:
        return sum(g.count for g in self.groups) + len(self.docketing) + len(self.ruled)


# The most applications one review page shows (each one's checklist is evaluated).
REVIEW_PAGE = 100


def review_queue(court: Organization, batch: ConfirmationBatch | None = None) -> ReviewQueue:
    """The applications of ``court`` (gated by the caller, :func:`~jintiao.disputes.access.
    court_for_review`) a judge reviews on one page: every one filed or under review, oldest
    first — or, for one ``batch``, its applications whatever their status."""
    rows = Application.objects.filter(court=court)
    if batch is not None:
        rows = rows.filter(batches=batch)
    else:
        rows = rows.filter(status__in=[Application.Status.FILED, Application.Status.ACCEPTED])
    rows = (rows.select_related("court", "agreement", "dispute__institution",
                                "dispute__committee", "dispute__policy_version")
            .order_by("filed_at", "pk")[:REVIEW_PAGE])
    items = [_review_item(a) for a in rows]
    under_review = [i for i in items if i.application.status == Application.Status.ACCEPTED]
    return ReviewQueue(
        groups=likeness.group(under_review, lambda i: i.shape),
        docketing=[i for i in items if i.application.status == Application.Status.FILED],
        ruled=[i for i in items if i.application.status in (Application.Status.CONFIRMED,
                                                             Application.Status.REJECTED)])


def batch_get_for(court: Organization, batch_id: int) -> ConfirmationBatch:
    """A batch sent to ``court`` (the caller has gated the court).

    :raises RecordNotFound: no such batch at this court
    """
    found = ConfirmationBatch.objects.filter(pk=batch_id, court=court).first()
    if found is None:
        raise RecordNotFound("批量申请不存在", "no such batch")
    return found


def batches_of(court: Organization, limit: int = 20) -> list[ConfirmationBatch]:
    """The court's latest batches, newest first."""
    return list(ConfirmationBatch.objects.filter(court=court).select_related("filed_by")
                .order_by("-filed_at", "-pk")[:limit])


def desk_batch_get_for(viewer: User, batch_id: int) -> ConfirmationBatch:
    """A batch the viewer sent (the desk's page of what became of each dispute).

    :raises RecordNotFound: no such batch, or another's
    """
    found = (ConfirmationBatch.objects.filter(pk=batch_id, filed_by=viewer)
             .select_related("court").first())
    if found is None:
        raise RecordNotFound("批量申请不存在或无权查看", "no such batch")
    return found


@dataclass(frozen=True)
class Candidate:
    """A dispute the desk may put in a batch for a court, and whether every applicant has
    signed the joint application to it yet."""

    dispute: Dispute
    unsigned: tuple[str, ...]


def batch_candidates(viewer: User, court: Organization, limit: int = REVIEW_PAGE
                     ) -> list[Candidate]:
    """The agreed disputes the viewer may apply for with ``court``: visible, an effective
    agreement, the court competent, and the viewer one the lifecycle lets apply. The
    service decides each again when the batch is sent."""
    rows = (dispute_visible_to(viewer).filter(state=State.AGREED)
            .select_related("committee", "institution", "court").order_by("received_on", "pk"))
    found = []
    for dispute in rows[:limit]:
        if court_problem(dispute, court):
            continue
        if not standing_of(viewer, dispute).may_take(Action.APPLY_CONFIRMATION):
            continue
        agreement = agreements.effective(dispute)
        if agreement is None or agreement.effective_at is None:
            continue
        from jintiao.confirmation import joint  # joint reads these selectors

        found.append(Candidate(dispute, tuple(joint.unsigned_names(dispute, agreement, court))))
    return found


def batch_courts(viewer: User) -> list[Organization]:
    """The courts the viewer's agreed disputes may be sent to."""
    rows = dispute_visible_to(viewer).filter(state=State.AGREED).select_related("committee")
    ids: set[int] = set()
    for dispute in rows[:REVIEW_PAGE]:
        ids |= set(competent_courts(dispute).values_list("pk", flat=True))
    return list(Organization.objects.filter(pk__in=ids).order_by("name"))
