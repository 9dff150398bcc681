"""Court fees: what litigation would cost, so reports can say what mediation saved.

The brackets are the State Council's 诉讼费用交纳办法 (in force 2007-04-01) as data; the
functions walk them. Judicial confirmation costs nothing (Art. 8(1); 法释〔2011〕5号 Art. 11).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.explain import Explanation, Step
from jintiao.domain.money import CENT, ZERO, AmountInvalid, format_amount, money, quantize


class FeeInvalid(DomainError):
    """A fee cannot be computed for this input."""

    code = ErrorCode.FEE_INVALID


@dataclass(frozen=True)
class Bracket:
    """The part of the amount up to ``upper`` (``None``: no limit) pays ``rate``."""

    upper: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class FeeSchedule:
    """A progressive fee: ``base_fee`` covers the amount up to ``base_upto``, then brackets."""

    name: str
    source: str
    valid_from: dt.date
    base_upto: Decimal
    base_fee: Decimal
    brackets: tuple[Bracket, ...]
    cap: Decimal | None = None


def _b(upper: str | None, rate: str) -> Bracket:
    return Bracket(None if upper is None else Decimal(upper), Decimal(rate))


ACCEPTANCE_FEES_2007 = FeeSchedule(
    name="财产案件受理费",
    source="诉讼费用交纳办法第十三条第（一）项",
    valid_from=dt.date(2007, 4, 1),
    base_upto=Decimal("10000"),
    base_fee=Decimal("50"),
    brackets=(
        _b("100000", "0.025"), _b("200000", "0.02"), _b("500000", "0.015"),
        _b("1000000", "0.01"), _b("2000000", "0.009"), _b("5000000", "0.008"),
        _b("10000000", "0.007"), _b("20000000", "0.006"), _b(None, "0.005"),
    ),
)
ENFORCEMENT_FEES_2007 = FeeSchedule(
    name="申请执行费",
    source="诉讼费用交纳办法第十四条第（一）项",
    valid_from=dt.date(2007, 4, 1),
    base_upto=Decimal("10000"),
    base_fee=Decimal("50"),
    brackets=(
        _b("500000", "0.015"), _b("5000000", "0.01"), _b("10000000", "0.005"),
        _b(None, "0.001"),
    ),
)
PRESERVATION_FEES_2007 = FeeSchedule(
    name="财产保全申请费",
    source="诉讼费用交纳办法第十四条第（二）项",
    valid_from=dt.date(2007, 4, 1),
    base_upto=Decimal("1000"),
    base_fee=Decimal("30"),
    brackets=(_b("100000", "0.01"), _b(None, "0.005")),
    cap=Decimal("5000"),
)


class Procedure(StrEnum):
    """How the suit would end; simple procedure and mediation each halve the fee."""

    ORDINARY = "ordinary"
    SIMPLE = "simple"
    MEDIATED = "mediated"
    SIMPLE_MEDIATED = "simple_mediated"

    @property
    def label(self) -> str:
        return {
            "ordinary": "普通程序",
            "simple": "简易程序",
            "mediated": "调解或撤诉结案",
            "simple_mediated": "简易程序且调解结案",
        }[self.value]


@dataclass(frozen=True)
class FeeLine:
    """One bracket's share: the part of the amount in it, its rate and what it adds.

    ``fee`` is unrounded: the rounding happens once, on the total.
    """

    lower: Decimal
    upper: Decimal | None
    rate: Decimal | None
    base: Decimal
    fee: Decimal


@dataclass(frozen=True)
class FeeResult:
    """A computed fee with the working that produced it."""

    kind: str
    amount: Decimal
    full_fee: Decimal
    fee: Decimal
    halvings: int
    quantum: Decimal
    lines: tuple[FeeLine, ...]
    source: str
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "amount": f"{self.amount:.2f}",
            "full_fee": f"{self.full_fee:.2f}",
            "fee": f"{self.fee:.2f}",
            "halvings": self.halvings,
            "quantum": str(self.quantum),
            "lines": [
                {
                    "lower": f"{line.lower:.2f}",
                    "upper": None if line.upper is None else f"{line.upper:.2f}",
                    "rate": None if line.rate is None else str(line.rate),
                    "base": f"{line.base:.2f}",
                    "fee": str(line.fee),
                }
                for line in self.lines
            ],
            "source": self.source,
            "notes": list(self.notes),
        }

    @property
    def raw_fee(self) -> Decimal:
        """The brackets' fees added up, before any cap and rounding."""
        return sum((line.fee for line in self.lines), Decimal(0))

    def explain(self) -> Explanation:
        """How the fee was computed: each bracket's range, rate, the part of the amount in
        it and its fee, the sum, any cap, the rounding, the halvings with their articles."""
        return explain_fee(self)


KIND_LABELS = {"acceptance": "案件受理费", "enforcement": "申请执行费",
               "preservation": "财产保全申请费", "payment_order": "申请支付令费"}
HALVING_SOURCE = "诉讼费用交纳办法第十五条（调解结案或撤诉减半）、第十六条（简易程序减半）"


def _yuan(amount: Decimal) -> str:
    return f"{format_amount(amount)}元"


def _bracket_step(line: FeeLine) -> Step:
    if line.rate is None:
        return Step(f"不超过{format_amount(line.upper or ZERO)}元的部分",
                    f"{_yuan(line.base)}，每件交纳{_yuan(line.fee)}", _yuan(line.fee))
    upper = "" if line.upper is None else f"至{format_amount(line.upper)}元"
    return Step(f"超过{format_amount(line.lower)}元{upper}的部分",
                f"{_yuan(line.base)} × {(line.rate * 100).normalize():f}%", _exact(line.fee))


def _exact(amount: Decimal) -> str:
    """An unrounded amount: to the fen when that is exact, else every digit it has."""
    if amount == amount.quantize(CENT):
        return _yuan(amount)
    return f"{amount.normalize():,f}元"


def explain_fee(result: FeeResult) -> Explanation:
    """The working of ``result`` as steps; :meth:`FeeResult.explain` calls this."""
    label = KIND_LABELS.get(result.kind, result.kind)
    steps: list[Step] = []
    if not result.lines:  # an enforcement without a monetary amount
        steps.append(Step("没有执行金额", "每件交纳50元至500元，由法院酌定；此处取最低额",
                          _yuan(result.fee), source=result.source))
    else:
        steps.append(Step("计费金额", f"{label}按金额分段累进计算", _yuan(result.amount),
                          source=result.source))
        steps += [_bracket_step(line) for line in result.lines]
        raw = result.raw_fee
        steps.append(Step("各段合计", "各段费用相加（未取整）", _exact(raw)))
        cap = PRESERVATION_FEES_2007.cap if result.kind == "preservation" else None
        if cap is not None and raw > cap:
            steps.append(Step("最高限额", f"财产保全申请费最多不超过{_yuan(cap)}", _yuan(cap),
                              source=result.source))
        if result.kind == "payment_order":
            steps.append(Step("案件受理费全额", f"取整到{result.quantum}元",
                              _yuan(result.full_fee)))
            steps.append(Step("三分之一", "按财产案件受理费标准的三分之一交纳",
                              _yuan(result.fee), source=result.source))
        else:
            steps.append(Step("取整", f"精确到{result.quantum}元（四舍五入）",
                              _yuan(result.full_fee)))
        if result.halvings:
            why = "；".join(n for n in result.notes if "减半" in n)
            steps.append(Step("减半", f"全额{_yuan(result.full_fee)} ÷ {2 ** result.halvings}，"
                                      f"取整：{why}", _yuan(result.fee), source=HALVING_SOURCE))
    sources = [result.source, *([HALVING_SOURCE] if result.halvings else [])]
    return Explanation(kind="fee", title=label, result=_yuan(result.fee), steps=tuple(steps),
                       facts=result, sources=tuple(sources),
                       notes=tuple(n for n in result.notes if "减半" not in n))


def _amount(value: Decimal, *, allow_zero: bool = False) -> Decimal:
    try:
        amount = money(value)
    except AmountInvalid as exc:
        raise FeeInvalid(exc.message, exc.message_en, amount=value) from None
    if amount == 0 and not allow_zero:
        raise FeeInvalid(
            "财产案件应有诉讼标的额（大于0）", "a property claim needs an amount above 0",
            amount=value,
        )
    return amount


def _quantum(quantum: Decimal) -> Decimal:
    """Return the canonical rounding unit: 1.00 equals 1 but would quantize to the fen."""
    for unit in (CENT, Decimal("0.1"), Decimal("1")):
        if quantum == unit:
            return unit
    raise FeeInvalid("取整单位只能是0.01、0.1或1元", "quantum must be 0.01, 0.1 or 1",
                     quantum=quantum)


def progressive_fee(amount: Decimal, schedule: FeeSchedule) -> tuple[Decimal, tuple[FeeLine, ...]]:
    """Walk ``schedule`` over ``amount``; return the unrounded fee and its lines."""
    lines = [FeeLine(ZERO, schedule.base_upto, None, min(amount, schedule.base_upto),
                     schedule.base_fee)]
    lower = schedule.base_upto
    for bracket in schedule.brackets:
        if amount <= lower:
            break
        top = amount if bracket.upper is None else min(amount, bracket.upper)
        base = top - lower
        lines.append(FeeLine(lower, bracket.upper, bracket.rate, base, base * bracket.rate))
        if bracket.upper is None:
            break
        lower = bracket.upper
    total = sum((line.fee for line in lines), Decimal(0))
    if schedule.cap is not None:
        total = min(total, schedule.cap)
    return total, tuple(lines)


def acceptance_fee(
    amount: Decimal,
    *,
    procedure: Procedure = Procedure.ORDINARY,
    stack_halvings: bool = False,
    quantum: Decimal = CENT,
    schedule: FeeSchedule = ACCEPTANCE_FEES_2007,
) -> FeeResult:
    """Compute the case-acceptance fee for a property claim (诉讼费用交纳办法 Art. 13(1)).

    Halved for mediation or withdrawal (Art. 15) and for simple procedure (Art. 16). Whether
    the two halvings stack is unsettled; the common view halves once, and ``stack_halvings``
    (a policy setting) quarters it instead. The full fee is rounded first, as courts show
    it, then halved and rounded again.

    :raises FeeInvalid: no amount, a negative or inexact amount, an unknown rounding unit
    """
    value = _amount(amount)
    step = _quantum(quantum)
    raw, lines = progressive_fee(value, schedule)
    full = quantize(raw, step, ROUND_HALF_UP)
    halvings = {
        Procedure.ORDINARY: 0, Procedure.SIMPLE: 1, Procedure.MEDIATED: 1,
        Procedure.SIMPLE_MEDIATED: 2 if stack_halvings else 1,
    }[Procedure(procedure)]
    fee = quantize(full / (2**halvings), step, ROUND_HALF_UP)
    notes: list[str] = []
    if procedure is Procedure.SIMPLE_MEDIATED and not stack_halvings:
        notes.append("简易程序与调解结案的减半不叠加，只减半一次（通常理解）")
    if halvings:
        notes.append(f"{Procedure(procedure).label}：减半收取（诉讼费用交纳办法第十五、十六条）")
    return FeeResult(
        kind="acceptance", amount=value, full_fee=full, fee=quantize(fee, CENT), halvings=halvings,
        quantum=step, lines=lines, source=schedule.source, notes=tuple(notes),
    )


def enforcement_fee(amount: Decimal | None, *, quantum: Decimal = CENT) -> FeeResult:
    """Compute the enforcement application fee (诉讼费用交纳办法 Art. 14(1)).

    It is not paid in advance: the court collects it after enforcement and the debtor bears
    it (Arts. 20, 38). Without a monetary amount the fee is 50–500 yuan at the court's
    discretion; the minimum is returned and the range noted.
    """
    step = _quantum(quantum)
    notes = ("执行后交纳，由被执行人负担（诉讼费用交纳办法第二十条、第三十八条）",)
    if amount is None:
        fee = Decimal("50.00")
        return FeeResult(
            kind="enforcement", amount=ZERO, full_fee=fee, fee=fee, halvings=0, quantum=step,
            lines=(), source=ENFORCEMENT_FEES_2007.source,
            notes=("没有执行金额的，每件交纳50元至500元，由法院酌定；此处取最低额", *notes),
        )
    value = _amount(amount)
    raw, lines = progressive_fee(value, ENFORCEMENT_FEES_2007)
    fee = quantize(quantize(raw, step), CENT)
    return FeeResult(kind="enforcement", amount=value, full_fee=fee, fee=fee, halvings=0,
                     quantum=step, lines=lines, source=ENFORCEMENT_FEES_2007.source, notes=notes)


def preservation_fee(amount: Decimal, *, quantum: Decimal = CENT) -> FeeResult:
    """Compute the property-preservation application fee, capped at 5,000 (Art. 14(2))."""
    step = _quantum(quantum)
    value = _amount(amount)
    raw, lines = progressive_fee(value, PRESERVATION_FEES_2007)
    fee = quantize(quantize(raw, step), CENT)
    notes = ("最多不超过5,000元",) if raw == PRESERVATION_FEES_2007.cap else ()
    return FeeResult(kind="preservation", amount=value, full_fee=fee, fee=fee, halvings=0,
                     quantum=step, lines=lines, source=PRESERVATION_FEES_2007.source, notes=notes)


def payment_order_fee(amount: Decimal, *, quantum: Decimal = CENT) -> FeeResult:
    """Compute the payment-order fee: a third of the acceptance fee (Art. 14(3))."""
    base = acceptance_fee(amount, quantum=quantum)
    fee = quantize(quantize(base.full_fee / 3, _quantum(quantum)), CENT)
    return FeeResult(kind="payment_order", amount=base.amount, full_fee=base.full_fee, fee=fee,
                     halvings=0, quantum=base.quantum, lines=base.lines,
                     source="诉讼费用交纳办法第十四条第（三）项",
                     notes=("按财产案件受理费标准的三分之一交纳",))


def confirmation_fee() -> Decimal:
    """Return the fee for judicial confirmation: none (Art. 8(1); 法释〔2011〕5号 Art. 11)."""
    return ZERO


@dataclass(frozen=True)
class Saving:
    """What a free mediated settlement avoided compared with suing."""

    amount: Decimal
    acceptance_fee: Decimal
    lawyer_fee: Decimal
    total: Decimal
    procedure: Procedure
    notes: tuple[str, ...]
    acceptance: FeeResult | None = None  # the fee's own working
    lawyer_fee_rate: Decimal | None = None
    lawyer_fee_minimum: Decimal | None = None

    def explain(self) -> Explanation:
        """How the saving was estimated: the acceptance fee bracket by bracket, the lawyer's
        fee at the policy's rate with its minimum, and their sum."""
        steps: list[Step] = []
        if self.acceptance is not None:
            fee = self.acceptance.explain()
            steps += [Step(f"受理费：{s.label}", s.text, s.value, s.items, s.source)
                      for s in fee.steps]
        if self.lawyer_fee_rate is not None:
            step = self.acceptance.quantum if self.acceptance else CENT
            by_rate = quantize(self.amount * self.lawyer_fee_rate, step)
            rate = f"{(self.lawyer_fee_rate * 100).normalize():f}%"
            floor = _yuan(self.lawyer_fee_minimum or ZERO)
            steps.append(Step("律师费（估算）", f"标的额{_yuan(self.amount)} × {rate} = "
                                              f"{_yuan(by_rate)}，不低于最低额{floor}",
                              _yuan(self.lawyer_fee),
                              source="当地律师服务收费指导标准（规则配置的估算值）"))
        steps.append(Step("节约诉讼成本", f"案件受理费{_yuan(self.acceptance_fee)} + 律师费"
                                         f"{_yuan(self.lawyer_fee)}；人民调解和司法确认不收费",
                          _yuan(self.total), source="人民调解法第四条；法释〔2011〕5号第十一条"))
        return Explanation(kind="saving", title="调解结案节约诉讼成本（估算）",
                           result=_yuan(self.total), steps=tuple(steps), facts=self,
                           sources=tuple(dict.fromkeys(
                               [*(self.acceptance.explain().sources if self.acceptance else ()),
                                "人民调解法第四条"])))

    def as_dict(self) -> dict[str, Any]:
        return {
            "amount": f"{self.amount:.2f}",
            "acceptance_fee": f"{self.acceptance_fee:.2f}",
            "lawyer_fee": f"{self.lawyer_fee:.2f}",
            "total": f"{self.total:.2f}",
            "procedure": self.procedure.value,
            "notes": list(self.notes),
        }


def litigation_saving(
    amount: Decimal,
    *,
    lawyer_fee_rate: Decimal,
    lawyer_fee_minimum: Decimal = ZERO,
    procedure: Procedure = Procedure.ORDINARY,
    quantum: Decimal = CENT,
) -> Saving:
    """Estimate the litigation cost a mediated settlement saved (reports' 节约诉讼成本).

    People's mediation is free (人民调解法 Art. 4) and so is confirmation, so the saving is
    the acceptance fee the creditor would have paid plus an estimated lawyer's fee; the
    rate and minimum are policy, set from the local lawyer-fee guidance.
    """
    if not isinstance(lawyer_fee_rate, Decimal) or not 0 <= lawyer_fee_rate <= 1:
        raise FeeInvalid("律师费估算比例必须在0到1之间", "lawyer fee rate must be in [0, 1]",
                         rate=lawyer_fee_rate)
    minimum = _amount(lawyer_fee_minimum, allow_zero=True)
    fee = acceptance_fee(amount, procedure=procedure, quantum=quantum)
    lawyer = max(quantize(fee.amount * lawyer_fee_rate, _quantum(quantum)), minimum)
    lawyer = quantize(lawyer, CENT)
    return Saving(
        amount=fee.amount, acceptance_fee=fee.fee, lawyer_fee=lawyer, total=fee.fee + lawyer,
        procedure=Procedure(procedure), acceptance=fee, lawyer_fee_rate=lawyer_fee_rate,
        lawyer_fee_minimum=minimum,
        notes=("人民调解不收费（人民调解法第四条），司法确认不收费",
               f"律师费按标的额的{lawyer_fee_rate * 100:.4g}%估算，最低{minimum:.2f}元"),
    )
