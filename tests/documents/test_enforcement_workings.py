"""The application to enforce carries the doubled interest's computation list (计算清单):
each stretch of unpaid principal with its days and what it adds, summing to the interest
the application asks for."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import docx

from jintiao import clock
from jintiao.documents.render import to_docx
from jintiao.documents.texts import enforcement_application
from jintiao.domain.money import quantize
from jintiao.performance.models import Enforcement
from jintiao.performance.services import performance_review
from tests.performance.helpers import at

CONTEXT = {
    "creditors": [{"role": "creditor", "role_label": "债权人", "name": "某银行凯里支行",
                   "kind": "entity", "id_masked": "91520000MA******0X", "representatives": []}],
    "debtors": [{"role": "debtor", "role_label": "债务人", "name": "刘某某", "kind": "person",
                 "id_masked": "522601********0011", "representatives": []}],
    "court": "凯里市人民法院", "ruling_number": "（2026）黔2601民特7号",
    "committee": "凯里市金调委",
    "total": "10045.50", "as_of": "2027-04-10",
    "rows": [["未还本金", "10000.00"], ["迟延履行期间的加倍部分债务利息", "45.50"]],
    "late_rate": "0.000175", "first_missed": "2027-02-20", "missed": 2,
    "accelerated_on": "2027-03-21", "paid": "2000.00", "last_due": "2027-06-20",
    "last_day": "2029-06-20", "prepared_on": "2027-04-10",
    "late_rows": [{"number": 2, "from": "2027-02-20", "to": "2027-04-10", "days": 49,
                   "base": "2000.00", "interest": "17.15"},
                  {"number": 3, "from": "2027-03-20", "to": "2027-04-10", "days": 21,
                   "base": "2000.00", "interest": "7.35"}],
}


def tables(data: bytes) -> list[list[list[str]]]:
    word = docx.Document(io.BytesIO(data))
    return [[[c.text.strip() for c in row.cells] for row in t.rows] for t in word.tables]


def test_the_list_follows_the_amounts_stretch_by_stretch():
    listed = tables(to_docx(enforcement_application(CONTEXT)))[1]

    assert listed[0] == ["期次", "起算日", "截止日", "天数", "本金（元）", "利息（元）"]
    assert listed[1] == ["2", "2027年2月20日", "2027年4月10日", "49", "2,000.00", "17.1500"]
    assert listed[-1][0] == "合计"
    assert listed[-1][-1] == "24.5000"


def test_without_stretches_no_list():
    plain = {**CONTEXT, "late_rows": []}

    found = tables(to_docx(enforcement_application(plain)))

    assert not any(t[0][0] == "期次" for t in found)
    assert found[0][0] == ["项目", "金额（元）"]


def test_the_default_writes_the_list_that_sums_to_the_interest_asked(desk, performing):
    with clock.pinned(at(dt.date(2027, 3, 25))):
        assert performance_review(actor=desk.agent, dispute_id=performing.pk) == "defaulted"
    found = Enforcement.objects.get(dispute=performing)

    listed = tables(found.document.docx.open("rb").read())[1]

    body = listed[1:-1]
    assert len(body) == len(found.breakdown["late_days"])
    assert [int(r[3]) for r in body] == [x["days"] for x in found.breakdown["late_days"]]
    interest = sum(D(r[-1].replace(",", "")) for r in body)
    assert quantize(interest) == D(found.breakdown["late_interest"])
