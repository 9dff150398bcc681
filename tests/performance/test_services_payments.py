"""Payments recorded one by one or imported from the institution's file: judged by the day
paid, not the day the file arrived; a file sent twice counts once; bad lines, other banks'
disputes and files too large are errors by line, never a crash or a partial write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jintiao import clock
from jintiao.domain.lifecycle import State
from jintiao.performance.models import Payment
from jintiao.performance.services import payment_record, payments_import
from tests.factories import intake


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), clock.TZ)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _instalment(performing) -> D:
    return D(performing.agreements.get(status="effective").content["terms"]["schedule"][0]
             ["payment"])


def test_a_file_of_payments_made_on_time_but_sent_late_is_no_default(desk, performing):
    due = _instalment(performing)
    csv = "dispute,reference,paid_on,amount\n" + "".join(
        f"{performing.number},R{n},{day},{due}\n"
        for n, day in enumerate(["2027-01-20", "2027-02-20", "2027-03-20"], 1))
    with clock.pinned(at(dt.date(2027, 3, 23))):
        done = payments_import(actor=desk.agent, institution=desk.branch, text=csv)
    assert (done.created, done.errors) == (3, [])
    performing.refresh_from_db()
    assert performing.state == State.PERFORMING


def test_an_approvers_payment_that_completes_the_plan_is_recorded(desk, performing):
    total = D(performing.agreements.get(status="effective").content["terms"]["total"])
    with clock.pinned(at(dt.date(2027, 1, 10))):
        payment_record(actor=desk.approver, dispute_id=performing.pk, reference="ALL",
                       paid_on=dt.date(2027, 1, 10), amount=total)
    performing.refresh_from_db()
    assert performing.state == State.PERFORMED
    assert performing.credit_repair.letter.kind == "credit_repair_letter"


def test_bad_lines_and_other_banks_disputes_are_errors_by_line(desk, performing):
    theirs = intake(actor=desk.other_clerk, committee=desk.other_committee,
                    institution=desk.other_bank)
    csv = ("dispute,reference,paid_on,amount\n"
           f"{performing.number},A\n"                      # short line
           f"{theirs.number},B,2026-12-01,1.00\n"           # someone else's dispute
           "（2099）000000金调99999号,C,2026-12-01,1.00\n")  # no such dispute
    done = payments_import(actor=desk.agent, institution=desk.branch, text=csv)
    assert [n for n, _m in done.errors] == [2, 3, 4]
    assert done.errors[1][1].replace(theirs.number, "X") == \
        done.errors[2][1].replace("（2099）000000金调99999号", "X")


def test_a_file_sent_again_after_full_payment_changes_nothing_and_is_no_error(desk, performing):
    """Regression (read-through): repeats were refused once the dispute was performed."""
    total = D(performing.agreements.get(status="effective").content["terms"]["total"])
    csv = f"dispute,reference,paid_on,amount\n{performing.number},ALL,2027-01-10,{total}\n"
    with clock.pinned(at(dt.date(2027, 1, 10))):
        assert payments_import(actor=desk.agent, institution=desk.branch, text=csv).created == 1
        again = payments_import(actor=desk.agent, institution=desk.branch, text=csv)
    assert (again.created, again.repeated, again.errors) == (0, 1, [])
    performing.refresh_from_db()
    assert performing.state == State.PERFORMED


def test_bad_files_are_errors_not_crashes(desk, performing):
    long_field = "x" * 140_000
    done = payments_import(actor=desk.agent, institution=desk.branch,
                           text=f"dispute,reference,paid_on,amount\n{long_field},R,2027-01-01,1\n")
    assert done.errors
    assert done.errors[0][0] == 1
    done = payments_import(actor=desk.agent, institution=desk.branch, text=(
        f"dispute,reference,paid_on,amount\n{performing.number},R\x00,2026-12-01,1\n"
        f"{performing.number},S,2026-13-01,1\n"))
    assert [n for n, _m in done.errors] == [2, 3]
    assert "YYYY-MM-DD" in done.errors[1][1]
    assert "class" not in done.errors[1][1]
    big = SimpleUploadedFile("p.csv", b"dispute,reference,paid_on,amount\n" + b"x" * (3 << 20))
    response = client_for(desk.agent).post("/payments/import/", {"file": big}, follow=True)
    assert "文件过大".encode() in response.content
    assert not Payment.objects.exists()
