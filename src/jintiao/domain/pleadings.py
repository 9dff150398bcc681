"""The element-style pleadings (要素式起诉状 / 答辩状) a failed mediation hands the court's fast
track, filled from what the case holds.

The fields are those of the Supreme People's Court's element-style model texts for
金融借款合同纠纷 and 信用卡纠纷 as the issue asks for them: 《最高人民法院 司法部 中华全国律师协会
关于印发部分案件民事起诉状、答辩状示范文本（试行）的通知》(法〔2024〕46号, on trial from
2024-03-04; 11 kinds of case in a tabular, element-by-element form), each element in the model
text's words and order. Each model complaint asks the plaintiff element by element —
诉讼请求和依据 (principal; interest, compound interest and penalty interest as of a day;
acceleration or termination; security; the costs of realising the claim; the total; the
basis), 约定管辖和诉讼保全, 事实与理由 (the contract or card, the amount, term, rate,
disbursement, repayment, arrears, the security, other, the evidence) — and the model answer
asks the defendant, for the same claims and facts, 有无异议 and why, with its own 答辩依据 and
有无其他免责/减责事由. (The texts revised by 法〔2025〕82号, applied in every court from
2025-07-14, renumber and reword some elements and add 是否主张诉讼费用 and 对纠纷解决方式的意愿;
a later revision changes words and order, not the JSON's keys; a package made before this
alignment tied facts to ``mediation`` and ``penalty``, which a regeneration carries over.)

Two rules shape every value here:

* an element is filled only from the case: the claim's figures, the parties, the contract
  reference and the day arrears began as filed, the mediation's own record, and the facts
  both sides confirmed in the record of undisputed facts (ONLINE Arts. 21–22). An element
  the case does not hold stays blank for the plaintiff — never guessed;
* the answer marks 认可 (no objection) only an element a fact the debtor confirmed in writing
  establishes; every other element is left for the debtor, as the model answer leaves it.

Pure: values in, values out; no Django, no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from jintiao.domain.dates import written
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.money import amount_in_words, format_amount, quantize

SOURCE = ("《最高人民法院 司法部 中华全国律师协会关于印发部分案件民事起诉状、答辩状示范文本（试行）"
          "的通知》（法〔2024〕46号，2024年3月4日起试行）")


class PleadingRefused(DomainError):
    """A package the case cannot have: a kind of dispute no element-style text covers, or
    undisputed facts tied to elements that do not exist."""

    code = ErrorCode.FAILURE_PACKAGE_REFUSED


class Template(StrEnum):
    """Which model text a dispute's pleadings follow."""

    LOAN = "financial_loan"
    CARD = "credit_card"

    @property
    def matter(self) -> str:
        """The cause of action (案由) the text is for."""
        return {"financial_loan": "金融借款合同纠纷", "credit_card": "信用卡纠纷"}[self.value]

    @property
    def complaint_title(self) -> str:
        return f"民事起诉状（{self.matter}）"

    @property
    def answer_title(self) -> str:
        return f"民事答辩状（{self.matter}）"


# The dispute types (jintiao.disputes.models.DisputeType) each text covers: a card's arrears
# are 信用卡纠纷; a bank's consumer, business, enterprise or farm loan is 金融借款合同纠纷
# (《民事案件案由规定》 第103项 借款合同纠纷 → 金融借款合同纠纷; 第127项 银行卡纠纷 →
# 信用卡纠纷). Guarantee, insurance, wealth-management and payment disputes have no
# element-style money-claim text of these two kinds.
TEMPLATE_OF_TYPE: Mapping[str, Template] = {
    "credit_card": Template.CARD,
    "consumer_loan": Template.LOAN,
    "personal_business_loan": Template.LOAN,
    "enterprise_loan": Template.LOAN,
    "farm_loan": Template.LOAN,
}


class Section(StrEnum):
    CLAIMS = "claims"  # 诉讼请求和依据
    FORUM = "forum"  # 约定管辖和诉讼保全
    FACTS = "facts"  # 事实与理由

    @property
    def label(self) -> str:
        return {"claims": "诉讼请求和依据", "forum": "约定管辖和诉讼保全",
                "facts": "事实与理由"}[self.value]


@dataclass(frozen=True)
class Element:
    """One field of a model text: its key (stable, in the JSON), where it stands, its words,
    what the plaintiff writes there (shown beside a blank), and how the model answer asks
    the defendant about it: ``answer`` its words there (default 对…有无异议), ``free`` a
    field the defendant writes in rather than ticks 有无异议, ``complaint`` False for a field
    of the answer alone."""

    key: str
    section: Section
    label: str
    hint: str = ""
    answer: str = ""
    free: bool = False
    complaint: bool = True

    @property
    def answer_label(self) -> str:
        if self.answer:
            return self.answer
        return f"对{self.label.split('（')[0]}有无异议"


_C, _F, _J = Section.CLAIMS, Section.FACTS, Section.FORUM
_APPENDIX = "（可另附页）"

# the security the model texts ask about, in their order (both kinds of case; a card may be
# secured too): 是否签订物的担保合同 … 其他担保方式
_SECURITY: tuple[Element, ...] = (
    Element("collateral", _F, "是否签订物的担保（抵押、质押）合同", "签订时间",
            answer="对是否签订物的担保合同有无异议"),
    Element("collateral_parties", _F, "担保人、担保物", "担保人姓名或名称，担保物名称、数量"),
    Element("maximum", _F, "是否最高额担保（抵押、质押）", "担保债权的确定期间、最高债权额",
            answer="对最高额抵押担保有无异议"),
    Element("registration", _F, "是否办理抵押、质押登记", "登记时间、登记机关",
            answer="对是否办理抵押/质押登记有无异议"),
    Element("guarantee", _F, "是否签订保证合同", "签订时间、保证人、主要内容"),
    Element("guarantee_type", _F, "保证方式", "一般保证或连带责任保证"),
    Element("other_security", _F, "其他担保方式", "形式、签订时间"),
)
# the last fields of 事实与理由: the answer adds 有无其他免责/减责事由 before them
_CLOSING: tuple[Element, ...] = (
    Element("exemption", _F, "有无其他免责/减责事由", answer="有无其他免责/减责事由",
            complaint=False),
    Element("other", _F, "其他需要说明的内容" + _APPENDIX, "诉前调解情况、在诉案件等",
            answer="其他需要说明的内容" + _APPENDIX, free=True),
    Element("evidence", _F, "证据清单" + _APPENDIX, "证据名称、来源、证明事项",
            answer="证据清单" + _APPENDIX, free=True),
)
_FORUM: tuple[Element, ...] = (  # the answer has no such part
    Element("forum", _J, "有无仲裁、法院管辖约定", "合同中的仲裁或管辖条款"),
    Element("preservation", _J, "是否申请财产保全措施", "已经诉前保全（保全法院、时间、案号）、"
            "申请诉讼保全，或者否"),
)
_ANSWER_BASIS = "答辩依据"  # the answer's last claim field, in place of 请求依据

# 法〔2024〕46号 附件 民事起诉状、民事答辩状（金融借款合同纠纷）, their elements in their order
LOAN_ELEMENTS: tuple[Element, ...] = (
    Element("principal", _C, "本金", "截至某日尚欠本金数额"),
    Element("interest", _C, "利息（复利、罚息）",
            "截至某日欠利息、复利、罚息数额；是否请求支付至实际清偿之日止"),
    Element("acceleration", _C, "是否要求提前还款或解除合同", "提前还款或解除合同，及其依据",
            answer="对提前还款或解除合同有无异议"),
    Element("security", _C, "是否主张担保权利",
            "是否请求保证人承担保证责任、就担保物优先受偿，及其范围",
            answer="对担保权利诉请有无异议"),
    Element("costs", _C, "是否主张实现债权的费用", "律师费、保全费等费用明细",
            answer="对实现债权的费用有无异议"),
    Element("other_claims", _C, "其他请求", "违约金等其他请求"),
    Element("total", _C, "标的总额", "各项请求的合计"),
    Element("basis", _C, "请求依据", "合同约定条款及法律规定", answer=_ANSWER_BASIS,
            free=True),
    *_FORUM,
    Element("contract", _F, "合同签订情况（名称、编号、签订时间、地点等）"),
    Element("signatories", _F, "签订主体", "贷款人、借款人"),
    Element("amount", _F, "借款金额", "约定的借款金额与实际提供的金额"),
    Element("term", _F, "借款期限", "约定的起止日期；是否已到期"),
    Element("rate", _F, "借款利率", "利率、复利、罚息（逾期利率）、违约金及其他费用的约定"),
    Element("disbursement", _F, "借款发放时间", "实际发放的日期与金额"),
    Element("repayment_method", _F, "还款方式", "等额本息、等额本金、到期一次性还本付息等"),
    Element("repaid", _F, "还款情况", "已还本金、利息及时间"),
    Element("overdue", _F, "是否存在逾期还款", "逾期的起始日与逾期时长",
            answer="对是否逾期还款有无异议"),
    *_SECURITY,
    *_CLOSING,
)

# 法〔2024〕46号 附件 民事起诉状、民事答辩状（信用卡纠纷）
CARD_ELEMENTS: tuple[Element, ...] = (
    Element("principal", _C, "透支本金", "截至某日尚欠透支本金数额"),
    Element("interest", _C, "利息、罚息、复利、滞纳金、违约金、手续费等",
            "截至某日所欠各项数额；是否请求支付至实际清偿之日止",
            answer="对利息、罚息、复利、滞纳金、违约金、手续费等有无异议"),
    Element("security", _C, "是否主张担保权利", "是否请求担保人承担担保责任，及其范围",
            answer="对担保权利诉请有无异议"),
    Element("costs", _C, "是否主张实现债权的费用", "年费、分期手续费以外的实现债权的费用明细",
            answer="对实现债权的费用有无异议"),
    Element("other_claims", _C, "其他请求", "其他费用等"),
    Element("total", _C, "标的总额", "各项请求的合计"),
    Element("basis", _C, "请求依据", "领用合约条款及法律规定", answer=_ANSWER_BASIS, free=True),
    *_FORUM,
    Element("card", _F, "信用卡办理情况（信用卡卡号、信用卡登记权利人、办卡时间、办卡行等）"),
    Element("card_terms", _F, "信用卡合约的主要约定",
            "透支额度、透支利率、违约金、年费等的计收标准"),
    Element("notice_given", _F, "是否对被告就信用卡合约主要条款进行提示注意、说明",
            "提示、说明的方式",
            answer="对原告对被告就信用卡合约主要条款进行提示注意、说明的情况有无异议"),
    Element("repaid", _F, "被告已还款金额", "已还金额及时间"),
    Element("overdue", _F, "被告逾期未还款金额", "逾期时间，截至某日所欠本金、利息、罚息、复利、"
            "滞纳金、违约金、手续费等数额"),
    Element("collection", _F, "是否向被告进行通知和催收", "催收的时间与方式"),
    *_SECURITY,
    *_CLOSING,
)

ELEMENTS: Mapping[Template, tuple[Element, ...]] = {Template.LOAN: LOAN_ELEMENTS,
                                                   Template.CARD: CARD_ELEMENTS}


def elements_of(template: Template) -> tuple[Element, ...]:
    """The complaint's elements, in the model text's order."""
    return tuple(e for e in ELEMENTS[template] if e.complaint)


def answer_elements_of(template: Template) -> tuple[Element, ...]:
    """The answer's elements, in the model answer's order: no 约定管辖和诉讼保全 part, its
    own 答辩依据 and 有无其他免责/减责事由."""
    return tuple(e for e in ELEMENTS[template] if e.section is not Section.FORUM)


# what the defendant writes in, rather than ticking 有无异议
FREE_IN_ANSWER = frozenset(e.key for els in ELEMENTS.values() for e in els if e.free)


def template_for(dispute_type: str) -> Template:
    """The model text a dispute of ``dispute_type`` is pleaded in.

    :raises PleadingRefused: a type neither text covers
    """
    found = TEMPLATE_OF_TYPE.get(dispute_type)
    if found is None:
        raise PleadingRefused(
            "要素式起诉状、答辩状只适用于金融借款合同纠纷和信用卡纠纷，本纠纷类型不适用",
            f"no element-style pleading for a {dispute_type} dispute", dispute_type=dispute_type)
    return found


@dataclass(frozen=True)
class Mediation:
    """The mediation as its record has it: who, from when to when, how it ended."""

    committee: str
    started_on: dt.date | None
    ended_on: dt.date | None
    reason: str


@dataclass(frozen=True)
class CaseFacts:
    """What the case holds, as plain values: the claim by its parts (``parts`` by the names
    of :data:`jintiao.domain.claims.CLAIM_PART_LABELS`, zero for a part not claimed), the
    parties' names by side, the contract reference and the day arrears began as filed, the
    mediation, the undisputed facts in their order (numbered from 1), which element each
    fact establishes (``fact_elements``: fact number → element key, as the desk tied them),
    and whether every debtor confirmed the record in writing."""

    dispute_type: str
    as_of: dt.date
    parts: Mapping[str, Decimal]
    creditor: str
    debtors: tuple[str, ...]
    mediation: Mediation
    guarantors: tuple[str, ...] = ()
    contract_ref: str = ""
    charges_since: dt.date | None = None
    pending_case_number: str = ""
    evidence_items: int = 0
    facts: tuple[str, ...] = ()
    fact_elements: Mapping[int, str] = field(default_factory=dict)
    debtor_confirmed: bool = False

    @property
    def total(self) -> Decimal:
        return quantize(sum(self.parts.values(), Decimal(0)))


@dataclass(frozen=True)
class FilledElement:
    """An element of the complaint as filled: ``value`` empty when the case does not hold it
    (the plaintiff fills it); ``source`` says where a value came from; ``amounts`` the
    figures it states, by claim part, for machines; ``facts`` the undisputed facts (by
    number) tied to it."""

    key: str
    section: Section
    label: str
    value: str
    source: str = ""
    hint: str = ""
    amounts: tuple[tuple[str, Decimal], ...] = ()
    facts: tuple[int, ...] = ()

    @property
    def filled(self) -> bool:
        return bool(self.value)


class Position(StrEnum):
    """The debtor's position on an element in the answer."""

    CONFIRMED = "confirmed"  # 无异议（认可）: a fact the debtor confirmed in writing
    OPEN = "open"  # 有无异议 left for the debtor

    @property
    def label(self) -> str:
        return {"confirmed": "认可（无异议）", "open": "由答辩人填写"}[self.value]


@dataclass(frozen=True)
class AnswerElement:
    key: str
    section: Section
    label: str
    position: Position
    facts: tuple[int, ...] = ()
    note: str = ""


def check_fact_elements(template: Template, fact_elements: Mapping[int, str],
                        fact_count: int) -> None:
    """Refuse a tie of a fact that is not in the record, or to an element the text lacks.

    :raises PleadingRefused: naming the fact
    """
    keys = {e.key for e in elements_of(template)}
    for number, key in fact_elements.items():
        if not 1 <= number <= fact_count:
            raise PleadingRefused(f"无争议事实记载表没有第{number}条", f"no fact {number}",
                                  fact=number)
        if key not in keys:
            raise PleadingRefused(f"第{number}条事实对应的要素“{key}”不在{template.matter}的"
                                  "要素式文本中", f"no element {key}", fact=number, element=key)
        if key == "evidence":  # the index fills it; a fact is no piece of evidence
            raise PleadingRefused(f"第{number}条事实不能对应“证据”要素，证据见证据目录",
                                  "a fact tied to the evidence", fact=number, element=key)


def _yuan(amount: Decimal) -> str:
    return f"{format_amount(amount)}元"


def _sum(parts: Mapping[str, Decimal], *names: str) -> Decimal:
    return quantize(sum((parts.get(n, Decimal(0)) for n in names), Decimal(0)))


def _figures(case: CaseFacts, named: Sequence[tuple[str, str]]) -> tuple[str, tuple[
        tuple[str, Decimal], ...]]:
    """The claim's parts among ``named`` (part, label) that are claimed, in words and as
    figures: "截至2026年6月30日，欠利息31,208.40元、罚息1,000.00元"."""
    held = tuple((part, quantize(case.parts[part])) for part, _label in named
                 if case.parts.get(part, Decimal(0)) > 0)
    if not held:
        return "", ()
    labels = dict(named)
    text = "、".join(f"{labels[p]}{_yuan(a)}" for p, a in held)
    return f"截至{written(case.as_of)}，欠{text}", held


def _case_values(template: Template, case: CaseFacts) -> dict[str, tuple[str, str, tuple[
        tuple[str, Decimal], ...]]]:
    """The elements the case's own records fill: key → (value, source, amounts)."""
    out: dict[str, tuple[str, str, tuple[tuple[str, Decimal], ...]]] = {}
    claim = "纠纷登记的债权明细"
    principal = quantize(case.parts.get("principal", Decimal(0)))
    if principal > 0:
        overdraft = "透支" if template is Template.CARD else ""
        out["principal"] = (f"截至{written(case.as_of)}，尚欠{overdraft}本金{_yuan(principal)}",
                            claim, (("principal", principal),))
    charges = (("interest", "利息"), ("compound_interest", "复利"),
               ("penalty_interest", "罚息"))
    if template is Template.LOAN:
        value, amounts = _figures(case, charges)
        if value:
            out["interest"] = (value, claim, amounts)
        # the contract's charges (费用) are borrowing costs under the 24 % cap (法发〔2017〕22号),
        # not 实现债权的费用 (lawyer's and preservation fees), which the plaintiff pleads itself
        value, amounts = _figures(case, (("liquidated_damages", "违约金"), ("fees", "费用"),
                                         ("other", "其他")))
        if value:
            out["other_claims"] = (value, claim, amounts)
    else:  # one element for every charge of a card (法〔2024〕46号: 利息、罚息、复利、滞纳金…)
        card_charges = (*charges, ("liquidated_damages", "违约金（滞纳金）"),
                        ("fees", "手续费等费用"))
        value, amounts = _figures(case, card_charges)
        if value:
            out["interest"] = (value, claim, amounts)
        value, amounts = _figures(case, (("other", "其他"),))
        if value:
            out["other_claims"] = (value, claim, amounts)
    total = case.total
    if total > 0:
        out["total"] = (f"{_yuan(total)}（{amount_in_words(total, prefix=True)}），计算至"
                        f"{written(case.as_of)}", claim, (("total", total),))
    debtors = "、".join(case.debtors)
    if template is Template.CARD:
        number = f"；信用卡卡号：{case.contract_ref}" if case.contract_ref else ""
        out["card"] = (f"办卡行：{case.creditor}；信用卡登记权利人：{debtors}{number}",
                       "纠纷登记的当事人" + ("及卡号" if case.contract_ref else ""), ())
    else:
        out["signatories"] = (f"贷款人：{case.creditor}；借款人：{debtors}", "纠纷登记的当事人",
                              ())
        if case.contract_ref:
            out["contract"] = (f"合同编号：{case.contract_ref}", "纠纷登记的合同编号", ())
    if case.charges_since is not None and case.charges_since < case.as_of:
        days = (case.as_of - case.charges_since).days
        since = (f"自{written(case.charges_since)}起逾期，截至{written(case.as_of)}"
                 f"已逾期{days}日")
        if template is Template.LOAN:
            out["overdue"] = (f"是，{since}", "纠纷登记的欠息起算日", ())
        else:
            # the figures again in words (the claims carry them for machines, once)
            owed, _amounts = _figures(case, (("principal", "透支本金"), *card_charges))
            out["overdue"] = (f"{since}；{owed}" if owed else since,
                              "纠纷登记的欠息起算日和债权明细", ())
    if case.guarantors:
        out["guarantee"] = (f"保证人：{'、'.join(case.guarantors)}（签订时间、主要内容待原告填写）",
                            "纠纷登记的担保人", ())
    other: list[str] = []
    m = case.mediation
    if m.ended_on is not None:
        span = (f"于{written(m.started_on)}至{written(m.ended_on)}"
                if m.started_on and m.started_on != m.ended_on else f"于{written(m.ended_on)}")
        reason = f"（{m.reason}）" if m.reason else ""
        confirmed = ("；双方经调解确认的无争议事实见《无争议事实记载表》" if case.facts else "")
        other.append(f"经{m.committee}{span}主持诉前调解，调解不成{reason}{confirmed}")
    if case.pending_case_number:
        other.append(f"就本债权已有在诉案件，案号{case.pending_case_number}")
    if other:
        out["other"] = ("；".join(other), "调解记录" + ("、纠纷登记的在诉案号"
                                                   if case.pending_case_number else ""), ())
    if case.evidence_items:
        out["evidence"] = (f"见所附《证据目录》，共{case.evidence_items}项", "证据目录", ())
    return out


FROM_FACTS = "无争议事实记载表第"  # how an element filled by the confirmed facts names them


def complaint(case: CaseFacts) -> tuple[FilledElement, ...]:
    """The complaint's elements for ``case``, in the model text's order. An element the
    case's records fill carries their words; one they do not, but an undisputed fact is tied
    to, carries that fact (confirmed by both sides, so not the desk's guess); any other is
    blank for the plaintiff.

    :raises PleadingRefused: a type no text covers, or a fact tied to a missing element
    """
    template = template_for(case.dispute_type)
    check_fact_elements(template, case.fact_elements, len(case.facts))
    values = _case_values(template, case)
    out = []
    for e in elements_of(template):
        tied = tuple(sorted(n for n, key in case.fact_elements.items() if key == e.key))
        value, source, amounts = values.get(e.key, ("", "", ()))
        if not value and tied:
            value = "；".join(case.facts[n - 1] for n in tied)
            source = FROM_FACTS + "、".join(str(n) for n in tied) + "条"
        out.append(FilledElement(e.key, e.section, e.label, value, source, e.hint, amounts,
                                 tied))
    return tuple(out)


def answer(case: CaseFacts) -> tuple[AnswerElement, ...]:
    """The debtor's answer, in the model answer's elements and words (no 约定管辖 part; 答辩
    依据, 有无其他免责/减责事由, 其他需要说明的内容 and the defendant's own 证据清单 left to
    it): 认可 where the element's words are
    the facts every debtor confirmed in writing; where the case's records fill the element
    (a figure, a contract number) the confirmed fact tied to it is noted but the element is
    left for the debtor — a confirmation of the facts is no admission of the plaintiff's
    figure (found in review: 198,000 confirmed, 200,000 admitted).

    :raises PleadingRefused: as :func:`complaint`
    """
    filled = {e.key: e for e in complaint(case)}
    out = []
    for e in answer_elements_of(template_for(case.dispute_type)):
        c = filled.get(e.key)
        facts = c.facts if c is not None else ()
        cited = "、".join(str(n) for n in facts)
        if e.free or c is None or not facts or not case.debtor_confirmed:
            out.append(AnswerElement(e.key, e.section, e.answer_label, Position.OPEN))
        elif c.source.startswith(FROM_FACTS):
            out.append(AnswerElement(e.key, e.section, e.answer_label, Position.CONFIRMED,
                                     facts, f"见{FROM_FACTS}{cited}条，答辩人已书面确认"))
        else:
            out.append(AnswerElement(e.key, e.section, e.answer_label, Position.OPEN, facts,
                                     f"{FROM_FACTS}{cited}条已书面确认；起诉状所列内容请答辩人核对"))
    return tuple(out)
