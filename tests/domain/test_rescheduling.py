"""Rescheduling (scenarios S3 and S4): the new plan and what the concession is worth."""

import datetime as dt
from decimal import Decimal

import pytest

from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.rescheduling import Concessions, ReschedulingInvalid, reschedule
from jintiao.domain.schedules import Method

D = Decimal
d = dt.date

S3 = ClaimBreakdown(as_of=d(2026, 11, 1), principal=D("2434500"), interest=D("62000"),
                    fees=D("18000"))
S4 = ClaimBreakdown(as_of=d(2026, 11, 1), principal=D("3200000"), interest=D("96000"))


def hand_annuity(principal: Decimal, annual: Decimal, n: int) -> Decimal:
    r = annual / 12
    return (principal * r / (1 - (1 + r) ** -n)).quantize(D("0.01"))


class TestScenarioS3:
    """Supermarket loan: deferral of principal and interest, service fees waived."""

    def result(self):
        return reschedule(
            S3, original_annual_rate=D("0.0435"), remaining_periods=24,
            concessions=Concessions(waive_fees=True, deferral_months=6),
            method=Method.EQUAL_INSTALLMENT, first_due=d(2026, 12, 1),
        )

    def test_fees_are_waived_and_interest_kept_as_arrears(self):
        result = self.result()
        assert result.waived == (("费用", D("18000.00")),)
        assert result.kept_charges == D("62000.00")

    def test_the_plan_starts_after_the_deferral(self):
        schedule = self.result().schedule
        assert schedule.first_due_on == d(2027, 6, 1)
        assert len(schedule.instalments) == 24

    def test_arrears_and_deferral_interest_are_repaid_exactly_without_interest(self):
        schedule = self.result().schedule
        deferral_interest = (D("2434500") * D("0.0435") * 6 / 12).quantize(D("0.01"))
        assert schedule.total_arrears == D("62000.00") + deferral_interest
        assert sum(i.principal for i in schedule.instalments) == D("2434500.00")

    def test_a_deferral_costs_the_creditor_something(self):
        result = self.result()
        assert result.concession_value > 0
        assert any("延期还本付息6个月" in line for line in result.summary())


class TestScenarioS4:
    """Tea grower: lower rate and an extension matched to the crop cycle."""

    def result(self):
        return reschedule(
            S4, original_annual_rate=D("0.06"), remaining_periods=36,
            concessions=Concessions(new_annual_rate=D("0.04"), extension_months=24),
            method=Method.EQUAL_INSTALLMENT, first_due=d(2026, 12, 1),
        )

    def test_new_schedule_runs_sixty_months_at_four_percent(self):
        schedule = self.result().schedule
        assert len(schedule.instalments) == 60
        assert schedule.terms.annual_rate == D("0.04")
        # the annuity plus the 96,000 of accrued interest spread over 60 months
        assert schedule.regular_payment == hand_annuity(D("3200000"), D("0.04"), 60) + 1600

    def test_concession_value_matches_a_hand_computation(self):
        result = self.result()
        # independent check: discount both annuities at 6 %/12 a month from one month
        # before the first due date (as_of is exactly one month before), ignoring the
        # fen rounding of each row, and add the interest arrears, spread evenly
        r = D("0.005")
        old_payment = hand_annuity(D("3200000"), D("0.06"), 36)
        new_payment = hand_annuity(D("3200000"), D("0.04"), 60)
        pv_old = old_payment * (1 - (1 + r) ** -36) / r
        pv_new = new_payment * (1 - (1 + r) ** -60) / r
        arrears_old = D("96000") / 36 * (1 - (1 + r) ** -36) / r
        arrears_new = D("96000") / 60 * (1 - (1 + r) ** -60) / r
        expected = (pv_old + arrears_old) - (pv_new + arrears_new)
        assert abs(result.concession_value - expected) <= D("5.00")
        assert result.concession_value > D("100000")

    def test_interest_difference_is_reported(self):
        result = self.result()
        assert result.interest_difference == (
            result.baseline_schedule.total_interest - result.schedule.total_interest
        )


class TestRefusals:
    def test_an_interest_waiver_above_the_interest_owed(self):
        with pytest.raises(ReschedulingInvalid):
            reschedule(S4, original_annual_rate=D("0.06"), remaining_periods=36,
                       concessions=Concessions(interest_waiver=D("96000.01")),
                       method=Method.EQUAL_INSTALLMENT, first_due=d(2026, 12, 1))

    def test_first_due_before_the_claim_date(self):
        with pytest.raises(ReschedulingInvalid):
            reschedule(S4, original_annual_rate=D("0.06"), remaining_periods=36,
                       concessions=Concessions(), method=Method.EQUAL_INSTALLMENT,
                       first_due=d(2026, 10, 1))

    def test_negative_months(self):
        with pytest.raises(ReschedulingInvalid):
            Concessions(deferral_months=-1)
