"""Repayment schedules: scenario S1, a bank example, and the invariants every plan keeps."""

import dataclasses
import datetime as dt
import itertools
from decimal import ROUND_DOWN, Decimal

import numpy_financial as npf
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from jintiao.domain import schedules
from jintiao.domain.errors import ErrorCode
from jintiao.domain.schedules import Method, PlanInvalid, PlanTerms, build_schedule
from tests.domain import schedule_reference

D = Decimal
d = dt.date


def plan(**kwargs):
    defaults = {"method": Method.FLAT, "principal": D("250277.13"), "periods": 60,
                "first_due": d(2026, 12, 20)}
    return build_schedule(PlanTerms(**{**defaults, **kwargs}))


class TestScenarioS1:
    def test_sixty_flat_instalments_of_the_full_amount(self):
        schedule = plan()
        payments = [i.payment for i in schedule.instalments]
        assert payments[:59] == [D("4171.28")] * 59
        assert payments[59] == D("4171.61")
        assert schedule.total_payment == D("250277.13")
        assert schedule.total_interest == 0
        assert schedule.last_due_on == d(2031, 11, 20)

    def test_whole_yuan_instalments_with_the_remainder_last(self):
        schedule = plan(round_to=D("1"))
        assert schedule.regular_payment == D("4171.00")
        assert schedule.instalments[-1].payment == D("4188.13")

    def test_down_payment_first(self):
        schedule = plan(down_payment=D("50000"), down_payment_due=d(2026, 12, 1))
        assert schedule.down_payment.payment == D("50000.00")
        assert schedule.down_payment.number == 0
        assert schedule.financed_principal == D("200277.13")
        assert len(schedule.amortising) == 60


class TestEqualInstallment:
    def test_a_known_bank_example(self):
        schedule = plan(method=Method.EQUAL_INSTALLMENT, principal=D("1000000"),
                        annual_rate=D("0.049"), periods=360, first_due=d(2027, 1, 31))
        assert schedule.regular_payment == D("5307.27")
        assert schedule.instalments[0].interest == D("4083.33")
        assert schedule.instalments[1].due_on == d(2027, 2, 28)
        assert schedule.instalments[2].due_on == d(2027, 3, 31)

    def test_zero_rate_is_an_even_split(self):
        schedule = plan(method=Method.EQUAL_INSTALLMENT, principal=D("100"), periods=3)
        assert [i.payment for i in schedule.instalments] == [D("33.33"), D("33.33"), D("33.34")]


class TestOtherMethods:
    def test_equal_principal_interest_falls_with_the_balance(self):
        schedule = plan(method=Method.EQUAL_PRINCIPAL, principal=D("12000"),
                        annual_rate=D("0.06"), periods=12)
        assert {i.principal for i in schedule.instalments} == {D("1000.00")}
        assert schedule.instalments[0].interest == D("60.00")
        assert schedule.instalments[-1].interest == D("5.00")
        assert schedule.total_interest == D("390.00")

    def test_interest_only_then_balloon(self):
        schedule = plan(method=Method.INTEREST_ONLY, principal=D("3000000"),
                        annual_rate=D("0.048"), periods=24)
        assert schedule.instalments[0].payment == D("12000.00")
        assert schedule.instalments[-1].principal == D("3000000.00")
        assert schedule.instalments[-1].payment == D("3012000.00")

    def test_lump_sum_with_interest_from_a_date(self):
        schedule = plan(method=Method.LUMP_SUM, principal=D("100000"), periods=1,
                        annual_rate=D("0.0365"), first_due=d(2027, 1, 11),
                        interest_from=d(2027, 1, 1))
        assert len(schedule.instalments) == 1
        assert schedule.instalments[0].interest == D("100.00")
        assert schedule.instalments[0].payment == D("100100.00")

    def test_grace_periods_pay_interest_only_first(self):
        schedule = plan(method=Method.EQUAL_INSTALLMENT, principal=D("120000"),
                        annual_rate=D("0.06"), periods=12, grace_periods=3)
        grace = schedule.grace_instalments
        assert len(grace) == 3
        assert {(i.principal, i.interest) for i in grace} == {(D("0.00"), D("600.00"))}
        assert len(schedule.amortising) == 12
        assert schedule.amortising[0].due_on == d(2027, 3, 20)

    def test_grace_on_an_interest_free_plan_still_moves_the_first_instalment(self):
        """Nothing is due in an interest-free grace month, but the grace is still granted:
        the first instalment falls ``grace_periods`` months after ``first_due``."""
        schedule = plan(periods=12, grace_periods=3)
        assert schedule.grace_instalments == ()
        assert len(schedule.instalments) == 12
        assert schedule.amortising[0].due_on == d(2027, 3, 20)
        assert schedule.last_due_on == d(2028, 2, 20)
        assert [i.number for i in schedule.instalments] == list(range(1, 13))

    def test_the_largest_payment_is_the_last_lump_of_an_interest_only_plan(self):
        schedule = plan(method=Method.INTEREST_ONLY, principal=D("3200000"),
                        annual_rate=D("0.04"), periods=12)
        assert schedule.largest.number == 12
        assert schedule.largest.payment == D("3210666.67")

    def test_deferred_interest_is_repaid_evenly_without_interest(self):
        schedule = plan(method=Method.EQUAL_PRINCIPAL, principal=D("120000"),
                        annual_rate=D("0.06"), periods=12, deferred_periods=6)
        assert schedule.terms.deferral_interest == D("3600.00")
        assert schedule.total_arrears == D("3600.00")
        assert {i.arrears for i in schedule.instalments} == {D("300.00")}

    def test_the_31st_clamps_in_short_months_and_returns(self):
        dates = schedules.due_dates(d(2027, 1, 31), 4)
        assert dates == [d(2027, 1, 31), d(2027, 2, 28), d(2027, 3, 31), d(2027, 4, 30)]
        assert schedules.due_dates(d(2028, 2, 29), 2, due_day=31)[1] == d(2028, 3, 31)


class TestDegeneratePlans:
    def test_a_payment_that_would_repay_early_is_rounded_down_not_left_empty(self):
        schedule = plan(method=Method.EQUAL_INSTALLMENT, principal=D("305.76"),
                        annual_rate=D("0.0002"), periods=270, first_due=d(2027, 1, 15))
        assert schedule.regular_payment == D("1.13")
        assert all(i.payment > 0 for i in schedule.instalments)
        assert schedule.instalments[-1].remaining == 0

    def test_a_principal_too_small_for_the_periods_is_refused(self):
        with pytest.raises(PlanInvalid) as err:
            plan(principal=D("0.05"), periods=10)
        assert "不足以分成10期" in err.value.message

    def test_a_rounding_step_too_large_for_the_plan_is_refused(self):
        with pytest.raises(PlanInvalid):
            plan(principal=D("250"), periods=3, round_to=D("100"))


class TestRefusals:
    @pytest.mark.parametrize(
        "changes",
        [
            {"periods": 0},
            {"periods": 601},
            {"principal": D("0")},
            {"principal": D("-1")},
            {"principal": D("1.001")},
            {"annual_rate": D("0.05")},  # a flat plan carries no interest
            {"down_payment": D("300000"), "down_payment_due": d(2026, 12, 1)},
            {"down_payment": D("1000")},  # no date
            {"down_payment": D("1000"), "down_payment_due": d(2027, 1, 1)},  # after first due
            {"due_day": 5},  # first_due is the 20th
            {"round_to": D("0.001")},
            {"method": "weekly"},
            {"method": Method.LUMP_SUM, "periods": 2},
            {"method": Method.INTEREST_ONLY},  # no rate: that is a lump sum
            {"method": Method.EQUAL_INSTALLMENT, "annual_rate": 0.05},  # a float rate
        ],
    )
    def test_bad_terms_are_refused_with_a_chinese_message(self, changes):
        with pytest.raises(PlanInvalid) as err:
            plan(**changes)
        assert err.value.code == ErrorCode.PLAN_INVALID
        assert any("\u4e00" <= ch <= "\u9fff" for ch in err.value.message)


class TestSelfCheck:
    """A schedule that breaks an invariant is refused, never issued: a bug, not the user's."""

    def _broken(self, monkeypatch, change):
        real = schedules._principal_and_interest

        def broken(terms, financed):
            principal, interest = real(terms, financed)
            change(principal, interest)
            return principal, interest

        monkeypatch.setattr(schedules, "_principal_and_interest", broken)
        with pytest.raises(schedules.PlanDoesNotBalance) as err:
            plan(method=Method.EQUAL_INSTALLMENT, annual_rate=D("0.0435"))
        assert err.value.code == ErrorCode.PLAN_DOES_NOT_BALANCE
        return err.value.details["problems"]

    def test_a_fen_of_principal_lost(self, monkeypatch):
        def lose(principal, interest):
            principal[-1] -= 1

        assert self._broken(monkeypatch, lose) == [
            "principal parts do not sum to the financed principal",
            "principal parts do not sum to the principal",
            "the last remaining balance is not zero",
        ]

    def test_a_negative_amount(self, monkeypatch):
        def negative(principal, interest):
            interest[3] = -1

        assert self._broken(monkeypatch, negative) == ["instalment 4 has a negative amount"]

    def test_due_dates_out_of_order(self, monkeypatch):
        real = schedules._month_dates
        monkeypatch.setattr(schedules, "_month_dates", lambda *args: real(*args)[::-1])
        with pytest.raises(schedules.PlanDoesNotBalance) as err:
            plan()
        assert err.value.details["problems"] == ["due dates are not in order"]


fen = st.integers(min_value=1, max_value=10**9).map(lambda c: D(c) / 100)
rates = st.integers(min_value=0, max_value=3600).map(lambda bp: D(bp) / 10000)
dates = st.dates(min_value=d(2000, 1, 1), max_value=d(2060, 12, 31))


@st.composite
def terms(draw):
    method = draw(st.sampled_from(list(Method)))
    principal = draw(fen)
    periods = 1 if method is Method.LUMP_SUM else draw(st.integers(1, 360))
    rate = D(0) if method is Method.FLAT else draw(rates)
    first_due = draw(dates)
    kwargs = {"method": method, "principal": principal, "periods": periods,
              "annual_rate": rate, "first_due": first_due}
    if method is Method.LUMP_SUM:
        if rate:
            kwargs["interest_from"] = first_due - dt.timedelta(days=draw(st.integers(0, 900)))
    else:
        kwargs["grace_periods"] = draw(st.integers(0, 12))
        kwargs["deferred_periods"] = draw(st.integers(0, 12))
        kwargs["arrears"] = draw(st.integers(0, 10**7).map(lambda c: D(c) / 100))
        if method in (Method.FLAT, Method.EQUAL_PRINCIPAL):
            kwargs["round_to"] = draw(st.sampled_from([D("0.01"), D("1"), D("100")]))
    if principal > 1 and draw(st.booleans()):
        kwargs["down_payment"] = draw(st.integers(1, int(principal * 100) - 1).map(
            lambda c: D(c) / 100))
        kwargs["down_payment_due"] = first_due - dt.timedelta(days=draw(st.integers(0, 60)))
    if method is Method.INTEREST_ONLY:
        kwargs["annual_rate"] = max(rate, D("0.0001"))
    try:
        return PlanTerms(**kwargs)
    except PlanInvalid as exc:
        # too little principal for a fen (or a rounding step) per instalment: refused
        refused_for = exc.details["field"]
    assert refused_for in ("periods", "annual_rate")
    return assume(False)


class TestInvariants:
    @given(terms())
    def test_every_plan_balances_to_the_fen(self, t):
        try:
            schedule = build_schedule(t)
        except PlanInvalid as exc:  # a tiny loan that the rate repays early: refused
            message = exc.message
        else:
            message = ""
        assume("还清" not in message)
        assert not message
        rows = schedule.instalments
        numbered = [i for i in rows if i.number > 0]
        assert sum(i.principal for i in numbered) == t.financed_principal
        assert sum(i.principal for i in rows) == t.principal
        assert rows[-1].remaining == 0
        for i in rows:
            for amount in (i.principal, i.interest, i.arrears, i.payment, i.remaining):
                assert amount >= 0
                assert amount == amount.quantize(D("0.01"))
            assert i.payment == i.principal + i.interest + i.arrears
        assert all(i.payment > 0 for i in rows), "every instalment asks for money"
        due = [i.due_on for i in numbered]
        assert all(a < b for a, b in itertools.pairwise(due))
        day = t.effective_due_day
        for when in due:
            assert when.day == day or (when + dt.timedelta(days=1)).day == 1
        # grace of g periods moves the first principal-bearing instalment g periods later,
        # whether or not the grace months carry interest
        start = schedules.due_dates(t.first_due, t.grace_periods + 1, t.due_day)[-1]
        assert schedule.amortising[0].due_on == start
        # the largest payment is the largest of them all, the last one included
        assert schedule.largest.payment == max(i.payment for i in rows)

    @given(fen, st.integers(1, 3600).map(lambda bp: D(bp) / 10000), st.integers(1, 360))
    def test_annuity_payment_matches_numpy_financial_to_the_fen(self, principal, rate, n):
        ours = schedules.annuity_payment(principal, rate, n)
        theirs = npf.pmt(float(rate) / 12, n, -float(principal))
        assert abs(float(ours) - theirs) <= 0.005 + 1e-6 * max(1.0, theirs)

    @given(fen, st.integers(1, 3600).map(lambda bp: D(bp) / 10000), st.integers(2, 360))
    def test_every_payment_but_the_last_is_the_annuity_and_the_last_stays_close(
        self, principal, rate, n
    ):
        assume(principal >= n)  # a loan of less than a fen a month repays early
        # and a plan whose payment is all interest but a few fen is no real plan
        assume(schedules.annuity_payment(principal, rate, n) - principal * rate / 12 > D("0.02"))
        t = PlanTerms(method=Method.EQUAL_INSTALLMENT, principal=principal, periods=n,
                      annual_rate=rate, first_due=d(2027, 1, 15))
        rows = build_schedule(t).instalments
        payment = schedules.annuity_payment(principal, rate, n)
        down = schedules.annuity_payment(principal, rate, n, ROUND_DOWN)
        # rounded down only where rounding up would repay the loan early
        assert {i.payment for i in rows[:-1]} in ({payment}, {down})
        # the payment's rounding (≤ half a fen) and each interest rounding (≤ half a fen)
        # compound into the last instalment; bound it by the annuity's future-value factor
        r = rate / 12
        bound = D("0.01") * (((1 + r) ** n - 1) / r) + D("0.01")
        assert abs(rows[-1].payment - payment) <= bound


def _rows_or_refusal(build):
    """Rows as compared with the reference: amounts as strings, so 1.5 and 1.50 differ."""
    try:
        rows = build()
    except PlanInvalid as exc:
        return exc.details.get("field")
    return [(n, due, *map(str, amounts)) for n, due, *amounts in rows]


def _fast(t):
    return [(i.number, i.due_on, i.principal, i.interest, i.arrears, i.payment, i.remaining)
            for i in build_schedule(t).instalments]


# Annual rates as typed (basis points) and as anything a Decimal can hold in [0, 1]:
# up to 30 digits, past where whole-fen arithmetic is known to round as Decimal does.
any_rate = st.one_of(
    rates,
    st.integers(1, 30).flatmap(
        lambda places: st.integers(0, 10**places).map(lambda m: D(f"{m}E-{places}"))),
)
any_principal = st.one_of(fen, st.integers(1, 10**18 - 1).map(lambda c: D(c) / 100))


class TestSameRowsAsTheReference:
    """Every row, to the fen and in the same form, as the plain Decimal algorithm gives
    (tests/domain/schedule_reference.py), for every method and every concession."""

    @given(terms())
    def test_every_kind_of_plan(self, t):
        assert _rows_or_refusal(lambda: _fast(t)) == _rows_or_refusal(
            lambda: schedule_reference.build_rows(t))

    @given(any_principal, any_rate, st.integers(1, 360), dates)
    @example(D("9999999999999999.99"), D("0.0435123456789012345678901234567"), 360,
             d(2027, 1, 31))  # past 10**38: each month's interest worked out in Decimal
    @example(D("100.00"), D(0), 7, d(2027, 1, 31))
    def test_equal_instalments_at_any_principal_rate_and_term(self, principal, rate, n, first):
        try:
            t = PlanTerms(method=Method.EQUAL_INSTALLMENT, principal=principal, periods=n,
                          annual_rate=rate, first_due=first)
        except PlanInvalid:
            assume(False)
        fast = _rows_or_refusal(lambda: _fast(t))
        assert fast == _rows_or_refusal(lambda: schedule_reference.build_rows(t))
        if isinstance(fast, list):
            assert sum(D(row[2]) for row in fast) == principal

    @given(st.integers(1990 * 12, 2100 * 12), st.integers(1, 31), st.integers(0, 600))
    def test_due_dates_on_any_day(self, month, day, count):
        year, month0 = divmod(month, 12)
        first = schedule_reference.due_dates(d(year, month0 + 1, 1), 1, day)[0]
        assert schedules.due_dates(first, count, day) == schedule_reference.due_dates(
            first, count, day)

    def test_due_dates_past_the_year_9999_are_refused(self):
        with pytest.raises(PlanInvalid) as err:
            schedules.due_dates(d(9999, 6, 30), 12)
        assert err.value.details["months"] == 7

    def test_rows_are_the_frozen_dataclass_as_its_constructor_makes_it(self):
        for row in plan(method=Method.EQUAL_INSTALLMENT, annual_rate=D("0.0435")).instalments:
            made = schedules.Instalment(**vars(row))
            assert (row, hash(row), repr(row)) == (made, hash(made), repr(made))
            assert dataclasses.replace(row) == row
            with pytest.raises(dataclasses.FrozenInstanceError):
                row.payment = D(0)

    @given(any_principal, any_rate, st.integers(0, 600))
    @example(D("6.00"), D("0.01"), 1)  # half a fen exactly: rounded up
    @example(D("18.00"), D("0.01"), 1)  # one and a half fen
    @example(D("9999999999999999.99"), D("0.123456789012345678901234567891"), 1)
    def test_interest_on_any_balance(self, balance, rate, months):
        expected = str(schedule_reference.monthly_interest(balance, rate, months))
        assert str(schedules._monthly_interest(balance, rate, months)) == expected
        # in whole fen, as the schedules work it out: exactly, or in Decimal past 10**38
        if months == 1:
            whole_fen = schedules._interest_column([int(balance * 100)], rate)
            assert whole_fen == [int(D(expected) * 100)]


class TestPresentValue:
    def test_a_plan_discounted_at_its_own_rate_is_worth_its_principal(self):
        schedule = plan(method=Method.EQUAL_INSTALLMENT, principal=D("100000"),
                        annual_rate=D("0.06"), periods=24, first_due=d(2027, 2, 1))
        value = schedules.present_value(schedule, annual_discount_rate=D("0.06"),
                                        as_of=d(2027, 1, 1))
        assert abs(value - D("100000")) <= D("0.10")

    def test_a_zero_rate_plan_is_worth_less_than_its_total(self):
        schedule = plan()
        value = schedules.present_value(schedule, annual_discount_rate=D("0.0435"),
                                        as_of=d(2026, 11, 20))
        assert value < schedule.total_payment
        assert value > schedule.total_payment * D("0.8")
