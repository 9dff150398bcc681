"""An agreement is shown, signed, sealed, filed and ruled on only while its content still
gives the digest every signature bound (see :mod:`jintiao.documents.integrity`).

The content is re-digested each time: a term edited in the database — the amount, a due
date, a waiver — changes the digest, and so does a digest "corrected" to match, because the
signatures keep the digest they bound. A mismatch is refused with ``record_altered`` and
put on the timeline for the desk and the supervisors.

Call :func:`require_intact` outside the service's transaction (the services here check
before they open it), so that the refusal does not roll the alert back."""

from __future__ import annotations

from collections.abc import Iterator

from jintiao.agreements.content import digest
from jintiao.agreements.models import Agreement, Signature
from jintiao.agreements.selectors import agreement_get_for
from jintiao.documents.integrity import Finding, altered, report_altered
from jintiao.orgs.models import User


def title_of(agreement: Agreement) -> str:
    return f"人民调解协议书（第{agreement.version}版）"


def problem_of(agreement: Agreement, signed: list[str] | None = None) -> str:
    """What is wrong with the stored agreement, in words; empty when it is intact.
    ``signed``: the digests its signatures bound, when the caller already has them."""
    if digest(agreement.content) != agreement.digest:
        return "内容与摘要不符"
    if signed is None:
        signed = list(Signature.objects.filter(agreement=agreement)
                      .values_list("digest", flat=True))
    if any(d != agreement.digest for d in signed):
        return "摘要与签署时不符"
    return ""


def report(agreement: Agreement, *, actor: User | None) -> None:
    """Put the alert for ``agreement`` on its dispute's timeline (see
    :func:`jintiao.documents.integrity.report_altered`)."""
    report_altered(agreement.dispute_id, actor=actor, what="agreement",
                   title=title_of(agreement), record=agreement.pk)


def recheck(agreement: Agreement) -> None:
    """The check again inside a service's transaction, on the row it locked: an edit made
    since the first check is refused too; the caller reports it once the transaction has
    rolled back.

    :raises RecordAltered: the locked agreement does not give its digest
    """
    if problem_of(agreement):
        raise altered(title_of(agreement), agreement.pk)


def require_intact(agreement: Agreement, *, actor: User | None) -> Agreement:
    """``agreement`` if its content gives its digest and every signature bound that digest.

    :raises RecordAltered: it does not (the alert is on the timeline)
    """
    if not problem_of(agreement):
        return agreement
    report(agreement, actor=actor)
    raise altered(title_of(agreement), agreement.pk)


def require_intact_by_id(agreement_id: int, *, actor: User) -> Agreement:
    """The check for a service given an id, before its transaction.

    :raises RecordNotFound: missing, or of a dispute ``actor`` may not see
    :raises RecordAltered: see :func:`require_intact`
    """
    return require_intact(agreement_get_for(actor, agreement_id), actor=actor)


def scan_agreements() -> Iterator[Finding]:
    """Every agreement re-digested, for ``jintiao audit verify``."""
    signed: dict[int, list[str]] = {}
    for agreement_id, bound in Signature.objects.values_list("agreement_id", "digest"):
        signed.setdefault(agreement_id, []).append(bound)
    for agreement in Agreement.objects.order_by("pk").iterator(chunk_size=500):
        problem = problem_of(agreement, signed.get(agreement.pk, []))
        if problem:
            yield Finding(agreement.dispute_id, "agreement", agreement.pk, title_of(agreement),
                          problem)
