"""The plan designer (还款方案设计): from the outstanding claim to plans people can compare.

A plan starts from the claim as filed, takes the creditor's waivers part by part, and
repays what is left: the principal (at the agreed rate, by the chosen method) and the kept
charges as arrears repaid evenly without interest — so a flat plan of the whole claim (S1:
250,277.13 yuan in 60 instalments) shows principal and old charges apart, which the
allocation of payments later needs.

A waiver may be **conditional** (附条件减免): it lapses if the debtor defaults, and the
plan states up front the amount that would revive. The figures a mediator compares —
regular payment, the largest payment, total paid, interest, waived, the creditor's present
value at a stated discount rate, affordability against the debtor's budget and the local
minimum figures — are computed here, once, for the page, the API and the agreement.

Every concession shows in the figures: a deferral moves the first instalment later and its
waived interest counts in the waived total; grace moves the first principal later; the
present value is taken on the dates the payments really fall due. The largest payment is
the largest the schedule asks for — a down payment or a final lump included — and that is
the payment affordability judges, for a lump sum as for instalments. A person is judged
against income and the local living minimum, an enterprise against the monthly cash flow it
declares it can pay from its operations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from jintiao.domain.affordability import Affordability, assess_affordability, assess_cash_flow
from jintiao.domain.claims import CLAIM_PART_LABELS, ClaimBreakdown
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.money import CENT, ZERO, format_amount, require_amount, require_rate
from jintiao.domain.periods import require_date
from jintiao.domain.policy import Policy
from jintiao.domain.schedules import (
    MAX_PERIODS,
    Method,
    PlanTerms,
    Schedule,
    build_schedule,
    deferred_first_due,
    months_between,
    present_value,
)

MAX_COMPARED = 3
MAX_DEPENDANTS = 20


class PlanDesignInvalid(DomainError):
    """A plan option does not fit the claim (a waiver above the part owed, say)."""

    code = ErrorCode.PLAN_INVALID


@dataclass(frozen=True)
class Waiver:
    """An amount of one claim part given up; ``conditional`` ones revive on default."""

    part: str
    amount: Decimal
    conditional: bool = False

    def __post_init__(self) -> None:
        if self.part not in CLAIM_PART_LABELS:
            raise PlanDesignInvalid(f"不能减免的项目：{self.part!r}",
                                    f"unknown claim part: {self.part!r}", field="part")
        amount = require_amount(self.amount, field="amount",
                                label=f"{CLAIM_PART_LABELS[self.part]}减免金额",
                                error=PlanDesignInvalid)
        object.__setattr__(self, "amount", amount)
        if not isinstance(self.conditional, bool):
            raise PlanDesignInvalid("是否附条件必须是是/否", "conditional must be a bool",
                                    field="conditional")

    @property
    def label(self) -> str:
        return CLAIM_PART_LABELS[self.part]


@dataclass(frozen=True)
class PlanOptions:
    """What the designer asks: a method and term, dates, a rate on the remaining principal,
    and the concessions (down payment, grace, deferral, waivers)."""

    method: Method
    periods: int
    first_due: dt.date
    annual_rate: Decimal = ZERO
    down_payment: Decimal = ZERO
    down_payment_due: dt.date | None = None
    grace_periods: int = 0
    deferral_months: int = 0
    waive_deferral_interest: bool = False
    waivers: tuple[Waiver, ...] = ()
    due_day: int | None = None
    round_to: Decimal = CENT
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "waivers", tuple(self.waivers))
        parts = [w.part for w in self.waivers]
        if len(parts) != len(set(parts)):
            raise PlanDesignInvalid("同一项目只能减免一次", "a claim part is waived twice",
                                    field="waivers")


@dataclass(frozen=True)
class DebtorBudget:
    """The debtor's declared monthly income, other debt payments (S1: a second overdue loan)
    and dependants. ``monthly_income`` None: not declared — the local minimum wage is
    presumed, and the figures say so.

    An enterprise (``entity``) declares instead ``monthly_cash_flow``, what it can pay a
    month from its operations, and no income or dependants (a household's measures, which
    would otherwise sit unread on its sheet); None: not declared — nothing is presumed, and
    the figures say that affordability cannot be judged."""

    monthly_income: Decimal | None = None
    other_obligations: Decimal = ZERO
    dependants: int = 0
    entity: bool = False
    monthly_cash_flow: Decimal | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.entity, bool):
            raise PlanDesignInvalid("是否为企业必须是是/否", "entity must be a bool",
                                    field="entity")
        if self.entity and (self.monthly_income is not None or self.dependants != 0):
            raise PlanDesignInvalid(
                "企业债务人申报月经营现金流，不填月收入和需抚养人数",
                "an enterprise declares its cash flow, not an income or dependants",
                field="monthly_income" if self.monthly_income is not None else "dependants")
        if self.monthly_income is not None:
            object.__setattr__(self, "monthly_income", require_amount(
                self.monthly_income, field="monthly_income", label="月收入",
                error=PlanDesignInvalid))
        if self.monthly_cash_flow is not None:
            if not self.entity:
                raise PlanDesignInvalid(
                    "月经营现金流只适用于企业债务人；自然人请填写月收入",
                    "monthly_cash_flow applies to an enterprise debtor only",
                    field="monthly_cash_flow")
            object.__setattr__(self, "monthly_cash_flow", require_amount(
                self.monthly_cash_flow, field="monthly_cash_flow", label="月经营现金流",
                error=PlanDesignInvalid))
        object.__setattr__(self, "other_obligations", require_amount(
            self.other_obligations, field="other_obligations", label="其他债务月还款",
            error=PlanDesignInvalid))
        if (not isinstance(self.dependants, int) or isinstance(self.dependants, bool)
                or not 0 <= self.dependants <= MAX_DEPENDANTS):
            raise PlanDesignInvalid(f"需抚养人数必须是0到{MAX_DEPENDANTS}之间的整数",
                                    f"dependants must be 0..{MAX_DEPENDANTS}", field="dependants")


CASH_FLOW_MISSING = ("债务人为企业，未申报月经营现金流（每月经营可用于还款的金额），"
                     "无法判断能否负担。")


@dataclass(frozen=True)
class BudgetCheck:
    """A payment against the debtor's budget: the affordability result (None when an
    enterprise declared no cash flow), and whether a person's income was presumed."""

    affordability: Affordability | None
    income_presumed: bool
    cash_flow_missing: bool


def assess_budget(payment: Decimal, budget: DebtorBudget, *, policy: Policy) -> BudgetCheck:
    """Judge ``payment`` against ``budget``: a person against income (the local minimum wage
    when none is declared), other debts and the living minimum for the household; an
    enterprise against its declared monthly cash flow, or not at all when it declared none.

    :raises AffordabilityInvalid: a negative or inexact payment
    """
    if budget.entity:
        if budget.monthly_cash_flow is None:
            return BudgetCheck(None, income_presumed=False, cash_flow_missing=True)
        return BudgetCheck(assess_cash_flow(payment, monthly_cash_flow=budget.monthly_cash_flow,
                                            monthly_obligations=budget.other_obligations),
                           income_presumed=False, cash_flow_missing=False)
    income, presumed = budget.monthly_income, False
    if income is None:
        income, presumed = policy.minimum_wage_monthly, True
    return BudgetCheck(assess_affordability(
        payment, monthly_income=income, monthly_obligations=budget.other_obligations,
        max_ratio=policy.max_debt_service_ratio, living_minimum=policy.living_minimum_monthly,
        household_size=1 + budget.dependants), income_presumed=presumed, cash_flow_missing=False)


@dataclass(frozen=True)
class PlanFigures:
    """One plan as the comparison shows it. Amounts in yuan; ``peak_payment`` the largest
    payment of the schedule (a down payment or a final lump included), the one
    affordability judges; ``waived_total`` every concession given up outright — claim
    waivers and the deferral's waived interest (``deferral_interest_waived``);
    ``term_months`` the repayment term an authority limit is written against — from one
    period before the undeferred first due date to the last due date, rounded up (60
    monthly instalments: 60; a deferral and grace months lengthen it);
    ``affordability`` None only when an enterprise declared no cash flow
    (``cash_flow_missing``)."""

    options: PlanOptions
    schedule: Schedule
    settled_total: Decimal
    regular_payment: Decimal
    peak_payment: Decimal
    total_paid: Decimal
    total_interest: Decimal
    waived_total: Decimal
    conditional_waived: Decimal
    charge_waiver_ratio: Decimal
    principal_waived: Decimal
    term_months: int
    present_value: Decimal
    discount_rate: Decimal
    affordability: Affordability | None
    income_presumed: bool
    warnings: tuple[str, ...] = field(default=())
    deferral_interest_waived: Decimal = ZERO
    cash_flow_missing: bool = False

    @property
    def affordable(self) -> bool | None:
        return None if self.affordability is None else self.affordability.affordable

    @property
    def lump(self) -> bool:
        """Whether the largest payment is a lump, which every page names beside the regular
        one, lest a party read only the monthly figure (see :func:`_is_lump`)."""
        return _is_lump(self.peak_payment, self.regular_payment)

    def revival_clause(self) -> str:
        """The sentence the agreement carries when a waiver is conditional (empty if none)."""
        if not self.conditional_waived:
            return ""
        parts = "、".join(f"{w.label}{format_amount(w.amount)}元"
                         for w in self.options.waivers if w.conditional)
        return (f"债务人如违约（达到协议约定的加速到期条件），已减免的{parts}"
                f"（合计{format_amount(self.conditional_waived)}元）恢复计收。")


def _settled_parts(claim: ClaimBreakdown, waivers: Sequence[Waiver]) -> dict[str, Decimal]:
    left = {name: amount for name, _label, amount in claim.parts()}
    for w in waivers:
        if w.amount > left[w.part]:
            raise PlanDesignInvalid(
                f"{w.label}减免{format_amount(w.amount)}元超过所欠{format_amount(left[w.part])}元",
                f"waiver of {w.part} exceeds the amount owed", field="waivers", part=w.part)
        left[w.part] -= w.amount
    if left["principal"] == 0:
        raise PlanDesignInvalid("不能减免全部本金", "the whole principal cannot be waived",
                                field="waivers", part="principal")
    return left


def plan_terms(claim: ClaimBreakdown, options: PlanOptions) -> PlanTerms:
    """The schedule terms for ``options`` on ``claim``: the principal left after waivers at
    the plan's rate, the other parts left as arrears repaid without interest, the first due
    date moved later by the deferral."""
    left = _settled_parts(claim, options.waivers)
    if options.first_due <= claim.as_of:
        raise PlanDesignInvalid(f"首期还款日{options.first_due}应晚于债权计算日{claim.as_of}",
                                "first_due must be after the claim date", field="first_due")
    lump = options.method is Method.LUMP_SUM
    return PlanTerms(
        method=options.method, principal=left["principal"], periods=options.periods,
        first_due=deferred_first_due(options.first_due, options.deferral_months,
                                     options.due_day),
        annual_rate=options.annual_rate, due_day=options.due_day,
        down_payment=options.down_payment, down_payment_due=options.down_payment_due,
        grace_periods=options.grace_periods, deferred_periods=options.deferral_months,
        waive_deferral_interest=options.waive_deferral_interest,
        arrears=sum((v for k, v in left.items() if k != "principal"), ZERO),
        round_to=options.round_to,
        interest_from=claim.as_of if lump and options.annual_rate else None,
    )


def _is_lump(largest: Decimal, regular: Decimal) -> bool:
    """A payment more than twice the regular one is a lump (a down payment, the principal
    at the end of 先息后本), not the rounding an even split puts on its last instalment."""
    return largest > 2 * regular


def _term_months(schedule: Schedule, options: PlanOptions) -> int:
    """Months from one period before the first due date the plan would have without a
    deferral to the last due date, rounded up: the deferral and the grace months count, a
    down payment due at signing does not lengthen the term."""
    months = months_between(options.first_due, schedule.last_due_on)
    spanned = int(months) + (1 if months != int(months) else 0)
    return spanned + 1


def plan_figures(
    claim: ClaimBreakdown,
    options: PlanOptions,
    *,
    policy: Policy,
    discount_rate: Decimal,
    budget: DebtorBudget | None = None,
) -> PlanFigures:
    """Build the plan's schedule and the figures the comparison shows.

    :raises PlanDesignInvalid: a waiver above the part owed, all principal waived, a first
        due date not after the claim date
    :raises PlanInvalid: the schedule terms themselves are invalid
    """
    rate = require_rate(discount_rate, field="discount_rate", label="折现率",
                        error=PlanDesignInvalid)
    require_date(claim.as_of, field="as_of", label="债权计算日", error=PlanDesignInvalid)
    schedule = build_schedule(plan_terms(claim, options))
    claim_waived = sum((w.amount for w in options.waivers), ZERO)
    deferral_waived = schedule.terms.waived_deferral_interest
    conditional = sum((w.amount for w in options.waivers if w.conditional), ZERO)
    charge_waived = sum((w.amount for w in options.waivers
                         if w.part not in ("principal", "other")), ZERO)
    charge_ratio = (charge_waived / claim.charges).quantize(Decimal("0.0001")) \
        if claim.charges else ZERO
    term = _term_months(schedule, options)
    warnings: list[str] = []
    if options.annual_rate > policy.annual_cost_cap:
        warnings.append(f"方案年利率{options.annual_rate * 100:.2f}%超过综合成本上限"
                        f"{policy.annual_cost_cap * 100:.2f}%，法院不予支持。")
    largest = schedule.largest
    check = assess_budget(largest.payment, budget or DebtorBudget(), policy=policy)
    affordability = check.affordability
    if check.cash_flow_missing:
        warnings.append(CASH_FLOW_MISSING)
    if affordability is not None and not affordability.affordable:
        if _is_lump(largest.payment, schedule.regular_payment):
            warnings.append(f"最大一笔还款为{largest.label}（{largest.due_on}）"
                            f"{format_amount(largest.payment)}元，可负担性按此判断。")
        warnings.extend(affordability.reasons)
    return PlanFigures(
        options=options, schedule=schedule, settled_total=claim.total - claim_waived,
        regular_payment=schedule.regular_payment, peak_payment=largest.payment,
        total_paid=schedule.total_payment, total_interest=schedule.total_interest,
        waived_total=claim_waived + deferral_waived, conditional_waived=conditional,
        charge_waiver_ratio=charge_ratio,
        principal_waived=sum((w.amount for w in options.waivers if w.part == "principal"),
                             ZERO),
        term_months=term,
        present_value=present_value(schedule, annual_discount_rate=rate, as_of=claim.as_of),
        discount_rate=rate, affordability=affordability, income_presumed=check.income_presumed,
        warnings=tuple(warnings), deferral_interest_waived=deferral_waived,
        cash_flow_missing=check.cash_flow_missing,
    )


def compare_plans(
    claim: ClaimBreakdown,
    options: Sequence[PlanOptions],
    *,
    policy: Policy,
    discount_rate: Decimal,
    budget: DebtorBudget | None = None,
) -> list[PlanFigures]:
    """Figures for one to three plans side by side, in the order given.

    :raises PlanDesignInvalid: none, or more than three plans
    """
    if not 1 <= len(options) <= MAX_COMPARED:
        raise PlanDesignInvalid(f"一次可比较1至{MAX_COMPARED}个方案",
                                f"compare 1 to {MAX_COMPARED} plans", field="options")
    return [plan_figures(claim, o, policy=policy, discount_rate=discount_rate, budget=budget)
            for o in options]


# Which parts a menu's charge waiver gives up first: penalties before contractual interest.
WAIVER_ORDER = ("penalty_interest", "compound_interest", "liquidated_damages", "fees",
                "interest")


@dataclass(frozen=True)
class MenuItem:
    """One line of an institution's standard plan menu (e.g. 12 months, interest-free, half
    the penalty interest waived on condition): what the designer offers first.

    ``charge_waiver_ratio`` is the share given up of the parts ``waiver_parts`` names, taken
    in that order — all the charges, penalties first, by default; “罚息减半” is 0.5 of
    ``("penalty_interest",)``. Only charges may be named: a menu never waives principal."""

    label: str
    periods: int
    method: Method = Method.FLAT
    annual_rate: Decimal = ZERO
    charge_waiver_ratio: Decimal = ZERO
    conditional: bool = True
    waiver_parts: tuple[str, ...] = WAIVER_ORDER

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "method", Method(self.method))
        except ValueError:
            raise PlanDesignInvalid(f"不支持的还款方式：{self.method!r}",
                                    f"unknown method: {self.method!r}", field="method") from None
        if (not isinstance(self.periods, int) or isinstance(self.periods, bool)
                or not 1 <= self.periods <= MAX_PERIODS):
            raise PlanDesignInvalid(f"期数必须是1到{MAX_PERIODS}之间的整数",
                                    "periods out of range", field="periods")
        object.__setattr__(self, "annual_rate", require_rate(self.annual_rate,
                                                             error=PlanDesignInvalid))
        object.__setattr__(self, "charge_waiver_ratio", require_rate(
            self.charge_waiver_ratio, field="charge_waiver_ratio", label="费息减免比例",
            error=PlanDesignInvalid))
        parts = tuple(self.waiver_parts) if isinstance(self.waiver_parts, list | tuple) else ()
        if (not parts or len(set(parts)) != len(parts)
                or any(p not in WAIVER_ORDER for p in parts)):
            names = "、".join(CLAIM_PART_LABELS[p] for p in WAIVER_ORDER)
            raise PlanDesignInvalid(f"减免项目须是{names}中的一项或几项，且不重复",
                                    f"waiver_parts must be distinct parts of {WAIVER_ORDER}",
                                    field="waiver_parts")
        object.__setattr__(self, "waiver_parts", parts)


def waivers_of(claim: ClaimBreakdown, amount: Decimal, *, parts: Sequence[str] = WAIVER_ORDER,
               conditional: bool = False) -> tuple[Waiver, ...]:
    """Waivers giving up ``amount`` of ``claim``, part by part in the order of ``parts``
    (penalties before contractual interest by default), each at most what is owed."""
    left = amount
    waivers = []
    for part in parts:
        owed: Decimal = getattr(claim, part)
        take = min(owed, left)
        if take > 0:
            waivers.append(Waiver(part, take, conditional=conditional))
            left -= take
    return tuple(waivers)


def options_from_menu(claim: ClaimBreakdown, item: MenuItem, first_due: dt.date) -> PlanOptions:
    """Turn a menu line into plan options for ``claim``: the waiver ratio of the parts the
    item names, taken in the item's order, rounded down to the yuan — a ratio of one gives
    up everything named, to the fen."""
    named = sum((getattr(claim, part) for part in item.waiver_parts), ZERO)
    amount = (named if item.charge_waiver_ratio == 1
              else (named * item.charge_waiver_ratio).quantize(Decimal("1"), ROUND_DOWN))
    return PlanOptions(method=item.method, periods=item.periods, first_due=first_due,
                       annual_rate=item.annual_rate, label=item.label,
                       waivers=waivers_of(claim, amount, parts=item.waiver_parts,
                                          conditional=item.conditional))



# What a debtor may ask to be given up in a counter-offer on the portal: the charges, never
# principal or contractual interest (those are the desk's and the creditor's to design).
DEBTOR_WAIVABLE = ("penalty_interest", "compound_interest", "liquidated_damages", "fees")
DEBTOR_COUNTER_LABEL = "债务人提出的方案"


def require_charges_held(claim: ClaimBreakdown, waive: Sequence[str]) -> tuple[str, ...]:
    """The charges asked to be given up, each once: only charges (:data:`DEBTOR_WAIVABLE`),
    and only those the claim holds (a debtor's plan, a creditor's part of a joint plan).

    :raises PlanDesignInvalid: a part that is not a charge, or one the claim does not hold
    """
    asked = tuple(dict.fromkeys(waive))
    for part in asked:
        if part not in DEBTOR_WAIVABLE:
            names = "、".join(CLAIM_PART_LABELS[p] for p in DEBTOR_WAIVABLE)
            raise PlanDesignInvalid(f"只能请求减免{names}", f"not a charge: {part!r}",
                                    field="waive")
        if getattr(claim, part) <= 0:
            raise PlanDesignInvalid(f"对方未主张{CLAIM_PART_LABELS[part]}，无需请求减免",
                                    f"the claim holds no {part}", field="waive")
    return asked


def debtor_counter(claim: ClaimBreakdown, *, periods: int, first_due: dt.date,
                   waive: Sequence[str] = (), down_payment: Decimal = ZERO,
                   down_payment_due: dt.date | None = None) -> PlanOptions:
    """The plan a debtor puts forward on the portal (issue 21 §1): equal instalments with no
    further interest over the term, an optional down payment, and the charges the debtor
    asks to be given up — in full, and reviving on default, as the creditors' menus and the
    desk's plans usually grant them (the agreement's revival clause). The figures, the
    24 % check and the creditor's authority are the designer's, as for any other plan.

    :raises PlanDesignInvalid: periods out of range, a part that is not a charge, a part
        the claim does not hold, a down payment without its day
    """
    if (not isinstance(periods, int) or isinstance(periods, bool)
            or not 1 <= periods <= MAX_PERIODS):
        raise PlanDesignInvalid(f"期数必须是1到{MAX_PERIODS}之间的整数", "periods out of range",
                                field="periods")
    asked = require_charges_held(claim, waive)
    down = require_amount(down_payment, field="down_payment", label="首付款",
                          error=PlanDesignInvalid)
    if down > 0 and down_payment_due is None:
        raise PlanDesignInvalid("有首付款时须填写支付日", "a down payment needs its day",
                                field="down_payment_due")
    return PlanOptions(
        method=Method.FLAT, periods=periods, first_due=first_due, down_payment=down,
        down_payment_due=down_payment_due if down > 0 else None,
        waivers=tuple(Waiver(p, getattr(claim, p), conditional=True) for p in asked),
        label=DEBTOR_COUNTER_LABEL)
