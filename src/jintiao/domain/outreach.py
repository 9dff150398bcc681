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
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
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

    @property
    def under_contact_caps(self) -> bool:
        """Whether serving this way is also a contact the caps and hours count: a text or
        an e-mail the platform sends lands on the person's phone or inbox like any other;
        paper handed over, posted or left through the township node does not (see
        :func:`service_refusal`)."""
        return self in (ServiceChannel.SMS, ServiceChannel.EMAIL)


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


def service_refusal(channel: ServiceChannel, at: dt.datetime, earlier: Iterable[dt.datetime],
                    limits: ContactLimits) -> ContactRefused | None:
    """Why serving a document on a party by ``channel`` at ``at`` may not happen now;
    None when it may.

    Service (送达) is the procedure's duty, not a collection contact: a court's ruling, a
    notice or an agreement served in person, left with a witness, posted or handed over
    through the township node (CPL Arts. 88, 89, 91) is what starts the periods that run
    from service — the 15 days to object to a confirmation ruling among them
    (legal-reference.md; DESIGN.md §3) — so it is recorded whenever it happens and is
    never refused by the caps or hours. Those guard against collection in disguise
    (anchors.md §1.9, §6 item 10; the policy's sources: Regulation F §§1006.6(b)(1)(i),
    1006.14, rules on debt-collection communications, not on serving legal process).
    Electronic service (CPL Art. 90) sends a text or an e-mail to the person's phone or
    inbox, so it keeps to the caps and hours like any other text.
    """
    if not channel.under_contact_caps:
        return None
    return contact_refusal(at, earlier, limits)


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

class TemplateRefused(OutreachInvalid):
    """A text the vetting refuses (to draft, approve or send), with every reason found."""

    code = ErrorCode.TEMPLATE_REFUSED


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
# The platform's own text sending a standard plan menu (issue 20 §5): the plans, each with
# its instalments, monthly amount and what it waives, come from the offers put on the
# table; the fixed words are vetted like a committee's template each time they are sent.
MENU_PLACEHOLDERS = {**PLACEHOLDERS, "方案": "所发各方案的期数、月还款额和减免",
                     "选择期限": "选择方案的截止日期"}
MENU_TEXT = ("{姓名}：{调委会}受理的纠纷{纠纷编号}，对方同意以下分期还款方案供您选择：{方案}。"
             "请于{选择期限}前登录当事人端查看全部条款并选择一个方案：{链接}。")
# Collection in disguise (anchors.md §1.9 [C34], §6 item 10): texts that pose as a court,
# the police, a law firm or a regulator; that threaten detention, prosecution or a suit;
# that threaten a blacklist or the credit file; that press through family, neighbours or
# the employer; and plain dunning. A committee's text is signed by the platform with the
# committee's name (``【调委会】…``), so it never needs to name anyone else's authority.
IMPERSONATION = ("法院", "法庭", "法官", "审判", "检察", "公安", "警方", "警察", "民警",
                 "派出所", "刑警", "经侦", "律师", "律所", "法务", "仲裁", "银保监",
                 "金融监管", "监管局", "人民银行", "公检法")
THREATS = {
    "拘留、刑事责任或起诉": ("拘留", "拘押", "羁押", "逮捕", "抓捕", "抓人", "坐牢", "入狱",
                       "判刑", "刑事", "犯罪", "涉嫌", "侦查", "起诉", "被诉", "诉讼", "传票",
                       "判决", "强制执行", "冻结", "查封", "扣押", "拍卖", "法律责任", "追究",
                       "司法程序", "法律程序"),
    "黑名单、失信或征信": ("黑名单", "失信", "老赖", "征信黑", "上征信", "纳入征信",
                     "报送征信", "上报征信", "征信污点", "征信受损", "影响征信", "限制高消费",
                     "限高", "限制出行", "限制出境", "限制乘坐", "曝光", "公示"),
    "联系家人、单位或亲友施压": ("家人", "家属", "亲属", "亲友", "亲戚", "父母", "配偶",
                         "子女", "爱人", "老婆", "老公", "同事", "雇主", "通讯录",
                         "紧急联系人", "邻居", "村委", "居委", "工作单位", "所在单位",
                         "您单位", "你单位", "您的单位", "你的单位", "单位领导", "公司领导",
                         "您的领导", "你的领导", "到单位", "去单位", "上单位"),
    "": ("催收", "催缴", "最后通牒", "后果自负", "立即还款", "马上还款", "限期还款", "否则"),
}
MAX_TEMPLATE_CHARS = 200
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# Separators people put inside a word to slip it past a list ("催 收", "拘\u200b留", "律-师").
_SEPARATORS = re.compile(r"[\s\u3000·・.,，。、:;!?_\-—–~～*#|/\\'\"“”‘’()（）\[\]【】〖〗<>《》]+")
# The few traditional forms of the characters in the lists above.
_SIMPLIFIED = str.maketrans("訴執師務審檢察警凍結責傳強聯親屬視領導鄰單錢萬億塊圓網監銀關揚脅繫語",
                            "诉执师务审检察警冻结责传强联亲属视领导邻单钱万亿块圆网监银关扬胁系语")
_SENDER_TAG = re.compile(r"[【】〖〗]")
# amounts: figures with a currency or a magnitude (5000元, ￥86, 1.5万, RMB80, 3k), and
# numbers in words with one (五万元, 叁仟, 两千块, 贰万)
_NUMERAL = "零〇一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾"
_MAGNITUDE = "百千万亿佰仟萬億"
_AMOUNT_PATTERNS = (
    re.compile(r"\d+(?:[.,]\d+)*\s*(?:元|块|圆|角|毛|万|千|百|亿|w\b|k\b|rmb|cny|yuan)",
               re.IGNORECASE),
    re.compile(r"(?:[¥￥$]|rmb|cny|人民币)\s*\d", re.IGNORECASE),
    re.compile(rf"[{_NUMERAL}][{_NUMERAL}{_MAGNITUDE}]*[{_MAGNITUDE}]"),
    re.compile(rf"[{_NUMERAL}{_MAGNITUDE}]+(?:元|块|圆)"),
)
_DIGITS_APART = re.compile(r"(?<=\d)[\s,，.．·'’_]+(?=\d)")  # 5 000, 5,000, 5.000
_TLDS = ("com|cn|net|org|top|xyz|vip|cc|me|info|io|ly|co|app|site|club|shop|link|online|"
         "tk|ml|ga|ws|tv|asia|biz|pro|wang|ren|ink|fun|icu|work|gov|edu|hk|mo|tw")
_URL_PATTERNS = (
    re.compile(r"[a-z][a-z0-9+.\-]*\s*:\s*/\s*/", re.IGNORECASE),  # http://, weixin://
    re.compile(r"\b(?:https?|ftp)\s*[:：]", re.IGNORECASE),
    re.compile(r"\bwww\s*\.", re.IGNORECASE),
    re.compile(rf"[a-z0-9\-]+\s*\.\s*(?:{_TLDS})\b", re.IGNORECASE),
    re.compile(rf"点\s*(?:{_TLDS})\b", re.IGNORECASE),
)


def _normalised(body: str) -> str:
    """The text as a reader sees it: full-width letters and digits as plain ones, no
    invisible characters, traditional characters of the lists as simplified."""
    text = unicodedata.normalize("NFKC", body)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")  # zero-width &c.
    return text.translate(_SIMPLIFIED)


def _found(words: Iterable[str], squeezed: str) -> list[str]:
    return [w for w in words if w in squeezed]


def template_problems(body: str, known: Mapping[str, str] = PLACEHOLDERS
                      ) -> tuple[str, ...]:
    """Why a committee may not approve (or send) this text; empty when it may.

    The fixed words are read as a reader would, through spacing, punctuation, invisible
    and full-width characters: a text must not pose as a court, the police, a law firm or
    a regulator, nor add its own 【sender】; must not threaten detention, prosecution, a
    suit, a blacklist or the credit file, nor press through family or the employer; must
    not name an amount (in figures or in words) or a number outside the placeholders;
    must not carry a web address other than the portal's ``{链接}``. ``known`` are the
    placeholders the text may hold (a platform text may have more than a template).
    """
    problems = []
    if not body.strip():
        problems.append("正文不能为空")
    if len(body) > MAX_TEMPLATE_CHARS:
        problems.append(f"正文不得超过{MAX_TEMPLATE_CHARS}字")
    unknown = sorted({name for name in _PLACEHOLDER.findall(body) if name not in known})
    if unknown:
        problems.append("未知的填充项：" + "、".join("{" + u + "}" for u in unknown))
    fixed = _normalised(_PLACEHOLDER.sub(" ", body))
    squeezed = _SEPARATORS.sub("", fixed).lower()
    if _SENDER_TAG.search(fixed):
        problems.append("不得自行添加【】署名：短信由平台以调委会名义署名发出")
    posing = _found(IMPERSONATION, squeezed)
    if posing:
        problems.append("不得冒用或提及法院、公安、律师、监管机构等名义：" + "、".join(posing))
    for what, words in THREATS.items():
        threats = _found(words, squeezed)
        if threats:
            problems.append(f"含有催收或威胁性用语{f'（{what}）' if what else ''}："
                            + "、".join(threats))
    joined = _DIGITS_APART.sub("", fixed)
    if any(p.search(joined) or p.search(squeezed) for p in _AMOUNT_PATTERNS):
        problems.append("正文不得写入金额（数字或大写），金额只能来自纠纷记录")
    elif re.search(r"\d{3,}", joined):
        problems.append("正文不得写入号码等数字，请使用填充项")
    if any(p.search(fixed.replace("。", ".")) for p in _URL_PATTERNS):
        problems.append("正文不得含有网址或外部链接，当事人端地址请使用{链接}")
    return tuple(problems)


def render_template(body: str, values: dict[str, str]) -> str:
    """Fill a vetted template's placeholders from the record (missing ones read "—")."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), "—") or "—", body)
