"""Hardship pause (纾困暂停, issue 21 §3): on a verified hardship — illness, loss of work,
a disaster — the desk, with the director's approval, pauses a dispute for a period the
policy bounds. While it runs the creditor's interest and penalties stop (the agreement
says so, and no payment falls due inside it), collection contact is blocked (legal service
is not), and the mediation period stands still: it resumes with the days it had left.

A pause is not in any statute: it is the committee's practice, the way banks grant
individualised arrangements to people in difficulty (《商业银行信用卡业务监督管理办法》
Art. 70) and the regulators' deferral policies for groups in hardship; a disaster may be
force majeure (Civil Code Art. 590). The bounds are policy data (``hardship_pause_limit``,
``max_hardship_pauses``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from jintiao.domain.calendar import WorkingCalendar
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.periods import (
    Deadline,
    TimeLimit,
    Unit,
    add_days,
    add_working_days,
    working_days_between,
)
from jintiao.domain.policy import Policy

MAX_EVIDENCE = 1000
MAX_WORDS = 500  # a decision's reason, a review's note, why a pause ends early


class PauseInvalid(DomainError):
    """A pause that cannot be asked for, granted or ended as given."""

    code = ErrorCode.PAUSE_INVALID


class Ground(StrEnum):
    """Why a debtor cannot take part or pay for a while, with the evidence the desk sees."""

    ILLNESS = "illness"
    JOB_LOSS = "job_loss"
    DISASTER = "disaster"
    FAMILY = "family"

    @property
    def label(self) -> str:
        return GROUND_LABELS[self]

    @property
    def evidence(self) -> str:
        """What the desk verifies before asking the director."""
        return GROUND_EVIDENCE[self]


GROUND_LABELS = {Ground.ILLNESS: "重大疾病或住院治疗", Ground.JOB_LOSS: "失业或收入中断",
                 Ground.DISASTER: "自然灾害等不可抗力", Ground.FAMILY: "家庭重大变故"}
GROUND_EVIDENCE = {
    Ground.ILLNESS: "医院诊断证明、住院记录或病历",
    Ground.JOB_LOSS: "解除或终止劳动合同证明、失业登记或停发工资证明",
    Ground.DISASTER: "当地政府或村（居）委会出具的受灾证明",
    Ground.FAMILY: "死亡证明、重大疾病证明等家庭变故材料",
}


class Outcome(StrEnum):
    """How a pause ended, as the figures count it."""

    EXPIRED = "expired"          # ran its course
    RESUMED = "resumed"          # ended early by decision: the debtor can take part again
    WITHDRAWN = "withdrawn"      # the dispute left mediation while paused

    @property
    def label(self) -> str:
        return {"expired": "期满恢复", "resumed": "提前恢复", "withdrawn": "纠纷终结"}[self.value]


@dataclass(frozen=True)
class Window:
    """A granted pause: from its first day to its last, and the day of its mid-point review."""

    starts_on: dt.date
    ends_on: dt.date  # the last paused day
    review_on: dt.date

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def covers(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


def require_request(*, ground: str, evidence: str, days: int, earlier: int,
                    policy: Policy) -> Ground:
    """Check a request: a known ground, the evidence the desk saw in words, a length within
    the policy's bound, and pauses left.

    :raises PauseInvalid: otherwise (``field`` names what)
    """
    try:
        known = Ground(ground)
    except ValueError:
        raise PauseInvalid("请选择暂停的原因", f"unknown ground {ground!r}",
                           field="ground") from None
    if not evidence.strip():
        raise PauseInvalid(f"请写明已核实的证明材料（{known.evidence}）", "evidence required",
                           field="evidence")
    if len(evidence.strip()) > MAX_EVIDENCE:
        raise PauseInvalid(f"证明材料说明不能超过{MAX_EVIDENCE}字", "evidence too long",
                           field="evidence")
    most = max_days(policy)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= most:
        raise PauseInvalid(f"暂停天数须在1至{most}天之间", "days out of range", field="days")
    if earlier >= policy.max_hardship_pauses:
        raise PauseInvalid(f"本纠纷已暂停{earlier}次，已达上限{policy.max_hardship_pauses}次",
                           "no pauses left", field="days")
    return known


def max_days(policy: Policy) -> int:
    """The policy's bound in calendar days (a bound in months or years counted as 30 / 365)."""
    limit: TimeLimit = policy.hardship_pause_limit
    per = {Unit.DAYS: 1, Unit.WORKING_DAYS: 1, Unit.MONTHS: 30, Unit.YEARS: 365}[limit.unit]
    return limit.amount * per


def window(starts_on: dt.date, days: int) -> Window:
    """The pause granted from ``starts_on`` for ``days`` calendar days; its review halfway."""
    ends_on = starts_on + dt.timedelta(days=days - 1)
    return Window(starts_on, ends_on, starts_on + dt.timedelta(days=(days - 1) // 2))


@dataclass(frozen=True)
class Frozen:
    """What a pause keeps of the mediation period: the deadline it stopped and the days left
    on it, counted in the limit's own unit."""

    deadline: dt.date
    left: int
    working: bool


def freeze(deadline: dt.date, today: dt.date, unit: Unit, calendar: WorkingCalendar
           ) -> Frozen:
    """Stop the period on ``today``: the days left after today, in working days when the
    limit is counted so (none when the deadline has passed)."""
    working = unit is Unit.WORKING_DAYS
    if deadline <= today:
        return Frozen(deadline, 0, working)
    left = (working_days_between(today, deadline, calendar) if working
            else (deadline - today).days)
    return Frozen(deadline, left, working)


def resume(frozen: Frozen, resumed_on: dt.date, calendar: WorkingCalendar) -> Deadline:
    """The period running again from ``resumed_on`` with the days it had left (CPL's rule
    of counting: the starting day not counted, a last day on a rest day rolled forward).
    Nothing left: due on the day it resumes (or the next working day) — the desk extends
    the mediation or ends it."""
    if frozen.working or frozen.left <= 0:
        return add_working_days(resumed_on, max(frozen.left, 0), calendar)
    return add_days(resumed_on, frozen.left, calendar)


def words(text: str, *, what: str, field: str, required: bool = True) -> str:
    """A reason or note on a pause, trimmed: present when ``required``, and not too long.

    :raises PauseInvalid: missing, or over :data:`MAX_WORDS` characters (``field`` named)
    """
    said = text.strip()
    if required and not said:
        raise PauseInvalid(f"请写明{what}", f"{field} is required", field=field)
    if len(said) > MAX_WORDS:
        raise PauseInvalid(f"{what}不能超过{MAX_WORDS}字", f"{field} too long", field=field)
    return said
