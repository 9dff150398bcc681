"""The supervisor's home page: this month, the year's rates, what is late, the counties."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min

from jintiao.disputes.models import Dispute
from jintiao.domain import figures
from jintiao.domain.figures import PeriodKind, ReportPeriod, Span
from jintiao.domain.lifecycle import State
from jintiao.orgs.models import Organization
from jintiao.supervision.selectors.statistics import (
    Group,
    Tally,
    statistics,
    tally,
    tally_between,
)


@dataclass(frozen=True)
class Overdue:
    committee: str
    count: int
    oldest: dt.date


@dataclass(frozen=True)
class Dashboard:
    node: Organization
    month: ReportPeriod
    so_far: Span                  # this month, from its first day to today
    same_days: Span               # the same days of the month before
    this_month: Tally             # over ``so_far``
    last_month_same_days: Tally   # over ``same_days``: what this month is compared with
    last_month: Tally             # the whole of the month before, for reference
    year: ReportPeriod
    this_year: Tally
    overdue: tuple[Overdue, ...]
    counties: tuple[Group, ...]   # the year so far, by the node's children


def dashboard(node: Organization, today: dt.date) -> Dashboard:
    """This month so far against the same days of the month before (and the whole of
    it, for reference), the year's rates, disputes past their deadline by committee, and
    the children of the node over the year so far."""
    month = ReportPeriod.month_of(today)
    so_far, same_days = figures.month_so_far(today)
    year = ReportPeriod(today.year, PeriodKind.YEAR)
    late = (Dispute.objects.filter(committee__path__startswith=node.path, deadline__lt=today,
                                   state__in=[State.ACCEPTED.value, State.MEDIATING.value])
            .values("committee__name", "committee__path")
            .annotate(n=Count("pk"), oldest=Min("deadline")).order_by("-n", "committee__path"))
    return Dashboard(
        node=node, month=month, so_far=so_far, same_days=same_days,
        this_month=tally_between(node, so_far.start, so_far.end),
        last_month_same_days=tally_between(node, same_days.start, same_days.end),
        last_month=tally(node, month.previous), year=year, this_year=tally(node, year),
        overdue=tuple(Overdue(r["committee__name"], r["n"], r["oldest"]) for r in late),
        counties=tuple(statistics(node, year).breakdowns["child"]))
