"""The mediation team: changes of mediators, and a party's recusal request and the
director's decision."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from jintiao.disputes.access import PermissionDenied, RecordNotFound, Standing, standing_of
from jintiao.disputes.changes import instant, lock_behind, record_event, require_state
from jintiao.disputes.models import Dispute, DisputeMediator, DisputeParty
from jintiao.disputes.services import (
    MediatorInvalid,
    dispute_lock,
    require_team,
)
from jintiao.domain import events
from jintiao.domain.lifecycle import State
from jintiao.mediation import selectors
from jintiao.mediation.models import Recusal
from jintiao.mediation.services.common import MediationInvalid
from jintiao.orgs.models import User


@transaction.atomic
def mediators_change(*, actor: User, dispute_id: int, expected_version: int, lead: User,
                     others: Sequence[User] = (), reason: str = "") -> Dispute:
    """Replace the team of a dispute under mediation (after a recusal, say): a lead and
    co-mediators or experts, each free of conflict. Assignment itself is the lifecycle's
    ``assign`` action, which takes the same list.

    :raises MediatorInvalid: someone conflicted, recused, not a mediator, or twice
    """
    dispute = dispute_lock(actor, dispute_id, expected_version)
    standing_of(actor, dispute).require(Standing.may_direct, "调整调解员")
    require_state(dispute, State.MEDIATING, doing="调整调解员")
    team = [lead, *others]
    require_team(dispute, team)
    found = selectors.conflicts(dispute, team)
    if found:
        names = "、".join(str(m) for m in team if m.pk in found)
        raise MediatorInvalid(f"{names}：{next(iter(found.values()))[0]}",
                              "a mediator has a conflict", users=",".join(map(str, found)))
    now, _today = instant()
    before = list(DisputeMediator.objects.filter(dispute=dispute).values_list("user_id",
                                                                              flat=True))
    DisputeMediator.objects.filter(dispute=dispute).delete()
    DisputeMediator.objects.bulk_create([DisputeMediator(dispute=dispute, user=m, lead=i == 0)
                                         for i, m in enumerate(team)])
    dispute.version = expected_version + 1
    dispute.save(update_fields=["version"])
    record_event(dispute, events.MEDIATION_TEAM_CHANGED, actor, now,
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
    require_state(dispute, State.ACCEPTED, State.MEDIATING, doing="申请回避")
    row = DisputeParty.objects.filter(pk=party_row_id, dispute=dispute).first()
    if row is None:
        raise MediationInvalid("申请人不是本纠纷的当事人", "not a party of this dispute")
    if not standing_of(actor, dispute).may_request_recusal(row.pk, row.role):
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
    now, _today = instant()
    made = Recusal.objects.create(dispute=dispute, mediator=mediator, requested_by=row,
                                  reason=reason.strip(), requested_at=now)
    record_event(dispute, events.MEDIATION_RECUSAL_REQUESTED, actor, now,
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
    dispute = lock_behind(actor, recusal.dispute_id, missing)
    standing_of(actor, dispute).require(Standing.may_direct, "决定回避")
    if recusal.status != Recusal.Status.PENDING:
        raise MediationInvalid("该回避申请已经决定", "already decided")
    if not reason.strip():
        raise MediationInvalid("回避决定须写明理由", "a decision needs a reason")
    now, _today = instant()
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
    record_event(dispute, events.MEDIATION_RECUSAL_DECIDED, actor, now,
                 {"recusal": recusal.pk, "mediator": recusal.mediator_id, "granted": grant,
                  "reason": recusal.decision_reason, "removed_from_team": removed})
    return recusal
