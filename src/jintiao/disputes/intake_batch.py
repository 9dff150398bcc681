"""Many disputes in one intake: a bank's batch call or its element-table file (issue 20 §1–2).

Every item is checked by the rules of a single intake (:func:`services.intake_check`, the
same permission, the same repeat comparison) and answered on its own: created, existing (the
same reference filed before with the same content, or earlier in the same batch), conflict
(the same reference with other content, naming what differs) or refused (the rule broken,
with its code, message and field). The items that pass are written together
(:func:`services.intake_write`): one transaction for the batch, so that "all or nothing"
writes nothing when one item fails, and "valid items only" writes the others.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction

from jintiao import clock
from jintiao.bulk import collector_paused
from jintiao.disputes import services
from jintiao.disputes.access import may_file
from jintiao.disputes.models import Dispute, DisputeParty, PartyRole
from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.intake import IntakeInvalid
from jintiao.orgs.models import Organization, User
from jintiao.parties.services import PartyInput

log = logging.getLogger(__name__)

# the batch API's bound on one call
BATCH_MAX = 1000
# how often a long batch (a file) says how far its checks have come
PROGRESS_EVERY = 500


class Outcome(StrEnum):
    CREATED = "created"
    EXISTING = "existing"
    CONFLICT = "conflict"
    REFUSED = "refused"
    UNSAVED = "unsaved"  # valid, not written: another item failed under all-or-nothing


OUTCOME_LABELS = {Outcome.CREATED: "已登记", Outcome.EXISTING: "已存在（未更改）",
                  Outcome.CONFLICT: "与已登记的不一致", Outcome.REFUSED: "未通过校验",
                  Outcome.UNSAVED: "校验通过，未登记"}


@dataclass(frozen=True)
class IntakeRequest:
    """One dispute as a batch item or a file row gives it, its words already parsed into
    organisations, codes and amounts (the interface refuses what it cannot parse)."""

    committee: Organization
    channel: str
    dispute_type: str
    claim: ClaimBreakdown
    parties: Sequence[tuple[PartyInput, PartyRole]]
    institution: Organization | None = None
    court: Organization | None = None
    external_ref: str | None = None
    summary: str = ""
    received_on: dt.date | None = None
    notice_served: bool = False
    contract_ref: str = ""
    pending_case_number: str = ""
    charges_since: dt.date | None = None


@dataclass(frozen=True)
class ItemResult:
    """What became of one item: ``dispute`` for created and existing, ``error`` for a
    conflict or a refusal."""

    index: int
    outcome: Outcome
    dispute: Dispute | None = None
    error: DomainError | None = None


UNSAVED = IntakeInvalid("本项校验通过，但本批有未通过的项目，按“全部或全不”未登记任何纠纷",
                        "valid, but another item failed: nothing was written (all or nothing)",
                        code=ErrorCode.BATCH_NOT_WRITTEN)


def dispute_intake_many(*, actor: User, items: Sequence[IntakeRequest | DomainError],
                        all_or_nothing: bool,
                        progress: Callable[[int], None] | None = None) -> list[ItemResult]:
    """File ``items`` (a :class:`DomainError` stands for an item its interface could not
    parse, reported as refused) and return one result per item, in their order.

    ``progress`` is told how many items have been checked, every :data:`PROGRESS_EVERY` and
    before the valid ones are written (outside the write's transaction, so another
    connection sees it).

    ``all_or_nothing``: when any item is refused or conflicts, nothing is written and the
    valid ones are reported ``unsaved``; otherwise the valid items are written and the others
    reported. A repeat of a reference is never written twice: filed before, or earlier in
    the batch, with the same content it is ``existing``, with other content a ``conflict``.
    A batch that collides with a write at the same moment (the same party or reference
    filed concurrently) is checked and tried again, then answered as a conflict — never
    half written.

    :raises DisputeConflict: the batch collided with concurrent writes every time
    """
    for attempt in range(services.INTAKE_ATTEMPTS):
        try:
            with collector_paused():  # tens of thousands of long-lived rows (jintiao.bulk)
                return _attempt(actor, items, all_or_nothing,
                                progress or (lambda _done: None))
        except services.COLLISIONS as exc:
            if not services.collided(exc):
                raise
            log.warning("batch intake of %s items collided (attempt %s)", len(items),
                        attempt + 1)
    raise services.DisputeConflict(
        "批量登记时与同时进行的另一项登记冲突，未能保存，请稍后重新提交",
        "the batch collided with another record; nothing saved, submit again")


def _filing(item: IntakeRequest) -> services.Filing:
    return services.filing_of(
        committee=item.committee, channel=item.channel, dispute_type=item.dispute_type,
        claim=item.claim, parties=item.parties, institution=item.institution, court=item.court,
        external_ref=item.external_ref, summary=item.summary, received_on=item.received_on,
        notice_served=item.notice_served, contract_ref=item.contract_ref,
        pending_case_number=item.pending_case_number, charges_since=item.charges_since)


def _attempt(actor: User, items: Sequence[IntakeRequest | DomainError],
             all_or_nothing: bool, progress: Callable[[int], None]) -> list[ItemResult]:
    now = clock.now()
    today = now.astimezone(clock.TZ).date()
    reads = services.Reads()
    allowed: dict[tuple[int, int | None], bool] = {}
    results: dict[int, ItemResult] = {}
    filings: dict[int, services.Filing] = {}
    for index, item in enumerate(items):
        if isinstance(item, DomainError):
            results[index] = ItemResult(index, Outcome.REFUSED, error=item)
            continue
        key = (item.committee.pk, item.institution.pk if item.institution else None)
        if key not in allowed:
            allowed[key] = may_file(actor, item.committee, item.institution)
        if not allowed[key]:
            results[index] = ItemResult(index, Outcome.REFUSED,
                                        error=services.filing_refused())
            continue
        try:
            filings[index] = _filing(item)
        except DomainError as exc:
            results[index] = ItemResult(index, Outcome.REFUSED, error=exc)

    # repeats of a reference filed before: compared as a single intake compares them
    filed = _filed_under([r for r in map(_ref, filings.values()) if r is not None])
    first_of: dict[tuple[int, str], int] = {}
    for index, filing in filings.items():
        ref = _ref(filing)
        if ref is None:
            continue
        if ref in filed:
            existing, parties = filed[ref]
            names = services.differing(services.given_of(filing),
                                       services.held_of(existing, parties))
            results[index] = (ItemResult(index, Outcome.EXISTING, dispute=existing)
                              if not names else ItemResult(index, Outcome.CONFLICT, error=(
                                  services.ref_conflict(ref[1], existing.number,
                                                        existing.pk, names))))
        elif ref in first_of:  # earlier in this batch: checked after the first one
            continue
        else:
            first_of[ref] = index

    checked: dict[int, services.Checked] = {}
    for index, filing in filings.items():
        if index % PROGRESS_EVERY == 0 and index:
            progress(index)
        if index in results or _repeat_in_batch(filing, index, first_of):
            continue
        try:
            checked[index] = services.intake_check(filing, today=today, reads=reads)
        except DomainError as exc:
            results[index] = ItemResult(index, Outcome.REFUSED, error=exc)

    # repeats within the batch: against the first, once it is known to be valid
    repeats: dict[int, int] = {}
    for index, filing in filings.items():
        if index in results or index in checked:
            continue
        ref = _ref(filing)
        if ref is None:
            continue
        first = first_of[ref]
        if first not in checked:  # the first was refused: this one stands for itself
            try:
                checked[index] = services.intake_check(filing, today=today, reads=reads)
                first_of[ref] = index
            except DomainError as exc:
                results[index] = ItemResult(index, Outcome.REFUSED, error=exc)
            continue
        held = _held_of(checked[first])
        names = services.differing(services.given_of(filing), held)
        if names:
            results[index] = ItemResult(index, Outcome.CONFLICT, error=services.ref_conflict(
                ref[1], f"本批第{first + 1}项", None, names))
        else:
            repeats[index] = first

    progress(len(items))
    failed = any(r.outcome in (Outcome.REFUSED, Outcome.CONFLICT) for r in results.values())
    order = sorted(checked)
    if all_or_nothing and failed:
        for index in order + list(repeats):
            results[index] = ItemResult(index, Outcome.UNSAVED, error=UNSAVED)
    elif order:
        with transaction.atomic():
            # stamped when written: the checks of a large file take seconds (a reader of
            # changes since a moment must not find events older than their commit by that)
            made = services.intake_write(actor, [checked[i] for i in order], reads=reads,
                                         now=clock.now())
        for index, dispute in zip(order, made, strict=True):
            results[index] = ItemResult(index, Outcome.CREATED, dispute=dispute)
        for index, first in repeats.items():
            results[index] = ItemResult(index, Outcome.EXISTING, dispute=results[first].dispute)
    return [results[i] for i in range(len(items))]


def outcome_counts(results: Sequence[ItemResult]) -> dict[str, int]:
    """How many items came to each outcome (every outcome named, zero included)."""
    counts = dict.fromkeys((o.value for o in Outcome), 0)
    for r in results:
        counts[r.outcome.value] += 1
    return counts


def _ref(filing: services.Filing) -> tuple[int, str] | None:
    """The (institution, reference) a filing is known by, if it gives one."""
    if filing.external_ref and filing.institution is not None:
        return filing.institution.pk, filing.external_ref
    return None


def _repeat_in_batch(filing: services.Filing, index: int,
                     first_of: dict[tuple[int, str], int]) -> bool:
    ref = _ref(filing)
    return ref is not None and first_of.get(ref, index) != index


def _held_of(checked: services.Checked) -> dict[str, object]:
    """What the first item of a reference will hold once written, on the names a repeat is
    compared on."""
    filing = checked.filing
    return {**services.given_of(filing), "received_on": checked.received_on,
            "court_id": filing.court.pk if filing.court else None}


def _filed_under(refs: list[tuple[int, str]]
                 ) -> dict[tuple[int, str], tuple[Dispute, set[tuple[str, str]]]]:
    """The disputes filed under these (institution, reference) pairs, with their parties'
    (role, identity hash): two reads for a whole batch."""
    if not refs:
        return {}
    wanted = set(refs)
    found = {(d.institution_id, d.external_ref): d
             for d in Dispute.objects.filter(institution_id__in={i for i, _ in refs},
                                             external_ref__in={r for _, r in refs})
             if (d.institution_id, d.external_ref) in wanted}
    parties: dict[int, set[tuple[str, str]]] = {d.pk: set() for d in found.values()}
    for dispute_id, role, digest in (DisputeParty.objects
                                     .filter(dispute_id__in=list(parties))
                                     .values_list("dispute_id", "role", "party__id_hash")):
        parties[dispute_id].add((role, digest))
    return {ref: (d, parties[d.pk]) for ref, d in found.items()}  # type: ignore[misc]
