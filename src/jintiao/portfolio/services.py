"""Portfolio offers (issue 20 §5): the desk sends a dispute's debtor the creditor
institution's standard plan menu, the debtor chooses one plan on the portal, and the choice
becomes the accepted plan with its agreement drafted for everyone to sign.

**Authority.** A menu is published by an approver of the institution within their own
limits (:func:`jintiao.mediation.services.menu_publish`); each plan it holds is therefore
put on the table as the creditor's offer already accepted for the creditor — no approval
round — as long as the publisher still holds limits that cover it when it is sent.

**One rule, one place.** The plans are the single offer records the workbench uses; the
debtor's choice is the single acceptance (:func:`~jintiao.mediation.services.offer_accept`
rules stay with it: one settlement at a time, the deadline, the offer still open), and the
draft is the single agreement draft (:func:`jintiao.agreements.services.draft_write`), whose
check of the desk's words runs when they are sent, so a choice never fails on them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from jintiao import clock
from jintiao.agreements import services as agreements
from jintiao.agreements.content import Draft
from jintiao.disputes.access import RecordNotFound, Standing, standing_of
from jintiao.disputes.changes import instant, lock_behind, record_event, require_state
from jintiao.disputes.models import Dispute, DisputeParty
from jintiao.disputes.services import dispute_lock
from jintiao.domain import events
from jintiao.domain.claims import CLAIM_PART_LABELS
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.lifecycle import State
from jintiao.domain.money import format_amount
from jintiao.domain.outreach import MENU_PLACEHOLDERS, MENU_TEXT
from jintiao.domain.plans import PlanFigures
from jintiao.mediation import selectors as mediation
from jintiao.mediation.models import Offer, Side
from jintiao.mediation.selectors import due_day_default
from jintiao.mediation.services import menu_offers_put, offer_accept, offer_withdraw
from jintiao.orgs.models import User
from jintiao.outreach.services import platform_text
from jintiao.portfolio.models import MenuOffer

REPLY_DAYS = 14  # the time to choose the desk's form proposes
MAX_MANNER = 1000  # the agreement's way of performance, as the single draft form takes it
ORDINALS = "①②③④⑤⑥⑦⑧"


def reply_by_default(today: dt.date) -> dt.date:
    """The time to choose the desk's form proposes: two weeks, and before the first
    instalment of a plan sent today."""
    return min(today + dt.timedelta(days=REPLY_DAYS),
               due_day_default(today) - dt.timedelta(days=1))


class MenuOfferInvalid(DomainError):
    code = ErrorCode.MENU_OFFER_INVALID


def plan_words(figures: PlanFigures) -> str:
    """"12期，每月约1,000.00元，减免罚息500.00元（违约恢复）": a plan as a text says it."""
    parts = [f"{figures.options.periods}期", f"每月约{format_amount(figures.regular_payment)}元"]
    for w in figures.options.waivers:
        parts.append(f"减免{CLAIM_PART_LABELS.get(w.part, w.part)}{format_amount(w.amount)}元"
                     + ("（违约恢复）" if w.conditional else ""))
    return "，".join(parts)


def facts_of(dispute: Dispute) -> str:
    """The agreement's facts when the desk drafts none by hand: the dispute's summary as
    filed, else the claim as the record holds it."""
    if dispute.summary.strip():
        return dispute.summary.strip()
    claim = mediation.claim_of(dispute)
    rows = list(DisputeParty.objects.filter(dispute=dispute).select_related("party")
                .order_by("pk"))
    creditor = next((r.party.name for r in rows if r.role == "creditor"), "债权人")
    debtor = "、".join(r.party.name for r in rows if r.role == "debtor") or "债务人"
    parts = "、".join(f"{label}{format_amount(v)}元" for _n, label, v in claim.parts() if v)
    contract = f"（合同编号或卡号{dispute.contract_ref}）" if dispute.contract_ref else ""
    return (f"{creditor}与{debtor}因{dispute.get_dispute_type_display()}发生纠纷{contract}。"
            f"截至{claim.as_of:%Y年%m月%d日}，{debtor}尚欠{creditor}{parts}，"
            f"合计{format_amount(claim.total)}元。")


def _debtor_row(dispute: Dispute) -> DisputeParty:
    """The debtor the menu is sent to: the first debtor on the file (a co-debtor signs the
    agreement the choice makes)."""
    row = (DisputeParty.objects.filter(dispute=dispute, role="debtor").select_related("party")
           .order_by("pk").first())
    if row is None:
        raise MenuOfferInvalid("该纠纷没有登记债务人", "no debtor on file")
    if not row.party.phone_cipher:
        raise MenuOfferInvalid(f"债务人{row.party.name}没有登记手机号码，无法登录当事人端选择方案",
                               "the debtor has no mobile on file")
    return row


def _close_expired(dispute: Dispute, actor: User, now: dt.datetime, today: dt.date) -> None:
    """An earlier menu still waiting: refused while its time to choose runs; once past,
    its plans still open leave the table and it stops counting as waiting."""
    earlier = (MenuOffer.objects.select_for_update()
               .filter(dispute=dispute, chosen_offer__isnull=True, closed_at__isnull=True)
               .first())
    if earlier is None:
        return
    if earlier.reply_by >= today:
        raise MenuOfferInvalid(
            f"已于{earlier.sent_at.astimezone(clock.TZ):%m月%d日}发送标准还款方案，"
            f"债务人可在{earlier.reply_by:%Y-%m-%d}前选择",
            "a menu sent earlier is still open", reply_by=earlier.reply_by.isoformat())
    for item in earlier.items:
        offer = Offer.objects.filter(pk=item["offer"], status=Offer.Status.OPEN).first()
        if offer is not None:
            offer_withdraw(actor=actor, offer_id=offer.pk,
                           reason="标准还款方案选择期限已过，重新发送")
    dispute.refresh_from_db()  # the withdrawals moved its chain through their own copy
    earlier.closed_at = now
    earlier.save(update_fields=["closed_at"])
    record_event(dispute, events.MENU_CLOSED, actor, now, {"menu_offer": earlier.pk})


def terms_check(reply_by: dt.date, performance_manner: str, today: dt.date) -> None:
    """The desk's terms for a menu sent today, whatever the dispute: a time to choose after
    today and before the plans' first instalment, and a way of performance the agreement
    can carry (the single draft's check, :func:`~jintiao.agreements.services.draft_problem`).

    :raises MenuOfferInvalid: ``reply_by`` out of range, the way of performance too long
    :raises AgreementInvalid: the way of performance empty or unprintable
    """
    first_due = due_day_default(today)
    if not performance_manner.strip():
        raise MenuOfferInvalid("请写明履行方式（收款账户、还款方式），它将写入调解协议",
                               "performance_manner is required", field="performance_manner")
    if reply_by <= today:
        raise MenuOfferInvalid("选择期限须晚于今天", "reply_by must be after today",
                               field="reply_by")
    if reply_by >= first_due:
        raise MenuOfferInvalid(f"选择期限须早于方案的首期还款日（{first_due:%Y-%m-%d}）",
                               "reply_by must come before the first instalment",
                               field="reply_by")
    if len(performance_manner.strip()) > MAX_MANNER:
        raise MenuOfferInvalid(f"履行方式不得超过{MAX_MANNER}字", "performance_manner too long",
                               field="performance_manner")
    problem = agreements.draft_problem(Draft(facts="—", performance_manner=performance_manner))
    if problem is not None:
        raise problem


def _reply_by_of(dispute: Dispute, reply_by: dt.date, performance_manner: str,
                 today: dt.date) -> dt.date:
    """:func:`terms_check`, then what this dispute adds: its facts, and its deadline — a
    time to choose past it is brought forward to it (one batch, disputes of many tracks),
    unless the deadline leaves no day to choose.

    :raises MenuOfferInvalid: the mediation ends today or has ended
    """
    terms_check(reply_by, performance_manner, today)
    problem = agreements.draft_problem(Draft(facts=facts_of(dispute),
                                             performance_manner=performance_manner))
    if problem is not None:
        raise problem
    if dispute.deadline is not None and reply_by > dispute.deadline:
        if dispute.deadline <= today:
            raise MenuOfferInvalid(
                f"调解期限（{dispute.deadline:%Y-%m-%d}）已不足以让债务人选择方案，"
                "请先经双方同意延长期限", "no day left before the mediation deadline",
                field="reply_by")
        return dispute.deadline
    return reply_by


@transaction.atomic
def menu_offer_send(*, actor: User, dispute_id: int, reply_by: dt.date,
                    performance_manner: str, text: bool = True,
                    run_id: int | None = None) -> MenuOffer:
    """Send the creditor institution's standard plan menu to the dispute's debtor: each
    plan goes on the table as the creditor's offer, accepted for the creditor on the
    publisher's authority; the debtor is texted the plans (the platform's vetted words,
    under the contact caps and hours) unless ``text`` is off, and chooses on the portal by
    ``reply_by``. ``performance_manner`` is the agreement's way of performance (the
    collection account and how to pay), written once for the agreement the choice drafts.

    :raises DisputeNotFound: missing or hidden
    :raises PermissionDenied: not the dispute's mediator or director
    :raises TransitionRefused: not under mediation
    :raises MediationDeadlinePassed: the mediation's time is up
    :raises MediationInvalid: a plan is already accepted by both sides
    :raises MenuOfferInvalid: no menu, the publisher's authority no longer covers it, no
        debtor with a mobile, a menu still waiting, a bad ``reply_by``
    :raises AgreementInvalid: the way of performance is empty or cannot be printed
    :raises ContactRefused: the text is refused at this hour or beyond the caps (nothing
        is sent or put on the table)
    """
    dispute = dispute_lock(actor, dispute_id)
    standing_of(actor, dispute).require(Standing.may_send_menu, "发送标准还款方案")
    require_state(dispute, State.MEDIATING, doing="发送标准还款方案")
    now, today = instant()
    reply_by = _reply_by_of(dispute, reply_by, performance_manner, today)
    row = _debtor_row(dispute)
    _close_expired(dispute, actor, now, today)
    put = menu_offers_put(actor=actor, dispute=dispute, first_due=due_day_default(today))
    _require_confirmable(dispute, [offer for offer, _f in put])
    sent = [_item_json(offer, figures) for offer, figures in put]
    made = MenuOffer.objects.create(
        run_id=run_id, dispute=dispute, debtor=row, items=sent, reply_by=reply_by,
        performance_manner=performance_manner.strip(), sent_by=actor, sent_at=now)
    record_event(dispute, events.MENU_SENT, actor, now, {
        "menu_offer": made.pk, "plans": len(sent), "reply_by": reply_by.isoformat(),
        "offers": [i["seq"] for i in sent], "party": row.party_id, "text": bool(text)})
    if text:
        platform_text(actor=actor, dispute_id=dispute.pk, party_id=row.party_id, body=MENU_TEXT,
                      known=MENU_PLACEHOLDERS, purpose="menu", title="标准还款方案",
                      values={"方案": "；".join(f"{ORDINALS[n]}{i['words']}"
                                              for n, i in enumerate(sent)),
                              "选择期限": f"{reply_by.month}月{reply_by.day}日"})
        made.texted = True
        made.save(update_fields=["texted"])
    return made


def _require_confirmable(dispute: Dispute, offers: list[Offer]) -> None:
    """Each plan would make an agreement the court's cost-cap check passes: a choice must
    never draft one nobody may sign (the draft's checklist stops signing).

    :raises MenuOfferInvalid: a plan's agreement would fail it, or the dispute has no day
        its charges began to run against which to check them
    """
    for offer in offers:
        why = agreements.plan_cost_problem(dispute, offer, dispute.charges_since)
        if not why:
            continue
        if dispute.charges_since is None:
            raise MenuOfferInvalid(
                "该纠纷未登记欠息起算日，选定方案后生成的协议无法核对年24%上限，法院不予确认；"
                "请单独设计方案，在协议中写明欠息起算日", "no charges_since on record",
                field="charges_since")
        raise MenuOfferInvalid(f"标准还款方案“{offer.label}”生成的协议不能通过法院审查：{why}",
                               "a plan's agreement would fail the cost cap", item=offer.label)


def _item_json(offer: Offer, f: PlanFigures) -> dict[str, Any]:
    """A plan as sent, kept for the uptake and the debtor's card."""
    return {"offer": offer.pk, "seq": offer.seq, "label": offer.label,
            "periods": f.options.periods, "monthly": str(f.regular_payment),
            "total": str(f.total_paid),
            "waived": str(sum((w.amount for w in f.options.waivers), Decimal(0))),
            "words": plan_words(f)}


def _waiting(dispute: Dispute) -> MenuOffer | None:
    return (MenuOffer.objects.select_for_update()
            .filter(dispute=dispute, chosen_offer__isnull=True, closed_at__isnull=True).first())


@transaction.atomic
def menu_offer_opened(*, actor: User, dispute_id: int) -> MenuOffer | None:
    """The debtor's side looked at the plans on the portal: noted once, for the desk's
    uptake (a read receipt, not service of a document). None when nothing waits for them.
    """
    dispute = lock_behind(actor, dispute_id, RecordNotFound("纠纷不存在或无权查看",
                                                            "dispute not found"))
    if not standing_of(actor, dispute).debtor:
        return None
    waiting = _waiting(dispute)
    if waiting is None or waiting.opened_at is not None:
        return None
    now = clock.now()
    waiting.opened_at = now
    waiting.save(update_fields=["opened_at"])
    record_event(dispute, events.MENU_OPENED, actor, now, {"menu_offer": waiting.pk})
    return waiting


@transaction.atomic
def menu_offer_choose(*, actor: User, dispute_id: int, offer_id: int) -> MenuOffer:
    """The debtor (in person, or a representative with special authority) chooses one plan
    of the menu sent to them: it is accepted — the creditor accepted it when it was sent —
    the other plans leave the table, and the agreement is drafted at once from the desk's
    way of performance and the dispute's facts, for every party and the mediators to sign.

    :raises RecordNotFound: the dispute is not the actor's
    :raises PermissionDenied: not the debtor's side, or a representative without special
        authority to settle
    :raises MenuOfferInvalid: no menu waiting, a plan not of it, the time to choose is over
    :raises MediationInvalid, MediationDeadlinePassed, TransitionRefused: the acceptance's
    """
    missing = RecordNotFound("纠纷不存在或无权查看", "dispute not found")
    dispute = lock_behind(actor, dispute_id, missing)
    standing_of(actor, dispute).require(Standing.may_choose_plan, "选择还款方案")
    waiting = _waiting(dispute)
    if waiting is None:
        raise MenuOfferInvalid("没有等待您选择的还款方案", "no menu is waiting")
    chosen = next((i for i in waiting.items if i.get("offer") == offer_id), None)
    if chosen is None:
        raise MenuOfferInvalid("所选方案不是发送给您的方案之一", "not a plan of the menu sent")
    now, today = instant()
    if today > waiting.reply_by:
        raise MenuOfferInvalid(f"选择期限已于{waiting.reply_by:%Y-%m-%d}届满，请联系调解员",
                               "the time to choose is over")
    record_event(dispute, events.MENU_CHOSEN, actor, now, {
        "menu_offer": waiting.pk, "offer": chosen.get("seq"), "label": chosen.get("label", "")})
    offer = offer_accept(actor=actor, offer_id=offer_id, side=Side.DEBTOR)
    if offer.status != Offer.Status.ACCEPTED:  # the creditor's acceptance is on the offer
        raise MenuOfferInvalid("该方案尚未经债权人接受，请联系调解员",
                               "not accepted by the creditor")
    dispute.refresh_from_db()
    agreement = agreements.draft_write(
        dispute, Draft(facts=facts_of(dispute), performance_manner=waiting.performance_manner,
                       charges_since=dispute.charges_since),
        actor=actor, drafted_by=waiting.sent_by, menu_offer=waiting.pk)
    waiting.chosen_offer, waiting.chosen_at, waiting.agreement = offer, now, agreement
    waiting.opened_at = waiting.opened_at or now
    waiting.save(update_fields=["chosen_offer", "chosen_at", "agreement", "opened_at"])
    return waiting
