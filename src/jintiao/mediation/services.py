"""Every change the mediation workbench makes: one function per change, each in one
transaction with the dispute row locked, each appending its timeline event.

Events never carry private content: a caucus note's event says which side spoke, not what
was said; a blind bound's event says that a side entered one, not its figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import secrets
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.files.base import File
from django.db import transaction

from jintiao import clock
from jintiao.disputes.models import Dispute, DisputeMediator, DisputeParty, PartyRole
from jintiao.disputes.selectors import DisputeNotFound, dispute_get_for
from jintiao.disputes.services import (
    MediatorInvalid,
    PermissionDenied,
    dispute_apply_action,
    dispute_lock,
)
from jintiao.domain import blind, lifecycle
from jintiao.domain.authority import AuthorityLimits, PlanAsks, excesses, first_able
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.lifecycle import Action, Role, State
from jintiao.domain.plans import (
    WAIVER_ORDER,
    PlanOptions,
    Waiver,
)
from jintiao.domain.plans import (
    DebtorBudget as Budget,
)
from jintiao.domain.plans import MenuItem as PlanMenuItem
from jintiao.domain.policy import Track
from jintiao.domain.schedules import Method
from jintiao.mediation import convert, selectors
from jintiao.mediation.models import (
    Approval,
    Attachment,
    Attendance,
    BlindRound,
    CaucusNote,
    Consent,
    DebtorBudget,
    Evaluation,
    MenuItem,
    Offer,
    Recusal,
    Session,
    Side,
)
from jintiao.mediation.selectors import RecordNotFound
from jintiao.orgs.models import Organization, User
from jintiao.orgs.selectors import user_roles
from jintiao.parties import crypto
from jintiao.timeline.services import event_append

MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024  # a long session's recording
SESSION_HORIZON = dt.timedelta(days=366)  # a session is scheduled, or recorded, within a year


class MediationInvalid(DomainError):
    code = ErrorCode.MEDIATION_INVALID


class MediationDeadlinePassed(DomainError):
    code = ErrorCode.MEDIATION_DEADLINE_PASSED


class ApprovalRequired(DomainError):
    """Accepting this plan goes beyond the agent's authority: ask an approver."""

    code = ErrorCode.APPROVAL_REQUIRED


def _now() -> tuple[dt.datetime, dt.date]:
    now = clock.now()
    return now, now.astimezone(clock.TZ).date()


def _event(dispute: Dispute, type: str, actor: User, at: dt.datetime,
           params: dict[str, Any]) -> None:
    event_append(dispute=dispute, type=type, actor=actor, at=at, state_before=dispute.state,
                 state_after=dispute.state, params=params)


def _lock_behind(actor: User, dispute_id: int, missing: RecordNotFound) -> Dispute:
    """Lock the dispute a record belongs to; a record of a dispute the actor may not see
    is missing, with the same answer as one that never existed."""
    try:
        return dispute_lock(actor, dispute_id)
    except DisputeNotFound:
        raise missing from None


def _require_state(dispute: Dispute, *states: State, doing: str) -> None:
    if State(dispute.state) not in states:
        raise lifecycle.TransitionRefused(
            f"纠纷处于“{State(dispute.state).label}”状态，不能{doing}",
            f"cannot {doing} in state {dispute.state}", state=dispute.state)


def _require_time_left(dispute: Dispute, today: dt.date) -> None:
    """Past its deadline a mediation must be extended, failed or closed before more work."""
    if dispute.deadline is not None and today > dispute.deadline:
        raise MediationDeadlinePassed(
            f"调解期限已于{dispute.deadline:%Y-%m-%d}届满，须经双方同意延长期限，或终止调解",
            "the mediation deadline has passed: extend it or end the mediation",
            deadline=dispute.deadline.isoformat())


def _require_desk(actor: User, dispute: Dispute, doing: str) -> None:
    """The dispute's mediators and its committee's director."""
    if not selectors.sees_everything(actor, dispute):
        raise PermissionDenied(f"只有本纠纷的调解员或调委会主任可以{doing}",
                               f"only the dispute's mediators or director may {doing}")


def _require_director(actor: User, dispute: Dispute, doing: str) -> None:
    if not selectors.is_director_of(actor, dispute):
        raise PermissionDenied(f"只有调委会主任可以{doing}", f"only the director may {doing}")


# --- lifecycle actions, with the facts the workbench keeps ---

@transaction.atomic
def action_apply(*, actor: User, dispute_id: int, action: Action, expected_version: int,
                 reason: str = "", track: Track | None = None, mediators: Sequence[User] = (),
                 notice_served: bool = False, attested: Iterable[str] = (),
                 details: dict[str, Any] | None = None) -> Dispute:
    """Apply a lifecycle action, establishing from the workbench's records the guards the
    actor cannot simply attest: a team free of conflicts and recusals (assignment), every
    party's recorded consent and an extension left under the policy (extension).

    :raises DisputeNotFound: missing or not visible to ``actor``
    :raises DisputeConflict: the dispute changed since ``expected_version``
    :raises TransitionRefused: the lifecycle refuses it; ``details['missing']`` says why
    """
    action = Action(action)
    dispute = dispute_lock(actor, dispute_id, expected_version)
    established: set[str] = set()
    if action is Action.ASSIGN and mediators and not selectors.conflicts(dispute,
                                                                         list(mediators)):
        established.add("mediator_without_conflict")
    consents: list[int] = []
    if action is Action.EXTEND:
        consents = selectors.consents_to_extend(dispute)
        if consents:
            established.add("parties_consent")
        if selectors.extensions_used(dispute) < selectors.policy_of(dispute).max_extensions:
            established.add("within_extension_limit")
    done = dispute_apply_action(
        actor=actor, dispute_id=dispute_id, action=action, expected_version=expected_version,
        reason=reason, track=track, mediators=mediators, notice_served=notice_served,
        attested=attested, established=established,
        details={**(details or {}), **({"consents": consents} if consents else {})})
    if consents:  # a consent covers one extension
        Consent.objects.filter(pk__in=consents).update(used=True)
    return done


# --- triage and assignment ---

def dispute_triage(*, actor: User, dispute_id: int, expected_version: int,
                   facts_disputed: bool, evaluation_requested: bool = False,
                   track: Track | None = None, reason: str = "") -> Dispute:
    """The director confirms the policy's suggested track, or overrides it with a reason.

    :raises MediationInvalid: an override without a reason
    :raises TransitionRefused: not in the accepted state, or not the director
    """
    seen = dispute_get_for(actor, dispute_id)
    suggestion = selectors.triage_suggestion(seen, facts_disputed=facts_disputed,
                                             evaluation_requested=evaluation_requested)
    chosen = Track(track) if track else suggestion.track
    overridden = chosen is not suggestion.track
    if overridden and not reason.strip():
        raise MediationInvalid(
            f"不采用建议的“{suggestion.track.label}”须写明理由",
            "overriding the suggested track needs a reason", suggested=suggestion.track)
    return action_apply(
        actor=actor, dispute_id=dispute_id, action=Action.TRIAGE,
        expected_version=expected_version, track=chosen, reason=reason.strip(),
        details={"suggested": suggestion.track.value, "why": list(suggestion.reasons),
                 "facts_disputed": bool(facts_disputed),
                 "evaluation_requested": bool(evaluation_requested), "overridden": overridden})


@transaction.atomic
def mediators_change(*, actor: User, dispute_id: int, expected_version: int, lead: User,
                     others: Sequence[User] = (), reason: str = "") -> Dispute:
    """Replace the team of a dispute under mediation (after a recusal, say): a lead and
    co-mediators or experts, each free of conflict. Assignment itself is the lifecycle's
    ``assign`` action, which takes the same list.

    :raises MediatorInvalid: someone conflicted, recused, not a mediator, or twice
    """
    dispute = dispute_lock(actor, dispute_id, expected_version)
    _require_director(actor, dispute, "调整调解员")
    _require_state(dispute, State.MEDIATING, doing="调整调解员")
    team = [lead, *others]
    if len({m.pk for m in team}) != len(team):
        raise MediatorInvalid("同一调解员不能重复指定", "a mediator is named twice")
    not_mediators = [m for m in team if not m.is_active
                     or not user_roles(m) & {Role.MEDIATOR, Role.EXPERT}]
    if not_mediators:
        raise MediatorInvalid(f"{'、'.join(map(str, not_mediators))}不是在册调解员",
                              "not an active mediator")
    found = selectors.conflicts(dispute, team)
    if found:
        names = "、".join(str(m) for m in team if m.pk in found)
        raise MediatorInvalid(f"{names}：{next(iter(found.values()))[0]}",
                              "a mediator has a conflict", users=",".join(map(str, found)))
    now, _today = _now()
    before = list(DisputeMediator.objects.filter(dispute=dispute).values_list("user_id",
                                                                              flat=True))
    DisputeMediator.objects.filter(dispute=dispute).delete()
    DisputeMediator.objects.bulk_create([DisputeMediator(dispute=dispute, user=m, lead=i == 0)
                                         for i, m in enumerate(team)])
    dispute.version = expected_version + 1
    dispute.save(update_fields=["version"])
    _event(dispute, "mediation.team_changed", actor, now,
           {"before": before, "lead": lead.pk, "others": [m.pk for m in others],
            "reason": reason.strip()})
    return dispute


@transaction.atomic
def recusal_request(*, actor: User, dispute_id: int, mediator_id: int, party_row_id: int,
                    reason: str) -> Recusal:
    """Record a party's request that a mediator of the dispute stand aside (回避), with its
    reason. The committee's desk records it for a party; an institution's agent for its own
    side. Anyone not on the dispute's team is answered alike, so no one's name leaks.
    """
    dispute = dispute_lock(actor, dispute_id)
    _require_state(dispute, State.ACCEPTED, State.MEDIATING, doing="申请回避")
    row = DisputeParty.objects.filter(pk=party_row_id, dispute=dispute).first()
    if row is None:
        raise MediationInvalid("申请人不是本纠纷的当事人", "not a party of this dispute")
    desk = bool(user_roles(actor) & {Role.INTAKE_CLERK, Role.DIRECTOR, Role.MEDIATOR})
    own_side = selectors.creditor_side(actor, dispute) and row.role == PartyRole.CREDITOR
    if not (desk or own_side):
        raise PermissionDenied("无权代该当事人申请回避", "may not request recusal for this party")
    if not reason.strip():
        raise MediationInvalid("申请回避须写明理由", "a recusal request needs a reason")
    member = DisputeMediator.objects.filter(dispute=dispute, user_id=mediator_id) \
        .select_related("user").first()
    if member is None:
        raise MediationInvalid("所选调解员不是本纠纷的调解员", "not a mediator of this dispute")
    mediator = member.user
    if Recusal.objects.filter(dispute=dispute, mediator=mediator,
                              status=Recusal.Status.PENDING).exists():
        raise MediationInvalid(f"对{mediator}的回避申请尚待决定", "a request is already pending")
    now, _today = _now()
    made = Recusal.objects.create(dispute=dispute, mediator=mediator, requested_by=row,
                                  reason=reason.strip(), requested_at=now)
    _event(dispute, "mediation.recusal_requested", actor, now,
           {"recusal": made.pk, "mediator": mediator.pk, "party_row": row.pk,
            "reason": made.reason})
    return made


@transaction.atomic
def recusal_decide(*, actor: User, recusal_id: int, grant: bool, reason: str) -> Recusal:
    """The director grants or refuses a recusal, with a reason; a granted one takes the
    mediator off the dispute (the director then names a new team if the lead left)."""
    missing = RecordNotFound("回避申请不存在", "recusal not found")
    recusal = Recusal.objects.select_related("mediator").filter(pk=recusal_id).first()
    if recusal is None:
        raise missing
    dispute = _lock_behind(actor, recusal.dispute_id, missing)
    _require_director(actor, dispute, "决定回避")
    if recusal.status != Recusal.Status.PENDING:
        raise MediationInvalid("该回避申请已经决定", "already decided")
    if not reason.strip():
        raise MediationInvalid("回避决定须写明理由", "a decision needs a reason")
    now, _today = _now()
    recusal.status = Recusal.Status.GRANTED if grant else Recusal.Status.REFUSED
    recusal.decided_by, recusal.decided_at = actor, now
    recusal.decision_reason = reason.strip()
    recusal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    removed = False
    if grant:
        removed = bool(DisputeMediator.objects.filter(dispute=dispute,
                                                      user=recusal.mediator).delete()[0])
    dispute.version += 1
    dispute.save(update_fields=["version"])
    _event(dispute, "mediation.recusal_decided", actor, now,
           {"recusal": recusal.pk, "mediator": recusal.mediator_id, "granted": grant,
            "reason": recusal.decision_reason, "removed_from_team": removed})
    return recusal


# --- sessions and caucus ---

@transaction.atomic
def session_schedule(*, actor: User, dispute_id: int, mode: Session.Mode,
                     starts_at: dt.datetime, party_row_ids: Sequence[int] = (),
                     place: str = "", online_link: str = "") -> Session:
    """Schedule a session: time, mode, place or link, and the parties invited."""
    dispute = dispute_lock(actor, dispute_id)
    _require_desk(actor, dispute, "安排调解")
    _require_state(dispute, State.MEDIATING, doing="安排调解")
    now, today = _now()
    _require_time_left(dispute, today)
    mode = Session.Mode(mode)
    if starts_at.tzinfo is None:
        raise MediationInvalid("调解时间须带时区", "starts_at must be aware")
    if abs(starts_at - now) > SESSION_HORIZON:
        raise MediationInvalid("调解时间应在前后一年之内", "starts_at is more than a year away")
    if mode == Session.Mode.ONLINE and not online_link.strip():
        raise MediationInvalid("线上调解须填写会议链接", "an online session needs a link")
    if mode in (Session.Mode.FACE_TO_FACE, Session.Mode.BACK_TO_BACK) and not place.strip():
        raise MediationInvalid("现场调解须填写地点", "an in-person session needs a place")
    rows = list(DisputeParty.objects.filter(dispute=dispute, pk__in=party_row_ids))
    if len(rows) != len(set(party_row_ids)):
        raise MediationInvalid("参加人不是本纠纷的当事人", "not a party of this dispute")
    seq = (dispute.sessions.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    made = Session.objects.create(dispute=dispute, seq=seq, mode=mode, starts_at=starts_at,
                                  place=place.strip(), online_link=online_link.strip(),
                                  scheduled_by=actor)
    Attendance.objects.bulk_create([Attendance(session=made, party_row=r) for r in rows]
                                   + [Attendance(session=made, user=actor)])
    _event(dispute, "mediation.session_scheduled", actor, now,
           {"session": seq, "mode": mode.value, "starts_at": starts_at.isoformat(),
            "parties": [r.pk for r in rows]})
    return made


def _session_for(actor: User, session_id: int) -> tuple[Session, Dispute]:
    missing = RecordNotFound("调解会议不存在", "session not found")
    session = Session.objects.filter(pk=session_id).first()
    if session is None:
        raise missing
    dispute = _lock_behind(actor, session.dispute_id, missing)
    _require_desk(actor, dispute, "记录调解")
    return session, dispute


@transaction.atomic
def session_record(*, actor: User, session_id: int, record: str,
                   attended: dict[int, bool]) -> Session:
    """Record a held session: the record (笔录) and who attended (party rows → bool)."""
    session, dispute = _session_for(actor, session_id)
    _require_state(dispute, State.MEDIATING, doing="记录调解笔录")
    if session.status != Session.Status.SCHEDULED:  # a record once made is not rewritten
        raise MediationInvalid(f"该次调解已{session.get_status_display()}，笔录不能改写",
                               "the session is already recorded or cancelled")
    if not record.strip():
        raise MediationInvalid("调解笔录不能为空", "the record is empty")
    now, _today = _now()
    if session.starts_at > now:
        raise MediationInvalid(f"会议定于{session.starts_at.astimezone(clock.TZ):%Y-%m-%d %H:%M}"
                               "举行，尚未开始", "the session has not started yet")
    rows = {a.party_row_id: a for a in session.attendance.filter(party_row__isnull=False)}
    unknown = set(attended) - set(rows)
    if unknown:
        raise MediationInvalid("出席情况中有未受邀的当事人", "attendance names someone not invited")
    for row_id, present in attended.items():
        rows[row_id].attended = bool(present)
        rows[row_id].save(update_fields=["attended"])
    session.attendance.filter(user=actor).update(attended=True)
    session.record, session.status = record.strip(), Session.Status.HELD
    session.save(update_fields=["record", "status"])
    _event(dispute, "mediation.session_held", actor, now,
           {"session": session.seq, "attended": {str(k): v for k, v in attended.items()}})
    return session


@transaction.atomic
def caucus_note_add(*, actor: User, session_id: int, side: Side, text: str) -> CaucusNote:
    """A private note of one side in a back-to-back round. The event names the side only."""
    session, dispute = _session_for(actor, session_id)
    _require_state(dispute, State.MEDIATING, doing="记录背对背谈话")
    side = Side(side)
    if not text.strip():
        raise MediationInvalid("谈话记录不能为空", "the note is empty")
    now, _today = _now()
    note = CaucusNote.objects.create(session=session, side=side, text=text.strip(),
                                     author=actor, created_at=now)
    _event(dispute, "mediation.caucus_note", actor, now, {"session": session.seq,
                                                          "side": side.value})
    return note


@transaction.atomic
def attachment_add(*, actor: User, session_id: int, kind: Attachment.Kind, name: str,
                   content: File[bytes], side: str = "") -> Attachment:
    """Store a recording or evidence through the storage API, with its SHA-256."""
    session, dispute = _session_for(actor, session_id)
    if side and side not in Side.values:
        raise MediationInvalid("可见范围无效", "unknown side")
    size = content.size or 0
    if not 0 < size <= MAX_ATTACHMENT_BYTES:
        raise MediationInvalid("附件为空或超过200MB", "attachment empty or too large")
    digest = hashlib.sha256()
    for chunk in content.chunks():
        digest.update(chunk)
    content.seek(0)
    now, _today = _now()
    made = Attachment(session=session, kind=Attachment.Kind(kind), side=side,
                      name=name.strip()[:200] or "附件", size=size,
                      sha256=digest.hexdigest(), uploaded_by=actor, uploaded_at=now)
    made.file.save(f"{digest.hexdigest()[:16]}.bin", content, save=False)
    made.save()
    _event(dispute, "mediation.attachment_added", actor, now,
           {"session": session.seq, "kind": made.kind, "side": side, "sha256": made.sha256})
    return made


# --- plans and offers ---

def _offer_by(actor: User, dispute: Dispute, on_behalf_of: str) -> str:
    """Who puts the offer forward: the creditor's agent for the creditor; the desk for the
    mediators, or on behalf of the debtor (who signs in only with the party portal)."""
    if selectors.creditor_side(actor, dispute) and on_behalf_of in ("", Offer.By.CREDITOR):
        return Offer.By.CREDITOR
    if selectors.sees_everything(actor, dispute) and on_behalf_of != Offer.By.CREDITOR:
        return on_behalf_of or Offer.By.MEDIATOR
    raise PermissionDenied("无权以该方名义提出方案（债权人的方案由其经办人提出）",
                           "may not make an offer for this side")


@transaction.atomic
def offer_propose(*, actor: User, dispute_id: int, options: PlanOptions,
                  discount_rate: Decimal, on_behalf_of: str = "", side: str = "",
                  answers_id: int | None = None) -> Offer:
    """Put a plan forward, to everyone (``side`` empty) or in a back-to-back round to the
    mediators only (``side`` the proposer's own); a counter-offer names the one it answers.

    A side's own offer on the table binds that side: it counts as its acceptance — for the
    creditor only within the proposing officer's authority (beyond it, approval decides).
    """
    dispute = dispute_lock(actor, dispute_id)
    _require_state(dispute, State.MEDIATING, doing="提出方案")
    now, today = _now()
    _require_time_left(dispute, today)
    by = _offer_by(actor, dispute, on_behalf_of)
    _require_no_settlement(dispute)
    if side and (side not in Side.values or (by != Offer.By.MEDIATOR and side != by)):
        raise MediationInvalid("背对背方案只能对己方及调解员可见",
                               "a private offer is its own side's")
    answers = None
    if answers_id is not None:
        answers = Offer.objects.filter(pk=answers_id, dispute=dispute, side="").first()
        if answers is None or answers.status != Offer.Status.OPEN:
            raise MediationInvalid("所回应的方案不存在或已答复", "the answered offer is not open")
    figures = selectors.figures_for(dispute, options, discount_rate)
    creditor_bound = (by == Offer.By.CREDITOR and not side
                      and selectors.creditor_side(actor, dispute) and not excesses(
        PlanAsks.of(figures, dispute.principal), selectors.limits_of(actor) or AuthorityLimits()))
    seq = (dispute.offers.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    made = Offer.objects.create(
        dispute=dispute, seq=seq, by=by, side=side, answers=answers,
        label=options.label[:100], method=options.method.value,
        options=convert.options_to_json(options), figures=convert.figures_to_json(figures),
        creditor_accepted_at=now if creditor_bound else None,
        debtor_accepted_at=now if by == Offer.By.DEBTOR and not side else None,
        proposed_by=actor, created_at=now)
    if answers is not None:
        answers.status = Offer.Status.COUNTERED
        answers.save(update_fields=["status"])
        _cancel_approvals([answers.pk])
    params: dict[str, Any] = {"offer": seq, "by": by, "side": side,
                              "answers": answers.seq if answers else None}
    if not side:  # a private offer's terms stay off the shared timeline
        params.update(total=str(figures.total_paid), periods=options.periods,
                      method=options.method.value)
    _event(dispute, "mediation.offer_made", actor, now, params)
    return made


def _require_no_settlement(dispute: Dispute) -> None:
    """One settlement at a time: a plan both sides accepted is withdrawn before another."""
    settled = dispute.offers.filter(status=Offer.Status.ACCEPTED).first()
    if settled is not None:
        raise MediationInvalid(
            f"双方已接受方案{settled.seq}；如需重新协商，请先由调解员撤回该方案",
            "a plan is already accepted by both sides", offer=settled.seq)


def _cancel_approvals(offer_ids: Sequence[int]) -> None:
    """An offer that left the table takes its pending approvals with it."""
    Approval.objects.filter(offer_id__in=offer_ids, status=Approval.Status.PENDING).update(
        status=Approval.Status.CANCELLED)


def _offer_for(actor: User, offer_id: int) -> tuple[Offer, Dispute]:
    missing = RecordNotFound("方案不存在", "offer not found")
    offer = Offer.objects.filter(pk=offer_id).first()
    if offer is None:
        raise missing
    dispute = _lock_behind(actor, offer.dispute_id, missing)
    if offer.side not in selectors.sides_seen_by(actor, dispute):
        raise missing  # another side's private offer: not found either
    return offer, dispute


@transaction.atomic
def offer_accept(*, actor: User, offer_id: int, side: str) -> Offer:
    """Record one side's acceptance. The creditor's agent accepts within its authority,
    beyond it only through an approval; the desk records the debtor's acceptance (until the
    party portal) — the debtor accepts an offer only with its full terms shown to it."""
    offer, dispute = _offer_for(actor, offer_id)
    _require_state(dispute, State.MEDIATING, doing="接受方案")
    now, today = _now()
    _require_time_left(dispute, today)
    if offer.status != Offer.Status.OPEN:
        raise MediationInvalid("该方案已答复或撤回", "the offer is not open")
    if offer.side:
        raise MediationInvalid("背对背方案须先由调解员向双方提出",
                               "a private offer is not on the table")
    if side == Side.CREDITOR:
        if not selectors.creditor_side(actor, dispute):
            raise PermissionDenied("只有债权金融机构的经办人可以代表债权人接受方案",
                                   "only the creditor's officers accept for the creditor")
        found = selectors.creditor_excesses(actor, offer, dispute)
        if found and not offer.approvals.filter(status=Approval.Status.APPROVED).exists():
            raise ApprovalRequired(
                "超出您的授权，须报上级审批：" + "；".join(e.sentence for e in found),
                "beyond the agent's authority: approval required",
                excesses=",".join(e.limit for e in found))
        offer.creditor_accepted_at = now
    elif side == Side.DEBTOR:
        _require_desk(actor, dispute, "记录债务人接受方案")
        offer.debtor_accepted_at = now
    else:
        raise MediationInvalid("接受方无效", "unknown side")
    _finish_if_both(offer, dispute, actor, now, side)
    return offer


def _finish_if_both(offer: Offer, dispute: Dispute, actor: User, now: dt.datetime,
                    side: str) -> None:
    both = offer.creditor_accepted_at is not None and offer.debtor_accepted_at is not None
    if both:
        _require_no_settlement(dispute)
        offer.status = Offer.Status.ACCEPTED
        others = list(dispute.offers.filter(status=Offer.Status.OPEN).exclude(pk=offer.pk)
                      .values_list("pk", flat=True))
        Offer.objects.filter(pk__in=others).update(status=Offer.Status.WITHDRAWN)
        _cancel_approvals([*others, offer.pk])
    offer.save(update_fields=["status", "creditor_accepted_at", "debtor_accepted_at"])
    _event(dispute, "mediation.offer_accepted", actor, now,
           {"offer": offer.seq, "side": side, "both": both})


@transaction.atomic
def offer_reject(*, actor: User, offer_id: int, side: str, reason: str = "") -> Offer:
    offer, dispute = _offer_for(actor, offer_id)
    _require_state(dispute, State.MEDIATING, doing="拒绝方案")
    if offer.status != Offer.Status.OPEN:
        raise MediationInvalid("该方案已答复或撤回", "the offer is not open")
    if offer.side:
        raise MediationInvalid("背对背方案尚未向双方提出，无需答复",
                               "a private offer is not on the table")
    if side == Side.CREDITOR and not selectors.creditor_side(actor, dispute):
        raise PermissionDenied("无权代表债权人拒绝", "not the creditor's officer")
    if side == Side.DEBTOR:
        _require_desk(actor, dispute, "记录债务人拒绝方案")
    if side not in Side.values:
        raise MediationInvalid("拒绝方无效", "unknown side")
    now, _today = _now()
    offer.status = Offer.Status.REJECTED
    offer.save(update_fields=["status"])
    _cancel_approvals([offer.pk])
    _event(dispute, "mediation.offer_rejected", actor, now,
           {"offer": offer.seq, "side": side, "reason": reason.strip()})
    return offer


@transaction.atomic
def offer_withdraw(*, actor: User, offer_id: int, reason: str) -> Offer:
    """Take a plan off the table: the desk any plan — one both sides had accepted included,
    when they reopen the talks — and the creditor's officers the creditor's own open offer.

    :raises PermissionDenied: not the desk, nor the creditor withdrawing its own open offer
    :raises MediationInvalid: no reason, or the offer already answered or withdrawn
    """
    offer, dispute = _offer_for(actor, offer_id)
    _require_state(dispute, State.MEDIATING, doing="撤回方案")
    desk = selectors.sees_everything(actor, dispute)
    own = offer.by == Offer.By.CREDITOR and selectors.creditor_side(actor, dispute)
    if offer.status not in (Offer.Status.OPEN, Offer.Status.ACCEPTED):
        raise MediationInvalid("该方案已答复或撤回", "the offer is not open")
    if not desk and not (own and offer.status == Offer.Status.OPEN):
        raise PermissionDenied("只有调解员可以撤回该方案", "only the desk withdraws this offer")
    if not reason.strip():
        raise MediationInvalid("撤回方案须写明理由", "a withdrawal needs a reason")
    now, _today = _now()
    was = offer.status
    offer.status = Offer.Status.WITHDRAWN
    offer.save(update_fields=["status"])
    _cancel_approvals([offer.pk])
    _event(dispute, "mediation.offer_withdrawn", actor, now,
           {"offer": offer.seq, "was": was, "reason": "" if offer.side else reason.strip()})
    return offer


# --- authority ---

@transaction.atomic
def approval_request(*, actor: User, offer_id: int) -> Approval:
    """Ask the nearest approver whose limits cover the plan to approve accepting it."""
    offer, dispute = _offer_for(actor, offer_id)
    if not selectors.creditor_side(actor, dispute) or Role.AGENT not in user_roles(actor):
        raise PermissionDenied("只有债权金融机构的经办人可以报请审批",
                               "only the creditor's agent asks for approval")
    if offer.status != Offer.Status.OPEN or offer.side:
        raise MediationInvalid("只能对双方可见、待答复的方案报请审批", "the offer is not open")
    found = selectors.creditor_excesses(actor, offer, dispute)
    if not found:
        raise MediationInvalid("该方案在您的授权范围内，可直接接受", "within the agent's authority")
    if offer.approvals.filter(status=Approval.Status.PENDING).exists():
        raise MediationInvalid("该方案已在审批中", "already waiting for approval")
    approver = first_able(selectors.plan_asks(offer, dispute),
                          selectors.approval_ladder(actor, dispute))
    if approver is None:
        raise MediationInvalid("上级机构中没有授权足以批准该方案的审批人",
                               "no approver's authority covers this plan")
    now, _today = _now()
    made = Approval.objects.create(
        offer=offer, requested_by=actor, approver=approver, requested_at=now,
        excesses=[{"limit": e.limit, "text": e.sentence} for e in found])
    _event(dispute, "mediation.approval_requested", actor, now,  # the excesses stay with
           {"offer": offer.seq, "approval": made.pk, "approver": approver.pk})  # the bank
    return made


@transaction.atomic
def approval_decide(*, actor: User, approval_id: int, approve: bool, reason: str) -> Approval:
    """The approver approves (the creditor then has accepted the plan) or refuses, with a
    reason; both are on the timeline at once."""
    approval = Approval.objects.select_related("offer").filter(pk=approval_id).first()
    if approval is None or approval.approver_id != actor.pk:
        raise RecordNotFound("审批事项不存在", "approval not found")
    offer, dispute = _offer_for(actor, approval.offer_id)
    approval.offer = offer  # the locked, current row: the answer shows what it became
    if approval.status != Approval.Status.PENDING:
        raise MediationInvalid("该事项已经审批或已撤销", "already decided or cancelled")
    _require_state(dispute, State.MEDIATING, doing="审批方案")
    if offer.status != Offer.Status.OPEN:
        raise MediationInvalid("该方案已不在待答复状态", "the offer is no longer open")
    now, today = _now()
    if approve:
        _require_time_left(dispute, today)
    if not reason.strip():
        raise MediationInvalid("审批意见不能为空", "a decision needs a reason")
    approval.status = Approval.Status.APPROVED if approve else Approval.Status.REFUSED
    approval.reason, approval.decided_at = reason.strip(), now
    approval.save(update_fields=["status", "reason", "decided_at"])
    # the reason stays with the approval, the creditor's record: the shared timeline says
    # only the outcome, as it would not tell the debtor how far the bank's authority goes
    _event(dispute, "mediation.approval_decided", actor, now,
           {"offer": offer.seq, "approval": approval.pk, "approved": approve})
    if approve:
        offer.creditor_accepted_at = now
        _finish_if_both(offer, dispute, actor, now, Side.CREDITOR)
    return approval


MAX_MENU_ITEMS = 8


@transaction.atomic
def menu_publish(*, actor: User, institution: Organization,
                 items: Sequence[PlanMenuItem]) -> list[MenuItem]:
    """Publish an institution's standard plan menu (e.g. 6/12/24/36 months), replacing the
    one before; the designer offers it first on the institution's and its branches'
    disputes. An approver of the institution or a node above it publishes.

    :raises PermissionDenied: not an approver (or administrator) over ``institution``
    :raises MediationInvalid: not an institution, or no item or too many
    """
    if institution.kind not in selectors.INSTITUTION_KINDS:
        raise MediationInvalid(f"{institution}不是金融机构", "not a financial institution")
    node = actor.organization
    roles = user_roles(actor)
    over = node is not None and institution.path.startswith(node.path)
    if not (actor.is_superuser or Role.ADMINISTRATOR in roles
            or (Role.APPROVER in roles and over)):
        raise PermissionDenied("只有本机构或上级机构的审批人可以发布标准还款方案",
                               "only an approver over the institution publishes its menu")
    if not 1 <= len(items) <= MAX_MENU_ITEMS:
        raise MediationInvalid(f"标准还款方案应为1至{MAX_MENU_ITEMS}项",
                               f"a menu has 1 to {MAX_MENU_ITEMS} items")
    MenuItem.objects.filter(institution=institution).delete()
    return MenuItem.objects.bulk_create([
        MenuItem(institution=institution, position=i, label=item.label[:100],
                 periods=item.periods, method=item.method.value,
                 annual_rate=item.annual_rate, charge_waiver_ratio=item.charge_waiver_ratio,
                 conditional=item.conditional)
        for i, item in enumerate(items)])


# --- budget, consent, evaluation ---

@transaction.atomic
def budget_declare(*, actor: User, dispute_id: int, party_row_id: int,
                   monthly_income: Decimal | None, other_obligations: Decimal,
                   dependants: int) -> DebtorBudget:
    """Record what the debtor declares about money each month, for the affordability check."""
    dispute = dispute_lock(actor, dispute_id)
    _require_desk(actor, dispute, "登记债务人收支")
    row = DisputeParty.objects.filter(pk=party_row_id, dispute=dispute,
                                      role=PartyRole.DEBTOR).first()
    if row is None:
        raise MediationInvalid("所选当事人不是本纠纷的债务人", "not a debtor of this dispute")
    Budget(monthly_income, other_obligations, dependants)  # validates
    now, today = _now()
    made, _created = DebtorBudget.objects.update_or_create(
        party_row=row, defaults={"monthly_income": monthly_income,
                                 "other_obligations": other_obligations,
                                 "dependants": dependants, "declared_on": today})
    _event(dispute, "mediation.budget_declared", actor, now, {"party_row": row.pk})
    return made


@transaction.atomic
def consent_record(*, actor: User, dispute_id: int, party_row_id: int, how: str,
                   given_on: dt.date) -> Consent:
    """Record a party's consent to extend the mediation deadline (how it was given)."""
    dispute = dispute_lock(actor, dispute_id)
    _require_desk(actor, dispute, "登记当事人同意")
    _require_state(dispute, State.MEDIATING, doing="登记延期同意")
    row = DisputeParty.objects.filter(pk=party_row_id, dispute=dispute).first()
    if row is None:
        raise MediationInvalid("所选当事人不属于该纠纷", "not a party of this dispute")
    now, today = _now()
    if given_on > today:
        raise MediationInvalid("同意日期不能晚于今天", "consent dated in the future")
    if not how.strip():
        raise MediationInvalid("须写明同意的方式（书面、电话录音等）", "how was consent given")
    made = Consent.objects.create(dispute=dispute, party_row=row, how=how.strip()[:100],
                                  given_on=given_on, recorded_by=actor)
    _event(dispute, "mediation.consent_recorded", actor, now,
           {"party_row": row.pk, "purpose": "extension", "how": made.how,
            "given_on": given_on.isoformat()})
    return made


@transaction.atomic
def evaluation_record(*, actor: User, dispute_id: int, assessment: str,
                      contract_annual_rate: Decimal, discount_rate: Decimal,
                      offer_id: int | None = None) -> Evaluation:
    """An expert's non-binding assessment, with both paths computed for both sides."""
    from jintiao.domain.evaluation import litigation_paths

    dispute = dispute_lock(actor, dispute_id)
    if Role.EXPERT not in user_roles(actor) or not selectors.on_team(actor, dispute):
        raise PermissionDenied("只有本纠纷的调解专家可以出具中立评估",
                               "only the dispute's expert evaluates")
    if dispute.track != Track.EVALUATION:
        raise MediationInvalid("只有中立评估程序的纠纷出具评估意见", "not on the evaluation track")
    _require_state(dispute, State.MEDIATING, doing="出具评估")
    now, today = _now()
    _require_time_left(dispute, today)
    if not assessment.strip():
        raise MediationInvalid("评估意见不能为空", "the assessment is empty")
    offer = None
    settlement = None
    if offer_id is not None:
        offer = Offer.objects.filter(pk=offer_id, dispute=dispute, side="").first()
        if offer is None:
            raise RecordNotFound("所选方案不存在", "offer not found")
        settlement = selectors.figures_for(dispute, convert.options_from_json(offer.options),
                                           discount_rate)
    paths = litigation_paths(selectors.claim_of(dispute),
                             contract_annual_rate=contract_annual_rate,
                             policy=selectors.policy_of(dispute), discount_rate=discount_rate,
                             settlement=settlement)
    data = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in vars(paths).items()}
    data["summary"] = paths.summary()
    made = Evaluation.objects.create(dispute=dispute, expert=actor,
                                     assessment=assessment.strip(),
                                     contract_annual_rate=contract_annual_rate,
                                     discount_rate=discount_rate, offer=offer, paths=data,
                                     created_at=now)
    _event(dispute, "mediation.evaluation_recorded", actor, now,
           {"evaluation": made.pk, "offer": offer.seq if offer else None})
    return made


# --- blind offers ---

def _authority_bound(limits: AuthorityLimits, dispute: Dispute) -> blind.CreditorBound:
    """The most a holder of ``limits`` may concede, as a creditor bound."""
    least = (dispute.principal * (1 - limits.max_principal_waiver_ratio)
             + selectors.claim_of(dispute).charges * (1 - limits.max_charge_waiver_ratio)
             + dispute.other).quantize(Decimal("0.01"))
    return blind.CreditorBound(max(least, Decimal("0.01")), limits.max_term_months)


def _seal(bound: blind.CreditorBound | blind.DebtorBound) -> str:
    return crypto.encrypt(json.dumps({k: str(v) for k, v in vars(bound).items()}))


def _open_creditor(token: str) -> blind.CreditorBound:
    data = json.loads(crypto.decrypt(token))
    return blind.CreditorBound(Decimal(data["min_total"]), int(data["max_term_months"]))


def _open_debtor(token: str) -> blind.DebtorBound:
    data = json.loads(crypto.decrypt(token))
    return blind.DebtorBound(Decimal(data["max_monthly"]), Decimal(data["max_total"]))


@transaction.atomic
def blind_bound_enter(*, actor: User, dispute_id: int,
                      bound: blind.CreditorBound | blind.DebtorBound) -> BlindRound:
    """Enter one side's private bound for the current round; when both are in, the round is
    decided and only its outcome (and a proposal on overlap) is ever shown.

    :raises MediationInvalid: rounds used up, a deal already found, the side already in
    :raises ApprovalRequired: a creditor bound beyond the agent's own authority
    """
    dispute = dispute_lock(actor, dispute_id)
    _require_state(dispute, State.MEDIATING, doing="背靠背报价")
    now, today = _now()
    _require_time_left(dispute, today)
    policy = selectors.policy_of(dispute)
    claim_total = selectors.claim_of(dispute).total
    creditor = isinstance(bound, blind.CreditorBound)
    if isinstance(bound, blind.CreditorBound):
        if not selectors.creditor_side(actor, dispute):
            raise PermissionDenied("只有债权金融机构的经办人可以报债权人底线",
                                   "only the creditor's officers enter its bound")
        own = _authority_bound(selectors.limits_of(actor) or AuthorityLimits(), dispute)
        if bound.min_total < own.min_total or bound.max_term_months > own.max_term_months:
            raise ApprovalRequired("该底线超出您的授权，须由上级审批人报价或授权",
                                   "the bound goes beyond the agent's authority")
    else:
        _require_desk(actor, dispute, "代债务人报底线")
    _require_no_settlement(dispute)
    rounds = dispute.blind_rounds.order_by("-number")
    current = rounds.first()
    if current is not None and current.outcome == BlindRound.Outcome.OVERLAP:
        raise MediationInvalid("已找到双方可接受的建议方案，背靠背报价结束", "a deal was found")
    if current is None or current.outcome != BlindRound.Outcome.WAITING:
        number = (current.number if current else 0) + 1
        if number > policy.blind_offer_rounds:
            raise MediationInvalid(f"背靠背报价最多{policy.blind_offer_rounds}轮，已用完",
                                   "no rounds left", rounds=policy.blind_offer_rounds)
        current = BlindRound.objects.create(dispute=dispute, number=number,
                                            seed=secrets.token_hex(16))
    if (creditor and current.creditor_bound) or (not creditor and current.debtor_bound):
        raise MediationInvalid("本轮已报过底线，请等待对方", "this side already entered this round")
    if creditor:
        current.creditor_bound, current.creditor_by = _seal(bound), actor
    else:
        current.debtor_bound, current.debtor_by = _seal(bound), actor
    _event(dispute, "mediation.blind_bound_entered", actor, now,
           {"round": current.number, "side": "creditor" if creditor else "debtor"})
    if current.creditor_bound and current.debtor_bound:
        _decide_round(current, dispute, actor, now, claim_total)
    current.save(update_fields=["creditor_bound", "creditor_by", "debtor_bound", "debtor_by",
                                "outcome", "offer"])
    return current


def _decide_round(current: BlindRound, dispute: Dispute, actor: User, now: dt.datetime,
                  claim_total: Decimal) -> None:
    policy = selectors.policy_of(dispute)
    creditor = _open_creditor(current.creditor_bound)
    debtor = _open_debtor(current.debtor_bound)
    # an interest-free plan never asks more than the claim
    debtor = blind.DebtorBound(debtor.max_monthly, min(debtor.max_total, claim_total))
    agent = current.creditor_by
    step = blind.grid_step(claim_total, policy.blind_offer_step_ratio)
    ladder = selectors.approval_ladder(agent, dispute) if agent else []
    # "needs approval" when any approver above could close the gap, not only the last one
    escalation = next((bound for bound in (_authority_bound(limits, dispute)
                                           for _holder, limits in ladder)
                       if blind.candidate_totals(bound, debtor, step)), None)
    found = blind.match(creditor, debtor, step=step,
                        rng=random.Random(current.seed), escalation=escalation)  # noqa: S311
    current.outcome = found.outcome.value
    params: dict[str, Any] = {"round": current.number, "outcome": found.outcome.value}
    if found.proposal is not None:
        claim = selectors.claim_of(dispute)
        waive = claim.total - found.proposal.total
        waivers = []
        for part in (*WAIVER_ORDER, "other", "principal"):
            take = min(getattr(claim, part), waive)
            if take > 0:
                waivers.append(Waiver(part, take))
                waive -= take
        first_due = selectors.due_day_default(now.astimezone(clock.TZ).date())
        options = PlanOptions(Method.FLAT, found.proposal.periods, first_due,
                              waivers=tuple(waivers), label="背靠背报价建议方案")
        figures = selectors.figures_for(dispute, options, policy.plan_discount_rate)
        seq = (dispute.offers.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
        current.offer = Offer.objects.create(
            dispute=dispute, seq=seq, by=Offer.By.MEDIATOR, label=options.label,
            method=Method.FLAT.value, options=convert.options_to_json(options),
            figures=convert.figures_to_json(figures), proposed_by=actor, created_at=now)
        params.update(offer=seq, total=str(found.proposal.total),
                      periods=found.proposal.periods)
    _event(dispute, "mediation.blind_round_decided", actor, now, params)

