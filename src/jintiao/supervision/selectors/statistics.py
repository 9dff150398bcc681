"""The supervisors' statistics for a node of the organisation tree and a period.

Every figure is one :class:`Measure`: a date that puts a dispute in the period, a
condition, and either a count or a sum in fen. The totals, each breakdown and the list
of disputes behind a figure (its trace) all come from the same measure, so they agree by
construction; a node's figures are the sum of its children's because each dispute sits
under exactly one committee.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from jintiao.disputes.models import Channel, DisputeType
from jintiao.domain import figures
from jintiao.domain.figures import DEFINITIONS, FUNNEL, Outcome, ReportPeriod, Spread, Stage
from jintiao.domain.money import from_fen
from jintiao.orgs.models import Organization, User
from jintiao.replica import on_replica
from jintiao.supervision.models import (
    Dimension,
    DisputeFigures,
    MonthFigures,
    MonthWorkingDays,
)

_SETTLED = Q(outcome=Outcome.SETTLED.value)


@dataclass(frozen=True)
class Measure:
    """One figure: disputes whose ``when`` falls in the period and that meet ``where``;
    counted, or their ``amount`` (a fen column) summed."""

    key: str
    label: str
    when: str
    where: Q = field(default_factory=Q)
    amount: str | None = None

    @property
    def unit(self) -> str:
        return "元" if self.amount else "件"

    @property
    def definition(self) -> str:
        return DEFINITIONS.get(self.key, "")

    def condition(self, start: dt.date, end: dt.date) -> Q:
        return Q(**{f"{self.when}__gte": start, f"{self.when}__lte": end}) & self.where

    def aggregate(self, start: dt.date, end: dt.date) -> Any:
        if self.amount:
            return Coalesce(Sum(self.amount, filter=self.condition(start, end)), 0)
        return Count("pk", filter=self.condition(start, end))


MEASURES: tuple[Measure, ...] = (
    Measure("received", "收案", "received_on"),
    Measure("accepted", "受理", "accepted_on"),
    Measure("declined", "不予受理", "declined_on"),
    Measure("concluded", "办结", "concluded_on"),
    Measure("settled", "调解成功", "concluded_on", _SETTLED),
    Measure("failed", "调解不成", "concluded_on",
            Q(outcome__in=[Outcome.FAILED.value, Outcome.UNREACHABLE.value])),
    Measure("unreachable", "其中：无法联系", "concluded_on", Q(outcome=Outcome.UNREACHABLE.value)),
    Measure("withdrawn", "撤回", "concluded_on", Q(outcome=Outcome.WITHDRAWN.value)),
    Measure("within_deadline", "按期办结", "concluded_on", Q(within_deadline=True)),
    Measure("with_deadline", "有调解期限的办结", "concluded_on", Q(deadline__isnull=False)),
    Measure("amount_involved", "受理纠纷涉及金额", "accepted_on", amount="claim_fen"),
    Measure("amount_settled", "调解成功金额", "concluded_on", _SETTLED, amount="claim_fen"),
    Measure("amount_agreed", "协议约定还款金额", "concluded_on", _SETTLED, amount="agreed_fen"),
    Measure("settled_confirmed", "其中已司法确认", "concluded_on",
            _SETTLED & Q(confirmed_on__isnull=False)),
    Measure("confirmed", "司法确认", "confirmed_on"),
    Measure("amount_confirmed", "司法确认金额", "confirmed_on", amount="claim_fen"),
    Measure("performed", "履行完毕", "performed_on"),
    Measure("defaulted", "违约", "defaulted_on"),
    Measure("enforcement", "申请强制执行", "enforcement_on"),
    Measure("fees_saved", "节约诉讼成本", "concluded_on", _SETTLED, amount="saved_fen"),
    Measure("distressed", "纾困企业", "concluded_on", _SETTLED & Q(distressed=True)),
    Measure("amount_distressed", "纾困企业涉及金额", "concluded_on",
            _SETTLED & Q(distressed=True), amount="claim_fen"),
    Measure("credit_repaired", "征信修复", "credit_repaired_on"),
)
BY_KEY: Mapping[str, Measure] = {m.key: m for m in MEASURES}
STAGE_FIELD: Mapping[Stage, str] = {
    Stage.INVITED: "invited_on", Stage.CONTACTED: "contacted_on",
    Stage.ENGAGED: "engaged_on", Stage.AGREED: "agreed_on",
    Stage.CONFIRMED: "confirmed_on", Stage.PERFORMING: "performing_on",
    Stage.PERFORMED: "performed_on",
}


@dataclass(frozen=True)
class Tally:
    """The additive figures of one group (fen already turned into yuan) and the rates
    made from them."""

    values: Mapping[str, int | Decimal]

    def __getitem__(self, key: str) -> int | Decimal:
        return self.values[key]

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Tally:
        return cls({m.key: from_fen(int(row[f"n_{m.key}"]))
                    if m.amount else int(row[f"n_{m.key}"]) for m in MEASURES})

    @property
    def success_rate(self) -> Decimal | None:
        return figures.rate(self["settled"], self["concluded"])

    @property
    def confirmation_rate(self) -> Decimal | None:
        return figures.rate(self["settled_confirmed"], self["settled"])

    @property
    def performance_rate(self) -> Decimal | None:
        return figures.rate(self["performed"], int(self["performed"]) + int(self["defaulted"]))

    @property
    def within_deadline_rate(self) -> Decimal | None:
        return figures.rate(self["within_deadline"], self["with_deadline"])


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    tally: Tally


@dataclass(frozen=True)
class FunnelRow:
    key: str
    label: str
    counts: tuple[int, ...]  # one per Stage, cohort first

    @property
    def cohort(self) -> int:
        return self.counts[0]


@dataclass(frozen=True)
class Statistics:
    node: Organization
    period: ReportPeriod
    totals: Tally
    working_days: Spread
    funnel: tuple[int, ...]   # accepted in the period, then each Stage by the period's end
    breakdowns: Mapping[str, Sequence[Group]]
    funnel_by: Mapping[str, Sequence[FunnelRow]]


BREAKDOWNS: Mapping[str, str] = {
    "child": "下级单位", "channel": "来源渠道", "dispute_type": "纠纷类型",
    "institution": "金融机构", "committee": "调委会", "mediator": "主调解员",
}


def figures_under(node: Organization) -> QuerySet[DisputeFigures]:
    return DisputeFigures.objects.filter(node_path__startswith=node.path)


WHEN_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(m.when for m in MEASURES))


def touching(start: dt.date, end: dt.date, fields: Sequence[str] = WHEN_FIELDS) -> Q:
    """Rows with one of ``fields`` in the period: the only rows a period's figures can
    count, found through the date indexes instead of a scan of the tree's history."""
    found = Q(pk__in=[])
    for name in fields:
        found |= Q(**{f"{name}__gte": start, f"{name}__lte": end})
    return found


def measure_aggregates(start: dt.date, end: dt.date) -> dict[str, Any]:
    """Every measure over ``start``–``end`` as ``n_<key>``: the one definition both a
    span's figures and each month's stored row (``MonthFigures``) are counted by."""
    return {f"n_{m.key}": m.aggregate(start, end) for m in MEASURES}


def measure_flags() -> dict[str, Any]:
    """Per dispute row, whether it meets each measure's condition (``w_<key>``; a measure
    with none counts every row with its date): how a few disputes are put in their months
    one by one (``supervision.month_figures.counted``) by the same ``Q`` as the sums."""
    return {f"w_{m.key}": ExpressionWrapper(m.where, output_field=BooleanField())
            for m in MEASURES if m.where}


def _funnel_aggregates(start: dt.date, end: dt.date) -> dict[str, Any]:
    cohort = Q(accepted_on__gte=start, accepted_on__lte=end)
    found: dict[str, Any] = {"cohort": Count("pk", filter=cohort)}
    for stage in FUNNEL:
        field = STAGE_FIELD[stage]
        found[f"stage_{stage.value}"] = Count(
            "pk", filter=cohort & Q(**{f"{field}__isnull": False, f"{field}__lte": end}))
    return found


def _funnel_counts(row: Mapping[str, Any]) -> tuple[int, ...]:
    return (int(row["cohort"]), *(int(row[f"stage_{s.value}"]) for s in FUNNEL))


def months_under(node: Organization, period: ReportPeriod) -> QuerySet[MonthFigures]:
    """The stored months of the period under ``node``: every report period is whole months,
    so its figures are their sum (``supervision.month_figures`` keeps them current)."""
    return MonthFigures.objects.filter(node_path__startswith=node.path,
                                       month__gte=period.start, month__lte=period.end)


def _month_sums() -> dict[str, Any]:
    return {f"n_{m.key}": Coalesce(Sum(f"n_{m.key}"), 0) for m in MEASURES}


@on_replica
def tally(node: Organization, period: ReportPeriod) -> Tally:
    """The node's additive figures for the period, in one query over its stored months."""
    return Tally.from_row(months_under(node, period).filter(dimension=TOTALS)
                          .aggregate(**_month_sums()))


@on_replica
def tally_between(node: Organization, start: dt.date, end: dt.date) -> Tally:
    """The node's additive figures from ``start`` to ``end`` (both included) counted from
    the disputes' rows, in one query: a month so far, or the same days of the month
    before — spans that are not whole months."""
    rows = figures_under(node).filter(touching(start, end))
    return Tally.from_row(rows.aggregate(**measure_aggregates(start, end)))


@on_replica
def statistics(node: Organization, period: ReportPeriod, *, breakdowns: bool = True,
               funnel: bool = True) -> Statistics:
    """Everything a report shows for ``node`` over ``period``. The caller checked the
    viewer may read ``node`` (:func:`report_node_for`).

    The period's stored months, summed by committee and each dimension's value, give the
    totals and every breakdown, so a breakdown adds up to the totals by construction
    (each dimension sorts every dispute once). The reach funnel follows the disputes
    accepted in the period to the period's end, counted from their rows; the working days
    come from the months' histograms. Three queries, however many disputes; the funnel's
    (``funnel=False``: not asked, its figures zero) reads the period's accepted disputes —
    a year's, at a million, a quarter of a second."""
    start, end = period.start, period.end
    cells = cast(list[dict[str, Any]], list(
        months_under(node, period).values("committee_id", "dimension", "value").order_by()
        .annotate(**_month_sums())))
    cohort = cast(list[dict[str, Any]], list(
        figures_under(node).filter(accepted_on__gte=start, accepted_on__lte=end)
        .values("committee_id", "channel", "institution_id").order_by()
        .annotate(**_funnel_aggregates(start, end)))) if funnel else []
    _vectors(cells, MEASURE_FIELDS)
    _vectors(cohort, FUNNEL_FIELDS)
    days = figures.spread_counted(dict(
        MonthWorkingDays.objects.filter(node_path__startswith=node.path,
                                        month__gte=start, month__lte=end)
        .values_list("working_days").order_by().annotate(n=Sum("disputes"))))
    by_dimension: dict[str, list[dict[str, Any]]] = {d.value: [] for d in Dimension}
    for row in cells:
        by_dimension[row["dimension"]].append(row)
    base = by_dimension[TOTALS]
    by: dict[str, list[Group]] = {}
    funnel_by: dict[str, list[FunnelRow]] = {}
    if breakdowns:
        keys = _group_keys(node, cells, cohort)
        for key in BREAKDOWNS:
            by[key] = _groups(by_dimension.get(key, base), keys[key])
        for key, column in (("channel", "channel"), ("institution", "institution_id")):
            funnel_by[key] = _funnel_groups(
                cohort, _Keys(operator.itemgetter(column), keys[key].labels))
    return Statistics(node=node, period=period,
                      totals=Tally.from_row(_sum(base, MEASURE_FIELDS)), working_days=days,
                      funnel=_funnel_counts(_sum(cohort, FUNNEL_FIELDS)), breakdowns=by,
                      funnel_by=funnel_by)


# the finest grain of the disputes' rows a month is written from, and the column of it
# each dimension's value is
GRAIN = ("committee_id", "channel", "dispute_type", "institution_id", "mediator_id")
DIMENSION_COLUMN: Mapping[str, str] = {
    Dimension.CHANNEL: "channel", Dimension.DISPUTE_TYPE: "dispute_type",
    Dimension.INSTITUTION: "institution_id", Dimension.MEDIATOR: "mediator_id"}
TOTALS = Dimension.CHANNEL  # any one dimension's rows count every dispute once
_IDS = (Dimension.INSTITUTION, Dimension.MEDIATOR)
MEASURE_FIELDS = tuple(f"n_{m.key}" for m in MEASURES)
FUNNEL_FIELDS = ("cohort", *(f"stage_{s.value}" for s in FUNNEL))


def dimension_value(raw: object) -> str:
    """How a dimension's value is stored: the channel or type, an id as text, or empty."""
    return "" if raw is None else str(raw)


def _raw(dimension: str, value: str) -> Any:
    """The stored value back as the disputes' rows have it (an id, or None for none)."""
    if dimension in _IDS:
        return int(value) if value else None
    return value


def _raw_of(dimension: str, row: Mapping[str, Any]) -> Any:
    return _raw(dimension, row["value"])


def _sum(rows: Sequence[Mapping[str, Any]], names: Sequence[str]) -> dict[str, int]:
    """Add up rows field by field, column-wise in C. Each row carries its figures once as
    a tuple under ``"_v"`` (:func:`_vectors`)."""
    if not rows:
        return dict.fromkeys(names, 0)
    return dict(zip(names, map(sum, zip(*(r["_v"] for r in rows), strict=True)),
                    strict=True))


def _vectors(rows: list[dict[str, Any]], names: Sequence[str]) -> list[dict[str, Any]]:
    for row in rows:
        row["_v"] = tuple(int(row[n] or 0) for n in names)
    return rows


@dataclass(frozen=True)
class _Keys:
    """How rows fall into one breakdown's groups: a key per row and the labels."""

    of: Callable[[Mapping[str, Any]], Any]
    labels: Mapping[Any, str]


def _group_keys(node: Organization, cells: list[dict[str, Any]],
                cohort: list[dict[str, Any]]) -> dict[str, _Keys]:
    committees = {r["committee_id"] for r in cells} | {r["committee_id"] for r in cohort}
    paths = dict(Organization.objects.filter(pk__in=committees).values_list("pk", "path"))
    children = list(Organization.objects.filter(parent=node).order_by("path"))
    child_of = {pk: next((c.pk for c in children if path.startswith(c.path)), 0)
                for pk, path in paths.items()}
    keys = {"child": _Keys(lambda r: child_of[r["committee_id"]],
                           {c.pk: c.name for c in children} | {0: "本级"}),
            "committee": _Keys(operator.itemgetter("committee_id"),
                               _labels_for("committee", committees)),
            "channel": _Keys(operator.itemgetter("value"),
                             {c.value: str(c.label) for c in Channel}),
            "dispute_type": _Keys(operator.itemgetter("value"),
                                  {t.value: str(t.label) for t in DisputeType})}
    for dimension in _IDS:
        ids = ({_raw(dimension, r["value"]) for r in cells if r["dimension"] == dimension}
               | ({r["institution_id"] for r in cohort} if dimension == Dimension.INSTITUTION
                  else set()))
        keys[dimension] = _Keys(functools.partial(_raw_of, dimension),
                                _labels_for(dimension, ids))
    return keys


def _labels_for(key: str, ids: set[Any]) -> dict[Any, str]:
    none = {None: "未指派" if key == "mediator" else "无"}
    if key in ("institution", "committee"):
        return none | dict(Organization.objects.filter(pk__in=ids).values_list("pk", "name"))
    if key == "mediator":
        return none | {u.pk: str(u) for u in User.objects.filter(pk__in=ids)}
    return none


def _split(rows: list[dict[str, Any]], keys: _Keys) -> dict[Any, list[dict[str, Any]]]:
    parts: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        parts.setdefault(keys.of(row), []).append(row)
    return parts


def _groups(rows: list[dict[str, Any]], keys: _Keys) -> list[Group]:
    groups = [Group(str(k), keys.labels.get(k, "—"), Tally.from_row(_sum(part, MEASURE_FIELDS)))
              for k, part in _split(rows, keys).items()]
    groups = [g for g in groups if any(g.tally.values.values())]
    return sorted(groups, key=lambda g: (-int(g.tally["accepted"]), g.label))


def _funnel_groups(rows: list[dict[str, Any]], keys: _Keys) -> list[FunnelRow]:
    made = [FunnelRow(str(k), keys.labels.get(k, "—"), _funnel_counts(_sum(part, FUNNEL_FIELDS)))
            for k, part in _split(rows, keys).items()]
    return sorted((r for r in made if r.cohort), key=lambda r: (-r.cohort, r.label))


def trace(node: Organization, period: ReportPeriod, key: str) -> QuerySet[DisputeFigures]:
    """The disputes behind one figure (a measure's key, or ``stage_<stage>`` for a funnel
    stage), with what a list row shows."""
    if key.startswith("stage_"):
        stage = Stage(key.removeprefix("stage_"))
        field = STAGE_FIELD[stage]
        where = Q(accepted_on__gte=period.start, accepted_on__lte=period.end,
                  **{f"{field}__isnull": False, f"{field}__lte": period.end})
    else:
        where = BY_KEY[key].condition(period.start, period.end)
    return (figures_under(node).filter(where)
            .select_related("dispute", "committee", "institution", "mediator")
            .order_by("dispute__number"))


def trace_rule(key: str) -> tuple[str, str]:
    """A figure's name and its definition."""
    if key.startswith("stage_"):
        stage = Stage(key.removeprefix("stage_"))
        return f"漏斗：{stage.label}", DEFINITIONS["funnel"]
    measure = BY_KEY[key]
    return measure.label, measure.definition


TREND_KEYS = ("accepted", "concluded", "settled", "amount_settled", "confirmed")


@on_replica
def trend(node: Organization, months: Sequence[ReportPeriod]) -> list[Tally]:
    """A few figures per month (a report's trend chart), in one query over the stored
    months; the other figures of each month are zero here, not counted."""
    index = {(p.year, p.index): i for i, p in enumerate(months)}
    values = [{m.key: (Decimal(0) if m.amount else 0) for m in MEASURES} for _ in months]
    found = (MonthFigures.objects.filter(node_path__startswith=node.path,
                                         month__gte=months[0].start, month__lte=months[-1].end)
             .filter(dimension=TOTALS).values("month").order_by()
             .annotate(**{f"n_{k}": Sum(f"n_{k}") for k in TREND_KEYS}))
    for row in cast(Iterable[dict[str, Any]], found):
        i = index[(row["month"].year, row["month"].month)]
        for key in TREND_KEYS:
            raw = int(row[f"n_{key}"] or 0)
            values[i][key] = from_fen(raw) if BY_KEY[key].amount else raw
    return [Tally(v) for v in values]
