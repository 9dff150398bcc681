"""Joint mediation (联合调解): one debtor, several creditors, one budget.

A debtor who owes several creditors (scenario S1: a card of 250,277.13 yuan and a
200,000-yuan loan overdue elsewhere) has one income and one household. Judging the
debtor's budget against each creditor separately lets every creditor count on the same
money; here the budget is judged once and what the debtor can pay a month is shared.

Three steps, each a plain function of frozen values:

1. **Sharing** (:func:`share_monthly`): the affordable monthly amount
   (:func:`affordable_amount`, from the one :class:`~jintiao.domain.plans.DebtorBudget`) is
   shared among the creditors by a :class:`~jintiao.domain.policy.ShareRule` — the policy's
   ``joint_share_rule`` unless the desk names another:

   * ``pro_rata``: in proportion to each creditor's outstanding claim as filed
     (:attr:`ClaimBreakdown.total`), as creditors of one rank share a shortfall
     (参照企业破产法第113条第2款);
   * ``secured_first``: secured claims are served first, up to what their own plan needs a
     month (民法典第386条), the rest shared pro rata among the unsecured ones;
   * ``agreed``: fixed fractions the creditors and the debtor agreed, which must sum to
     exactly 100 % (人民调解法第3条: voluntariness).

   No creditor is given more than its plan can use a month (its **need**: the largest
   payment of its plan over the term it asks, or of repaying everything at once); what it
   cannot use goes to the others by the same rule, and only what no creditor can use is
   left to the debtor (:attr:`Sharing.unused`). The amounts are shared in whole fen by the
   largest remainder: each creditor gets the fen below its exact share, and the fen left
   over go one each to the largest remainders, a tie to the creditor listed first — so
   the shares and the unused amount always sum exactly to the amount shared.

2. **The consolidated plan** (:func:`consolidated_plan`, 合并还款方案): for each creditor,
   its own concessions (:class:`CreditorTerms`: method, rate, waivers) on its own claim,
   repaid over the smallest term whose every payment fits its share (at most
   :data:`~jintiao.domain.schedules.MAX_PERIODS` months, else refused in words), all plans
   falling due on the same day of the month. The figures of each plan are the designer's
   (:func:`~jintiao.domain.plans.plan_figures`); the combined payment of every month never
   exceeds the amount shared, and the combined plan is judged once against the one budget.
   Each creditor's concessions are measured against that creditor's own authority
   (:func:`creditor_excesses`) and, when its arrears date is known, its own 24 % cost cap.

3. **Default isolation** (:func:`standings_on`): every creditor's instalments and payments
   are accounted on their own and its own acceleration clause decides its default
   (:mod:`jintiao.domain.performance`). One creditor's default accelerates that creditor's
   claim only: the joint plan is several agreements under one budget, not a cross-default.

How the Django side (next session) should use this:

* **Model.** A ``JointMediation`` groups the disputes of one debtor (same identity number)
  with different creditors: the debtor's one budget (a ``DebtorBudget``), the rule
  (``ShareRule``, defaulting to the dispute's accepted policy version's
  ``joint_share_rule``), the amount shared (default :func:`affordable_amount`), the common
  first due date and due day, joint or separate sessions, and the agreement form (one
  agreement with a schedule per creditor, or one per creditor — the desk's choice). Each
  joined dispute keeps its own creditor, claim, mediator deadlines and policy version, and
  stores its ``secured`` flag, its agreed share (for ``agreed``) and its creditor's
  concessions (``CreditorTerms``). A join is refused when the debtors differ or a dispute
  is already in another joint mediation or past agreement.
* **Services** (each ``@transaction.atomic`` with a registered timeline event on every
  joined dispute): ``joint_create``/``joint_add``/``joint_remove``; ``joint_plan_propose``
  — calls :func:`consolidated_plan`, stores per dispute the resulting ``PlanOptions`` as
  that dispute's offer (its figures, its ``creditor_excesses`` against the creditor's
  ``AuthorityLimits`` sending it to that creditor's approval ladder as any plan beyond
  authority); ``joint_part_accept`` — **each creditor accepts its own part**, through its
  own agent and approval, exactly as it accepts a single-dispute offer; the joint plan is
  agreed when every part is accepted, and a change of any part (or of the budget, the rule
  or the amount) builds the whole plan again and voids the other acceptances, because the
  shares depend on each other. The confirmation application lists every agreement of the
  joint mediation (one application, several agreements: 法释〔2011〕5号).
* **Performance**: each dispute keeps its own ledger; the review calls
  :func:`standings_on` with one :class:`CreditorLedger` per joined dispute (its own dues,
  payments, acceleration clause and cure) and records acceleration per dispute only.
* When one creditor's plan ends before the others', its share is not passed on to them
  in the months after (no stepped plan here): the months show the debtor paying less, and
  the desk may share again then (a rescheduling of the others' plans).
* ``DebtorBudget.other_obligations`` must not include the debts joined in the mediation:
  they are shared here, and counting them again would halve the debtor's budget.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from jintiao.domain.affordability import Affordability
from jintiao.domain.authority import AuthorityLimits, Excess, PlanAsks, excesses
from jintiao.domain.claims import CHARGE_PARTS, ClaimBreakdown
from jintiao.domain.confirmation import cost_cap
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.money import (
    ZERO,
    format_amount,
    from_fen,
    require_amount,
    require_rate,
    to_fen,
)
from jintiao.domain.performance import (
    DEFAULT_ORDER,
    Account,
    Due,
    Paid,
    Part,
    acceleration_day,
    acceleration_met,
    account_on,
)
from jintiao.domain.periods import require_date
from jintiao.domain.plans import (
    CASH_FLOW_MISSING,
    DebtorBudget,
    PlanFigures,
    PlanOptions,
    Waiver,
    assess_budget,
    plan_figures,
    plan_terms,
)
from jintiao.domain.policy import SHARE_RULE_LABELS, Policy, ShareRule
from jintiao.domain.schedules import (
    MAX_PERIODS,
    Method,
    PlanDoesNotBalance,
    Schedule,
    build_schedule,
)

__all__ = [
    "JOINT_METHODS",
    "ConsolidatedPlan",
    "CreditorLedger",
    "CreditorPlan",
    "CreditorStanding",
    "CreditorTerms",
    "JointCreditor",
    "JointInvalid",
    "JointStanding",
    "MonthRow",
    "Share",
    "ShareRule",
    "Sharing",
    "affordable_amount",
    "consolidated_plan",
    "creditor_excesses",
    "dues_of",
    "monthly_need",
    "share_monthly",
    "standing_of",
    "standings_on",
]

# Methods that pay every month from the first due date, so that each month's payment can be
# held to a share: no lump sum and no interest-only plan (their last payment is the whole
# principal), no down payment, grace or deferral (months the share would not fit).
JOINT_METHODS = (Method.FLAT, Method.EQUAL_INSTALLMENT, Method.EQUAL_PRINCIPAL)
MAX_CREDITORS = 50  # a plausibility bound on one mediation, not a rule of law


class JointInvalid(DomainError):
    """A joint mediation's creditors, shares or consolidated plan cannot be what is asked."""

    code = ErrorCode.JOINT_INVALID


@dataclass(frozen=True)
class CreditorTerms:
    """One creditor's concessions in the joint plan: how its claim is repaid (a method of
    :data:`JOINT_METHODS`), at what rate on the remaining principal, what it waives, and
    optionally the term it asks (``periods``), which sets its monthly need — a secured
    creditor asks its contractual term and is served first up to that instalment.
    ``periods`` None: the creditor would take everything at once."""

    method: Method = Method.FLAT
    annual_rate: Decimal = ZERO
    waivers: tuple[Waiver, ...] = ()
    periods: int | None = None

    def __post_init__(self) -> None:
        try:
            method = Method(self.method)
        except ValueError:
            method = None
        if method not in JOINT_METHODS:
            names = "、".join(m.label for m in JOINT_METHODS)
            raise JointInvalid(f"联合调解的还款方式只能是{names}（每月还款，才能按月分配）",
                               f"a joint plan's method must be one of {JOINT_METHODS}",
                               field="method")
        object.__setattr__(self, "method", method)
        rate = require_rate(self.annual_rate, error=JointInvalid)
        if method is Method.FLAT and rate != 0:
            raise JointInvalid("等额分期不计利息，年利率必须为0；计息请选择等额本息或等额本金",
                               "a flat plan carries no interest", field="annual_rate")
        object.__setattr__(self, "annual_rate", rate)
        waivers = tuple(self.waivers)
        if not all(isinstance(w, Waiver) for w in waivers):
            raise JointInvalid("减免须逐项给出", "waivers must be Waiver values", field="waivers")
        object.__setattr__(self, "waivers", waivers)
        if self.periods is not None and (
                not isinstance(self.periods, int) or isinstance(self.periods, bool)
                or not 1 <= self.periods <= MAX_PERIODS):
            raise JointInvalid(f"债权人要求的期数必须是1到{MAX_PERIODS}之间的整数",
                               "periods out of range", field="periods")


@dataclass(frozen=True)
class JointCreditor:
    """One creditor's claim in the joint mediation. ``key`` is the caller's name for it
    (the dispute's number), unique in the mediation; ``name`` the creditor as pages show
    it; ``agreed_share`` its fraction under the ``agreed`` rule (ignored by the others);
    ``charges_since`` the day its charges began to run, for its 24 % check (None: not
    checked here)."""

    key: str
    name: str
    claim: ClaimBreakdown
    secured: bool = False
    agreed_share: Decimal | None = None
    terms: CreditorTerms = dataclasses.field(default_factory=CreditorTerms)
    charges_since: dt.date | None = None

    def __post_init__(self) -> None:
        for name, label in (("key", "债权编号"), ("name", "债权人名称")):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise JointInvalid(f"{label}不能为空", f"{name} must not be empty", field=name)
        if not isinstance(self.claim, ClaimBreakdown):
            raise JointInvalid(f"{self.name}：缺少债权明细", "claim must be a ClaimBreakdown",
                               field="claim", creditor=self.key)
        if self.claim.total <= 0:
            raise JointInvalid(f"{self.name}：债权合计应大于零", "the claim's total must be "
                               "above zero", field="claim", creditor=self.key)
        if not isinstance(self.secured, bool):
            raise JointInvalid("是否有担保必须是是/否", "secured must be a bool", field="secured",
                               creditor=self.key)
        if self.agreed_share is not None:
            share = require_rate(self.agreed_share, field="agreed_share",
                                 label=f"{self.name}的约定分配比例", error=JointInvalid)
            if share == 0:
                raise JointInvalid(f"{self.name}的约定分配比例必须大于0（不参与分配的债权人不应列入"
                                   f"联合调解）", "an agreed share must be above zero",
                                   field="agreed_share", creditor=self.key)
            object.__setattr__(self, "agreed_share", share)
        if not isinstance(self.terms, CreditorTerms):
            raise JointInvalid(f"{self.name}：缺少让步条件", "terms must be CreditorTerms",
                               field="terms", creditor=self.key)
        if self.charges_since is not None and not isinstance(self.charges_since, dt.date):
            raise JointInvalid("欠息起算日必须是日期", "charges_since must be a date",
                               field="charges_since", creditor=self.key)


def _as_creditor_error(creditor: JointCreditor, exc: DomainError) -> JointInvalid:
    """A refusal of the designer or the schedule, said of ``creditor``: its details kept,
    the creditor named, the original code as ``reason`` unless it gave one itself."""
    details = {**exc.details, "creditor": creditor.key}
    details.setdefault("reason", exc.code)
    return JointInvalid(f"{creditor.name}：{exc.message}", f"{creditor.key}: {exc.message_en}",
                        **details)


def _options(creditor: JointCreditor, periods: int, first_due: dt.date,
             due_day: int | None) -> PlanOptions:
    t = creditor.terms
    return PlanOptions(method=t.method, periods=periods, first_due=first_due,
                       annual_rate=t.annual_rate, waivers=t.waivers, due_day=due_day,
                       label=f"联合调解·{creditor.name}")


def _schedule(creditor: JointCreditor, periods: int, first_due: dt.date,
              due_day: int | None) -> Schedule:
    return build_schedule(plan_terms(creditor.claim,
                                     _options(creditor, periods, first_due, due_day)))


def _nominal_first_due(claim: ClaimBreakdown) -> dt.date:
    # The payments of the joint methods do not depend on the dates (a month's interest is
    # the balance × rate ÷ 12), so a need can be computed before the plan's dates are set.
    return claim.as_of + dt.timedelta(days=1)


def monthly_need(creditor: JointCreditor) -> Decimal:
    """The most ``creditor``'s plan can use a month: the largest payment of its plan over
    the term it asks (everything at once when it asks none), after its waivers.

    :raises JointInvalid: its concessions do not fit its claim (a waiver above the part
        owed, all principal waived, a term longer than its principal has fen)
    """
    periods = creditor.terms.periods or 1
    try:
        return _schedule(creditor, periods, _nominal_first_due(creditor.claim),
                         None).largest.payment
    except DomainError as exc:
        raise _as_creditor_error(creditor, exc) from None


@dataclass(frozen=True)
class Share:
    """What one creditor is given of the monthly amount, and why (``reason``, in words).
    ``weight`` is what the rule shares by: the outstanding claim, or the agreed fraction;
    ``need`` the most its plan can use a month."""

    key: str
    name: str
    amount: Decimal
    need: Decimal
    weight: Decimal
    secured: bool
    reason: str

    @property
    def capped(self) -> bool:
        """Whether the creditor was given all its plan can use (the rest went to others)."""
        return self.amount == self.need


@dataclass(frozen=True)
class Sharing:
    """The monthly ``amount`` shared by ``rule``: one :class:`Share` per creditor in the
    order given, and ``unused``, what no creditor's plan can use (zero unless every
    creditor is given its whole need). The shares and ``unused`` sum exactly to
    ``amount``."""

    rule: ShareRule
    amount: Decimal
    shares: tuple[Share, ...]
    unused: Decimal

    @property
    def shared(self) -> Decimal:
        return sum((s.amount for s in self.shares), ZERO)

    def of(self, key: str) -> Share:
        for s in self.shares:
            if s.key == key:
                return s
        raise JointInvalid(f"联合调解中没有债权{key}", f"no creditor {key!r}", creditor=key)

    @property
    def summary(self) -> str:
        """One sentence for the page: the rule, the amount, and what is left unused."""
        text = (f"{SHARE_RULE_LABELS[self.rule]}：每月{format_amount(self.amount)}元在"
                f"{len(self.shares)}家债权人之间分配")
        if self.unused:
            text += f"，已满足各债权人全部所需，余{format_amount(self.unused)}元无需用于还款"
        return text + "。"


def _check_creditors(creditors: Sequence[JointCreditor]) -> tuple[JointCreditor, ...]:
    out = tuple(creditors)
    if not out:
        raise JointInvalid("联合调解至少须有一家债权人", "no creditors", field="creditors")
    if len(out) > MAX_CREDITORS:
        raise JointInvalid(f"联合调解的债权人不得超过{MAX_CREDITORS}家",
                           f"more than {MAX_CREDITORS} creditors", field="creditors")
    if not all(isinstance(c, JointCreditor) for c in out):
        raise JointInvalid("债权人须逐一给出", "creditors must be JointCreditor values",
                           field="creditors")
    keys = [c.key for c in out]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise JointInvalid(f"同一债权在联合调解中列入两次：{'、'.join(twice)}",
                           "a creditor key is listed twice", field="creditors", key=twice[0])
    return out


def _fill(total: int, weights: Sequence[Fraction], caps: Sequence[int]) -> list[Fraction]:
    """Share ``total`` fen in proportion to ``weights`` with no one above its cap: whoever
    the proportion would put at or above its cap gets the cap, and the rest is shared again
    among the others, until no one is over (or everyone is capped)."""
    exact = [Fraction(0)] * len(weights)
    active = [i for i, w in enumerate(weights) if w > 0 and caps[i] > 0]
    rest = Fraction(total)
    while active and rest > 0:
        whole = sum((weights[i] for i in active), Fraction(0))
        over = [i for i in active if rest * weights[i] / whole >= caps[i]]
        if not over:
            for i in active:
                exact[i] = rest * weights[i] / whole
            break
        for i in over:
            exact[i] = Fraction(caps[i])
            rest -= caps[i]
        active = [i for i in active if i not in over]
    return exact


def _largest_remainder(exact: Sequence[Fraction]) -> list[int]:
    """Whole fen summing exactly to the (whole) sum of ``exact``: each gets the fen below
    its exact share, and the fen left go one each to the largest remainders, ties to the
    one listed first."""
    floors = [e.numerator // e.denominator for e in exact]
    target = sum(exact, Fraction(0))
    if target.denominator != 1:  # pragma: no cover - _fill shares whole fen
        raise PlanDoesNotBalance("分配总额不是整分", "the shared total is not whole fen")
    left = int(target) - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors


def _pct(part: Fraction, whole: Fraction) -> str:
    ratio = part / whole * 100
    return f"{Decimal(ratio.numerator) / Decimal(ratio.denominator):.2f}%"


def share_monthly(amount: Decimal, creditors: Sequence[JointCreditor],
                  rule: ShareRule) -> Sharing:
    """Share the debtor's monthly ``amount`` among ``creditors`` by ``rule`` (see the
    module's description): exact to the fen, none negative, none above its need.

    :raises JointInvalid: no creditors, one listed twice, an unknown rule, under
        ``agreed`` a creditor without an agreed share or shares not summing to 100 %, or
        a creditor's concessions that do not fit its claim
    """
    total = require_amount(amount, field="amount", label="每月可用于还款的金额",
                           error=JointInvalid)
    listed = _check_creditors(creditors)
    try:
        rule = ShareRule(rule)
    except ValueError:
        choices = "、".join(r.label for r in ShareRule)
        raise JointInvalid(f"不支持的分配规则：{rule!r}（可选：{choices}）",
                           f"unknown share rule: {rule!r}", field="rule") from None
    needs = [monthly_need(c) for c in listed]
    caps = [to_fen(n) for n in needs]
    outstanding = [Fraction(to_fen(c.claim.total)) for c in listed]
    pool = to_fen(total)
    if rule is ShareRule.AGREED:
        fen, reasons = _agreed(listed, pool, caps)
    elif rule is ShareRule.SECURED_FIRST:
        fen, reasons = _secured_first(listed, pool, caps, outstanding)
    else:
        fen, reasons = _pro_rata(range(len(listed)), pool, caps, outstanding)
    shares = tuple(
        Share(key=c.key, name=c.name, amount=from_fen(fen[i]), need=needs[i],
              weight=(c.agreed_share if rule is ShareRule.AGREED and c.agreed_share
                      is not None else c.claim.total),
              secured=c.secured, reason=reasons[i])
        for i, c in enumerate(listed))
    unused = total - sum((s.amount for s in shares), ZERO)
    if unused < 0 or (unused > 0 and any(s.amount != s.need for s in shares)):
        raise PlanDoesNotBalance("分配结果与可用金额不符", "shares do not balance the amount")
    return Sharing(rule=rule, amount=total, shares=shares, unused=unused)


def _reason(share: int, exact: Fraction, cap: int, basis: str) -> str:
    if share == cap and exact == cap:
        return (f"{basis}；已达到其还款计划每月所需{format_amount(from_fen(cap))}元，"
                f"多出部分分给其他债权人")
    return f"{basis}，分得{format_amount(from_fen(share))}元"


def _pro_rata(group: Iterable[int], pool: int, caps: Sequence[int],
              outstanding: Sequence[Fraction], *, n: int | None = None,
              prefix: str = "") -> tuple[list[int], list[str]]:
    members = list(group)
    size = len(caps) if n is None else n
    weights = [outstanding[i] if i in members else Fraction(0) for i in range(size)]
    exact = _fill(pool, weights, [caps[i] if i in members else 0 for i in range(size)])
    fen = _largest_remainder(exact)
    whole = sum((weights[i] for i in members), Fraction(0))
    reasons = [""] * size
    for i in members:
        basis = (f"{prefix}债权{format_amount(from_fen(int(outstanding[i])))}元，"
                 f"占{_pct(outstanding[i], whole)}，按比例分配")
        reasons[i] = _reason(fen[i], exact[i], caps[i], basis)
    return fen, reasons


def _secured_first(listed: Sequence[JointCreditor], pool: int, caps: Sequence[int],
                   outstanding: Sequence[Fraction]) -> tuple[list[int], list[str]]:
    secured = [i for i, c in enumerate(listed) if c.secured]
    unsecured = [i for i, c in enumerate(listed) if not c.secured]
    n = len(listed)
    first, first_reasons = _pro_rata(secured, pool, caps, outstanding, n=n,
                                     prefix="有担保债权优先受偿；")
    rest = pool - sum(first)
    second, second_reasons = _pro_rata(unsecured, rest, caps, outstanding, n=n,
                                       prefix="无担保债权，在有担保债权受偿后的余额"
                                              f"{format_amount(from_fen(rest))}元中；")
    fen = [first[i] + second[i] for i in range(n)]
    reasons = [first_reasons[i] or second_reasons[i] for i in range(n)]
    if len(secured) == 1:
        i = secured[0]
        reasons[i] = (f"有担保债权优先受偿，分得其还款计划每月所需"
                      f"{format_amount(from_fen(fen[i]))}元"
                      if fen[i] == caps[i] else
                      f"有担保债权优先受偿，每月可用金额全部分给该债权（其每月所需"
                      f"{format_amount(from_fen(caps[i]))}元）")
    return fen, reasons


def _agreed(listed: Sequence[JointCreditor], pool: int,
            caps: Sequence[int]) -> tuple[list[int], list[str]]:
    missing = [c.name for c in listed if c.agreed_share is None]
    if missing:
        raise JointInvalid(f"按约定比例分配时须为每家债权人约定比例；未约定：{'、'.join(missing)}",
                           "every creditor needs an agreed share", field="agreed_share",
                           creditor=next(c.key for c in listed if c.agreed_share is None))
    fractions = [Fraction(c.agreed_share) for c in listed]  # type: ignore[arg-type]
    whole = sum(fractions, Fraction(0))
    if whole != 1:
        shown = f"{Decimal(whole.numerator) / Decimal(whole.denominator) * 100:.2f}"
        raise JointInvalid(f"各债权人约定的分配比例合计须为100%，现为{shown}%",
                           f"agreed shares must sum to 100%, not {shown}%",
                           field="agreed_share", total=shown)
    exact = _fill(pool, fractions, caps)
    fen = _largest_remainder(exact)
    reasons = [_reason(fen[i], exact[i], caps[i],
                       f"约定比例{c.agreed_share * 100:.2f}%")  # type: ignore[operator]
               for i, c in enumerate(listed)]
    return fen, reasons


def affordable_amount(budget: DebtorBudget, *, policy: Policy) -> Decimal:
    """The most the debtor can pay a month in all, from the one budget: what passes both
    the debt-service ratio and the household's living minimum for a person (the local
    minimum wage presumed when no income is declared), the declared cash flow less other
    debts for an enterprise.

    :raises JointInvalid: an enterprise that declared no monthly cash flow
    """
    check = assess_budget(ZERO, budget, policy=policy)
    if check.affordability is None:
        raise JointInvalid(CASH_FLOW_MISSING + "请先申报，再分配每月还款额。",
                           "an enterprise debtor declared no cash flow",
                           field="monthly_cash_flow")
    return check.affordability.max_payment


@dataclass(frozen=True)
class CreditorPlan:
    """One creditor's part of the consolidated plan: its share, the plan options built to
    fit it, the designer's figures, and the 24 % check of what it still collects
    (``cost_cap``: passes and why; None when the creditor's ``charges_since`` is unknown)."""

    creditor: JointCreditor
    share: Share
    options: PlanOptions
    figures: PlanFigures
    cost_cap: tuple[bool, str] | None

    @property
    def key(self) -> str:
        return self.creditor.key


@dataclass(frozen=True)
class MonthRow:
    """One due date of the consolidated plan: each creditor's payment (in the plans' order,
    zero once its plan is repaid) and the debtor's total that day."""

    due_on: dt.date
    payments: tuple[Decimal, ...]

    @property
    def total(self) -> Decimal:
        return sum(self.payments, ZERO)


@dataclass(frozen=True)
class ConsolidatedPlan:
    """The joint plan: the sharing, one plan per creditor, the months side by side, and the
    combined figures judged once against the one budget. ``combined_monthly`` is the
    largest total of any month (never above what was shared); ``affordability`` that
    total judged against the budget (None only for an enterprise without a declared cash
    flow)."""

    sharing: Sharing
    plans: tuple[CreditorPlan, ...]
    months: tuple[MonthRow, ...]
    combined_monthly: Decimal
    combined_total: Decimal
    combined_waived: Decimal
    affordability: Affordability | None
    income_presumed: bool
    warnings: tuple[str, ...]

    @property
    def affordable(self) -> bool | None:
        return None if self.affordability is None else self.affordability.affordable

    @property
    def first_due_on(self) -> dt.date:
        return self.months[0].due_on

    @property
    def last_due_on(self) -> dt.date:
        return self.months[-1].due_on

    def plan_of(self, key: str) -> CreditorPlan:
        for p in self.plans:
            if p.key == key:
                return p
        raise JointInvalid(f"联合调解中没有债权{key}", f"no creditor {key!r}", creditor=key)


def _smallest_term(fits: Callable[[int], bool], low: int, high: int) -> int | None:
    """The smallest term in [low, high] that fits; a longer term asks less a month, so the
    boundary is found by halving, then checked on both sides (the last instalment's
    rounding can make the step uneven)."""
    if low > high or not fits(high):
        return None
    lo, hi = low, high
    while lo < hi:
        mid = (lo + hi) // 2
        if fits(mid):
            hi = mid
        else:
            lo = mid + 1
    while not fits(lo):  # pragma: no cover - the halving found a non-fitting boundary
        lo += 1
    while lo > low and fits(lo - 1):
        lo -= 1
    return lo


def _term_for(creditor: JointCreditor, share: Share, first_due: dt.date,
              due_day: int | None, rule: ShareRule) -> int:
    """The smallest number of monthly instalments whose every payment fits ``share``.

    :raises JointInvalid: a share of nothing, or one too small for the claim to be repaid
        within :data:`MAX_PERIODS` months
    """
    if share.amount == 0:
        hint = ("可为有担保债权约定还款期数（每月所需随之减少）或改用其他分配规则"
                if rule is ShareRule.SECURED_FIRST else "请提高每月可用于还款的金额")
        raise JointInvalid(f"{creditor.name}按“{SHARE_RULE_LABELS[rule]}”分得0元，"
                           f"无法制定还款计划；{hint}",
                           f"{creditor.key} is given nothing a month", creditor=creditor.key,
                           field="amount")
    cache: dict[int, bool] = {}

    def fits(n: int) -> bool:
        if n not in cache:
            schedule = _schedule(creditor, n, first_due, due_day)
            cache[n] = schedule.largest.payment <= share.amount
        return cache[n]

    settled = to_fen(creditor.claim.total - sum((w.amount for w in creditor.terms.waivers),
                                                ZERO))
    share_fen = to_fen(share.amount)
    low = max(1, -(-settled // share_fen))  # no term shorter than the settled total allows
    principal_left = creditor.claim.principal - sum(
        (w.amount for w in creditor.terms.waivers if w.part == "principal"), ZERO)
    high = min(MAX_PERIODS, to_fen(principal_left))  # each instalment repays a fen at least
    try:
        term = _smallest_term(fits, low, high)
        floor = None if term is not None else \
            _schedule(creditor, high, first_due, due_day).largest.payment
    except DomainError as exc:
        raise _as_creditor_error(creditor, exc) from None
    if term is None:
        raise JointInvalid(
            f"{creditor.name}每月分得{format_amount(share.amount)}元，{MAX_PERIODS}期内无法还清"
            f"（最长期限下每月至少需{format_amount(floor or ZERO)}元）；"
            "请提高每月还款额、增加减免或调整分配",
            f"{creditor.key}'s share cannot repay its claim within {MAX_PERIODS} months",
            creditor=creditor.key, field="amount", needed=floor)
    return term


def _settled_charges(creditor: JointCreditor) -> Decimal:
    """What the plan still collects of the charges accrued before it: the claim's charges
    less the unconditional charge waivers (a conditional one revives on default)."""
    waived = sum((w.amount for w in creditor.terms.waivers
                  if w.part in CHARGE_PARTS and not w.conditional), ZERO)
    return creditor.claim.charges - waived


def consolidated_plan(
    creditors: Sequence[JointCreditor],
    *,
    budget: DebtorBudget,
    first_due: dt.date,
    policy: Policy,
    rule: ShareRule | None = None,
    amount: Decimal | None = None,
    due_day: int | None = None,
    discount_rate: Decimal | None = None,
) -> ConsolidatedPlan:
    """Build the consolidated plan (合并还款方案) of ``creditors`` under one ``budget``.

    ``amount`` is what the debtor pays a month in all (default :func:`affordable_amount`;
    the desk may set less, or more when the debtor insists, and the verdict then says it
    is beyond the budget); ``rule`` defaults to the policy's ``joint_share_rule``; every
    plan starts on ``first_due`` and falls due on ``due_day``. Each creditor's plan is the
    smallest term whose every payment fits its share; its figures are judged against the
    budget with the other creditors' largest payments counted as its other obligations, and
    the combined plan — the largest month's total — once against the budget itself.

    :raises JointInvalid: what :func:`share_monthly` refuses; an amount of nothing; a
        creditor given nothing, or too little to be repaid within :data:`MAX_PERIODS`
        months; a first due date not after a creditor's claim date; an enterprise without
        a declared cash flow and no amount given
    """
    listed = _check_creditors(creditors)
    require_date(first_due, field="first_due", label="首期还款日", error=JointInvalid)
    rate = policy.plan_discount_rate if discount_rate is None else require_rate(
        discount_rate, field="discount_rate", label="折现率", error=JointInvalid)
    if not isinstance(budget, DebtorBudget):
        raise JointInvalid("缺少债务人的收支情况", "budget must be a DebtorBudget", field="budget")
    monthly = affordable_amount(budget, policy=policy) if amount is None else require_amount(
        amount, field="amount", label="每月可用于还款的金额", error=JointInvalid)
    if monthly == 0:
        raise JointInvalid("债务人每月可用于还款的金额为零，无法制定合并还款方案"
                           "（可考虑纾困暂停或重新核实收支）",
                           "the debtor can pay nothing a month", field="amount")
    sharing = share_monthly(monthly, listed, policy.joint_share_rule if rule is None else rule)
    terms: list[PlanOptions] = []
    for creditor, share in zip(listed, sharing.shares, strict=True):
        if first_due <= creditor.claim.as_of:
            raise JointInvalid(f"{creditor.name}：首期还款日{first_due}应晚于债权计算日"
                               f"{creditor.claim.as_of}", "first_due must be after the claim "
                               "date", creditor=creditor.key, field="first_due")
        periods = _term_for(creditor, share, first_due, due_day, sharing.rule)
        terms.append(_options(creditor, periods, first_due, due_day))
    schedules = [build_schedule(plan_terms(c.claim, o)) for c, o in zip(listed, terms,
                                                                          strict=True)]
    peaks = [s.largest.payment for s in schedules]
    plans = []
    for i, (creditor, share, options) in enumerate(zip(listed, sharing.shares, terms,
                                                       strict=True)):
        others = sum(peaks, ZERO) - peaks[i]
        own_budget = dataclasses.replace(
            budget, other_obligations=budget.other_obligations + others)
        try:
            figures = plan_figures(creditor.claim, options, policy=policy,
                                   discount_rate=rate, budget=own_budget)
        except DomainError as exc:
            raise _as_creditor_error(creditor, exc) from None
        check = None
        if creditor.charges_since is not None:
            check = cost_cap(principal=creditor.claim.principal,
                             settled_charges=_settled_charges(creditor),
                             plan_rate=options.annual_rate, cap=policy.annual_cost_cap,
                             charges_since=creditor.charges_since,
                             charges_as_of=creditor.claim.as_of)
        plans.append(CreditorPlan(creditor, share, options, figures, check))
    months = _months(schedules)
    combined = max(m.total for m in months)
    if combined > sharing.shared:
        raise PlanDoesNotBalance("合并月还款额超过分配总额", "a month exceeds the shared amount")
    verdict = assess_budget(combined, budget, policy=policy)
    warnings: list[str] = []
    if verdict.cash_flow_missing:
        warnings.append(CASH_FLOW_MISSING)
    if verdict.income_presumed:
        warnings.append(f"债务人未申报月收入，按当地最低工资{format_amount(policy.minimum_wage_monthly)}"
                        f"元推定。")
    if budget.other_obligations:
        warnings.append(f"其他债务月还款{format_amount(budget.other_obligations)}元已计入；"
                        f"其中不应包含本次联合调解的债务。")
    if verdict.affordability is not None and not verdict.affordability.affordable:
        warnings.extend(verdict.affordability.reasons)
    for p in plans:
        if p.cost_cap is not None and not p.cost_cap[0]:
            warnings.append(f"{p.creditor.name}：{p.cost_cap[1]}")
    return ConsolidatedPlan(
        sharing=sharing, plans=tuple(plans), months=months, combined_monthly=combined,
        combined_total=sum((p.figures.total_paid for p in plans), ZERO),
        combined_waived=sum((p.figures.waived_total for p in plans), ZERO),
        affordability=verdict.affordability, income_presumed=verdict.income_presumed,
        warnings=tuple(warnings))


def _months(schedules: Sequence[Schedule]) -> tuple[MonthRow, ...]:
    days = sorted({i.due_on for s in schedules for i in s.instalments})
    paid = [{i.due_on: i.payment for i in s.instalments} for s in schedules]
    return tuple(MonthRow(day, tuple(p.get(day, ZERO) for p in paid)) for day in days)


def creditor_excesses(plan: ConsolidatedPlan, limits: Mapping[str, AuthorityLimits]
                      ) -> dict[str, tuple[Excess, ...]]:
    """Each creditor's part measured against that creditor's own authority: the limits its
    part goes beyond (empty: its agent may accept it alone), keyed and ordered as the
    plans. One creditor's concessions never count against another's limits.

    :raises JointInvalid: a creditor of the plan without limits
    """
    out: dict[str, tuple[Excess, ...]] = {}
    for p in plan.plans:
        own = limits.get(p.key)
        if not isinstance(own, AuthorityLimits):
            raise JointInvalid(f"缺少{p.creditor.name}的授权范围，无法判断是否需要审批",
                               f"no authority limits for {p.key}", creditor=p.key,
                               field="limits")
        asks = PlanAsks.of(p.figures, p.creditor.claim.principal)
        out[p.key] = tuple(excesses(asks, own))
    return out


# --- performance, per creditor ---------------------------------------------------------------


def dues_of(schedule: Schedule) -> tuple[Due, ...]:
    """A creditor's agreed instalments as performance reads them."""
    return tuple(Due(i.number, i.due_on, i.arrears, i.interest, i.principal)
                 for i in schedule.instalments)


@dataclass(frozen=True)
class CreditorLedger:
    """One creditor's agreed instalments and the payments made to it, with its own
    agreement's acceleration clause (``missed_instalments``), allocation order and the day
    it forgave an earlier default (``cured_on``), if it did."""

    key: str
    dues: tuple[Due, ...]
    payments: tuple[Paid, ...]
    missed_instalments: int
    order: tuple[Part, ...] = DEFAULT_ORDER
    cured_on: dt.date | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key.strip():
            raise JointInvalid("债权编号不能为空", "key must not be empty", field="key")
        object.__setattr__(self, "dues", tuple(self.dues))
        object.__setattr__(self, "payments", tuple(self.payments))
        object.__setattr__(self, "order", tuple(self.order))
        if (not isinstance(self.missed_instalments, int)
                or isinstance(self.missed_instalments, bool) or self.missed_instalments < 1):
            raise JointInvalid("加速到期条件至少为一期", "missed_instalments must be at least 1",
                               field="missed_instalments", creditor=self.key)


@dataclass(frozen=True)
class CreditorStanding:
    """One creditor's account on a day: as agreed while it performs, as accelerated from
    ``accelerated_on`` once its own clause was met."""

    key: str
    account: Account
    accelerated_on: dt.date | None

    @property
    def defaulted(self) -> bool:
        return self.accelerated_on is not None


@dataclass(frozen=True)
class JointStanding:
    """Every creditor's standing on ``on``, each decided by its own ledger alone."""

    on: dt.date
    standings: tuple[CreditorStanding, ...]

    def of(self, key: str) -> CreditorStanding:
        for s in self.standings:
            if s.key == key:
                return s
        raise JointInvalid(f"联合调解中没有债权{key}", f"no creditor {key!r}", creditor=key)

    @property
    def defaulted(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.standings if s.defaulted)

    @property
    def performing(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.standings if not s.defaulted)


def standing_of(ledger: CreditorLedger, on: dt.date) -> CreditorStanding:
    """One creditor's standing on ``on`` from its own ledger only: its acceleration clause
    met (counting from its cure, if any) accelerates its own instalments from the day the
    clause was met (:func:`~jintiao.domain.performance.acceleration_day`).

    :raises JointInvalid: the ledger's instalments or payments are not valid (wrapped
        :class:`~jintiao.domain.performance.PerformanceInvalid`, naming the creditor)
    """
    try:
        account = account_on(ledger.dues, ledger.payments, on, ledger.order)
        if not acceleration_met(account, ledger.missed_instalments, ledger.cured_on):
            return CreditorStanding(ledger.key, account, None)
        day = acceleration_day(account, ledger.missed_instalments, ledger.cured_on)
        return CreditorStanding(ledger.key, account_on(ledger.dues, ledger.payments, on,
                                                       ledger.order, accelerated_on=day), day)
    except JointInvalid:
        raise
    except DomainError as exc:
        details = {**exc.details, "creditor": ledger.key}
        details.setdefault("reason", exc.code)
        raise JointInvalid(f"债权{ledger.key}：{exc.message}", f"{ledger.key}: {exc.message_en}",
                           **details) from None


def standings_on(ledgers: Sequence[CreditorLedger], on: dt.date) -> JointStanding:
    """Every creditor's standing on ``on``, each from its own ledger: a default and its
    acceleration stay with the creditor whose clause was met; the others' instalments keep
    their agreed dates (no cross-default).

    :raises JointInvalid: no ledgers, a creditor listed twice, or an invalid ledger
    """
    listed = tuple(ledgers)
    if not listed:
        raise JointInvalid("联合调解至少须有一家债权人", "no ledgers", field="ledgers")
    keys = [ledger.key for ledger in listed]
    if len(set(keys)) != len(keys):
        raise JointInvalid("同一债权在联合调解中列入两次", "a creditor key is listed twice",
                           field="ledgers")
    return JointStanding(on, tuple(standing_of(ledger, on) for ledger in listed))

