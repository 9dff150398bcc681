"""One rule for a payment, whether recorded by hand or as a line of a bank's file: each
line of a file gets the code and the message :func:`payment_record` gives the same payment
after the lines before it; and a large file costs a bounded number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from jintiao import clock
from jintiao.domain.errors import DomainError
from jintiao.domain.lifecycle import State
from jintiao.performance import selectors
from jintiao.performance.models import Payment
from jintiao.performance.services import (
    RowStatus,
    payment_record,
    payments_import,
    performance_review,
)
from jintiao.timeline.models import Event
from jintiao.timeline.services import audit_verify
from tests.performance.helpers import at, instalment, second_performing, total

HEADER = "dispute,reference,paid_on,amount,surplus_intended\n"


def _by_hand(w, lines: list[tuple]) -> list[tuple[str, str, D]]:
    """Each line recorded with :func:`payment_record`, in order, the good ones kept for
    the next: its (code, message, surplus); all undone afterwards."""
    answers = []
    with transaction.atomic():
        for dispute, reference, paid_on, amount, stated in lines:
            try:
                done = payment_record(
                    actor=w.agent,
                    dispute_id=dispute.pk,
                    reference=reference,
                    paid_on=paid_on,
                    amount=D(amount),
                    source=Payment.Source.CSV,
                    surplus_intended=stated,
                )
            except DomainError as exc:
                answers.append((str(exc.code), exc.message, D("0.00")))
            else:
                answers.append(("", "", done.surplus))
        transaction.set_rollback(True)
    return answers


def _file(lines: list[tuple]) -> str:
    return HEADER + "".join(
        f"{d.number},{ref},{day},{amount},{'是' if stated else ''}\n"
        for d, ref, day, amount, stated in lines
    )


def assert_file_answers_as_by_hand(w, lines: list[tuple]) -> None:
    """The file's answers are the hand's, line by line; its good lines alone, as a file,
    are recorded with the hand's surpluses."""
    by_hand = _by_hand(w, lines)
    done = payments_import(actor=w.agent, institution=w.branch, text=_file(lines))
    assert [(a.code, a.message) for a in done.rows] == [(c, m) for c, m, _s in by_hand]
    assert done.created == 0
    assert any(code for code, _m, _s in by_hand)  # the rules were put to the test

    good = [line for line, (code, _m, _s) in zip(lines, by_hand, strict=True) if not code]
    done = payments_import(actor=w.agent, institution=w.branch, text=_file(good))
    assert [(a.status, a.surplus) for a in done.rows] == [
        (RowStatus.CREATED, s) for c, _m, s in by_hand if not c
    ]


def test_a_files_lines_are_answered_as_the_same_payments_by_hand(desk, performing):
    """Regression guard: a file checks each line against running totals of its dispute,
    one payment by hand against its ledger read afresh — the same rules either way,
    including a surplus that only the lines before make."""
    p, q = performing, second_performing(desk)
    jan, due = dt.date(2027, 1, 20), instalment(performing)
    rest = total(p) - due
    lines = [
        (p, "H-1", jan, due, False),
        (p, "H-2", jan, rest + D("0.01"), False),  # beyond what H-1 left owed, not stated
        (p, "H-3", dt.date(2027, 1, 21), "1.00", False),  # tomorrow
        (p, "H-4", dt.date(2020, 1, 1), "1.00", False),  # before the agreement
        (p, "H-1", jan, "2.00", False),  # H-1 again, another amount
        (q, "H-1", jan, due, False),  # the bank's H-1, on another dispute
        (p, "H-5", jan, "0", False),
        (p, "H-6", jan, "1.005", False),
        (p, "H-7", jan, rest - D("0.01"), False),  # leaves 0.01 owed
        (q, "H-8", jan, total(q) + 5, True),  # beyond everything, stated
        (p, "H-9", jan, "0.02", False),  # one fen beyond, not stated
    ]
    with clock.pinned(at(jan)):
        assert_file_answers_as_by_hand(desk, lines)


def test_in_default_a_files_lines_are_answered_as_by_hand(desk, performing):
    """After default the surplus is beyond the accelerated instalments, the revived
    concessions and the doubled interest: a file's lines and a hand's payments alike."""
    with clock.pinned(at(dt.date(2027, 2, 21))):
        assert performance_review(actor=desk.agent, dispute_id=performing.pk) == "defaulted"
    performing.refresh_from_db()
    day = dt.date(2027, 3, 1)
    owed = selectors.outstanding_of(performing, accelerated_on=dt.date(2027, 2, 21), as_of=day)
    lines = [
        (performing, "D-1", day, owed.total - 10, False),
        (performing, "D-2", day, "10.01", False),  # one fen beyond, not stated
        (performing, "D-3", day, "10.00", False),
        (performing, "D-4", day, "3.00", True),  # beyond, stated
    ]
    with clock.pinned(at(day)):
        assert_file_answers_as_by_hand(desk, lines)


def test_a_2000_line_file_costs_a_bounded_number_of_queries(desk, performing):
    """A file's queries do not grow with its lines: its disputes, ledgers and references
    are read a batch at a time and its payments and events written a statement a batch
    (a query a line, or a dispute's review a line, would be thousands)."""
    q = second_performing(desk)

    def queries(tag: str, n: int) -> int:
        text = HEADER + "".join(
            f"{(performing, q)[k % 2].number},{tag}-{k},2027-01-20,0.01,\n" for k in range(n)
        )
        with CaptureQueriesContext(connection) as captured:
            done = payments_import(actor=desk.agent, institution=desk.branch, text=text)
        assert (done.created, done.errors) == (n, [])
        return len(captured)

    with clock.pinned(at(dt.date(2027, 1, 20))):
        few, many = queries("A", 20), queries("B", 2000)

    assert many <= 20, many
    assert many <= few, (few, many)
    assert Payment.objects.filter(reference__startswith="B-").count() == 2000
    assert (
        Event.objects.filter(
            dispute__in=[performing, q], type="payment.recorded", params__reference__startswith="B-"
        ).count()
        == 2000
    )
    performing.refresh_from_db()
    assert performing.state == State.PERFORMING
    assert audit_verify()[1] == []
