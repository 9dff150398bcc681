"""Render a :class:`~jintiao.documents.blocks.Doc` to HTML, PDF (WeasyPrint) and Word.

Fonts come from Debian's ``fonts-noto-cjk`` and ``texlive-lang-chinese`` (FandolFang, a free
仿宋) and are embedded as subsets; nothing is fetched (WeasyPrint may read only ``data:``
URLs, images inside the page). Without a CJK font installed, Chinese would render as boxes
without any error, so :func:`cjk_font_installed` lets the set-up and tests check, and
:func:`missing_glyphs` says which characters a font lacks.
"""

from __future__ import annotations

import functools
import io
import re
import subprocess
import unicodedata
from html import escape as _escape
from pathlib import Path
from typing import Any

from jintiao.documents.blocks import Doc, Heading, Para, Signatures, Table

# Characters XML (so Word) cannot carry; a record typed long ago may hold one pasted from
# another program: dropped rather than failing the document (inputs refuse them now).
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def printable(text: str) -> str:
    return _UNPRINTABLE.sub("", text)


def escape(text: str) -> str:
    return _escape(printable(text))


# Type (GB/T 9704-2012 §7.3: 标题 2号小标宋体 (§7.3.2), 正文 3号仿宋体 and the first level
# of headings 黑体 (§7.3.3); the courts' drafting rules set their documents alike: the
# court's name and the document's 二号小标宋, the body 三号仿宋). One set of sizes for every
# document, the committee's and the court's; tables 小四, so a six-column schedule still
# fits the 156 mm text block. 号 in points: 二号 22, 三号 16, 小四 12. 仿宋 has no bold, and
# WeasyPrint draws no synthetic one: emphasis (a ruling's operative line) is 黑体, in Word too.
TITLE_PT, BODY_PT, TABLE_PT = 22, 16, 12
# 22 lines of 28 characters a page (§5.2.4) on the 225 mm block: 225 mm / 22 = 28.9 pt a line
LINE_PT = 28.9

# 仿宋: FandolFang (GPL with the font exception, so subsets may be embedded), from Debian's
# texlive-lang-chinese. It covers GB 2312 and every fixed word of the templates, not rarer
# characters in names (堃 喆 镕 珺 昇 琇 𠮷): the style sheet lists Noto Serif CJK SC after it
# and Pango falls back glyph by glyph, so such a character comes out in 宋体, never as a box.
# 小标宋 is a commercial face (方正小标宋): Noto Serif CJK SC Bold, a heavy 宋体, stands in.
# 黑体 (headings, emphasis): Noto Sans CJK SC.
# Measured on Debian 12 (2 cores): texlive-lang-chinese brings 23 packages, 106 MB to
# download, 278 MB installed, about 1 min to install; a cwTeX 仿宋 (fonts-cwtex-fs, 9 MB) is
# traditional-oriented and lacks 124 of the 476 characters texts.py writes, and Debian has
# no package with FandolFang alone. Rendering costs what it did a document (a ruling: 0.6 s,
# now 3 pages, not 2; per page 0.3 s then, 0.2 s now); the larger type makes more pages (a
# long record: 11 pages then, 21 now, 75 → 46 ms a page), the PDFs are ~30 % smaller
# (FandolFang's subsets are smaller than Noto Serif's: a ruling 480 → 349 KiB).
FANG = "FandolFang"
SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
BODY_FONTS = f"'{FANG}', '{SERIF}', serif"
TITLE_FONTS = f"'{SERIF}', serif"
HEI_FONTS = f"'{SANS}', sans-serif"
# TeX Live's fonts are not in fontconfig's directories: the renderer hands FandolFang's file
# to each document's font configuration itself (Debian's path; an upstream TeX Live's after)
FANG_FILES = ("/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/FandolFang-Regular.otf",
              "/usr/local/texlive/*/texmf-dist/fonts/opentype/public/fandol/"
              "FandolFang-Regular.otf")

# Word names the faces as Chinese Windows has them. 仿宋 (FangSong) ships with every Windows
# since Vista (XP had 仿宋_GB2312); the body's Latin letters and digits are set in it as the
# PDF sets them in FandolFang. The title: a .docx names one face with no fallback, and
# 方正小标宋简体 is on some court PCs only — elsewhere Word would put a substitute of its
# own choosing — so titles are 宋体 (SimSun, on every Windows) in bold, what the PDF's stand-in
# shows; a clerk who has 方正小标宋简体 can restyle the two lines. 黑体 (SimHei) as in the PDF.
WORD_FANG, WORD_SONG, WORD_HEI = "仿宋", "宋体", "黑体"

# GB/T 9704-2012 §5.2: A4 paper, 天头 (top) 37 mm, 订口 (left) 28 mm, a 156 × 225 mm text
# block — so 26 mm right and 35 mm bottom. Word and PDF share the page and the numbering.
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "right": 26, "bottom": 35, "left": 28}

CSS = f"""
@page {{ size: A4; margin: {MARGINS_MM["top"]}mm {MARGINS_MM["right"]}mm
  {MARGINS_MM["bottom"]}mm {MARGINS_MM["left"]}mm;
  @bottom-center {{ content: "第 " counter(page) " 页 / 共 " counter(pages) " 页";
                    font: 9pt '{SANS}'; color: #555; }}
  @top-center {{ content: string(footer); font: 7pt '{SANS}'; color: #777;
                 vertical-align: bottom; padding-bottom: 6mm; }} }}
html {{ font-family: {BODY_FONTS}; font-size: {BODY_PT}pt; line-height: {LINE_PT}pt;
        color: #111; }}
.doc {{ max-width: 170mm; margin: 0 auto; }}
h1, .issuer {{ font-family: {TITLE_FONTS}; font-weight: bold; text-align: center;
               font-size: {TITLE_PT}pt; line-height: 1.4; letter-spacing: 2pt;
               text-indent: 0; }}
h1 {{ margin: 0 0 {TITLE_PT // 2}pt; }}
.issuer {{ margin: 0; }}
.number {{ text-align: right; margin: 0 0 {BODY_PT}pt; }}
h2 {{ font-family: {HEI_FONTS}; font-size: {BODY_PT}pt; font-weight: normal; margin: 0; }}
b {{ font-family: {HEI_FONTS}; font-weight: normal; }}
p {{ margin: 0; text-align: justify; overflow-wrap: break-word; }}
p.indent {{ text-indent: 2em; }}
p.center {{ text-align: center; }} p.right {{ text-align: right; }}
table {{ border-collapse: collapse; width: 100%; margin: 6pt 0; font-size: {TABLE_PT}pt;
         line-height: 1.4; }}
th, td {{ border: 0.6pt solid #444; padding: 2pt 4pt; overflow-wrap: anywhere; }}
th {{ background: #eee; font-family: {HEI_FONTS}; font-weight: normal; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
table.sign {{ font-size: {BODY_PT}pt; line-height: {LINE_PT}pt; }}
table.sign td {{ border: none; padding: 4pt 4pt; }}
.footer {{ font-size: 7pt; line-height: 1.4; color: #777; margin-top: 16pt;
           word-break: break-all; }}
.running {{ string-set: footer content(); height: 0; margin: 0; overflow: hidden;
            font-size: 0; }}
"""


def to_html(doc: Doc, *, standalone: bool = True) -> str:
    """The document as HTML; ``standalone`` adds the page and the style sheet."""
    # embedded in a page the title is not the page's heading
    title = (f"<h1>{escape(doc.title)}</h1>" if standalone
             else f'<p class="doc-title">{escape(doc.title)}</p>')
    out = ['<div class="doc">']
    if doc.footer and standalone:
        # first in the flow, so the digest is set before page one is laid out and every
        # page carries it in its top margin, apart from the page number at the foot
        out.append(f'<p class="running" aria-hidden="true">{escape(doc.footer)}</p>')
    if doc.issuer:
        out.append(f'<p class="issuer">{escape(doc.issuer)}</p>')
    out.append(title)
    if doc.number:
        out.append(f'<p class="number">{escape(doc.number)}</p>')
    # on a page a table says what it holds to a screen reader: the heading it stands under
    caption = "" if standalone else '<caption class="sr-only">{}</caption>'
    heading = doc.title
    for b in doc.blocks:
        if isinstance(b, Heading):
            heading = b.text
            out.append(f"<h2>{escape(b.text)}</h2>")
        elif isinstance(b, Para):
            cls = b.align if b.align != "justify" else ("indent" if b.indent else "")
            text = escape(b.text)
            out.append(f'<p class="{cls}">{"<b>" + text + "</b>" if b.bold else text}</p>')
        elif isinstance(b, Table):
            out.append("<table>" + caption.format(escape(heading)) + "<thead><tr>"
                       + "".join(f"<th>{escape(h)}</th>" for h in b.header)
                       + "</tr></thead><tbody>")
            for row in b.rows:
                out.append("<tr>" + "".join(
                    f'<td class="{"num" if i in b.numeric else ""}">{escape(c)}</td>'
                    for i, c in enumerate(row)) + "</tr>")
            out.append("</tbody></table>")
        elif isinstance(b, Signatures):
            out.append('<table class="sign">' + caption.format("签署") + "<tbody>")
            for who, what, when in b.lines:
                out.append(f"<tr><td>{escape(who)}</td><td>{escape(what)}</td>"
                           f"<td>{escape(when)}</td></tr>")
            out.append("</tbody></table>")
    if doc.footer:
        out.append(f'<p class="footer">{escape(doc.footer)}</p>')
    out.append("</div>")
    body = "\n".join(out)
    if not standalone:
        return body
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{escape(doc.title)}</title><style>{CSS}</style></head>"
            f"<body>{body}</body></html>")


def to_pdf(doc: Doc) -> bytes:
    """The document as PDF/A-like A4 pages with embedded CJK font subsets."""
    return html_to_pdf(to_html(doc))


def html_to_pdf(html: str) -> bytes:
    """A self-contained HTML page as PDF. Nothing is fetched: the only URLs read are
    ``data:`` ones, images carried inside the page; any other is refused."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    return HTML(string=html, url_fetcher=fetcher).write_pdf(  # type: ignore[no-any-return]
        font_config=_font_config())


def _font_config() -> Any:
    """A font configuration for one document: the system's fonts and FandolFang's file,
    which fontconfig does not index where TeX Live keeps it. WeasyPrint adds an
    ``@font-face`` file the same way (weasyprint is pinned: a test checks the face is
    embedded). About 2 ms; one per document, as WeasyPrint's own default is."""
    from weasyprint.text.ffi import ffi, fontconfig, pangoft2
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    fang = fang_font()
    if fang is not None and fontconfig.FcConfigAppFontAddFile(config._config, bytes(fang)):
        pangoft2.pango_fc_font_map_config_changed(ffi.cast("PangoFcFontMap *", config.font_map))
    return config


@functools.cache
def fang_font() -> Path | None:
    """FandolFang's file, where TeX Live put it; ``None`` when it is not installed."""
    for pattern in FANG_FILES:
        for path in sorted(Path("/").glob(pattern.lstrip("/")), reverse=True):
            if path.is_file():
                return path
    return None


@functools.cache
def _code_points(font: Path, number: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(font, fontNumber=number, lazy=True) as face:
        return frozenset(face.getBestCmap())


def missing_glyphs(text: str, font: str | Path, *, number: int = 0) -> set[str]:
    """The characters of ``text`` that ``font`` (a file; ``number``: the face in a .ttc)
    has no glyph for — printed in it, each would be a box. Line breaks and other control
    and format characters are not drawn, so never missing."""
    have = _code_points(Path(font), number)
    return {c for c in set(text)
            if ord(c) not in have and unicodedata.category(c) not in ("Cc", "Cf")}


def _east_asian(run: object, font: str) -> None:
    from docx.oxml.ns import qn

    r = run._element  # type: ignore[attr-defined]
    rpr = r.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)
    fonts.set(qn("w:ascii"), font)
    fonts.set(qn("w:hAnsi"), font)


def _field(paragraph: Any, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in as it lays the pages out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run = paragraph.add_run()
    begin, instr, end = (OxmlElement("w:fldChar"), OxmlElement("w:instrText"),
                         OxmlElement("w:fldChar"))
    begin.set(qn("w:fldCharType"), "begin")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, end):
        run._r.append(element)  # python-docx has no field API: the run's XML
    run.font.size = Pt(9)
    _east_asian(run, SANS)


def _page(word: Any) -> None:
    """A4 with GB/T 9704's margins (python-docx's template is US Letter), and the page
    number centred in the footer as the PDF prints it: 第 N 页 / 共 M 页."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    section = word.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    number = section.footer.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, code in (("第 ", "PAGE"), (" 页 / 共 ", "NUMPAGES")):
        run = number.add_run(text)
        run.font.size = Pt(9)
        _east_asian(run, SANS)
        _field(number, code)
    tail = number.add_run(" 页")
    tail.font.size = Pt(9)
    _east_asian(tail, SANS)


def to_docx(doc: Doc) -> bytes:
    """The document as Word (.docx) with East Asian fonts set on every run: the PDF's type
    sizes and faces under the names Windows gives them (:data:`WORD_FANG` …)."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    word = Document()
    word.core_properties.title = printable(doc.title)
    word.core_properties.subject = f"{doc.kind} {doc.template_version}"
    normal = word.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _east_asian(normal, WORD_FANG)
    normal.paragraph_format.space_after = Pt(0)
    align = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
             "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}

    def para(text: str, *, size: float = BODY_PT, bold: bool = False, how: str = "justify",
             indent: bool = False, font: str = WORD_FANG, after: float = 0) -> None:
        p = word.add_paragraph()
        p.alignment = align[how]
        form = p.paragraph_format
        form.space_after = Pt(after)
        if size == BODY_PT:  # the body's grid; titles take their own height
            form.line_spacing = Pt(LINE_PT)
        if indent:
            form.first_line_indent = Pt(size * 2)
        run = p.add_run(printable(text))
        run.bold = bold
        run.font.size = Pt(size)
        _east_asian(run, font)

    if doc.issuer:
        para(doc.issuer, size=TITLE_PT, bold=True, how="center", font=WORD_SONG)
    para(doc.title, size=TITLE_PT, bold=True, how="center", font=WORD_SONG,
         after=TITLE_PT // 2)
    if doc.number:
        para(doc.number, how="right", after=BODY_PT)
    for b in doc.blocks:
        if isinstance(b, Heading):
            para(b.text, font=WORD_HEI)
        elif isinstance(b, Para):  # emphasis in 黑体, as the PDF (仿宋 has no bold)
            para(b.text, how=b.align, indent=b.indent and b.align == "justify",
                 font=WORD_HEI if b.bold else WORD_FANG)
        elif isinstance(b, Table | Signatures):
            header = b.header if isinstance(b, Table) else ()
            rows = b.rows if isinstance(b, Table) else b.lines
            size = TABLE_PT if isinstance(b, Table) else BODY_PT
            width = len(header or rows[0]) if (header or rows) else 1
            table = word.add_table(rows=0, cols=width)
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            if isinstance(b, Table):
                table.style = "Table Grid"
            for i, row in enumerate(([header] if header else []) + list(rows)):
                cells = table.add_row().cells
                for j, text in enumerate(row):
                    cells[j].text = ""
                    run = cells[j].paragraphs[0].add_run(printable(text))
                    run.font.size = Pt(size)
                    _east_asian(run, WORD_HEI if header and i == 0 else WORD_FANG)
                    if isinstance(b, Table) and j in b.numeric:
                        cells[j].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _page(word)
    if doc.footer:  # a paragraph of its own, under the page number: they never overlap
        line = word.sections[0].footer.add_paragraph()
        run = line.add_run(printable(doc.footer))
        run.font.size = Pt(7)
        _east_asian(run, SANS)
    buf = io.BytesIO()
    word.save(buf)
    return buf.getvalue()


def cjk_font_installed() -> bool:
    """Whether the CJK faces the documents are set in are there: Noto CJK known to
    fontconfig, and FandolFang's file (the body's 仿宋) where TeX Live puts it."""
    try:
        found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True,  # noqa: S607
                               text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return (SERIF in found or SANS in found) and fang_font() is not None
