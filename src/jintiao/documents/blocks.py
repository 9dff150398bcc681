"""A document as a list of blocks, rendered to HTML (preview and PDF) and to Word alike.

One content model for both formats means the .docx a court clerk edits and the PDF the
parties sign cannot say different things.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Para:
    text: str
    bold: bool = False
    align: str = "justify"  # justify, center, right
    indent: bool = True     # first-line indent of two characters, as Chinese documents do


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()  # columns aligned right


@dataclass(frozen=True)
class Signatures:
    """Signature lines: (who, what was signed or blank, when)."""

    lines: tuple[tuple[str, str, str], ...]


Block = Heading | Para | Table | Signatures


@dataclass(frozen=True)
class Doc:
    """A document ready to render. ``kind`` and ``template_version`` say which template made
    it; ``footer`` is printed on every page (the content digest of an agreement, say);
    ``issuer`` the court's name a court document carries on the line above its title
    (《人民法院民事裁判文书制作规范》: court name and document name on two lines)."""

    kind: str
    title: str
    template_version: str
    blocks: tuple[Block, ...]
    number: str = ""
    footer: str = ""
    issuer: str = ""
