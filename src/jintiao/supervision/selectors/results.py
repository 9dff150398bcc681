"""The results file (结果回传, issue 20 §7): what became of each of an institution's disputes
and its branches', by the institution's own reference (``external_ref``), for the bank's
systems (the API) and its staff (a workbook).

Each fact is read where its app keeps it, by that app's rule: the state and its label from
the lifecycle; the outcome and the dates of default from the supervisors' figures, folded
from the timeline by ``domain.figures``; the terms from the effective agreement's content;
the court's case number from the confirmation application; the payments in force (a
reversed one counts no more, ``performance.selectors.paid_of``); the acceleration and the
enforcement as ``performance.selectors.acceleration_of`` holds them in force. A page of rows
is a fixed number of reads whatever its length: one of the disputes, then one of each kind
of record for all of them.

"Changed" is the dispute's last timeline event (``Event.at``): every change to a dispute
appends one. ``changed_since`` keeps the disputes with an event at or after it, found from
the index on the events' time (``event_at_dispute``), so "what changed since yesterday"
reads a day's events, not every dispute of the bank (:func:`_changed_since`).

It sits with the ledger in supervision, the app above the loop's records: it reads all of
them. Who may read which institution's file is ``disputes.access.results_problem``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum

from jintiao import clock, paging
from jintiao.agreements.models import Agreement
from jintiao.confirmation.models import Application
from jintiao.disputes.access import (
    dispute_visible_to,
    institution_for,
    results_problem,
)
from jintiao.disputes.models import DisputeParty, PartyRole
from jintiao.domain import identity
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.figures import Outcome
from jintiao.domain.lifecycle import STATE_LABELS, State
from jintiao.orgs.models import INSTITUTION_KINDS, Organization, User
from jintiao.orgs.selectors import subtree
from jintiao.parties.models import PartyKind
from jintiao.performance.models import Enforcement, Payment
from jintiao.performance.selectors import ACCELERATED_STATES
from jintiao.timeline.models import Event

# newest received first, as the dispute list: the index (institution, received_on, id)
# serves one institution's disputes, and the order never moves while a bank pages through
# (a dispute that changes meanwhile keeps its place, so no row is skipped)
RESULTS_ORDER = paging.Keyset("received_on", descending=True)
RESULTS_CHUNK = 1000  # rows a workbook reads and writes at a time

# what a row reads of the dispute and of its figures
VALUES = ("pk", "number", "external_ref", "institution_id", "institution__name",
          "institution__kind", "received_on", "state", "figures__outcome", "figures__concluded_on",
          "figures__defaulted_on")


class ChangedSinceInvalid(DomainError):
    code = ErrorCode.DATE_INVALID


class ChangedSinceInFuture(DomainError):
    code = ErrorCode.DATE_IN_FUTURE


def results_institution_for(viewer: User, institution_id: int) -> Organization:
    """The institution whose results ``viewer`` asks for.

    :raises RecordNotFound: no institution (bank, credit union or branch) has that id
    :raises PermissionDenied: it is not the viewer's (``access.results_problem``)
    """
    return institution_for(viewer, institution_id, results_problem)


def own_results_institution(viewer: User) -> Organization | None:
    """The institution whose results file the viewer's home offers: their own node, when
    it is an institution whose file they may read (its agents and approvers)."""
    node = viewer.organization
    if node is None or node.kind not in INSTITUTION_KINDS or results_problem(viewer, node):
        return None
    return node


# A change is stamped when its service runs and seen when its transaction commits: a bank's
# file of thousands of disputes commits seconds after its events' time. The next read starts
# this much before this one, so that nothing committed late is missed (a change read twice is
# the same row by the bank's reference).
RESULTS_OVERLAP = dt.timedelta(minutes=10)


def next_changed_since(now: dt.datetime) -> dt.datetime:
    """What the next read should pass as ``changed_since`` after a read at ``now``."""
    return now - RESULTS_OVERLAP


# nothing on the platform changed before this; earlier instants (year 1) overflow in UTC
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def changed_since_of(text: str | None, now: dt.datetime) -> dt.datetime | None:
    """The instant ``changed_since`` names (None when not given): a date is its first
    moment in Shanghai (``2027-01-20`` → 2027-01-20T00:00+08:00), a date and time without
    an offset is Shanghai time, one with an offset is that instant.

    :raises ChangedSinceInvalid: neither a date nor a date and time in ISO 8601
    :raises ChangedSinceInFuture: after ``now`` (nothing can have changed since then)
    """
    if text is None or not text.strip():
        return None
    raw = text.strip()
    try:
        if len(raw) == 10:
            day = dt.date.fromisoformat(raw)
            since = dt.datetime(day.year, day.month, day.day, tzinfo=clock.TZ)
        else:
            since = dt.datetime.fromisoformat(raw)
            if since.tzinfo is None:
                since = since.replace(tzinfo=clock.TZ)
        if since < EARLIEST:
            raise ValueError(raw)
        since = since.astimezone(clock.TZ)
    except (ValueError, OverflowError):  # a year 1 instant does not fit in UTC
        raise ChangedSinceInvalid(
            f"变动日期（changed_since）不是有效的日期或时间：{raw}（应为 2027-01-20 或 "
            "2027-01-20T08:00:00+08:00 这样的格式，未写时区的按北京时间）",
            f"changed_since is not an ISO 8601 date or date-time: {raw}",
            field="changed_since") from None
    if since > now:
        raise ChangedSinceInFuture(
            "变动日期（changed_since）不能晚于当前时间"
            f"（{now.astimezone(clock.TZ):%Y-%m-%d %H:%M}）",
            "changed_since is in the future", field="changed_since")
    return since.astimezone(clock.TZ)


def results(viewer: User, institution: Organization, *,
            changed_since: dt.datetime | None = None) -> QuerySet[Any]:
    """The disputes of ``institution`` and its branches that ``viewer`` sees, changed at
    or after ``changed_since`` when given, newest received first, as dicts of
    :data:`VALUES` (what :func:`result_rows` makes rows of)."""
    branches = list(subtree(institution).values_list("pk", flat=True))
    rows = dispute_visible_to(viewer, nodes_read=True).filter(institution__in=branches)
    if changed_since is not None:
        rows = rows.filter(_changed_since(changed_since))
    found: QuerySet[Any] = RESULTS_ORDER.order(rows).values(*VALUES)
    return found


# events since a moment read as ids at most: a day's changes across the platform fit, and
# the disputes they name are then looked up by key
CHANGED_EVENTS_READ = 5000


def _changed_since(since: dt.datetime) -> Q | Exists:
    """The condition "an event at or after ``since``". A short window (a day's events) is
    read from the index on the events' time and its disputes named: the planner, left to
    a semi-join, walked a bank's disputes newest first probing each one's events — 0.8 s
    for a bank of 85,000 disputes whose 400 changes lay among its older ones. A window
    with more events than :data:`CHANGED_EVENTS_READ` holds many changed disputes, found
    soon by that walk."""
    ids = list(Event.objects.filter(at__gte=since).order_by()
               .values_list("dispute_id", flat=True)[:CHANGED_EVENTS_READ + 1])
    if len(ids) <= CHANGED_EVENTS_READ:
        return Q(pk__in=sorted(set(ids)))
    return Exists(Event.objects.filter(dispute_id=OuterRef("pk"), at__gte=since))


@dataclass(frozen=True)
class Debtor:
    name: str  # a person's masked (张*), an entity's as registered
    id_masked: str


@dataclass(frozen=True)
class AgreementSummary:
    """The effective agreement's terms in brief: its total, the number of instalments (a
    down payment counted), the first and last due dates, and the monthly amount — the most
    common instalment after any down payment (the first one when no amount repeats), as
    ``Schedule.regular_payment`` reads a plan."""

    version: int
    effective_on: dt.date | None
    total: Decimal
    instalments: int
    down_payment: Decimal | None
    first_due_on: dt.date
    last_due_on: dt.date
    monthly_amount: Decimal


@dataclass(frozen=True)
class ConfirmationSummary:
    """The application that confirmed the agreement, else the latest one."""

    status: str
    status_label: str
    court: str
    case_number: str
    ruled_on: dt.date | None


@dataclass(frozen=True)
class PaymentsSummary:
    """The payments in force (reversed ones count no more)."""

    count: int
    total: Decimal
    last_paid_on: dt.date | None


@dataclass(frozen=True)
class EnforcementSummary:
    """What default left the creditor: prepared while the acceleration is in force, filed
    once the creditor applied."""

    status: str
    status_label: str
    amount: Decimal
    as_of: dt.date
    last_day: dt.date
    applied_on: dt.date | None


@dataclass(frozen=True)
class ResultRow:
    """What became of one dispute, as the bank reads it back."""

    dispute_id: int
    number: str
    external_ref: str
    institution_id: int
    institution: str
    institution_kind: str
    received_on: dt.date
    state: str
    state_label: str
    outcome: str
    outcome_label: str
    concluded_on: dt.date | None
    changed_at: dt.datetime | None
    debtors: tuple[Debtor, ...]
    agreement: AgreementSummary | None
    confirmation: ConfirmationSummary | None
    payments: PaymentsSummary
    in_default: bool
    defaulted_on: dt.date | None
    accelerated_on: dt.date | None
    enforcement: EnforcementSummary | None


def _local_day(at: dt.datetime | None) -> dt.date | None:
    return at.astimezone(clock.TZ).date() if at is not None else None


def agreement_summary(version: int, effective_at: dt.datetime | None,
                      content: dict[str, Any]) -> AgreementSummary:
    """The brief of an agreement from its content (its terms and full schedule)."""
    terms = content["terms"]
    schedule = terms["schedule"]
    down = next((Decimal(r["payment"]) for r in schedule if r["number"] == 0), None)
    regular = [Decimal(r["payment"]) for r in schedule if r["number"] != 0] or [
        Decimal(schedule[0]["payment"])]
    return AgreementSummary(
        version=version, effective_on=_local_day(effective_at), total=Decimal(terms["total"]),
        instalments=len(schedule), down_payment=down,
        first_due_on=dt.date.fromisoformat(schedule[0]["due_on"]),
        last_due_on=dt.date.fromisoformat(schedule[-1]["due_on"]),
        monthly_amount=Counter(regular).most_common(1)[0][0])


def _debtors(ids: list[int]) -> dict[int, tuple[Debtor, ...]]:
    found: dict[int, list[Debtor]] = {}
    for dispute_id, kind, name, number in (
            DisputeParty.objects.filter(dispute_id__in=ids, role=PartyRole.DEBTOR)
            .order_by("dispute_id", "pk")
            .values_list("dispute_id", "party__kind", "party__name", "party__id_masked")):
        shown = name if kind == PartyKind.ENTITY else identity.mask_name(name)
        found.setdefault(dispute_id, []).append(Debtor(shown, number))
    return {k: tuple(v) for k, v in found.items()}


def _agreements(ids: list[int]) -> dict[int, AgreementSummary]:
    return {dispute_id: agreement_summary(version, effective_at, content)
            for dispute_id, version, effective_at, content in (
                Agreement.objects.filter(dispute_id__in=ids,
                                         status=Agreement.Status.EFFECTIVE)
                .values_list("dispute_id", "version", "effective_at", "content"))}


def _confirmations(ids: list[int]) -> dict[int, ConfirmationSummary]:
    labels = {str(k): str(v) for k, v in Application.Status.choices}
    found: dict[int, ConfirmationSummary] = {}
    confirmed = Application.Status.CONFIRMED.value
    # oldest first: a later application replaces an earlier one, never a confirmed one
    for dispute_id, status, court, case_number, decided_at in (
            Application.objects.filter(dispute_id__in=ids).order_by("filed_at", "pk")
            .values_list("dispute_id", "status", "court__name", "case_number",
                         "decided_at")):
        before = found.get(dispute_id)
        if before is not None and before.status == confirmed:
            continue
        found[dispute_id] = ConfirmationSummary(status, labels.get(status, status), court,
                                                case_number, _local_day(decided_at))
    return found


def _payments(ids: list[int]) -> dict[int, PaymentsSummary]:
    return {row["dispute_id"]: PaymentsSummary(row["n"], row["total"], row["last"])
            for row in (Payment.objects.filter(dispute_id__in=ids, reversed_at__isnull=True)
                        .order_by().values("dispute_id")
                        .annotate(n=Count("pk"), total=Sum("amount"), last=Max("paid_on")))}


def _enforcements(ids: list[int]) -> dict[int, tuple[dt.date, EnforcementSummary]]:
    labels = {str(k): str(v) for k, v in Enforcement.Status.choices}
    return {dispute_id: (accelerated_on, EnforcementSummary(
                status, labels.get(status, status), total, as_of, last_day,
                _local_day(filed_at)))
            for dispute_id, accelerated_on, status, total, as_of, last_day, filed_at in (
                Enforcement.objects.filter(dispute_id__in=ids)
                .values_list("dispute_id", "accelerated_on", "status", "total", "as_of",
                             "last_day", "filed_at"))}


def _changed(ids: list[int]) -> dict[int, dt.datetime]:
    return dict(Event.objects.filter(dispute_id__in=ids).order_by().values("dispute_id")
                .annotate(last=Max("at")).values_list("dispute_id", "last"))


NO_PAYMENTS = PaymentsSummary(0, Decimal("0.00"), None)
OUTCOME_LABELS = {o.value: o.label for o in Outcome}


def result_rows(found: list[dict[str, Any]]) -> list[ResultRow]:
    """Rows of ``found`` (dicts of :data:`VALUES`, from :func:`results`), in their order;
    six reads for all of them, whatever their number."""
    ids = [v["pk"] for v in found]
    if not ids:
        return []
    debtors, agreements, confirmations = _debtors(ids), _agreements(ids), _confirmations(ids)
    payments, enforcements, changed = _payments(ids), _enforcements(ids), _changed(ids)
    rows = []
    for v in found:
        pk, state = v["pk"], State(v["state"])
        outcome = v["figures__outcome"] or Outcome.PENDING.value
        accelerated = state in ACCELERATED_STATES
        enforcement = enforcements.get(pk)
        # as performance.selectors.acceleration_of: in force while in default or
        # enforcement, or closed after an application to enforce; a cure ends it
        filed = enforcement is not None and enforcement[1].status == Enforcement.Status.FILED
        in_force = enforcement is not None and (accelerated or (state == State.CLOSED
                                                                and filed))
        rows.append(ResultRow(
            dispute_id=pk, number=v["number"], external_ref=v["external_ref"] or "",
            institution_id=v["institution_id"], institution=v["institution__name"] or "",
            institution_kind=v["institution__kind"] or "",
            received_on=v["received_on"], state=state.value,
            state_label=str(STATE_LABELS[state]), outcome=outcome,
            outcome_label=OUTCOME_LABELS.get(outcome, outcome),
            concluded_on=v["figures__concluded_on"],
            changed_at=(changed[pk].astimezone(clock.TZ) if pk in changed else None),
            debtors=debtors.get(pk, ()), agreement=agreements.get(pk),
            confirmation=confirmations.get(pk), payments=payments.get(pk, NO_PAYMENTS),
            in_default=accelerated, defaulted_on=v["figures__defaulted_on"],
            accelerated_on=enforcement[0] if enforcement is not None and in_force else None,
            enforcement=enforcement[1] if enforcement is not None and (in_force or filed)
            else None))
    return rows


def result_page(rows: QuerySet[Any], cursor: str | None,
                limit: int) -> tuple[list[ResultRow], str | None]:
    """One page of :func:`results` after ``cursor``, and the cursor of the next page (None
    on the last).

    :raises CursorInvalid: a cursor this list did not give
    """
    found, after = paging.keyset_page(rows, RESULTS_ORDER, cursor, limit)
    return result_rows(found), after


def result_chunks(rows: QuerySet[Any], size: int = RESULTS_CHUNK) -> Iterator[list[ResultRow]]:
    """Every row of :func:`results`, ``size`` at a time, each chunk read after the last
    one's (received_on, id)."""
    page = rows
    while True:
        found = list(page[:size])
        if found:
            yield result_rows(found)
        if len(found) < size:
            return
        page = RESULTS_ORDER.beyond(rows, found[-1]["received_on"], found[-1]["pk"])
