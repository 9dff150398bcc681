"""Claims: the breakdown, interest accrual by day count, and the annual cost cap."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain import claims
from jintiao.domain.claims import ClaimBreakdown, ClaimInvalid, DayCount, PeriodInvalid
from jintiao.domain.errors import ErrorCode

D = Decimal
d = dt.date


class TestBreakdown:
    def test_s1_parts_add_up_to_the_claimed_total(self):
        claim = ClaimBreakdown(as_of=d(2025, 6, 30), principal=D("200311.62"),
                               interest=D("31208.40"), penalty_interest=D("12630.11"),
                               fees=D("6127.00"))
        assert claim.total == D("250277.13")
        assert claim.charges == D("49965.51")
        assert [label for _, label, _ in claim.parts()][:3] == ["本金", "利息", "罚息"]

    @pytest.mark.parametrize("bad", [D("-1"), D("1.001"), 1.5, "abc"])
    def test_refuses_bad_parts_naming_the_field(self, bad):
        with pytest.raises(ClaimInvalid) as err:
            ClaimBreakdown(as_of=d(2025, 6, 30), principal=D("1000"), fees=bad)
        assert err.value.code == ErrorCode.CLAIM_INVALID
        assert err.value.details["field"] == "fees"


class TestAccrual:
    def test_actual_365(self):
        assert claims.accrue_interest(D("100000"), D("0.0365"), d(2026, 1, 1),
                                      d(2026, 1, 11)) == D("100.00")

    def test_actual_360(self):
        assert claims.accrue_interest(D("100000"), D("0.036"), d(2026, 1, 1), d(2026, 1, 11),
                                      DayCount.ACT_360) == D("100.00")

    def test_the_start_day_is_not_counted_and_a_leap_day_is(self):
        assert claims.accrue_interest(D("36500"), D("0.1"), d(2028, 2, 28),
                                      d(2028, 3, 1)) == D("20.00")

    def test_no_days_no_interest(self):
        assert claims.accrue_interest(D("1000"), D("0.1"), d(2026, 1, 1), d(2026, 1, 1)) == 0

    def test_reversed_period_is_refused(self):
        with pytest.raises(PeriodInvalid):
            claims.accrue_interest(D("1000"), D("0.1"), d(2026, 2, 1), d(2026, 1, 1))

    @given(st.integers(0, 10**9).map(lambda c: D(c) / 100), st.integers(0, 3600),
           st.integers(0, 2000), st.integers(0, 2000))
    def test_accrual_is_additive_over_split_periods_within_a_fen(self, cents, bp, a, b):
        rate = D(bp) / 10000
        start = d(2020, 1, 1)
        mid, end = start + dt.timedelta(days=a), start + dt.timedelta(days=a + b)
        whole = claims.accrue_interest(cents, rate, start, end)
        parts = (claims.accrue_interest(cents, rate, start, mid)
                 + claims.accrue_interest(cents, rate, mid, end))
        assert abs(whole - parts) <= D("0.01")


class TestCostCap:
    def test_reports_what_exceeds_24_percent(self):
        claim = ClaimBreakdown(as_of=d(2026, 1, 1), principal=D("100000"),
                               interest=D("20000"), penalty_interest=D("8000"), fees=D("2000"))
        check = claims.check_cost_cap(claim, cap_rate=D("0.24"), period_start=d(2025, 1, 1))
        assert check.days == 365
        assert check.allowed == D("24000.00")
        assert check.excess == D("6000.00")
        assert check.annualised_rate == D("0.3000")
        assert not check.within_cap

    def test_other_items_are_not_charges(self):
        claim = ClaimBreakdown(as_of=d(2026, 1, 1), principal=D("100000"),
                               interest=D("1000"), other=D("50000"))
        check = claims.check_cost_cap(claim, cap_rate=D("0.24"), period_start=d(2025, 1, 1))
        assert check.within_cap

    def test_zero_principal_or_empty_period_is_refused(self):
        claim = ClaimBreakdown(as_of=d(2026, 1, 1), principal=D("0"), interest=D("1"))
        with pytest.raises(ClaimInvalid):
            claims.check_cost_cap(claim, cap_rate=D("0.24"), period_start=d(2025, 1, 1))
        with pytest.raises(PeriodInvalid):
            claims.check_cost_cap(claim, cap_rate=D("0.24"), period_start=d(2026, 1, 1))


class TestClaimable:
    """What a creditor may bring to intake, as of the day the caller says is today."""

    ON = d(2026, 12, 1)

    def test_a_claim_of_nothing_is_refused(self):
        with pytest.raises(claims.ClaimNotPositive) as err:
            claims.require_claimable(ClaimBreakdown(as_of=self.ON, principal=D(0)), on=self.ON)
        assert err.value.code == ErrorCode.CLAIM_NOT_POSITIVE
        assert err.value.message == "债权合计应大于零"

    @given(st.sampled_from(list(claims.CLAIM_PART_LABELS)), st.integers(1, 10**12))
    def test_any_part_above_zero_makes_a_claim(self, part, fen):
        claim = ClaimBreakdown(**{"as_of": self.ON, "principal": D(0), part: D(fen) / 100})
        assert claims.require_claimable(claim, on=self.ON) is claim

    @given(st.dates(d(1900, 1, 1), d(2099, 12, 31)))
    def test_the_computation_date_lies_within_ten_years_before_today(self, as_of):
        claim = ClaimBreakdown(as_of=as_of, principal=D("100"))
        if self.ON.replace(year=self.ON.year - 10) <= as_of <= self.ON:
            assert claims.require_claimable(claim, on=self.ON) is claim
            return
        with pytest.raises(ClaimInvalid) as err:
            claims.require_claimable(claim, on=self.ON)
        expected = ErrorCode.DATE_IN_FUTURE if as_of > self.ON else ErrorCode.DATE_TOO_EARLY
        assert err.value.code == expected
        assert err.value.details["field"] == "claim_as_of"
