"""Domain benchmarks: time per call of the calculators the platform leans on.

Run with ``make bench``. Figures are printed, never asserted: a benchmark that fails a
build on a busy machine teaches nothing.
"""

from __future__ import annotations

import datetime as dt
import timeit
from decimal import Decimal

import numpy_financial as npf

from jintiao.domain import calendar, fees, periods, schedules
from jintiao.domain.money import amount_in_words

FIRST_DUE = dt.date(2026, 12, 20)


def per_call(fn, *, repeat: int = 5) -> float:
    """Return the best seconds per call over ``repeat`` runs of at least 0.2 s each."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number


def fmt(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:9.3f} ms"
    return f"{seconds * 1e6:9.1f} µs"


def main() -> None:
    cal = calendar.official_calendar()
    principal = Decimal("250277.13")
    rate = Decimal("0.0435")
    rows: list[tuple[str, float]] = []

    for method in (schedules.Method.FLAT, schedules.Method.EQUAL_INSTALLMENT,
                   schedules.Method.EQUAL_PRINCIPAL, schedules.Method.INTEREST_ONLY):
        terms = schedules.PlanTerms(
            method=method, principal=principal, periods=60, first_due=FIRST_DUE,
            annual_rate=Decimal(0) if method is schedules.Method.FLAT else rate,
        )
        seconds = per_call(lambda t=terms: schedules.build_schedule(t))
        rows.append((f"60-period schedule, {method.value}", seconds))
        if method is schedules.Method.EQUAL_INSTALLMENT:
            full = seconds

    ours_payment = per_call(lambda: schedules.annuity_payment(principal, rate, 60))
    npf_payment = per_call(lambda: npf.pmt(0.0435 / 12, 60, -250277.13))
    rows.append(("equal-instalment payment, jintiao (Decimal)", ours_payment))
    rows.append(("equal-instalment payment, numpy-financial (float)", npf_payment))

    starts = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    fifteen_wd = periods.TimeLimit(15, periods.Unit.WORKING_DAYS)
    thirty_d = periods.TimeLimit(30, periods.Unit.DAYS)
    year_wd = per_call(lambda: [periods.deadline(s, fifteen_wd, cal) for s in starts], repeat=3)
    year_d = per_call(lambda: [periods.deadline(s, thirty_d, cal) for s in starts], repeat=3)
    rows.append(("deadline, 15 working days (per date, over 2026)", year_wd / len(starts)))
    rows.append(("deadline, 30 days (per date, over 2026)", year_d / len(starts)))
    rows.append(("deadline, 15 working days x 365 start dates", year_wd))
    rows.append(("acceptance fee (250,277.13, ordinary)",
                 per_call(lambda: fees.acceptance_fee(principal))))
    rows.append(("amount in words (250,277.13)", per_call(lambda: amount_in_words(principal))))

    ours = schedules.annuity_payment(principal, rate, 60)
    theirs = Decimal(str(npf.pmt(0.0435 / 12, 60, -250277.13))).quantize(Decimal("0.01"))
    width = max(len(name) for name, _ in rows)
    print(f"{'benchmark':<{width}}  time per call")
    for name, seconds in rows:
        print(f"{name:<{width}}  {fmt(seconds)}")
    print()
    print(f"equal-instalment payment: jintiao {ours} vs numpy-financial {theirs} "
          f"({'same to the fen' if ours == theirs else 'DIFFERENT'})")
    print(f"ratio jintiao / numpy-financial per payment: {ours_payment / npf_payment:.1f}x")
    print(f"ratio full 60-row equal-instalment schedule / numpy-financial payment: "
          f"{full / npf_payment:.1f}x")


if __name__ == "__main__":
    main()
