"""How a figure was computed (计算说明): the working behind a deadline, an amount owed or to
enforce, a court fee and an affordability verdict, built once here and shown by every
interface — a panel on the web page, an ``explain`` field in the API, ``--explain`` in the
command line.

An :class:`Explanation` is a list of steps in Chinese, each with the number it produced,
plus the structured facts (``facts``) those steps were written from: the facts are what a
test reproduces the figure from, so a step can never say something the arithmetic did
not do. Nothing is computed twice: each builder calls the very function that produced the
figure (:func:`~jintiao.domain.periods.deadline`,
:func:`~jintiao.domain.performance.account_on`,
:func:`~jintiao.domain.performance.outstanding`, …) and reads its working.

Sources cited: 民事诉讼法第八十五条 and 民诉法解释第一百二十五条 (counting a period: the
starting day not counted, a last day on a rest day rolls to the next working day); 民法典
第二百条至第二百零四条 (months and years); 民法典第五百六十一条 (allocation: costs, interest,
principal); 民事诉讼法第二百六十四条 and 最高人民法院关于执行程序中计算迟延履行期间的债务利息
的解释（法释〔2014〕8号）第一条、第四条 (the doubled interest: unpaid principal only, at
0.0175% a day, paid last).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, localcontext
from typing import Any, Protocol

from jintiao.domain.affordability import Affordability
from jintiao.domain.calendar import WorkingCalendar
from jintiao.domain.money import CENT, ZERO, format_amount, quantize
from jintiao.domain.performance import (
    DEFAULT_ORDER,
    PRECISION,
    Due,
    Paid,
    Part,
    Status,
    accelerate,
    account_on,
    outstanding,
)
from jintiao.domain.periods import WEEKDAYS, Deadline, Unit
from jintiao.domain.policy import SOURCES, Policy

ONE_DAY = dt.timedelta(days=1)

LAW_PERIODS = "民事诉讼法第八十五条；民诉法解释第一百二十五条"
LAW_MONTHS = "民法典第二百零二条"
LAW_ORDER = "民法典第五百六十一条"
LAW_LATE_INTEREST = ("民事诉讼法第二百六十四条；最高人民法院关于执行程序中计算迟延履行期间的"
                     "债务利息的解释（法释〔2014〕8号）第一条")
LAW_LATE_LAST = "法释〔2014〕8号第四条"


class Facts(Protocol):
    """The structured working of one kind of figure."""

    def as_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Step:
    """One line of the working: a short label, the sentence, the value it produced and,
    where there are several, the items it is made of (the rest days skipped, the parts of
    one payment)."""

    label: str
    text: str
    value: str = ""
    items: tuple[str, ...] = ()
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "text": self.text, "value": self.value,
                "items": list(self.items), "source": self.source}


@dataclass(frozen=True)
class Explanation:
    """How one figure was computed: ``result`` is the figure as shown, ``steps`` the working
    in order, ``facts`` the same working as data, ``sources`` the rules relied on."""

    kind: str
    title: str
    result: str
    steps: tuple[Step, ...]
    facts: Facts
    sources: tuple[str, ...] = ()
    provisional: bool = False
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "title": self.title, "result": self.result,
                "provisional": self.provisional,
                "steps": [s.as_dict() for s in self.steps],
                "sources": list(self.sources), "notes": list(self.notes),
                "facts": self.facts.as_dict()}

    def with_note(self, note: str) -> Explanation:
        """The same explanation with one more remark (a figure recorded differently, say)."""
        return Explanation(self.kind, self.title, self.result, self.steps, self.facts,
                           self.sources, self.provisional, (*self.notes, note))

    def lines(self) -> list[str]:
        """The explanation as plain lines of text, for the command line."""
        out = [f"{self.title}：{self.result}"]
        for n, step in enumerate(self.steps, 1):
            value = f" = {step.value}" if step.value else ""
            out.append(f"{n}. {step.label}：{step.text}{value}")
            out.extend(f"     · {item}" for item in step.items)
            if step.source:
                out.append(f"     依据：{step.source}")
        out.extend(f"说明：{note}" for note in self.notes)
        if self.sources:
            out.append(f"依据：{'；'.join(self.sources)}")
        return out


def _day(day: dt.date) -> str:
    return f"{day.isoformat()}（星期{WEEKDAYS[day.weekday()]}）"


def _yuan(amount: Decimal) -> str:
    return f"{format_amount(amount)}元"


def _rate(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


# --- deadlines ------------------------------------------------------------------------------

@dataclass(frozen=True)
class LimitBasis:
    """Where a time limit came from: the policy field, its version and its legal source,
    and what started the period ("受理", "延长调解期限")."""

    rule: str
    label: str
    source: str
    policy_name: str
    policy_version: int
    started_by: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "label": self.label, "source": self.source,
                "policy_name": self.policy_name, "policy_version": self.policy_version,
                "started_by": self.started_by}


@dataclass(frozen=True)
class RestDay:
    """A day the count passed over: a named holiday, an administrator's entry or a weekend."""

    day: dt.date
    name: str
    holiday: bool

    def as_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "weekday": self.day.isoweekday(),
                "name": self.name, "holiday": self.holiday}

    def __str__(self) -> str:
        return f"{_day(self.day)} {self.name}"


@dataclass(frozen=True)
class DeadlineFacts:
    """The working of a deadline. ``skipped`` are the days not counted: in a working-day
    period every rest day inside it, in a day, month or year period the rest days its last
    day rolled over; ``worked_weekends`` the make-up working Saturdays and Sundays a
    working-day period counted; ``rest_days_counted`` how many rest days a calendar period
    counted as ordinary days (they are not deducted)."""

    deadline: Deadline
    basis: LimitBasis | None
    counting: str
    skipped: tuple[RestDay, ...]
    worked_weekends: tuple[RestDay, ...]
    rest_days_counted: int

    def as_dict(self) -> dict[str, Any]:
        d = self.deadline
        return {**d.as_dict(), "unit_label": d.limit.unit.label,
                "basis": None if self.basis is None else self.basis.as_dict(),
                "counting": self.counting, "law": LAW_PERIODS,
                "skipped": [r.as_dict() for r in self.skipped],
                "worked_weekends": [r.as_dict() for r in self.worked_weekends],
                "rest_days_counted": self.rest_days_counted}


def _rest_day(day: dt.date, calendar: WorkingCalendar) -> RestDay:
    name = calendar.holiday_name(day)
    if name:
        return RestDay(day, name, True)
    return RestDay(day, "周末", False)


def _span(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + ONE_DAY * n for n in range((last - first).days + 1)] if last >= first else []


COUNTING = {
    Unit.WORKING_DAYS: "按工作日计算：起算日当日不计入，此后只计工作日，期间内的周末和法定节假日"
                       "不计入，调休上班日计入",
    Unit.DAYS: "按日计算：起算日当日不计入，期间内的周末和节假日照常计入；期间最后一日为休息日"
               "或法定休假日的，顺延至其后第一个工作日",
    Unit.MONTHS: "按月计算：起算日当日不计入，至到期月份的对应日届满，没有对应日的以该月末日"
                 "为期间最后一日；最后一日为休息日或法定休假日的，顺延至其后第一个工作日",
    Unit.YEARS: "按年计算：起算日当日不计入，至到期年份的对应日届满，没有对应日的以该月末日"
                "为期间最后一日；最后一日为休息日或法定休假日的，顺延至其后第一个工作日",
}


def explain_deadline(d: Deadline, calendar: WorkingCalendar,
                     basis: LimitBasis | None = None) -> Explanation:
    """Explain ``d``, computed on ``calendar`` (the same one: the rest days listed are read
    from it), with the policy field, version and source of its limit when known."""
    unit = d.limit.unit
    worked: list[RestDay] = []
    counted = 0
    if unit is Unit.WORKING_DAYS:
        inside = _span(d.start + ONE_DAY, d.due_on)
        skipped = [_rest_day(x, calendar) for x in inside if calendar.is_rest_day(x)]
        worked = [_rest_day(x, calendar) for x in inside
                  if x.weekday() >= 5 and calendar.is_working_day(x)]
    else:
        skipped = [_rest_day(x, calendar) for x in _span(d.raw_end, d.due_on - ONE_DAY)]
        counted = sum(calendar.is_rest_day(x) for x in _span(d.start + ONE_DAY,
                                                              d.raw_end - ONE_DAY))
    facts = DeadlineFacts(d, basis, COUNTING[unit], tuple(skipped), tuple(worked), counted)
    steps = [Step("起算日", f"{_day(d.start)}"
                  + (f"，{basis.started_by}之日" if basis and basis.started_by else "")
                  + "；起算日当日不计入期间", d.start.isoformat(), source=LAW_PERIODS)]
    if basis is not None:
        steps.append(Step("期限", f"{basis.label}为{d.limit}，取自《{basis.policy_name}》"
                                  f"第{basis.policy_version}版", str(d.limit),
                          source=basis.source))
    else:
        steps.append(Step("期限", f"{d.limit}", str(d.limit)))
    steps.append(Step("计算方法", COUNTING[unit], source=LAW_PERIODS if unit in (
        Unit.DAYS, Unit.WORKING_DAYS) else f"{LAW_PERIODS}；{LAW_MONTHS}"))
    if unit is Unit.WORKING_DAYS:
        steps.append(Step("不计入的休息日",
                          f"期间内共{len(skipped)}个休息日和节假日不计入" if skipped
                          else "期间内没有休息日", str(len(skipped)),
                          items=tuple(str(r) for r in skipped)))
        if worked:
            steps.append(Step("计入的调休上班日", f"{len(worked)}个调休上班日按工作日计入",
                              str(len(worked)), items=tuple(str(r) for r in worked)))
        steps.append(Step("第" + str(d.limit.amount) + "个工作日",
                          f"自{d.start.isoformat()}次日起数满{d.limit.amount}个工作日",
                          d.due_on.isoformat()))
    else:
        if counted:
            steps.append(Step("期间内的休息日",
                              f"期间内的{counted}个休息日和节假日照常计入，不扣除", str(counted)))
        steps.append(Step("期间最后一日", _day(d.raw_end), d.raw_end.isoformat()))
        if d.rolled_over:
            first = skipped[0]
            steps.append(Step("顺延", f"期间最后一日为{'法定休假日' if first.holiday else '休息日'}"
                                      f"（{first.name}），顺延至其后第一个工作日{_day(d.due_on)}",
                              d.due_on.isoformat(),
                              items=tuple(str(r) for r in skipped), source=LAW_PERIODS))
        elif d.raw_end.weekday() >= 5:
            steps.append(Step("不顺延", "期间最后一日为调休上班日，是工作日，不顺延"))
    notes = tuple(r for r in d.reasons if "尚未公布" in r)
    if d.provisional:
        steps.append(Step("暂定", notes[0] if notes else "所涉年份的放假安排尚未公布，结果为暂定"))
    sources = tuple(dict.fromkeys(
        [LAW_PERIODS, *([LAW_MONTHS] if unit in (Unit.MONTHS, Unit.YEARS) else []),
         *([basis.source] if basis and basis.source else [])]))
    return Explanation(
        kind="deadline", title="期限届满日",
        result=f"{_day(d.due_on)}{'（暂定）' if d.provisional else ''}",
        steps=tuple(steps), facts=facts, sources=sources, provisional=d.provisional)


# --- affordability --------------------------------------------------------------------------

@dataclass(frozen=True)
class AffordabilityFacts:
    """The verdict's inputs and the two tests it applied. ``ratio_room`` is what the ratio
    limit leaves for this payment (the limit × income, to the fen below, less the other
    debts); ``max_payment`` the smaller of it and ``disposable``."""

    result: Affordability
    household_size: int
    dependants: int
    income_presumed: bool
    needed: Decimal
    left_after_payment: Decimal
    ratio_room: Decimal | None
    ratio_passed: bool
    minimum_passed: bool
    living_minimum_source: str
    max_ratio_source: str
    income_source: str

    def as_dict(self) -> dict[str, Any]:
        a = self.result
        return {
            "enterprise": a.enterprise, "payment": f"{a.payment:.2f}",
            "monthly_income": f"{a.monthly_income:.2f}", "income_presumed": self.income_presumed,
            "income_source": self.income_source,
            "monthly_obligations": f"{a.monthly_obligations:.2f}",
            "household_size": self.household_size, "dependants": self.dependants,
            "living_minimum": f"{a.living_minimum:.2f}",
            "living_minimum_source": self.living_minimum_source,
            "living_minimum_total": f"{self.needed:.2f}",
            "disposable": f"{a.disposable:.2f}",
            "left_after_payment": f"{self.left_after_payment:.2f}",
            "debt_service_ratio": None if a.debt_service_ratio is None
            else str(a.debt_service_ratio),
            "max_ratio": str(a.max_ratio), "max_ratio_source": self.max_ratio_source,
            "ratio_room": None if self.ratio_room is None else f"{self.ratio_room:.2f}",
            "ratio_passed": self.ratio_passed, "minimum_passed": self.minimum_passed,
            "max_payment": f"{a.max_payment:.2f}", "affordable": a.affordable,
            "reasons": list(a.reasons),
        }


def explain_affordability(a: Affordability, *, income_presumed: bool = False,
                          living_minimum_source: str = "", max_ratio_source: str = "",
                          income_source: str = "") -> Explanation:
    """Explain the verdict ``a`` (:func:`~jintiao.domain.affordability.assess_affordability`
    or, for an enterprise, :func:`~jintiao.domain.affordability.assess_cash_flow`): the
    income, the other debts, the household and the living minimum with its source, the
    ratio against its limit, what is left, the most that could be paid."""
    pay, income, obligations = a.payment, a.monthly_income, a.monthly_obligations
    if a.enterprise:
        return _explain_cash_flow(a)
    needed = a.living_minimum * a.household_size
    left = income - obligations - pay
    ratio_passed = income > 0 and pay + obligations <= a.max_ratio * income
    minimum_passed = income > 0 and pay <= a.disposable
    room = (quantize(a.max_ratio * income, CENT, ROUND_DOWN) - obligations) if income else None
    facts = AffordabilityFacts(a, a.household_size, a.household_size - 1, income_presumed,
                               needed, left, room, ratio_passed, minimum_passed,
                               living_minimum_source, max_ratio_source, income_source)
    income_text = (f"债务人未申报收入，按当地月最低工资标准{_yuan(income)}估算"
                   if income_presumed else f"债务人申报的月收入{_yuan(income)}")
    steps = [
        Step("月收入", income_text, _yuan(income), source=income_source if income_presumed
             else ""),
        Step("其他债务月还款", f"其他债务每月须还{_yuan(obligations)}", _yuan(obligations)),
        Step("家庭人数", f"债务人本人及需抚养{a.household_size - 1}人，共{a.household_size}人",
             str(a.household_size)),
        Step("最低生活费", f"每人每月{_yuan(a.living_minimum)} × {a.household_size}人",
             _yuan(needed), source=living_minimum_source),
        Step("可支配收入", f"月收入{_yuan(income)} − 其他债务{_yuan(obligations)} − "
                          f"最低生活费{_yuan(needed)}", _yuan(a.disposable)),
    ]
    if a.debt_service_ratio is None or room is None:  # no income to divide by
        steps.append(Step("结论", "月收入为零，无法负担分期还款", "不可负担"))
    else:
        steps += [
            Step("债务收入比", f"（本方案月还款{_yuan(pay)} + 其他债务{_yuan(obligations)}）÷ "
                              f"月收入{_yuan(income)}，上限{_rate(a.max_ratio)}："
                              + ("未超过" if ratio_passed else "超过上限"),
                 _rate(a.debt_service_ratio), source=max_ratio_source),
            Step("还款后剩余", f"月收入 − 其他债务 − 本方案月还款，与{a.household_size}人最低"
                              f"生活费{_yuan(needed)}相比："
                              + ("不低于" if minimum_passed else "低于最低生活费"), _yuan(left)),
            Step("每月最多可还", f"取两者较小者：比例上限允许{_yuan(room)}"
                                f"（{_rate(a.max_ratio)} × 月收入，减其他债务），"
                                f"可支配收入{_yuan(a.disposable)}；不为负", _yuan(a.max_payment)),
            Step("结论", "两项检验均通过，可负担" if a.affordable
                 else "；".join(r.rstrip("。") for r in a.reasons),
                 "可负担" if a.affordable else "不可负担"),
        ]
    return Explanation(
        kind="affordability", title="可负担性",
        result=("可负担" if a.affordable else "不可负担") + f"（月还款{_yuan(pay)}，每月最多可还"
               f"{_yuan(a.max_payment)}）",
        steps=tuple(steps), facts=facts,
        sources=tuple(s for s in (living_minimum_source, max_ratio_source) if s))


def explain_verdict(a: Affordability, policy: Policy, *, income_presumed: bool = False,
                    sources: Mapping[str, str] | None = None) -> Explanation:
    """Explain a verdict reached under ``policy``: the living minimum, the ratio limit and,
    for a presumed income, the minimum wage, each with its source — the one the version was
    published with (``sources``), else the default of :data:`SOURCES`."""
    def cited(name: str) -> str:
        source = (sources or {}).get(name) or SOURCES[name]
        return f"《{policy.name}》第{policy.version}版：{source}"

    return explain_affordability(
        a, income_presumed=income_presumed,
        living_minimum_source=cited("living_minimum_monthly"),
        max_ratio_source=cited("max_debt_service_ratio"),
        income_source=cited("minimum_wage_monthly"))


def _explain_cash_flow(a: Affordability) -> Explanation:
    pay, flow, obligations = a.payment, a.monthly_income, a.monthly_obligations
    passed = flow > 0 and pay + obligations <= flow
    facts = AffordabilityFacts(a, 1, 0, False, ZERO, flow - obligations - pay,
                               a.disposable if flow else None, passed, passed, "", "", "")
    steps = [
        Step("月经营现金流", f"企业申报每月经营可用于还款{_yuan(flow)}", _yuan(flow)),
        Step("其他债务月还款", f"其他债务每月须还{_yuan(obligations)}", _yuan(obligations)),
        Step("可用于本纠纷", "企业不适用最低生活费和家庭人数：现金流减其他债务",
             _yuan(a.disposable)),
        Step("结论", "本方案月还款不超过可用金额，可负担" if a.affordable
             else "；".join(r.rstrip("。") for r in a.reasons),
             "可负担" if a.affordable else "不可负担"),
    ]
    return Explanation(kind="affordability", title="可负担性（企业）",
                       result=("可负担" if a.affordable else "不可负担")
                       + f"（月还款{_yuan(pay)}，每月最多可还{_yuan(a.max_payment)}）",
                       steps=tuple(steps), facts=facts)


# --- amounts owed and to enforce -------------------------------------------------------------

@dataclass(frozen=True)
class Allocation:
    """One payment and where it went: (instalment, part, amount) in the order applied, and
    what went beyond the schedule."""

    reference: str
    paid_on: dt.date
    amount: Decimal
    parts: tuple[tuple[int, Part, Decimal], ...]
    beyond: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {"reference": self.reference, "paid_on": self.paid_on.isoformat(),
                "amount": f"{self.amount:.2f}",
                "parts": [{"number": n, "part": p.value, "label": p.label,
                           "amount": f"{x:.2f}"} for n, p, x in self.parts],
                "beyond": f"{self.beyond:.2f}"}

    def items(self) -> tuple[str, ...]:
        lines = [f"第{n}期{p.label} {_yuan(x)}" for n, p, x in self.parts]
        if self.beyond:
            lines.append(f"超出全部分期 {_yuan(self.beyond)}")
        return tuple(lines)


@dataclass(frozen=True)
class Moved:
    """An instalment acceleration brought forward, and the interest it dropped."""

    number: int
    scheduled_on: dt.date
    interest_dropped: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "scheduled_on": self.scheduled_on.isoformat(),
                "interest_dropped": f"{self.interest_dropped:.2f}"}


@dataclass(frozen=True)
class LateStretch:
    """A stretch of the doubled interest: ``base`` × ``days`` × the daily rate (unrounded)."""

    number: int
    start: dt.date
    end: dt.date
    base: Decimal
    days: int
    interest: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "from": self.start.isoformat(),
                "to": self.end.isoformat(), "base": f"{self.base:.2f}", "days": self.days,
                "interest": str(self.interest)}


@dataclass(frozen=True)
class AmountFacts:
    """The working of an amount owed on ``on``: the order, each payment's allocation, the
    acceleration and, for an amount to enforce, the revived concessions, the costs and the
    doubled interest (owed before and after money beyond the instalments went to them)."""

    on: dt.date
    order: tuple[Part, ...]
    allocations: tuple[Allocation, ...]
    total_due: Decimal
    total_paid: Decimal
    outstanding: Decimal
    overdue: Decimal
    accelerated_on: dt.date | None = None
    moved: tuple[Moved, ...] = ()
    interest_not_accrued: Decimal = ZERO
    unpaid: Mapping[str, Decimal] = field(default_factory=dict)
    revived: tuple[Decimal, Decimal] = (ZERO, ZERO)  # agreed, still owed
    costs: tuple[Decimal, Decimal] = (ZERO, ZERO)
    late_daily_rate: Decimal | None = None
    late_stretches: tuple[LateStretch, ...] = ()
    late_interest: tuple[Decimal, Decimal] = (ZERO, ZERO)  # accrued (rounded once), owed
    surplus: Decimal = ZERO
    total: Decimal | None = None  # the amount to enforce

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "on": self.on.isoformat(), "order": [p.value for p in self.order],
            "allocations": [a.as_dict() for a in self.allocations],
            "total_due": f"{self.total_due:.2f}", "total_paid": f"{self.total_paid:.2f}",
            "outstanding": f"{self.outstanding:.2f}", "overdue": f"{self.overdue:.2f}",
            "accelerated_on": None if self.accelerated_on is None
            else self.accelerated_on.isoformat(),
            "moved": [m.as_dict() for m in self.moved],
            "interest_not_accrued": f"{self.interest_not_accrued:.2f}",
            "surplus": f"{self.surplus:.2f}",
        }
        if self.total is not None:
            out |= {
                "unpaid": {k: f"{v:.2f}" for k, v in self.unpaid.items()},
                "revived_agreed": f"{self.revived[0]:.2f}", "revived": f"{self.revived[1]:.2f}",
                "costs_claimed": f"{self.costs[0]:.2f}", "costs": f"{self.costs[1]:.2f}",
                "late_daily_rate": None if self.late_daily_rate is None
                else str(self.late_daily_rate),
                "late_stretches": [s.as_dict() for s in self.late_stretches],
                "late_interest_accrued": f"{self.late_interest[0]:.2f}",
                "late_interest": f"{self.late_interest[1]:.2f}",
                "total": f"{self.total:.2f}",
            }
        return out


def _allocations(account_standings: Sequence[Any], payments: Sequence[Paid],
                 on: dt.date) -> tuple[Allocation, ...]:
    by_ref: dict[str, list[tuple[int, Part, Decimal]]] = {}
    for s in account_standings:
        for a in s.applied:
            by_ref.setdefault(a.reference, []).append((s.due.number, a.part, a.amount))
    out = []
    for p in sorted((p for p in payments if p.paid_on <= on),
                    key=lambda p: (p.paid_on, p.reference)):
        parts = tuple(by_ref.get(p.reference, ()))
        out.append(Allocation(p.reference, p.paid_on, p.amount, parts,
                              p.amount - sum((x for _n, _p, x in parts), ZERO)))
    return tuple(out)


def _order_step(order: Sequence[Part]) -> Step:
    agreed = tuple(order) != DEFAULT_ORDER
    return Step("冲抵顺序", f"{'按协议约定' if agreed else '协议未另行约定，依法'}："
                           + " → ".join(p.label for p in order) + "；先到期的分期先冲抵",
                source="调解协议约定" if agreed else LAW_ORDER)


def _moved(dues: Sequence[Due], accelerated_on: dt.date) -> tuple[Moved, ...]:
    return tuple(Moved(d.number, d.due_on, d.interest) for d in dues
                 if d.due_on >= accelerated_on)


def _acceleration_step(accelerated_on: dt.date, moved: Sequence[Moved],
                       missed_instalments: int | None) -> Step:
    why = (f"连续{missed_instalments}期未按期足额还款，触发协议的加速到期条款；"
           if missed_instalments else "")
    dropped = sum((m.interest_dropped for m in moved), ZERO)
    return Step("加速到期", f"{why}{accelerated_on.isoformat()}起尚未到期的{len(moved)}期全部"
                           "提前到期" + (f"，未发生的利息{_yuan(dropped)}不再计收" if dropped
                                          else ""),
                accelerated_on.isoformat(),
                items=tuple(f"第{m.number}期：原定{m.scheduled_on.isoformat()}"
                            + (f"，免计利息{_yuan(m.interest_dropped)}" if m.interest_dropped
                               else "") for m in moved),
                source="调解协议加速到期条款")


def explain_account(dues: Sequence[Due], payments: Sequence[Paid], on: dt.date,
                    order: Sequence[Part] = DEFAULT_ORDER,
                    accelerated_on: dt.date | None = None,
                    missed_instalments: int | None = None) -> Explanation:
    """Explain what is owed on ``on`` (:func:`~jintiao.domain.performance.account_on`):
    the allocation order, each payment's allocation, any acceleration, the totals."""
    account = account_on(dues, payments, on, order, accelerated_on)
    allocations = _allocations(account.standings, payments, on)
    moved = _moved(dues, accelerated_on) if accelerated_on else ()
    dropped = sum((m.interest_dropped for m in moved), ZERO)
    facts = AmountFacts(on, tuple(order), allocations, account.total_due, account.total_paid,
                        account.outstanding, account.overdue_amount, accelerated_on, moved,
                        dropped, surplus=account.surplus)
    steps = [_order_step(order)]
    if accelerated_on is not None:
        steps.append(_acceleration_step(accelerated_on, moved, missed_instalments))
    steps.append(Step("应还合计", f"{len(account.standings)}期分期应还合计"
                      + ("（加速到期后）" if accelerated_on else ""), _yuan(account.total_due)))
    steps += [Step(f"还款 {a.reference}", f"{a.paid_on.isoformat()}还款{_yuan(a.amount)}，依次冲抵",
                   _yuan(a.amount), items=a.items()) for a in allocations]
    steps.append(Step("已还合计", f"{on.isoformat()}前到账的{len(allocations)}笔还款冲抵分期",
                      _yuan(account.total_paid)))
    steps.append(Step("未还", f"应还{_yuan(account.total_due)} − 已还{_yuan(account.total_paid)}",
                      _yuan(account.outstanding)))
    missed = [s for s in account.standings if s.status in (Status.LATE, Status.PARTIAL)]
    if missed:
        steps.append(Step("逾期未还", "已过还款日而未还清的分期",
                          _yuan(account.overdue_amount),
                          items=tuple(f"第{s.due.number}期（{s.due.due_on.isoformat()}）未还"
                                      f"{_yuan(s.unpaid)}" for s in missed)))
    if account.surplus:
        steps.append(Step("多付", "超出全部分期的还款，应退还", _yuan(account.surplus)))
    return Explanation(kind="account", title="未还金额", result=_yuan(account.outstanding),
                       steps=tuple(steps), facts=facts,
                       sources=(LAW_ORDER,) if tuple(order) == DEFAULT_ORDER else ())


def explain_outstanding(dues: Sequence[Due], payments: Sequence[Paid], *, as_of: dt.date,
                        accelerated_on: dt.date, order: Sequence[Part] = DEFAULT_ORDER,
                        revived: Decimal = ZERO, costs: Decimal = ZERO,
                        late_daily_rate: Decimal | None = None,
                        late_rate_source: str = "",
                        missed_instalments: int | None = None) -> Explanation:
    """Explain the amount to enforce (:func:`~jintiao.domain.performance.outstanding`): the
    acceleration, each payment's allocation, what stays unpaid part by part, the revived
    concessions, the doubled interest stretch by stretch, money beyond the instalments and
    the total."""
    out = outstanding(dues, payments, as_of=as_of, accelerated_on=accelerated_on, order=order,
                      revived=revived, costs=costs, late_daily_rate=late_daily_rate)
    owed, _dropped = accelerate(dues, accelerated_on)
    account = account_on(owed, payments, as_of, order)
    allocations = _allocations(account.standings, payments, as_of)
    moved = _moved(dues, accelerated_on)
    stretches: tuple[LateStretch, ...] = ()
    accrued = ZERO
    if late_daily_rate is not None:
        with localcontext() as ctx:
            ctx.prec = PRECISION
            stretches = tuple(LateStretch(x.number, x.start, x.end, x.base, x.days,
                                          x.base * x.days * late_daily_rate)
                              for x in out.late_days)
            accrued = quantize(sum((x.base * x.days for x in out.late_days), Decimal(0))
                               * late_daily_rate)
    unpaid = {"principal": out.principal, "interest": out.interest, "arrears": out.arrears}
    facts = AmountFacts(as_of, tuple(order), allocations, account.total_due, account.total_paid,
                        account.outstanding, account.overdue_amount, accelerated_on, moved,
                        out.interest_not_accrued, unpaid, (revived, out.revived),
                        (costs, out.costs), late_daily_rate, stretches,
                        (accrued, out.late_interest), out.surplus, out.total)
    steps = [_acceleration_step(accelerated_on, moved, missed_instalments), _order_step(order),
             Step("加速到期后应还", f"{len(account.standings)}期分期合计",
                  _yuan(account.total_due))]
    steps += [Step(f"还款 {a.reference}", f"{a.paid_on.isoformat()}还款{_yuan(a.amount)}，依次冲抵",
                   _yuan(a.amount), items=a.items()) for a in allocations]
    steps.append(Step("分期未还", f"计算至{as_of.isoformat()}", _yuan(account.outstanding),
                      items=(f"未还本金 {_yuan(out.principal)}", f"约定利息 {_yuan(out.interest)}",
                             f"欠息及费用 {_yuan(out.arrears)}")))
    if revived:
        steps.append(Step("恢复计收的减免款", f"协议约定的附条件减免{_yuan(revived)}因违约恢复计收",
                          _yuan(out.revived), source="调解协议附条件减免条款"))
    if costs:
        steps.append(Step("实现债权的费用", f"债权人主张的费用{_yuan(costs)}", _yuan(out.costs)))
    if late_daily_rate is None:
        steps.append(Step("迟延履行利息", "协议未经司法确认，不是生效法律文书，不计迟延履行期间的"
                                         "加倍部分债务利息", _yuan(ZERO)))
    else:
        steps.append(Step(
            "迟延履行利息", f"未还本金 × 日{_rate(late_daily_rate)} × 逾期天数，各段相加后"
                           "一次取整到分（利息、罚息不计入基数）", _yuan(accrued),
            items=tuple(f"第{s.number}期：{s.start.isoformat()}至{s.end.isoformat()}，"
                        f"{_yuan(s.base)} × {s.days}天 × {_rate(late_daily_rate)} = "
                        f"{quantize(s.interest, Decimal('0.0001'))}元" for s in stretches),
            source=late_rate_source or LAW_LATE_INTEREST))
    if account.surplus:
        steps.append(Step("超出分期的还款", "依次冲抵恢复计收的减免款、实现债权的费用，迟延履行"
                                           "利息最后冲抵", _yuan(account.surplus),
                          source=LAW_LATE_LAST))
    steps.append(Step("申请执行金额", "未还本金 + 约定利息 + 欠息及费用 + 恢复计收的减免款 + "
                                     "迟延履行利息 + 实现债权的费用", _yuan(out.total)))
    if out.surplus:
        steps.append(Step("多付", "超出全部应付款项，应退还", _yuan(out.surplus)))
    sources = [LAW_ORDER, *([LAW_LATE_INTEREST] if late_daily_rate is not None else [])]
    return Explanation(kind="enforcement", title="申请执行金额", result=_yuan(out.total),
                       steps=tuple(steps), facts=facts, sources=tuple(sources))
