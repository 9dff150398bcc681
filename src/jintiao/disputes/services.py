"""Every change to a dispute: intake, and one function that applies a lifecycle action.

Each runs in one transaction, checks the domain's rules, writes, and appends the
timeline event; views, the API, the CLI and jobs all come through here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import F

from jintiao import clock
from jintiao.disputes.access import (
    PermissionDenied,
    Standing,
    dispute_get_for,
    may_file,
    standing_of,
)
from jintiao.disputes.models import CLAIM_FIELDS as CLAIM_FIELDS  # the interfaces' import
from jintiao.disputes.models import (
    Channel,
    Dispute,
    DisputeCounter,
    DisputeMediator,
    DisputeParty,
    DisputeRepresentative,
    DisputeType,
    PartyRole,
)
from jintiao.disputes.selectors import scope_problems
from jintiao.domain import events, lifecycle, periods
from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.lifecycle import Action, Role, State
from jintiao.domain.policy import Policy, Track
from jintiao.domain.representation import Authority, Relation, mandate_problems
from jintiao.orgs.models import Organization, OrgKind, User
from jintiao.orgs.selectors import user_roles
from jintiao.parties.models import PartyKind
from jintiao.parties.services import PartyInput, party_get_or_create
from jintiao.policies.selectors import policy_for, working_calendar
from jintiao.timeline.services import event_append


class Filed(NamedTuple):
    """What intake did: the dispute, and whether this call created it (a repeat of an
    institution's reference returns the one already filed)."""

    dispute: Dispute
    created: bool


class IntakeInvalid(DomainError):
    code = ErrorCode.INTAKE_INVALID


class DisputeConflict(DomainError):
    code = ErrorCode.CONFLICT


class MediatorInvalid(DomainError):
    code = ErrorCode.MEDIATOR_INVALID


class RepresentativeInvalid(DomainError):
    code = ErrorCode.REPRESENTATIVE_INVALID


def _next_number(committee: Organization, year: int) -> tuple[int, str]:
    """Take the next number of ``committee`` in ``year`` under a row lock."""
    DisputeCounter.objects.get_or_create(committee=committee, year=year)
    counter = DisputeCounter.objects.select_for_update().get(committee=committee, year=year)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return counter.last, f"（{year}）{committee.region_code}金调{counter.last:05d}号"


def dispute_intake(
    *,
    actor: User,
    committee: Organization,
    channel: Channel,
    dispute_type: DisputeType,
    claim: ClaimBreakdown,
    parties: Sequence[tuple[PartyInput, PartyRole]],
    institution: Organization | None = None,
    court: Organization | None = None,
    external_ref: str | None = None,
    summary: str = "",
    received_on: dt.date | None = None,
    notice_served: bool = False,
) -> Filed:
    """Register a dispute as RECEIVED (``received_on``, the legal date of receipt, defaults to
    today: a file received on paper may be entered later), or return the one already filed under
    ``(institution, external_ref)`` — a repeated bulk file creates nothing new.
    ``notice_served`` records that the parties were told of the non-litigation ways to
    resolve the dispute (告知) when the file was taken in.
    A file outside the committee's scope (types and channels it takes) is still registered,
    so that declining it is on record, and the event names why; accepting it is refused.

    :raises PermissionDenied: the actor may not file at this committee or for this institution
    :raises IntakeInvalid: not a committee, no creditor or no debtor
    :raises PartyInvalid: a party's identity number fails its check
    :raises PolicyMissing: no policy is in force for the committee
    """
    if not may_file(actor, committee, institution):
        raise PermissionDenied("无权向该调委会登记纠纷或代表该金融机构申请",
                               "not allowed to file at this committee or for this institution")
    if external_ref and institution is not None:
        existing = Dispute.objects.filter(institution=institution,
                                          external_ref=external_ref).first()
        if existing is not None:
            return Filed(existing, created=False)
    try:
        with transaction.atomic():
            return Filed(_intake(actor=actor, committee=committee, channel=channel,
                           dispute_type=dispute_type, claim=claim, parties=parties,
                           institution=institution, court=court, external_ref=external_ref,
                           summary=summary, received_on=received_on,
                           notice_served=notice_served), created=True)
    except IntegrityError:
        if external_ref and institution is not None:  # filed concurrently with the same ref
            return Filed(Dispute.objects.get(institution=institution, external_ref=external_ref),
                         created=False)
        raise


def _intake(*, actor: User, committee: Organization, channel: Channel,
            dispute_type: DisputeType, claim: ClaimBreakdown,
            parties: Sequence[tuple[PartyInput, PartyRole]], institution: Organization | None,
            court: Organization | None, external_ref: str | None, summary: str,
            received_on: dt.date | None, notice_served: bool) -> Dispute:
    now = clock.now()
    today = now.astimezone(clock.TZ).date()
    if received_on is not None and received_on > today:
        raise IntakeInvalid(f"收案日期{received_on}晚于今天",
                            f"received_on {received_on} is in the future")
    received_on = received_on or today
    if committee.kind != OrgKind.COMMITTEE:
        raise IntakeInvalid(f"“{committee}”不是调解委员会", f"{committee} is not a committee")
    roles_given = {PartyRole(role) for _, role in parties}
    if not {PartyRole.CREDITOR, PartyRole.DEBTOR} <= roles_given:
        raise IntakeInvalid("纠纷至少应有一名债权人和一名债务人",
                            "a dispute needs a creditor and a debtor")
    version, _policy = policy_for(committee, on=received_on)
    seq, number = _next_number(committee, received_on.year)
    dispute = Dispute.objects.create(
        number=number, committee=committee, year=received_on.year, seq=seq,
        channel=Channel(channel), dispute_type=DisputeType(dispute_type),
        institution=institution, court=court, external_ref=external_ref or None,
        summary=summary, claim_as_of=claim.as_of,
        **{f: getattr(claim, f) for f in CLAIM_FIELDS},
        policy_version=version, received_on=received_on,
        non_litigation_notice_served=notice_served,
    )
    rows = [DisputeParty(dispute=dispute, party=party_get_or_create(data), role=PartyRole(role))
            for data, role in parties]
    DisputeParty.objects.bulk_create(rows)
    event_append(dispute=dispute, type=events.DISPUTE_RECEIVED, actor=actor, at=now,
                 state_after=State.RECEIVED.value,
                 params={"channel": dispute.channel, "dispute_type": dispute.dispute_type,
                         "claim_total": str(claim.total), "external_ref": external_ref or "",
                         "notice_served": notice_served,
                         "out_of_scope": scope_problems(committee, dispute.dispute_type,
                                                        dispute.channel)},
                 meta={"number": number, "policy_version": version.pk})
    return dispute


# Guards the dispute's own data answers: computed here, whatever anyone attests.
FROM_DATA = frozenset({"within_scope", "non_litigation_notice_served", "reason_given",
                       "track_chosen", "deadline_passed", "within_confirmation_window"})
# Guards only the service that keeps their records establishes: the workbench (no conflict
# or recusal, consents on record, extensions left) and the agreement, the court and
# performance (signatures and seal, application, ruling, payments, undisputed facts).
ESTABLISHED_ONLY = lifecycle.RECORDED_GUARDS | frozenset({
    "mediator_without_conflict", "within_extension_limit", "parties_consent",
    "parties_waive_confirmation"})


def _guards(dispute: Dispute, *, today: dt.date, reason: str, track: Track | None,
            notice_served: bool, attested: Iterable[str], established: Iterable[str]) -> set[str]:
    """The guards that hold: those the data answers, those a calling service established
    from its records, and the few left to the actor's word (withdrawal by the applicant, a
    creditor's consent to a cure, the outcome at closing), recorded on the timeline."""
    held = (set(attested) - ESTABLISHED_ONLY - FROM_DATA) | (set(established)
                                                              & ESTABLISHED_ONLY)
    if not scope_problems(dispute.committee, dispute.dispute_type, dispute.channel):
        held.add("within_scope")
    if dispute.non_litigation_notice_served or notice_served:
        held.add("non_litigation_notice_served")
    if reason.strip():
        held.add("reason_given")
    if dispute.track or track:
        held.add("track_chosen")
    if dispute.deadline is not None and today > dispute.deadline:
        held.add("deadline_passed")
    if dispute.state == State.AGREED and dispute.deadline and today <= dispute.deadline:
        held.add("within_confirmation_window")
    return held


def _check_mediators(dispute: Dispute, action: Action, mediators: Sequence[User]) -> None:
    """Only assignment names mediators, and only a team the policy allows (naming none is
    the lifecycle's refusal: its guard says a mediator is missing)."""
    if mediators and action is not Action.ASSIGN:
        raise MediatorInvalid(f"“{action.label}”不能指定调解员",
                              f"action {action} takes no mediators")
    if mediators:
        require_team(dispute, mediators)


def require_team(dispute: Dispute, mediators: Sequence[User]) -> None:
    """A team the dispute's policy allows: someone named, no one twice, at most the
    policy's number of mediators (the lead included), each an active mediator or expert.

    :raises MediatorInvalid: empty, someone named twice, too many, or not a mediator
    """
    if not mediators:
        raise MediatorInvalid("须指定调解员", "no mediator named")
    if len({m.pk for m in mediators}) != len(mediators):
        raise MediatorInvalid("同一调解员不能重复指定", "a mediator is named twice")
    most = Policy.from_dict(dispute.policy_version.data).max_mediators
    if len(mediators) > most:
        raise MediatorInvalid(f"每件纠纷最多指定{most}名调解员（主调解员1名、协助调解员或专家"
                              f"{most - 1}名）", "too many mediators", most=most)
    require_mediators(mediators)


def require_mediators(mediators: Sequence[User]) -> None:
    """Everyone named is an active mediator or expert.

    :raises MediatorInvalid: someone is not
    """
    others = [m for m in mediators
              if not m.is_active or not user_roles(m) & {Role.MEDIATOR, Role.EXPERT}]
    if others:
        raise MediatorInvalid(f"{'、'.join(str(m) for m in others)}不是在册调解员",
                              "not an active mediator", users=",".join(str(m.pk) for m in others))


def _deadline_for(dispute: Dispute, state: State, policy: Policy,
                  today: dt.date) -> periods.Deadline | None:
    field = lifecycle.STATE_DEADLINES.get(state)
    if field is None:
        return None
    if field == "mediation_limit":
        if dispute.channel == Channel.COURT_DELEGATED:
            limit = policy.court_delegated_mediation_limit
        else:
            limit = policy.mediation_limit(Track(dispute.track or Track.ORDINARY))
    else:
        limit = getattr(policy, field)
    return periods.deadline(today, limit, working_calendar())


@transaction.atomic
def dispute_apply_action(
    *,
    actor: User,
    dispute_id: int,
    action: Action,
    expected_version: int,
    reason: str = "",
    track: Track | None = None,
    mediators: Sequence[User] = (),
    notice_served: bool = False,
    attested: Iterable[str] = (),
    established: Iterable[str] = (),
    details: dict[str, Any] | None = None,
) -> Dispute:
    """Apply ``action`` to a dispute the actor can see, by the domain lifecycle table.

    Interfaces call :func:`jintiao.mediation.services.action_apply`, which establishes the
    guards whose records the workbench keeps (no conflict, consents to extend) and comes
    here; ``details`` go on the event as they are (the triage suggestion, say).

    Checks role and guards, changes the state, recomputes the deadline from the dispute's
    policy version on the working-day calendar, and appends the event. A write based on a
    stale ``expected_version`` is refused rather than overwriting a colleague's change.

    :raises DisputeNotFound: missing or not visible to ``actor``
    :raises DisputeConflict: the dispute changed since ``expected_version``
    :raises TransitionRefused: not allowed in this state, for these roles, or a guard fails
    :raises MediatorInvalid: mediators named for another action than assignment, or someone
        who is not an active mediator
    """
    now = clock.now()
    today = now.astimezone(clock.TZ).date()
    dispute = dispute_lock(actor, dispute_id, expected_version)
    action = Action(action)
    _check_mediators(dispute, action, mediators)
    held = _guards(dispute, today=today, reason=reason, track=track,
                   notice_served=notice_served, attested=attested, established=established)
    roles = standing_of(actor, dispute).roles
    decision, role = _decide_for_any_role(State(dispute.state), action, roles, held)
    before = dispute.state
    dispute.state = decision.target.value
    if track is not None:
        dispute.track = Track(track).value
    if notice_served:
        dispute.non_litigation_notice_served = True
    policy = Policy.from_dict(dispute.policy_version.data)
    deadline = (_deadline_for(dispute, decision.target, policy, today)
                if decision.target.value != before or action is Action.EXTEND else None)
    if action is Action.EXTEND and dispute.deadline is not None:
        deadline = periods.deadline(dispute.deadline, policy.extension_limit, working_calendar())
    if decision.target.value != before or deadline is not None:
        dispute.deadline = deadline.due_on if deadline else None
        dispute.deadline_provisional = bool(deadline and deadline.provisional)
    dispute.version = expected_version + 1
    dispute.save(update_fields=["state", "track", "non_litigation_notice_served", "deadline",
                                "deadline_provisional", "version"])
    if mediators:
        DisputeMediator.objects.bulk_create(
            [DisputeMediator(dispute=dispute, user=m, lead=(i == 0))
             for i, m in enumerate(mediators)], ignore_conflicts=True)
    params: dict[str, Any] = {"action": action.value, "role": role.value}
    if reason:
        params["reason"] = reason
    if track is not None:
        params["track"] = Track(track).value
    if mediators:
        params["mediators"] = [m.pk for m in mediators]
    params.update(details or {})
    attested_used = sorted(set(attested) & set(decision.transition.guards))
    if attested_used:
        params["attested"] = attested_used
    event_append(dispute=dispute, type=events.for_action(action), actor=actor, at=now,
                 state_before=before, state_after=dispute.state, params=params,
                 meta={"deadline": dispute.deadline.isoformat() if dispute.deadline else None,
                       "provisional": dispute.deadline_provisional,
                       "reasons": list(deadline.reasons) if deadline else []})
    return dispute


def _decide_for_any_role(state: State, action: Action, roles: frozenset[Role],
                         held: set[str]) -> tuple[lifecycle.Decision, Role]:
    """Try the actor's roles in a stable order; report the most useful refusal."""
    refusal: lifecycle.TransitionRefused | None = None
    for role in sorted(roles, key=lambda r: r.value):
        try:
            return lifecycle.decide(state, action, role, held), role
        except lifecycle.TransitionRefused as exc:
            if refusal is None or "missing" in exc.details:
                refusal = exc
    if refusal is None:
        refusal = lifecycle.TransitionRefused("您没有可执行此操作的角色",
                                              "the user holds no role", action=action)
    raise refusal


def dispute_lock(actor: User, dispute_id: int, expected_version: int | None = None) -> Dispute:
    """The dispute the actor can see, locked for a change; with ``expected_version`` the
    change is refused if someone else changed the dispute since the actor loaded it. Only
    the dispute row is locked: PostgreSQL refuses FOR UPDATE across the nullable joins."""
    dispute = dispute_get_for(actor, dispute_id)
    dispute = (Dispute.objects.select_for_update(of=("self",))
               .select_related("committee", "institution", "court", "policy_version")
               .get(pk=dispute.pk))
    if expected_version is not None:
        require_version(dispute, expected_version)
    return dispute


def require_version(dispute: Dispute, expected_version: int) -> None:
    """Refuse a change based on a stale copy of the dispute (optimistic concurrency).

    :raises DisputeConflict: someone changed the dispute since ``expected_version``
    """
    if dispute.version != expected_version:
        raise DisputeConflict(
            "该纠纷已被他人修改，请刷新后重试", "the dispute changed since you loaded it",
            expected=expected_version, current=dispute.version,
        )


@transaction.atomic
def representative_appoint(
    *,
    actor: User,
    dispute_id: int,
    expected_version: int,
    party_row_id: int,
    person: PartyInput,
    relation: Relation,
    authority: Authority,
    signed_on: dt.date,
    valid_until: dt.date | None = None,
    matters: str = "",
) -> DisputeRepresentative:
    """Record a representative for one party of a dispute, from the power of attorney shown.

    :raises DisputeNotFound: missing or not visible to ``actor``
    :raises PermissionDenied: the actor is not at the committee's desk
    :raises RepresentativeInvalid: a closed dispute, not this dispute's party, the party
        itself, twice, or a power of attorney not yet signed or already expired
    :raises DisputeConflict: the dispute changed since ``expected_version``
    :raises PartyInvalid: the representative's identity number fails its check
    """
    now = clock.now()
    today = now.astimezone(clock.TZ).date()
    dispute = dispute_lock(actor, dispute_id)  # hidden is a 404 before anything else
    if State(dispute.state) in lifecycle.TERMINAL_STATES:
        raise RepresentativeInvalid("纠纷已结束，不能再登记代理人", "the dispute has ended")
    standing_of(actor, dispute).require(Standing.may_appoint_representative, "登记代理人")
    require_version(dispute, expected_version)
    row = DisputeParty.objects.select_related("party").filter(
        pk=party_row_id, dispute=dispute).first()
    if row is None:
        raise RepresentativeInvalid("所选当事人不属于该纠纷", "not a party of this dispute")
    if PartyKind(person.kind) is not PartyKind.PERSON:
        raise RepresentativeInvalid("代理人须为自然人", "a representative is a natural person")
    problems = mandate_problems(signed_on=signed_on, valid_until=valid_until, on=today)
    if problems:
        raise RepresentativeInvalid("；".join(problems), "the power of attorney is not in force")
    party = party_get_or_create(person)
    if party.pk == row.party_id:
        raise RepresentativeInvalid("当事人不能担任自己的代理人",
                                    "a party cannot represent itself")
    if DisputeRepresentative.objects.filter(party_row=row, person=party).exists():
        raise RepresentativeInvalid(f"{party.name}已是{row.party.name}的代理人",
                                    "already a representative of this party")
    made = DisputeRepresentative.objects.create(
        party_row=row, person=party, relation=Relation(relation).value,
        authority=Authority(authority).value, matters=matters, signed_on=signed_on,
        valid_until=valid_until)
    dispute.version = expected_version + 1
    dispute.save(update_fields=["version"])
    event_append(dispute=dispute, type=events.DISPUTE_REPRESENTATIVE_APPOINTED, actor=actor, at=now,
                 state_before=dispute.state, state_after=dispute.state,
                 params={"party_row": row.pk, "representative": party.pk,
                         "relation": made.relation, "authority": made.authority,
                         "signed_on": signed_on.isoformat(),
                         "valid_until": valid_until.isoformat() if valid_until else None})
    return made
