"""Reaching the parties without harassing them: contact caps, quiet hours, when a notice
counts as served, and when "cannot reach" becomes a decision.

Most debt disputes are lost before mediation starts because the debtor is never reached
(anchors.md §1.9, §2.10) — and some "mediation" bodies are collectors in disguise (§6 item
10). So every outbound contact is counted against the policy's caps before it is made, and
the refusal says why. All times here are local (Asia/Shanghai) and given by the caller.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.policy import Policy


class OutreachInvalid(DomainError):
    """A contact or a service that the rules refuse, or input they cannot read."""

    code = ErrorCode.OUTREACH_INVALID


class ContactRefused(DomainError):
    """A contact beyond the policy's caps or at night: not made, with the reason."""

    code = ErrorCode.CONTACT_REFUSED


class ContactChannel(StrEnum):
    """How the desk tried to reach someone."""

    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    VISIT = "visit"
    TOWNSHIP = "township"
    LETTER = "letter"

    @property
    def label(self) -> str:
        return {"call": "电话", "sms": "短信", "email": "电子邮件", "visit": "上门走访",
                "township": "委托乡镇（街道）节点联系", "letter": "信函"}[self.value]


class ContactOutcome(StrEnum):
    """What came of one attempt."""

    REACHED = "reached"
    NO_ANSWER = "no_answer"
    REFUSED = "refused"
    WRONG_NUMBER = "wrong_number"
    SENT = "sent"
    NOT_FOUND = "not_found"

    @property
    def label(self) -> str:
        return {"reached": "已联系上", "no_answer": "无人接听或未回复", "refused": "拒绝沟通",
                "wrong_number": "号码错误、停机或非本人", "sent": "已发出（待回复）",
                "not_found": "查无此人或地址不符"}[self.value]

    @property
    def failed(self) -> bool:
        """An attempt that did not reach the person (a refusal did reach them)."""
        return self in (ContactOutcome.NO_ANSWER, ContactOutcome.WRONG_NUMBER,
                        ContactOutcome.NOT_FOUND)

    @property
    def reached_person(self) -> bool:
        """The person was reached — talked, or refused to talk; a text sent is not yet."""
        return self in (ContactOutcome.REACHED, ContactOutcome.REFUSED)


@dataclass(frozen=True)
class ContactLimits:
    """The policy's guardrails, per party: at most ``per_day`` outbound contacts on a local
    calendar day and ``per_week`` in the seven days ending on it, only from ``day_starts``
    to ``day_ends`` o'clock (the end hour itself is already night)."""

    per_day: int
    per_week: int
    day_starts: int
    day_ends: int

    def __post_init__(self) -> None:
        if not (self.per_day >= 1 and self.per_week >= self.per_day):
            raise OutreachInvalid("联系次数上限无效：每周上限不得少于每日上限",
                                  "per_week must be at least per_day")
        if not 0 <= self.day_starts < self.day_ends <= 24:
            raise OutreachInvalid("允许联系的时段无效", "contact hours must be within a day")


def limits_of(policy: Policy) -> ContactLimits:
    return ContactLimits(policy.contact_max_per_day, policy.contact_max_per_week,
                         policy.contact_day_starts_hour, policy.contact_day_ends_hour)


def contact_refusal(at: dt.datetime, earlier: Iterable[dt.datetime],
                    limits: ContactLimits) -> ContactRefused | None:
    """Why a contact at ``at`` may not be made, given the party's ``earlier`` outbound
    contacts (any dispute, any mediator); None when it may.

    Night comes first: a contact at 22:00 is refused as night even on a quiet day.
    """
    if not limits.day_starts <= at.hour < limits.day_ends:
        return ContactRefused(
            f"当前为夜间或休息时段，只能在{limits.day_starts}:00至{limits.day_ends}:00之间联系当事人",
            "no contact at night", reason="night")
    day = at.date()
    week_start = day - dt.timedelta(days=6)
    today = week = 0
    for when in earlier:
        if when > at:
            continue
        if when.date() == day:
            today += 1
        if week_start <= when.date() <= day:
            week += 1
    if today >= limits.per_day:
        return ContactRefused(
            f"今日已联系该当事人{today}次，已达每日上限{limits.per_day}次，请明日再联系",
            "daily contact cap reached", reason="daily_cap", count=today)
    if week >= limits.per_week:
        return ContactRefused(
            f"近7日已联系该当事人{week}次，已达上限{limits.per_week}次",
            "weekly contact cap reached", reason="weekly_cap", count=week)
    return None


class ReachStage(StrEnum):
    """Where the "cannot reach" path stands for one party."""

    REACHED = "reached"
    TRYING = "trying"
    TOWNSHIP_VISIT = "township_visit"
    MAY_CLOSE = "may_close"

    @property
    def label(self) -> str:
        return {"reached": "已联系上", "trying": "继续联系",
                "township_visit": "多次联系未果，应委托乡镇（街道）节点上门",
                "may_close": "乡镇节点上门仍未联系上，可以无法联系为由终止调解"}[self.value]


@dataclass(frozen=True)
class Attempt:
    """One contact attempt as the reach rule needs it."""

    day: dt.date
    channel: ContactChannel
    outcome: ContactOutcome


def reach_stage(attempts: Sequence[Attempt], *, failed_needed: int,
                days_needed: int) -> ReachStage:
    """The next step for a party the desk is trying to reach.

    A party is reached once any attempt reached them (a refusal to talk is still contact).
    Otherwise, after ``failed_needed`` failed attempts spread over ``days_needed`` different
    days, the policy asks for a visit through the township node; a failed township visit
    after that lets the desk end mediation as "party unreachable" (ONLINE Art. 25).
    """
    if any(a.outcome.reached_person for a in attempts):
        return ReachStage.REACHED
    failed = [a for a in attempts if a.outcome.failed]
    township = [a for a in failed if a.channel is ContactChannel.TOWNSHIP]
    others = [a for a in failed if a.channel is not ContactChannel.TOWNSHIP]
    tried_enough = (len(others) >= failed_needed
                    and len({a.day for a in others}) >= days_needed)
    if not tried_enough:
        return ReachStage.TRYING
    last_other = max(a.day for a in others)
    if any(t.day >= last_other for t in township):
        return ReachStage.MAY_CLOSE
    return ReachStage.TOWNSHIP_VISIT


class ServiceChannel(StrEnum):
    """How a document is served (送达方式)."""

    SMS = "sms"
    EMAIL = "email"
    PORTAL = "portal"
    IN_PERSON = "in_person"
    POST = "post"
    TOWNSHIP = "township"

    @property
    def label(self) -> str:
        return {"sms": "短信链接", "email": "电子邮件", "portal": "当事人端查阅",
                "in_person": "直接送达", "post": "邮寄送达",
                "township": "委托乡镇（街道）节点送达"}[self.value]

    @property
    def electronic(self) -> bool:
        return self in (ServiceChannel.SMS, ServiceChannel.EMAIL, ServiceChannel.PORTAL)


class ServiceResult(StrEnum):
    """What one service attempt achieved."""

    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    SIGNED = "signed"
    LEFT = "left"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"sent": "已发出", "delivered": "已送达对方系统", "read": "已阅读",
                "signed": "已签收", "left": "拒收，已留置", "failed": "未能送达"}[self.value]


# The results each channel can have: a letter is signed for or returned, a text is read.
RESULTS_BY_CHANNEL: dict[ServiceChannel, frozenset[ServiceResult]] = {
    ServiceChannel.SMS: frozenset({ServiceResult.SENT, ServiceResult.DELIVERED,
                                   ServiceResult.READ, ServiceResult.FAILED}),
    ServiceChannel.EMAIL: frozenset({ServiceResult.SENT, ServiceResult.DELIVERED,
                                     ServiceResult.READ, ServiceResult.FAILED}),
    ServiceChannel.PORTAL: frozenset({ServiceResult.DELIVERED, ServiceResult.READ}),
    ServiceChannel.IN_PERSON: frozenset({ServiceResult.SIGNED, ServiceResult.LEFT,
                                         ServiceResult.FAILED}),
    ServiceChannel.POST: frozenset({ServiceResult.SENT, ServiceResult.SIGNED,
                                    ServiceResult.FAILED}),
    ServiceChannel.TOWNSHIP: frozenset({ServiceResult.SIGNED, ServiceResult.LEFT,
                                        ServiceResult.FAILED}),
}

def counts_as_served(channel: ServiceChannel, result: ServiceResult, *,
                     consented_electronic: bool, electronic_counts_on: str) -> bool:
    """Whether one attempt serves the document, by the policy's rule.

    Paper is served when signed for, or left after a refusal with a witness (CPL 88–89).
    Electronic service needs the party's consent and counts on the day the text reaches
    their system (CPL 90) — or, where the policy says ``read``, only once it is opened.
    """
    if result not in RESULTS_BY_CHANNEL[channel]:
        raise OutreachInvalid(f"{channel.label}不会有“{result.label}”的结果",
                              "result impossible for this channel",
                              channel=channel.value, result=result.value)
    if not channel.electronic:
        return result in (ServiceResult.SIGNED, ServiceResult.LEFT)
    if not consented_electronic:
        return False
    if electronic_counts_on == "read":
        return result is ServiceResult.READ
    return result in (ServiceResult.DELIVERED, ServiceResult.READ)


# A verification code printed in every text: 8 letters and digits without look-alikes
# (no 0/O, 1/I/L), shown as two groups of four.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_CODE = re.compile(rf"^[{CODE_ALPHABET}]{{8}}$")


def normalise_code(text: str) -> str | None:
    """The code as stored (upper case, no spaces or dash), or None if it cannot be one."""
    cleaned = re.sub(r"[\s\-－—]", "", text or "").upper()
    return cleaned if _CODE.match(cleaned) else None


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


# --- vetted texts ---

# What a template may say beyond its fixed words: values filled from the record, never
# typed by the sender, so no text carries an amount "due today" or a threat.
PLACEHOLDERS = {
    "姓名": "当事人姓名",
    "纠纷编号": "纠纷编号",
    "调委会": "调委会名称",
    "调解员": "主调解员姓名",
    "调解时间": "下一次调解的时间",
    "链接": "当事人端地址",
}
# Words that mark collection in disguise (anchors.md §1.9, §6 item 10): threats of
# detention or criminal liability, posing as a court, pressure through family or employer.
FORBIDDEN = ("拘留", "坐牢", "判刑", "刑事", "公安", "抓捕", "传票", "法院通知", "通知家人",
             "通知单位", "联系亲友", "告知亲友", "曝光", "黑名单", "上门催收", "催收",
             "最后通牒", "后果自负", "立即还款")
MAX_TEMPLATE_CHARS = 200
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# an amount in words: 五万元, 叁仟元, 两千块
_CHINESE_AMOUNT = re.compile(
    r"[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]+[元块圆]")


def template_problems(body: str) -> tuple[str, ...]:
    """Why a committee may not approve this text (empty when it may)."""
    problems = []
    if not body.strip():
        problems.append("正文不能为空")
    if len(body) > MAX_TEMPLATE_CHARS:
        problems.append(f"正文不得超过{MAX_TEMPLATE_CHARS}字")
    unknown = sorted({name for name in _PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})
    if unknown:
        problems.append("未知的填充项：" + "、".join("{" + u + "}" for u in unknown))
    squeezed = re.sub(r"[\s\u3000·・.,，。、_\-—*]+", "", body)  # "催 收" is still 催收
    found = [w for w in FORBIDDEN if w in squeezed]
    if found:
        problems.append("含有催收或威胁性用语：" + "、".join(found))
    fixed = _PLACEHOLDER.sub("", squeezed)
    if re.search(r"\d{3,}", fixed) or _CHINESE_AMOUNT.search(fixed):
        problems.append("正文不得写入金额、号码等数字，请使用填充项")
    return tuple(problems)


def render_template(body: str, values: dict[str, str]) -> str:
    """Fill a vetted template's placeholders from the record (missing ones read "—")."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), "—") or "—", body)
