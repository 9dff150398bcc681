"""Intake's rules that need no database: the date of receipt and who the parties are."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain import intake
from jintiao.domain.errors import ErrorCode
from jintiao.domain.intake import IntakeInvalid, PartyEntry

ON = dt.date(2026, 12, 1)


class TestDateOfReceipt:
    def test_today_and_a_year_back_are_taken(self):
        assert intake.require_receipt_date(ON, on=ON) == ON
        assert intake.require_receipt_date(dt.date(2025, 12, 1), on=ON) == dt.date(2025, 12, 1)

    @pytest.mark.parametrize(("day", "code"), [(dt.date(2026, 12, 2), ErrorCode.DATE_IN_FUTURE),
                                               (dt.date(2025, 11, 30), ErrorCode.DATE_TOO_EARLY),
                                               (dt.date(2062, 12, 1), ErrorCode.DATE_IN_FUTURE),
                                               (dt.date(2016, 12, 1), ErrorCode.DATE_TOO_EARLY)])
    def test_a_day_to_come_or_over_a_year_back_is_refused(self, day, code):
        with pytest.raises(IntakeInvalid) as err:
            intake.require_receipt_date(day, on=ON)
        assert err.value.code == code
        assert err.value.details["field"] == "received_on"


ROLES = st.sampled_from(["creditor", "debtor", "guarantor"])


class TestDistinctParties:
    def test_the_same_number_as_creditor_and_debtor_is_refused_at_the_second_row(self):
        rows = [PartyEntry("creditor", "王某", "X1"), PartyEntry("debtor", "李某", "Y2"),
                PartyEntry("guarantor", "王某某", "X1")]
        with pytest.raises(IntakeInvalid) as err:
            intake.require_distinct_parties(rows)
        assert err.value.code == ErrorCode.PARTY_ON_BOTH_SIDES
        assert err.value.details == {"field": "id_number", "row": 2}
        assert err.value.message == "王某不能既是债权人又是债务人或担保人（证件号码相同）"

    @given(st.lists(st.tuples(ROLES, st.sampled_from("ABCDE")), min_size=1, max_size=8))
    def test_every_number_appears_once_or_the_rows_are_refused(self, rows):
        entries = [PartyEntry(role, f"当事人{number}", number) for role, number in rows]
        numbers = [number for _role, number in rows]
        if len(set(numbers)) == len(numbers):
            intake.require_distinct_parties(entries)
            return
        with pytest.raises(IntakeInvalid) as err:
            intake.require_distinct_parties(entries)
        row = err.value.details["row"]
        first = numbers.index(numbers[row])
        assert first < row
        assert numbers[row] not in numbers[first + 1:row]
        sides_differ = (rows[first][0] == "creditor") != (rows[row][0] == "creditor")
        assert err.value.code == (ErrorCode.PARTY_ON_BOTH_SIDES if sides_differ
                                  else ErrorCode.PARTY_LISTED_TWICE)


class TestContractAndPendingCase:
    """An element table's contract reference and pending case number (issue 20 §1)."""

    def test_a_card_number_is_kept_as_its_first_six_and_last_four_digits(self):
        from jintiao.domain.intake import contract_ref

        assert contract_ref(" 6222 0212 3456 7890 128 ") == "622202*********0128"
        assert contract_ref("6222-0212-3456-7894") == "622202******7894"
        # as many digits without a card's check digit: a contract number, kept whole
        assert contract_ref("2023-0001-0002-0003") == "2023-0001-0002-0003"
        assert contract_ref("6222021234567890123") == "6222021234567890123"
        assert contract_ref("(2023)黔农信借字第0012号") == "(2023)黔农信借字第0012号"
        assert contract_ref("") == ""

    def test_a_contract_reference_too_long_or_with_a_control_character_is_refused(self):
        from jintiao.domain.intake import contract_ref

        for text in ("X" * 101, "借字\x07第1号"):
            with pytest.raises(IntakeInvalid) as caught:
                contract_ref(text)
            assert caught.value.details["field"] == "contract_ref"

    def test_a_pending_case_number_is_read_as_a_court_writes_it(self):
        from jintiao.domain.intake import pending_case_number

        assert pending_case_number("(2026)黔2601民初123号") == "（2026）黔2601民初123号"
        assert pending_case_number("") == ""
        for text in ("2026民初123", "（2026）黔2601民初号", "javascript:alert(1)"):
            with pytest.raises(IntakeInvalid) as caught:
                pending_case_number(text)
            assert "（2026）黔2601民初123号" in caught.value.message
