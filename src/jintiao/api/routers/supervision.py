"""The supervisors' figures for a node and a period, as the statistics page shows them."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from jintiao.api.schemas import (
    ErrorOut,
    FigureOut,
    RateOut,
    StageOut,
    StatisticsOut,
    WorkingDaysOut,
)
from jintiao.disputes.access import RecordNotFound
from jintiao.domain import figures
from jintiao.domain.figures import FUNNEL, ReportPeriod
from jintiao.orgs.models import User
from jintiao.supervision import reports, selectors, services

router = Router(tags=["supervision"])


class StatisticsQuery(Schema):
    node: int | None = Field(None, ge=1, le=2**31 - 1, description="单位；默认本人所在单位")
    period: str = Field(..., max_length=10, description="2026-11、2026-Q4 或 2026")


@router.get("/statistics", response={200: StatisticsOut, 400: ErrorOut, 401: ErrorOut,
                                     404: ErrorOut}, operation_id="statistics_get")
def statistics_get(request: HttpRequest, query: Query[StatisticsQuery]) -> StatisticsOut:
    """The figures of a node the caller supervises; any other node is not there (404)."""
    user: User = request.auth  # type: ignore[attr-defined]
    period = ReportPeriod.parse(query.period)
    node = selectors.report_node_for(user, query.node) if selectors.may_supervise(user) else None
    if node is None:
        raise RecordNotFound("单位不存在或无权查看", "no such node for this caller")
    services.figures_refresh()
    stats = selectors.statistics(node, period, breakdowns=False)
    days = stats.working_days
    return StatisticsOut(
        node=node.pk, node_name=node.name, period=str(period),
        start=period.start, end=period.end,
        figures=[FigureOut(key=m.key, label=m.label, unit=m.unit,
                           value=str(stats.totals[m.key]), definition=m.definition)
                 for m in selectors.MEASURES],
        rates=[RateOut(key=key, label=label,
                       value=None if (v := getattr(stats.totals, key)) is None else str(v),
                       definition=figures.DEFINITIONS[key]) for key, label in reports.RATES],
        working_days=WorkingDaysOut(count=days.count,
                                    mean=None if days.mean is None else str(days.mean),
                                    median=None if days.median is None else str(days.median),
                                    p90=days.p90),
        cohort=stats.funnel[0],
        funnel=[StageOut(stage=s.value, label=s.label, count=n)
                for s, n in zip(FUNNEL, stats.funnel[1:], strict=True)],
    )
