"""The supervisor's home page: this month, the year's rates, what is late, the counties."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min

from jintiao.disputes.models import Dispute
from jintiao.domain import events, figures
from jintiao.domain.figures import PeriodKind, ReportPeriod, Span
from jintiao.domain.lifecycle import State
from jintiao.mediation.models import HardshipPause
from jintiao.orgs.models import Organization
from jintiao.replica import on_replica
from jintiao.supervision.selectors.statistics import (
    Group,
    Tally,
    statistics,
    tally,
    tally_between,
)
from jintiao.timeline.models import Event


@dataclass(frozen=True)
class Overdue:
    committee: str
    count: int
    oldest: dt.date


@dataclass(frozen=True)
class Altered:
    """A record found altered (``record.altered`` on its dispute's timeline)."""

    dispute_id: int
    number: str
    at: dt.datetime
    what: str


ALTERED_DAYS = 90
ALTERED_ROWS = 20


def altered_records(node: Organization, since: dt.datetime) -> tuple[int, list[Altered]]:
    """How many alerts of altered agreements and document files there were under ``node``
    since ``since``, and the newest :data:`ALTERED_ROWS` of them (on the partial index of
    those events, however many events there are)."""
    found = Event.objects.filter(type=events.RECORD_ALTERED.type, at__gte=since,
                                 dispute__committee__path__startswith=node.path)
    rows = found.select_related("dispute").order_by("-at")[:ALTERED_ROWS]
    return found.count(), [Altered(e.dispute_id, e.dispute.number, e.at,
                                   events.RECORD_ALTERED.describe(e.params)) for e in rows]


@dataclass(frozen=True)
class Pauses:
    """The hardship pauses asked in a period under a node: how many were asked, granted,
    refused and how the ended ones ended (口径: by the day asked), and how many run today."""

    asked: int
    granted: int
    refused: int
    running: int
    outcomes: tuple[tuple[str, int], ...]  # (label, count) of the ended ones


def pause_figures(node: Organization, start: dt.date, end: dt.date) -> Pauses:
    """Count the pauses asked between ``start`` and ``end`` (inclusive) under ``node``."""
    rows = HardshipPause.objects.filter(
        dispute__committee__path__startswith=node.path,
        requested_at__date__gte=start, requested_at__date__lte=end)
    by_status = dict(rows.order_by().values_list("status").annotate(n=Count("pk")))
    by_outcome = dict(rows.exclude(outcome="").order_by().values_list("outcome")
                      .annotate(n=Count("pk")))
    active, ended = HardshipPause.Status.ACTIVE, HardshipPause.Status.ENDED
    return Pauses(
        asked=sum(by_status.values()),
        granted=by_status.get(active, 0) + by_status.get(ended, 0),
        refused=by_status.get(HardshipPause.Status.REFUSED, 0),
        # running today, whenever asked (a pause of last December may run on)
        running=HardshipPause.objects.filter(
            dispute__committee__path__startswith=node.path, status=active).count(),
        outcomes=tuple((str(o.label), by_outcome[o.value]) for o in HardshipPause.Outcome
                       if by_outcome.get(o.value)))


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
    overdue: tuple[Overdue, ...]  # the mediation stages, by committee
    overdue_all: int              # every stage with a deadline: the workbench's count
    overdue_later: tuple[tuple[State, int], ...]  # the stages the first leaves out
    counties: tuple[Group, ...]   # the year so far, by the node's children
    pauses: Pauses | None = None  # the hardship pauses asked this year (issue 21 §3)

    @property
    def overdue_mediation(self) -> int:
        return sum(o.count for o in self.overdue)


@on_replica
def dashboard(node: Organization, today: dt.date) -> Dashboard:
    """This month so far against the same days of the month before (and the whole of
    it, for reference), the year's rates, what is past its deadline, and the children of
    the node over the year so far.

    Overdue is counted twice, each with its definition (``DEFINITIONS["overdue"]`` and
    ``["overdue_mediation"]``): the mediation stages by committee — what a committee must
    extend, fail or close — and every stage with a deadline, as the workbench counts it,
    with the stages the first leaves out, so the two can be reconciled."""
    month = ReportPeriod.month_of(today)
    so_far, same_days = figures.month_so_far(today)
    year = ReportPeriod(today.year, PeriodKind.YEAR)
    past = Dispute.objects.filter(committee__path__startswith=node.path, deadline__lt=today)
    mediation = [s.value for s in figures.MEDIATION_STAGES]
    late = (past.filter(state__in=mediation)
            .values("committee__name", "committee__path")
            .annotate(n=Count("pk"), oldest=Min("deadline")).order_by("-n", "committee__path"))
    by_state = dict(past.order_by().values_list("state").annotate(n=Count("pk")))
    return Dashboard(
        node=node, month=month, so_far=so_far, same_days=same_days,
        this_month=tally_between(node, so_far.start, so_far.end),
        last_month_same_days=tally_between(node, same_days.start, same_days.end),
        last_month=tally(node, month.previous), year=year, this_year=tally(node, year),
        overdue=tuple(Overdue(r["committee__name"], r["n"], r["oldest"]) for r in late),
        overdue_all=sum(by_state.values()),
        overdue_later=tuple((s, by_state[s.value]) for s in State
                            if s.value not in mediation and by_state.get(s.value)),
        # the counties' figures only: not the year's funnel, nor its every other breakdown
        counties=tuple(statistics(node, year, funnel=False).breakdowns["child"]),
        pauses=pause_figures(node, dt.date(today.year, 1, 1), today))
