"""The demo's mediation desk: mediators' profiles, the banks' authority and plan menus, and
the mediation history of the seed disputes, all written through the services.

S1's history follows the source: a face-to-face session, the bank's "everything at once"
against the holder's 4,300 a month, a back-to-back round, and 60 instalments of the full
amount that the branch agent may not grant and the prefecture branch's approver does. The
holder's other overdue debt the source mentions — a 200,000-yuan personal credit loan — is
mediated with it (issue 21 §2): one budget, one consolidated plan, one application to the
court.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from decimal import Decimal

from jintiao import clock
from jintiao.demo.outreach import reach_debtors
from jintiao.disputes.models import Dispute, DisputeType
from jintiao.domain import blind
from jintiao.domain.authority import AuthorityLimits
from jintiao.domain.plans import MenuItem as PlanMenuItem
from jintiao.domain.plans import PlanOptions
from jintiao.domain.schedules import Method
from jintiao.mediation import selectors, services
from jintiao.mediation.models import Session, Side
from jintiao.orgs.models import Organization, User
from jintiao.orgs.services import authority_grant_set, mediator_profile_set

AGENT_LIMITS = AuthorityLimits(max_charge_waiver_ratio=Decimal("0.30"), max_term_months=36,
                               max_deferral_months=3)
APPROVER_LIMITS = AuthorityLimits(max_charge_waiver_ratio=Decimal("1"),
                                  max_principal_waiver_ratio=Decimal("0.10"),
                                  max_term_months=60, max_deferral_months=12)
PENALTY = ("penalty_interest",)
BANK_MENU = (
    PlanMenuItem("12期免息", 12),
    PlanMenuItem("24期免息，罚息减半（违约恢复）", 24, charge_waiver_ratio=Decimal("0.5"),
                 waiver_parts=PENALTY),
    PlanMenuItem("36期免息，减免罚息（违约恢复）", 36, charge_waiver_ratio=Decimal("1"),
                 waiver_parts=PENALTY),
)
UNION_MENU = (
    PlanMenuItem("6期", 6), PlanMenuItem("12期", 12),
    PlanMenuItem("24期，减免罚息（违约恢复）", 24, charge_waiver_ratio=Decimal("1"),
                 waiver_parts=PENALTY),
)
RATE = Decimal("0.035")
Interlude = Callable[[Dispute, dt.datetime], None]


def set_up_desk(*, mediators: Sequence[User], full_time: Sequence[User], agents: Sequence[User],
                approvers: Sequence[tuple[User, Organization, Sequence[PlanMenuItem]]],
                persona: User, rng: random.Random) -> None:
    """Profiles for every mediator (expertise drawn from the common dispute types), the
    agents' and approvers' grants, and each approver's institution's standard menu."""
    common = [DisputeType.CREDIT_CARD, DisputeType.CONSUMER_LOAN, DisputeType.FARM_LOAN,
              DisputeType.PERSONAL_BUSINESS_LOAN, DisputeType.ENTERPRISE_LOAN,
              DisputeType.GUARANTEE]
    for user in mediators:
        steady = user in full_time or user == persona
        mediator_profile_set(
            user=user, expertise=[t.value for t in rng.sample(common, rng.randint(1, 3))],
            capacity=30 if steady else 15, full_time=steady)
    mediator_profile_set(user=persona, full_time=True, capacity=30,
                         expertise=[DisputeType.CREDIT_CARD, DisputeType.CONSUMER_LOAN,
                                    DisputeType.ENTERPRISE_LOAN])
    for agent in agents:
        authority_grant_set(user=agent, limits=AGENT_LIMITS,
                            note="支行经办人：费息减免30%以内、36期以内")
    for approver, institution, menu in approvers:
        authority_grant_set(user=approver, limits=APPROVER_LIMITS,
                            note="分行（联社）审批人：费息全免、本金减免10%以内、60期以内")
        services.menu_publish(actor=approver, institution=institution, items=menu)


def _at(start: dt.datetime, days: int, hour: int, minute: int = 0) -> dt.datetime:
    day = start.astimezone(clock.TZ).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), clock.TZ)


def _rows(dispute: Dispute) -> tuple[int, int]:
    rows = {r.role: r.pk for r in dispute.party_rows.all()}
    return rows["creditor"], rows["debtor"]


def _session(dispute: Dispute, mediator: User, mode: Session.Mode, at: dt.datetime,
             record: str, notes: Sequence[tuple[Side, str]] = (), *,
             assigned: dt.datetime) -> None:
    """Schedule a session the day before (or just after assignment), hold and record it."""
    creditor, debtor = _rows(dispute)
    with clock.pinned(max(assigned + dt.timedelta(minutes=20), at - dt.timedelta(days=1))):
        made = services.session_schedule(
            actor=mediator, dispute_id=dispute.pk, mode=mode, starts_at=at,
            party_row_ids=[creditor, debtor], place="凯里市综治中心金融纠纷调解室")
    with clock.pinned(at + dt.timedelta(minutes=50)):
        for side, text in notes:
            services.caucus_note_add(actor=mediator, session_id=made.pk, side=side, text=text)
        services.session_record(actor=mediator, session_id=made.pk, record=record,
                                attended={creditor: True, debtor: True})


def s1_interlude(mediator: User, agent: User, approver: User, *, partner_ref: str,
                 partner_agent: User) -> Interlude:
    """S1 from assignment to an accepted plan (see the module's notes), mediated jointly
    with the card holder's 200,000-yuan loan at another lender (``partner_ref``, issue 21
    §2): one budget, one consolidated plan of 7,800 a month shared by the outstanding claims,
    each creditor accepting its part — the card's 60 instalments of the whole debt through
    the branch's approver, the loan's through the lender's own agent."""

    def run(dispute: Dispute, assigned: dt.datetime) -> None:
        total = selectors.claim_of(dispute).total
        _creditor, debtor = _rows(dispute)
        partner = Dispute.objects.get(external_ref=partner_ref)
        _session(dispute, mediator, Session.Mode.FACE_TO_FACE, _at(assigned, 1, 9, 30),
                 "调解员向持卡人释明逾期对征信的影响及进入强制执行的后果；持卡人陈述经营失败、"
                 "另有20万元个人信用贷款逾期，无力一次清偿，请求长期分期。银行坚持一次性清偿。",
                 assigned=assigned)
        with clock.pinned(_at(assigned, 1, 11)):
            # the household's income; the loan is mediated with the card, not another debt
            services.budget_declare(actor=mediator, dispute_id=dispute.pk, party_row_id=debtor,
                                    monthly_income=Decimal("16000"),
                                    other_obligations=Decimal("0"), dependants=1)
            lump = services.offer_propose(
                actor=agent, dispute_id=dispute.pk, discount_rate=RATE,
                options=PlanOptions(Method.LUMP_SUM, 1, _at(assigned, 31, 0).date(),
                                    label="一次性清偿全部欠款"))
        _session(dispute, mediator, Session.Mode.BACK_TO_BACK, _at(assigned, 5, 14, 30),
                 "背对背分别做工作：向银行转达持卡人的实际困难和还款意愿；向持卡人说明全额偿还、"
                 "不减免的前提下可争取较长分期。",
                 [(Side.CREDITOR, "银行：欠款总额不让步；期限可以商量，支行权限最长36期。"),
                  (Side.DEBTOR, "持卡人：每月最多能还4,300元左右，希望分五年还清。")],
                 assigned=assigned)
        with clock.pinned(_at(assigned, 5, 15, 40)):
            services.blind_bound_enter(actor=agent, dispute_id=dispute.pk,
                                       bound=blind.CreditorBound(total, 1))
            services.blind_bound_enter(actor=mediator, dispute_id=dispute.pk,
                                       bound=blind.DebtorBound(Decimal("4300"), total))
            services.offer_reject(actor=mediator, offer_id=lump.pk, side=Side.DEBTOR,
                                  reason="持卡人无力一次性清偿")
        with clock.pinned(_at(assigned, 7, 9)):  # the two lenders at one table
            joint = services.joint_create(actor=mediator, dispute_ids=[dispute.pk, partner.pk])
        with clock.pinned(_at(assigned, 7, 9, 30)):  # one meeting on both tables
            meetings = services.joint_session_schedule(
                actor=mediator, joint_id=joint.pk, mode=Session.Mode.FACE_TO_FACE,
                starts_at=_at(assigned, 8, 9, 30), place="凯里市综治中心金融纠纷调解室")
        with clock.pinned(_at(assigned, 8, 10, 20)):
            for meeting in meetings:
                services.session_record(
                    actor=mediator, session_id=meeting.pk,
                    record="联合调解：信用卡与个人信用贷款两家债权人同场，按持卡人家庭统一的收支测算"
                           "每月可还8,000元；持卡人同意每月共还7,800元，两家按欠款比例分配，各自全额、"
                           "不减免。",
                    attended=dict.fromkeys(
                        meeting.dispute.party_rows.values_list("pk", flat=True), True))
        with clock.pinned(_at(assigned, 8, 11)):
            services.joint_plan_propose(actor=mediator, joint_id=joint.pk, parts={},
                                        rule="pro_rata", amount=Decimal("7800"),
                                        first_due=_at(assigned, 38, 0).date())
            parts = {p.member.dispute_id: p.offer for p in selectors.joint_parts(joint)}
            card, loan = parts.get(dispute.pk), parts.get(partner.pk)
            if card is None or loan is None:
                raise LookupError("the joint plan's parts were not put forward")
            for part in (card, loan):
                services.offer_accept(actor=mediator, offer_id=part.pk, side=Side.DEBTOR)
            services.approval_request(actor=agent, offer_id=card.pk)
            services.offer_accept(actor=partner_agent, offer_id=loan.pk, side=Side.CREDITOR)
        with clock.pinned(_at(assigned, 9, 16)):
            waiting = selectors.approvals_waiting_for(approver).get(offer=card)
            services.approval_decide(actor=approver, approval_id=waiting.pk, approve=True,
                                     reason="持卡人确有困难且同意全额偿还，同意60期")

    return run


def s2_interlude(mediator: User, agent: User) -> Interlude:
    """S2 online, within minutes: the mediator's 12-instalment plan, both borrowers' and then
    the credit union's acceptance."""

    def run(dispute: Dispute, assigned: dt.datetime) -> None:
        reach_debtors(dispute, mediator, assigned, step=dt.timedelta(seconds=20))
        with clock.pinned(assigned + dt.timedelta(minutes=2)):
            plan = services.offer_propose(
                actor=mediator, dispute_id=dispute.pk, discount_rate=RATE,
                options=PlanOptions(Method.FLAT, 12, _at(assigned, 30, 0).date(),
                                    label="本息12期分期"))
        with clock.pinned(assigned + dt.timedelta(minutes=4)):
            services.offer_accept(actor=mediator, offer_id=plan.pk, side=Side.DEBTOR)
        with clock.pinned(assigned + dt.timedelta(minutes=6)):
            services.offer_accept(actor=agent, offer_id=plan.pk, side=Side.CREDITOR)

    return run


def opening_interlude(mediator: User, agent: User) -> Interlude:
    """A mediation under way: the first session held and the bank's opening plan."""

    def run(dispute: Dispute, assigned: dt.datetime) -> None:
        _creditor, debtor = _rows(dispute)
        reach_debtors(dispute, mediator, _at(assigned, 1, 9))
        _session(dispute, mediator, Session.Mode.PHONE, _at(assigned, 1, 10),
                 "电话联系债务人，告知调解程序、权利义务及不诉讼的好处；债务人表示收入下降，"
                 "愿意分期偿还。", assigned=assigned)
        with clock.pinned(_at(assigned, 1, 15)):
            services.budget_declare(actor=mediator, dispute_id=dispute.pk, party_row_id=debtor,
                                    monthly_income=Decimal("6200"),
                                    other_obligations=Decimal("800"), dependants=1)
            services.offer_propose(
                actor=agent, dispute_id=dispute.pk, discount_rate=RATE,
                options=PlanOptions(Method.FLAT, 12, _at(assigned, 30, 0).date(),
                                    label="银行方案：12期免息"))

    return run
