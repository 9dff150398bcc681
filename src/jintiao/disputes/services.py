"""Every change to a dispute: intake, and one function that applies a lifecycle action.

Each runs in one transaction, checks the domain's rules, writes, and appends the
timeline event; views, the API, the CLI and jobs all come through here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Max

from jintiao import clock
from jintiao.bulk import bulk_insert
from jintiao.disputes.access import (
    DisputeNotFound,
    PermissionDenied,
    Standing,
    dispute_visible_to,
    may_file,
    standing_of,
)
from jintiao.disputes.models import CLAIM_FIELDS as CLAIM_FIELDS  # the interfaces' import
from jintiao.disputes.models import (
    Channel,
    Dispute,
    DisputeCounter,
    DisputeMediator,
    DisputeParty,
    DisputeRepresentative,
    DisputeType,
    PartyRole,
)
from jintiao.disputes.selectors import scope_problems
from jintiao.domain import events, identity, lifecycle, periods
from jintiao.domain import intake as intake_rules
from jintiao.domain.claims import CLAIM_PART_LABELS, ClaimBreakdown, require_claimable
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.intake import IntakeInvalid as IntakeInvalid  # re-exported for callers
from jintiao.domain.lifecycle import Action, Role, State
from jintiao.domain.policy import Policy, Track
from jintiao.domain.representation import Authority, Relation, mandate_problems
from jintiao.orgs.models import Organization, OrgKind, User
from jintiao.orgs.selectors import organization_registered_as, user_roles
from jintiao.parties import crypto
from jintiao.parties.models import Party, PartyKind
from jintiao.parties.services import (
    CheckedParty,
    PartyInput,
    parties_get_or_create,
    party_check,
    party_get_or_create,
)
from jintiao.policies.selectors import policy_for, working_calendar
from jintiao.timeline.services import FirstEvent, event_append, events_begin


class Filed(NamedTuple):
    """What intake did: the dispute, and whether this call created it (a repeat of an
    institution's reference returns the one already filed)."""

    dispute: Dispute
    created: bool


class DisputeConflict(DomainError):
    code = ErrorCode.CONFLICT


log = logging.getLogger(__name__)

# an intake that collides with a row written at the same moment (a number, a party) is tried
# again this many times in all, then answered 409 — never a 500 (issue 19 §4)
INTAKE_ATTEMPTS = 3


class ExternalRefConflict(DisputeConflict):
    """An institution's reference already filed with other content."""

    code = ErrorCode.EXTERNAL_REF_CONFLICT


class MediatorInvalid(DomainError):
    code = ErrorCode.MEDIATOR_INVALID


class RepresentativeInvalid(DomainError):
    code = ErrorCode.REPRESENTATIVE_INVALID


# Disputes a court sends: delegated before filing, entrusted after, or a mediator invited in.
COURT_CHANNELS = frozenset({Channel.COURT_DELEGATED, Channel.COURT_ENTRUSTED,
                            Channel.COURT_INVITED})


def number_prefix(committee: Organization) -> str:
    """What a committee's numbers start with after the year: its county's region code, and
    where more than one committee shares that code, its place among them (``520102-2``), so
    two committees of one county never issue the same number (before, the second one's
    intake collided with the first's numbers — issue 19 §4). The first committee of a
    county keeps the plain code."""
    place = Organization.objects.filter(kind=OrgKind.COMMITTEE, region_code=committee.region_code,
                                        pk__lt=committee.pk).count()
    return committee.region_code if place == 0 else f"{committee.region_code}-{place + 1}"


def dispute_number(prefix: str, year: int, seq: int) -> str:
    """The number as it is printed on every document: （2026）520102金调00001号."""
    return f"（{year}）{prefix}金调{seq:05d}号"


def numbers_take(committee: Organization, year: int, count: int = 1) -> range:
    """Take the next ``count`` numbers of ``committee`` in ``year`` under the counter's row
    lock and return their sequence numbers; the caller's transaction holds the lock.

    The counter is the one source of numbers — intake takes one, the benchmark seeder a
    block. Should disputes hold numbers past it (a counter restored older than its
    disputes), it moves past the highest one first, so an intake never collides with a
    number taken — a collision used to end in a 500 (issue 19 §4). One read of the unique
    index (committee, year, seq), usually empty."""
    if count < 1:
        raise ValueError("count must be positive")
    DisputeCounter.objects.get_or_create(committee=committee, year=year)
    counter = DisputeCounter.objects.select_for_update().get(committee=committee, year=year)
    taken = (Dispute.objects.filter(committee=committee, year=year, seq__gt=counter.last)
             .aggregate(top=Max("seq"))["top"])
    first = max(counter.last, taken or 0) + 1
    counter.last = first + count - 1
    counter.save(update_fields=["last"])
    return range(first, first + count)


@dataclass(frozen=True)
class Filing:
    """What one intake call asks for, as the services compare and store it."""

    committee: Organization
    channel: Channel
    dispute_type: DisputeType
    claim: ClaimBreakdown
    parties: Sequence[tuple[PartyInput, PartyRole]]
    institution: Organization | None
    court: Organization | None
    external_ref: str | None
    summary: str
    received_on: dt.date | None
    notice_served: bool
    contract_ref: str = ""
    pending_case_number: str = ""
    charges_since: dt.date | None = None


def dispute_intake(
    *,
    actor: User,
    committee: Organization,
    channel: Channel,
    dispute_type: DisputeType,
    claim: ClaimBreakdown,
    parties: Sequence[tuple[PartyInput, PartyRole]],
    institution: Organization | None = None,
    court: Organization | None = None,
    external_ref: str | None = None,
    summary: str = "",
    received_on: dt.date | None = None,
    notice_served: bool = False,
    contract_ref: str = "",
    pending_case_number: str = "",
    charges_since: dt.date | None = None,
) -> Filed:
    """Register a dispute as RECEIVED (``received_on``, the legal date of receipt, defaults to
    today: a file received on paper may be entered later), or return the one already filed under
    ``(institution, external_ref)`` when this is the same file again — a repeated bulk file
    creates nothing new, and one with other content under the same reference is refused.
    ``notice_served`` records that the parties were told of the non-litigation ways to
    resolve the dispute (告知) when the file was taken in.
    A file outside the committee's scope (types and channels it takes) is still registered,
    so that declining it is on record, and the event names why; accepting it is refused.
    An open dispute of the same institution against the same debtor for the same claim is
    flagged as a probable duplicate (``probable_duplicate_of``), not refused.

    Refusals carry ``field`` (and ``row``, the party's place in ``parties``) in their details
    so that a form can show them where the mistake is; nothing is written.

    :raises PermissionDenied: the actor may not file at this committee or for this institution
    :raises ExternalRefConflict: the reference was filed before with other content (409;
        ``details['fields']`` names what differs)
    :raises IntakeInvalid: a reference without its institution, not a committee, no creditor
        or no debtor, a date of receipt to come or over a year back, a court's dispute
        without a court, one person on both sides or twice, an entity named otherwise than
        the organisation registered under its code
    :raises ClaimInvalid: a claim of nothing, or computed on a day to come or decades ago
    :raises PartyInvalid: a party's name holds invisible characters, or its identity number
        fails its check (a birth date to come included)
    :raises PolicyMissing: no policy is in force for the committee
    """
    if not may_file(actor, committee, institution):
        raise filing_refused()
    filing = filing_of(
        committee=committee, channel=channel, dispute_type=dispute_type, claim=claim,
        parties=parties, institution=institution, court=court, external_ref=external_ref,
        summary=summary, received_on=received_on, notice_served=notice_served,
        contract_ref=contract_ref, pending_case_number=pending_case_number,
        charges_since=charges_since)
    if filing.external_ref and institution is not None:
        existing = Dispute.objects.filter(institution=institution,
                                          external_ref=filing.external_ref).first()
        if existing is not None:
            return Filed(_same_file(existing, filing), created=False)
    for attempt in range(INTAKE_ATTEMPTS):
        try:
            with transaction.atomic():
                return Filed(_intake(actor, filing), created=True)
        except COLLISIONS as exc:
            if not collided(exc):
                raise
            if filing.external_ref and institution is not None:  # filed concurrently
                existing = Dispute.objects.filter(institution=institution,
                                                  external_ref=filing.external_ref).first()
                if existing is not None:
                    return Filed(_same_file(existing, filing), created=False)
            log.warning("intake at committee %s collided (attempt %s)", committee.pk,
                        attempt + 1)
    # nothing was written: each attempt's transaction was rolled back whole
    raise DisputeConflict(
        "登记时与同时进行的另一项登记冲突，未能保存，请稍后重新提交",
        "intake collided with another record; nothing saved, submit again",
        committee=committee.pk)


def filing_refused() -> PermissionDenied:
    """The refusal of a filing at a committee or for an institution not the actor's."""
    return PermissionDenied("无权向该调委会登记纠纷或代表该金融机构申请",
                            "not allowed to file at this committee or for this institution",
                            field="committee_id")


def filing_of(*, committee: Organization, channel: str, dispute_type: str,
              claim: ClaimBreakdown, parties: Sequence[tuple[PartyInput, PartyRole]],
              institution: Organization | None, court: Organization | None,
              external_ref: str | None, summary: str, received_on: dt.date | None,
              notice_served: bool, contract_ref: str, pending_case_number: str,
              charges_since: dt.date | None = None) -> Filing:
    """A filing as intake compares and checks it, from what one intake call or one row of a
    batch gives: the channel and type known, a reference with its institution, the contract
    and the pending case number as they are kept.

    :raises IntakeInvalid: an unknown channel or type (``field`` names it), a reference
        without its institution, a contract reference or case number not as they are written
    """
    try:
        known_channel = Channel(channel)
    except ValueError:
        raise IntakeInvalid(f"来源渠道无效：{channel}", f"unknown channel: {channel}",
                            field="channel") from None
    try:
        known_type = DisputeType(dispute_type)
    except ValueError:
        raise IntakeInvalid(f"纠纷类型无效：{dispute_type}",
                            f"unknown dispute type: {dispute_type}",
                            field="dispute_type") from None
    if external_ref and institution is None:
        raise IntakeInvalid("填写机构业务编号时须选择金融机构",
                            "an institution's reference needs the institution",
                            field="institution")
    return Filing(committee=committee, channel=known_channel, dispute_type=known_type,
                  claim=claim, parties=parties, institution=institution, court=court,
                  external_ref=external_ref or None, summary=summary, received_on=received_on,
                  notice_served=notice_served,
                  contract_ref=intake_rules.contract_ref(contract_ref),
                  pending_case_number=intake_rules.pending_case_number(pending_case_number),
                  charges_since=intake_rules.charges_since(charges_since, claim.as_of))


# What collides with another intake writing at the same moment, and is tried again: a unique
# number, party or reference taken meanwhile, or (PostgreSQL) two files' locks taken in
# opposite orders — never a 500 (issue 19 §4; the deadlock from issue 20's review)
COLLISIONS = (IntegrityError, OperationalError)


def collided(exc: Exception) -> bool:
    """``exc`` (one of :data:`COLLISIONS`) is a collision with a concurrent write."""
    if isinstance(exc, IntegrityError):
        return True
    cause = exc.__cause__
    return type(cause).__name__ in ("DeadlockDetected", "SerializationFailure")


# What a repeat is compared on, by the API's names, with their Chinese labels.
_COMPARED = {"committee_id": "受理调委会", "channel": "来源渠道", "dispute_type": "纠纷类型",
             "court_id": "法院", "claim.as_of": "债权计算日",
             **{f"claim.{f}": CLAIM_PART_LABELS[f] for f in CLAIM_FIELDS},
             "parties": "当事人", "summary": "纠纷概要", "received_on": "收案日期",
             "contract_ref": "合同编号或卡号", "pending_case_number": "在诉案号",
             "charges_since": "欠息起算日"}


def given_of(filing: Filing) -> dict[str, object]:
    """What a filing says, on :data:`_COMPARED`'s names; the date of receipt and the court
    only when it gives them."""
    claim = filing.claim
    given: dict[str, object] = {
        "committee_id": filing.committee.pk, "channel": filing.channel.value,
        "dispute_type": filing.dispute_type.value, "claim.as_of": claim.as_of,
        **{f"claim.{f}": getattr(claim, f) for f in CLAIM_FIELDS},
        "parties": {(PartyRole(role).value, crypto.lookup_hash(identity.normalize(p.id_number)))
                    for p, role in filing.parties},
        "summary": filing.summary.strip(),
    }
    for name in ("contract_ref", "pending_case_number", "charges_since"):
        if getattr(filing, name):
            given[name] = getattr(filing, name)
    if filing.received_on is not None:
        given["received_on"] = filing.received_on
    if filing.court is not None:
        given["court_id"] = filing.court.pk
    return given


def held_of(existing: Dispute, parties: set[tuple[str, str]] | None = None) -> dict[str, object]:
    """What a filed dispute holds, on :data:`_COMPARED`'s names (``parties``: its (role,
    identity hash) pairs when the caller read them for many disputes at once)."""
    if parties is None:
        parties = {(r.role, r.party.id_hash)
                   for r in existing.party_rows.select_related("party")}
    return {
        "committee_id": existing.committee_id, "channel": existing.channel,
        "dispute_type": existing.dispute_type, "claim.as_of": existing.claim_as_of,
        **{f"claim.{f}": getattr(existing, f) for f in CLAIM_FIELDS},
        "parties": parties, "summary": existing.summary.strip(),
        "received_on": existing.received_on, "court_id": existing.court_id,
        "contract_ref": existing.contract_ref,
        "pending_case_number": existing.pending_case_number,
        "charges_since": existing.charges_since,
    }


def differing(given: dict[str, object], held: dict[str, object]) -> list[str]:
    """The names of :data:`_COMPARED` on which a repeat (``given``) asks for other than what
    is held: only what the repeat gives counts (a bulk file sent again the next day says
    "today"; a court may be recorded later, with the application for confirmation), and the
    notice not at all (the clerk may confirm it on acceptance)."""
    return [name for name in _COMPARED if name in given and given[name] != held.get(name)]


def ref_conflict(ref: str, number: str, pk: int | None, names: list[str]) -> ExternalRefConflict:
    """The refusal of a reference filed before (as ``number``) with other content."""
    return ExternalRefConflict(
        f"机构业务编号{ref}已登记为{number}，本次提交的"
        f"{'、'.join(_COMPARED[name] for name in names)}与已登记的不同；未作更改",
        f"reference {ref} was filed as {number} with other content: {', '.join(names)}",
        fields=",".join(names), dispute=pk, number=number, field="external_ref")


def _same_file(existing: Dispute, filing: Filing,
               parties: set[tuple[str, str]] | None = None) -> Dispute:
    """Return ``existing`` if ``filing`` asks for what it holds (:func:`differing`).

    :raises ExternalRefConflict: naming the fields that differ
    """
    names = differing(given_of(filing), held_of(existing, parties))
    if names:
        raise ref_conflict(existing.external_ref or "", existing.number, existing.pk, names)
    return existing


def _check_parties(parties: Sequence[tuple[PartyInput, PartyRole]],
                   today: dt.date, reads: Reads) -> list[tuple[CheckedParty, PartyRole]]:
    """Check every party before anything is written: each one's name and number, nobody on
    both sides or twice, and an entity under a registered organisation's code named as that
    organisation is registered (its name is printed on the agreement and the ruling).

    :raises PartyInvalid: ``row`` is the party's place in ``parties``
    :raises IntakeInvalid: ``party_on_both_sides``, ``party_listed_twice``,
        ``creditor_name_mismatch``
    """
    roles_given = {PartyRole(role) for _, role in parties}
    if not {PartyRole.CREDITOR, PartyRole.DEBTOR} <= roles_given:
        raise IntakeInvalid("纠纷至少应有一名债权人和一名债务人",
                            "a dispute needs a creditor and a debtor", field="parties")
    checked: list[tuple[CheckedParty, PartyRole]] = []
    for row, (data, role) in enumerate(parties):
        try:
            checked.append((party_check(data, on=today), PartyRole(role)))
        except DomainError as exc:
            exc.details["row"] = row
            raise
    intake_rules.require_distinct_parties(
        [intake_rules.PartyEntry(role.value, p.name, p.number) for p, role in checked])
    for row, (party, role) in enumerate(checked):
        if party.kind is not PartyKind.ENTITY:
            continue
        registered = reads.registered(party.number)
        if registered is not None and registered.name != party.name:
            raise IntakeInvalid(
                f"{role.label}名称“{party.name}”与统一社会信用代码{party.number}"
                f"登记的名称“{registered.name}”不一致",
                f"the name differs from the one registered under {party.number}",
                code=ErrorCode.CREDITOR_NAME_MISMATCH, field="name", row=row,
                registered=registered.name)
    return checked


def _check_court(channel: Channel, court: Organization | None) -> None:
    """A dispute a court sends names that court, and the court named is a court.

    :raises IntakeInvalid: ``court_required``
    """
    if court is None and channel in COURT_CHANNELS:
        raise IntakeInvalid(f"来源渠道为“{channel.label}”的纠纷须选择委派或委托的法院",
                            f"a {channel} dispute names its court",
                            code=ErrorCode.COURT_REQUIRED, field="court")
    if court is not None and court.kind != OrgKind.COURT:
        raise IntakeInvalid(f"“{court}”不是人民法院", f"{court} is not a court",
                            code=ErrorCode.COURT_REQUIRED, field="court")


class Reads:
    """What intake reads that many disputes of one file share — the organisation registered
    under a credit code (every row's creditor), the policy in force at a committee on a day,
    the committee's number prefix — read once for a file (a fresh one serves one intake)."""

    def __init__(self) -> None:
        self._registered: dict[str, Organization | None] = {}
        self._policies: dict[tuple[int, dt.date], Any] = {}
        self._prefixes: dict[int, str] = {}

    def registered(self, code: str) -> Organization | None:
        if code not in self._registered:
            self._registered[code] = organization_registered_as(code)
        return self._registered[code]

    def policy_version(self, committee: Organization, day: dt.date) -> Any:
        key = (committee.pk, day)
        if key not in self._policies:
            self._policies[key] = policy_for(committee, on=day)[0]
        return self._policies[key]

    def prefix(self, committee: Organization) -> str:
        if committee.pk not in self._prefixes:
            self._prefixes[committee.pk] = number_prefix(committee)
        return self._prefixes[committee.pk]


@dataclass(frozen=True)
class Checked:
    """A filing that passed every check of intake, ready to be written."""

    filing: Filing
    received_on: dt.date
    claim: ClaimBreakdown
    parties: list[tuple[CheckedParty, PartyRole]]
    policy_version: Any


def intake_check(filing: Filing, *, today: dt.date, reads: Reads) -> Checked:
    """Check a filing as intake does before it writes anything (the committee, the date of
    receipt, the claim, the court, the parties, a policy in force): one place for the rules
    of a single intake and of every row of a file.

    :raises IntakeInvalid, ClaimInvalid, PartyInvalid, PolicyMissing: as :func:`dispute_intake`
    """
    committee = filing.committee
    if committee.kind != OrgKind.COMMITTEE:
        raise IntakeInvalid(f"“{committee}”不是调解委员会", f"{committee} is not a committee",
                            field="committee")
    received_on = (intake_rules.require_receipt_date(filing.received_on, on=today)
                   if filing.received_on is not None else today)
    claim = require_claimable(filing.claim, on=today)
    _check_court(filing.channel, filing.court)
    parties = _check_parties(filing.parties, today, reads)
    version = reads.policy_version(committee, received_on)
    return Checked(filing, received_on, claim, parties, version)


@dataclass(frozen=True)
class _Candidate:
    """An open dispute a filing may duplicate: one filed before (``dispute``) or a row
    earlier in the same file (``place``)."""

    order: tuple[dt.date, int]
    institution_id: int
    claim: tuple[Any, ...]
    debtors: frozenset[int]
    without_ref: bool
    dispute: Dispute | None = None
    place: int = -1


def _probable_duplicates(checked: Sequence[Checked],
                         debtors: Sequence[list[int]]) -> list[Dispute | int | None]:
    """For each filing, the earliest open dispute of the same institution against one of
    the same debtors for the same claim — a dispute filed before, or (its place) a row
    earlier in the same file, as the next intake would find it; two different references of
    the institution are two debts. One read for a whole file."""
    institutions = {c.filing.institution.pk for c in checked if c.filing.institution}
    every = {p for ids in debtors for p in ids}
    candidates: list[_Candidate] = []
    if institutions and every:
        seen: dict[int, tuple[Dispute, set[int]]] = {}
        for d in (Dispute.objects.filter(institution_id__in=institutions,
                                         party_rows__role=PartyRole.DEBTOR,
                                         party_rows__party_id__in=every)
                  .exclude(state__in=[s.value for s in lifecycle.TERMINAL_STATES])
                  .annotate(debtor_id=F("party_rows__party_id"))):
            seen.setdefault(d.pk, (d, set()))[1].add(d.debtor_id)
        candidates = [_Candidate((d.received_on, d.pk), d.institution_id or 0,
                                 tuple(getattr(d, f) for f in CLAIM_FIELDS), frozenset(ids),
                                 d.external_ref is None, dispute=d)
                      for d, ids in seen.values()]
    # a duplicate has the same institution and claim: candidates are looked up by those
    # (a scan of all of them for each row was quadratic in a file's rows)
    by_claim: dict[tuple[int, tuple[Any, ...]], list[_Candidate]] = {}
    for k in candidates:
        by_claim.setdefault((k.institution_id, k.claim), []).append(k)
    answers: list[Dispute | int | None] = []
    for place, (c, ids) in enumerate(zip(checked, debtors, strict=True)):
        institution = c.filing.institution
        if institution is None:
            answers.append(None)
            continue
        claim = tuple(getattr(c.claim, f) for f in CLAIM_FIELDS)
        mine = frozenset(ids)
        same = by_claim.setdefault((institution.pk, claim), [])
        matches = [k for k in same
                   if k.debtors & mine and (k.without_ref or not c.filing.external_ref)]
        best = min(matches, key=lambda k: k.order) if matches else None
        answers.append(None if best is None else best.dispute or best.place)
        # filed before every row of the file: ordered after the disputes already filed
        same.append(_Candidate((c.received_on, 2**62 + place), institution.pk, claim, mine,
                               not c.filing.external_ref, place=place))
    return answers


def intake_write(actor: User, checked: Sequence[Checked], *, reads: Reads,
                 now: dt.datetime) -> list[Dispute]:
    """Write checked filings as RECEIVED disputes in the caller's transaction: their parties
    (found by identity number, the new ones together), numbers from each committee's counter
    in one block, the disputes, their parties' rows and each one's first timeline event —
    one statement of each for a whole file, in the order given."""
    people = parties_get_or_create([p for c in checked for p, _role in c.parties])
    rows: list[list[tuple[Party, PartyRole]]] = []
    at = 0
    for c in checked:
        rows.append([(people[at + k], role) for k, (_p, role) in enumerate(c.parties)])
        at += len(c.parties)
    duplicates = _probable_duplicates(
        checked, [[p.pk for p, role in r if role is PartyRole.DEBTOR] for r in rows])
    numbers: dict[int, int] = {}
    blocks: dict[tuple[int, int], list[int]] = {}
    for place, c in enumerate(checked):
        blocks.setdefault((c.filing.committee.pk, c.received_on.year), []).append(place)
    committees = {c.filing.committee.pk: c.filing.committee for c in checked}
    # the counters are locked in one order (committee, year), whoever writes: two files
    # naming the same committees in other orders would wait on each other for ever
    for (committee_id, year), places in sorted(blocks.items()):
        for place, seq in zip(places, numbers_take(committees[committee_id], year, len(places)),
                              strict=True):
            numbers[place] = seq
    made: list[Dispute] = []
    for place, c in enumerate(checked):
        f, year, seq = c.filing, c.received_on.year, numbers[place]
        made.append(Dispute(
            number=dispute_number(reads.prefix(f.committee), year, seq), committee=f.committee,
            year=year, seq=seq, channel=f.channel, dispute_type=f.dispute_type,
            institution=f.institution, court=f.court, external_ref=f.external_ref,
            contract_ref=f.contract_ref, pending_case_number=f.pending_case_number,
            charges_since=f.charges_since, summary=f.summary, claim_as_of=c.claim.as_of,
            **{name: getattr(c.claim, name) for name in CLAIM_FIELDS},
            policy_version=c.policy_version, received_on=c.received_on,
            non_litigation_notice_served=f.notice_served))
    for d, duplicate in zip(made, duplicates, strict=True):
        if isinstance(duplicate, Dispute):
            d.probable_duplicate_of = duplicate
    bulk_insert(Dispute, made)
    # a duplicate of a row earlier in the file is known by its id only once both are written
    later = []
    for d, duplicate in zip(made, duplicates, strict=True):
        if isinstance(duplicate, int):
            d.probable_duplicate_of = made[duplicate]
            later.append(d)
    if later:
        Dispute.objects.bulk_update(later, ["probable_duplicate_of"])
    bulk_insert(DisputeParty, [DisputeParty(dispute=d, party=party, role=role)
                               for d, r in zip(made, rows, strict=True) for party, role in r])
    scopes: dict[tuple[int, str, str], list[str]] = {}
    firsts = []
    for d, c in zip(made, checked, strict=True):
        f = c.filing
        key = (f.committee.pk, d.dispute_type, d.channel)
        if key not in scopes:
            scopes[key] = scope_problems(f.committee, d.dispute_type, d.channel)
        params: dict[str, Any] = {
            "channel": d.channel, "dispute_type": d.dispute_type,
            "claim_total": str(c.claim.total), "external_ref": f.external_ref or "",
            "notice_served": f.notice_served, "out_of_scope": scopes[key]}
        if d.probable_duplicate_of is not None:
            params["probable_duplicate_of"] = d.probable_duplicate_of.number
        firsts.append(FirstEvent(dispute=d, type=events.DISPUTE_RECEIVED,
                                 state_after=State.RECEIVED.value, params=params,
                                 meta={"number": d.number,
                                       "policy_version": c.policy_version.pk}))
    events_begin(firsts, actor=actor, at=now)
    return made


def _intake(actor: User, filing: Filing) -> Dispute:
    now = clock.now()
    reads = Reads()
    checked = intake_check(filing, today=now.astimezone(clock.TZ).date(), reads=reads)
    return intake_write(actor, [checked], reads=reads, now=now)[0]


# Guards only the service that keeps their records establishes: the workbench (no conflict
# or recusal, consents on record, extensions left) and the agreement, the court and
# performance (signatures and seal, application, ruling, payments, undisputed facts).
ESTABLISHED_ONLY = lifecycle.RECORDED_GUARDS | frozenset({
    "mediator_without_conflict", "within_extension_limit", "parties_consent",
    "parties_waive_confirmation"})


def _guards(dispute: Dispute, *, today: dt.date, reason: str, track: Track | None,
            notice_served: bool, attested: Iterable[str], established: Iterable[str]) -> set[str]:
    """The guards that hold: those the data answers, those a calling service established
    from its records, and those the actor's word may supply (lifecycle.ATTESTABLE_GUARDS:
    withdrawal by the applicant, a creditor's consent to a cure, the outcome at closing, the
    notice to the parties when intake did not record it), recorded on the timeline. An
    attestation of anything else counts for nothing: scope is the committee's data."""
    held = ((set(attested) & lifecycle.ATTESTABLE_GUARDS)
            | (set(established) & ESTABLISHED_ONLY))
    if not scope_problems(dispute.committee, dispute.dispute_type, dispute.channel):
        held.add("within_scope")
    if dispute.non_litigation_notice_served or notice_served:
        held.add("non_litigation_notice_served")
    if reason.strip():
        held.add("reason_given")
    if dispute.track or track:
        held.add("track_chosen")
    if dispute.deadline is not None and today > dispute.deadline:
        held.add("deadline_passed")
    if dispute.state == State.AGREED and dispute.deadline and today <= dispute.deadline:
        held.add("within_confirmation_window")
    return held


def _check_mediators(dispute: Dispute, action: Action, mediators: Sequence[User]) -> None:
    """Only assignment names mediators, and only a team the policy allows (naming none is
    the lifecycle's refusal: its guard says a mediator is missing)."""
    if mediators and action is not Action.ASSIGN:
        raise MediatorInvalid(f"“{action.label}”不能指定调解员",
                              f"action {action} takes no mediators")
    if mediators:
        require_team(dispute, mediators)


def require_team(dispute: Dispute, mediators: Sequence[User]) -> None:
    """A team the dispute's policy allows: someone named, no one twice, at most the
    policy's number of mediators (the lead included), each an active mediator or expert.

    :raises MediatorInvalid: empty, someone named twice, too many, or not a mediator
    """
    if not mediators:
        raise MediatorInvalid("须指定调解员", "no mediator named")
    if len({m.pk for m in mediators}) != len(mediators):
        raise MediatorInvalid("同一调解员不能重复指定", "a mediator is named twice")
    most = Policy.from_dict(dispute.policy_version.data).max_mediators
    if len(mediators) > most:
        raise MediatorInvalid(f"每件纠纷最多指定{most}名调解员（主调解员1名、协助调解员或专家"
                              f"{most - 1}名）", "too many mediators", most=most)
    require_mediators(mediators)


def require_mediators(mediators: Sequence[User]) -> None:
    """Everyone named is an active mediator or expert.

    :raises MediatorInvalid: someone is not
    """
    others = [m for m in mediators
              if not m.is_active or not user_roles(m) & {Role.MEDIATOR, Role.EXPERT}]
    if others:
        raise MediatorInvalid(f"{'、'.join(str(m) for m in others)}不是在册调解员",
                              "not an active mediator", users=",".join(str(m.pk) for m in others))


def _deadline_for(dispute: Dispute, state: State, policy: Policy,
                  today: dt.date) -> periods.Deadline | None:
    field = lifecycle.STATE_DEADLINES.get(state)
    if field is None:
        return None
    limit = (mediation_limit_of(dispute, policy) if field == "mediation_limit"
             else getattr(policy, field))
    return periods.deadline(today, limit, working_calendar())


def mediation_limit_of(dispute: Dispute, policy: Policy) -> periods.TimeLimit:
    """The mediation period the dispute runs under: a court's delegation's, else its track's."""
    if dispute.channel == Channel.COURT_DELEGATED:
        return policy.court_delegated_mediation_limit
    return policy.mediation_limit(Track(dispute.track or Track.ORDINARY))


@transaction.atomic
def dispute_apply_action(
    *,
    actor: User,
    dispute_id: int,
    action: Action,
    expected_version: int,
    reason: str = "",
    track: Track | None = None,
    mediators: Sequence[User] = (),
    notice_served: bool = False,
    attested: Iterable[str] = (),
    established: Iterable[str] = (),
    details: dict[str, Any] | None = None,
    deadline: periods.Deadline | None = None,
) -> Dispute:
    """Apply ``action`` to a dispute the actor can see, by the domain lifecycle table.

    Interfaces call :func:`jintiao.mediation.services.action_apply`, which establishes the
    guards whose records the workbench keeps (no conflict, consents to extend) and comes
    here; ``details`` go on the event as they are (the triage suggestion, say).

    Checks role and guards, changes the state, recomputes the deadline from the dispute's
    policy version on the working-day calendar (or takes ``deadline`` when the caller counts
    it from another day than today: enforcement runs from the last instalment's due date),
    and appends the event, whose meta states the deadline the dispute got. A write based on a
    stale ``expected_version`` is refused rather than overwriting a colleague's change.

    :raises DisputeNotFound: missing or not visible to ``actor``
    :raises DisputeConflict: the dispute changed since ``expected_version``
    :raises TransitionRefused: not allowed in this state, for these roles, or a guard fails
    :raises MediatorInvalid: mediators named for another action than assignment, or someone
        who is not an active mediator
    """
    now = clock.now()
    today = now.astimezone(clock.TZ).date()
    dispute = dispute_lock(actor, dispute_id, expected_version)
    action = Action(action)
    _check_mediators(dispute, action, mediators)
    # saying the parties were told (the accept form's box, the API's notice_served) is
    # confirming that guard: one meaning, recorded as the actor's word
    attested = set(attested) | ({"non_litigation_notice_served"} if notice_served else set())
    held = _guards(dispute, today=today, reason=reason, track=track,
                   notice_served=notice_served, attested=attested, established=established)
    roles = standing_of(actor, dispute).roles
    decision, role = _decide_for_any_role(State(dispute.state), action, roles, held)
    attested_used = sorted(set(attested) & lifecycle.ATTESTABLE_GUARDS
                           & set(decision.transition.guards))
    before = dispute.state
    dispute.state = decision.target.value
    if track is not None:
        dispute.track = Track(track).value
    if "non_litigation_notice_served" in attested_used:
        dispute.non_litigation_notice_served = True
    policy = Policy.from_dict(dispute.policy_version.data)
    if deadline is None:
        deadline = (_deadline_for(dispute, decision.target, policy, today)
                    if decision.target.value != before or action is Action.EXTEND else None)
    if action is Action.EXTEND and dispute.deadline is not None:
        deadline = periods.deadline(dispute.deadline, policy.extension_limit, working_calendar())
    if decision.target.value != before or deadline is not None:
        dispute.deadline = deadline.due_on if deadline else None
        dispute.deadline_provisional = bool(deadline and deadline.provisional)
    dispute.version = expected_version + 1
    dispute.save(update_fields=["state", "track", "non_litigation_notice_served", "deadline",
                                "deadline_provisional", "version"])
    if mediators:
        DisputeMediator.objects.bulk_create(
            [DisputeMediator(dispute=dispute, user=m, lead=(i == 0))
             for i, m in enumerate(mediators)], ignore_conflicts=True)
    params: dict[str, Any] = {"action": action.value, "role": role.value}
    if reason:
        params["reason"] = reason
    if track is not None:
        params["track"] = Track(track).value
    if mediators:
        params["mediators"] = [m.pk for m in mediators]
    params.update(details or {})
    if attested_used:
        params["attested"] = attested_used
    event_append(dispute=dispute, type=events.for_action(action), actor=actor, at=now,
                 state_before=before, state_after=dispute.state, params=params,
                 meta={"deadline": dispute.deadline.isoformat() if dispute.deadline else None,
                       "provisional": dispute.deadline_provisional,
                       "reasons": list(deadline.reasons) if deadline else []})
    return dispute


def _decide_for_any_role(state: State, action: Action, roles: frozenset[Role],
                         held: set[str]) -> tuple[lifecycle.Decision, Role]:
    """Try the actor's roles in a stable order; report the most useful refusal."""
    refusal: lifecycle.TransitionRefused | None = None
    for role in sorted(roles, key=lambda r: r.value):
        try:
            return lifecycle.decide(state, action, role, held), role
        except lifecycle.TransitionRefused as exc:
            if refusal is None or "missing" in exc.details:
                refusal = exc
    if refusal is None:
        refusal = lifecycle.TransitionRefused("您没有可执行此操作的角色",
                                              "the user holds no role", action=action)
    raise refusal


def dispute_lock(actor: User, dispute_id: int, expected_version: int | None = None) -> Dispute:
    """The dispute the actor can see, locked for a change; with ``expected_version`` the
    change is refused if someone else changed the dispute since the actor loaded it. Only
    the dispute row is locked: PostgreSQL refuses FOR UPDATE across the nullable joins. One
    query: what the actor may see is a condition of the locking read, not a read of its own
    (a service's query budget should not pay for parties it does not look at).

    :raises DisputeNotFound: missing or not visible to ``actor`` (the same answer)
    """
    visible = dispute_visible_to(actor).filter(pk=dispute_id).values("pk")
    dispute = (Dispute.objects.select_for_update(of=("self",))
               .select_related("committee", "institution", "court", "policy_version")
               .filter(pk__in=visible).first())
    if dispute is None:
        raise DisputeNotFound("纠纷不存在或无权查看", "dispute not found")
    if expected_version is not None:
        require_version(dispute, expected_version)
    return dispute


def require_version(dispute: Dispute, expected_version: int) -> None:
    """Refuse a change based on a stale copy of the dispute (optimistic concurrency).

    :raises DisputeConflict: someone changed the dispute since ``expected_version``
    """
    if dispute.version != expected_version:
        raise DisputeConflict(
            "该纠纷已被他人修改，请刷新后重试", "the dispute changed since you loaded it",
            expected=expected_version, current=dispute.version,
        )


# What a scan of a power of attorney may be: a PDF or a photograph, by its first bytes.
SCAN_TYPES = {b"%PDF-": "pdf", b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}
SCAN_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Scan:
    """A file as uploaded: its name as the person's computer called it, and its bytes."""

    name: str
    data: bytes


def _scan_suffix(scan: Scan) -> str:
    """The stored file's suffix, from what the bytes are (never from the name typed).

    :raises RepresentativeInvalid: empty, too large, or neither a PDF nor a JPEG/PNG image
    """
    if not scan.data:
        raise RepresentativeInvalid("请上传授权委托书扫描件（PDF或图片）", "the scan is empty",
                                    field="scan")
    if len(scan.data) > SCAN_MAX_BYTES:
        raise RepresentativeInvalid(
            f"授权委托书扫描件不能超过{SCAN_MAX_BYTES // 1024 // 1024}MB", "the scan is too large",
            field="scan")
    for magic, suffix in SCAN_TYPES.items():
        if scan.data.startswith(magic):
            return suffix
    raise RepresentativeInvalid("授权委托书扫描件应为PDF、JPG或PNG文件", "not a PDF or an image",
                                field="scan")


@transaction.atomic
def representative_appoint(
    *,
    actor: User,
    dispute_id: int,
    expected_version: int,
    party_row_id: int,
    person: PartyInput,
    relation: Relation,
    authority: Authority,
    signed_on: dt.date,
    scan: Scan,
    valid_until: dt.date | None = None,
    matters: str = "",
) -> DisputeRepresentative:
    """Record a representative for one party of a dispute, from the power of attorney shown
    — its scan (``scan``) kept with its SHA-256 (CPL Art. 62: the power of attorney is
    submitted; the court checks it before a special authority settles).

    :raises DisputeNotFound: missing or not visible to ``actor``
    :raises PermissionDenied: the actor is not at the committee's desk
    :raises RepresentativeInvalid: a closed dispute, not this dispute's party, the party
        itself, twice, or a power of attorney not yet signed or already expired
    :raises DisputeConflict: the dispute changed since ``expected_version``
    :raises PartyInvalid: the representative's identity number fails its check
    :raises RepresentativeInvalid: also a scan that is empty, over 10 MB, or not a PDF,
        JPEG or PNG (``field`` ``scan``)
    """
    now = clock.now()
    today = now.astimezone(clock.TZ).date()
    dispute = dispute_lock(actor, dispute_id)  # hidden is a 404 before anything else
    if State(dispute.state) in lifecycle.TERMINAL_STATES:
        raise RepresentativeInvalid("纠纷已结束，不能再登记代理人", "the dispute has ended")
    standing_of(actor, dispute).require(Standing.may_appoint_representative, "登记代理人")
    require_version(dispute, expected_version)
    row = DisputeParty.objects.select_related("party").filter(
        pk=party_row_id, dispute=dispute).first()
    if row is None:
        raise RepresentativeInvalid("所选当事人不属于该纠纷", "not a party of this dispute")
    if PartyKind(person.kind) is not PartyKind.PERSON:
        raise RepresentativeInvalid("代理人须为自然人", "a representative is a natural person")
    problems = mandate_problems(signed_on=signed_on, valid_until=valid_until, on=today)
    if problems:
        raise RepresentativeInvalid("；".join(problems), "the power of attorney is not in force")
    suffix = _scan_suffix(scan)
    party = party_get_or_create(person, on=today)
    if party.pk == row.party_id:
        raise RepresentativeInvalid("当事人不能担任自己的代理人",
                                    "a party cannot represent itself")
    if DisputeRepresentative.objects.filter(party_row=row, person=party).exists():
        raise RepresentativeInvalid(f"{party.name}已是{row.party.name}的代理人",
                                    "already a representative of this party")
    made = DisputeRepresentative.objects.create(
        party_row=row, person=party, relation=Relation(relation).value,
        authority=Authority(authority).value, matters=matters, signed_on=signed_on,
        valid_until=valid_until, scan_sha256=hashlib.sha256(scan.data).hexdigest())
    made.scan.save(f"{dispute.pk}-{made.pk}.{suffix}", ContentFile(scan.data), save=True)
    dispute.version = expected_version + 1
    dispute.save(update_fields=["version"])
    event_append(dispute=dispute, type=events.DISPUTE_REPRESENTATIVE_APPOINTED, actor=actor, at=now,
                 state_before=dispute.state, state_after=dispute.state,
                 params={"party_row": row.pk, "representative": party.pk,
                         "relation": made.relation, "authority": made.authority,
                         "signed_on": signed_on.isoformat(),
                         "valid_until": valid_until.isoformat() if valid_until else None},
                 meta={"scan_sha256": made.scan_sha256})
    return made
