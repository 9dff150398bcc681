"""Monthly and quarterly reports (月报、季报) of a node: the figures against the period
before and a year before, the trend by month, the counties, the reach funnel, and — in a
quarterly report — the committees' spot-check findings. One :class:`Report` feeds the web
page, the PDF and the workbook, so the three say the same."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from jintiao import clock
from jintiao.domain import figures
from jintiao.domain.figures import FUNNEL, PeriodKind, ReportPeriod
from jintiao.orgs.models import Organization
from jintiao.replica import on_replica
from jintiao.supervision import charts, selectors
from jintiao.supervision.selectors import BY_KEY, Group, Measure, Statistics, Tally

HEADLINE = ("received", "accepted", "concluded", "settled", "failed", "withdrawn",
            "amount_involved", "amount_settled", "amount_agreed", "confirmed",
            "amount_confirmed", "performed", "defaulted", "enforcement", "fees_saved",
            "distressed", "amount_distressed", "credit_repaired")
RATES = (("success_rate", "调解成功率"), ("confirmation_rate", "司法确认率"),
         ("performance_rate", "履行完毕率"), ("within_deadline_rate", "按期办结率"))
TREND_MONTHS = 13


@dataclass(frozen=True)
class Line:
    """One figure of the report's main table."""

    measure: Measure
    value: int | Decimal
    before: int | Decimal
    change: Decimal | None
    year_ago: int | Decimal
    yoy: Decimal | None


@dataclass(frozen=True)
class RateLine:
    key: str
    label: str
    value: Decimal | None
    before: Decimal | None
    year_ago: Decimal | None
    definition: str


@dataclass(frozen=True)
class Report:
    node: Organization
    period: ReportPeriod
    made_at: dt.datetime
    stats: Statistics
    lines: tuple[Line, ...]
    rates: tuple[RateLine, ...]
    trend: tuple[tuple[ReportPeriod, Tally], ...]
    counties: tuple[Group, ...]
    funnel: tuple[tuple[str, int], ...]   # (label, count), the cohort first
    findings: tuple[selectors.FindingsRow, ...]

    @property
    def title(self) -> str:
        return f"{self.node.name}{self.period.label}工作{self.period.kind.label}"

    @property
    def partial(self) -> bool:
        """The period has not ended yet: the figures will still move."""
        return self.made_at.astimezone(clock.TZ).date() <= self.period.end

    def chart_trend(self) -> str:
        return charts.trend([str(p) for p, _t in self.trend],
                            [int(t["accepted"]) for _p, t in self.trend],
                            [int(t["settled"]) for _p, t in self.trend],
                            [t.success_rate for _p, t in self.trend],
                            title="受理与调解成功（按月）")

    def chart_counties(self) -> str:
        return charts.bars([g.label for g in self.counties],
                           [int(g.tally["accepted"]) for g in self.counties],
                           [int(g.tally["settled"]) for g in self.counties],
                           ("受理", "调解成功"), title="各下级单位受理与调解成功")

    def chart_funnel(self) -> str:
        return charts.funnel([label for label, _n in self.funnel],
                             [n for _label, n in self.funnel], title="触达漏斗（本期受理的纠纷）")


def comparisons(node: Organization, period: ReportPeriod, totals: Tally
                ) -> tuple[tuple[Line, ...], tuple[RateLine, ...]]:
    """The headline figures and rates of ``totals`` against the period before and the same
    period a year before."""
    before = selectors.tally(node, period.previous)
    year_ago = selectors.tally(node, period.year_ago)
    lines = tuple(
        Line(m, totals[m.key], before[m.key], figures.change(totals[m.key], before[m.key]),
             year_ago[m.key], figures.change(totals[m.key], year_ago[m.key]))
        for m in (BY_KEY[k] for k in HEADLINE))
    rates = tuple(RateLine(key, label, getattr(totals, key), getattr(before, key),
                           getattr(year_ago, key), figures.DEFINITIONS[key])
                  for key, label in RATES)
    return lines, rates


@on_replica
def report_build(node: Organization, period: ReportPeriod) -> Report:
    """The report of ``node`` for ``period``. The caller checked the viewer may read it."""
    stats = selectors.statistics(node, period)
    lines, rates = comparisons(node, period, stats.totals)
    months = ReportPeriod.month_of(period.end).trailing(TREND_MONTHS)
    trend = tuple(zip(months, selectors.trend(node, months), strict=True))
    funnel = (("受理", stats.funnel[0]),
              *((s.label, n) for s, n in zip(FUNNEL, stats.funnel[1:], strict=True)))
    findings = (tuple(selectors.findings_summary(node, period))
                if period.kind is PeriodKind.QUARTER else ())
    return Report(node=node, period=period, made_at=clock.now(), stats=stats, lines=lines,
                  rates=rates, trend=trend, counties=tuple(stats.breakdowns.get("child", ())),
                  funnel=funnel, findings=findings)
