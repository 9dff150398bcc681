"""Who may see and do what: the one place it is decided (DESIGN.md §1, STYLE.md §7.11).

A user's roles are held at a node of the organisation tree; what they mean for one dispute
depends on where that node sits against the dispute's committee, creditor institution and
court, on whether the user is on the dispute's team, and — for a party signed in to the
portal — on which party rows they stand in. :func:`standing_of` works that out once and
returns a :class:`Standing`; its ``may_*`` methods are the gates. Services ``require`` a gate
inside their transaction (on the locked row); pages, forms, routers and templates only read
the same gates to decide what to offer, so an interface never re-derives a rule.

Visibility follows the same ground: :func:`dispute_visible_to` is the one query of what a
user may see; a dispute (or a record of one) the user may not see is *missing*, with the
same answer as one that does not exist, so existence does not leak.

Gates that are not about one dispute (filing at a committee, publishing an institution's
plan menu, importing its payments, supervising a node, drafting a committee's texts) are
functions of the user at the end of this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q, QuerySet

from jintiao import clock
from jintiao.disputes.models import Dispute, DisputeParty, DisputeRepresentative, PartyRole
from jintiao.domain import lifecycle
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.lifecycle import Role, State
from jintiao.domain.representation import Authority, may_settle
from jintiao.orgs.models import INSTITUTION_KINDS, Organization, OrgKind, User
from jintiao.orgs.selectors import subtree, user_roles


class PermissionDenied(DomainError):
    """The user sees the dispute but their standing in it does not allow the change."""

    code = ErrorCode.PERMISSION_DENIED


class RecordNotFound(DomainError):
    """A record that does not exist or is not the viewer's to see: one answer for both,
    like a hidden dispute."""

    code = ErrorCode.NOT_FOUND


class DisputeNotFound(DomainError):
    code = ErrorCode.DISPUTE_NOT_FOUND


# Roles whose holders see every dispute and act as the platform itself.
ALL_SEEING = frozenset({Role.ADMINISTRATOR, Role.SYSTEM})
COMMITTEE_STAFF = frozenset({Role.INTAKE_CLERK, Role.DIRECTOR})
TEAM_ROLES = frozenset({Role.MEDIATOR, Role.EXPERT})
CREDITOR_ROLES = frozenset({Role.AGENT, Role.APPROVER})
COURT_ROLES = frozenset({Role.JUDGE, Role.COURT_CLERK})
# The private sides of a mediation: "" is what everyone who sees the dispute may read.
SHARED, CREDITOR, DEBTOR, MEDIATOR = "", "creditor", "debtor", "mediator"


def _over(node: Organization | None, org: Organization | None) -> bool:
    """``org`` is ``node`` or below it."""
    return node is not None and org is not None and org.path.startswith(node.path)


# --- visibility ---

def dispute_visible_to(viewer: User, *, nodes_read: bool = False) -> QuerySet[Dispute]:
    """Return the disputes ``viewer`` may see, by role × organisation node.

    An institution's staff see their institution's disputes and its branches'; committee
    staff and supervisors their committee's or those below them; mediators those they are
    assigned to; court staff those their court sent or received; a party signed in to the
    portal their own (as party or representative in force).

    ``nodes_read``: the viewer's nodes are read first and named in the query, for the
    lists — the planner then knows which committee or institution a list is of and reads
    its newest disputes from an index, where a subquery left it sorting every one of a
    committee's thousands of disputes for the first page. A check of one dispute keeps the
    nodes a condition of its one read.
    """
    roles = user_roles(viewer)
    if viewer.is_superuser or roles & ALL_SEEING:
        return Dispute.objects.all()
    if Role.PARTY in roles:
        return Dispute.objects.filter(pk__in=DisputeParty.objects.filter(
            pk__in=[row.pk for row, _rep in acting_for(viewer)]).values("dispute_id"))
    if viewer.organization is None:
        return Dispute.objects.none()
    nodes = subtree(viewer.organization)
    below: QuerySet[Organization] | list[int]
    committees: QuerySet[Organization] | list[int]
    if nodes_read:
        kinds = list(nodes.values_list("pk", "kind"))
        below = [pk for pk, _kind in kinds]
        committees = [pk for pk, kind in kinds if kind == OrgKind.COMMITTEE]
    else:
        below, committees = nodes, nodes.filter(kind=OrgKind.COMMITTEE)
    rules = Q(pk__in=[])
    if roles & CREDITOR_ROLES:
        rules |= Q(institution__in=below)
    if roles & (COMMITTEE_STAFF | {Role.SUPERVISOR}):
        # only committees hold disputes (intake refuses any other node): naming the
        # leading groups too made the planner's estimate of a prefecture's list a third
        # short (64,393 of 100,000), and the list's count with it
        rules |= Q(committee__in=committees)
    if roles & TEAM_ROLES:
        rules |= Q(pk__in=Dispute.objects.filter(mediator_rows__user=viewer).values("pk"))
    if roles & COURT_ROLES:
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
    seen = {row.pk for row, _rep in found}
    found += [(rep.party_row, rep) for rep in reps if rep.party_row_id not in seen]
    return found


def dispute_get_for(viewer: User, dispute_id: int) -> Dispute:
    """Return the dispute if ``viewer`` may see it, with what a page of it reads joined.

    :raises DisputeNotFound: it does not exist or ``viewer`` may not see it
    """
    found = (dispute_visible_to(viewer).filter(pk=dispute_id)
             .select_related("committee", "institution", "court", "policy_version")
             .prefetch_related("party_rows__party", "party_rows__representatives__person",
                               "mediator_rows")
             .first())
    if found is None:
        # no details: the answer must be the same whatever id was asked for
        raise DisputeNotFound("纠纷不存在或无权查看", "dispute not found")
    return found


R = TypeVar("R", bound=models.Model)


def record_get_for(viewer: User, rows: QuerySet[R], pk: int, missing: RecordNotFound) -> R:
    """A record of a dispute the viewer may see (``rows`` a queryset of a model with a
    ``dispute``), its ``dispute`` the one the viewer loaded; missing and hidden raise the
    same ``missing``."""
    found = rows.filter(pk=pk).first()
    if found is None:
        raise missing
    try:
        found.dispute = dispute_get_for(viewer, found.dispute_id)  # type: ignore[attr-defined]
    except DisputeNotFound:
        raise missing from None
    return found


# --- one user in one dispute ---

@dataclass(frozen=True)
class Standing:
    """Where ``user`` stands in ``dispute``: the roles that count here and the sides they
    may read, with the gates as methods.

    A role counts only where its node reaches: a director over the dispute's committee, an
    agent over its creditor institution, a judge over its court, a mediator or expert on its
    team, a supervisor over its committee; a party through the rows they stand in.
    """

    user: User
    dispute: Dispute
    node_roles: frozenset[Role]  # the roles that count here by the user's node or rows
    held: frozenset[Role]  # every role the user holds, wherever
    party_row_ids: frozenset[int] = frozenset()
    debtor_row_ids: frozenset[int] = frozenset()
    settling_debtor_row_ids: frozenset[int] = frozenset()
    represented: tuple[tuple[int, int], ...] = field(default=())  # (party row, rep row)

    # -- who, in this dispute --

    @cached_property
    def team_ids(self) -> frozenset[int]:
        """The dispute's mediators and experts (read when first asked: a creditor's or a
        court's standing never needs them)."""
        return frozenset(m.user_id for m in self.dispute.mediator_rows.all())

    @cached_property
    def roles(self) -> frozenset[Role]:
        """The roles that count in this dispute: those the user's node reaches, and a
        mediator's or expert's on the dispute's team."""
        team_roles = self.held & TEAM_ROLES
        # the team is read only for a user who could be on it (a supervisor's page of the
        # API's list read every dispute's team for nothing)
        on_team = team_roles if team_roles and self.user.pk in self.team_ids else frozenset()
        return self.node_roles | on_team

    @property
    def administrator(self) -> bool:
        return Role.ADMINISTRATOR in self.node_roles

    @property
    def system(self) -> bool:
        return Role.SYSTEM in self.node_roles

    @property
    def clerk(self) -> bool:
        return Role.INTAKE_CLERK in self.node_roles

    @property
    def director(self) -> bool:
        """The director of the dispute's committee (or of a node above it)."""
        return Role.DIRECTOR in self.node_roles

    @property
    def on_team(self) -> bool:
        """A mediator or expert assigned to the dispute."""
        return self.user.pk in self.team_ids

    @property
    def expert(self) -> bool:
        """An expert on the dispute's team (the neutral evaluator)."""
        return Role.EXPERT in self.roles

    @property
    def desk(self) -> bool:
        """The mediation desk: the dispute's mediators and its committee's director."""
        return self.director or self.on_team

    @property
    def committee_desk(self) -> bool:
        """The committee's staff (clerks, director) and the dispute's team: who serves
        notices and keeps the contact log."""
        return bool(self.node_roles & COMMITTEE_STAFF) or self.on_team

    @property
    def creditor(self) -> bool:
        """An agent or approver of the creditor institution (or of a node above it)."""
        return bool(self.node_roles & CREDITOR_ROLES)

    @property
    def agent(self) -> bool:
        return Role.AGENT in self.node_roles

    @property
    def debtor(self) -> bool:
        """A debtor signed in to the portal, or their representative in force. A guarantor
        is a party with interests of its own, not the debtor's side."""
        return bool(self.debtor_row_ids)

    @property
    def debtor_settles(self) -> bool:
        """The debtor in person, or a representative with special authority: a general
        authority takes part but does not settle."""
        return bool(self.settling_debtor_row_ids)

    @property
    def court(self) -> bool:
        """A judge or court clerk of the dispute's court (or a court above it)."""
        return bool(self.node_roles & COURT_ROLES)

    @property
    def supervisor(self) -> bool:
        return Role.SUPERVISOR in self.node_roles

    @property
    def active(self) -> bool:
        """Takes part in the mediation: the desk or the creditor's officers."""
        return self.desk or self.creditor

    @property
    def state(self) -> State:
        return State(self.dispute.state)

    @cached_property
    def takes(self) -> frozenset[lifecycle.Action]:
        """Every action the lifecycle lets one of the user's roles here take from the
        dispute's state (its guards are the service's to check): worked out once, as a
        standing is made once a request (a page of the API's list asked 1,000 times)."""
        state = self.state
        return frozenset(a for role in self.roles
                         for a in lifecycle.available_actions(state, role))

    def may_take(self, action: lifecycle.Action) -> bool:
        """:attr:`takes` holds ``action``."""
        return action in self.takes

    def acts_for(self, party_row_id: int) -> bool:
        """Stands in this party row in the portal (as the party or its representative)."""
        return party_row_id in self.party_row_ids

    # -- private sides --

    @cached_property
    def private_sides(self) -> frozenset[str]:
        """The sides whose private notes, offers and attachments the user may read ("" is
        shared): the team both, the creditor's officers the creditor's, the debtor's side the
        debtor's. Nobody else — not the director who does not mediate it, not the court, not
        supervisors (README: back-to-back notes belong to one side and the mediators)."""
        sides = {SHARED}
        if self.on_team:
            sides |= {CREDITOR, DEBTOR}
        if self.creditor:
            sides.add(CREDITOR)
        if self.debtor:
            sides.add(DEBTOR)
        return frozenset(sides)

    def may_read_caucus(self, side: str) -> bool:
        """A private note, offer or attachment of ``side`` (shared ones: everyone)."""
        return side in self.private_sides

    def may_write_caucus(self) -> bool:
        """Only the team holds a back-to-back talk and writes what each side said."""
        return self.on_team

    # -- mediation --

    def may_mediate(self) -> bool:
        """Sessions, records, budgets, consents, plans for the mediators or the debtor, the
        debtor's answers, the agreement's draft, follow-up visits."""
        return self.desk

    def may_direct(self) -> bool:
        """Triage, assignment and the team, recusal decisions, extension, the seal."""
        return self.director

    def may_evaluate(self) -> bool:
        return self.expert

    def offers_as(self, asked: str) -> str | None:
        """In whose name the user puts a plan forward when asking for ``asked`` ("" for the
        name that is theirs), or None when they may not: the creditor's officers for the
        creditor; the desk for the mediators and for the debtor; the debtor in the portal —
        in person, or a representative with special authority, since a counter-offer binds
        the debtor — for the debtor (issue 21 §1)."""
        if asked in ("", CREDITOR) and self.creditor:
            return CREDITOR
        if self.desk:
            by = asked or MEDIATOR
            return by if by in (MEDIATOR, DEBTOR) else None
        return DEBTOR if asked in ("", DEBTOR) and self.debtor_settles else None

    def may_answer_for(self, side: str) -> bool:
        """Accept or reject an offer for ``side``: the creditor's officers for the creditor;
        for the debtor, the debtor in the portal (in person, or a representative with
        special authority to settle) or the desk recording the debtor's answer."""
        if side == CREDITOR:
            return self.creditor
        return side == DEBTOR and (self.desk or self.debtor_settles)

    def may_send_menu(self) -> bool:
        """Send the creditor's standard plan menu to the debtor: the desk (issue 20 §5)."""
        return self.desk

    def may_choose_plan(self) -> bool:
        """Choose a plan of the standard menu sent: the debtor in the portal, in person or
        through a representative with special authority (a choice settles the dispute)."""
        return self.debtor_settles

    def may_withdraw_offer(self, by: str, open_: bool) -> bool:
        """The desk any plan (one both sides accepted included); the creditor's officers
        their own offer while it is open; the debtor in the portal (in person, or with
        special authority) the debtor's own open offer (issue 21 §1)."""
        return (self.desk or (self.creditor and by == CREDITOR and open_)
                or (self.debtor_settles and by == DEBTOR and open_))

    def may_ask_approval(self) -> bool:
        return self.agent

    def may_enter_bound(self, side: str) -> bool:
        """A blind bound: the creditor's officers for the creditor; the debtor who may
        settle, or the desk on the debtor's behalf."""
        if side == CREDITOR:
            return self.creditor
        return side == DEBTOR and (self.debtor_settles or self.desk)

    def may_declare_budget(self, party_row_id: int) -> bool:
        """The debtor's budget: the debtor (or representative) in the portal, or the desk."""
        return self.acts_for(party_row_id) or self.desk

    def may_request_recusal(self, party_row_id: int, row_role: str) -> bool:
        """A recusal request for a party: the committee's desk for any party, the creditor's
        officers for the creditor, a party (or representative) for themselves."""
        return (self.committee_desk or (self.creditor and row_role == PartyRole.CREDITOR)
                or self.acts_for(party_row_id))

    def may_appoint_representative(self) -> bool:
        """The committee's desk records a power of attorney while the dispute is open."""
        return ((self.committee_desk or self.administrator)
                and self.state not in lifecycle.TERMINAL_STATES)

    def may_edit_particulars(self) -> bool:
        """A party's particulars and address for service on the case file: the committee's
        desk, at any stage (an enforcement application after closing needs them right)."""
        return self.committee_desk or self.administrator

    def may_reveal_identity(self) -> bool:
        """A party's full identity number and mobile, on request with a reason: the
        committee's desk handling the dispute (its clerks and director, the dispute's
        mediators) and the judges and clerks of its court — who check identities, serve and
        file. Not the institution, the parties, supervisors or the platform's administrators:
        none needs them to do their part (PIPL Art. 6, minimum necessary). Nor an expert
        on the team who is not also a mediator: a neutral evaluation needs the claim, not who
        the debtor is."""
        mediator = self.on_team and Role.MEDIATOR in self.held
        return bool(self.node_roles & COMMITTEE_STAFF) or mediator or self.court

    def may_serve(self) -> bool:
        """Notices, contacts and service of documents: the committee's desk."""
        return self.committee_desk

    def may_read_outreach(self) -> bool:
        """The contact log and the desk's events: the committee's desk, and supervisors above
        the committee who audit it — never the institution (who is contacted how is not the
        creditor's business)."""
        return self.committee_desk or self.supervisor or self.administrator or self.system

    # -- agreement --

    def may_draft_agreement(self) -> bool:
        return self.desk

    def may_seal(self) -> bool:
        return self.director

    def code_request_problem(self, *, party_row_id: int | None, mediator_id: int | None,
                             creditor_entity: bool) -> str:
        """Why the user may not ask for a signer's code (empty when they may): a mediator
        asks for their own, an institution's agent for the institution's, a party in the
        portal for their own row, the desk for the persons'."""
        if party_row_id is not None and self.acts_for(party_row_id):
            return ""
        if mediator_id is not None:
            return "" if self.user.pk == mediator_id else "调解员须本人签署"
        if creditor_entity:
            return "" if self.agent else "金融机构一方由其经办人签署"
        if not self.desk:
            return "只有调解员或调委会主任可以向当事人发送签署验证码"
        return ""

    # -- court --

    def _at_court(self, court: Organization | None, roles: frozenset[Role]) -> bool:
        """Holds one of ``roles`` at ``court`` (the court an application was filed with,
        which need not be the court that delegated the dispute)."""
        return bool(user_roles(self.user) & roles) and _over(self.user.organization, court)

    def may_accept_application(self, court: Organization | None) -> bool:
        """Docket a confirmation application: a judge or clerk of the court it went to."""
        return self._at_court(court, COURT_ROLES)

    def may_rule(self, court: Organization | None) -> bool:
        """Rule on a confirmation application: a judge of the court it went to."""
        return self._at_court(court, frozenset({Role.JUDGE}))

    # -- the court's fast track --

    def may_prepare_failure_package(self) -> bool:
        """The failure package (调解不成移送材料, issue 21 §4) of a failed mediation: the
        committee's staff and the dispute's mediators, who hold its record."""
        mediator = self.on_team and Role.MEDIATOR in self.held
        return bool(self.node_roles & COMMITTEE_STAFF) or mediator

    def may_read_failure_package(self) -> bool:
        """The package as the court's system fetches it, every party's full particulars in
        it for docketing: the committee's desk that prepared it and the judges and clerks of
        the dispute's court — on the ground :meth:`may_reveal_identity` gives. Not the
        institution (the plaintiff reads its complaint among the dispute's documents), not
        another court, not supervisors."""
        return self.may_prepare_failure_package() or self.court

    # -- performance --

    def may_record_payment(self) -> bool:
        return self.creditor or self.desk

    def may_review_performance(self) -> bool:
        return self.creditor or self.desk or self.system

    def may_act_as_creditor(self) -> bool:
        """Enforcement, confirming the credit-record correction: the creditor's officers."""
        return self.creditor

    # -- the rule applied --

    def require(self, gate: Callable[..., bool], doing: str, *args: Any) -> None:
        """Refuse unless ``gate`` (a ``Standing.may_*`` method) lets the user do ``doing``.

        :raises PermissionDenied: with who may, in words
        """
        if not gate(self, *args):
            name = gate.__name__
            who, who_en = WHO_MAY.get(f"{name}:{args[0]}" if args else name) or WHO_MAY[name]
            raise PermissionDenied(f"只有{who}可以{doing}", f"only {who_en} may: {doing}")


# Who a gate lets through, in words (a test keeps every gate named here).
WHO_MAY: dict[str, tuple[str, str]] = {
    "may_read_caucus": ("调解员及该方当事人", "the mediators and that side"),
    "may_write_caucus": ("本纠纷的调解员", "the dispute's mediators"),
    "may_mediate": ("本纠纷的调解员或调委会主任", "the dispute's mediators or director"),
    "may_direct": ("调委会主任", "the committee's director"),
    "may_evaluate": ("本纠纷的调解专家", "the dispute's expert"),
    "may_answer_for:creditor": ("债权金融机构的经办人", "the creditor's officers"),
    "may_answer_for:debtor": ("债务人本人、有特别授权的代理人或本纠纷的调解员（记录债务人的答复）",
                              "the debtor, a representative with special authority, or the "
                              "desk"),
    "may_send_menu": ("本纠纷的调解员或调委会主任", "the dispute's mediators or director"),
    "may_choose_plan": ("债务人本人或有特别授权的代理人", "the debtor or a representative with "
                        "special authority"),
    "may_enter_bound:creditor": ("债权金融机构的经办人", "the creditor's officers"),
    "may_enter_bound:debtor": ("债务人本人、特别授权的代理人或本纠纷的调解员",
                               "the debtor, a specially authorised representative or the desk"),
    "may_answer_for": ("债权金融机构的经办人（代表债权人）或调解员（记录债务人的答复）",
                       "the creditor's officers or the desk for the debtor"),
    "may_withdraw_offer": ("调解员或提出该方案的金融机构", "the desk or the offer's creditor"),
    "may_ask_approval": ("债权金融机构的经办人", "the creditor's agent"),
    "may_enter_bound": ("该方（债权金融机构的经办人；债务人本人或特别授权代理人）或调解员",
                        "that side or the desk for the debtor"),
    "may_declare_budget": ("债务人本人或本纠纷的调解员", "the debtor or the desk"),
    "may_request_recusal": ("调委会工作人员或该当事人", "the committee's desk or that party"),
    "may_appoint_representative": ("调委会工作人员", "the committee's desk"),
    "may_edit_particulars": ("调委会工作人员", "the committee's desk"),
    "may_reveal_identity": ("本纠纷的调委会工作人员、调解员或法院的法官、书记员",
                            "the committee's desk or the court's judges and clerks"),
    "may_serve": ("本调委会工作人员或本纠纷的调解员", "the committee's desk"),
    "may_read_outreach": ("本调委会工作人员或上级督导人员", "the desk or supervisors above"),
    "may_draft_agreement": ("本纠纷的调解员或调委会主任", "the dispute's mediators or director"),
    "may_seal": ("调委会主任", "the committee's director"),
    "may_accept_application": ("受理法院的法官或书记员", "the court's judges or clerks"),
    "may_rule": ("受理法院的法官", "the court's judges"),
    "may_prepare_failure_package": ("本调委会工作人员或本纠纷的调解员", "the committee's desk"),
    "may_read_failure_package": ("本调委会工作人员、本纠纷的调解员或受理法院的法官、书记员",
                                 "the committee's desk or the dispute's court"),
    "may_record_payment": ("债权金融机构或本纠纷的调解员", "the creditor or the desk"),
    "may_review_performance": ("债权金融机构、本纠纷的调解员或系统",
                               "the creditor, the desk or the system"),
    "may_act_as_creditor": ("债权金融机构", "the creditor institution"),
}


def standing_of(user: User, dispute: Dispute) -> Standing:
    """Work out where ``user`` stands in ``dispute`` (no query but a portal user's rows; the
    team is read when a gate first needs it, unless prefetched). Call it once per request or
    service call, on the dispute the call loaded or locked, and pass the value on."""
    held = user_roles(user)
    node = user.organization
    roles: set[Role] = set()
    if user.is_superuser or Role.ADMINISTRATOR in held:
        roles.add(Role.ADMINISTRATOR)
    if Role.SYSTEM in held:
        roles.add(Role.SYSTEM)
    if _over(node, dispute.committee):
        roles |= held & (COMMITTEE_STAFF | {Role.SUPERVISOR})
    if _over(node, dispute.institution):
        roles |= held & CREDITOR_ROLES
    if _over(node, dispute.court):
        roles |= held & COURT_ROLES
    rows = acting_for(user, dispute) if Role.PARTY in held else []
    if rows:
        roles.add(Role.PARTY)
    debtors = [(row, rep) for row, rep in rows if row.role == PartyRole.DEBTOR]
    return Standing(
        user=user, dispute=dispute, node_roles=frozenset(roles), held=held,
        party_row_ids=frozenset(row.pk for row, _rep in rows),
        debtor_row_ids=frozenset(row.pk for row, _rep in debtors),
        settling_debtor_row_ids=frozenset(
            row.pk for row, rep in debtors
            if rep is None or may_settle(Authority(rep.authority))),
        represented=tuple((row.pk, rep.pk) for row, rep in rows if rep is not None))


# --- gates that are not about one dispute ---

@dataclass(frozen=True)
class FilingScope:
    """Where a user may file a dispute and for whom (the intake form offers these)."""

    committees: QuerySet[Organization]
    institutions: QuerySet[Organization]
    courts: QuerySet[Organization]
    institution_required: bool

    @property
    def may_file(self) -> bool:
        return self.committees.exists()


def filing_scope(user: User) -> FilingScope:
    """Committee staff file at their committee, for any institution; an institution's agent
    for its own institution (or a branch of it), at any committee; administrators anywhere."""
    roles = user_roles(user)
    orgs = Organization.objects.order_by("path")
    committees = orgs.filter(kind=OrgKind.COMMITTEE)
    banks = orgs.filter(kind__in=INSTITUTION_KINDS)
    courts = orgs.filter(kind=OrgKind.COURT)
    none = orgs.none()
    if user.is_superuser or roles & ALL_SEEING:
        return FilingScope(committees, banks, courts, institution_required=False)
    node = user.organization
    if node is None:
        return FilingScope(none, none, none, institution_required=False)
    if roles & COMMITTEE_STAFF:
        return FilingScope(committees.filter(path__startswith=node.path), banks, courts,
                           institution_required=False)
    if Role.AGENT in roles:
        return FilingScope(committees, banks.filter(path__startswith=node.path), courts,
                           institution_required=True)
    return FilingScope(none, none, none, institution_required=False)


def may_file(user: User, committee: Organization, institution: Organization | None) -> bool:
    """Whether ``user`` may file at ``committee`` for ``institution``: the rule of
    :func:`filing_scope`, for one pair (whether the node is a committee is intake's check)."""
    roles = user_roles(user)
    if user.is_superuser or roles & ALL_SEEING:
        return True
    node = user.organization
    if roles & COMMITTEE_STAFF and _over(node, committee):
        return True
    return Role.AGENT in roles and _over(node, institution)


def may_take_applications(user: User, committee: Organization) -> bool:
    """The applications made on the portal to ``committee``: its staff (or of a node above
    it) take them in or decline them (issue 21 §1); a bank's officers never see them."""
    roles = user_roles(user)
    return bool(user.is_superuser or (roles & COMMITTEE_STAFF
                                      and _over(user.organization, committee)))


def application_committees(user: User) -> QuerySet[Organization]:
    """The committees whose portal applications ``user`` handles."""
    committees = Organization.objects.filter(kind=OrgKind.COMMITTEE)
    if user.is_superuser:
        return committees
    node = user.organization
    if not user_roles(user) & COMMITTEE_STAFF or node is None:
        return committees.none()
    return committees.filter(path__startswith=node.path)


def may_publish_menu(user: User, institution: Organization) -> bool:
    """An institution's standard plan menu: an approver of it or of a node above it."""
    roles = user_roles(user)
    return bool(user.is_superuser or Role.ADMINISTRATOR in roles
                or (Role.APPROVER in roles and _over(user.organization, institution)))


def payments_import_problem(user: User, institution: Organization | None) -> str:
    """Why ``user`` may not import payments for ``institution`` (empty when they may): an
    agent of that institution or of a node above it."""
    if (institution is None or institution.kind not in INSTITUTION_KINDS
            or not _over(user.organization, institution)
            or Role.AGENT not in user_roles(user)):
        return "只有该金融机构的经办人可以导入还款记录"
    return ""


def _institution_staff(user: User, institution: Organization) -> bool:
    """An agent or approver of ``institution`` or of a node above it, as an institution's
    staff see its disputes (:func:`dispute_visible_to`), or the platform's administrators."""
    roles = user_roles(user)
    if user.is_superuser or Role.ADMINISTRATOR in roles:
        return True
    return bool(roles & CREDITOR_ROLES) and _over(user.organization, institution)


def results_problem(user: User, institution: Organization) -> str:
    """Why ``user`` may not read ``institution``'s results file (结果回传) — what became of
    its disputes and its branches' (empty when they may): its own staff
    (:func:`_institution_staff`)."""
    if _institution_staff(user, institution):
        return ""
    return "只有该金融机构（或其上级机构）的经办人、审批人可以查看其纠纷的办理结果"


def institution_for(viewer: User, institution_id: int,
                    problem: Callable[[User, Organization], str]) -> Organization:
    """The institution (bank, credit union or branch) ``viewer`` asks for by id, whose
    ``problem`` (:func:`results_problem`, :func:`menu_problem`) says nothing against them.

    :raises RecordNotFound: no institution has that id
    :raises PermissionDenied: ``problem``'s words
    """
    institution = Organization.objects.filter(pk=institution_id,
                                              kind__in=INSTITUTION_KINDS).first()
    if institution is None:
        raise RecordNotFound(f"金融机构不存在：{institution_id}", "no such institution",
                             field="institution_id")
    refused = problem(viewer, institution)
    if refused:
        raise PermissionDenied(refused, "not an agent or approver of this institution",
                               field="institution_id")
    return institution


def menu_problem(user: User, institution: Organization) -> str:
    """Why ``user`` may not read ``institution``'s standard plan menu (empty when they may):
    its own staff (:func:`_institution_staff`) — the agents who offer it and the approvers
    who publish it (:func:`may_publish_menu`). A bank's concessions are its own business,
    not the other banks' nor the desk's (the desk sees a menu on a dispute's designer)."""
    if _institution_staff(user, institution):
        return ""
    return "只有该金融机构（或其上级机构）的经办人、审批人可以查看其标准还款方案"


def committees_drafting_texts(user: User) -> QuerySet[Organization]:
    """The committees whose texts ``user`` drafts: their own node's and those below."""
    node = user.organization
    if node is None or not user_roles(user) & (COMMITTEE_STAFF | {Role.MEDIATOR}):
        return Organization.objects.none()
    return subtree(node).filter(kind=OrgKind.COMMITTEE).order_by("path")


def may_draft_texts(user: User, committee: Organization) -> bool:
    return committees_drafting_texts(user).filter(pk=committee.pk).exists()


def may_approve_texts(user: User, committee: Organization) -> bool:
    """A committee's texts are approved by its director (or a director above it)."""
    return Role.DIRECTOR in user_roles(user) and _over(user.organization, committee)


def approves_texts(user: User) -> bool:
    return Role.DIRECTOR in user_roles(user)


SUPERVISING = frozenset({Role.SUPERVISOR, Role.DIRECTOR, Role.ADMINISTRATOR})


def may_supervise(user: User) -> bool:
    """Reads the figures, the ledger and the contact report of some node."""
    return bool(user_roles(user) & SUPERVISING) or user.is_superuser


def supervises_everything(user: User) -> bool:
    return user.is_superuser or Role.ADMINISTRATOR in user_roles(user)


def supervises(user: User, node: Organization) -> bool:
    """A supervisor of ``node`` or of a node above it (spot checks), or an administrator."""
    if supervises_everything(user):
        return True
    return Role.SUPERVISOR in user_roles(user) and _over(user.organization, node)


def is_approver(user: User) -> bool:
    return Role.APPROVER in user_roles(user)


def is_agent(user: User) -> bool:
    return Role.AGENT in user_roles(user)


def holds(user: User, *roles: Role) -> bool:
    """Whether ``user`` holds any of ``roles`` anywhere (for what lists and queues show)."""
    return bool(user_roles(user) & frozenset(roles))



# Lifecycle actions a committee's desk takes on many disputes at once (issue 20 §4).
BATCH_ACTIONS = (lifecycle.Action.ACCEPT, lifecycle.Action.ASSIGN)


def batch_actions_of(user: User) -> tuple[lifecycle.Action, ...]:
    """The actions ``user`` may take on many disputes at once: those the lifecycle table
    lets a committee role they hold take (clerks and directors accept, directors assign).
    Each dispute of a batch is still its single service's to allow or refuse."""
    roles = user_roles(user) & COMMITTEE_STAFF
    if user.organization is None or not roles:
        return ()
    return tuple(action for action in BATCH_ACTIONS
                 if any(roles & t.roles for t in lifecycle.transitions_for(action)))


def may_batch(user: User, action: lifecycle.Action) -> bool:
    return action in batch_actions_of(user)


def may_send_menus(user: User) -> bool:
    """Send the standard plan menu to many disputes' debtors at once (issue 20 §5): the
    committee's mediators and directors. Each dispute is still the single send's to allow
    or refuse (:meth:`Standing.may_send_menu`: the dispute's own desk)."""
    return user.organization is not None and bool(
        user_roles(user) & frozenset({Role.MEDIATOR, Role.DIRECTOR}))


# --- judicial confirmation in batches (issue 20 §6) ---

def may_batch_apply(user: User) -> bool:
    """Send several joint applications to a court at once: the committee's desk that the
    lifecycle table lets apply for one (mediators and directors). Each dispute is still
    its single service's to allow or refuse."""
    roles = user_roles(user) & (COMMITTEE_STAFF | TEAM_ROLES)
    return user.organization is not None and any(
        roles & t.roles for t in lifecycle.transitions_for(lifecycle.Action.APPLY_CONFIRMATION))


def court_for_review(user: User, court_id: int) -> Organization:
    """The court whose applications ``user`` reviews and rules on together: a judge of it
    (or of a court above it), as :meth:`Standing.may_rule` asks of each application.

    :raises RecordNotFound: no such court, or the user is not of it (the same answer)
    :raises PermissionDenied: of the court, but not a judge (a clerk dockets, never rules)
    """
    court = Organization.objects.filter(pk=court_id, kind=OrgKind.COURT).first()
    held = user_roles(user)
    if court is None or not held & COURT_ROLES or not _over(user.organization, court):
        raise RecordNotFound("法院不存在或无权查看", "no such court")
    if Role.JUDGE not in held:
        who, who_en = WHO_MAY["may_rule"]
        raise PermissionDenied(f"只有{who}可以审查并裁定司法确认申请",
                               f"only {who_en} may review and rule")
    return court
