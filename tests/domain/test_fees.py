"""Court fees by the 2007 measures: the worked example, every bracket, halving, rounding."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain import fees
from jintiao.domain.errors import ErrorCode
from jintiao.domain.fees import FeeInvalid, Procedure

D = Decimal
amounts = st.integers(min_value=1, max_value=10**10).map(lambda c: D(c) / 100)


class TestAcceptanceFee:
    def test_worked_example_of_the_reference(self):
        result = fees.acceptance_fee(D("250277.13"))
        assert result.fee == D("5054.16")
        assert [line.fee for line in result.lines] == [
            D("50"), D("2250.000"), D("2000.00"), D("754.15695"),
        ]

    @pytest.mark.parametrize(
        ("amount", "fee"),
        [
            ("0.01", "50.00"), ("10000", "50.00"), ("10000.01", "50.00"),
            ("100000", "2300.00"), ("200000", "4300.00"), ("500000", "8800.00"),
            ("1000000", "13800.00"), ("2000000", "22800.00"), ("5000000", "46800.00"),
            ("10000000", "81800.00"), ("20000000", "141800.00"), ("30000000", "191800.00"),
        ],
    )
    def test_bracket_boundaries_match_the_cumulative_column(self, amount, fee):
        assert fees.acceptance_fee(D(amount)).fee == D(fee)

    @pytest.mark.parametrize(
        "procedure", [Procedure.SIMPLE, Procedure.MEDIATED, Procedure.SIMPLE_MEDIATED]
    )
    def test_halved_once(self, procedure):
        result = fees.acceptance_fee(D("250277.13"), procedure=procedure)
        assert result.fee == D("2527.08")
        assert result.full_fee == D("5054.16")
        assert result.halvings == 1

    def test_halvings_stack_only_by_setting(self):
        result = fees.acceptance_fee(
            D("250277.13"), procedure=Procedure.SIMPLE_MEDIATED, stack_halvings=True
        )
        assert result.fee == D("1263.54")
        assert result.halvings == 2

    def test_whole_yuan_rounding_rounds_half_up(self):
        assert fees.acceptance_fee(D("250277.13"), quantum=D("1")).fee == D("5054.00")
        # 10,020 → 50 + 20 × 2.5 % = 50.50 → 51
        assert fees.acceptance_fee(D("10020"), quantum=D("1")).fee == D("51.00")

    @pytest.mark.parametrize("amount", [D("0"), D("-1"), D("1.001")])
    def test_refuses_what_is_not_a_claim_amount(self, amount):
        with pytest.raises(FeeInvalid) as err:
            fees.acceptance_fee(amount)
        assert err.value.code == ErrorCode.FEE_INVALID

    def test_refuses_an_unknown_rounding_unit(self):
        with pytest.raises(FeeInvalid):
            fees.acceptance_fee(D("100"), quantum=D("0.05"))

    @given(amounts)
    def test_lines_add_up_to_the_unrounded_fee(self, amount):
        result = fees.acceptance_fee(amount)
        assert abs(sum(line.fee for line in result.lines) - result.full_fee) <= D("0.005")
        assert sum(line.base for line in result.lines) == amount

    @given(amounts, amounts)
    def test_fee_never_falls_as_the_claim_grows(self, a, b):
        low, high = sorted((a, b))
        assert fees.acceptance_fee(low).fee <= fees.acceptance_fee(high).fee

    @given(amounts)
    def test_continuous_one_fen_up(self, amount):
        step = fees.acceptance_fee(amount + D("0.01")).fee - fees.acceptance_fee(amount).fee
        assert D(0) <= step <= D("0.01")

    @given(amounts, st.sampled_from(list(Procedure)))
    def test_a_halved_fee_never_exceeds_the_full_fee(self, amount, procedure):
        result = fees.acceptance_fee(amount, procedure=procedure)
        assert result.fee <= result.full_fee


class TestOtherFees:
    def test_enforcement_fee_worked_example(self):
        assert fees.enforcement_fee(D("250277.13")).fee == D("3654.16")

    @pytest.mark.parametrize(
        ("amount", "fee"),
        [("10000", "50.00"), ("500000", "7400.00"), ("5000000", "52400.00"),
         ("10000000", "77400.00"), ("20000000", "87400.00")],
    )
    def test_enforcement_brackets(self, amount, fee):
        assert fees.enforcement_fee(D(amount)).fee == D(fee)

    def test_enforcement_without_an_amount_notes_the_range(self):
        result = fees.enforcement_fee(None)
        assert result.fee == D("50.00")
        assert any("500" in note for note in result.notes)

    def test_preservation_fee_worked_example(self):
        assert fees.preservation_fee(D("250277.13")).fee == D("1771.39")

    @given(amounts)
    def test_preservation_never_exceeds_5000(self, amount):
        assert fees.preservation_fee(amount).fee <= D("5000")

    def test_preservation_reaches_the_cap(self):
        assert fees.preservation_fee(D("2000000")).fee == D("5000.00")
        assert fees.preservation_fee(D("1000")).fee == D("30.00")

    def test_payment_order_is_a_third_of_the_acceptance_fee(self):
        assert fees.payment_order_fee(D("250277.13")).fee == D("1684.72")

    def test_judicial_confirmation_is_free(self):
        assert fees.confirmation_fee() == D("0.00")


class TestSaving:
    def test_acceptance_fee_plus_the_lawyer_estimate(self):
        saving = fees.litigation_saving(
            D("250277.13"), lawyer_fee_rate=D("0.03"), lawyer_fee_minimum=D("3000")
        )
        assert saving.acceptance_fee == D("5054.16")
        assert saving.lawyer_fee == D("7508.31")
        assert saving.total == D("12562.47")

    def test_the_lawyer_minimum_applies_to_small_claims(self):
        saving = fees.litigation_saving(
            D("20000"), lawyer_fee_rate=D("0.03"), lawyer_fee_minimum=D("3000")
        )
        assert saving.lawyer_fee == D("3000.00")
        assert saving.total == D("3300.00")

    def test_refuses_a_rate_above_one(self):
        with pytest.raises(FeeInvalid):
            fees.litigation_saving(D("100"), lawyer_fee_rate=D("3"))


def test_a_rounding_unit_written_with_zeros_still_means_whole_yuan():
    """Decimal('1.00') == Decimal('1') passed the check but quantized to the fen."""
    assert fees.acceptance_fee(D("250277.13"), quantum=D("1.00")).fee == D("5054.00")
