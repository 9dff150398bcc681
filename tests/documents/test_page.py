"""The page of every document: A4 with GB/T 9704-2012's margins and numbered pages, in Word
as in the PDF (python-docx's own template is US Letter, unnumbered)."""

from __future__ import annotations

import io

import docx
from pypdf import PdfReader

from jintiao.documents.blocks import Doc, Para
from jintiao.documents.render import to_docx, to_pdf

A4_POINTS = (595, 842)


def long_doc() -> Doc:
    return Doc("session_record", "调解笔录", "test", tuple(
        Para(f"第{i}段：双方当事人陈述各自意见，调解员释明法律规定。" * 6) for i in range(60)),
        number="（2026）黔2601金调1号", footer="协议内容摘要（SHA-256）：" + "ab" * 32)


def test_word_is_a4_with_the_standards_margins_and_page_numbers():
    word = docx.Document(io.BytesIO(to_docx(long_doc())))
    section = word.sections[0]
    def mm(length):
        return round(length.mm)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.left_margin)) == (37, 28)
    assert (mm(section.bottom_margin), mm(section.right_margin)) == (35, 26)
    footer = section.footer._element.xml
    assert "PAGE" in footer
    assert "NUMPAGES" in footer
    number, digest = section.footer.paragraphs[:2]
    assert number.text == "第  页 / 共  页"  # the fields Word fills in sit in the gaps
    assert digest.text.startswith("协议内容摘要（SHA-256）")  # a line of its own


def test_the_pdf_is_a4_and_numbers_every_page():
    reader = PdfReader(io.BytesIO(to_pdf(long_doc())))
    assert len(reader.pages) > 1
    for n, page in enumerate(reader.pages, 1):
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == A4_POINTS
        text = page.extract_text()
        assert f"第 {n} 页 / 共 {len(reader.pages)} 页" in text
        assert "ab" * 8 in text.replace("\n", "")  # the digest on every page
