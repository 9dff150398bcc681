"""Render a :class:`~jintiao.documents.blocks.Doc` to HTML, PDF (WeasyPrint) and Word.

Fonts come from Debian's ``fonts-noto-cjk`` and are embedded as subsets; nothing is fetched
(WeasyPrint may read only ``data:`` URLs, images inside the page). Without a CJK font
installed, Chinese would render as boxes without any error, so :func:`cjk_font_installed`
lets the set-up and tests check.
"""

from __future__ import annotations

import io
import re
import subprocess
from html import escape as _escape
from typing import Any

from jintiao.documents.blocks import Doc, Heading, Para, Signatures, Table

# Characters XML (so Word) cannot carry; a record typed long ago may hold one pasted from
# another program: dropped rather than failing the document (inputs refuse them now).
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def printable(text: str) -> str:
    return _UNPRINTABLE.sub("", text)


def escape(text: str) -> str:
    return _escape(printable(text))


SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"

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
html {{ font-family: '{SERIF}', serif; font-size: 12pt; line-height: 1.75; color: #111; }}
.doc {{ max-width: 170mm; margin: 0 auto; }}
h1 {{ font-family: '{SANS}', sans-serif; text-align: center; font-size: 20pt;
      letter-spacing: 2pt; margin: 0 0 4pt; }}
.number {{ text-align: right; margin: 0 0 12pt; }}
.issuer {{ font-family: '{SANS}', sans-serif; text-align: center; font-size: 20pt;
          font-weight: bold; letter-spacing: 2pt; margin: 0; text-indent: 0; }}
h2 {{ font-family: '{SANS}', sans-serif; font-size: 13pt; margin: 12pt 0 4pt; }}
p {{ margin: 0 0 4pt; text-align: justify; }}
p.indent {{ text-indent: 2em; }}
p.center {{ text-align: center; }} p.right {{ text-align: right; }}
table {{ border-collapse: collapse; width: 100%; margin: 6pt 0; font-size: 10pt;
         line-height: 1.4; }}
th, td {{ border: 0.6pt solid #444; padding: 2pt 4pt; }}
th {{ background: #eee; font-family: '{SANS}', sans-serif; font-weight: normal; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
table.sign td {{ border: none; padding: 10pt 4pt; }}
.footer {{ font-size: 7pt; color: #777; margin-top: 16pt; word-break: break-all; }}
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
    return HTML(string=html, url_fetcher=fetcher).write_pdf()  # type: ignore[no-any-return]


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
    """The document as Word (.docx) with East Asian fonts set on every run."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    word = Document()
    word.core_properties.title = printable(doc.title)
    word.core_properties.subject = f"{doc.kind} {doc.template_version}"
    align = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
             "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}

    def para(text: str, *, size: float = 12, bold: bool = False, how: str = "justify",
             indent: bool = False, font: str = SERIF) -> None:
        p = word.add_paragraph()
        p.alignment = align[how]
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        run = p.add_run(printable(text))
        run.bold = bold
        run.font.size = Pt(size)
        _east_asian(run, font)

    if doc.issuer:
        para(doc.issuer, size=20, bold=True, how="center", font=SANS)
    para(doc.title, size=20, bold=True, how="center", font=SANS)
    if doc.number:
        para(doc.number, how="right")
    for b in doc.blocks:
        if isinstance(b, Heading):
            para(b.text, size=13, bold=True, font=SANS)
        elif isinstance(b, Para):
            para(b.text, bold=b.bold, how=b.align, indent=b.indent and b.align == "justify")
        elif isinstance(b, Table | Signatures):
            header = b.header if isinstance(b, Table) else ()
            rows = b.rows if isinstance(b, Table) else b.lines
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
                    run.font.size = Pt(10)
                    run.bold = bool(header) and i == 0
                    _east_asian(run, SANS if header and i == 0 else SERIF)
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
    """Whether fontconfig knows the CJK faces the documents are set in."""
    try:
        found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True,  # noqa: S607
                               text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return SERIF in found or SANS in found
