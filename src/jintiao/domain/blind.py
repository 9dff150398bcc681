"""Blind offers (背靠背报价): private bounds, an answer that never gives them away.

Each side enters a bound it shows no one: the creditor the least total it will accept and
the longest term; the debtor the most per month and the most in total. The deal family is
an interest-free plan of equal monthly instalments (the last one takes the rounding), so a
total ``T`` over ``n`` months works for both when

    T ≥ creditor.min_total,  n ≤ creditor.max_term_months,
    T ≤ debtor.max_total,    largest instalment of T over n ≤ debtor.max_monthly.

The system says only whether such a plan exists and, if it does, proposes one.

**How the proposal is chosen, and what it leaks.** An exact midpoint of the overlap would
let the debtor, who knows the top of the overlap (usually his own maximum), compute the
creditor's minimum as ``2T − top``. Instead the total is drawn at random from the feasible
totals on a coarse grid (a step of about 1 % of the claim, whole hundreds of yuan), keeping
only the middle half of them; the term is drawn the same way from the feasible terms.
What a side still learns from a proposal ``T`` and its own bound:

* that the other's bound admits ``T`` (inevitable for any proposal inside the overlap);
* roughly where it lies: with the top ``hi`` known, the creditor's minimum is somewhere in
  ``[4T − 3·hi, (4T − hi) / 3]``, widened by a grid step — a band, not a figure;
* when the overlap is narrower than a step, both bounds to within that overlap (any
  proposal inside a narrow overlap does that).

**Rounds.** A negotiation allows the policy's number of rounds (three by default); a
round with no overlap tells each side only "no overlap", and the first overlap ends the
negotiation with its proposal, so probing learns at most one bit per round. The service
counts the rounds; this module computes one.

**Authority.** A bank agent's bound may not go beyond its authority. When the bounds do
not overlap but would within what an approver higher up may grant, the answer is "needs
approval", never the bound.

**What a bound is.** Each figure of a bound lies between nothing and the claim's total:
below zero or above the total it is outside the claim and refused
(:class:`BoundOutsideClaim`). Which figures make a side's bound complete is decided once, by
:func:`bound_of`, for every form and endpoint that takes one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum
from typing import TypeVar

from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.money import CENT, ZERO, format_amount, require_amount, split_evenly
from jintiao.domain.schedules import MAX_PERIODS

HUNDRED = Decimal("100")
T = TypeVar("T")


class OfferInvalid(DomainError):
    code = ErrorCode.OFFER_INVALID


class BoundIncomplete(OfferInvalid):
    """A side's bound lacks one of the two figures that side must give."""

    code = ErrorCode.BLIND_BOUND_INCOMPLETE


class BoundOutsideClaim(OfferInvalid):
    """A bound's figure below zero or above the claim's total."""

    code = ErrorCode.BLIND_BOUND_OUTSIDE_CLAIM


# Each figure of a bound: its Chinese label, by side and field name.
BOUND_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "creditor": (("min_total", "可接受的最低还款总额"), ("max_term_months", "最长期限")),
    "debtor": (("max_monthly", "每月最多还款"), ("max_total", "最多还款总额")),
}
SIDE_LABELS = {"creditor": "债权人", "debtor": "债务人"}


def _months(value: object, field: str, label: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_PERIODS:
        raise OfferInvalid(f"{label}必须是1到{MAX_PERIODS}之间的整数：{value!r}",
                           f"{field} must be an integer 1..{MAX_PERIODS}", field=field)
    return value


def _positive(value: Decimal, field: str, label: str) -> Decimal:
    if (isinstance(value, Decimal | int) and not isinstance(value, bool)
            and Decimal(value).is_finite() and value < 0):
        raise BoundOutsideClaim(f"{label}不能为负数：底线须在零与债权总额之间",
                                f"{field} is negative: a bound lies between 0 and the claim",
                                field=field)
    amount = require_amount(value, field=field, label=label, error=OfferInvalid)
    if amount <= 0:
        raise OfferInvalid(f"{label}必须大于零", f"{field} must be positive", field=field)
    return amount


@dataclass(frozen=True)
class CreditorBound:
    min_total: Decimal
    max_term_months: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "min_total", _positive(self.min_total, "min_total",
                                                        "可接受的最低还款总额"))
        _months(self.max_term_months, "max_term_months", "可接受的最长期限（月）")


@dataclass(frozen=True)
class DebtorBound:
    max_monthly: Decimal
    max_total: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_monthly", _positive(self.max_monthly, "max_monthly",
                                                          "每月最多还款"))
        object.__setattr__(self, "max_total", _positive(self.max_total, "max_total",
                                                        "最多还款总额"))
        if self.max_monthly > self.max_total:  # a month cannot hold more than the whole
            raise OfferInvalid(
                f"每月最多还款{format_amount(self.max_monthly)}元超过最多还款总额"
                f"{format_amount(self.max_total)}元",
                "max_monthly is above max_total", field="max_monthly")


def bound_of(
    side: str,
    *,
    min_total: Decimal | None = None,
    max_term_months: int | None = None,
    max_monthly: Decimal | None = None,
    max_total: Decimal | None = None,
) -> CreditorBound | DebtorBound:
    """The bound ``side`` enters from the figures given: the creditor's least total and
    longest term, the debtor's most a month and most in all; the other side's are ignored.

    :raises BoundIncomplete: one of the side's two figures is missing (``field`` names the
        first missing one)
    :raises OfferInvalid: an unknown side, or a figure out of range
    """
    if side not in BOUND_FIELDS:
        raise OfferInvalid("报底线的一方无效", f"unknown side: {side!r}", field="side")
    if side == "creditor":
        if min_total is not None and max_term_months is not None:
            return CreditorBound(min_total, max_term_months)
    elif max_monthly is not None and max_total is not None:
        return DebtorBound(max_monthly, max_total)
    given = {"min_total": min_total, "max_term_months": max_term_months,
             "max_monthly": max_monthly, "max_total": max_total}
    missing = [name for name, _label in BOUND_FIELDS[side] if given[name] is None]
    labels = "和".join(label for _name, label in BOUND_FIELDS[side])
    raise BoundIncomplete(f"{SIDE_LABELS[side]}底线须填写{labels}",
                          f"a {side} bound needs {' and '.join(missing)}",
                          field=missing[0], missing=",".join(missing))


def require_within_claim(bound: CreditorBound | DebtorBound, claim_total: Decimal) -> None:
    """Refuse a bound whose figure is above the claim's total: no interest-free plan asks
    more than the claim, so such a bound says nothing and would only mislead the match.

    :raises BoundOutsideClaim: the figure above the total (``field`` names it)
    """
    figures = ((("min_total", "可接受的最低还款总额", bound.min_total),)
               if isinstance(bound, CreditorBound)
               else (("max_total", "最多还款总额", bound.max_total),
                     ("max_monthly", "每月最多还款", bound.max_monthly)))
    for name, label, amount in figures:
        if not ZERO <= amount <= claim_total:
            raise BoundOutsideClaim(
                f"{label}{format_amount(amount)}元超过债权总额{format_amount(claim_total)}元："
                f"底线须在零与债权总额之间",
                f"{name} {amount} is above the claim's total {claim_total}",
                field=name, claim_total=claim_total)


class Outcome(StrEnum):
    OVERLAP = "overlap"
    NO_OVERLAP = "no_overlap"
    NEEDS_APPROVAL = "needs_approval"

    @property
    def label(self) -> str:
        return {"overlap": "双方底线有交集，系统已提出建议方案",
                "no_overlap": "双方底线暂无交集",
                "needs_approval": "在经办人授权内无交集，需上级审批人授权"}[self.value]


@dataclass(frozen=True)
class Proposal:
    """An interest-free plan: ``periods`` monthly instalments totalling ``total``."""

    total: Decimal
    periods: int

    @property
    def instalments(self) -> list[Decimal]:
        return split_evenly(self.total, self.periods)

    @property
    def monthly(self) -> Decimal:
        return self.instalments[0]

    @property
    def largest(self) -> Decimal:
        return self.instalments[-1]


@dataclass(frozen=True)
class Match:
    outcome: Outcome
    proposal: Proposal | None = None


def grid_step(claim_total: Decimal, ratio: Decimal) -> Decimal:
    """The proposal grid: ``ratio`` of the claim rounded up to whole hundreds, at least 100."""
    raw = (claim_total * ratio / HUNDRED).to_integral_value(ROUND_CEILING) * HUNDRED
    return max(HUNDRED, raw)


def _fits(total: Decimal, periods: int, debtor: DebtorBound) -> bool:
    return split_evenly(total, periods)[-1] <= debtor.max_monthly


def _middle_half(items: list[T]) -> list[T]:
    cut = len(items) // 4
    return items[cut:len(items) - cut] or items


def candidate_totals(creditor: CreditorBound, debtor: DebtorBound, step: Decimal
                     ) -> list[Decimal]:
    """The totals a proposal may take: feasible grid points in the middle half of the
    overlap; whole yuan when the overlap holds no grid point; empty without overlap."""
    lo = creditor.min_total
    hi = min(debtor.max_total, debtor.max_monthly * creditor.max_term_months)
    if lo > hi:
        return []
    first = (lo / step).to_integral_value(ROUND_CEILING) * step
    grid = []
    point = first
    while point <= hi:
        if _fits(point, creditor.max_term_months, debtor):
            grid.append(point)
        point += step
    if not grid:  # the overlap is narrower than a step: whole yuan inside it
        start = lo.to_integral_value(ROUND_CEILING)
        end = hi.to_integral_value(ROUND_FLOOR)
        grid = [Decimal(v) for v in range(int(start), int(end) + 1)
                if _fits(Decimal(v), creditor.max_term_months, debtor)][:10_000]
        if not grid and _fits(lo, creditor.max_term_months, debtor) and lo <= hi:
            grid = [lo.quantize(CENT)]
    return _middle_half(grid)


def candidate_terms(total: Decimal, creditor: CreditorBound, debtor: DebtorBound) -> list[int]:
    """The terms a proposal of ``total`` may take: the middle half of the feasible ones."""
    terms = [n for n in range(1, creditor.max_term_months + 1) if _fits(total, n, debtor)]
    return _middle_half(terms)


def match(
    creditor: CreditorBound,
    debtor: DebtorBound,
    *,
    step: Decimal,
    rng: random.Random,
    escalation: CreditorBound | None = None,
) -> Match:
    """One round: overlap with a proposal drawn by ``rng``, no overlap, or — when
    ``escalation`` (the most an approver may grant) would overlap — needs approval."""
    totals = candidate_totals(creditor, debtor, step)
    if not totals:
        if escalation is not None and candidate_totals(escalation, debtor, step):
            return Match(Outcome.NEEDS_APPROVAL)
        return Match(Outcome.NO_OVERLAP)
    total = rng.choice(totals)
    periods = rng.choice(candidate_terms(total, creditor, debtor))
    return Match(Outcome.OVERLAP, Proposal(total, periods))
