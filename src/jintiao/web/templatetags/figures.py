"""Figures as supervisors read them: money grouped to the fen, counts grouped, rates with
a percent sign, and a dash where there is nothing to show (a rate of nothing is not 0 %)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from jintiao.domain.money import format_amount

register = template.Library()


@register.filter
def figure(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


@register.filter
def pct(value: Any) -> str:
    return "—" if value is None else f"{value}%"


@register.filter
def item(mapping: Any, key: str) -> Any:
    """``mapping[key]`` in a template (a tally's figure, a failed-items count)."""
    try:
        return mapping[key]
    except (KeyError, TypeError, IndexError):
        return None


@register.filter
def yuan(value: Any) -> str:
    """An amount kept as text or a Decimal, grouped to the fen ("215,000.00")."""
    if value is None or value == "":
        return "—"
    try:
        return format_amount(Decimal(str(value)))
    except (ArithmeticError, ValueError):
        return str(value)
