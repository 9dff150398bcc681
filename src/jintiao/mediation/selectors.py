"""Reads for the mediation workbench, always through the dispute's visibility first.

Who reads which side's private records, and who may do what, is the viewer's
:class:`~jintiao.disputes.access.Standing`; the reads here take it and filter by it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from jintiao.disputes.access import (
    DisputeNotFound,
    RecordNotFound,
    Standing,
    dispute_get_for,
    dispute_visible_to,
    holds,
    institution_for,
    menu_problem,
    record_get_for,
    standing_of,
)
from jintiao.disputes.models import Dispute, DisputeMediator, DisputeType, PartyRole
from jintiao.documents import integrity
from jintiao.documents.models import Document
from jintiao.documents.packages import failure_package_get_for
from jintiao.domain import assignment, authority, events, triage
from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.errors import DomainError
from jintiao.domain.joint import ConsolidatedPlan, JointInvalid, affordable_amount
from jintiao.domain.lifecycle import Role, State
from jintiao.domain.money import format_amount
from jintiao.domain.plans import DebtorBudget as Budget
from jintiao.domain.plans import MenuItem as PlanMenuItem
from jintiao.domain.plans import PlanFigures, PlanOptions, options_from_menu, plan_figures
from jintiao.domain.policy import Policy, Track
from jintiao.domain.schedules import Method
from jintiao.mediation import convert
from jintiao.mediation.models import (
    Approval,
    Attachment,
    BlindRound,
    CaucusNote,
    Consent,
    DebtorBudget,
    Evaluation,
    HardshipPause,
    JointMediation,
    JointMember,
    MenuItem,
    Offer,
    RecordVersion,
    Recusal,
    Session,
    Side,
    UndisputedFacts,
)
from jintiao.orgs.models import INSTITUTION_KINDS, AuthorityGrant, Organization, User
from jintiao.orgs.selectors import ancestors, user_roles
from jintiao.parties.models import PartyKind
from jintiao.policies.selectors import source_of

ACTIVE = (State.ACCEPTED.value, State.MEDIATING.value)
# Where the undisputed facts of a failed mediation are recorded.
AFTER_FAILURE = (State.FAILED, State.CONFIRMATION_REJECTED)


def policy_of(dispute: Dispute) -> Policy:
    """The policy version the dispute was accepted under."""
    return Policy.from_dict(dispute.policy_version.data)


def on_evaluation_track(dispute: Dispute) -> bool:
    """A neutral evaluation is given only on the evaluation track the triage chose."""
    return dispute.track == Track.EVALUATION


def discount_rate(dispute: Dispute, given: Decimal | None) -> Decimal:
    """The rate a plan's present value is discounted at: the one given, else the policy's."""
    return given if given is not None else policy_of(dispute).plan_discount_rate


def claim_of(dispute: Dispute) -> ClaimBreakdown:
    return ClaimBreakdown(
        as_of=dispute.claim_as_of, principal=dispute.principal, interest=dispute.interest,
        penalty_interest=dispute.penalty_interest, compound_interest=dispute.compound_interest,
        liquidated_damages=dispute.liquidated_damages, fees=dispute.fees, other=dispute.other)


def sessions_of(dispute: Dispute) -> QuerySet[Session]:
    """The dispute's sessions; what of them a viewer reads, the notes and attachments say."""
    return (Session.objects.filter(dispute=dispute).order_by("seq")
            .prefetch_related("attendance__party_row__party", "attendance__user"))


def sessions_for(standing: Standing) -> QuerySet[Session]:
    """The dispute's sessions with what the viewer may read of each, fetched once for all
    of them: ``notes_seen`` (the caucus notes of the sides the viewer reads) and
    ``files_seen`` (the shared attachments and their sides')."""
    private = standing.private_sides - {""}
    return sessions_of(standing.dispute).select_related(
        "dispute", "recorded_by", "cancelled_by").prefetch_related(
        Prefetch("record_versions", queryset=RecordVersion.objects
                 .select_related("written_by", "corrected_by")),
        Prefetch("caucus_notes", to_attr="notes_seen",
                 queryset=CaucusNote.objects.filter(side__in=private)
                 .select_related("author").order_by("created_at", "pk")),
        Prefetch("attachments", to_attr="files_seen",
                 queryset=Attachment.objects.filter(side__in=standing.private_sides)
                 .order_by("pk")))


def caucus_notes_for(standing: Standing, session: Session) -> QuerySet[CaucusNote]:
    """Only the notes of the sides the viewer may read; none for anyone else."""
    sides = standing.private_sides - {""}
    return (CaucusNote.objects.filter(session=session, side__in=sides)
            .select_related("author").order_by("created_at", "pk"))


def offers_for(standing: Standing) -> QuerySet[Offer]:
    """The offers the viewer may read, oldest first: shared ones and their own side's, with
    their approvals (and approvers) fetched once for all of them."""
    return (Offer.objects.filter(dispute=standing.dispute, side__in=standing.private_sides)
            .select_related("proposed_by", "answers").order_by("seq")
            .prefetch_related(Prefetch("approvals", queryset=Approval.objects
                                       .select_related("approver").order_by("pk"))))


class _LookUp:
    """The budget is not given: read it."""


LOOK_UP = _LookUp()


def budget_of(dispute: Dispute) -> DebtorBudget | None:
    return (DebtorBudget.objects.filter(party_row__dispute=dispute,
                                        party_row__role="debtor")
            .order_by("party_row_id").first())


def debtor_is_entity(dispute: Dispute, budget: DebtorBudget | _LookUp | None = LOOK_UP) -> bool:
    """Whether the debtor whose budget the plans are judged against is an enterprise: the
    one with a declared budget (``budget``, read here unless given), else the first debtor.
    Reads the dispute's party rows as loaded (a page's are already fetched)."""
    if isinstance(budget, _LookUp):
        budget = budget_of(dispute)
    debtors = sorted((r for r in dispute.party_rows.all() if r.role == PartyRole.DEBTOR),
                     key=lambda r: r.pk)
    row = next((r for r in debtors if budget is not None and r.pk == budget.party_row_id),
               debtors[0] if debtors else None)
    return row is not None and row.party.kind == PartyKind.ENTITY


def triage_suggestion(dispute: Dispute, *, facts_disputed: bool = False,
                      evaluation_requested: bool = False) -> triage.Suggestion:
    return triage.suggest_track(
        triage.TriageFacts(claim_of(dispute).total, facts_disputed, evaluation_requested),
        policy_of(dispute))


def _institution_ids() -> frozenset[int]:
    return frozenset(Organization.objects.filter(kind__in=INSTITUTION_KINDS)
                     .values_list("pk", flat=True))


def institution_group(org: Organization | None, institutions: frozenset[int]) -> int | None:
    """The root node of an institution's group (a branch's bank), or None: the highest node
    of the unbroken run of institution nodes on the path down to ``org``."""
    if org is None or org.pk not in institutions:
        return None
    path = [int(part) for part in org.path.strip("/").split("/")]
    top = org.pk
    for node in reversed(path[:-1]):
        if node not in institutions:
            break
        top = node
    return top


def mediator_ties(user: User, institutions: frozenset[int]) -> frozenset[int]:
    """The institution groups a mediator works for or is affiliated with."""
    ties = {institution_group(user.organization, institutions)}
    profile = getattr(user, "mediator_profile", None)
    if profile is not None:
        ties.update(institution_group(o, institutions) for o in profile.affiliations.all())
    return frozenset(t for t in ties if t is not None)


def _needs(dispute: Dispute, institutions: frozenset[int]) -> assignment.Needs:
    group = institution_group(dispute.institution, institutions)
    return assignment.Needs(dispute.dispute_type, dispute.committee.region_code,
                            frozenset() if group is None else frozenset({group}),
                            recused_on(dispute))


def recused_on(dispute: Dispute) -> frozenset[int]:
    return frozenset(Recusal.objects.filter(dispute=dispute, status=Recusal.Status.GRANTED)
                     .values_list("mediator_id", flat=True))


def conflicts(dispute: Dispute, people: list[User]) -> dict[int, tuple[str, ...]]:
    """Why each of ``people`` may not mediate the dispute (conflict or recusal only)."""
    institutions = _institution_ids()
    needs = _needs(dispute, institutions)
    found = {}
    for person in people:
        reasons = assignment.conflicts(person.pk, mediator_ties(person, institutions), needs)
        if reasons:
            found[person.pk] = tuple(reasons)
    return found


def _with_load(people: QuerySet[User]) -> QuerySet[User]:
    """``people`` with what ranking reads: profile, affiliations, and ``load``, the disputes
    accepted or under mediation they are on."""
    return (people.distinct().select_related("organization", "mediator_profile")
            .prefetch_related("mediator_profile__affiliations")
            .annotate(load=Count("dispute_assignments", filter=Q(
                dispute_assignments__dispute__state__in=ACTIVE), distinct=True)))


def candidate_of(person: User, institutions: frozenset[int]) -> assignment.Candidate:
    """A mediator (read by :func:`_with_load`) as the ranking sees them."""
    profile = getattr(person, "mediator_profile", None)
    return assignment.Candidate(
        key=person.pk, name=str(person),
        expertise=frozenset(profile.expertise if profile else ()),
        open_load=person.load,  # type: ignore[attr-defined]  # annotated by _with_load
        capacity=profile.capacity if profile else 15,
        available=profile.available if profile else True,
        region_code=person.organization.region_code if person.organization else "",
        ties=mediator_ties(person, institutions),
        full_time=bool(profile and profile.full_time))


def committee_mediators(committees: Iterable[Organization]
                        ) -> dict[int, list[tuple[User, assignment.Candidate]]]:
    """Each committee's own active mediators (its node's and those below it, a township
    station's), as the ranking sees them: who a batch assignment may propose, so that a
    county's disputes stay with its committee. One read for all the committees."""
    committees = list(committees)
    if not committees:
        return {}
    where = Q(pk__in=[])
    for committee in committees:
        where |= Q(organization__path__startswith=committee.path)
    people = list(_with_load(User.objects.filter(where, is_active=True,
                                                 role_rows__role=Role.MEDIATOR)))
    institutions = _institution_ids()
    found: dict[int, list[tuple[User, assignment.Candidate]]] = {c.pk: [] for c in committees}
    for person in people:
        for committee in committees:
            if person.organization and person.organization.path.startswith(committee.path):
                found[committee.pk].append((person, candidate_of(person, institutions)))
    return found


def batch_needs(disputes: list[Dispute]) -> dict[int, assignment.Needs]:
    """What each dispute asks of its mediator (:func:`_needs`), the granted recusals of all
    of them read at once."""
    institutions = _institution_ids()
    recused: dict[int, set[int]] = {d.pk: set() for d in disputes}
    for dispute_id, mediator_id in Recusal.objects.filter(
            dispute__in=disputes, status=Recusal.Status.GRANTED).values_list("dispute_id",
                                                                             "mediator_id"):
        recused[dispute_id].add(mediator_id)
    found = {}
    for dispute in disputes:
        group = institution_group(dispute.institution, institutions)
        found[dispute.pk] = assignment.Needs(
            dispute.dispute_type, dispute.committee.region_code,
            frozenset() if group is None else frozenset({group}),
            frozenset(recused[dispute.pk]))
    return found


@dataclass(frozen=True)
class Candidates:
    ranked: list[assignment.Ranked]
    excluded: list[assignment.Excluded]
    users: dict[int, User]


def expertise_labels(values: Iterable[str]) -> list[str]:
    """A mediator's expertise in words (the dispute types' names)."""
    known = dict(DisputeType.choices)
    return [str(known.get(v, v)) for v in values]


def _searchable(person: User) -> str:
    """What a search of the candidate list reads: name, user name, organisation, expertise."""
    profile = getattr(person, "mediator_profile", None)
    return " ".join([str(person), person.username,
                     person.organization.name if person.organization else "",
                     *expertise_labels(profile.expertise if profile else ())]).casefold()


def mediator_candidates(dispute: Dispute, *, query: str = "") -> Candidates:
    """The director's ranked list: every active mediator or expert of the prefecture, with
    the conflicted, recused, unavailable and full shown apart with their reasons.

    ``query`` narrows both lists to the people whose name, organisation or expertise holds
    every word of it; ranks, scores and reasons are those of the whole list."""
    prefix = dispute.committee.region_code[:4]
    people = list(_with_load(User.objects.filter(
        is_active=True, role_rows__role__in=[Role.MEDIATOR, Role.EXPERT],
        organization__region_code__startswith=prefix)))
    institutions = _institution_ids()
    candidates = [candidate_of(person, institutions) for person in people]
    ranked, excluded = assignment.rank_mediators(candidates, _needs(dispute, institutions))
    users: dict[int, User] = {p.pk: p for p in people}
    words = query.casefold().split()
    if words:
        text = {key: _searchable(person) for key, person in users.items()}
        ranked = [r for r in ranked if all(w in text[r.candidate.key] for w in words)]
        excluded = [e for e in excluded if all(w in text[e.candidate.key] for w in words)]
    return Candidates(ranked, excluded, users)


def limits_of(user: User) -> authority.AuthorityLimits:
    """An officer's limits; without a grant on record, the narrowest authority."""
    grant = AuthorityGrant.objects.filter(user=user).first()
    return authority.AuthorityLimits() if grant is None else _limits(grant)


def _limits(grant: AuthorityGrant) -> authority.AuthorityLimits:
    return authority.AuthorityLimits(
        max_charge_waiver_ratio=grant.max_charge_waiver_ratio,
        max_principal_waiver_ratio=grant.max_principal_waiver_ratio,
        max_term_months=grant.max_term_months, min_annual_rate=grant.min_annual_rate,
        max_deferral_months=grant.max_deferral_months)


def approval_ladder(agent: User, dispute: Dispute
                    ) -> list[tuple[User, authority.AuthorityLimits]]:
    """The approvers above the agent in the institution's tree, nearest node first, each
    with their limits (异地授权: the approver may sit in another city)."""
    if agent.organization is None or dispute.institution is None:
        return []
    chain = [o for o in ancestors(agent.organization) if o.kind in INSTITUTION_KINDS]
    rank = {o.pk: i for i, o in enumerate(chain)}
    approvers = (User.objects.filter(is_active=True, role_rows__role=Role.APPROVER,
                                     organization__in=chain, authority__isnull=False)
                 .exclude(pk=agent.pk).select_related("authority", "organization").distinct())
    return [(person, _limits(person.authority))
            for person in sorted(approvers, key=lambda u: (rank.get(u.organization_id or 0, 0),
                                                           u.pk))]


def approvals_waiting_for(approver: User) -> QuerySet[Approval]:
    return (Approval.objects.filter(approver=approver, status=Approval.Status.PENDING)
            .select_related("offer__dispute", "requested_by").order_by("requested_at"))


def approvals_decided_by(approver: User) -> QuerySet[Approval]:
    return (Approval.objects.filter(approver=approver).exclude(status=Approval.Status.PENDING)
            .select_related("offer__dispute", "requested_by").order_by("-decided_at", "-pk"))


def menu_for(dispute: Dispute) -> list[MenuItem]:
    """The creditor institution's standard plan menu, or its group's when the branch has
    none of its own (:func:`institution_menu`), with who published each line."""
    if dispute.institution is None:
        return []
    return institution_menu(dispute.institution).items


def menu_plans(dispute: Dispute, first_due: dt.date) -> list[PlanOptions]:
    """The institution's standard menu as plans on this dispute's claim, from ``first_due``."""
    claim = claim_of(dispute)
    return [options_from_menu(claim, menu_line(m), first_due) for m in menu_for(dispute)]


def menu_line(item: MenuItem) -> PlanMenuItem:
    """A stored line of a menu as the domain reads it."""
    return PlanMenuItem(item.label, item.periods, Method(item.method), item.annual_rate,
                        item.charge_waiver_ratio, item.conditional, tuple(item.waiver_parts))


def menu_institution_for(viewer: User, institution_id: int) -> Organization:
    """The institution whose standard plan menu ``viewer`` asks for.

    :raises RecordNotFound: no institution (bank, credit union or branch) has that id
    :raises PermissionDenied: it is not the viewer's (``access.menu_problem``)
    """
    return institution_for(viewer, institution_id, menu_problem)


@dataclass(frozen=True)
class InstitutionMenu:
    """The standard plan menu an institution's disputes are offered: its own, or — when it
    published none — that of the nearest node above it with one (``source``), as
    :func:`menu_for` finds it for a dispute."""

    institution: Organization
    source: Organization | None
    items: list[MenuItem]

    @property
    def inherited(self) -> bool:
        return self.source is not None and self.source.pk != self.institution.pk


def institution_menu(institution: Organization) -> InstitutionMenu:
    """``institution``'s menu with who published each line, in two queries whatever the
    depth of the tree."""
    chain = ancestors(institution)
    rows = list(MenuItem.objects.filter(institution__in=chain).select_related("published_by")
                .order_by("position", "pk"))
    for node in chain:
        items = [m for m in rows if m.institution_id == node.pk]
        if items:
            return InstitutionMenu(institution, node, items)
    return InstitutionMenu(institution, None, [])


def own_menu_institution(viewer: User) -> Organization | None:
    """The institution whose menu the viewer's home offers: their own node, when it is an
    institution whose menu they may read (its agents and approvers)."""
    node = viewer.organization
    if node is None or node.kind not in INSTITUTION_KINDS or menu_problem(viewer, node):
        return None
    return node


# What a party may consent to, and the state the dispute must be in for it.
CONSENT_PURPOSES: dict[str, tuple[State, str]] = {
    "extension": (State.MEDIATING, "延长期限"),
    "remediate": (State.CONFIRMATION_REJECTED, "重新调解"),
    "waive_confirmation": (State.AGREED, "不申请司法确认、直接履行"),
}


def consents_to_extend(dispute: Dispute) -> list[int]:
    return consents_for(dispute, "extension")


def consents_for(dispute: Dispute, purpose: str) -> list[int]:
    """The unused consents for ``purpose``, one per creditor and debtor, when every one of
    them has given one (empty otherwise: it needs both sides)."""
    needed = set(dispute.party_rows.filter(role__in=["creditor", "debtor"])
                 .values_list("pk", flat=True))
    given: dict[int, int] = {}
    for pk, row in (Consent.objects.filter(dispute=dispute, purpose=purpose, used=False)
                    .order_by("pk").values_list("pk", "party_row_id")):
        given.setdefault(row, pk)
    if not needed or not needed <= set(given):
        return []
    return sorted(given[row] for row in needed)


def extensions_used(dispute: Dispute) -> int:
    return dispute.events.filter(type=events.DISPUTE_EXTEND.type).count()


def extensions_left(dispute: Dispute) -> int:
    """How many more times the mediation may be extended under the dispute's policy."""
    return max(policy_of(dispute).max_extensions - extensions_used(dispute), 0)


def due_day_default(today: dt.date) -> dt.date:
    """The first due date a new plan proposes: the same day next month."""
    month = today.month % 12 + 1
    year = today.year + (1 if month == 1 else 0)
    return dt.date(year, month, min(today.day, 28))


@dataclass(frozen=True)
class RoundShown:
    """One blind round as anyone who sees the dispute may know it — never a bound."""

    number: int
    outcome: str
    creditor_entered: bool
    debtor_entered: bool
    offer: int | None

    @property
    def label(self) -> str:
        return str(BlindRound.Outcome(self.outcome).label)


@dataclass(frozen=True)
class BlindState:
    """The blind rounds so far and what may still happen: rounds left, whether a deal was
    found, and which side may enter a bound now."""

    rounds: list[RoundShown]
    allowed: int

    @property
    def done(self) -> bool:
        return any(r.outcome == BlindRound.Outcome.OVERLAP for r in self.rounds)

    @property
    def open_round(self) -> RoundShown | None:
        return next((r for r in self.rounds if r.outcome == BlindRound.Outcome.WAITING), None)

    @property
    def left(self) -> int:
        decided = [r for r in self.rounds if r.outcome != BlindRound.Outcome.WAITING]
        return max(self.allowed - len(decided), 0)

    def may_enter(self, side: str) -> bool:
        """Whether ``side`` may enter a bound now (the service decides again)."""
        current = self.open_round
        if self.done or (current is None and not self.left):
            return False
        entered = current is not None and (current.creditor_entered if side == Side.CREDITOR
                                           else current.debtor_entered)
        return not entered


def blind_state(dispute: Dispute) -> BlindState:
    rounds = dispute.blind_rounds.select_related("offer").order_by("number")
    return BlindState([RoundShown(r.number, r.outcome, bool(r.creditor_bound),
                                  bool(r.debtor_bound), r.offer.seq if r.offer else None)
                       for r in rounds], policy_of(dispute).blind_offer_rounds)


def blind_rounds_for(dispute: Dispute) -> dict[str, object]:
    """What anyone who sees the dispute may know of its blind rounds: outcomes and whether
    each side is in — never a bound."""
    state = blind_state(dispute)
    return {"rounds_allowed": state.allowed,
            "rounds": [{"number": r.number, "outcome": r.outcome,
                        "creditor_entered": r.creditor_entered,
                        "debtor_entered": r.debtor_entered, "offer": r.offer}
                       for r in state.rounds]}


def team_of(dispute: Dispute) -> list[DisputeMediator]:
    """The dispute's mediators, the lead first."""
    return list(DisputeMediator.objects.filter(dispute=dispute)
                .select_related("user__organization").order_by("-lead", "pk"))


def recusals_of(dispute: Dispute) -> QuerySet[Recusal]:
    return (Recusal.objects.filter(dispute=dispute)
            .select_related("mediator", "requested_by__party", "decided_by")
            .order_by("requested_at", "pk"))


def consents_of(dispute: Dispute) -> QuerySet[Consent]:
    return (Consent.objects.filter(dispute=dispute).select_related("party_row__party")
            .order_by("pk"))


def evaluations_of(dispute: Dispute) -> QuerySet[Evaluation]:
    return (Evaluation.objects.filter(dispute=dispute).select_related("expert", "offer")
            .order_by("-created_at", "-pk"))


def session_get_for(viewer: User, session_id: int) -> Session:
    """A session of a dispute the viewer may see (``session.dispute`` is that dispute).

    :raises RecordNotFound: missing, or of a dispute the viewer cannot see
    """
    return record_get_for(viewer, Session.objects.all(), session_id,
                          RecordNotFound("调解会议不存在", "session not found"))


def offer_get_for(viewer: User, offer_id: int) -> Offer:
    """An offer the viewer may read (``offer.dispute`` is its dispute).

    :raises RecordNotFound: missing, of a dispute the viewer cannot see, or another side's
        private offer — one answer for all three
    """
    missing = RecordNotFound("方案不存在", "offer not found")
    found = record_get_for(viewer, Offer.objects.all(), offer_id, missing)
    if not standing_of(viewer, found.dispute).may_read_caucus(found.side):
        raise missing
    return found


def recusal_get_for(viewer: User, recusal_id: int) -> Recusal:
    """A recusal request of a dispute the viewer may see.

    :raises RecordNotFound: missing, or of a dispute the viewer cannot see
    """
    return record_get_for(viewer, Recusal.objects.all(), recusal_id,
                          RecordNotFound("回避申请不存在", "recusal not found"))


def attachment_get_for(viewer: User, attachment_id: int) -> Attachment:
    """An attachment the viewer may download.

    :raises RecordNotFound: missing, of a dispute the viewer cannot see, or another side's
    """
    missing = RecordNotFound("附件不存在", "attachment not found")
    found = Attachment.objects.select_related("session").filter(pk=attachment_id).first()
    if found is None:
        raise missing
    try:
        dispute = dispute_get_for(viewer, found.session.dispute_id)
    except DisputeNotFound:
        raise missing from None
    if not standing_of(viewer, dispute).may_read_caucus(found.side):
        raise missing
    return found


# --- the failure package's evidence files (issue 21 §4) ---

@dataclass(frozen=True)
class PackageFile:
    """One evidence file of a failure package, as handed to the court."""

    name: str
    media_type: str
    data: bytes


def failure_package_file(viewer: User, dispute_id: int, no: int,
                         version: int | None = None) -> PackageFile:
    """Evidence item ``no`` of the dispute's latest package (or ``version``), its bytes
    checked against the SHA-256 the package recorded: a file changed since is refused and
    the desk told, as a document's is (:mod:`jintiao.documents.integrity`).

    :raises DisputeNotFound: the dispute is missing or hidden
    :raises PermissionDenied: the viewer may not read the package
    :raises RecordNotFound: no package, or no such item
    :raises FileMissing: the storage has lost the file
    :raises RecordAltered: the file no longer matches its digest
    """
    package = failure_package_get_for(viewer, dispute_id, version)
    item = next((i for i in package.content.get("evidence", []) if i.get("no") == no), None)
    if item is None:
        raise RecordNotFound("证据目录中没有该项", "no such evidence item")
    file = item["file"]
    if file["kind"] == "document":
        doc = Document.objects.get(pk=file["id"], dispute_id=package.dispute_id)
        return PackageFile(file["name"], file["media_type"],
                           integrity.stored_file(doc, "pdf", actor=viewer))
    found = Attachment.objects.filter(pk=file["id"], session__dispute_id=package.dispute_id,
                                      side="").first()
    if found is None:
        raise RecordNotFound("证据文件不存在", "no such evidence file")
    try:
        with found.file.open("rb") as handle:
            data: bytes = handle.read()
    except FileNotFoundError:
        raise integrity.file_missing(found.name, attachment=found.pk) from None
    if hashlib.sha256(data).hexdigest() != file["sha256"]:
        integrity.report_altered(package.dispute_id, actor=viewer, what="attachment",
                                 title=found.name, record=found.pk)
        raise integrity.altered(found.name, found.pk)
    return PackageFile(file["name"], file["media_type"], data)


def overdue_mediations(viewer: User, today: dt.date) -> QuerySet[Dispute]:
    """Disputes under mediation past their deadline that the viewer directs: each must be
    extended, failed or closed."""
    if not holds(viewer, Role.DIRECTOR):
        return Dispute.objects.none()
    return (dispute_visible_to(viewer).filter(state=State.MEDIATING, deadline__lt=today)
            .select_related("committee", "institution").order_by("deadline", "pk"))


def debtor_budget(dispute: Dispute) -> Budget:
    """The debtor's budget as the affordability rules read it — an enterprise's even when
    it declared none, so that a person's minimum wage is never presumed for it. A page that
    shows several plans reads it once and passes it on."""
    row = budget_of(dispute)
    entity = debtor_is_entity(dispute, row)
    if row is None:
        return Budget(entity=entity)
    if entity:  # its cash flow and other debts: a person's income and household do not apply
        return Budget(None, row.other_obligations, 0, entity=True,
                      monthly_cash_flow=row.monthly_cash_flow)
    return Budget(row.monthly_income, row.other_obligations, row.dependants)


def figures_for(dispute: Dispute, options: PlanOptions, discount_rate: Decimal,
                budget: Budget | _LookUp = LOOK_UP) -> PlanFigures:
    """The plan's figures on this dispute's claim, policy and the debtor's declared budget
    (read here unless the caller already has it)."""
    if isinstance(budget, _LookUp):
        budget = debtor_budget(dispute)
    return plan_figures(claim_of(dispute), options, policy=policy_of(dispute),
                        discount_rate=discount_rate, budget=budget)


def plan_asks(offer: Offer, dispute: Dispute) -> authority.PlanAsks:
    """What an offer asks of the creditor, in the terms authority limits are written in."""
    figures = figures_for(dispute, convert.options_from_json(offer.options),
                          Decimal(offer.figures["discount_rate"]))
    return authority.PlanAsks.of(figures, dispute.principal)


@dataclass(frozen=True)
class OfferMoves:
    """What the viewer may do with an offer now; pages offer these buttons, the services
    decide again. ``excesses``: what the creditor's officer would grant beyond authority."""

    accept_for_creditor: bool
    reject_for_creditor: bool
    answer_for_debtor: bool
    withdraw: bool
    ask_approval: bool
    waiting_approval: bool
    excesses: tuple[str, ...]


def offer_moves(standing: Standing, offer: Offer, *, figures: PlanFigures | None = None,
                limits: authority.AuthorityLimits | None = None) -> OfferMoves:
    """The moves open to the viewer (approvals prefetched on ``offer``). A page listing
    offers passes each open offer's ``figures`` and the viewer's ``limits``, read once."""
    dispute, part = standing.dispute, standing
    mediating = dispute.state == State.MEDIATING
    on_table = mediating and offer.status == Offer.Status.OPEN and not offer.side
    approvals = list(offer.approvals.all())
    approved = any(a.status == Approval.Status.APPROVED for a in approvals)
    pending = any(a.status == Approval.Status.PENDING for a in approvals)
    beyond: list[str] = []
    if on_table and part.may_answer_for(Side.CREDITOR) and not approved:
        asks = (plan_asks(offer, dispute) if figures is None
                else authority.PlanAsks.of(figures, dispute.principal))
        beyond = [e.sentence for e in authority.excesses(
            asks, limits if limits is not None else limits_of(standing.user))]
    return OfferMoves(
        accept_for_creditor=on_table and part.may_answer_for(Side.CREDITOR)
        and not offer.creditor_accepted_at and not beyond,
        reject_for_creditor=on_table and part.may_answer_for(Side.CREDITOR),
        answer_for_debtor=on_table and part.may_answer_for(Side.DEBTOR)
        and not offer.debtor_accepted_at,
        withdraw=mediating and offer.status in (Offer.Status.OPEN, Offer.Status.ACCEPTED)
        and part.may_withdraw_offer(offer.by, offer.status == Offer.Status.OPEN),
        ask_approval=bool(beyond) and not pending and part.may_ask_approval(),
        waiting_approval=pending, excesses=tuple(beyond))


def creditor_excesses(actor: User, offer: Offer, dispute: Dispute
                      ) -> list[authority.Excess]:
    """What accepting ``offer`` would ask beyond ``actor``'s own authority (empty: nothing)."""
    return authority.excesses(plan_asks(offer, dispute), limits_of(actor))


def facts_complete(dispute: Dispute) -> bool:
    """A record of undisputed facts every party has confirmed, or one that says why there is
    nothing to record."""
    record = UndisputedFacts.objects.filter(dispute=dispute).first()
    if record is None:
        return False
    if not record.facts:
        return bool(record.none_reason)
    confirmed = set(record.confirmations.values_list("party_row_id", flat=True))
    return confirmed >= set(dispute.party_rows.values_list("pk", flat=True))


def pauses_for(me: Standing) -> list[HardshipPause]:
    """The dispute's hardship pauses, newest first, for a viewer who takes part (the desk,
    the creditor's officers: they see that one runs and until when); none for others. The
    evidence is the desk's alone (``me.desk``) — the page and the API both hide it."""
    if not me.active:
        return []
    return list(me.dispute.pauses.select_related("requested_by", "decided_by")
                .order_by("-seq"))


def pause_running(dispute: Dispute) -> HardshipPause | None:
    """The hardship pause running on the dispute, if any (issue 21 §3)."""
    return dispute.pauses.filter(status=HardshipPause.Status.ACTIVE).first()


def pauses_waiting_for(director: User) -> QuerySet[HardshipPause]:
    """The hardship pauses asked on the disputes a director decides for (issue 21 §3)."""
    if Role.DIRECTOR not in user_roles(director):
        return HardshipPause.objects.none()
    return (HardshipPause.objects.filter(status=HardshipPause.Status.REQUESTED,
                                         dispute__in=dispute_visible_to(director))
            .select_related("dispute", "requested_by").order_by("requested_at"))


# --- joint mediation (issue 21 §2): what the desk reads of it ---

def joint_debtor_of(dispute: Dispute) -> int:
    """The one debtor of a dispute a joint mediation can take (its party's id).

    :raises JointInvalid: none, or several (joint mediation is of one debtor)
    """
    debtors = [r.party_id for r in dispute.party_rows.all() if r.role == PartyRole.DEBTOR]
    if len(debtors) != 1:
        raise JointInvalid(
            f"{dispute.number}有{len(debtors)}名债务人；联合调解只适用于同一名债务人",
            "one debtor per dispute", field="disputes")
    return debtors[0]

@dataclass(frozen=True)
class PartTerms:
    """What the desk sets for one creditor's part: whether its claim is secured, its agreed
    share, how its part is repaid, the charges it gives up (reviving on default) and the
    term it asks."""

    secured: bool = False
    agreed_share: Decimal | None = None
    method: str = Method.FLAT.value
    annual_rate: Decimal = Decimal(0)
    waive: tuple[str, ...] = ()
    periods: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"secured": self.secured,
                "agreed_share": None if self.agreed_share is None else str(self.agreed_share),
                "method": self.method, "annual_rate": str(self.annual_rate),
                "waive": list(self.waive), "periods": self.periods}

    @classmethod
    def of(cls, stored: Mapping[str, Any], member: JointMember) -> PartTerms:
        share = stored.get("agreed_share")
        return cls(secured=member.secured,
                   agreed_share=Decimal(share) if share is not None else None,
                   method=stored.get("method", Method.FLAT.value),
                   annual_rate=Decimal(stored.get("annual_rate", "0")),
                   waive=tuple(stored.get("waive", ())), periods=stored.get("periods"))


def joint_for(actor: User, joint_id: int) -> JointMediation:
    """The joint mediation, for the desk of its disputes.

    :raises RecordNotFound: missing, or the actor is not the desk of every dispute in it
    """
    joint = JointMediation.objects.filter(pk=joint_id).select_related("debtor").first()
    if joint is None:
        raise RecordNotFound("联合调解不存在", "no such joint mediation")
    for m in joint.members.select_related("dispute"):
        if not standing_of(actor, m.dispute).may_mediate():
            raise RecordNotFound("联合调解不存在", "no such joint mediation")
    return joint


def creditor_name(dispute: Dispute) -> str:
    row = next((r for r in dispute.party_rows.all() if r.role == PartyRole.CREDITOR), None)
    return row.party.name if row is not None else dispute.number


def joint_budget(members: Sequence[JointMember]) -> Budget:
    """The debtor's one budget: the latest declared in any of the joined disputes."""
    declared = (DebtorBudget.objects.filter(party_row__dispute__in=[m.dispute for m in members],
                                              party_row__role=PartyRole.DEBTOR)
                .order_by("-declared_on", "-pk").select_related("party_row__dispute").first())
    source = declared.party_row.dispute if declared is not None else members[0].dispute
    return debtor_budget(source)


def plan_summary(plan: ConsolidatedPlan) -> dict[str, Any]:
    """What is kept of a joint plan put forward, and what the pages show of it."""
    return {
        "rule": plan.sharing.rule.value, "summary": plan.sharing.summary,
        "amount": str(plan.sharing.amount), "combined_monthly": str(plan.combined_monthly),
        "combined_total": str(plan.combined_total), "affordable": plan.affordable,
        "warnings": list(plan.warnings),
        "parts": [{"key": p.key, "name": p.creditor.name, "share": str(p.share.amount),
                   "reason": p.share.reason, "instalments": len(p.figures.schedule.instalments),
                   "monthly": str(p.figures.regular_payment),
                   "total": str(p.figures.total_paid), "waived": str(p.figures.waived_total),
                   "first_due": plan.first_due_on.isoformat(),
                   "last_due": p.figures.schedule.instalments[-1].due_on.isoformat()}
                  for p in plan.plans],
    }

@dataclass(frozen=True)
class PartStatus:
    """One creditor's part as it stands: the plan on its table (None once withdrawn or
    never put forward) and who has accepted it."""

    member: JointMember
    offer: Offer | None

    @property
    def creditor_accepted(self) -> bool:
        return self.offer is not None and self.offer.creditor_accepted_at is not None

    @property
    def debtor_accepted(self) -> bool:
        return self.offer is not None and self.offer.debtor_accepted_at is not None


def joint_parts(joint: JointMediation) -> list[PartStatus]:
    """Each creditor's part as it stands."""
    live = (Offer.Status.OPEN, Offer.Status.ACCEPTED)
    return [PartStatus(m, m.offer if m.offer is not None and m.offer.status in live else None)
            for m in joint.members.select_related("dispute", "offer").order_by("seq")]


def joint_of(dispute: Dispute) -> JointMediation | None:
    member = JointMember.objects.filter(dispute=dispute).select_related("joint").first()
    return member.joint if member is not None else None


def joinable_with(actor: User, dispute: Dispute) -> list[Dispute]:
    """The other disputes the desk could join with this one: the same debtor, being
    mediated at the same committee, another creditor, not joined — those the actor mediates."""
    try:
        debtor = joint_debtor_of(dispute)
    except JointInvalid:
        return []
    found = (Dispute.objects.filter(committee_id=dispute.committee_id, state=State.MEDIATING,
                                    party_rows__role=PartyRole.DEBTOR,
                                    party_rows__party_id=debtor, joint_member__isnull=True)
             .exclude(pk=dispute.pk).exclude(offers__status=Offer.Status.ACCEPTED)
             .distinct().order_by("pk"))
    mine = creditor_key(dispute)
    return [d for d in found if creditor_key(d) != mine and _one_debtor(d)
            and standing_of(actor, d).may_mediate()]


def creditor_key(dispute: Dispute) -> tuple[str, int | None]:
    """Who the creditor is, for telling one creditor from another: its institution, or the
    creditor party for a person or a body not on the platform."""
    if dispute.institution_id is not None:
        return ("institution", dispute.institution_id)
    row = next((r for r in dispute.party_rows.all() if r.role == PartyRole.CREDITOR), None)
    return ("party", row.party_id if row is not None else None)


def _one_debtor(dispute: Dispute) -> bool:
    try:
        joint_debtor_of(dispute)
    except JointInvalid:
        return False
    return True



# a member whose mediation ended without an agreement has left the joint: it neither takes a
# share of a new joint plan nor holds the others' application back
JOINT_GONE = (State.FAILED, State.WITHDRAWN, State.TRANSFERRED, State.DECLINED)


def joint_mediating(joint: JointMediation) -> list[JointMember]:
    """The members a joint plan is made for now: those still being mediated."""
    return [m for m in joint.members.select_related("dispute").order_by("seq")
            if m.dispute.state == State.MEDIATING]


def joint_settled_monthly(joint: JointMediation) -> Decimal:
    """What the debtor already pays a month under the parts agreed (each member past
    mediation, not gone, on the largest payment of the part it accepted): the one budget
    leaves that much less to share among the members still being mediated."""
    total = Decimal("0.00")
    for m in joint.members.select_related("dispute", "offer"):
        if m.dispute.state in (State.MEDIATING, *JOINT_GONE) or m.offer is None:
            continue
        if m.offer.status == Offer.Status.ACCEPTED:
            total += Decimal(m.offer.figures.get("peak_payment", "0"))
    return total


def joint_sessions(joint: JointMediation) -> list[Session]:
    """The joint meetings called for ``joint``, as its first member's table holds them (each
    member holds its own session of the same meeting), latest first."""
    first = joint.members.order_by("seq").first()
    if first is None:
        return []
    seqs = [e.params.get("session") for e in first.dispute.events.filter(
        type=events.MEDIATION_SESSION_SCHEDULED) if e.params.get("joint") == joint.pk]
    return list(Session.objects.filter(dispute_id=first.dispute_id, seq__in=seqs)
                .order_by("-starts_at"))


def joint_budget_shown(joint: JointMediation) -> dict[str, Any]:
    """The one budget the plan is judged against, as the joint page shows it, with what it
    leaves a month (or why it leaves nothing to share)."""
    members = list(joint.members.select_related("dispute").order_by("seq"))
    budget = joint_budget(members)
    try:
        most = format_amount(affordable_amount(budget, policy=policy_of(
            members[0].dispute)))
        problem = ""
    except DomainError as exc:
        most, problem = "", exc.message
    return {"income": budget.monthly_income, "cash_flow": budget.monthly_cash_flow,
            "other": budget.other_obligations, "dependants": budget.dependants,
            "entity": budget.entity, "most": most, "problem": problem}


# The rules an affordability verdict reads, whose sources its explanation cites.
VERDICT_RULES = ("living_minimum_monthly", "max_debt_service_ratio", "minimum_wage_monthly")


def verdict_sources(dispute: Dispute) -> dict[str, str]:
    """The sources of the rules an affordability verdict reads, as the dispute's own policy
    version was published with them (issue 21 §5, §6)."""
    version = dispute.policy_version
    return {} if version is None else {n: source_of(version, n) for n in VERDICT_RULES}
