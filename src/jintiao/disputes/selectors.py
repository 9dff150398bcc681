"""Reads of disputes, always scoped to who is asking (DESIGN.md §1).

Hidden and missing disputes look the same: :func:`dispute_get_for` raises one
``DisputeNotFound`` for both, so existence does not leak.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from jintiao import clock
from jintiao.disputes.models import (
    Channel,
    Dispute,
    DisputeParty,
    DisputeRepresentative,
    DisputeType,
    PartyRole,
)
from jintiao.domain import lifecycle, periods
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.lifecycle import Action, Role, State
from jintiao.domain.policy import DEFAULT_POLICY, Policy
from jintiao.domain.representation import Authority, may_settle
from jintiao.orgs.models import INSTITUTION_KINDS, Organization, OrgKind, User
from jintiao.orgs.selectors import subtree, user_roles
from jintiao.policies.selectors import PolicyMissing, policy_for, working_calendar


class DisputeNotFound(DomainError):
    code = ErrorCode.DISPUTE_NOT_FOUND


def dispute_visible_to(viewer: User) -> QuerySet[Dispute]:
    """Return the disputes ``viewer`` may see, by role × organisation node.

    An institution's staff see their institution's disputes and its branches'; committee
    staff their committee's; mediators those they are assigned to; court staff those their
    court sent or received; supervisors everything below their node.
    """
    roles = user_roles(viewer)
    if viewer.is_superuser or roles & {Role.ADMINISTRATOR, Role.SYSTEM}:
        return Dispute.objects.all()
    if Role.PARTY in roles:  # a party signed in to the portal: their own disputes only
        return Dispute.objects.filter(pk__in=DisputeParty.objects.filter(
            pk__in=[row.pk for row, _rep in acting_for(viewer)]).values("dispute_id"))
    if viewer.organization is None:
        return Dispute.objects.none()
    below = subtree(viewer.organization)
    rules = Q(pk__in=[])
    if roles & {Role.AGENT, Role.APPROVER}:
        rules |= Q(institution__in=below)
    if roles & {Role.INTAKE_CLERK, Role.DIRECTOR, Role.SUPERVISOR}:
        rules |= Q(committee__in=below)
    if roles & {Role.MEDIATOR, Role.EXPERT}:
        rules |= Q(pk__in=Dispute.objects.filter(mediator_rows__user=viewer).values("pk"))
    if roles & {Role.JUDGE, Role.COURT_CLERK}:
        rules |= Q(court__in=below)
    return Dispute.objects.filter(rules)


def acting_for(viewer: User, dispute: Dispute | None = None
               ) -> list[tuple[DisputeParty, DisputeRepresentative | None]]:
    """The party rows a portal user stands in — as the party, or as a representative whose
    power of attorney is in force today — with the representation when it is one."""
    if Role.PARTY not in user_roles(viewer):
        return []
    own = DisputeParty.objects.filter(party__account__user=viewer)
    today = clock.today()
    reps = (DisputeRepresentative.objects.filter(person__account__user=viewer,
                                                 signed_on__lte=today)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
            .select_related("party_row__party", "person"))
    if dispute is not None:
        own = own.filter(dispute=dispute)
        reps = reps.filter(party_row__dispute=dispute)
    found: list[tuple[DisputeParty, DisputeRepresentative | None]] = [
        (row, None) for row in own.select_related("party")]
    found += [(rep.party_row, rep) for rep in reps if rep.party_row not in [r for r, _ in found]]
    return found


def debtor_side_of(viewer: User, dispute: Dispute, *, settling: bool = False) -> bool:
    """A debtor of ``dispute`` signed in to the portal, or their representative. A guarantor
    is a party with interests of its own, not the debtor's side. ``settling`` (a bound that
    can turn into a plan) needs the debtor in person or a representative with special
    authority; a general authority takes part but does not settle."""
    return any(row.role == PartyRole.DEBTOR
               and (rep is None or not settling or may_settle(Authority(rep.authority)))
               for row, rep in acting_for(viewer, dispute))


def dispute_list(
    viewer: User, *, state: str | None = None, dispute_type: str | None = None,
    channel: str | None = None, committee_id: int | None = None,
    institution_id: int | None = None, overdue_on: dt.date | None = None,
    due_between: tuple[dt.date, dt.date] | None = None, mine: bool = False,
    text: str | None = None,
) -> QuerySet[Dispute]:
    """Return the viewer's disputes filtered as the list pages and the API ask, newest first,
    with what a list row shows already joined.

    ``mine`` keeps the disputes waiting on one of the viewer's roles (their work queue);
    ``due_between`` those whose deadline falls in the two dates, both included.
    """
    rows = dispute_visible_to(viewer)
    if mine:
        rows = rows.filter(state__in=lifecycle.states_waiting_on(user_roles(viewer)))
    if due_between is not None:
        rows = rows.filter(deadline__gte=due_between[0], deadline__lte=due_between[1])
    if state:
        rows = rows.filter(state=state)
    if dispute_type:
        rows = rows.filter(dispute_type=dispute_type)
    if channel:
        rows = rows.filter(channel=channel)
    if committee_id is not None:
        rows = rows.filter(committee_id=committee_id)
    if institution_id is not None:
        rows = rows.filter(institution_id=institution_id)
    if overdue_on is not None:
        rows = rows.filter(deadline__lt=overdue_on)
    if text:
        rows = rows.filter(Q(number__icontains=text) | Q(summary__icontains=text)
                           | Q(party_rows__party__name__icontains=text)).distinct()
    return (rows.select_related("committee", "institution", "court")
            .prefetch_related("party_rows__party", "party_rows__representatives__person")
            .order_by("-received_on", "-pk"))


def dispute_get_for(viewer: User, dispute_id: int) -> Dispute:
    """Return the dispute if ``viewer`` may see it.

    :raises DisputeNotFound: it does not exist or ``viewer`` may not see it
    """
    found = (dispute_visible_to(viewer).filter(pk=dispute_id)
             .select_related("committee", "institution", "court", "policy_version")
             .prefetch_related("party_rows__party", "party_rows__representatives__person")
             .first())
    if found is None:
        # no details: the answer must be the same whatever id was asked for
        raise DisputeNotFound("纠纷不存在或无权查看", "dispute not found")
    return found


@dataclass(frozen=True)
class DuplicateFlag:
    """The open dispute this one looked like when it was filed: its number and id when the
    viewer may open it, else only the committee it was filed at."""

    number: str
    dispute_id: int | None
    committee: str


def probable_duplicate_seen_by(viewer: User, dispute: Dispute) -> DuplicateFlag | None:
    """What the viewer is told of the dispute flagged as this one's probable duplicate."""
    other_id = dispute.probable_duplicate_of_id
    if other_id is None:
        return None
    other = Dispute.objects.select_related("committee").get(pk=other_id)
    if dispute_visible_to(viewer).filter(pk=other_id).exists():
        return DuplicateFlag(other.number, other.pk, other.committee.name)
    return DuplicateFlag("", None, other.committee.name)


@dataclass(frozen=True)
class ActionOffer:
    """An action the viewer may take now, with what it requires in words, and of that what
    the viewer's own confirmation (本人确认) may establish and the data does not already."""

    value: str
    label: str
    guards: tuple[str, ...]
    attestable: tuple[str, ...] = ()


def actions_open_to(viewer: User, dispute: Dispute) -> list[ActionOffer]:
    """List the actions the viewer's roles may take from the dispute's state, table order.

    Guards are listed, not evaluated: the service says which one is missing when taken.
    Actions that follow from records (sealing the agreement, a ruling, payments) are taken
    where those records are made, not here.
    """
    state = State(dispute.state)
    offers: dict[Action, set[str]] = {}
    for role in sorted(user_roles(viewer)):
        for action in lifecycle.available_actions(state, role):
            if lifecycle.taken_through_records(action):
                continue
            guards = offers.setdefault(action, set())
            guards.update(lifecycle.GUARD_LABELS[g] for t in lifecycle.transitions_for(action)
                          if role in t.roles and state in t.sources for g in t.guards)
    on_record = {"non_litigation_notice_served"} if dispute.non_litigation_notice_served \
        else set()
    return [ActionOffer(a.value, a.label, tuple(sorted(g)),
                        tuple(lifecycle.GUARD_LABELS[guard]
                              for guard in lifecycle.attestable_guards(a)
                              if guard not in on_record))
            for a, g in offers.items()]


def policy_of_viewer(viewer: User, on: dt.date) -> Policy:
    """The policy in force at the viewer's node; the default where none is published (a bank's
    tree usually has none of its own)."""
    if viewer.organization is None:
        return DEFAULT_POLICY
    try:
        return policy_for(viewer.organization, on=on)[1]
    except PolicyMissing:
        return DEFAULT_POLICY


def due_soon_until(viewer: User, today: dt.date) -> dt.date:
    """The last day counted as due soon: today plus the policy's warning lead."""
    lead = policy_of_viewer(viewer, today).deadline_warning_lead
    return periods.deadline(today, lead, working_calendar()).due_on


@dataclass(frozen=True)
class Workbench:
    """What a user's home page shows: their queue, what is due soon, what is overdue."""

    today: dt.date
    due_until: dt.date
    queue: QuerySet[Dispute]
    due_soon: QuerySet[Dispute]
    overdue: QuerySet[Dispute]
    by_state: list[tuple[State, int]]
    queue_states: frozenset[State]


def workbench_for(viewer: User, today: dt.date) -> Workbench:
    """Gather the home page of ``viewer``: each list soonest deadline first, undated last."""
    soonest = (F("deadline").asc(nulls_last=True), "received_on", "pk")
    due_until = due_soon_until(viewer, today)
    counts = dict(dispute_visible_to(viewer).order_by().values_list("state")
                  .annotate(n=Count("pk")))
    return Workbench(
        today=today, due_until=due_until,
        queue=dispute_list(viewer, mine=True).order_by(*soonest),
        due_soon=dispute_list(viewer, due_between=(today, due_until)).order_by(*soonest),
        overdue=dispute_list(viewer, overdue_on=today).order_by(*soonest),
        by_state=[(state, counts[state.value]) for state in State if counts.get(state.value)],
        queue_states=lifecycle.states_waiting_on(user_roles(viewer)),
    )


def scope_problems(committee: Organization, dispute_type: str, channel: str) -> list[str]:
    """Why a dispute falls outside what the committee takes (empty when within scope): a
    committee's scope is the dispute types and channels it accepts, empty meaning any."""
    problems = []
    if committee.accepted_types and dispute_type not in committee.accepted_types:
        problems.append(f"{committee}不受理{DisputeType(dispute_type).label}")
    if committee.accepted_channels and channel not in committee.accepted_channels:
        problems.append(f"{committee}不受理经“{Channel(channel).label}”渠道来的纠纷")
    return problems


# Who records a power of attorney presented at the committee: its desk (and administrators).
REPRESENTATIVE_DESK = frozenset({Role.INTAKE_CLERK, Role.DIRECTOR, Role.MEDIATOR,
                                 Role.ADMINISTRATOR})


def may_appoint_representative(actor: User, dispute: Dispute) -> bool:
    """The committee's desk records representatives while the dispute is still open."""
    return (bool(actor.is_superuser or user_roles(actor) & REPRESENTATIVE_DESK)
            and State(dispute.state) not in lifecycle.TERMINAL_STATES)


def filter_choices(viewer: User) -> dict[str, QuerySet[Organization]]:
    """The committees and institutions a list filter may offer: only those of disputes the
    viewer can see, so a filter never names a committee that is not theirs."""
    visible = dispute_visible_to(viewer)
    orgs = Organization.objects.order_by("path")
    return {"committees": orgs.filter(pk__in=visible.values("committee")),
            "institutions": orgs.filter(pk__in=visible.values("institution"))}


def may_file(actor: User, committee: Organization, institution: Organization | None) -> bool:
    """Committee staff file at their committee; an institution's agent for its own
    institution (or a branch of it), at any committee; administrators anywhere."""
    roles = user_roles(actor)
    if actor.is_superuser or Role.ADMINISTRATOR in roles:
        return True
    node = actor.organization
    if node is None:
        return False
    if roles & {Role.INTAKE_CLERK, Role.DIRECTOR} and committee.path.startswith(node.path):
        return True
    return bool(Role.AGENT in roles and institution is not None
                and institution.path.startswith(node.path))


@dataclass(frozen=True)
class IntakeOptions:
    """What the intake form offers this user: where they may file and for whom."""

    committees: QuerySet[Organization]
    institutions: QuerySet[Organization]
    courts: QuerySet[Organization]
    institution_required: bool

    @property
    def may_file(self) -> bool:
        return self.committees.exists()


def intake_options(viewer: User) -> IntakeOptions:
    """The committees, institutions and courts the intake form may offer ``viewer``, by the
    same rule as :func:`may_file`."""
    roles = user_roles(viewer)
    orgs = Organization.objects.order_by("path")
    committees = orgs.filter(kind=OrgKind.COMMITTEE)
    banks = orgs.filter(kind__in=INSTITUTION_KINDS)
    courts = orgs.filter(kind=OrgKind.COURT)
    none = orgs.none()
    if viewer.is_superuser or roles & {Role.ADMINISTRATOR, Role.SYSTEM}:
        return IntakeOptions(committees, banks, courts, institution_required=False)
    node = viewer.organization
    if node is None:
        return IntakeOptions(none, none, none, institution_required=False)
    desk = bool(roles & {Role.INTAKE_CLERK, Role.DIRECTOR})
    if desk:
        mine = committees.filter(path__startswith=node.path)
        return IntakeOptions(mine, banks, courts, institution_required=False)
    if Role.AGENT in roles:
        return IntakeOptions(committees, banks.filter(path__startswith=node.path), courts,
                             institution_required=True)
    return IntakeOptions(none, none, none, institution_required=False)
