"""A bank's payments file of many lines over several disputes: the same answers, payments,
events and states as the same lines imported one at a time, all or nothing, and queries
that do not grow with a dispute's lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from jintiao import clock
from jintiao.disputes.models import Dispute
from jintiao.domain.lifecycle import State
from jintiao.performance.models import Payment
from jintiao.performance.services import RowStatus, payments_import
from jintiao.timeline.models import Event
from jintiao.timeline.services import audit_verify
from tests.performance.helpers import at, instalment, second_performing, total

JAN = dt.date(2027, 1, 20)
HEADER = "dispute,reference,paid_on,amount,surplus_intended\n"


def _lines(p, q, cases) -> list[str]:
    """Two performing disputes of the branch, and one of another bank: payments by hand,
    a repeat within the file, the last payment of q stating its surplus."""
    due = instalment(p)
    return [f"{p.number},R-1,2027-01-20,{due},",
            f"{q.number},S-1,2027-01-10,100.00,否",
            f"{p.number},R-2,2027-01-20,{due},",
            f"{p.number},R-1,2027-01-20,{due},",           # the same payment again: a repeat
            f" {q.number} ,S-2,2027-01-20,1.5,",
            f"{p.number},R-3,2027-01-19,0.01,",
            f"{q.number},S-3,2027-01-20,{total(q) - D('101.50') + 10},是"]  # overpays, stated


def _bad_lines(p, q, cases) -> list[str]:
    theirs = cases[1]
    return [*_lines(p, q, cases),
            f"{q.number},R-2,2027-01-20,1.00,",              # p's reference: another dispute
            f"{p.number},R-4,2027-01-20,{total(p)},",        # overpays, not stated
            f"{theirs.number},T-1,2027-01-20,1.00,",         # not the importer's to see
            f"{p.number},R-5,2027-01-32,1.00,"]              # no such day


def _answers(done) -> list[tuple]:
    return [(a.dispute, a.reference, a.status, a.code, a.message, a.surplus, a.dispute_id)
            for a in done.rows]


def _written(disputes) -> dict:
    """What the import left: the payments, each dispute's state, version and events (the
    payment's id in an event named by its reference)."""
    refs = dict(Payment.objects.values_list("pk", "reference"))
    out = {}
    for d in Dispute.objects.filter(pk__in=[x.pk for x in disputes]).order_by("pk"):
        events = [(e.seq, e.type, e.state_before, e.state_after,
                   {**{k: v for k, v in e.params.items() if k != "letter"},  # a new row's id
                    **({"payment": refs.get(e.params["payment"])}
                       if "payment" in e.params else {})})
                  for e in Event.objects.filter(dispute=d).order_by("seq")
                  if e.type.startswith(("payment.", "dispute."))]
        out[d.pk] = (d.state, d.version, d.events_seq, events, sorted(
            Payment.objects.filter(dispute=d).values_list(
                "reference", "paid_on", "amount", "source", "surplus_intended",
                "reversed_at")))
    return out


def _line_by_line(w, lines: list[str]) -> tuple[list[tuple], dict]:
    """The lines imported one file each (each reviewed as it comes), then undone."""
    answers = []
    with transaction.atomic():
        for line in lines:
            done = payments_import(actor=w.agent, institution=w.branch, text=HEADER + line)
            answers += _answers(done)
        written = _written([w.p, w.q])
        transaction.set_rollback(True)
    return answers, written


def test_a_file_of_many_lines_does_what_its_lines_did_one_at_a_time(desk, performing, cases):
    desk.p, desk.q = performing, second_performing(desk)
    lines = _lines(desk.p, desk.q, cases)
    with clock.pinned(at(JAN)):
        one_by_one, by_line = _line_by_line(desk, lines)
        done = payments_import(actor=desk.agent, institution=desk.branch,
                               text=HEADER + "\n".join(lines) + "\n")

    assert (done.created, done.repeated, done.errors) == (6, 1, [])
    assert [a.line for a in done.rows] == list(range(2, len(lines) + 2))
    assert _answers(done) == one_by_one
    assert [a.status for a in done.rows].count(RowStatus.REPEATED) == 1
    assert done.rows[-1].surplus == D("10.00")
    assert _written([desk.p, desk.q]) == by_line
    desk.q.refresh_from_db()
    assert desk.q.state == State.PERFORMED
    assert audit_verify()[1] == []


def test_one_bad_line_voids_the_file_and_each_bad_line_has_its_answer(desk, performing,
                                                                     cases):
    desk.p, desk.q = performing, second_performing(desk)
    lines = _bad_lines(desk.p, desk.q, cases)
    before = _written([desk.p, desk.q])
    with clock.pinned(at(JAN)):
        one_by_one, _by_line = _line_by_line(desk, lines)
        done = payments_import(actor=desk.agent, institution=desk.branch,
                               text=HEADER + "\n".join(lines) + "\n")

    assert (done.created, done.repeated) == (0, 0)
    assert [n for n, _m in done.errors] == [9, 10, 11, 12]
    assert done.rows[-3].code == "payment_exceeds_outstanding"
    assert done.rows[-1].code == "validation_error"
    # the bad lines answered as they were one at a time; the good ones not recorded
    assert _answers(done)[-4:] == one_by_one[-4:]
    assert {a.status for a in done.rows[:-4]} == {RowStatus.NOT_RECORDED}
    assert _written([desk.p, desk.q]) == before


def test_a_files_queries_do_not_grow_with_the_lines_of_a_dispute(desk, performing):
    def queries(tag: str, n: int) -> int:
        text = HEADER + "".join(f"{performing.number},{tag}-{k},2027-01-20,0.01,\n"
                                for k in range(n))
        with CaptureQueriesContext(connection) as captured:
            done = payments_import(actor=desk.agent, institution=desk.branch, text=text)
        assert (done.created, done.errors) == (n, [])
        return len(captured)

    with clock.pinned(at(JAN)):
        few, many = queries("A", 3), queries("B", 60)

    assert few == many, (few, many)
    assert Payment.objects.filter(dispute=performing).count() == 63
    assert Event.objects.filter(dispute=performing, type="payment.recorded").count() == 63
