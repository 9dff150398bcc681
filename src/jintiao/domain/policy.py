"""Policy: the time limits, thresholds and caps that differ by place and change over time.

A policy is a frozen value validated on construction, so a bad configuration fails where
it is entered, not in the middle of a deadline computation. Defaults are the demo policy
of scenario S7 (Qiandongnan practice) and the national rules of DESIGN.md §3; each field's
source is in :data:`SOURCES` so an administrator can see why a number is what it is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import StrEnum
from typing import Any

from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.money import CENT
from jintiao.domain.periods import TimeLimit, Unit


class PolicyInvalid(DomainError):
    """A policy value is missing, of the wrong kind or out of range."""

    code = ErrorCode.POLICY_INVALID


class Track(StrEnum):
    """How a dispute is handled after acceptance; it sets the mediation time limit."""

    FAST = "fast"
    SIMPLE = "simple"
    ORDINARY = "ordinary"
    EVALUATION = "evaluation"

    @property
    def label(self) -> str:
        return {"fast": "小额速调", "simple": "简易程序", "ordinary": "普通程序",
                "evaluation": "中立评估"}[self.value]


class ShareRule(StrEnum):
    """How a joint mediation (联合调解) shares the debtor's one affordable monthly amount
    among the creditors (:mod:`jintiao.domain.joint`); each rule's source is
    :attr:`source`."""

    PRO_RATA = "pro_rata"
    SECURED_FIRST = "secured_first"
    AGREED = "agreed"

    @property
    def label(self) -> str:
        return SHARE_RULE_LABELS[self]

    @property
    def source(self) -> str:
        return SHARE_RULE_SOURCES[self]


SHARE_RULE_LABELS: Mapping[ShareRule, str] = {
    ShareRule.PRO_RATA: "按未清偿债权比例分配",
    ShareRule.SECURED_FIRST: "有担保债权优先，其余按比例分配",
    ShareRule.AGREED: "按各方约定比例分配",
}
SHARE_RULE_SOURCES: Mapping[ShareRule, str] = {
    ShareRule.PRO_RATA: "参照企业破产法第113条第2款：不足以清偿同一顺序的清偿要求的，按照比例分配",
    ShareRule.SECURED_FIRST: "民法典第386条（担保物权人就担保财产优先受偿）；"
                             "参照企业破产法第109条、第113条",
    ShareRule.AGREED: "人民调解法第3条、民法典第5条（自愿原则）："
                      "各债权人与债务人协商一致的分配比例",
}


def _wd(n: int) -> TimeLimit:
    return TimeLimit(n, Unit.WORKING_DAYS)


def _days(n: int) -> TimeLimit:
    return TimeLimit(n, Unit.DAYS)


@dataclass(frozen=True)
class Policy:
    """One version of a node's rules. Disputes keep the version they were accepted under."""

    name: str = "默认规则（示范）"
    version: int = 1
    valid_from: dt.date = dt.date(2025, 1, 1)
    valid_to: dt.date | None = None  # exclusive
    # mediation, by track
    mediation_fast_limit: TimeLimit = field(default_factory=lambda: _wd(7))
    mediation_simple_limit: TimeLimit = field(default_factory=lambda: _wd(7))
    mediation_ordinary_limit: TimeLimit = field(default_factory=lambda: _wd(15))
    mediation_evaluation_limit: TimeLimit = field(default_factory=lambda: _wd(15))
    court_delegated_mediation_limit: TimeLimit = field(default_factory=lambda: _days(30))
    extension_limit: TimeLimit = field(default_factory=lambda: _days(30))
    max_extensions: int = 1
    assignment_limit: TimeLimit = field(default_factory=lambda: _wd(3))
    # the team: a lead mediator and co-mediators or experts, all counted
    max_mediators: int = 5
    # how early the workbench lists a deadline as due soon
    deadline_warning_lead: TimeLimit = field(default_factory=lambda: _wd(3))
    # court
    fast_track_limit: TimeLimit = field(default_factory=lambda: _wd(20))
    confirmation_application_limit: TimeLimit = field(default_factory=lambda: _days(30))
    court_acceptance_limit: TimeLimit = field(default_factory=lambda: _days(3))
    court_decision_limit: TimeLimit = field(default_factory=lambda: _days(15))
    court_decision_extension: TimeLimit = field(default_factory=lambda: _days(10))
    special_procedure_limit: TimeLimit = field(default_factory=lambda: _days(30))
    objection_limit: TimeLimit = field(default_factory=lambda: _days(15))
    third_party_objection_limit: TimeLimit = field(
        default_factory=lambda: TimeLimit(6, Unit.MONTHS))
    enforcement_application_limit: TimeLimit = field(
        default_factory=lambda: TimeLimit(2, Unit.YEARS))
    # money
    annual_cost_cap: Decimal = Decimal("0.24")
    small_claim_threshold: Decimal = Decimal("50000.00")
    acceleration_missed_instalments: int = 2
    late_performance_daily_rate: Decimal = Decimal("0.000175")
    reminder_lead: TimeLimit = field(default_factory=lambda: _days(3))
    follow_up_interval_months: int = 6
    # how long the institution has to confirm a credit-repair letter before it is reminded
    credit_repair_limit: TimeLimit = field(default_factory=lambda: _days(20))
    max_debt_service_ratio: Decimal = Decimal("0.50")
    lawyer_fee_rate: Decimal = Decimal("0.03")
    lawyer_fee_minimum: Decimal = Decimal("3000.00")
    fee_quantum: Decimal = CENT
    stack_fee_halvings: bool = False
    # triage (issue 4): when the policy suggests neutral evaluation
    evaluation_threshold: Decimal = Decimal("1000000.00")
    # affordability: local figures per person and month (最低生活保障, 最低工资)
    living_minimum_monthly: Decimal = Decimal("790.00")
    minimum_wage_monthly: Decimal = Decimal("1890.00")
    # neutral evaluation: what litigation is expected to take and to recover
    expected_litigation_months: int = 6
    expected_enforcement_months: int = 12
    expected_recovery_rate: Decimal = Decimal("0.40")
    # blind offers: rounds per negotiation and the coarseness of a proposal
    blind_offer_rounds: int = 3
    blind_offer_step_ratio: Decimal = Decimal("0.01")
    # the rate a plan's present value is discounted at unless the user states another
    plan_discount_rate: Decimal = Decimal("0.035")
    # reaching the parties: contact caps per party, contact hours, the "cannot reach" path
    contact_max_per_day: int = 3
    contact_max_per_week: int = 7
    contact_day_starts_hour: int = 8
    contact_day_ends_hour: int = 21
    unreachable_failed_attempts: int = 3
    unreachable_days: int = 2
    electronic_service_counts_on: str = "delivered"
    # hardship pause (纾困暂停, issue 21 §3): the longest pause and how many a dispute may have
    hardship_pause_limit: TimeLimit = field(default_factory=lambda: _days(90))
    max_hardship_pauses: int = 2
    # joint mediation: how one debtor's affordable monthly amount is shared among creditors
    joint_share_rule: ShareRule = ShareRule.PRO_RATA

    def __post_init__(self) -> None:
        for f in fields(self):
            _check_field(f.name, getattr(self, f.name))
        object.__setattr__(self, "joint_share_rule", ShareRule(self.joint_share_rule))
        if self.valid_to is not None and self.valid_to <= self.valid_from:
            raise PolicyInvalid(
                "规则的失效日期必须晚于生效日期",
                "valid_to must be after valid_from",
                field="valid_to",
            )
        if self.contact_max_per_week < self.contact_max_per_day:
            raise PolicyInvalid("每周联系次数上限不得少于每日上限",
                                "contact_max_per_week must be at least contact_max_per_day",
                                field="contact_max_per_week")
        if self.contact_day_ends_hour <= self.contact_day_starts_hour:
            raise PolicyInvalid("允许联系的结束时刻必须晚于开始时刻",
                                "contact hours must end after they start",
                                field="contact_day_ends_hour")

    def mediation_limit(self, track: Track) -> TimeLimit:
        """Return the mediation time limit for ``track`` (S7: 7 or 15 working days)."""
        return {
            Track.FAST: self.mediation_fast_limit,
            Track.SIMPLE: self.mediation_simple_limit,
            Track.ORDINARY: self.mediation_ordinary_limit,
            Track.EVALUATION: self.mediation_evaluation_limit,
        }[track]

    def is_in_force_on(self, day: dt.date) -> bool:
        """Return whether this version applies on ``day`` (``valid_to`` is exclusive)."""
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    def replace(self, **changes: Any) -> Policy:
        """Return a copy with ``changes`` applied and validated again."""
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            name = sorted(unknown)[0]
            raise PolicyInvalid(f"未知的规则项：{name}", f"unknown policy field: {name}",
                                field=name)
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (strings for decimals and dates) for storage."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, TimeLimit):
                out[f.name] = {"amount": value.amount, "unit": str(value.unit)}
            elif isinstance(value, StrEnum):
                out[f.name] = str(value)
            elif isinstance(value, Decimal | dt.date):
                out[f.name] = str(value) if isinstance(value, Decimal) else value.isoformat()
            else:
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        """Build a policy from :meth:`to_dict` output; missing fields take the defaults.

        :raises PolicyInvalid: an unknown field or a value of the wrong kind
        """
        known = {f.name: f for f in fields(cls)}
        defaults = cls()  # once: building a policy per field made every action slower
        kwargs: dict[str, Any] = {}
        for name, raw in data.items():
            if name not in known:
                raise PolicyInvalid(f"未知的规则项：{name}", f"unknown policy field: {name}",
                                    field=name)
            kwargs[name] = _coerce(name, raw, getattr(defaults, name))
        return cls(**kwargs)


def _coerce(name: str, raw: Any, default: Any) -> Any:
    if isinstance(default, TimeLimit):
        return _coerce_limit(name, raw)
    try:
        if isinstance(default, bool):
            if not isinstance(raw, bool):
                raise TypeError(name)
            return raw
        if isinstance(default, Decimal):
            if isinstance(raw, float):
                raise TypeError(name)
            return Decimal(str(raw))
        if name in ("valid_from", "valid_to"):
            return None if raw is None else dt.date.fromisoformat(raw)
        if isinstance(default, int):
            if isinstance(raw, bool) or not isinstance(raw, int):
                raise TypeError(name)
            return raw
        return raw
    except (KeyError, TypeError, ValueError, ArithmeticError, DomainError):
        raise PolicyInvalid(
            f"规则项“{FIELD_LABELS.get(name, name)}”的值无效：{raw!r}",
            f"invalid value for policy field {name}: {raw!r}",
            field=name,
        ) from None


_WHOLE = re.compile(r"-?[0-9]{1,12}")
# the latest day a version may start or end without a today to count from (the calendar's
# range ends in 2097: jintiao.domain.periods)
LAST_POLICY_DAY = dt.date(2097, 12, 31)


def years_after(day: dt.date, years: int) -> dt.date:
    """The same date ``years`` later (28 February for a 29 February without one)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def whole_number(text: str) -> int | None:
    """A whole number as typed (ASCII digits, a minus), else None: ``²`` or ``--5`` are
    no numbers, and the rule they were typed for refuses them in words."""
    plain = text.strip()
    return int(plain) if _WHOLE.fullmatch(plain) else None


def typed_number(text: str) -> int | str:
    """``text`` as a whole number when it is one, else as typed (for the rule to refuse)."""
    number = whole_number(text)
    return text.strip() if number is None else number


def _coerce_limit(name: str, raw: Any) -> TimeLimit:
    """A limit from ``{"amount": 7, "unit": "working_days"}``, each mistake in words."""
    label = FIELD_LABELS.get(name, name)
    amount = raw.get("amount") if isinstance(raw, Mapping) else None
    unit = raw.get("unit") if isinstance(raw, Mapping) else None
    if isinstance(amount, str):
        amount = typed_number(amount)
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise PolicyInvalid(f"规则项“{label}”的期间必须是整数：{amount!r}",
                            f"the amount of {name} must be a whole number", field=name)
    if unit not in {u.value for u in Unit}:
        units = "、".join(f"{u.value}（{u.label}）" for u in Unit)
        raise PolicyInvalid(f"规则项“{label}”的期间单位无效：{unit!r}，可选：{units}",
                            f"unknown time unit of {name}: {unit!r}", field=name)
    if amount < 1:
        raise PolicyInvalid(f"规则项“{label}”必须至少为1",
                            f"policy field {name} must be at least 1", field=name)
    return TimeLimit(amount, Unit(unit))


_RATES = {"annual_cost_cap", "late_performance_daily_rate", "max_debt_service_ratio",
          "lawyer_fee_rate", "expected_recovery_rate", "blind_offer_step_ratio",
          "plan_discount_rate"}
_AMOUNTS = {"small_claim_threshold", "lawyer_fee_minimum", "evaluation_threshold",
            "living_minimum_monthly", "minimum_wage_monthly"}
_COUNTS = {"acceleration_missed_instalments", "follow_up_interval_months", "version",
           "expected_litigation_months", "expected_enforcement_months", "blind_offer_rounds",
           "max_extensions", "max_mediators", "contact_max_per_day", "contact_max_per_week",
           "unreachable_failed_attempts", "unreachable_days", "max_hardship_pauses"}
_HOURS = {"contact_day_starts_hour", "contact_day_ends_hour"}
# 法发〔2017〕22号第2条: interest, compound interest, penalties and fees of a licensed lender
# above 24 % a year are not supported; a place may set a stricter cap, never a looser one.
NATIONAL_COST_CAP = Decimal("0.24")
# Bounds of sense, so that a slip of the keyboard (a limit of 7000 years) is refused where
# it is typed rather than overflowing a date later: ten years in each unit.
_LONGEST = {Unit.DAYS: 3660, Unit.WORKING_DAYS: 2500, Unit.MONTHS: 120, Unit.YEARS: 10}
_COUNT_CEILING = 999
NAME_MAX = 100  # a version's name, as the form takes it
_AMOUNT_CEILING = Decimal("1000000000000")


def _check_field(name: str, value: Any) -> None:
    label = FIELD_LABELS.get(name, name)

    def refuse(why_zh: str, why_en: str) -> PolicyInvalid:
        return PolicyInvalid(f"规则项“{label}”{why_zh}", f"policy field {name} {why_en}",
                             field=name)

    if name.endswith(("_limit", "_extension", "_lead")):
        if not isinstance(value, TimeLimit):
            raise refuse("必须是期限", "must be a time limit")
        if value.amount < 1:
            raise refuse("必须至少为1", "must be at least 1")
        if value.amount > _LONGEST[value.unit]:
            raise refuse(f"不得超过{_LONGEST[value.unit]}{value.unit.label}（十年）",
                         "must not exceed ten years")
    elif name in _RATES:
        if not isinstance(value, Decimal) or not value.is_finite() or not 0 < value <= 1:
            raise refuse("必须是大于0且不超过100%的比例", "must be a decimal in (0, 1]")
        if name == "annual_cost_cap" and value > NATIONAL_COST_CAP:
            raise refuse("不得超过全国上限年24%（法发〔2017〕22号第2条），地方只能更严",
                         "must not exceed the national cap of 24% a year")
    elif name in _AMOUNTS:
        if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
            raise refuse("必须是非负金额", "must be a non-negative amount")
        if value >= _AMOUNT_CEILING or value != value.quantize(CENT):
            raise refuse("必须精确到分且小于一万亿元", "must be in fen and below 10^12")
    elif name == "fee_quantum":
        if value not in (CENT, Decimal("0.1"), Decimal("1")):
            raise refuse("只能是0.01、0.1或1", "must be 0.01, 0.1 or 1")
    elif name in _COUNTS:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise refuse("必须是正整数", "must be a positive integer")
        if value > _COUNT_CEILING and name != "version":
            raise refuse(f"不得超过{_COUNT_CEILING}", f"must not exceed {_COUNT_CEILING}")
    elif name in _HOURS:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 24:
            raise refuse("必须是0至24之间的整点", "must be an hour from 0 to 24")
    elif name == "electronic_service_counts_on":
        if value not in ("delivered", "read"):
            raise refuse("只能是“到达即送达”或“阅读即送达”", "must be delivered or read")
    elif name == "joint_share_rule":
        if not isinstance(value, str) or value not in {r.value for r in ShareRule}:
            choices = "、".join(f"{r.value}（{r.label}）" for r in ShareRule)
            raise refuse(f"只能是{choices}", "must be pro_rata, secured_first or agreed")
    elif name == "stack_fee_halvings":
        if not isinstance(value, bool):
            raise refuse("必须是是/否", "must be a boolean")
    elif name == "name":
        if not isinstance(value, str) or not value.strip():
            raise refuse("不能为空", "must not be empty")
        if len(value) > NAME_MAX or any(ord(c) < 32 or ord(c) == 127 for c in value):
            # found in review: the form kept it short, the CLI stored anything (a NUL too)
            raise refuse(f"不得超过{NAME_MAX}字，且不能含控制字符",
                         "too long or with control characters")
    elif name == "valid_from":
        if not isinstance(value, dt.date):
            raise refuse("必须是日期", "must be a date")
    elif name == "valid_to" and value is not None and not isinstance(value, dt.date):
        raise refuse("必须是日期", "must be a date")


FIELD_LABELS: Mapping[str, str] = {
    "name": "名称",
    "version": "版本",
    "valid_from": "生效日期",
    "valid_to": "失效日期",
    "mediation_fast_limit": "小额速调调解期限",
    "mediation_simple_limit": "简易程序调解期限",
    "mediation_ordinary_limit": "普通程序调解期限",
    "mediation_evaluation_limit": "中立评估期限",
    "court_delegated_mediation_limit": "法院委派调解期限",
    "extension_limit": "延长调解期限上限",
    "max_extensions": "延长调解期限次数上限",
    "assignment_limit": "指派调解员期限",
    "max_mediators": "每件纠纷调解员人数上限（含主调解员）",
    "deadline_warning_lead": "期限到期前提示提前量",
    "fast_track_limit": "调解不成转速裁审结期限",
    "confirmation_application_limit": "申请司法确认期限",
    "court_acceptance_limit": "法院决定是否受理确认申请期限",
    "court_decision_limit": "法院审查确认申请期限",
    "court_decision_extension": "审查期限可延长",
    "special_procedure_limit": "特别程序审结期限",
    "objection_limit": "当事人对确认裁定提出异议期限",
    "third_party_objection_limit": "案外人提出异议期限",
    "enforcement_application_limit": "申请强制执行期限",
    "annual_cost_cap": "利息、罚息、复利、违约金和费用年化上限",
    "small_claim_threshold": "小额纠纷标准",
    "acceleration_missed_instalments": "连续未还几期即加速到期",
    "late_performance_daily_rate": "迟延履行期间债务利息日利率",
    "reminder_lead": "还款日前提醒提前",
    "follow_up_interval_months": "履行期间回访间隔（月）",
    "credit_repair_limit": "金融机构确认征信修复的期限",
    "max_debt_service_ratio": "月还款占收入比例上限",
    "lawyer_fee_rate": "律师费估算比例",
    "lawyer_fee_minimum": "律师费估算最低额",
    "fee_quantum": "诉讼费计算精度",
    "stack_fee_halvings": "简易程序与调解结案减半是否叠加",
    "evaluation_threshold": "建议中立评估的争议金额标准",
    "living_minimum_monthly": "当地最低生活保障标准（每人每月）",
    "minimum_wage_monthly": "当地最低工资标准（每月）",
    "expected_litigation_months": "诉讼预计审理月数",
    "expected_enforcement_months": "强制执行预计月数",
    "expected_recovery_rate": "诉讼及执行预计回收率",
    "blind_offer_rounds": "背靠背报价轮数上限",
    "blind_offer_step_ratio": "背靠背报价建议金额步长（占债权总额比例）",
    "plan_discount_rate": "方案现值默认折现率（年）",
    "contact_max_per_day": "每名当事人每日联系次数上限",
    "contact_max_per_week": "每名当事人7日内联系次数上限",
    "contact_day_starts_hour": "允许联系的开始时刻（时）",
    "contact_day_ends_hour": "允许联系的结束时刻（时）",
    "unreachable_failed_attempts": "认定联系不上前须尝试的次数",
    "unreachable_days": "上述尝试须分布的不同日数",
    "electronic_service_counts_on": "电子送达生效时点（到达即送达或阅读即送达）",
    "hardship_pause_limit": "纾困暂停最长期限",
    "max_hardship_pauses": "每件纠纷纾困暂停次数上限",
    "joint_share_rule": "联合调解每月还款额的分配规则",
}

SOURCES: Mapping[str, str] = {
    "mediation_fast_limit": "DESIGN.md §3；实践（种子情景S7）",
    "mediation_simple_limit": "种子情景S7：简易程序7个工作日",
    "mediation_ordinary_limit": "种子情景S7：普通程序15个工作日",
    "mediation_evaluation_limit": "未见规定，按普通程序设定",
    "court_delegated_mediation_limit": "特邀调解规定第27条；在线调解规则第24条",
    "extension_limit": "最高法关于严格依法规范民事案件立案与调解工作的意见（2025）：延长不超过30日",
    "max_extensions": "平台默认：经双方当事人同意延长一次，不超过上述期限",
    "assignment_limit": "人民法院在线调解规则第10、12条（3个工作日）",
    "max_mediators": "人民调解法第19条（可以指定一名或者数名人民调解员）；平台默认主调解员1名、"
                     "协助调解员或专家至多4名",
    "deadline_warning_lead": "无国家规定；平台默认到期前3个工作日列入“即将到期”",
    "fast_track_limit": "种子情景S7：调解不成转速裁20个工作日审结",
    "confirmation_application_limit": "民事诉讼法第205条；人民调解法第33条",
    "court_acceptance_limit": "法释〔2011〕5号第4条",
    "court_decision_limit": "法释〔2011〕5号第5条",
    "court_decision_extension": "法释〔2011〕5号第5条（经院长批准）",
    "special_procedure_limit": "民事诉讼法第187条",
    "objection_limit": "民诉法解释第372条",
    "third_party_objection_limit": "民诉法解释第372条",
    "enforcement_application_limit": "民事诉讼法第250条",
    "annual_cost_cap": "法发〔2017〕22号第2条（持牌金融机构，年24%）",
    "small_claim_threshold": "各省设定；示范值",
    "acceleration_missed_instalments": "DESIGN.md §3（协议约定）",
    "late_performance_daily_rate": "最高法关于执行程序中计算迟延履行期间的债务利息的解释（2014）",
    "reminder_lead": "调委会工作惯例（人民调解法第31条：监督履行）",
    "follow_up_interval_months": "调委会工作惯例（跟踪回访）",
    "credit_repair_limit": "参照征信业管理条例第25条：收到异议之日起20日内核查处理并答复",
    "max_debt_service_ratio": "审慎经验值，可按地方调整",
    "lawyer_fee_rate": "估算值，按当地律师服务收费指导标准调整",
    "lawyer_fee_minimum": "估算值，按当地律师服务收费指导标准调整",
    "fee_quantum": "诉讼费用交纳办法未规定取整，默认精确到分",
    "stack_fee_halvings": "诉讼费用交纳办法第15、16条；通常理解为只减半一次",
    "evaluation_threshold": "无国家规定；示范值，争议金额较大且当事人对结果预期分歧时建议中立评估",
    "living_minimum_monthly": "示范值；按当地民政部门公布的城乡最低生活保障标准调整",
    "minimum_wage_monthly": "示范值；按省级人民政府公布的月最低工资标准调整",
    "expected_litigation_months": "估算值；民事诉讼法第152条普通程序六个月审限",
    "expected_enforcement_months": "估算值；按当地法院执行周期调整",
    "expected_recovery_rate": "估算值；按本地金融借款纠纷执行到位率调整",
    "blind_offer_rounds": "参照Cybersettle三轮盲报价；平台默认",
    "blind_offer_step_ratio": "平台默认：建议金额取债权总额1%的整百倍，避免反推对方底线",
    "plan_discount_rate": "示范值：约为一年期贷款市场报价利率（LPR），可按机构资金成本调整",
    "contact_max_per_day": "平台默认，防止以调解之名催收（anchors §6第10项）；按地方规定调整",
    "contact_max_per_week": "参照美国Regulation F §1006.14：7日内7次电话即推定骚扰",
    "contact_day_starts_hour": "参照Regulation F §1006.6(b)(1)(i)：早8时前、晚9时后推定为不便时间",
    "contact_day_ends_hour": "参照Regulation F §1006.6(b)(1)(i)：早8时前、晚9时后推定为不便时间",
    "unreachable_failed_attempts": "平台默认；在线调解规则第25条：当事人在期限内无法联系可终止调解",
    "unreachable_days": "平台默认：不同日期多次尝试后方可认定联系不上",
    "electronic_service_counts_on": "民事诉讼法第90条：以到达受送达人特定系统的日期为送达日期",
    "hardship_pause_limit": ("示范值：参照《商业银行信用卡业务监督管理办法》第70条（持卡人因"
                             "生活困难等原因可与银行协商个性化还款）及监管部门对受困群体延期"
                             "还本付息的政策；按地方规定调整"),
    "max_hardship_pauses": "平台默认：防止以暂停拖延调解；按地方规定调整",
    "joint_share_rule": "参照企业破产法第113条第2款（同一顺序按比例分配）；有担保债权优先见"
                        "民法典第386条；约定比例见人民调解法第3条（自愿、平等）",
}

DEFAULT_POLICY = Policy()


# --- publishing a new version: the values an administrator sets, their sources, the window ---

class PolicyWindowInvalid(DomainError):
    """A version's validity dates are backwards, start in the past or overlap another's."""

    code = ErrorCode.POLICY_WINDOW_INVALID


META_FIELDS = frozenset({"name", "version", "valid_from", "valid_to"})
EDITABLE: tuple[str, ...] = tuple(f.name for f in fields(Policy) if f.name not in META_FIELDS)
"""The rule values of a version, in the order of :class:`Policy` (each has a source)."""

SOURCE_MAX = 300
_CONTROL = {chr(c) for c in (*range(32), 127)}


class Kind(StrEnum):
    """What kind of value a rule is: how it is entered and shown."""

    LIMIT = "limit"  # a number and a unit: 7 working days
    RATE = "rate"  # a fraction entered and shown in percent
    AMOUNT = "amount"  # yuan
    COUNT = "count"  # a positive whole number
    HOUR = "hour"  # an hour of the day, 0 to 24
    QUANTUM = "quantum"  # 0.01, 0.1 or 1 yuan
    CHOICE = "choice"  # one of a few words
    FLAG = "flag"  # yes or no


SERVICE_CHOICES: Mapping[str, str] = {"delivered": "到达即送达", "read": "阅读即送达"}
CHOICES: Mapping[str, Mapping[str, str]] = {
    "electronic_service_counts_on": SERVICE_CHOICES,
    "joint_share_rule": {r.value: r.label for r in ShareRule},
}
"""The rules that are one of a few words: each word and what it means."""


def kind_of(name: str) -> Kind:
    """Return the kind of the rule ``name`` (one of :data:`EDITABLE`).

    :raises PolicyInvalid: not a rule value, or a rule of a kind not known here (a new
        field must be given its kind, so that it is entered and shown as what it is)
    """
    if name not in EDITABLE:
        raise PolicyInvalid(f"未知的规则项：{name}", f"unknown policy field: {name}",
                            field=name)
    if isinstance(getattr(DEFAULT_POLICY, name), TimeLimit):
        return Kind.LIMIT
    if name in _RATES:
        return Kind.RATE
    if name in _AMOUNTS:
        return Kind.AMOUNT
    if name in _HOURS:
        return Kind.HOUR
    if name == "fee_quantum":
        return Kind.QUANTUM
    if name in CHOICES:
        return Kind.CHOICE
    if name == "stack_fee_halvings":
        return Kind.FLAG
    if name in _COUNTS:
        return Kind.COUNT
    raise PolicyInvalid(f"规则项“{FIELD_LABELS.get(name, name)}”的类别未定义",
                        f"policy field {name} has no kind", field=name)


def percent_text(ratio: Decimal) -> str:
    """A fraction as the percent people say: 0.24 → ``24``, 0.000175 → ``0.0175``."""
    return f"{(ratio * 100).normalize():f}"


def display(name: str, value: Any) -> str:
    """Return a rule's value in words, as a page or a diff shows it: 7个工作日, 24%,
    50,000.00元."""
    kind = kind_of(name)
    if kind is Kind.LIMIT:
        return f"{value.amount}{value.unit.label}"
    if kind is Kind.RATE:
        return f"{percent_text(value)}%"
    if kind in (Kind.AMOUNT, Kind.QUANTUM):
        return f"{value:,.2f}元" if kind is Kind.AMOUNT else f"{value}元"
    if kind is Kind.HOUR:
        return f"{value}时"
    if kind is Kind.CHOICE:
        return CHOICES[name].get(str(value), str(value))
    if kind is Kind.FLAG:
        return "是" if value else "否"
    return str(value)


def revise(base: Policy, values: Mapping[str, Any]) -> Policy:
    """Return ``base`` with ``values`` (in :meth:`Policy.to_dict` form: a limit as
    ``{"amount", "unit"}``, a rate as a fraction) set, validated like any policy.

    :raises PolicyInvalid: a field that is not a rule value, a value of the wrong kind
        (an unknown unit, a word for a number) or out of its domain (a negative or zero
        limit, a rate over 100 %, a cost cap above the national 24 %...), naming the field
    """
    for name in values:
        if name not in EDITABLE:
            raise PolicyInvalid(f"未知的规则项：{name}", f"unknown policy field: {name}",
                                field=name)
    return Policy.from_dict({**base.to_dict(), **values})


def sources_for(entered: Mapping[str, Any], *, base: Mapping[str, str],
                changed: Iterable[str]) -> dict[str, str]:
    """Return every rule's legal source for a new version: the one ``entered`` for it, or
    else the base version's (or :data:`SOURCES`). A changed value must say where it comes
    from: its source may not be left empty.

    :raises PolicyInvalid: a source for something that is not a rule value, one that is not
        text, too long or with control characters, or an empty source of a changed value
    """
    for name, text in entered.items():
        label = FIELD_LABELS.get(name, name)
        if name not in EDITABLE:
            raise PolicyInvalid(f"未知的规则项：{name}", f"unknown policy field: {name}",
                                field=name)
        if not isinstance(text, str):
            raise PolicyInvalid(f"规则项“{label}”的依据必须是文字",
                                f"the source of {name} must be text", field=name)
        if len(text.strip()) > SOURCE_MAX:
            raise PolicyInvalid(f"规则项“{label}”的依据不得超过{SOURCE_MAX}字",
                                f"the source of {name} is too long", field=name)
        if _CONTROL & set(text.strip()):
            raise PolicyInvalid(f"规则项“{label}”的依据含有不可见的控制字符",
                                f"the source of {name} has control characters", field=name)
    out = {name: str(entered.get(name, base.get(name, SOURCES.get(name, "")))).strip()
           for name in EDITABLE}
    for name in changed:
        if not out[name]:
            label = FIELD_LABELS.get(name, name)
            raise PolicyInvalid(f"规则项“{label}”已修改，须填写其法律或政策依据",
                                f"the changed value {name} needs its source", field=name)
    return out


@dataclass(frozen=True)
class PolicyChange:
    """One rule of a new version that differs from the version in force: its value, its
    source, or both (``old``/``new`` in words)."""

    field: str
    label: str
    old: str
    new: str
    old_source: str
    new_source: str

    @property
    def value_changed(self) -> bool:
        return self.old != self.new

    @property
    def source_changed(self) -> bool:
        return self.old_source != self.new_source


def changed_fields(old: Policy, new: Policy) -> list[str]:
    """Return the rule values that differ between ``old`` and ``new``, in field order."""
    return [name for name in EDITABLE if getattr(old, name) != getattr(new, name)]


def diff(old: Policy, new: Policy, *, old_sources: Mapping[str, str],
         new_sources: Mapping[str, str]) -> tuple[PolicyChange, ...]:
    """Return what a new version changes against the version in force: every rule whose
    value or whose source differs, in field order, each with its old and new value in words
    and its old and new source (a missing old source is :data:`SOURCES`')."""
    out: list[PolicyChange] = []
    for name in EDITABLE:
        before, after = getattr(old, name), getattr(new, name)
        was = old_sources.get(name) or SOURCES.get(name, "")
        now = new_sources.get(name, was)
        if before != after or was != now:
            out.append(PolicyChange(name, FIELD_LABELS[name], display(name, before),
                                    display(name, after), was, now))
    return tuple(out)


@dataclass(frozen=True)
class Window:
    """The validity of one stored version of a node's rules (``valid_to`` exclusive)."""

    version: int
    valid_from: dt.date
    valid_to: dt.date | None


def window_check(valid_from: dt.date, valid_to: dt.date | None, *,
                 earlier: Iterable[Window], today: dt.date | None) -> Window | None:
    """Check a new version's validity against the node's versions so far and return the
    one it closes (the latest, when it would still run on ``valid_from``), if any.

    Versions of a node follow one another: the new one starts after the latest has
    started, and the latest then ends the day the new one starts (``valid_to`` exclusive),
    so no day has two versions. An administrator cannot start a version before ``today``:
    disputes received since then were given the version then in force and keep it. With
    ``today`` ``None`` (the operator's set-up, replaying a past) a past start is allowed.

    :raises PolicyWindowInvalid: ``valid_to`` not after ``valid_from``; ``valid_from``
        before ``today``; ``valid_from`` on or before the start of an existing version, or
        inside the window of one that is not the latest
    """
    # ten years ahead at most (the set-up's replay, without today: the calendar's end)
    last = (years_after(today, 10) if today is not None else LAST_POLICY_DAY)
    for day, name in ((valid_from, "valid_from"), (valid_to, "valid_to")):
        if day is not None and day > last:
            raise PolicyWindowInvalid(f"日期（{day}）不能晚于{last}（十年以内）",
                                      "a date too far ahead", field=name)
    if valid_to is not None and valid_to <= valid_from:
        raise PolicyWindowInvalid(
            f"失效日期（{valid_to}）必须晚于生效日期（{valid_from}）",
            "valid_to must be after valid_from", field="valid_to")
    if today is not None and valid_from < today:
        raise PolicyWindowInvalid(
            f"生效日期（{valid_from}）不能早于今天（{today}）：此前受理的纠纷已按当时的规则计算期限",
            "valid_from must not be before today", field="valid_from")
    windows = sorted(earlier, key=lambda w: (w.valid_from, w.version))
    if not windows:
        return None
    latest = windows[-1]
    if valid_from <= latest.valid_from:
        raise PolicyWindowInvalid(
            f"与第{latest.version}版的有效期重叠：第{latest.version}版自{latest.valid_from}起生效，"
            f"新版本的生效日期须晚于该日",
            "the new version must start after the latest one", field="valid_from",
            version=latest.version)
    for w in windows[:-1]:
        if w.valid_to is None or w.valid_to > valid_from:
            raise PolicyWindowInvalid(
                f"与第{w.version}版的有效期重叠（自{w.valid_from}起"
                f"{'长期有效' if w.valid_to is None else f'至{w.valid_to}前'}）",
                "overlaps an earlier version", field="valid_from", version=w.version)
    if latest.valid_to is None or latest.valid_to > valid_from:
        return latest
    return None
