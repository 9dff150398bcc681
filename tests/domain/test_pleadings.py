"""The element-style complaint and answer take their elements from the case and nowhere else:
each figure is the claim's, an element the case does not hold stays blank, and the answer
admits only what the debtor confirmed in writing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain import pleadings
from jintiao.domain.claims import CLAIM_PART_LABELS
from jintiao.domain.errors import ErrorCode
from jintiao.domain.pleadings import CaseFacts, Mediation, PleadingRefused, Position, Template

AS_OF = dt.date(2026, 6, 30)
MEDIATION = Mediation("凯里市金调委", dt.date(2026, 7, 1), dt.date(2026, 7, 20),
                      "双方对期限分歧较大")


def case(**kw) -> CaseFacts:
    base = {"dispute_type": "consumer_loan", "as_of": AS_OF,
            "parts": {"principal": Decimal("200000.00"), "interest": Decimal("31208.40")},
            "creditor": "某银行凯里支行", "debtors": ("张三",), "mediation": MEDIATION}
    return CaseFacts(**{**base, **kw})


def by_key(elements):
    return {e.key: e for e in elements}


class TestTemplate:
    def test_cards_and_bank_loans_have_their_texts(self):
        assert pleadings.template_for("credit_card") is Template.CARD
        for kind in ("consumer_loan", "personal_business_loan", "enterprise_loan", "farm_loan"):
            assert pleadings.template_for(kind) is Template.LOAN
        assert Template.LOAN.complaint_title == "民事起诉状（金融借款合同纠纷）"
        assert Template.CARD.answer_title == "民事答辩状（信用卡纠纷）"

    @pytest.mark.parametrize("kind", ["insurance", "wealth_management", "guarantee", "other"])
    def test_other_disputes_are_refused_with_a_stable_code(self, kind):
        with pytest.raises(PleadingRefused) as caught:
            pleadings.complaint(case(dispute_type=kind))
        assert caught.value.code is ErrorCode.FAILURE_PACKAGE_REFUSED


class TestComplaint:
    def test_the_claims_figures_are_the_claims(self):
        filled = by_key(pleadings.complaint(case(parts={
            "principal": Decimal("48500.00"), "interest": Decimal("3210.55"),
            "penalty_interest": Decimal("120.00"), "fees": Decimal("300.00"),
            "liquidated_damages": Decimal("50.00")})))

        assert filled["principal"].value == "截至2026年6月30日，尚欠本金48,500.00元"
        assert dict(filled["interest"].amounts) == {"interest": Decimal("3210.55"),
                                                    "penalty_interest": Decimal("120.00")}
        assert "罚息120.00元" in filled["interest"].value
        # the contract's charges are borrowing costs, not 实现债权的费用 (found in review)
        assert filled["costs"].value == ""
        assert dict(filled["other_claims"].amounts) == {"liquidated_damages": Decimal("50.00"),
                                                        "fees": Decimal("300.00")}
        assert dict(filled["total"].amounts) == {"total": Decimal("52180.55")}
        assert filled["total"].value.startswith("52,180.55元（人民币伍万贰仟壹佰捌拾元伍角伍分）")

    def test_what_the_case_does_not_hold_stays_blank(self):
        filled = by_key(pleadings.complaint(case()))

        for key in ("amount", "term", "rate", "disbursement", "repayment_method", "repaid",
                    "acceleration", "security", "basis", "forum", "preservation",
                    "contract", "overdue", "collateral", "collateral_parties", "maximum",
                    "registration", "guarantee", "guarantee_type", "other_security",
                    "costs", "other_claims", "evidence"):
            assert filled[key].value == "", key
            assert not filled[key].filled
        assert filled["amount"].hint  # the blank says what goes there

    def test_the_contract_the_arrears_and_the_mediation_come_from_the_case(self):
        filled = by_key(pleadings.complaint(case(
            contract_ref="JK-2024-0012", charges_since=dt.date(2025, 3, 21),
            guarantors=("李四",), evidence_items=3, pending_case_number="（2026）黔2601民初1号")))

        assert filled["contract"].value == "合同编号：JK-2024-0012"
        assert filled["overdue"].value == "是，自2025年3月21日起逾期，截至2026年6月30日已逾期466日"
        assert filled["signatories"].value == "贷款人：某银行凯里支行；借款人：张三"
        assert "李四" in filled["guarantee"].value
        assert filled["guarantee_type"].value == ""  # the kind of guarantee is not on file
        # 法〔2024〕46号 has no element of its own for the mediation: 其他需要说明的内容
        assert filled["other"].value.startswith(
            "经凯里市金调委于2026年7月1日至2026年7月20日主持诉前调解，调解不成（双方对期限分歧较大）")
        assert "mediation" not in filled
        assert filled["evidence"].value == "见所附《证据目录》，共3项"
        assert "（2026）黔2601民初1号" in filled["other"].value

    def test_a_card_pleads_its_own_elements(self):
        filled = by_key(pleadings.complaint(case(
            dispute_type="credit_card", contract_ref="622202******0128",
            parts={"principal": Decimal("9000.00"), "interest": Decimal("800.00"),
                   "liquidated_damages": Decimal("90.00")})))

        assert filled["principal"].value == "截至2026年6月30日，尚欠透支本金9,000.00元"
        # 法〔2024〕46号: one element for 利息、罚息、复利、滞纳金、违约金、手续费等
        assert filled["interest"].value == ("截至2026年6月30日，欠利息800.00元、"
                                           "违约金（滞纳金）90.00元")
        assert filled["card"].value == ("办卡行：某银行凯里支行；信用卡登记权利人：张三；"
                                        "信用卡卡号：622202******0128")
        assert filled["card_terms"].value == ""
        # the card's text asks about its security too, and has no 签订主体 of a loan
        assert [k for k in filled if k in ("collateral", "guarantee", "other_security")] == [
            "collateral", "guarantee", "other_security"]
        assert "amount" not in filled
        assert "signatories" not in filled

    def test_a_confirmed_fact_fills_a_blank_and_is_cited(self):
        facts = ("借款合同约定借款金额250,000元，于2024年1月5日发放", "借款年利率为6%")
        filled = by_key(pleadings.complaint(case(facts=facts,
                                                 fact_elements={1: "amount", 2: "rate"})))

        assert filled["amount"].value == facts[0]
        assert filled["amount"].source == "无争议事实记载表第1条"
        assert filled["rate"].facts == (2,)
        assert filled["term"].value == ""

    def test_a_fact_tied_to_a_missing_element_or_no_fact_is_refused(self):
        with pytest.raises(PleadingRefused, match="card_terms"):
            pleadings.complaint(case(facts=("x",), fact_elements={1: "card_terms"}))
        with pytest.raises(PleadingRefused, match="第2条"):
            pleadings.complaint(case(facts=("x",), fact_elements={2: "amount"}))


class TestAnswer:
    def test_only_what_the_debtor_confirmed_is_admitted(self):
        facts = ("尚欠本金200,000元", "借款年利率为6%")
        confirmed = by_key(pleadings.answer(case(
            facts=facts, fact_elements={1: "principal", 2: "rate"}, debtor_confirmed=True)))

        # the record's own figure is the plaintiff's: the confirmed fact is noted, not an
        # admission of it (found in review: 198,000 confirmed, 200,000 admitted)
        assert confirmed["principal"].position is Position.OPEN
        assert confirmed["principal"].facts == (1,)
        assert confirmed["rate"].position is Position.CONFIRMED
        assert confirmed["rate"].facts == (2,)
        assert confirmed["interest"].position is Position.OPEN
        assert confirmed["amount"].position is Position.OPEN

    def test_nothing_is_admitted_before_the_debtor_confirms(self):
        answered = pleadings.answer(case(facts=("尚欠本金200,000元",),
                                         fact_elements={1: "principal"}))

        assert {e.position for e in answered} == {Position.OPEN}


amounts = st.decimals(min_value=Decimal(0), max_value=Decimal("9999999.99"), places=2,
                      allow_nan=False, allow_infinity=False)


@given(parts=st.fixed_dictionaries(dict.fromkeys(CLAIM_PART_LABELS, amounts)),
       kind=st.sampled_from(sorted(pleadings.TEMPLATE_OF_TYPE)))
def test_every_figure_is_a_claim_part_and_each_claimed_part_is_pleaded_once(parts, kind):
    """Whatever the claim, the complaint's figures are exactly its non-zero parts, each once,
    and the total is their sum."""
    filled = pleadings.complaint(case(dispute_type=kind, parts=parts))

    pleaded = [(p, a) for e in filled for p, a in e.amounts if p != "total"]
    assert sorted(pleaded) == sorted((p, a) for p, a in parts.items() if a > 0)
    totals = [a for e in filled for p, a in e.amounts if p == "total"]
    assert totals == ([sum(parts.values())] if sum(parts.values()) > 0 else [])


@given(ties=st.dictionaries(st.integers(min_value=1, max_value=4),
                            st.sampled_from([e.key for e in pleadings.elements_of(
                                                 Template.LOAN) if e.key != "evidence"]),
                            max_size=4),
       confirmed=st.booleans())
def test_the_answer_admits_exactly_the_confirmed_ties(ties, confirmed):
    """An element is admitted if and only if a fact is tied to it, the debtor confirmed the
    record, the element's words are those facts (not a figure of the case's records) and it
    is one the defendant ticks; the answer covers the model answer's elements, in order."""
    facts = ("一", "二", "三", "四")
    the_case = case(facts=facts, fact_elements=ties, debtor_confirmed=confirmed)
    answered = pleadings.answer(the_case)

    assert [e.key for e in answered] == [e.key for e in pleadings.answer_elements_of(
        Template.LOAN)]
    admitted = {e.key for e in answered if e.position is Position.CONFIRMED}
    by_facts = {e.key for e in pleadings.complaint(the_case)
                if e.source.startswith(pleadings.FROM_FACTS)}
    # what the defendant writes in (答辩依据 …), or what the answer does not ask (约定管辖),
    # is never an admission
    asked = {e.key for e in pleadings.answer_elements_of(Template.LOAN) if not e.free}
    expected = set(ties.values()) & by_facts & asked
    assert admitted == (expected if confirmed else set())


def test_a_fact_is_no_piece_of_evidence():
    """Found in review: the API accepted a fact tied to the evidence element, which the
    answer then dropped."""
    import pytest

    with pytest.raises(pleadings.PleadingRefused, match="证据目录"):
        pleadings.complaint(case(facts=("一",), fact_elements={1: "evidence"}))


class TestTheModelTexts:
    """法〔2024〕46号's elements, in its words and order (checked against the model texts'
    lists; the answer has no 约定管辖 part, its own 答辩依据 and 免责/减责事由)."""

    def test_the_loan_complaints_facts_are_the_model_texts_eighteen(self):
        facts = [e.label for e in pleadings.elements_of(Template.LOAN)
                 if e.section is pleadings.Section.FACTS]
        assert facts == [
            "合同签订情况（名称、编号、签订时间、地点等）", "签订主体", "借款金额", "借款期限",
            "借款利率", "借款发放时间", "还款方式", "还款情况", "是否存在逾期还款",
            "是否签订物的担保（抵押、质押）合同", "担保人、担保物", "是否最高额担保（抵押、质押）",
            "是否办理抵押、质押登记", "是否签订保证合同", "保证方式", "其他担保方式",
            "其他需要说明的内容（可另附页）", "证据清单（可另附页）"]

    def test_the_card_complaints_claims_and_facts(self):
        card = pleadings.elements_of(Template.CARD)
        assert [e.label for e in card if e.section is pleadings.Section.CLAIMS] == [
            "透支本金", "利息、罚息、复利、滞纳金、违约金、手续费等", "是否主张担保权利",
            "是否主张实现债权的费用", "其他请求", "标的总额", "请求依据"]
        facts = [e.label for e in card if e.section is pleadings.Section.FACTS]
        assert len(facts) == 15
        assert facts[4:6] == ["被告逾期未还款金额", "是否向被告进行通知和催收"]
        assert [e.label for e in card if e.section is pleadings.Section.FORUM] == [
            "有无仲裁、法院管辖约定", "是否申请财产保全措施"]

    def test_the_answer_asks_in_its_own_words(self):
        labels = [e.answer_label for e in pleadings.answer_elements_of(Template.LOAN)]
        assert labels[:8] == ["对本金有无异议", "对利息有无异议", "对提前还款或解除合同有无异议",
                              "对担保权利诉请有无异议", "对实现债权的费用有无异议",
                              "对其他请求有无异议", "对标的总额有无异议", "答辩依据"]
        assert labels[-3:] == ["有无其他免责/减责事由", "其他需要说明的内容（可另附页）",
                               "证据清单（可另附页）"]
        assert "对合同签订情况有无异议" in labels
        assert not [e for e in pleadings.answer_elements_of(Template.CARD)
                    if e.section is pleadings.Section.FORUM]
