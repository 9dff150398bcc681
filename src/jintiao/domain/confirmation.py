"""Will the court confirm this? The grounds on which a court refuses to accept or rejects
an application to confirm a mediation agreement (INTERP Arts. 355, 358; CPL Art. 205;
法发〔2017〕22号 Art. 2), evaluated from the agreement's facts.

The desk sees the checklist before anyone signs and the judge sees the same one on the
review page, so nothing reaches the court that the court would send back. Items only a
judge can decide (voluntariness heard in person, no fraud or coercion, no harm to others)
are listed for the judge, never answered by the system.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from jintiao.domain.claims import DayCount
from jintiao.domain.errors import DomainError
from jintiao.domain.money import format_amount, parse_words, quantize


class Verdict(StrEnum):
    MET = "met"
    UNMET = "unmet"
    PENDING = "pending"      # cannot be answered yet (before signing or filing)
    FOR_JUDGE = "for_judge"  # only the judge can attest it

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self]


VERDICT_LABELS = {Verdict.MET: "符合", Verdict.UNMET: "不符合", Verdict.PENDING: "待核验",
                  Verdict.FOR_JUDGE: "由法官审查"}


@dataclass(frozen=True)
class Check:
    code: str
    label: str
    verdict: Verdict
    detail: str
    source: str


@dataclass(frozen=True)
class Signatory:
    """A party as the agreement names it, and how it signs."""

    name: str
    role_label: str
    identity_valid: bool
    signed: bool  # signed the agreement's final version
    representative: str = ""  # who signs for the party, if anyone
    authority_problems: tuple[str, ...] = ()  # why the representative may not settle


@dataclass(frozen=True)
class AgreementFacts:
    """What the checklist reads; the caller gathers it from the agreement and its records."""

    matter_is_money_claim: bool
    parties: tuple[Signatory, ...]
    facts_stated: bool
    total: Decimal
    total_in_words: str
    schedule: tuple[tuple[int, dt.date | None, Decimal], ...]
    acceleration_missed: int | None
    performance_manner: str
    principal: Decimal
    settled_charges: Decimal  # interest, penalties and fees the plan still collects
    charges_since: dt.date | None
    charges_as_of: dt.date
    plan_rate: Decimal
    annual_cost_cap: Decimal
    creditor_authority_problems: tuple[str, ...] = ()
    mediator_signed: bool = False
    sealed: bool = False
    court_competent: bool | None = None  # None: no court chosen yet
    court_problem: str = ""
    effective_on: dt.date | None = None
    window_ends: dt.date | None = None
    applied_on: dt.date | None = None
    already_confirmed: bool = False


JUDGE_ONLY: tuple[tuple[str, str, str], ...] = (
    ("voluntary", "双方当事人系自愿达成协议（经到庭或在线询问核实）", "民诉法解释第358条第4项"),
    ("no_fraud", "不存在欺诈、胁迫、重大误解或虚假调解", "民诉法解释第358条；在线调解规则第23条"),
    ("no_harm", "不损害国家利益、社会公共利益、他人合法权益，不违背公序良俗",
     "民诉法解释第358条第1至3项"),
)


def _v(ok: bool) -> Verdict:
    return Verdict.MET if ok else Verdict.UNMET


def _words_agree(facts: AgreementFacts) -> tuple[bool, str]:
    try:
        spoken = parse_words(facts.total_in_words)
    except DomainError:
        return False, f"大写金额“{facts.total_in_words}”无法识别"
    if spoken != facts.total:
        return False, (f"小写{format_amount(facts.total)}元与大写“{facts.total_in_words}”"
                       f"（{format_amount(spoken)}元）不一致")
    listed = sum((amount for _n, _d, amount in facts.schedule), Decimal("0.00"))
    if facts.schedule and listed != facts.total:
        return False, (f"分期合计{format_amount(listed)}元与协议总额"
                       f"{format_amount(facts.total)}元不一致")
    return True, f"{format_amount(facts.total)}元 = {facts.total_in_words}；分期合计相符"


def _schedule_clear(facts: AgreementFacts) -> tuple[bool, str]:
    if not facts.schedule:
        return False, "未列明履行期限和金额"
    dates = [d for _n, d, _a in facts.schedule]
    if any(d is None for d in dates):
        return False, "有分期未载明还款日期"
    if any(b <= a for a, b in itertools.pairwise(dates)):  # type: ignore[operator]
        return False, "还款日期未按先后排列"
    if any(a <= 0 for _n, _d, a in facts.schedule):
        return False, "有分期金额不大于零"
    return True, f"共{len(dates)}期，{dates[0]}至{dates[-1]}"


def _cost_cap(facts: AgreementFacts) -> tuple[bool, str]:
    return cost_cap(principal=facts.principal, settled_charges=facts.settled_charges,
                    plan_rate=facts.plan_rate, cap=facts.annual_cost_cap,
                    charges_since=facts.charges_since, charges_as_of=facts.charges_as_of)


def cost_cap(*, principal: Decimal, settled_charges: Decimal, plan_rate: Decimal,
             cap: Decimal, charges_since: dt.date | None, charges_as_of: dt.date
             ) -> tuple[bool, str]:
    """Whether what an agreement settles stays within the annual cost cap (法发〔2017〕22号
    第2条): the plan's rate, and the interest, penalties and fees settled against the
    principal over the days they ran; with the reason either way. Asked of a drafted
    agreement's checklist, and of a standard plan before it is sent for a debtor to choose."""
    if plan_rate > cap:
        return False, f"方案年利率{plan_rate * 100:.2f}%超过{cap * 100:.0f}%"
    if settled_charges == 0:
        return True, "协议不收取利息、罚息和费用以外的款项，或已全部减免"
    if charges_since is None:
        return False, "未载明欠息起算日，无法核对利息、罚息和费用是否超过上限"
    days = (charges_as_of - charges_since).days
    if days < 1:
        return False, "欠息起算日不早于债权计算日"
    allowed = quantize(principal * cap * days / DayCount.ACT_365.basis)
    if settled_charges > allowed:
        return False, (f"利息、罚息和费用{format_amount(settled_charges)}元超过按年"
                       f"{cap * 100:.0f}%计算的{format_amount(allowed)}元（{days}天）")
    return True, (f"利息、罚息和费用{format_amount(settled_charges)}元，不超过按年"
                  f"{cap * 100:.0f}%计算的{format_amount(allowed)}元（{days}天）")


def checklist(facts: AgreementFacts) -> tuple[Check, ...]:
    """Every ground, in the order a judge reads them."""
    out: list[Check] = []

    def add(code: str, label: str, verdict: Verdict, detail: str, source: str) -> None:
        out.append(Check(code, label, verdict, detail, source))

    add("matter", "属于可以司法确认的事项", _v(facts.matter_is_money_claim),
        "金融借款合同纠纷的给付内容" if facts.matter_is_money_claim
        else "涉及身份关系或物权、知识产权确权，不属于司法确认范围", "民诉法解释第355条")
    if facts.court_competent is None:
        add("court", "向有管辖权的法院申请", Verdict.PENDING, "尚未选择受理法院",
            "民事诉讼法第205条")
    else:
        add("court", "向有管辖权的法院申请", _v(facts.court_competent),
            facts.court_problem or "委派法院或调解组织所在地基层法院", "民事诉讼法第205条")
    bad_ids = [p.name for p in facts.parties if not p.identity_valid]
    add("identities", "当事人身份信息有效", _v(bool(facts.parties) and not bad_ids),
        f"{'、'.join(bad_ids)}的身份证件号码未通过校验" if bad_ids
        else "、".join(f"{p.role_label}{p.name}" for p in facts.parties), "民诉法解释第354条")
    clear = facts.facts_stated and bool(facts.performance_manner.strip()) and facts.total > 0
    add("content_clear", "协议内容明确（事实、给付金额、履行方式）", _v(clear),
        "已载明纠纷事实、给付金额和履行方式" if clear
        else "纠纷事实、给付金额或履行方式未载明", "民诉法解释第358条第5项")
    ok, why = _words_agree(facts)
    add("amounts", "金额大小写一致，分期合计等于协议总额", _v(ok), why, "民诉法解释第358条第5项")
    ok, why = _schedule_clear(facts)
    add("schedule", "分期履行的期限和金额明确", _v(ok), why, "人民调解法第29条")
    if len(facts.schedule) <= 1:
        add("acceleration", "约定违约加速到期", Verdict.MET, "一次性履行，无需加速到期条款",
            "人民调解法第29条")
    else:
        n = facts.acceleration_missed
        add("acceleration", "约定违约加速到期", _v(bool(n and n >= 1)),
            f"连续{n}期未足额履行即全部到期" if n else "分期履行但未约定违约后果",
            "人民调解法第29条")
    ok, why = _cost_cap(facts)
    add("cost_cap", "利息、罚息、复利和费用不超过年24%", _v(ok), why,
        "法发〔2017〕22号第2条；九民纪要第51条")
    agents = [f"{p.name}：{'；'.join(p.authority_problems)}" for p in facts.parties
              if p.authority_problems] + list(facts.creditor_authority_problems)
    add("authority", "代理人在授权范围内签署", _v(not agents),
        "；".join(agents) if agents else "无代理人越权", "民事诉讼法第62条")
    missing = [*(p.name for p in facts.parties if not p.signed),
               *([] if facts.mediator_signed else ["调解员"]),
               *([] if facts.sealed else ["调委会印章"])]
    label = "各方当事人、调解员签署最终版本并加盖调委会印章"
    if not missing:
        add("signatures", label, Verdict.MET, "均已签署最终版本，印章已加盖", "人民调解法第29条")
    else:  # before filing, signatures are still being gathered; at court, they are missing
        add("signatures", label, Verdict.PENDING if facts.applied_on is None else Verdict.UNMET,
            f"{'待' if facts.applied_on is None else '缺少'}：{'、'.join(missing)}",
            "人民调解法第29条")
    if facts.effective_on is None:
        add("window", "自协议生效之日起30日内申请", Verdict.PENDING, "协议尚未生效",
            "民事诉讼法第205条")
    elif facts.applied_on is None or facts.window_ends is None:
        # sealed, not yet filed: the window runs (its last day when the caller knows it)
        add("window", "自协议生效之日起30日内申请", Verdict.PENDING,
            f"协议{facts.effective_on}生效，待申请"
            + (f"；申请期限至{facts.window_ends}" if facts.window_ends else ""),
            "民事诉讼法第205条")
    else:
        ok = facts.applied_on <= facts.window_ends
        add("window", "自协议生效之日起30日内申请", _v(ok),
            f"协议{facts.effective_on}生效，{facts.applied_on}申请，期限至{facts.window_ends}",
            "民事诉讼法第205条")
    add("not_confirmed", "协议未经确认，无重复申请", _v(not facts.already_confirmed),
        "该协议已有确认裁定" if facts.already_confirmed else "无", "民诉法解释第352条")
    for code, label, source in JUDGE_ONLY:
        add(code, label, Verdict.FOR_JUDGE, "须法官询问当事人后认定", source)
    return tuple(out)


def unmet(checks: Sequence[Check]) -> tuple[Check, ...]:
    return tuple(c for c in checks if c.verdict is Verdict.UNMET)


def judge_items() -> tuple[str, ...]:
    return tuple(code for code, _l, _s in JUDGE_ONLY)
