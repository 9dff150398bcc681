"""The ruling as a court issues it (SPC 《民事诉讼文书样式》; the drafting rules): the court's
name above the document's, the case number from the court's code, the agreement's content,
the legal basis, the closing date in Chinese numerals, the seal, "本件与原本核对无异" and the
clerk who docketed the case."""

from __future__ import annotations

import io
import re

import docx
from pypdf import PdfReader

from jintiao import clock
from jintiao.confirmation.services import (
    confirmation_accept,
    confirmation_apply,
    confirmation_decide,
)
from jintiao.domain.confirmation import judge_items
from jintiao.domain.dates import in_chinese, written
from jintiao.domain.lifecycle import Role
from tests.factories import UserFactory, flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree, apply, reject


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def ruled(desk, mediating, *, clerk=None):
    accept_plan(desk, mediating, flat(12))
    agreement = agree(desk, mediating, CHARGES_SINCE)
    apply(desk, mediating)
    mediating.refresh_from_db()
    app = confirmation_apply(actor=desk.mediator, dispute_id=mediating.pk,
                             expected_version=mediating.version, court_id=desk.court.pk)
    confirmation_accept(actor=clerk or desk.judge, application_id=app.pk)
    mediating.refresh_from_db()
    app = confirmation_decide(actor=desk.judge, application_id=app.pk,
                              expected_version=mediating.version, confirm=True,
                              attested=list(judge_items()))
    return agreement, app


def test_a_confirmation_ruling_carries_what_the_format_asks_for(desk, mediating):
    clerk = UserFactory(organization=desk.court, roles=[Role.COURT_CLERK])
    clerk.first_name = "王书"
    clerk.save(update_fields=["first_name"])
    agreement, app = ruled(desk, mediating, clerk=clerk)
    doc = app.ruling_document
    text = plain(doc.html)
    year = clock.today().year

    # the court's name and the document's on two lines, then the number from its code
    assert text.index("凯里市人民法院") < text.index("民事裁定书") < text.index(
        f"（{year}）黔2601民特1号")
    terms = agreement.content["terms"]
    assert f"自{written(terms['schedule'][0]['due_on'])}起" in text  # the agreement's content
    assert "第二百零五条、第二百零六条" in text
    assert f"主持调解达成的{mediating.number}调解协议有效" in text
    assert in_chinese(app.decided_at.astimezone(clock.TZ).date()) in text
    assert text.index("（院印）") < text.index("本件与原本核对无异") < text.index("书记员")
    assert "书记员 王书" in text

    word = docx.Document(io.BytesIO(doc.docx.read()))
    lines = [p.text for p in word.paragraphs if p.text.strip()]
    assert lines[:2] == ["凯里市人民法院", "民事裁定书"]
    page_one = PdfReader(io.BytesIO(doc.pdf.open("rb").read())).pages[0].extract_text()
    assert page_one.index("凯里市人民法院") < page_one.index("民事裁定书")


def test_a_judge_who_docketed_it_leaves_the_clerks_line_to_sign(desk, mediating):
    _agreement, app = ruled(desk, mediating)
    text = plain(app.ruling_document.html)
    assert re.search(r"书记员\s*$", text.split("本件与原本核对无异")[1].strip())


def test_a_rejection_cites_the_interpretations_grounds(desk, mediating):
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    app = reject(desk, mediating)
    text = plain(app.ruling_document.html)
    assert "第三百五十八条" in text
    assert "驳回申请人的司法确认申请" in text


def test_the_ruling_gives_each_applicants_full_particulars(desk, mediating):
    from jintiao.disputes.particulars import party_update
    from jintiao.parties.crypto import decrypt

    debtor_row = mediating.party_rows.get(role="debtor")
    party_update(actor=desk.clerk, dispute_id=mediating.pk, party_row_id=debtor_row.pk,
                 expected_version=debtor_row.party.version,
                 changes={"ethnicity": "苗族", "address": "贵州省凯里市北京东路1号"})
    _agreement, app = ruled(desk, mediating)
    text = plain(app.ruling_document.html)
    debtor = debtor_row.party
    debtor.refresh_from_db()
    born = written(debtor.birth_date.isoformat())
    assert (f"申请人：{debtor.name}，{debtor.sex}，{born}出生，苗族，住贵州省凯里市北京东路1号。"
            f"公民身份号码：{decrypt(debtor.id_cipher)}。") in text
    assert "申请人：某银行" in text
