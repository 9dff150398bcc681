"""计算说明: each explanation's working reproduces its figure exactly — the rest days listed
are exactly the days skipped, the brackets add up to the fee, each payment's allocation
adds up to the payment, the doubled interest's stretches to the interest charged — and says
where each rule came from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain import explain, fees, periods
from jintiao.domain.affordability import assess_affordability, assess_cash_flow
from jintiao.domain.calendar import DayOverride, official_calendar
from jintiao.domain.money import CENT, quantize
from jintiao.domain.performance import (
    Due,
    Paid,
    Part,
    accelerate,
    account_on,
    outstanding,
)
from jintiao.domain.periods import TimeLimit, Unit
from jintiao.domain.policy import DEFAULT_POLICY, SOURCES

CAL = official_calendar()
ONE = dt.timedelta(days=1)
dates = st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2030, 12, 31))


def _span(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + ONE * n for n in range((last - first).days + 1)]


def _step(explained, label):
    return next(s for s in explained.steps if s.label == label)


# --- deadlines ------------------------------------------------------------------------------

class TestDeadline:
    def test_spring_festival_skipped_by_name_and_the_make_up_saturday_counted(self):
        """15 working days from Friday 2026-01-30 run across the 2026 Spring Festival
        (15–23 February, 14 February worked in exchange): due Friday 27 February."""
        d = periods.deadline(dt.date(2026, 1, 30), TimeLimit(15, Unit.WORKING_DAYS), CAL)
        basis = explain.LimitBasis("mediation_ordinary_limit", "普通程序调解期限",
                                   SOURCES["mediation_ordinary_limit"], "默认规则", 3, "指派调解员")

        x = explain.explain_deadline(d, CAL, basis)

        assert x.facts.deadline.due_on == dt.date(2026, 2, 27)
        spring = [r for r in x.facts.skipped if r.name == "春节"]
        assert [r.day for r in spring] == _span(dt.date(2026, 2, 15), dt.date(2026, 2, 23))
        assert [(r.day, r.name) for r in x.facts.worked_weekends] == [
            (dt.date(2026, 2, 14), "春节调休上班")]
        assert "2026-02-16（星期一） 春节" in _step(x, "不计入的休息日").items
        limit = _step(x, "期限")
        assert "第3版" in limit.text
        assert limit.source == SOURCES["mediation_ordinary_limit"]
        assert "指派调解员" in _step(x, "起算日").text
        assert x.sources[0] == explain.LAW_PERIODS
        assert not x.provisional

    def test_a_last_day_in_the_national_day_holiday_rolls_over_and_says_why(self):
        d = periods.deadline(dt.date(2025, 9, 16), TimeLimit(15, Unit.DAYS), CAL)

        x = explain.explain_deadline(d, CAL)

        assert (d.raw_end, d.due_on) == (dt.date(2025, 10, 1), dt.date(2025, 10, 9))
        assert [r.day for r in x.facts.skipped] == _span(dt.date(2025, 10, 1),
                                                         dt.date(2025, 10, 8))
        assert all(r.holiday for r in x.facts.skipped)
        rolled = _step(x, "顺延")
        assert "法定休假日（国庆节" in rolled.text
        assert rolled.value == "2025-10-09"

    def test_a_year_without_a_published_schedule_is_provisional(self):
        d = periods.deadline(dt.date(2029, 12, 20), TimeLimit(2, Unit.YEARS), CAL)

        x = explain.explain_deadline(d, CAL)

        assert x.provisional
        assert x.result.endswith("（暂定）")
        assert "2031年放假安排尚未公布" in _step(x, "暂定").text
        assert explain.LAW_MONTHS in x.sources

    def test_an_administrators_holiday_is_listed_by_its_note(self):
        typhoon = dt.date(2026, 7, 15)  # a Wednesday
        cal = CAL.with_overrides([DayOverride(typhoon, False, "台风停工")])
        d = periods.deadline(dt.date(2026, 7, 13), TimeLimit(3, Unit.WORKING_DAYS), cal)

        x = explain.explain_deadline(d, cal)

        assert [(r.day, r.name) for r in x.facts.skipped] == [(typhoon, "台风停工")]
        assert d.due_on == dt.date(2026, 7, 17)

    @given(dates, st.integers(0, 60))
    def test_working_days_the_days_listed_are_exactly_the_days_not_counted(self, start, n):
        d = periods.deadline(start, TimeLimit(n, Unit.WORKING_DAYS), CAL)

        x = explain.explain_deadline(d, CAL)

        inside = _span(start + ONE, d.due_on) if d.due_on > start else []
        skipped = [r.day for r in x.facts.skipped]
        assert skipped == [day for day in inside if CAL.is_rest_day(day)]
        assert len(inside) - len(skipped) == n or (n == 0 and not CAL.is_rest_day(d.due_on))
        assert x.facts.deadline == d

    @given(dates, st.integers(0, 30),
           st.lists(st.tuples(st.integers(1, 50), st.booleans()), max_size=6))
    def test_with_an_administrators_overrides_too(self, start, n, entries):
        cal = CAL.with_overrides([DayOverride(start + ONE * k, working, "调整")
                                  for k, working in entries])
        d = periods.deadline(start, TimeLimit(n, Unit.WORKING_DAYS), cal)

        x = explain.explain_deadline(d, cal)

        inside = _span(start + ONE, d.due_on) if d.due_on > start else []
        assert [r.day for r in x.facts.skipped] == [day for day in inside if cal.is_rest_day(day)]
        assert all(r.name == "调整" for r in x.facts.skipped
                   if (r.day - start).days in {k for k, w in entries if not w})

    @given(dates, st.integers(0, 400), st.sampled_from([Unit.DAYS, Unit.MONTHS, Unit.YEARS]))
    def test_calendar_periods_list_only_the_days_rolled_over(self, start, n, unit):
        amount = n if unit is Unit.DAYS else n % 25 if unit is Unit.MONTHS else n % 3
        d = periods.deadline(start, TimeLimit(amount, unit), CAL)

        x = explain.explain_deadline(d, CAL)

        assert [r.day for r in x.facts.skipped] == _span(d.raw_end, d.due_on - ONE)
        assert all(CAL.is_rest_day(r.day) for r in x.facts.skipped)
        assert d.rolled_over == bool(x.facts.skipped)
        assert x.facts.as_dict()["due_on"] == d.due_on.isoformat()


# --- court fees -----------------------------------------------------------------------------

class TestFee:
    def test_the_worked_example_bracket_by_bracket(self):
        x = fees.acceptance_fee(D("250277.13")).explain()

        lines = x.facts.lines
        assert [(line.lower, line.upper, line.rate) for line in lines] == [
            (D("0.00"), D("10000"), None), (D("10000"), D("100000"), D("0.025")),
            (D("100000"), D("200000"), D("0.02")), (D("200000"), D("500000"), D("0.015"))]
        assert [line.base for line in lines] == [D("10000"), D("90000"), D("100000"),
                                                 D("50277.13")]
        assert _step(x, "超过200,000.00元至500,000.00元的部分").value == "754.15695元"
        assert _step(x, "各段合计").value == "5,054.15695元"
        assert x.result == "5,054.16元"
        assert x.sources == ("诉讼费用交纳办法第十三条第（一）项",)

    def test_mediation_halves_it_and_cites_the_article(self):
        x = fees.acceptance_fee(D("250277.13"), procedure=fees.Procedure.MEDIATED).explain()

        halved = _step(x, "减半")
        assert halved.value == "2,527.08元"
        assert "第十五条" in halved.source
        assert x.facts.halvings == 1

    def test_the_preservation_cap_is_a_step(self):
        x = fees.preservation_fee(D("2000000")).explain()

        assert _step(x, "各段合计").value == "10,520.00元"
        assert _step(x, "最高限额").value == "5,000.00元"
        assert x.result == "5,000.00元"

    def test_the_litigation_saving_is_the_fee_and_the_lawyers_estimate(self):
        saving = fees.litigation_saving(D("250277.13"), lawyer_fee_rate=D("0.03"),
                                        lawyer_fee_minimum=D("3000"))

        x = saving.explain()

        assert _step(x, "受理费：各段合计").value == "5,054.15695元"
        assert "250,277.13元 × 3% = 7,508.31元" in _step(x, "律师费（估算）").text
        assert _step(x, "节约诉讼成本").value == "12,562.47元"
        assert saving.total == saving.acceptance_fee + saving.lawyer_fee
        small = fees.litigation_saving(D("20000"), lawyer_fee_rate=D("0.03"),
                                       lawyer_fee_minimum=D("3000")).explain()
        assert _step(small, "律师费（估算）").value == "3,000.00元"  # the minimum

    def test_a_payment_order_is_a_third_of_the_acceptance_fee(self):
        x = fees.payment_order_fee(D("250277.13")).explain()

        assert _step(x, "案件受理费全额").value == "5,054.16元"
        assert _step(x, "三分之一").value == "1,684.72元"
        assert _step(x, "三分之一").source == "诉讼费用交纳办法第十四条第（三）项"

    def test_an_enforcement_without_an_amount_says_the_courts_range(self):
        x = fees.enforcement_fee(None).explain()

        assert "50元至500元" in x.steps[0].text

    @given(st.decimals(min_value=D("0.01"), max_value=D("99999999999.99"), places=2),
           st.sampled_from(list(fees.Procedure)), st.booleans())
    def test_the_brackets_add_up_to_the_fee(self, amount, procedure, stack):
        result = fees.acceptance_fee(amount, procedure=procedure, stack_halvings=stack)

        x = result.explain()

        assert sum(line.base for line in x.facts.lines) == amount
        assert quantize(sum(line.fee for line in x.facts.lines), CENT) == result.full_fee
        assert quantize(result.full_fee / 2 ** result.halvings, CENT) == result.fee
        assert x.result == f"{result.fee:,.2f}元"
        for line in x.facts.lines:
            if line.rate is not None:
                assert line.fee == line.base * line.rate

    @given(st.decimals(min_value=D("0.01"), max_value=D("999999999.99"), places=2))
    def test_enforcement_and_preservation_add_up_too(self, amount):
        for result in (fees.enforcement_fee(amount), fees.preservation_fee(amount)):
            x = result.explain()
            raw = sum(line.fee for line in x.facts.lines)
            capped = min(raw, D("5000")) if result.kind == "preservation" else raw
            assert quantize(capped, CENT) == result.fee
            assert sum(line.base for line in x.facts.lines) == amount


# --- affordability --------------------------------------------------------------------------

class TestAffordability:
    def test_the_verdict_cites_the_source_its_version_was_published_with(self):
        """Found in review: the default text was cited whatever the administrator published."""
        verdict = assess_affordability(D("3000"), monthly_income=D("8000"),
                                       monthly_obligations=D("1500"), max_ratio=D("0.50"),
                                       living_minimum=D("790"), household_size=3)
        x = explain.explain_verdict(verdict, DEFAULT_POLICY, sources={
            "living_minimum_monthly": "黔东南州民政局2026年第3号公告"})
        assert "黔东南州民政局2026年第3号公告" in _step(x, "最低生活费").source
        assert SOURCES["max_debt_service_ratio"] in _step(x, "债务收入比").source

    def test_the_verdict_states_its_inputs_and_sources(self):
        verdict = assess_affordability(D("3000"), monthly_income=D("8000"),
                                       monthly_obligations=D("1500"), max_ratio=D("0.50"),
                                       living_minimum=D("790"), household_size=3)

        x = explain.explain_verdict(verdict, DEFAULT_POLICY)

        assert _step(x, "最低生活费").value == "2,370.00元"
        assert SOURCES["living_minimum_monthly"] in _step(x, "最低生活费").source
        assert _step(x, "债务收入比").value == "56.25%"
        assert SOURCES["max_debt_service_ratio"] in _step(x, "债务收入比").source
        assert _step(x, "每月最多可还").value == "2,500.00元"
        assert not x.facts.ratio_passed
        assert x.facts.minimum_passed
        assert x.facts.as_dict()["affordable"] is False

    def test_a_presumed_income_names_the_minimum_wage_source(self):
        verdict = assess_affordability(D("500"), monthly_income=DEFAULT_POLICY.minimum_wage_monthly,
                                       max_ratio=D("0.5"), living_minimum=D("790"))

        x = explain.explain_verdict(verdict, DEFAULT_POLICY, income_presumed=True)

        assert "最低工资" in _step(x, "月收入").text
        assert SOURCES["minimum_wage_monthly"] in _step(x, "月收入").source

    def test_no_income_is_said_plainly(self):
        verdict = assess_affordability(D("100"), monthly_income=D("0"), max_ratio=D("0.5"))

        x = explain.explain_affordability(verdict)

        assert x.steps[-1].value == "不可负担"
        assert x.facts.ratio_room is None

    def test_an_enterprise_is_judged_on_its_cash_flow(self):
        verdict = assess_cash_flow(D("6000"), monthly_cash_flow=D("8000"),
                                   monthly_obligations=D("3000"))

        x = explain.explain_affordability(verdict)

        assert x.title == "可负担性（企业）"
        assert _step(x, "可用于本纠纷").value == "5,000.00元"
        assert not x.facts.ratio_passed

    @given(st.decimals(min_value=0, max_value=100000, places=2),
           st.decimals(min_value=0, max_value=100000, places=2),
           st.decimals(min_value=0, max_value=50000, places=2),
           st.decimals(min_value=0, max_value=3000, places=2),
           st.integers(1, 8), st.decimals(min_value=D("0.05"), max_value=1, places=2))
    def test_the_two_tests_are_the_verdict(self, pay, income, obligations, minimum, size,
                                           ratio):
        verdict = assess_affordability(pay, monthly_income=income,
                                       monthly_obligations=obligations, max_ratio=ratio,
                                       living_minimum=minimum, household_size=size)

        f = explain.explain_affordability(verdict).facts

        assert f.needed == minimum * size
        assert f.left_after_payment == income - obligations - pay
        assert verdict.affordable == (f.ratio_passed and f.minimum_passed)
        if f.ratio_room is not None:
            assert verdict.max_payment == max(D(0), min(f.ratio_room, verdict.disposable))


# --- amounts owed and to enforce ------------------------------------------------------------

def _dues(n: int, amount: D = D("1000.00"), interest: D = D("50.00")) -> list[Due]:
    return [Due(i, dt.date(2027, i, 20), D("0.00") if i > 1 else D("200.00"), interest,
                amount) for i in range(1, n + 1)]


class TestAmounts:
    def test_each_payment_goes_arrears_interest_principal_oldest_first(self):
        dues = _dues(3)
        paid = [Paid("B-1", dt.date(2027, 1, 20), D("1500.00"))]

        x = explain.explain_account(dues, paid, dt.date(2027, 2, 1))

        (only,) = x.facts.allocations
        assert only.parts == ((1, Part.ARREARS, D("200.00")), (1, Part.INTEREST, D("50.00")),
                              (1, Part.PRINCIPAL, D("1000.00")), (2, Part.INTEREST, D("50.00")),
                              (2, Part.PRINCIPAL, D("200.00")))
        assert _step(x, "冲抵顺序").source == explain.LAW_ORDER
        assert _step(x, "还款 B-1").items[0] == "第1期欠息及费用 200.00元"

    def test_an_agreed_order_is_said_to_be_agreed(self):
        order = (Part.PRINCIPAL, Part.INTEREST, Part.ARREARS)

        x = explain.explain_account(_dues(2), [], dt.date(2027, 1, 1), order)

        assert _step(x, "冲抵顺序").source == "调解协议约定"
        assert "本金 → 利息 → 欠息及费用" in _step(x, "冲抵顺序").text

    def test_acceleration_lists_what_it_brought_forward(self):
        dues = _dues(4)

        x = explain.explain_account(dues, [], dt.date(2027, 3, 22), accelerated_on=dt.date(
            2027, 3, 21), missed_instalments=2)

        moved = x.facts.moved
        assert [m.number for m in moved] == [4]  # the third fell due on 2027-03-20
        assert _step(x, "加速到期").value == "2027-03-21"
        assert "连续2期" in _step(x, "加速到期").text
        assert x.facts.interest_not_accrued == D("50.00")

    def test_the_doubled_interest_stretch_by_stretch_with_revived_waivers(self):
        dues = _dues(3)
        paid = [Paid("B-1", dt.date(2027, 1, 20), D("1250.00")),
                Paid("B-2", dt.date(2027, 3, 1), D("600.00"))]
        rate = DEFAULT_POLICY.late_performance_daily_rate

        x = explain.explain_outstanding(dues, paid, as_of=dt.date(2027, 4, 10),
                                        accelerated_on=dt.date(2027, 2, 21),
                                        revived=D("300.00"), late_daily_rate=rate)
        out = outstanding(dues, paid, as_of=dt.date(2027, 4, 10),
                          accelerated_on=dt.date(2027, 2, 21), revived=D("300.00"),
                          late_daily_rate=rate)

        f = x.facts
        assert f.total == out.total
        assert f.late_interest == (out.late_interest, out.late_interest)
        assert [(s.number, s.start, s.end, s.days) for s in f.late_stretches] == [
            (s.number, s.start, s.end, s.days) for s in out.late_days]
        assert quantize(sum(s.interest for s in f.late_stretches)) == out.late_interest
        assert _step(x, "恢复计收的减免款").value == "300.00元"
        assert x.result == f"{out.total:,.2f}元"
        assert explain.LAW_LATE_INTEREST in x.sources

    def test_without_a_ruling_no_doubled_interest_and_it_says_why(self):
        x = explain.explain_outstanding(_dues(2), [], as_of=dt.date(2027, 3, 1),
                                        accelerated_on=dt.date(2027, 2, 21))

        assert "未经司法确认" in _step(x, "迟延履行利息").text
        assert x.facts.late_stretches == ()

    @given(st.lists(st.tuples(st.integers(0, 200), st.integers(1, 400000)), max_size=8),
           st.integers(0, 120), st.sampled_from([None, D("0.000175")]),
           st.decimals(min_value=0, max_value=2000, places=2))
    def test_allocations_add_up_to_the_payments_and_the_figures_are_the_functions(
            self, raw, late_by, rate, revived):
        dues = _dues(6, D("1000.00"), D("37.51"))
        paid = [Paid(f"P{i}", dt.date(2027, 1, 1) + dt.timedelta(days=day),
                     D(cents) / 100) for i, (day, cents) in enumerate(raw)]
        on = dt.date(2027, 8, 1)
        accelerated = dt.date(2027, 3, 1) + dt.timedelta(days=late_by)
        x = explain.explain_account(dues, paid, on)
        account = account_on(dues, paid, on)

        total = sum((a.amount for a in x.facts.allocations), D(0))
        for a in x.facts.allocations:
            assert sum((amount for _n, _p, amount in a.parts), D(0)) + a.beyond == a.amount
        assert total == account.total_paid + account.surplus
        assert x.facts.outstanding == account.outstanding

        y = explain.explain_outstanding(dues, paid, as_of=on, accelerated_on=accelerated,
                                        revived=revived, late_daily_rate=rate)
        out = outstanding(dues, paid, as_of=on, accelerated_on=accelerated, revived=revived,
                          late_daily_rate=rate)
        owed, _ = accelerate(dues, accelerated)
        assert y.facts.total == out.total
        assert sum(m.interest_dropped for m in y.facts.moved) == out.interest_not_accrued
        assert y.facts.total_due == sum(d.amount for d in owed)
        assert y.facts.revived[1] == out.revived
        assert y.facts.late_interest[1] == out.late_interest
        assert y.facts.surplus == out.surplus


def test_the_explanation_is_plain_data_for_the_api_and_the_command_line():
    d = periods.deadline(dt.date(2026, 9, 28), TimeLimit(15, Unit.DAYS), CAL)
    x = explain.explain_deadline(d, CAL)

    data = x.as_dict()

    assert set(data) == {"kind", "title", "result", "provisional", "steps", "sources", "notes",
                         "facts"}
    assert data["facts"]["due_on"] == "2026-10-13"
    assert x.lines()[0] == "期限届满日：2026-10-13（星期二）"
    with pytest.raises(AttributeError):
        x.title = "x"  # frozen
