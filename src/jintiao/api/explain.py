"""The ``explain`` field: how a figure the API answers was computed (计算说明), in the shape
of :class:`jintiao.domain.explain.Explanation` — the same steps the web panel shows, and
the same working as data in ``facts``."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field

from jintiao.domain.explain import Explanation


class ExplainStepOut(Schema):
    label: str
    text: str
    value: str = Field(description="what the step produced, as shown (empty if nothing)")
    items: list[str] = Field(description="what the step is made of: the rest days skipped, "
                                         "the parts one payment went to, a period's stretches")
    source: str = Field(description="the rule the step relied on (empty if none)")


class ExplainOut(Schema):
    """How one figure was computed. ``kind``: ``deadline``, ``account`` (what is owed),
    ``enforcement`` (the amount to enforce), ``fee`` or ``affordability``."""

    kind: str
    title: str
    result: str = Field(description="the figure, as shown")
    provisional: bool = Field(description="true when a year's holidays are not yet published")
    steps: list[ExplainStepOut]
    sources: list[str]
    notes: list[str]
    facts: dict[str, Any] = Field(description=(
        "the working as data, by kind — deadline: start, limit (amount, unit), basis (policy "
        "field, version, legal source), raw_end, due_on, rolled_over, skipped (each rest day "
        "with its name); account and enforcement: order, allocations (each payment's parts), "
        "accelerated_on, moved, late_stretches (base × days × rate), totals; fee: lines (each "
        "bracket's range, rate, base, fee), full_fee, halvings, fee; affordability: income, "
        "obligations, household, living_minimum and its source, ratio and its limit, "
        "max_payment. Amounts are strings"))


def explain_out(explained: Explanation | None) -> ExplainOut | None:
    """The explanation as the API answers it (None stays None)."""
    if explained is None:
        return None
    return ExplainOut.model_validate(explained.as_dict())
