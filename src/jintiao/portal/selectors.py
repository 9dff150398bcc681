"""What a party sees of their own disputes, in plain words: never the other side's private
notes, offers or bound, never the desk's view of their finances."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jintiao import clock
from jintiao.agreements import selectors as agreements
from jintiao.agreements.models import Agreement
from jintiao.disputes.access import acting_for, dispute_visible_to, standing_of
from jintiao.disputes.models import (
    Dispute,
    DisputeParty,
    DisputeRepresentative,
    PartyRole,
    Statement,
)
from jintiao.documents.models import Document
from jintiao.domain.claims import CLAIM_PART_LABELS
from jintiao.domain.lifecycle import State
from jintiao.domain.money import ZERO, format_amount
from jintiao.domain.plans import DebtorBudget as Budget
from jintiao.domain.plans import assess_budget
from jintiao.domain.representation import Authority, may_settle
from jintiao.domain.sessions import shown_link
from jintiao.mediation import convert
from jintiao.mediation import selectors as mediation
from jintiao.mediation.models import (
    DebtorBudget,
    JointMember,
    Offer,
    Session,
    UndisputedFacts,
)
from jintiao.orgs.models import User
from jintiao.outreach.models import Service
from jintiao.outreach.selectors import SERVED_KINDS
from jintiao.parties.models import PartyKind
from jintiao.performance import selectors as performance

# What the party reads as the dispute's state, and what happens next, in plain words.
STEP_WORDS: dict[str, tuple[str, str]] = {
    State.RECEIVED: ("已收到调解申请", "调委会正在审查是否受理，请留意短信通知。"),
    State.ACCEPTED: ("已受理", "调委会将指派调解员，调解员会与您联系。"),
    State.MEDIATING: ("调解中", "请查看调解方案，可在线提交您能接受的底线或与调解员沟通。"),
    State.AGREED: ("已达成调解协议", "可与对方共同申请法院司法确认。"),
    State.CONFIRMATION_PENDING: ("法院审查中", "法院正在审查调解协议，可能联系您核实情况。"),
    State.CONFIRMATION_REJECTED: ("法院未予确认", "可重新调解或向法院起诉，调解员会与您联系。"),
    State.PERFORMING: ("履行中", "请按还款计划按时还款，逾期可能导致全部剩余款项提前到期。"),
    State.PERFORMED: ("已履行完毕", "调委会已通知金融机构更正您的信用记录。"),
    State.DEFAULTED: ("已违约", "对方可以申请法院强制执行，请尽快与调解员联系。"),
    State.FAILED: ("调解不成", "纠纷可能转入法院诉讼程序。"),
    State.TRANSFERRED: ("已转法院", "请留意法院的通知。"),
    State.WITHDRAWN: ("已撤回", ""),
    State.DECLINED: ("不予受理", ""),
    State.CLOSED: ("已结案", ""),
}
SIGN_NEXT = "调解协议已生成，请阅读协议全文后获取验证码签署。"
# Documents a party may open: those served on the parties.
PARTY_KINDS = SERVED_KINDS


@dataclass(frozen=True)
class MyDispute:
    dispute: Dispute
    row: DisputeParty
    representing: DisputeRepresentative | None
    step: str
    next: str
    # what tells one's disputes apart on a phone: who is on the other side, what is claimed,
    # and whether it is mediated together with one's other debts (issue 21 §2)
    other_side: str = ""
    claimed: str = ""
    joined: bool = False


def _told_apart(d: Dispute, row: DisputeParty) -> dict[str, Any]:
    creditor = row.role == PartyRole.CREDITOR
    names = [r.party.name for r in d.party_rows.all()
             if (r.role == PartyRole.CREDITOR) != creditor]
    return {"other_side": "、".join(dict.fromkeys(names)),
            "claimed": format_amount(mediation.claim_of(d).total),
            "joined": JointMember.objects.filter(dispute=d).exists()}


def my_disputes(user: User) -> list[MyDispute]:
    """The disputes the portal user is a party to, or represents a party in."""
    out = []
    rows = acting_for(user)
    drafted = set(Agreement.objects.filter(
        dispute_id__in=[r.dispute_id for r, _rep in rows], status=Agreement.Status.DRAFT)
        .values_list("dispute_id", flat=True))
    for row, rep in rows:
        d = row.dispute
        step, nxt = STEP_WORDS.get(State(d.state), (State(d.state).label, ""))
        if d.state == State.MEDIATING and d.pk in drafted:
            nxt = SIGN_NEXT
        out.append(MyDispute(d, row, rep, step, nxt, **_told_apart(d, row)))
    return sorted(out, key=lambda m: (m.dispute.received_on, m.dispute.pk), reverse=True)


def dispute_for(user: User, dispute_id: int) -> MyDispute | None:
    """The dispute if the portal user stands in it (as party or representative)."""
    found = dispute_visible_to(user).filter(pk=dispute_id).first()
    if found is None:
        return None
    rows = acting_for(user, found)
    if not rows:
        return None
    row, rep = rows[0]
    step, nxt = STEP_WORDS.get(State(found.state), (State(found.state).label, ""))
    if found.state == State.MEDIATING and Agreement.objects.filter(
            dispute=found, status=Agreement.Status.DRAFT).exists():
        nxt = SIGN_NEXT
    return MyDispute(found, row, rep, step, nxt, **_told_apart(found, row))


def claim_words(dispute: Dispute) -> list[tuple[str, str]]:
    """The claim, part by part, as the party reads it ("本金 100,000.00 元")."""
    claim = mediation.claim_of(dispute)
    rows = [(label, format_amount(getattr(claim, name)) + " 元")
            for name, label in CLAIM_PART_LABELS.items() if getattr(claim, name) > 0]
    return [*rows, ("合计", format_amount(claim.total) + " 元")]


@dataclass(frozen=True)
class OfferShown:
    seq: int
    by: str
    private: bool
    status: str
    instalments: int
    monthly: str
    total: str
    first_due: str
    last_due: str
    concessions: list[tuple[str, str]] = field(default_factory=list)
    conditional: str = ""
    revival: str = ""
    lump: str = ""  # "末期需还 203,267.37 元" when the largest payment is a lump
    label: str = ""  # the name it was put forward under (a standard plan's, the mediator's)
    offer_id: int = 0
    may_answer: bool = False  # the viewer may accept or reject it for the debtor now
    debtor_accepted: bool = False  # the debtor's side has accepted it (theirs, or answered)
    open: bool = False  # still on the table, waiting for an answer
    over_budget: str = ""  # the warning when it asks more a month than the budget allows


def shown(offer: Offer, *, most: Decimal | None = None, may_answer: bool = False
          ) -> OfferShown:
    """One plan as the party reads it, with the monthly payment and what each concession is
    worth in yuan; ``most`` the month's most by the debtor's own budget (the warning)."""
    f = convert.figures_for(offer.figures, desk=False)
    options = convert.options_from_json(offer.options)
    concessions = [(f"减免{w.label}" + ("（附条件）" if w.conditional else ""),
                    format_amount(w.amount) + " 元") for w in options.waivers]
    deferral = Decimal(f.get("deferral_interest_waived", "0"))
    if deferral:
        concessions.append(("免收延期期间利息", format_amount(deferral) + " 元"))
    lump = (f"{f.get('peak_label', '')}需还 {format_amount(Decimal(f['peak_payment']))} 元"
            if f.get("peak_is_lump") else "")
    if options.annual_rate == 0 and f.get("total_interest") in ("0", "0.00"):
        concessions.append(("分期期间不另计利息", ""))
    return OfferShown(
        offer.seq, offer.get_by_display(), bool(offer.side), offer.get_status_display(),
        f["instalments"], format_amount(Decimal(f["regular_payment"])),
        format_amount(Decimal(f["total_paid"])), f["first_due"], f["last_due"],
        concessions, format_amount(Decimal(f["conditional_waived"]))
        if Decimal(f["conditional_waived"]) > 0 else "", f.get("revival_clause", ""),
        lump, offer.label, offer.pk, may_answer, offer.debtor_accepted_at is not None,
        offer.status == Offer.Status.OPEN,
        over_budget=over_budget(Decimal(f["peak_payment"]), Decimal(f["regular_payment"]), most,
                                lump=bool(f.get("peak_is_lump")),
                                peak_label=f.get("peak_label", "")))


def over_budget(peak: Decimal, regular: Decimal, most: Decimal | None, *, lump: bool,
                peak_label: str = "") -> str:
    """The warning a plan gets when its largest payment is more than the debtor's own
    declared budget leaves a month (issue 21 §1); empty when it fits or none was declared.
    A lump (a down payment, a balloon) is named; otherwise the month's regular amount is
    what the debtor reads (the last instalment's few fen of rounding are not news)."""
    if most is None or peak <= most:
        return ""
    asks = (f"{peak_label or '其中一期'}需还 {format_amount(peak)} 元" if lump
            else f"每月需还约 {format_amount(regular)} 元")
    return (f"{asks}，超出按您申报的收支每月最多可还的 {format_amount(most)} 元。"
            "请慎重考虑能否按期还款，或与调解员沟通。")


def offers_for(user: User, dispute: Dispute) -> list[OfferShown]:
    """The plans on the table the party may read (shared ones and their own side's), each
    with whether the viewer may answer it for the debtor and the budget's warning."""
    standing = standing_of(user, dispute)
    most = most_per_month(user, dispute)
    out = []
    for offer in mediation.offers_for(standing).filter(
            status__in=[Offer.Status.OPEN, Offer.Status.ACCEPTED, Offer.Status.REJECTED,
                        Offer.Status.COUNTERED]).prefetch_related("approvals"):
        moves = mediation.offer_moves(standing, offer) if not offer.side else None
        out.append(shown(offer, most=most,
                         may_answer=bool(moves and moves.answer_for_debtor
                                         and standing.debtor_settles)))
    return out


def sessions_for(dispute: Dispute) -> list[dict[str, Any]]:
    """Sessions to come, held and cancelled: time, mode, place or the online link the
    mediator gave (a link only when it is a web address, never a script — the same rule
    the desk's page keeps), and why a cancelled one will not take place."""
    out = []
    now = clock.now()
    for s in mediation.sessions_of(dispute):
        cancelled = s.status == Session.Status.CANCELLED
        out.append({"seq": s.seq, "at": s.starts_at, "mode": s.get_mode_display(),
                    "place": s.place, "link": shown_link(s.online_link),
                    "held": s.status == Session.Status.HELD, "cancelled": cancelled,
                    "cancel_reason": s.cancel_reason, "moved": s.reschedules > 0,
                    "coming": s.starts_at >= now and not cancelled})
    return out


def documents_for(user: User, dispute: Dispute) -> list[dict[str, Any]]:
    """Documents the party may open, each with how it was served on them."""
    rows = acting_for(user, dispute)
    party_ids = [r.party_id for r, _rep in rows]
    services: dict[int, list[Service]] = {}
    for s in Service.objects.filter(dispute=dispute, party_id__in=party_ids,
                                    document__isnull=False).order_by("at"):
        if s.document_id is not None:
            services.setdefault(s.document_id, []).append(s)
    docs = Document.objects.filter(dispute=dispute, kind__in=PARTY_KINDS).order_by("seq")
    return [{"doc": d, "services": services.get(d.pk, []),
             "served": any(s.served for s in services.get(d.pk, []))} for d in docs]


def notices_for(user: User, dispute: Dispute) -> list[dict[str, Any]]:
    """Invitations, plans and the agreement served on the party (not documents), each with
    its attempts and whether the party has confirmed reading it."""
    party_ids = [r.party_id for r, _rep in acting_for(user, dispute)]
    grouped: dict[str, dict[str, Any]] = {}
    for s in Service.objects.filter(dispute=dispute, party_id__in=party_ids,
                                    document__isnull=True).order_by("at", "pk"):
        entry = grouped.setdefault(s.subject, {"subject": s.subject, "title": s.title,
                                               "services": [], "read": False})
        entry["services"].append(s)
        entry["read"] = entry["read"] or s.channel == "portal"
    return list(grouped.values())


def document_read_by(user: User, document: Document) -> bool:
    party_ids = [r.party_id for r, _rep in acting_for(user, document.dispute)]
    return Service.objects.filter(document=document, party_id__in=party_ids,
                                  channel="portal").exists()


def document_for(user: User, document_id: int) -> Document | None:
    doc = Document.objects.filter(pk=document_id, kind__in=PARTY_KINDS).first()
    if doc is None or dispute_for(user, doc.dispute_id) is None:
        return None
    return doc


@dataclass(frozen=True)
class Blind:
    may_enter: bool
    entered: bool
    rounds_left: int
    outcomes: list[str]


def blind_for(user: User, dispute: Dispute) -> Blind | None:
    """Whether the party may put in a private bound now — and only whether one is in."""
    if dispute.state != State.MEDIATING or not standing_of(user, dispute).debtor_settles:
        return None
    if Offer.objects.filter(dispute=dispute, status=Offer.Status.ACCEPTED).exists():
        return None  # a plan both sides accepted: no more bargaining
    if JointMember.objects.filter(dispute=dispute).exists():
        return None  # joined: the joint plan is answered instead
    state = mediation.blind_state(dispute)
    open_round = state.open_round
    entered = bool(open_round and open_round.debtor_entered)
    return Blind(state.may_enter("debtor") and not entered, entered, state.left,
                 [f"第{r.number}轮：{r.label}" for r in state.rounds if r.outcome != "waiting"])


@dataclass(frozen=True)
class Signing:
    """One line of the agreement the portal user signs (their own, or a party's they
    represent), and why they may not when they may not."""

    agreement: Agreement
    key: str
    name: str
    signed: bool
    representative: int | None
    refusal: str
    others: list[tuple[str, bool]]


def signings_for(user: User, dispute: Dispute) -> list[Signing]:
    """The current agreement's lines the party (or representative) stands in."""
    agreement = agreements.current(dispute)
    if agreement is None:
        return []
    mine = {r.pk: rep for r, rep in acting_for(user, dispute)}
    signers = agreements.signers_of(agreement)
    out = []
    for me in signers:
        if me.party_row is None or me.party_row.pk not in mine:
            continue
        rep = mine[me.party_row.pk]
        refusal = ("一般授权的代理人不能代为签署调解协议，请由当事人本人签署"
                   if rep is not None and not may_settle(Authority(rep.authority)) else "")
        out.append(Signing(
            agreement, me.key, me.name,
            me.signature is not None and me.signature.digest == agreement.digest,
            rep.pk if rep else None, refusal,
            [(s.name, s.signature is not None) for s in signers if s.key != me.key]))
    return out


def schedule_for(dispute: Dispute) -> list[dict[str, str]]:
    """The instalments with what is paid, once the agreement is being performed."""
    account = performance.account_of(dispute, clock.today())
    if account is None:
        return []
    return [{"n": str(s.due.number), "due": s.due.due_on.isoformat(),
             "amount": format_amount(s.due.amount), "paid": format_amount(s.paid),
             "status": s.status.label} for s in account.standings]


@dataclass(frozen=True)
class Totals:
    """The sums under the debtor's schedule, in yuan as shown: what the plan asks in all,
    what is paid, what is still owed and how much of it is late; ``to_refund`` what was
    paid beyond everything owed (empty when nothing, and for anyone but the debtor's side,
    whose money it is); ``accelerated`` once a default made every instalment due at once
    (the schedule's dates no longer hold) — in default, in enforcement, or closed after an
    application to enforce."""

    total_due: str
    total_paid: str
    outstanding: str
    overdue: str
    to_refund: str
    accelerated: bool


def totals_for(user: User, dispute: Dispute) -> Totals | None:
    """The sums a party reads under the schedule (None before performance begins), by the
    same ledger as the desk's performance page."""
    account = performance.account_of(dispute, clock.today())
    if account is None:
        return None
    refund = (performance.to_refund(dispute) if debtor_row_for(user, dispute) is not None
              else ZERO)
    return Totals(format_amount(account.total_due), format_amount(account.total_paid),
                  format_amount(account.outstanding), format_amount(account.overdue_amount),
                  format_amount(refund) if refund else "",
                  performance.acceleration_of(dispute) is not None)


@dataclass(frozen=True)
class BudgetShown:
    """The party's own budget sheet as last declared, and what it leaves for a plan: after
    the living minimum for a person's household (``living``), out of the declared cash flow
    for an enterprise (``max_payment`` empty when it declared none)."""

    monthly_income: Decimal | None
    other_obligations: Decimal
    dependants: int
    max_payment: str
    living: str
    enterprise: bool = False


def _as_the_rules_read_it(declared: DebtorBudget, *, entity: bool) -> Budget:
    """An enterprise is judged on its cash flow and other debts alone: an income or
    dependants left on its sheet from a person's form count for nothing."""
    if entity:
        return Budget(None, declared.other_obligations, 0, entity=True,
                      monthly_cash_flow=declared.monthly_cash_flow)
    return Budget(declared.monthly_income, declared.other_obligations, declared.dependants)


def budget_for(user: User, dispute: Dispute) -> BudgetShown | None:
    """A debtor's own declared budget (or None before one is declared) with the most a
    month could go to a plan, by the same rule the plans are judged by."""
    row = debtor_row_for(user, dispute)
    if row is None:
        return None
    declared = DebtorBudget.objects.filter(party_row=row).first()
    if declared is None:
        return None
    policy = mediation.policy_of(dispute)
    enterprise = row.party.kind == PartyKind.ENTITY
    household = 1 + declared.dependants
    check = assess_budget(ZERO, _as_the_rules_read_it(declared, entity=enterprise),
                          policy=policy)
    most = "" if check.affordability is None else format_amount(check.affordability.max_payment)
    return BudgetShown(declared.monthly_income, declared.other_obligations, declared.dependants,
                       most, format_amount(policy.living_minimum_monthly * household),
                       enterprise=enterprise)


def most_per_month(user: User, dispute: Dispute) -> Decimal | None:
    """The most a month could go to a plan by the debtor's own declared budget, by the rule
    the plans are judged by; None before a budget is declared (or for an enterprise that
    declared no cash flow), and for anyone not standing in for the debtor."""
    row = debtor_row_for(user, dispute)
    declared = DebtorBudget.objects.filter(party_row=row).first() if row is not None else None
    if row is None or declared is None:
        return None
    check = assess_budget(ZERO, _as_the_rules_read_it(
        declared, entity=row.party.kind == PartyKind.ENTITY), policy=mediation.policy_of(dispute))
    return None if check.affordability is None else check.affordability.max_payment


def counter_open(user: User, dispute: Dispute) -> bool:
    """Whether the viewer may put a plan forward for the debtor now: mediating, no plan
    accepted by both sides yet, not joined with the debtor's other debts (the desk's joint
    plan is answered instead), and the debtor in person or with special authority."""
    return (dispute.state == State.MEDIATING
            and not dispute.offers.filter(status=Offer.Status.ACCEPTED).exists()
            and not JointMember.objects.filter(dispute=dispute).exists()
            and standing_of(user, dispute).offers_as("") == "debtor")


def debtor_is_enterprise(user: User, dispute: Dispute) -> bool:
    """Whether the debtor ``user`` stands in for is an enterprise: its budget sheet asks for
    the cash flow from operations, not a household's income."""
    row = debtor_row_for(user, dispute)
    return row is not None and row.party.kind == PartyKind.ENTITY


# The states in which the desk still takes a debtor's budget and a recusal request
# (mediation.services: budget_declare, recusal_request).
OPEN_STATES = (State.ACCEPTED, State.MEDIATING)


def budget_open(user: User, dispute: Dispute) -> bool:
    return dispute.state in OPEN_STATES and debtor_row_for(user, dispute) is not None


def recusal_open(dispute: Dispute) -> bool:
    return dispute.state in OPEN_STATES


def debtor_row_for(user: User, dispute: Dispute) -> DisputeParty | None:
    return next((r for r, _rep in acting_for(user, dispute) if r.role == "debtor"), None)


@dataclass(frozen=True)
class FactsShown:
    """The record of undisputed facts as the party reads it, whether this party confirmed
    it, and the code-signing waiting for it (the desk's record, ONLINE Art. 22)."""

    facts: list[str]
    disputed: str
    confirmed: str  # "" until confirmed; else how and when
    waiting: Statement | None
    may_confirm: bool


def facts_for(user: User, dispute: Dispute) -> FactsShown | None:
    """The record for a party of a failed mediation (None when none has facts to read)."""
    record = UndisputedFacts.objects.filter(dispute=dispute).first()
    rows = [r.pk for r, _rep in acting_for(user, dispute)]
    if record is None or not record.facts or not rows:
        return None
    done = record.confirmations.filter(party_row_id__in=rows).first()
    waiting = (Statement.objects.filter(
        party_row_id__in=rows, kind=Statement.Kind.UNDISPUTED_FACTS, how=Statement.How.CODE,
        signed_at__isnull=True, expires_at__gt=clock.now(), content__record=record.pk)
        .order_by("-created_at").first()) if done is None else None
    confirmed = (f"{done.how} · {done.confirmed_at.astimezone(clock.TZ):%Y-%m-%d %H:%M}"
                 if done is not None else "")
    return FactsShown(list(record.facts), record.disputed, confirmed, waiting,
                      done is None and dispute.state in mediation.AFTER_FAILURE)
