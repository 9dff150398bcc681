"""Integrity checked, not assumed: a stored record is served only while it still matches the
digest taken when it was made.

A document's Word and PDF files are re-hashed each time they are handed out; an agreement's
content is re-digested each time it is shown to a signer, the judge or the API
(:mod:`jintiao.agreements.integrity`). A mismatch — a file edited on disk, a content edited
in the database — is refused with :class:`RecordAltered` (code ``record_altered``) and
written to the dispute's timeline as ``record.altered`` for the desk and the supervisors,
in a transaction of its own so that the refusal does not take the alert back with it.
``jintiao audit verify`` runs the same checks over every record (:func:`scan`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models.fields.files import FieldFile

from jintiao import clock
from jintiao.disputes.access import RecordNotFound, record_get_for
from jintiao.disputes.changes import record_event
from jintiao.disputes.models import Dispute
from jintiao.documents.models import Document, Kind
from jintiao.domain import events
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.orgs.models import User
from jintiao.timeline.models import Event

logger = logging.getLogger(__name__)

FORMATS = ("docx", "pdf")
CHUNK = 1 << 16
REPEAT_AFTER = dt.timedelta(days=1)


class RecordAltered(DomainError):
    """A stored record no longer matches the digest taken when it was made."""

    code = ErrorCode.RECORD_ALTERED


class FileMissing(RecordNotFound):
    """A visible record whose file the storage no longer has — typically a restore without
    the stored files: a clear page saying so, never a 500."""


MISSING_ADVICE = ("可能是恢复备份时没有恢复文件存储。数据库中的记录与摘要完好；"
                  "请联系平台管理员从备份恢复该文件")


def file_missing(title: str, fmt: str = "", **details: Any) -> FileMissing:
    return FileMissing(f"文书文件缺失：《{title}》的{events.FILE_FORMATS.get(fmt, '文件')}"
                       f"在文件存储中找不到，{MISSING_ADVICE}",
                       "the stored file is missing (restore the stored files from the backup)",
                       **details)


def report_altered(dispute_id: int, *, actor: User | None, what: str, title: str,
                   record: int, fmt: str = "", problem: str = "") -> None:
    """Put the alert on the dispute's timeline, committed whatever the caller does next.

    Called outside any transaction the refusal rolls back (an outer atomic block would take
    the alert with it); the log line names the record, never its content. One alert a day
    per record, format and person: a page opened again adds nothing new to the timeline."""
    now = clock.now()
    params: dict[str, Any] = {"what": what, "title": title, "record": record,
                              **({"format": fmt} if fmt else {}),
                              **({"problem": problem} if problem else {})}
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=dispute_id)
        told = Event.objects.filter(
            dispute=dispute, type=events.RECORD_ALTERED.type, actor=actor,
            at__gte=now - REPEAT_AFTER, params__what=what, params__record=record)
        if not told.filter(params__format=fmt).exists() if fmt else not told.exists():
            record_event(dispute, events.RECORD_ALTERED, actor, now, params)
    logger.error("Integrity: %s %s of dispute %s no longer matches its digest%s",
                 what, record, dispute_id, f" ({fmt})" if fmt else "")


def altered(title: str, record: int, **details: Any) -> RecordAltered:
    """The refusal a person reads: what is wrong and who now knows."""
    return RecordAltered(f"《{title}》与存档时的摘要不符，可能已被改动，系统已拒绝提供，"
                         "并已告知调解委员会和督导人员核查",
                         "the stored record no longer matches its digest", record=record,
                         **details)


def sha256_of(field: FieldFile) -> str:
    """The SHA-256 of a stored file, read in chunks.

    :raises FileNotFoundError: storage no longer has it"""
    if not field:
        raise FileNotFoundError(field.name)
    digest = hashlib.sha256()
    with field.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _stored(document: Document, fmt: str) -> tuple[FieldFile, str]:
    if fmt == "docx":
        return document.docx, document.docx_sha256
    return document.pdf, document.pdf_sha256


def document_file(*, actor: User, document_id: int, fmt: str) -> tuple[Document, bytes]:
    """A document's Word or PDF file as stored, checked against its SHA-256 — the one way
    the web and the API hand a document out.

    :raises RecordNotFound: no such document, one of a dispute ``actor`` may not see, or an
        unknown format
    :raises FileMissing: a visible document whose file the storage has lost (the
        operator's to restore)
    :raises RecordAltered: the file no longer matches its digest (the alert is written)
    """
    missing = RecordNotFound("文书不存在或无权查看", "no such document")
    found = record_get_for(actor, Document.objects.all(), document_id, missing)
    if fmt not in FORMATS:
        raise missing
    data = stored_file(found, fmt, actor=actor)
    if found.kind in FULL_PARTICULARS:
        _downloaded(found, fmt, actor)
    return found, data


# Documents that carry the parties' full particulars and numbers in full: who took one is
# on the timeline (PIPL Arts. 51, 55: a record of who processed personal information).
FULL_PARTICULARS = frozenset({
    Kind.AGREEMENT, Kind.CONFIRMATION_APPLICATION, Kind.COURT_ACCEPTANCE_NOTICE, Kind.RULING,
    Kind.ENFORCEMENT_APPLICATION, Kind.ELEMENT_COMPLAINT, Kind.ELEMENT_ANSWER})


def _downloaded(found: Document, fmt: str, actor: User) -> None:
    """One event per download (committed with the answer, in its own transaction)."""
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=found.dispute_id)
        record_event(dispute, events.RECORD_READ, actor, clock.now(),
                     {"document": found.pk, "kind": found.kind, "title": found.title,
                      "format": fmt})


def stored_file(found: Document, fmt: str, *, actor: User) -> bytes:
    """The bytes of a document the caller has already found visible, checked against the
    digest taken when it was made (see :func:`document_file`)."""
    field, expected = _stored(found, fmt)
    try:
        if not field:
            raise FileNotFoundError(fmt)
        with field.open("rb") as handle:
            data: bytes = handle.read()
    except FileNotFoundError:
        logger.error("Document %s: its stored %s file %r is missing", found.pk, fmt, field.name)
        raise file_missing(found.title, fmt, document=found.pk, format=fmt) from None
    if hashlib.sha256(data).hexdigest() != expected:
        report_altered(found.dispute_id, actor=actor, what="document", title=found.title,
                       record=found.pk, fmt=fmt)
        raise altered(found.title, found.pk, format=fmt)
    return data


def html_problem(document: Document) -> bool:
    """Whether the stored preview no longer gives its digest."""
    return hashlib.sha256(document.html.encode()).hexdigest() != document.html_sha256


def document_html(document: Document, *, actor: User) -> str:
    """The document's page preview, only while it gives the digest taken when it was made:
    the party reads the agreement and confirms reading it there.

    :raises RecordAltered: it does not (the alert is written)
    """
    if html_problem(document):
        report_altered(document.dispute_id, actor=actor, what="document", title=document.title,
                       record=document.pk, fmt="html")
        raise altered(document.title, document.pk, format="html")
    return document.html


@dataclass(frozen=True)
class Finding:
    """One stored record that fails its check, as ``audit verify`` prints it."""

    dispute_id: int
    what: str
    record: int
    title: str
    problem: str
    fmt: str = ""

    @property
    def named(self) -> str:
        """The record as a person reads it: 民事裁定书PDF文件, 调解协议书（第1版）."""
        return self.title + events.FILE_FORMATS.get(self.fmt, "")


def scan_documents() -> Iterator[Finding]:
    """Every document's files re-hashed: a changed or lost file is a finding."""
    for doc in Document.objects.order_by("pk").iterator(chunk_size=500):
        if html_problem(doc):
            yield Finding(doc.dispute_id, "document", doc.pk, doc.title, "与存档摘要不符", "html")
        for fmt in FORMATS:
            field, expected = _stored(doc, fmt)
            try:
                actual = sha256_of(field)
            except FileNotFoundError:
                yield Finding(doc.dispute_id, "document", doc.pk, doc.title, "存储中已缺失",
                              fmt)
                continue
            if actual != expected:
                yield Finding(doc.dispute_id, "document", doc.pk, doc.title, "与存档摘要不符",
                              fmt)
