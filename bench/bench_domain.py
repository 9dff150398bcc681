"""Domain benchmarks: time per call of the calculators the platform leans on.

Run with ``make bench``. Figures are printed, never asserted: a benchmark that fails a
build on a busy machine teaches nothing. Each figure is the fastest of many short runs,
the one least disturbed by whatever else the machine is doing.

The 60-row equal-instalment schedule is set beside numpy-financial's vectorised pmt, ppmt
and ipmt over the same loan's 60 periods (issue 19 §5), with how far their figures agree
to the fen.
"""

from __future__ import annotations

import datetime as dt
import timeit
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import numpy_financial as npf

from jintiao.domain import calendar, fees, periods, schedules
from jintiao.domain.money import CENT, amount_in_words, format_amount

FIRST_DUE = dt.date(2026, 12, 20)
PERIODS = 60


def per_call(fn, *, repeat: int = 100) -> float:
    """Return the best seconds per call over ``repeat`` runs of about 5 ms each."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()  # calls for at least 0.2 s
    number = max(1, number // 40)
    return min(timer.repeat(repeat=repeat, number=number)) / number


def fmt(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:9.3f} ms"
    return f"{seconds * 1e6:9.1f} µs"


def interleaved(*fns, rounds: int = 200) -> list[float]:
    """Best seconds per call of each of ``fns``, timed in turn round after round so that
    another load on the machine falls on all of them alike."""
    timers = [timeit.Timer(fn) for fn in fns]
    numbers = [max(1, timer.autorange()[0] // 80) for timer in timers]  # about 2.5 ms a run
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for k, (timer, number) in enumerate(zip(timers, numbers, strict=True)):
            best[k] = min(best[k], timer.timeit(number) / number)
    return best


def to_fen(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(CENT, rounding=ROUND_HALF_UP)


def agreement(name: str, ours: list[Decimal], theirs: list[Decimal]) -> str:
    """How many of the rows agree to the fen, and the worst of those that do not."""
    differ = [(k, a, b) for k, (a, b) in enumerate(zip(ours, theirs, strict=True), 1)
              if a != b]
    line = f"{name} same to the fen in {len(ours) - len(differ)} of {len(ours)} rows"
    if differ:
        k, a, b = max(differ, key=lambda d: abs(d[1] - d[2]))
        line += f"; most apart: row {k}, {format_amount(a)} vs {format_amount(b)}"
    return line


def schedule_against_numpy_financial(principal: Decimal, rate: Decimal) -> list[str]:
    """The 60-row equal-instalment schedule beside numpy-financial's vectorised rows."""
    method = schedules.Method.EQUAL_INSTALLMENT

    def ours() -> schedules.Schedule:
        return schedules.build_schedule(schedules.PlanTerms(
            method=method, principal=principal, periods=PERIODS, first_due=FIRST_DUE,
            annual_rate=rate))

    terms = schedules.PlanTerms(method=method, principal=principal, periods=PERIODS,
                                first_due=FIRST_DUE, annual_rate=rate)
    r, pv, per = float(rate) / 12, -float(principal), np.arange(1, PERIODS + 1)

    def theirs() -> tuple[float, np.ndarray, np.ndarray]:
        return (npf.pmt(r, PERIODS, pv), npf.ppmt(r, per, PERIODS, pv),
                npf.ipmt(r, per, PERIODS, pv))

    build, with_terms, vectorised = interleaved(
        lambda: schedules.build_schedule(terms), ours, theirs)

    rows = ours().instalments
    payment, principal_parts, interest_parts = theirs()
    width = 52
    return [
        f"{PERIODS}-row equal-instalment schedule, {format_amount(principal)} at "
        f"{(rate * 100).normalize()}% a year:",
        f"  {'jintiao build_schedule (Decimal rows, checked)':<{width}}{fmt(build)}",
        f"  {'jintiao PlanTerms + build_schedule':<{width}}{fmt(with_terms)}",
        f"  {'numpy-financial pmt + ppmt + ipmt (float arrays)':<{width}}{fmt(vectorised)}",
        f"  ratio jintiao / numpy-financial: {build / vectorised:.2f}x "
        f"({with_terms / vectorised:.2f}x with the terms checked)",
        f"  payment: jintiao {format_amount(rows[0].payment)}, numpy-financial "
        f"{format_amount(to_fen(payment))}",
        "  " + agreement("interest", [i.interest for i in rows],
                         [to_fen(x) for x in interest_parts]),
        "  " + agreement("principal", [i.principal for i in rows],
                         [to_fen(x) for x in principal_parts]),
        "  (jintiao's last instalment takes whatever principal is left after 59 payments "
        "and interests rounded to the fen; numpy-financial never rounds)",
    ]


def main() -> None:
    cal = calendar.official_calendar()
    principal = Decimal("250277.13")
    rate = Decimal("0.0435")
    rows: list[tuple[str, float]] = []

    for method in (schedules.Method.FLAT, schedules.Method.EQUAL_INSTALLMENT,
                   schedules.Method.EQUAL_PRINCIPAL, schedules.Method.INTEREST_ONLY):
        terms = schedules.PlanTerms(
            method=method, principal=principal, periods=PERIODS, first_due=FIRST_DUE,
            annual_rate=Decimal(0) if method is schedules.Method.FLAT else rate,
        )
        seconds = per_call(lambda t=terms: schedules.build_schedule(t))
        rows.append((f"60-period schedule, {method.value}", seconds))

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
    print()
    print("\n".join(schedule_against_numpy_financial(principal, rate)))


if __name__ == "__main__":
    main()
