"""The documents' type (issue 17 §2; GB/T 9704-2012 §7.3, the courts' drafting rules): titles
二号 (22 pt) in a heavy 宋体 standing in for 小标宋, the body 三号 (16 pt) 仿宋 — FandolFang,
with Noto Serif CJK SC for any character it lacks, glyph by glyph, so nothing is a box — and
Word in the same sizes under the names Windows gives the faces."""

from __future__ import annotations

import ast
import datetime as dt
import io
import subprocess
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt
from pypdf import PdfReader

from jintiao.documents import texts
from jintiao.documents.blocks import Doc, Heading, Para, Signatures, Table
from jintiao.documents.render import (
    SERIF,
    cjk_font_installed,
    fang_font,
    missing_glyphs,
    to_docx,
    to_pdf,
)
from jintiao.domain.dates import in_chinese, written
from jintiao.domain.money import amount_in_words, format_amount

# names with characters outside GB 2312, as a register of parties holds them
RARE_NAMES = "张堃 李喆 朱镕 王珺 刘昇 陈琇 𠮷野"
# full-width punctuation, digits and signs the records and the templates write
SIGNS = ("，。、；：？！“”‘’（）《》〈〉【】——……·％＋－×÷＝＜＞¥￥　"
         "０１２３４５６７８９ＡＢＣａｂｃ0123456789.,:;()%-/")


def fixed_words() -> str:
    """Every string the documents' modules write (texts, dossier and any template module
    beside them), f-strings' fixed parts included."""
    package = Path(texts.__file__).parent
    return "".join(node.value for module in sorted(package.glob("*.py"))
                   for node in ast.walk(ast.parse(module.read_text(encoding="utf-8")))
                   if isinstance(node, ast.Constant) and isinstance(node.value, str))


def numbers_in_words() -> str:
    """The amounts in words and the dates as the documents write them."""
    amounts = [Decimal(n) / 100 for n in (1, 10, 105, 1_000_000_00, 250_277_13, 10_000_00,
                                          987_654_321_09, 100_000_000_00)]
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(0, 366 * 4, 7)]
    return "".join([*(amount_in_words(a, prefix=True) + format_amount(a) for a in amounts),
                    *(in_chinese(d) + written(d) for d in days)])


def noto_serif() -> tuple[Path, int]:
    """Noto Serif CJK SC's file and face as fontconfig finds it."""
    found = subprocess.run(["fc-match", "-f", "%{family}|%{file}|%{index}", SERIF],  # noqa: S603,S607
                           capture_output=True, text=True, check=True).stdout
    family, file, index = found.split("|")
    assert SERIF in family, f"{SERIF} not installed (fonts-noto-cjk): fc-match gave {family}"
    return Path(file), int(index)


def runs(pdf: bytes) -> list[tuple[str, str, float]]:
    """(text, font, size in points) of every piece of text, page by page."""
    out: list[tuple[str, str, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip() and font:
            name = str(font["/BaseFont"]).split("+")[-1]
            out.append((text.strip(), name, round(size * cm[0] * tm[0], 1)))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return out


def court_doc(*, name: str = "张三") -> Doc:
    return Doc("ruling", "民事裁定书", "test", (
        Para(f"申请人：{name}。", indent=False),
        Heading("一、审查情况"),
        Para(f"申请人{name}于2026年11月1日向本院申请司法确认调解协议。"),
        Para("调解协议有效。", bold=True),
        Table(("期次", "应还金额"), (("第1期", "1,012.50"),), numeric=(1,)),
        Signatures((("", "", "审判员　李四"),))),
        number="（2026）黔2601民特1号", issuer="凯里市人民法院")


def test_fandolfang_is_installed_and_the_set_up_check_sees_it():
    assert fang_font() is not None, "apt-get install texlive-lang-chinese (FandolFang, 仿宋)"
    assert cjk_font_installed()


def test_every_character_a_document_writes_has_a_glyph():
    fang = fang_font()
    assert fang is not None
    serif, face = noto_serif()
    fixed = fixed_words() + numbers_in_words()
    assert "调解协议" in fixed
    # the templates' own words are all 仿宋: no fixed word falls back to 宋体
    assert missing_glyphs(fixed, fang) == set()
    everything = fixed + RARE_NAMES + SIGNS
    lacking = missing_glyphs(everything, fang)
    assert set("堃喆镕珺昇琇𠮷") <= lacking  # beyond GB 2312: the fallback's work
    assert missing_glyphs("".join(lacking), serif, number=face) == set()  # never a box


def test_missing_glyphs_passes_over_what_is_not_drawn():
    fang = fang_font()
    assert fang is not None
    assert missing_glyphs("第一行\n第二行\t\u200b", fang) == set()
    assert missing_glyphs("张堃", fang) == {"堃"}


def test_the_pdf_sets_titles_in_22_points_and_the_body_in_16_point_fangsong():
    found = runs(to_pdf(court_doc()))

    def set_in(words):
        return {(font, size) for text, font, size in found if words in text}

    assert set_in("凯里市人民法院") == {("Noto-Serif-CJK-SC-Bold", 22)}  # 二号, 小标宋's stand-in
    assert set_in("民事裁定书") == {("Noto-Serif-CJK-SC-Bold", 22)}
    assert set_in("黔2601民特1号") == {("FandolFang", 16)}
    assert set_in("一、审查情况") == {("Noto-Sans-CJK-SC", 16)}  # 三号黑体, the first level
    assert set_in("调解协议有效。") == {("Noto-Sans-CJK-SC", 16)}  # emphasis in 黑体
    assert set_in("申请人") == {("FandolFang", 16)}  # 三号仿宋
    assert set_in("1,012.50") == {("FandolFang", 12)}  # tables 小四
    assert set_in("应还金额") == {("Noto-Sans-CJK-SC", 12)}
    assert set_in("李四") == {("FandolFang", 16)}
    assert "Noto-Serif-CJK-SC" not in {font for _text, font, _size in found}  # no fallback


def test_a_character_fandolfang_lacks_comes_from_noto_serif_not_a_box():
    found = runs(to_pdf(court_doc(name="张堃")))
    fonts = {text: font for text, font, _size in found}
    assert fonts["堃"] == "Noto-Serif-CJK-SC"  # that glyph alone
    assert fonts["申请人：张"] == "FandolFang"
    text = "".join(text for text, _font, _size in found)
    assert "申请人：张堃。" in text  # read back, so drawn with its glyph


@pytest.mark.parametrize("kind", ["ruling", "agreement"])
def test_word_has_the_same_sizes_under_the_windows_faces(kind):
    doc = court_doc()
    word = docx.Document(io.BytesIO(to_docx(Doc(kind, doc.title, "test", doc.blocks,
                                                 number=doc.number, issuer=doc.issuer))))

    def face(run):
        return run._element.rPr.rFonts.get(qn("w:eastAsia"))

    paragraphs = {p.text: p for p in word.paragraphs if p.text}
    for title in ("凯里市人民法院", "民事裁定书"):
        run = paragraphs[title].runs[0]
        assert (run.font.size, run.bold, face(run)) == (Pt(22), True, "宋体")
    for text, font in (("申请人：张三。", "仿宋"), ("（2026）黔2601民特1号", "仿宋"),
                       ("一、审查情况", "黑体"), ("调解协议有效。", "黑体")):
        run = paragraphs[text].runs[0]
        assert (run.font.size, bool(run.bold), face(run)) == (Pt(16), False, font)
    line = paragraphs["申请人张三于2026年11月1日向本院申请司法确认调解协议。"]
    assert line.paragraph_format.line_spacing == Pt(28.9)  # 22 lines a page
    schedule, signatures = word.tables
    header, row = (r.cells[1].paragraphs[0].runs[-1] for r in schedule.rows)
    assert (header.font.size, face(header)) == (Pt(12), "黑体")
    assert (row.font.size, face(row)) == (Pt(12), "仿宋")
    judge = signatures.rows[0].cells[2].paragraphs[0].runs[-1]
    assert (judge.font.size, face(judge)) == (Pt(16), "仿宋")
