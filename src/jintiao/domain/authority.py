"""Institution authority (分级/动态/异地授权): how far an agent may go without asking.

Each agent, and each approver up the institution's tree, holds limits per kind of
concession: the share of interest, penalties and fees it may waive, the principal it may
waive, the longest term, the lowest rate and the longest deferral. A plan beyond the
agent's limits is not refused — it needs an approver whose limits cover it, possibly at a
higher node in another city. This module says which limits a plan exceeds and who, on a
ladder of holders, can approve it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.money import ZERO, require_rate
from jintiao.domain.plans import MenuItem, PlanFigures
from jintiao.domain.schedules import MAX_PERIODS


class AuthorityInvalid(DomainError):
    code = ErrorCode.AUTHORITY_INVALID


@dataclass(frozen=True)
class AuthorityLimits:
    """What one holder may grant on its own. Ratios are fractions of what is owed."""

    max_charge_waiver_ratio: Decimal = ZERO
    max_principal_waiver_ratio: Decimal = ZERO
    max_term_months: int = 12
    min_annual_rate: Decimal = ZERO
    max_deferral_months: int = 0

    def __post_init__(self) -> None:
        for name, label in (("max_charge_waiver_ratio", "费息减免比例上限"),
                            ("max_principal_waiver_ratio", "本金减免比例上限"),
                            ("min_annual_rate", "最低年利率")):
            object.__setattr__(self, name, require_rate(getattr(self, name), field=name,
                                                        label=label, error=AuthorityInvalid))
        for name, label, low in (("max_term_months", "最长期限（月）", 1),
                                 ("max_deferral_months", "最长延期（月）", 0)):
            value = getattr(self, name)
            if (not isinstance(value, int) or isinstance(value, bool)
                    or not low <= value <= MAX_PERIODS):
                raise AuthorityInvalid(f"{label}必须是{low}到{MAX_PERIODS}之间的整数：{value!r}",
                                       f"{name} must be an integer {low}..{MAX_PERIODS}",
                                       field=name)

    def covers(self, other: AuthorityLimits) -> bool:
        """Whether these limits allow everything ``other`` allows."""
        return (self.max_charge_waiver_ratio >= other.max_charge_waiver_ratio
                and self.max_principal_waiver_ratio >= other.max_principal_waiver_ratio
                and self.max_term_months >= other.max_term_months
                and self.min_annual_rate <= other.min_annual_rate
                and self.max_deferral_months >= other.max_deferral_months)


@dataclass(frozen=True)
class Excess:
    """One limit a plan goes beyond: what it asks and what the holder may grant, in words."""

    limit: str
    label: str
    asked: str
    allowed: str

    @property
    def sentence(self) -> str:
        return f"{self.label}：方案为{self.asked}，授权为{self.allowed}"


def _pct(ratio: Decimal) -> str:
    return f"{ratio * 100:.2f}%"


@dataclass(frozen=True)
class PlanAsks:
    """What a plan asks of the creditor, in the terms authority limits are written in."""

    charge_waiver_ratio: Decimal
    principal_waiver_ratio: Decimal
    term_months: int
    annual_rate: Decimal
    deferral_months: int

    @classmethod
    def of(cls, figures: PlanFigures, principal_owed: Decimal) -> PlanAsks:
        o = figures.options
        ratio = (figures.principal_waived / principal_owed).quantize(Decimal("0.0001")) \
            if principal_owed else ZERO
        return cls(figures.charge_waiver_ratio, ratio, figures.term_months, o.annual_rate,
                   o.deferral_months + o.grace_periods)

    @classmethod
    def of_menu(cls, item: MenuItem) -> PlanAsks:
        """What a standard menu item asks on any claim: its term and rate, and at most its
        ratio of the charges (a ratio of some of them never gives up more); a menu item
        waives no principal and grants no grace or deferral."""
        return cls(item.charge_waiver_ratio, ZERO, item.periods, item.annual_rate, 0)


def excesses(asks: PlanAsks, limits: AuthorityLimits) -> list[Excess]:
    """The limits ``asks`` goes beyond (empty: the holder may accept it alone)."""
    out = []
    if asks.charge_waiver_ratio > limits.max_charge_waiver_ratio:
        out.append(Excess("max_charge_waiver_ratio", "利息、罚息及费用减免比例",
                          _pct(asks.charge_waiver_ratio), _pct(limits.max_charge_waiver_ratio)))
    if asks.principal_waiver_ratio > limits.max_principal_waiver_ratio:
        out.append(Excess("max_principal_waiver_ratio", "本金减免比例",
                          _pct(asks.principal_waiver_ratio),
                          _pct(limits.max_principal_waiver_ratio)))
    if asks.term_months > limits.max_term_months:
        out.append(Excess("max_term_months", "还款期限", f"{asks.term_months}个月",
                          f"{limits.max_term_months}个月"))
    if asks.annual_rate < limits.min_annual_rate:
        out.append(Excess("min_annual_rate", "年利率", _pct(asks.annual_rate),
                          f"不低于{_pct(limits.min_annual_rate)}"))
    if asks.deferral_months > limits.max_deferral_months:
        out.append(Excess("max_deferral_months", "延期及宽限", f"{asks.deferral_months}个月",
                          f"{limits.max_deferral_months}个月"))
    return out


Holder = TypeVar("Holder")


def first_able(asks: PlanAsks, ladder: Sequence[tuple[Holder, AuthorityLimits]]
               ) -> Holder | None:
    """The first holder on ``ladder`` (nearest node first) whose limits cover ``asks``."""
    for holder, limits in ladder:
        if not excesses(asks, limits):
            return holder
    return None
