"""The supervisors' figures: what one dispute's timeline contributes to the statistics,
the reporting periods, and the summary numbers (rates, working-day mean/median/P90).

A dispute's milestones are folded from its events, so the figures are made from the
disputes themselves and nobody types a total. Each rule states its definition (口径) in
``DEFINITIONS`` so a report can print how a figure was made.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from itertools import accumulate
from typing import Any

from jintiao.domain import events
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.lifecycle import STATE_DEADLINES, State


class FiguresInvalid(DomainError):
    """A reporting period or a figure cannot be used."""

    code = ErrorCode.PERIOD_INVALID


class Outcome(StrEnum):
    """How a dispute's mediation ended, as the statistics count it."""

    PENDING = "pending"          # not accepted yet, or still being mediated
    DECLINED = "declined"        # not accepted (out of scope)
    SETTLED = "settled"          # 调解成功: an agreement was reached
    FAILED = "failed"            # 调解不成
    UNREACHABLE = "unreachable"  # 调解不成: a party could not be reached
    WITHDRAWN = "withdrawn"      # 撤回

    @property
    def label(self) -> str:
        return {"pending": "未办结", "declined": "不予受理", "settled": "调解成功",
                "failed": "调解不成", "unreachable": "调解不成（无法联系）",
                "withdrawn": "撤回申请"}[self.value]


# Outcomes that conclude an accepted dispute's mediation (办结).
CONCLUDED: frozenset[Outcome] = frozenset(
    {Outcome.SETTLED, Outcome.FAILED, Outcome.UNREACHABLE, Outcome.WITHDRAWN})


class Stage(StrEnum):
    """The reach funnel: how far a dispute got (anchors.md §6 item 11)."""

    INVITED = "invited"
    CONTACTED = "contacted"
    ENGAGED = "engaged"
    AGREED = "agreed"
    CONFIRMED = "confirmed"
    PERFORMING = "performing"
    PERFORMED = "performed"

    @property
    def label(self) -> str:
        return {"invited": "已邀请", "contacted": "已联系上", "engaged": "已参与",
                "agreed": "达成一致", "confirmed": "司法确认", "performing": "履行中",
                "performed": "履行完毕"}[self.value]


FUNNEL: tuple[Stage, ...] = tuple(Stage)
_AFTER_AGREEING = (Stage.AGREED, Stage.CONFIRMED, Stage.PERFORMING, Stage.PERFORMED)
IMPLIED_BY: Mapping[Stage, tuple[Stage, ...]] = {
    Stage.INVITED: FUNNEL,
    Stage.CONTACTED: FUNNEL[1:],
    Stage.ENGAGED: FUNNEL[2:],
    Stage.AGREED: _AFTER_AGREEING,
    Stage.CONFIRMED: (Stage.CONFIRMED,),
    Stage.PERFORMING: (Stage.PERFORMING, Stage.PERFORMED),
    Stage.PERFORMED: (Stage.PERFORMED,),
}


@dataclass(frozen=True)
class Step:
    """One timeline event as the fold needs it: its type, local date and parameters."""

    type: str
    on: dt.date
    state_before: str = ""
    state_after: str = ""
    params: Mapping[str, Any] | None = None
    meta: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Milestones:
    """The dates that make a dispute's figures; ``None`` where it has not got there."""

    received_on: dt.date | None = None
    accepted_on: dt.date | None = None
    concluded_on: dt.date | None = None
    declined_on: dt.date | None = None
    outcome: Outcome = Outcome.PENDING
    deadline: dt.date | None = None        # the mediation deadline in force when it ended
    invited_on: dt.date | None = None
    contacted_on: dt.date | None = None
    engaged_on: dt.date | None = None
    agreed_on: dt.date | None = None       # both sides accepted an offer, or agreement
    confirmed_on: dt.date | None = None
    performing_on: dt.date | None = None
    performed_on: dt.date | None = None
    defaulted_on: dt.date | None = None
    enforcement_on: dt.date | None = None
    credit_repaired_on: dt.date | None = None

    @property
    def settled(self) -> bool:
        return self.outcome is Outcome.SETTLED

    @property
    def within_deadline(self) -> bool | None:
        """Concluded on or before the mediation deadline; ``None`` if not concluded or no
        deadline was set."""
        if self.concluded_on is None or self.deadline is None:
            return None
        return self.concluded_on <= self.deadline

    def stage_on(self, stage: Stage) -> dt.date | None:
        """The day the dispute first reached ``stage``, or a stage that implies it: a
        dispute that agreed was contacted even if nobody logged the call. Confirmation
        implies nothing later: parties may perform without it."""
        days = [d for s in IMPLIED_BY[stage] if (d := self._own(s)) is not None]
        return min(days) if days else None

    def _own(self, stage: Stage) -> dt.date | None:
        return {
            Stage.INVITED: self.invited_on, Stage.CONTACTED: self.contacted_on,
            Stage.ENGAGED: self.engaged_on, Stage.AGREED: self.agreed_on,
            Stage.CONFIRMED: self.confirmed_on, Stage.PERFORMING: self.performing_on,
            Stage.PERFORMED: self.performed_on,
        }[stage]


_MEDIATION = {"accepted", "mediating"}
_INVITED = {events.REACH_INVITED.type, events.REACH_SERVED.type}
# the events that may move a dispute: intake, its lifecycle actions and what else is in
# the ``dispute`` area (their states before and after are the dispute's own)
_DISPUTE_AREA = frozenset(t.type for t in events.every() if t.area == "dispute")
_ENDS = {"agreed": Outcome.SETTLED, "failed": Outcome.FAILED, "withdrawn": Outcome.WITHDRAWN}


def _first(current: dt.date | None, day: dt.date) -> dt.date:
    return day if current is None else current


def milestones(steps: Iterable[Step], *, debtor_rows: Collection[int] = frozenset()
               ) -> Milestones:
    """Fold a dispute's events, oldest first, into its milestones.

    A session's record names who attended by party row, not by role: ``debtor_rows`` are
    the dispute's debtor rows, so a debtor recorded present at a session has taken part
    (已参与) that day even if nobody logged a reach step.

    Mediation ends when it leaves mediation for 已达成协议, 调解不成 or 撤回; a rejected
    confirmation sent back to mediation (remediate) reopens it, and one transferred to
    court turns the settlement into a failure, still concluded on the agreement's day.
    The deadline judged is the mediation deadline (set on assignment, extension or
    remediation), not the time allowed to assign a mediator.
    """
    m = Milestones()
    deadline: dt.date | None = None
    debtors = {str(row) for row in debtor_rows}  # the event's JSON keys are strings
    for s in steps:
        params, meta = s.params or {}, s.meta or {}
        if s.type == events.DISPUTE_RECEIVED.type:
            m = replace(m, received_on=_first(m.received_on, s.on))
        elif s.type in _INVITED:
            m = replace(m, invited_on=_first(m.invited_on, s.on))
        elif s.type == events.REACH_CONTACTED.type:
            m = replace(m, contacted_on=_first(m.contacted_on, s.on))
        elif s.type == events.REACH_ENGAGED.type:
            m = replace(m, engaged_on=_first(m.engaged_on, s.on))
        elif s.type == events.MEDIATION_SESSION_HELD.type and debtors.intersection(
                row for row, present in (params.get("attended") or {}).items() if present):
            m = replace(m, engaged_on=_first(m.engaged_on, s.on))
        elif s.type == events.MEDIATION_OFFER_ACCEPTED.type and params.get("both"):
            m = replace(m, agreed_on=_first(m.agreed_on, s.on))
        elif s.type == events.CREDIT_REPAIR_CONFIRMED.type:
            m = replace(m, credit_repaired_on=_first(m.credit_repaired_on, s.on))
        if s.type not in _DISPUTE_AREA:
            continue
        after, before = s.state_after, s.state_before
        if after == "mediating" and meta.get("deadline"):  # assign, extend, remediate
            deadline = dt.date.fromisoformat(meta["deadline"])
        if after == "accepted" and before == "received":
            m = replace(m, accepted_on=_first(m.accepted_on, s.on))
        elif after == "declined":
            m = replace(m, outcome=Outcome.DECLINED, concluded_on=None, declined_on=s.on)
        elif after in _ENDS and before in _MEDIATION | {"received"}:
            outcome = _ENDS[after]
            if outcome is Outcome.FAILED and params.get("ground") == "unreachable":
                outcome = Outcome.UNREACHABLE
            concluded = s.on if m.accepted_on is not None else None
            m = replace(m, outcome=outcome, concluded_on=concluded,
                        deadline=deadline if concluded else None)
            if outcome is Outcome.SETTLED:
                m = replace(m, agreed_on=_first(m.agreed_on, s.on))
        elif after == "mediating" and before == "confirmation_rejected":
            m = replace(m, outcome=Outcome.PENDING, concluded_on=None, deadline=None,
                        agreed_on=None, confirmed_on=None)
        elif after == "transferred" and before == "confirmation_rejected":
            # mediation still ended on the agreement's day; only its outcome changes
            m = replace(m, outcome=Outcome.FAILED)
        if s.type == events.DISPUTE_CONFIRM.type:
            m = replace(m, confirmed_on=_first(m.confirmed_on, s.on))
        if after == "performing":
            m = replace(m, performing_on=_first(m.performing_on, s.on))
            if before == "performed":  # a payment reversed: the completion no longer stands
                m = replace(m, performed_on=None)
        elif after == "performed":
            m = replace(m, performed_on=_first(m.performed_on, s.on))
        elif after == "defaulted":
            m = replace(m, defaulted_on=_first(m.defaulted_on, s.on))
        elif after == "enforcement":
            m = replace(m, enforcement_on=_first(m.enforcement_on, s.on))
    return m


# --- reporting periods -------------------------------------------------------------------

class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def label(self) -> str:
        return {"month": "月报", "quarter": "季报", "year": "年报"}[self.value]


_QUARTERS = "一二三四"
FIRST_YEAR, LAST_YEAR = 2000, 2100  # what a report may ask for; arithmetic reaches one beyond
_PERIOD_RE = re.compile(r"^(\d{4})(?:-(?:(\d{1,2})|Q([1-4])))?$")


@dataclass(frozen=True, order=True)
class ReportPeriod:
    """A calendar month, quarter or year: ``2026-11``, ``2026-Q4``, ``2026``."""

    year: int
    kind: PeriodKind
    index: int = 1  # month 1–12 or quarter 1–4; 1 for a year

    def __post_init__(self) -> None:
        top = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 1}[self.kind]
        if not (1 <= self.index <= top and 1 <= self.year <= 9998):
            raise FiguresInvalid(f"统计期间无效：{self.year}年 {self.kind} {self.index}",
                                 "invalid reporting period", year=self.year, index=self.index)

    @classmethod
    def parse(cls, text: str) -> ReportPeriod:
        found = _PERIOD_RE.match(text.strip())
        if not found or not FIRST_YEAR <= int(found.group(1)) <= LAST_YEAR:
            raise FiguresInvalid(f"统计期间格式应为 2026-11、2026-Q4 或 2026（{FIRST_YEAR}至"
                                 f"{LAST_YEAR}年）：{text!r}",
                                 "period must look like 2026-11, 2026-Q4 or 2026", value=text)
        year, month, quarter = found.groups()
        if month:
            return cls(int(year), PeriodKind.MONTH, int(month))
        if quarter:
            return cls(int(year), PeriodKind.QUARTER, int(quarter))
        return cls(int(year), PeriodKind.YEAR)

    @classmethod
    def month_of(cls, day: dt.date) -> ReportPeriod:
        return cls(day.year, PeriodKind.MONTH, day.month)

    @classmethod
    def quarter_of(cls, day: dt.date) -> ReportPeriod:
        return cls(day.year, PeriodKind.QUARTER, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> dt.date:
        first_month = {PeriodKind.MONTH: self.index, PeriodKind.QUARTER: 3 * self.index - 2,
                       PeriodKind.YEAR: 1}[self.kind]
        return dt.date(self.year, first_month, 1)

    @property
    def end(self) -> dt.date:
        return self.following.start - dt.timedelta(days=1)

    @property
    def months(self) -> tuple[ReportPeriod, ...]:
        count = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[self.kind]
        first = self.start.month
        return tuple(ReportPeriod(self.year, PeriodKind.MONTH, first + i) for i in range(count))

    def _shift(self, steps: int) -> ReportPeriod:
        per_year = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 1}[self.kind]
        flat = self.year * per_year + self.index - 1 + steps
        return ReportPeriod(flat // per_year, self.kind, flat % per_year + 1)

    @property
    def previous(self) -> ReportPeriod:
        return self._shift(-1)

    @property
    def following(self) -> ReportPeriod:
        return self._shift(1)

    @property
    def year_ago(self) -> ReportPeriod:
        return ReportPeriod(self.year - 1, self.kind, self.index)

    def trailing(self, count: int) -> tuple[ReportPeriod, ...]:
        """This period and the ``count - 1`` before it, oldest first (a trend's x axis)."""
        return tuple(self._shift(-i) for i in reversed(range(count)))

    def __str__(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.year}-{self.index:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year}-Q{self.index}"
        return f"{self.year}"

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.year}年{self.index}月"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year}年第{_QUARTERS[self.index - 1]}季度"
        return f"{self.year}年"


@dataclass(frozen=True)
class Span:
    """The days from ``start`` to ``end``, both included, inside one month."""

    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        if self.start == self.end:
            return f"{self.start.month}月{self.start.day}日"
        return f"{self.start.month}月{self.start.day}日至{self.end.day}日"


def month_so_far(today: dt.date) -> tuple[Span, Span]:
    """This month up to ``today``, and the same days of the month before.

    A month in progress compared with the whole of the last one always looks like a fall;
    so 环比 is taken over equal days: the 1st to the 10th against the 1st to the 10th.
    On a month's last day the whole month is compared with the whole month before (30
    November with all of October; 31 March with all of February)."""
    month = ReportPeriod.month_of(today)
    before = month.previous
    if today == month.end:
        return Span(month.start, today), Span(before.start, before.end)
    return (Span(month.start, today),
            Span(before.start, min(before.end, before.start + (today - month.start))))


# --- summary numbers ---------------------------------------------------------------------

HUNDRED = Decimal(100)
ONE_PLACE = Decimal("0.1")
TWO_PLACES = Decimal("0.01")


def rate(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole``, to two places; ``None`` when there is no whole
    (a rate of nothing is not 0 %)."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(TWO_PLACES, ROUND_HALF_UP)


def change(current: int | Decimal, before: int | Decimal) -> Decimal | None:
    """Percentage change from ``before`` to ``current`` (环比/同比); ``None`` from zero."""
    if not before:
        return None
    return ((Decimal(current) - Decimal(before)) * HUNDRED / Decimal(before)).quantize(
        TWO_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class Spread:
    """Working days from acceptance to conclusion over some disputes."""

    count: int
    mean: Decimal | None
    median: Decimal | None
    p90: int | None
    fastest: int | None
    slowest: int | None


def spread(values: Iterable[int]) -> Spread:
    """Mean (one place), median (the middle value, or the mean of the two middle ones) and
    the 90th percentile by nearest rank: the smallest value with at least 90 % at or below
    it — always one of the disputes' own figures."""
    return spread_counted(Counter(values))


def spread_counted(counts: Mapping[int, int]) -> Spread:
    """:func:`spread` of values given as how many disputes took each (a month's histogram,
    ``MonthWorkingDays``): the same figures without listing a year's disputes one by one."""
    ordered = sorted((value, n) for value, n in counts.items() if n > 0)
    n = sum(k for _value, k in ordered)
    if n == 0:
        return Spread(0, None, None, None, None, None)
    ends = list(accumulate(k for _value, k in ordered))

    def nth(i: int) -> int:  # the i-th value (from 0) in ascending order
        return ordered[bisect_right(ends, i)][0]

    mean = (Decimal(sum(v * k for v, k in ordered)) / n).quantize(ONE_PLACE, ROUND_HALF_UP)
    middle = n // 2
    median = (Decimal(nth(middle)) if n % 2 else
              Decimal(nth(middle - 1) + nth(middle)) / 2).quantize(ONE_PLACE)
    p90 = nth(math.ceil(Decimal("0.9") * n) - 1)
    return Spread(n, mean, median, p90, ordered[0][0], ordered[-1][0])


# Overdue: a dispute past the deadline of the stage it stands at. The workbench counts
# every stage that has one; the supervisor's dashboard the stages the committee answers
# for — assigning a mediator and mediating — so the two counts differ by the others.
MEDIATION_STAGES: tuple[State, ...] = (State.ACCEPTED, State.MEDIATING)


def _either(states: Iterable[State]) -> str:
    labels = [s.label for s in states]
    return "或".join(("、".join(labels[:-1]), labels[-1])) if len(labels) > 1 else labels[0]

DEFINITIONS: Mapping[str, str] = {
    "received": "收案日期在统计期间内的纠纷（含不予受理）",
    "accepted": "受理日期在统计期间内的纠纷",
    "declined": "统计期间内作出不予受理决定的纠纷",
    "concluded": "已受理且调解程序在统计期间内结束的纠纷：达成协议、调解不成（含无法联系）或撤回；"
                 "司法确认被驳回后重新调解的，以重新调解的结果为准",
    "settled": "统计期间内办结且达成调解协议的纠纷；司法确认被驳回后转诉讼的，改计为调解不成"
               "（仍以达成协议之日为办结日）",
    "failed": "统计期间内办结且调解不成的纠纷（含无法联系当事人）",
    "withdrawn": "统计期间内办结且当事人撤回申请的纠纷",
    "unreachable": "调解不成中，经多次联系及乡镇（街道）节点上门仍无法联系当事人而终止调解的纠纷",
    "with_deadline": "统计期间内办结、办结时有调解期限的纠纷（按期办结率的分母）",
    "amount_distressed": "纾困企业纠纷的债权合计",
    "success_rate": "调解成功率 = 调解成功件数 ÷ 办结件数 × 100%（不含不予受理）",
    "amount_involved": "统计期间内受理纠纷的债权合计（本金、利息、罚息、复利、违约金、费用"
                       "及其他），按受理时登记的金额",
    "amount_settled": "统计期间内调解成功纠纷的债权合计（涉案标的额）",
    "amount_agreed": "统计期间内调解成功且有调解协议书的纠纷，协议约定的还款总额",
    "confirmed": "统计期间内人民法院裁定确认调解协议有效的纠纷",
    "amount_confirmed": "统计期间内经司法确认纠纷的债权合计",
    "settled_confirmed": "统计期间内调解成功、且截至报表生成时已经司法确认的纠纷",
    "confirmation_rate": "司法确认率 = 本期调解成功纠纷中已经司法确认的件数 ÷ 本期调解成功件数"
                         " × 100%（截至报表生成时）",
    "defaulted": "统计期间内因未按协议履行而认定违约的纠纷",
    "enforcement": "统计期间内申请强制执行的纠纷",
    "performed": "统计期间内履行完毕的纠纷",
    "performance_rate": "履行完毕率 = 履行完毕件数 ÷（履行完毕件数 + 违约件数）× 100%"
                        "（同一统计期间）",
    "working_days": "自受理之次日起至办结之日止的工作日数（按法定节假日及调休安排）；"
                    "中位数取中间值，90%分位数取至少90%纠纷不超过的最小天数",
    "within_deadline": "办结日期不晚于办结时有效的调解期限（指派调解员时确定，含经同意延长）"
                       "的纠纷；指派前撤回的不计",
    "within_deadline_rate": "按期办结率 = 按期办结件数 ÷ 有调解期限的办结件数 × 100%",
    "fees_saved": "调解成功纠纷按涉案金额估算的诉讼费（案件受理费）与律师费之和；"
                  "人民调解及司法确认不收费；律师费比例与最低额取纠纷适用的规则版本",
    "distressed": "统计期间内调解成功、债务人为企业或纠纷类型为企业贷款的纠纷（纾困企业）",
    "credit_repaired": "统计期间内金融机构确认已更正征信记录的纠纷",
    "funnel": "统计期间内受理的纠纷，截至期末到达各环节的件数；到达后一环节的视为已经过邀请、联系、"
              "参与和达成一致各环节（司法确认不因履行而推定）"
              "（已邀请：已发送邀请或送达文书；已联系上：电话、短信或上门联系到当事人；"
              "已参与：当事人登录当事人端或主动联系调委会，或债务人出席调解；"
              "达成一致：双方接受同一方案或签订协议）",
    "overdue": f"状态为{_either(STATE_DEADLINES)}，且当前环节的期限已过的纠纷",
    "overdue_mediation": f"状态为{_either(MEDIATION_STAGES)}，且指派调解员期限或调解期限"
                         "（含经双方同意延长）已过的纠纷，按受理调委会统计；状态为"
                         f"{_either(s for s in STATE_DEADLINES if s not in MEDIATION_STAGES)}"
                         "的超期纠纷不计入",
}
