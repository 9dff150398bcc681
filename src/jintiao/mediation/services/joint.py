"""Joint mediation (联合调解, issue 21 §2): the desk joins the disputes of one debtor with
different creditors, then puts forward one consolidated plan — the debtor's one budget
shared among the creditors by the policy's rule (:mod:`jintiao.domain.joint`) — as one
part on each dispute's table. Each creditor accepts its own part like any plan, through its
own officers and authority; a new joint plan withdraws every earlier part, because the
shares depend on each other."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction

from jintiao import clock
from jintiao.disputes.access import RecordNotFound, Standing, standing_of
from jintiao.disputes.changes import instant, lock_behind, record_event, require_state
from jintiao.disputes.models import Dispute
from jintiao.domain import events
from jintiao.domain.joint import (
    ConsolidatedPlan,
    CreditorTerms,
    JointCreditor,
    JointInvalid,
    consolidated_plan,
)
from jintiao.domain.lifecycle import State
from jintiao.domain.plans import PlanDesignInvalid, Waiver, require_charges_held
from jintiao.domain.policy import ShareRule
from jintiao.domain.schedules import Method
from jintiao.mediation import selectors
from jintiao.mediation.models import JointMediation, JointMember, Offer, Session
from jintiao.mediation.services.common import require_plan_dates
from jintiao.mediation.services.offers import offer_propose, offer_withdraw
from jintiao.mediation.services.sessions import session_schedule
from jintiao.orgs.models import User

MAX_JOINED = 8


@transaction.atomic
def joint_create(*, actor: User, dispute_ids: Sequence[int], sessions: str = "joint",
                 agreement_form: str = "per_creditor") -> JointMediation:
    """Join the disputes: the same debtor, different creditors, all being mediated at the
    actor's committee and none joined already.

    :raises PermissionDenied: the actor is not the desk of every one of them
    :raises JointInvalid: fewer than two, more than eight, another debtor, the same
        creditor twice, joined already, other committees
    :raises TransitionRefused: one not being mediated
    """
    ids = list(dict.fromkeys(dispute_ids))
    if not 2 <= len(ids) <= MAX_JOINED:
        raise JointInvalid(f"联合调解须有2至{MAX_JOINED}件纠纷", "two to eight disputes",
                           field="disputes")
    if sessions not in JointMediation.Sessions.values or \
            agreement_form not in JointMediation.Form.values:
        raise JointInvalid("调解会议方式或协议形式无效", "unknown sessions or form")
    disputes = [lock_behind(actor, pk, RecordNotFound("纠纷不存在", "no such dispute"))
                for pk in sorted(ids)]
    for d in disputes:
        standing_of(actor, d).require(Standing.may_mediate, "联合调解")
        require_state(d, State.MEDIATING, doing="纳入联合调解")
    if len({d.committee_id for d in disputes}) != 1:
        raise JointInvalid("联合调解的纠纷须由同一调委会受理", "one committee", field="disputes")
    if len({selectors.joint_debtor_of(d) for d in disputes}) != 1:
        raise JointInvalid("联合调解的纠纷须是同一名债务人", "one debtor", field="disputes")
    creditors = [selectors.creditor_key(d) for d in disputes]
    if len(set(creditors)) != len(creditors):
        raise JointInvalid("同一债权人的多件纠纷请合并为一件，不宜联合调解",
                           "different creditors", field="disputes")
    settled = next((d for d in disputes
                    if d.offers.filter(status=Offer.Status.ACCEPTED).exists()), None)
    if settled is not None:
        raise JointInvalid(
            f"{settled.number}已有双方接受的方案；如需联合调解，请先在该纠纷中撤回该方案",
            "a plan is accepted already", field="disputes")
    joined = JointMember.objects.filter(dispute__in=disputes).select_related("dispute").first()
    if joined is not None:
        raise JointInvalid(f"{joined.dispute.number}已纳入联合调解", "joined already",
                           field="disputes")
    now, _today = instant()
    joint = JointMediation.objects.create(
        committee_id=disputes[0].committee_id, debtor_id=selectors.joint_debtor_of(disputes[0]),
        sessions=sessions, agreement_form=agreement_form, created_by=actor, created_at=now)
    for seq, d in enumerate(disputes, 1):
        JointMember.objects.create(joint=joint, dispute=d, seq=seq)
        record_event(d, events.MEDIATION_JOINED, actor, now,
                     {"joint": joint.pk, "with": [o.number for o in disputes if o.pk != d.pk]})
        # a plan of its own cannot settle a joined dispute: take it off the table, so nobody
        # is offered what can no longer be accepted (found trying it as the debtor)
        for open_offer in d.offers.filter(status=Offer.Status.OPEN, side=""):
            offer_withdraw(actor=actor, offer_id=open_offer.pk,
                           reason="已纳入联合调解，由合并还款方案替代")
    return joint


def _method(value: str) -> Method:
    """A creditor's repayment method as stored or posted; an unknown one refused in words."""
    try:
        return Method(value)
    except ValueError:
        raise JointInvalid(f"还款方式无效：{value!r}", "unknown method", field="method") from None


def joint_plan(joint: JointMediation, parts: Mapping[int, selectors.PartTerms], *,
               rule: str | None, amount: Decimal | None, first_due: Any
               ) -> tuple[ConsolidatedPlan, list[JointMember]]:
    """The consolidated plan these choices make: the dry run of :func:`joint_plan_propose`
    (the preview), checked by the same rules.

    Only the members still being mediated take a share; the parts agreed already are
    counted among the debtor's monthly obligations.

    :raises JointInvalid: the domain's refusals, said of the creditor concerned; no member
        still being mediated
    """
    every = list(joint.members.select_related("dispute").order_by("seq"))
    if set(parts) - {m.dispute_id for m in every}:
        raise JointInvalid("所列条件的纠纷不在本联合调解中", "terms for a dispute not joined",
                           field="parts")
    members = selectors.joint_mediating(joint)  # a member agreed, or gone, takes no share
    if not members:
        raise JointInvalid("联合调解的各纠纷均已不在调解中，不能再提出合并方案",
                           "no member is being mediated", field="disputes")
    creditors = []
    for m in members:
        d = m.dispute
        t = parts.get(d.pk, selectors.PartTerms())
        claim = selectors.claim_of(d)
        try:
            require_charges_held(claim, t.waive)
        except PlanDesignInvalid as exc:
            raise JointInvalid(f"{d.number}：{exc.message}", exc.message_en,
                               field="waive") from None
        creditors.append(JointCreditor(
            key=d.number, name=selectors.creditor_name(d), claim=claim, secured=t.secured,
            agreed_share=t.agreed_share, charges_since=d.charges_since,
            terms=CreditorTerms(method=_method(t.method), annual_rate=t.annual_rate,
                                waivers=tuple(Waiver(p, getattr(claim, p), conditional=True)
                                              for p in t.waive),
                                periods=t.periods)))
    today = clock.today()
    for m in members:  # after today, within a year, outside any member's running pause
        require_plan_dates(m.dispute, first_due, None, today)
    policy = selectors.policy_of(members[0].dispute)
    try:
        share_rule = ShareRule(rule) if rule else None
    except ValueError:
        raise JointInvalid("分配规则无效", "unknown rule", field="rule") from None
    budget = selectors.joint_budget(every)
    settled = selectors.joint_settled_monthly(joint)
    if settled:  # the parts agreed already are paid from the same budget
        budget = dataclasses.replace(budget,
                                     other_obligations=budget.other_obligations + settled)
    plan = consolidated_plan(creditors, budget=budget, first_due=first_due, policy=policy,
                             rule=share_rule, amount=amount)
    return plan, members


@transaction.atomic
def joint_plan_propose(*, actor: User, joint_id: int, parts: Mapping[int, selectors.PartTerms],
                       rule: str | None = None, amount: Decimal | None = None,
                       first_due: Any = None, beyond_budget: bool = False) -> JointMediation:
    """Put the consolidated plan forward: each earlier joint part withdrawn, one part put on
    each dispute's table as the mediators' plan, for that creditor (and the debtor) to
    accept — within the creditor's own authority, or through its approval.

    :raises RecordNotFound: not the desk of the joint mediation
    :raises JointInvalid: what the consolidated plan refuses; no member still mediated
    :raises MediationInvalid: a member's time run out
    :raises JointInvalid: also a plan beyond the budget unless ``beyond_budget`` confirms the
        debtor insists on it
    """
    JointMediation.objects.select_for_update().filter(pk=joint_id).first()
    joint = selectors.joint_for(actor, joint_id)  # read once locked: one proposer at a time
    if first_due is None:
        raise JointInvalid("请填写首期还款日", "first_due is required", field="first_due")
    plan, members = joint_plan(joint, parts, rule=rule, amount=amount, first_due=first_due)
    if plan.affordable is False and not beyond_budget:
        raise JointInvalid(
            "合并方案超出债务人测算的还款能力；如债务人知悉并坚持，请勾选确认后再提出",
            "beyond the debtor's budget: confirm first", field="amount")
    now, _today = instant()
    # the debtor's budget is the desk's: the label names the rule, not what it leaves a month
    label = f"联合调解合并方案：{len(members)}家债权人{plan.sharing.rule.label}"
    for m in members:
        earlier = m.offer  # the part put forward last, as the member records it
        if earlier is not None and earlier.status in (Offer.Status.OPEN, Offer.Status.ACCEPTED):
            offer_withdraw(actor=actor, offer_id=earlier.pk, reason="联合调解合并方案已调整")
        part = plan.plan_of(m.dispute.number)
        made = offer_propose(actor=actor, dispute_id=m.dispute.pk,
                             options=dataclasses.replace(part.options, label=label),
                             discount_rate=selectors.discount_rate(m.dispute, None),
                             joint_part=part.figures)
        t = parts.get(m.dispute.pk, selectors.PartTerms())
        m.secured, m.agreed_share, m.terms, m.offer = (t.secured, t.agreed_share, t.as_json(),
                                                       made)
        m.save(update_fields=["secured", "agreed_share", "terms", "offer"])
        dispute = Dispute.objects.get(pk=m.dispute.pk)
        record_event(dispute, events.MEDIATION_JOINT_PLAN, actor, now,
                     {"joint": joint.pk, "share": str(part.share.amount), "offer": made.seq})
    joint.rule, joint.amount, joint.first_due = plan.sharing.rule.value, amount, first_due
    joint.plan, joint.plan_version = selectors.plan_summary(plan), joint.plan_version + 1
    joint.save(update_fields=["rule", "amount", "first_due", "plan", "plan_version"])
    return joint


@transaction.atomic
def joint_session_schedule(*, actor: User, joint_id: int, mode: str, starts_at: dt.datetime,
                           place: str = "", online_link: str = "") -> list[Session]:
    """Call the joint meeting (合并召开调解会议) the desk chose: one session at the same
    time and place on the table of every member still mediated, all their parties invited, so the
    creditors and the debtor meet at one table. Each session is then held and recorded on
    its own dispute, by the usual services. All are scheduled or none.

    :raises RecordNotFound: not the desk of the joint mediation
    :raises JointInvalid: the desk chose separate meetings, or no member is still being
        mediated (those that are take part; the others are not called)
    :raises MediationInvalid, MeetingLinkInvalid: see
        :func:`~jintiao.mediation.services.sessions.session_schedule`
    """
    joint = selectors.joint_for(actor, joint_id)
    if mode not in Session.Mode.values:
        raise JointInvalid(f"调解方式无效：{mode}", "unknown mode", field="mode")
    if joint.sessions != JointMediation.Sessions.JOINT:
        raise JointInvalid("本联合调解选择分别召开调解会议，请在各纠纷中分别安排",
                           "separate sessions were chosen", field="sessions")
    members = selectors.joint_mediating(joint)  # the members agreed, or gone, are not called
    if not members:
        raise JointInvalid("联合调解的各纠纷均已不在调解中，不能再召开调解会议",
                           "no member is being mediated", field="disputes")
    return [session_schedule(actor=actor, dispute_id=m.dispute_id, mode=Session.Mode(mode),
                             starts_at=starts_at, place=place, online_link=online_link,
                             party_row_ids=list(m.dispute.party_rows.values_list("pk",
                                                                                 flat=True)),
                             joint=joint.pk)
            for m in sorted(members, key=lambda m: m.dispute_id)]  # locks in one order
