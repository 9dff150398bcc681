"""The court's papers and the filings to it in the SPC's formats, read back from the stored
Word and PDF files: the 受理通知书 a court serves when it dockets a confirmation case, and
the 申请执行书 the creditor files (《民事诉讼文书样式》, 2016)."""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
from pypdf import PdfReader

from jintiao import clock
from jintiao.confirmation.services import confirmation_accept, confirmation_apply
from jintiao.documents.dossier import ORDER
from jintiao.documents.models import Document, Kind
from jintiao.documents.render import to_docx, to_pdf
from jintiao.documents.texts import enforcement_application
from jintiao.domain.dates import in_chinese, written
from jintiao.domain.lifecycle import Role, State
from jintiao.performance.models import Enforcement
from jintiao.performance.services import performance_review
from tests.factories import UserFactory, flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree, apply


def word_lines(data: bytes) -> list[str]:
    """A .docx's paragraphs and then its tables' cells, each non-empty one a line."""
    word = docx.Document(io.BytesIO(data))
    lines = [p.text for p in word.paragraphs]
    lines += [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    return [line.strip() for line in lines if line.strip()]


def pdf_text(data: bytes) -> str:
    """A PDF's text with the line breaks and spaces layout puts in taken out."""
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data))
                                      .pages))


def stored(document: Document) -> tuple[list[str], str]:
    """The stored document's Word lines and PDF text."""
    return word_lines(document.docx.open("rb").read()), pdf_text(document.pdf.open("rb").read())


def docketed(desk, mediating, *, by=None) -> Document:
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    apply(desk, mediating)
    mediating.refresh_from_db()
    app = confirmation_apply(actor=desk.mediator, dispute_id=mediating.pk,
                             expected_version=mediating.version, court_id=desk.court.pk)
    confirmation_accept(actor=by or desk.judge, application_id=app.pk)
    return Document.objects.get(dispute=mediating, kind=Kind.COURT_ACCEPTANCE_NOTICE)


def test_the_court_serves_a_notice_of_acceptance_when_it_dockets_the_case(desk, mediating):
    desk.judge.first_name = "李审"
    desk.judge.save(update_fields=["first_name"])
    notice = docketed(desk, mediating)
    today = clock.today()
    number = f"（{today.year}）黔2601民特1号"
    names = [r.party.name for r in mediating.party_rows.select_related("party")
             .order_by("role", "pk") if r.role in ("creditor", "debtor")]

    lines, pdf = stored(notice)
    # the court, the document and the number on their own lines, in that order
    assert lines[:3] == ["凯里市人民法院", "受理通知书", number]
    assert notice.title == "受理通知书"
    text = "".join(lines)
    for name in names:  # every applicant addressed
        assert name in lines[3]
    assert "你们申请确认" in text
    assert f"调解协议一案，本院已于{written(today)}立案受理" in text
    assert "由审判员李审独任审查" in text
    assert "按撤回申请处理" in text
    assert "不交纳案件受理费" in text
    assert text.index("特此通知") < text.index(in_chinese(today)) < text.index("（院印）")
    assert pdf.index("凯里市人民法院") < pdf.index("受理通知书") < pdf.index(number)
    assert in_chinese(today) in pdf
    # the parties read it; the 卷宗 files it with the court's papers
    assert ORDER[Kind.COURT_ACCEPTANCE_NOTICE] == ORDER[Kind.RULING]
    assert mediating.events.filter(type="document.generated",
                                   params__kind="court_acceptance_notice").count() == 1


def test_a_clerk_who_dockets_it_leaves_the_judge_to_be_named(desk, mediating):
    clerk = UserFactory(organization=desk.court, roles=[Role.COURT_CLERK])
    notice = docketed(desk, mediating, by=clerk)
    assert "承办审判员确定后另行告知" in notice.html
    assert "由审判员一人独任审查" in notice.html


ENFORCEMENT = {
    "creditors": [{"role": "creditor", "role_label": "债权人", "name": "某银行凯里支行",
                   "kind": "entity", "id_masked": "91520000MA******0X",
                   "address": "凯里市北京东路1号", "representatives": []}],
    "debtors": [{"role": "debtor", "role_label": "债务人", "name": "刘某某", "kind": "person",
                 "id_masked": "522601********0011", "address": "凯里市营盘路2号",
                 "representatives": []}],
    "court": "凯里市人民法院", "ruling_number": "（2026）黔2601民特7号",
    "ruling_on": "2026-12-20", "effective_on": "2026-12-10", "matter": "信用卡纠纷",
    "committee": "凯里市金调委", "total": "238414.75", "as_of": "2027-06-09",
    "rows": [["本金", "183619.02"], ["迟延履行期间的债务利息", "651.43"]],
    "late_rate": "0.000175", "first_missed": "2027-04-20", "missed": 2,
    "accelerated_on": "2027-05-21", "paid": "12513.81", "last_due": "2031-12-20",
    "last_day": "2033-12-20", "prepared_on": "2027-06-09",
}


def test_the_application_to_enforce_is_written_as_the_spc_format_sets_it_out():
    doc = enforcement_application(ENFORCEMENT)
    lines = word_lines(to_docx(doc))
    pdf = pdf_text(to_pdf(doc))
    text = "".join(lines)

    assert doc.title == lines[0] == "申请执行书"
    # the parties with their particulars, as the case file has them
    assert lines[1].startswith("申请执行人：某银行凯里支行，")
    assert "统一社会信用代码" in lines[1]
    assert lines[2].startswith("被执行人：刘某某，")
    assert "凯里市营盘路2号" in lines[2]
    # the ground for enforcement by its number, once the court's, not in double brackets
    assert "凯里市人民法院于2026年12月20日作出（2026）黔2601民特7号民事裁定书" in text
    assert "执行依据：凯里市人民法院（2026）黔2601民特7号民事裁定书" in text
    assert "（（" not in text
    assert text.index("执行请求：") < text.index("事实和理由：") < text.index("此致")
    assert "支付238,414.75元（大写：人民币贰拾叁万捌仟肆佰壹拾肆元柒角伍分）" in text
    assert "加倍部分按日万分之1.75" in text
    assert "执行费用由被执行人负担" in text
    assert lines.index("此致") + 1 == lines.index("凯里市人民法院")
    assert "附：1. 执行依据凯里市人民法院（2026）黔2601民特7号民事裁定书副本一份" in text
    assert "申请执行人：某银行凯里支行" in lines[-3:]
    assert "（签名或者盖章）" in lines[-3:]
    assert "2027年6月9日" in lines[-3:]
    assert "申请执行书" in pdf
    assert "执行依据：凯里市人民法院（2026）黔2601民特7号民事裁定书" in pdf


def test_an_agreement_never_confirmed_is_said_to_be_no_ground_yet():
    doc = enforcement_application({**ENFORCEMENT, "ruling_number": "", "late_rate": "",
                                   "ruling_on": ""})
    text = "".join(word_lines(to_docx(doc)))
    assert "尚未经人民法院司法确认" in text
    assert "加倍" not in text
    assert "2. 本案执行费用由被执行人负担" in text


def test_default_prepares_the_application_naming_the_ruling_that_confirmed_it(desk,
                                                                          performing):
    # 12 instalments from 2027-01-20, none paid: the acceleration clause is met by June
    with clock.pinned(dt.datetime(2027, 6, 2, 10, tzinfo=clock.TZ)):
        assert performance_review(actor=desk.agent, dispute_id=performing.pk) == "defaulted"
    performing.refresh_from_db()
    assert performing.state == State.DEFAULTED
    e = Enforcement.objects.get(dispute=performing)
    ruling = Document.objects.get(dispute=performing, kind=Kind.RULING)
    lines, pdf = stored(e.document)
    text = "".join(lines)
    assert e.document.title == "申请执行书"
    case = performing.confirmations.get().case_number
    assert f"作出{case}民事裁定书，确认该调解协议有效" in text
    assert f"于{written(ruling.created_at.astimezone(clock.TZ).date())}作出" in text
    assert performing.get_dispute_type_display() + "一案" in text
    assert f"执行依据：凯里市人民法院{case}民事裁定书" in pdf
