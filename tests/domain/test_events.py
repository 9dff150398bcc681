"""The event registry: every type declared once, named by the convention, labelled in
Chinese, described without raising and without what must stay private."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain import events
from jintiao.domain.confirmation import JUDGE_ONLY
from jintiao.domain.events import Audience, EventType, UnknownEventType
from jintiao.domain.lifecycle import Action

CHINESE = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def test_every_type_is_dotted_lower_case_and_declared_once():
    declared = events.every()
    assert len(declared) >= 60
    assert len({t.type for t in declared}) == len(declared)
    for t in declared:
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", t.type), t.type


def test_every_module_constant_is_the_registered_declaration_of_its_own_string():
    constants = {name: value for name, value in vars(events).items()
                 if isinstance(value, EventType)}
    assert set(constants.values()) == set(events.every())
    for name, declared in constants.items():
        assert name == declared.type.upper().replace(".", "_")
        assert events.lookup(declared.type) is declared


def test_every_label_is_chinese_and_has_no_latin_letters():
    for t in events.every():
        assert CHINESE.search(t.label), t.type
        assert not LATIN.search(t.label), t.type


def test_each_lifecycle_action_has_its_event_named_as_stored_and_labelled_as_the_action():
    for action in Action:
        declared = events.for_action(action)
        assert declared.type == f"dispute.{action.value}"
        assert declared.label == action.label
        assert declared.area == "dispute"
    assert events.for_action(Action.ACCEPT) is events.DISPUTE_ACCEPT


def test_an_unknown_type_is_refused_by_name():
    with pytest.raises(UnknownEventType, match=r"payment\.receieved"):
        events.lookup("payment.receieved")
    with pytest.raises(UnknownEventType):
        events.registered("dispute.accepted")  # the action's event is dispute.accept


def test_a_look_alike_declaration_made_outside_the_registry_is_not_registered():
    look_alike = EventType("payment.recorded", "登记还款", audience=Audience.DESK)
    with pytest.raises(UnknownEventType):
        events.registered(look_alike)
    assert events.registered(events.PAYMENT_RECORDED) is events.PAYMENT_RECORDED
    assert events.registered("payment.recorded") is events.PAYMENT_RECORDED


def test_the_desk_alone_reads_outreach_reach_spot_check_and_record_keeping_events():
    """Who is contacted how, a supervisor's spot check, an altered record, who read a file
    with the parties' numbers or exported the whole file, and which particulars of a party
    were corrected are the desk's and the supervisors' to read, not the institution's."""
    desk = events.types_for(Audience.DESK)
    assert desk == {t.type for t in events.every()
                    if t.area in ("outreach", "reach", "spot_check", "record", "dossier",
                                  "party")}
    assert events.types_for(Audience.DISPUTE) == {t.type for t in events.every()} - desk


def test_the_reach_steps_are_the_funnel_in_order():
    assert [t.type for t in events.REACH_STEPS] == [
        "reach.invited", "reach.served", "reach.contacted", "reach.engaged"]


@pytest.mark.parametrize(("declared", "params", "words"), [
    (events.DOCUMENT_GENERATED, {"title": "受理通知书", "kind": "acceptance_notice"},
     "受理通知书"),
    (events.RECORD_ALTERED, {"what": "document", "title": "民事裁定书", "record": 3,
                             "format": "pdf"}, "民事裁定书PDF文件，与存档摘要不符，已拒绝提供"),
    (events.RECORD_ALTERED, {"what": "document", "title": "民事裁定书", "record": 3,
                             "format": "docx", "problem": "存储中已缺失"},
     "民事裁定书Word文件，存储中已缺失"),
    (events.DOSSIER_EXPORTED, {"documents": 3, "pages": 6}, "3份文书，共6页"),
    (events.PAYMENT_RECORDED, {"amount": "12345.6", "paid_on": "2026-05-01",
                               "reference": "PAY-778899", "source": "desk"},
     "12,345.60元，还款日期2026-05-01"),
    (events.SPOT_CHECK_DRAWN, {"quarter": "2026-Q2", "seed": "abc", "check": 3},
     "2026年第2季度"),
    (events.SPOT_CHECK_REVIEWED, {"check": 3, "failed": True}, "发现问题"),
    (events.DISPUTE_ASSIGN, {"track": "simple", "mediators": [4]}, "简易程序"),
    (events.DISPUTE_FAIL, {"ground": "unreachable", "party": 9}, "无法联系当事人"),
    (events.MEDIATION_OFFER_MADE, {"offer": 1, "by": "creditor", "periods": 24,
                                   "total": "231208.40"},
     "方案1，债权人方，24期，合计231,208.40元"),
    (events.MEDIATION_OFFER_MADE, {"offer": 2, "by": "debtor", "side": "debtor"},
     "方案2，债务人方，背对背，仅该方及调解员可见"),
    (events.MEDIATION_CONSENT_RECORDED, {"purpose": "remediate", "how": "书面"},
     "同意重新调解"),
    (events.OUTREACH_CONTACT, {"channel": "call", "outcome": "reached", "inbound": True,
                               "happened": "2026-05-01T09:30:00+08:00"},
     "电话，已联系上（当事人主动联系）（补记，发生于2026-05-01 09:30）"),
    (events.REACH_ENGAGED, {"party": 3, "channel": "portal"}, "当事人端"),
    (events.AGREEMENT_SIGNED, {"capacity": "债务人", "name": "张三", "complete": True},
     "债务人张三，各方均已签署"),
    (events.DEADLINE_PASSED, {"what": "调解期限届满", "deadline": "2026-04-30"},
     "调解期限届满，期限2026-04-30"),
])
def test_describers_put_what_an_event_carries_into_words(declared, params, words):
    assert declared.describe(params) == words


@pytest.mark.parametrize(("declared", "params", "private"), [
    (events.PAYMENT_RECORDED, {"amount": "100.00", "reference": "PAY-778899"}, "778899"),
    (events.AGREEMENT_CODE_SENT, {"capacity": "债务人", "to": "138****5678"}, "5678"),
    (events.OUTREACH_CONTACT_ADDED, {"kind": "mobile", "to": "139****0000"}, "0000"),
    (events.OUTREACH_CONTACT, {"channel": "sms", "outcome": "sent", "template": "还款提醒甲"},
     "还款提醒甲"),
    (events.CREDIT_REPAIR_CONFIRMED, {"note": "已报送人行征信系统更正"}, "征信"),
    (events.CONFIRMATION_ACCEPTED, {"case_number": "(2026)黔2601民特12号",
                                    "decide_by": "2026-06-01"}, "民特"),
    (events.MEDIATION_CONSENT_RECORDED, {"purpose": "extension", "how": "电话录音第7段"},
     "录音"),
])
def test_describers_leave_out_notes_numbers_and_addresses(declared, params, private):
    assert private not in declared.describe(params)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6)
KEYS = st.sampled_from(["offer", "session", "side", "by", "mode", "periods", "total", "both",
                        "was", "approved", "granted", "round", "outcome", "purpose", "facts",
                        "channel", "inbound", "happened", "title", "result", "served",
                        "version", "voided_signatures", "capacity", "name", "complete",
                        "decide_by", "amount", "paid_on", "method", "what", "deadline",
                        "quarter", "failed", "claim_total", "relation", "authority", "track",
                        "ground"])


@given(st.sampled_from(events.every()),
       st.dictionaries(KEYS | st.text(max_size=5), JSON | st.sampled_from(
           ["2026-Q1", "2026-05-01", "call", "reached", "sms", "creditor", "accepted",
            "extension", "12.5", "NaN", "Infinity", "-1e999", "portal", "simple"]),
           max_size=8))
def test_no_describer_raises_whatever_the_params_hold(declared, params):
    assert isinstance(declared.describe(params), str)
    assert declared.describe(None) == declared.describe({})


def test_what_a_person_confirmed_reads_in_words_the_judges_grounds_too():
    words = events.attested_words({"attested": ["non_litigation_notice_served", "voluntary",
                                                "no_fraud", "no_harm", "unknown_code"]})
    assert words[1:4] == [label for _code, label, _src in JUDGE_ONLY]
    assert "voluntary" not in words
    assert words[-1] == "unknown_code"
    assert events.attested_words({"attested": "voluntary"}) == []
