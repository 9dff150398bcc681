"""The request for a full number: which numbers, a reason from the list and a note of at
least four characters that holds no number (it stays on the timeline for good)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain.disclosure import FIELDS, REASONS, RevealInvalid, reveal_request


def test_a_request_keeps_the_fields_in_order_and_the_note_on_one_line():
    asked = reveal_request(["phone", "id_number", "phone"], "verify_identity",
                           "  调解前核对\n身份证原件 ")
    assert asked.fields == ("id_number", "phone")
    assert asked.labels == ["证件号码", "手机号码"]
    assert asked.reason_label == "核验当事人身份"
    assert asked.note == "调解前核对 身份证原件"


@pytest.mark.parametrize(("fields", "reason", "note", "field"), [
    ([], "verify_identity", "核对身份证原件", "fields"),
    (["bank_account"], "verify_identity", "核对身份证原件", "fields"),
    (["phone"], "curiosity", "核对身份证原件", "reason"),
    (["phone"], "other", "看看", "note"),
    (["phone"], "other", "核对" * 101, "note"),
    (["phone"], "other", "核对\u202e身份证原件", "note"),
    (["phone"], "contact_or_serve", "号码是13812345678", "note"),
    (["id_number"], "verify_identity", "核对５２２６０１号", "note"),
    # spaced or hyphenated, a number is still a number (found in review)
    (["phone"], "contact_or_serve", "核对 138 0013 8000", "note"),
    (["phone"], "contact_or_serve", "核对138-0013-8000", "note"),
    (["id_number"], "verify_identity", "11010 51990 01011 23X", "note"),
])
def test_what_is_refused_and_at_which_field(fields, reason, note, field):
    with pytest.raises(RevealInvalid) as refused:
        reveal_request(fields, reason, note)
    assert refused.value.details["field"] == field
    assert refused.value.code == "reveal_invalid"


@given(digits=st.text(alphabet="0123456789", min_size=6, max_size=18),
       before=st.text(max_size=10), after=st.text(max_size=10))
def test_no_run_of_six_digits_ever_reaches_the_record(digits, before, after):
    with pytest.raises(RevealInvalid):
        reveal_request(["id_number"], "other", f"核对身份{before}{digits}{after}")


@given(fields=st.sets(st.sampled_from(sorted(FIELDS)), min_size=1),
       reason=st.sampled_from(sorted(REASONS)),
       note=st.text(alphabet="核对身份证原件送达地址确认书法院立案审查", min_size=4, max_size=200))
def test_any_listed_reason_with_a_plain_note_is_taken(fields, reason, note):
    asked = reveal_request(fields, reason, note)
    assert set(asked.fields) == fields
    assert asked.reason == reason
