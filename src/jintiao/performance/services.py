"""Every change during performance: a payment, the review that finds full payment or
default, the enforcement application, the credit-repair confirmation, a follow-up visit.

Each runs in one transaction and writes a timeline event; the jobs call the same functions,
so running them twice, or on two machines at once, changes nothing the second time (the
dispute row is locked and its state re-read).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal, localcontext
from enum import StrEnum
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Case, Q, QuerySet, When

from jintiao import clock
from jintiao.agreements import content as agreement_content
from jintiao.agreements import selectors as agreements
from jintiao.agreements.models import Agreement
from jintiao.bulk import bulk_insert, collector_paused
from jintiao.disputes.access import (
    DisputeNotFound,
    PermissionDenied,
    RecordNotFound,
    Standing,
    dispute_visible_to,
    payments_import_problem,
    record_get_for,
    standing_of,
)
from jintiao.disputes.changes import lock_behind, require_state, versions_save
from jintiao.disputes.models import Dispute
from jintiao.disputes.services import dispute_apply_action, dispute_lock
from jintiao.documents import texts as doc_texts
from jintiao.documents.services import document_generate
from jintiao.domain import events, performance, periods
from jintiao.domain.errors import DomainError
from jintiao.domain.events import EventType
from jintiao.domain.lifecycle import Action, State, TransitionRefused
from jintiao.domain.money import ZERO, require_amount
from jintiao.domain.performance import PerformanceInvalid
from jintiao.mediation import selectors as mediation
from jintiao.orgs.models import Organization, User
from jintiao.orgs.selectors import subtree
from jintiao.orgs.services import SYSTEM_USERNAME, system_actor
from jintiao.performance import selectors
from jintiao.performance.models import CreditRepair, Enforcement, FollowUp, Payment
from jintiao.timeline.services import NextEvent, event_append, events_append


def _effective(dispute: Dispute) -> Agreement:
    agreement = agreements.effective(dispute)
    if agreement is None:
        raise PerformanceInvalid("协议尚未生效", "no effective agreement")
    return agreement


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Recorded(NamedTuple):
    payment: Payment
    created: bool
    surplus: Decimal = Decimal("0.00")  # of this payment, beyond everything owed


def _event(dispute: Dispute, type: EventType, actor: User, at: dt.datetime,
           **params: object) -> None:
    event_append(dispute=dispute, type=type, actor=actor, at=at, state_before=dispute.state,
                 state_after=dispute.state, params=dict(params))


def _may_record(actor: User, dispute: Dispute) -> None:
    standing_of(actor, dispute).require(Standing.may_record_payment, "登记还款")


def _one_line(text: str, *, limit: int, what: str, en: str) -> str:
    """``text`` stripped, or refused when empty, longer than ``limit`` or holding a control
    character (a NUL that PostgreSQL refuses, a line break that splits a file's row)."""
    text = text.strip()
    if not text or len(text) > limit or _CONTROL.search(text):
        raise PerformanceInvalid(f"须{what}（不超过{limit}字，不含控制字符）",
                                 f"{en} is required, without control characters")
    return text


def _clean_reference(reference: str) -> str:
    return _one_line(reference, limit=100, what="填写机构流水号", en="a reference")


def _check_payment(agreement: Agreement, paid_on: dt.date, amount: Decimal,
                   today: dt.date) -> Decimal:
    amount = require_amount(amount, field="amount", label="还款金额", error=PerformanceInvalid)
    if amount <= 0:
        raise PerformanceInvalid("还款金额必须大于零", "a payment must be positive")
    if paid_on > today:
        raise PerformanceInvalid(f"还款日期{paid_on}晚于今天", "payment date in the future")
    if agreement.effective_at is None:
        raise PerformanceInvalid("协议尚未生效，不能登记还款", "no effective agreement")
    if paid_on < agreement.effective_at.astimezone(clock.TZ).date():
        raise PerformanceInvalid(f"还款日期{paid_on}早于协议生效日", "payment before the agreement")
    return amount


def _booked(dispute: Dispute, bank: Organization | None, reference: str, paid_on: dt.date,
            amount: Decimal) -> Payment | None:
    """The payment already booked under ``reference``: one in force on this dispute or
    anywhere under the same bank (this dispute's first); else a reversed one on this
    dispute with this date and amount — a file sent again, not a payment to book anew."""
    mine = Q(dispute=dispute)
    if bank is not None:
        mine |= Q(bank=bank)
    rows = list(Payment.objects.filter(mine, reference=reference)
                .order_by(Case(When(dispute=dispute, then=0), default=1), "-pk"))
    return _booked_among(rows, dispute, paid_on, amount)


def _booked_among(rows: list[Payment], dispute: Dispute, paid_on: dt.date,
                  amount: Decimal) -> Payment | None:
    """Of the payments under one reference, this dispute's first and newest first, the
    one that is the payment booked (:func:`_booked`)."""
    live = [p for p in rows if p.reversed_at is None]
    if live:
        return live[0]
    return next((p for p in rows if p.dispute_id == dispute.pk and p.paid_on == paid_on
                 and p.amount == amount), None)


class _Unread:
    """Not read yet."""


_UNREAD = _Unread()


class _Book:
    """One locked dispute as the checks of a payment see it: who records, the bank whose
    references it takes, its ledger and acceleration (read when first needed, or given
    when read for a whole file) and the surplus so far. Taking a payment moves the ledger
    on, so the next payment of a file is checked against this one as it would be against
    its row."""

    def __init__(self, actor: User, dispute: Dispute, bank: Organization | None,
                 ledger: selectors.Ledger | _Unread | None = _UNREAD) -> None:
        self.actor, self.dispute, self.bank = actor, dispute, bank
        self._ledger = ledger
        self._accelerated: selectors.Acceleration | _Unread | None = _UNREAD
        self._tally: performance.Tally | None = None  # the surplus while not accelerated
        self._surplus: Decimal | None = None  # accelerated: beyond everything owed so far

    def ledger(self) -> selectors.Ledger | None:
        if isinstance(self._ledger, _Unread):
            self._ledger = selectors.ledger_of(self.dispute)
        return self._ledger

    def accelerated(self) -> selectors.Acceleration | None:
        if isinstance(self._accelerated, _Unread):
            self._accelerated = selectors.acceleration_of(self.dispute)
        return self._accelerated

    def surpluses(self, ledger: selectors.Ledger, payment: performance.Paid,
                  today: dt.date) -> tuple[Decimal, Decimal]:
        """The surplus before ``payment`` and with it (nothing kept): by running totals
        while not accelerated, so each line of a file costs the same however many came
        before it; after default, recomputed with the acceleration's late interest."""
        accelerated = self.accelerated()
        if accelerated is None:
            if self._tally is None or self._tally.on != today:
                self._tally = ledger.tally(today)
            return self._tally.surplus, self._tally.surplus_adding(payment)
        if self._surplus is None:
            self._surplus = ledger.surplus(today, accelerated)
        return self._surplus, ledger.adding(payment).surplus(today, accelerated)

    def take(self, checked: _Checked) -> None:
        assert checked.after is not None  # noqa: S101 - a checked payment to book
        self._ledger, self._surplus = checked.after, checked.surplus_after
        if self._tally is not None:
            self._tally.add(checked.after.paid[-1])


Finder = Callable[[Dispute, Organization | None, str, dt.date, Decimal], Payment | None]


@dataclass(frozen=True)
class _Checked:
    """A payment that passed every check: the one already booked (a repeat), or what to
    book and the ledger after it."""

    reference: str
    amount: Decimal
    repeat: Payment | None = None
    surplus: Decimal = ZERO
    after: selectors.Ledger | None = None
    surplus_after: Decimal = ZERO


def _payment_check(book: _Book, booked: Finder, *, reference: str, paid_on: dt.date,
                   amount: Decimal, surplus_intended: bool, today: dt.date) -> _Checked:
    """Every rule a payment meets, for one by hand and each line of a file alike: who may
    record it, its reference booked once (a repeat answered in any state), the dispute in
    performance under an effective agreement, the amount and date, and a surplus only
    when stated. ``booked`` finds the payment already under a reference (:func:`_booked`,
    or a file's index of them).

    :raises PermissionDenied, PerformanceInvalid, PaymentExceedsOutstanding,
        TransitionRefused: as :func:`payment_record` says
    """
    dispute = book.dispute
    standing_of(book.actor, dispute).require(Standing.may_record_payment, "登记还款")
    reference = _clean_reference(reference)  # before it reaches a query (no NUL on PostgreSQL)
    existing = booked(dispute, book.bank, reference, paid_on, amount)
    if existing is not None and existing.dispute_id != dispute.pk:
        raise PerformanceInvalid(f"流水号{reference}已登记为本机构另一纠纷的还款；同一笔银行流水"
                                 "只能对应一笔还款，请核对流水号或所属纠纷",
                                 "the bank's reference is booked against another dispute",
                                 reference=reference)
    if existing is not None:  # a repeat is answered in any state: a file sent again
        if existing.paid_on == paid_on and existing.amount == amount:
            return _Checked(reference, amount, repeat=existing)
        raise PerformanceInvalid(f"流水号{existing.reference}已登记为{existing.paid_on}还款"
                                 f"{existing.amount}元", "reference used for another payment",
                                 reference=existing.reference)
    require_state(dispute, State.PERFORMING, State.DEFAULTED, State.ENFORCEMENT,
                  doing="登记还款")
    ledger = book.ledger()
    if ledger is None:
        raise PerformanceInvalid("协议尚未生效，不能登记还款", "no effective agreement")
    amount = _check_payment(ledger.agreement, paid_on, amount, today)
    paid = performance.Paid(reference, paid_on, amount)
    surplus_before, surplus_after = book.surpluses(ledger, paid, today)
    surplus = performance.surplus_of(amount, before=surplus_before, after=surplus_after,
                                     intended=surplus_intended)
    return _Checked(reference, amount, surplus=surplus, after=ledger.adding(paid),
                    surplus_after=surplus_after)


def _payment_row(book: _Book, checked: _Checked, paid_on: dt.date, source: str,
                 now: dt.datetime) -> Payment:
    assert checked.after is not None  # noqa: S101 - a checked payment to book
    # its relations by id: a file makes thousands, and setting an instance costs more than
    # the row
    return Payment(dispute_id=book.dispute.pk, agreement_id=checked.after.agreement.pk,
                   bank_id=book.bank.pk if book.bank else None, reference=checked.reference,
                   paid_on=paid_on, amount=checked.amount, source=source,
                   # the box ticked for a payment within what is owed states nothing: no
                   # "to refund" on its row
                   surplus_intended=checked.surplus > 0, recorded_by_id=book.actor.pk,
                   recorded_at=now)


def _recorded_params(made: Payment, surplus: Decimal) -> dict[str, object]:
    extra = {"surplus": str(surplus)} if surplus else {}
    return {"payment": made.pk, "reference": made.reference,
            "paid_on": made.paid_on.isoformat(), "amount": str(made.amount),
            "source": made.source, **extra}


@transaction.atomic
def payment_record(*, actor: User, dispute_id: int, reference: str, paid_on: dt.date,
                   amount: Decimal, source: str = Payment.Source.DESK,
                   surplus_intended: bool = False) -> Recorded:
    """Record a payment under the institution's reference, then review the dispute (full
    payment completes it; payments after default still reduce what is enforced). The same
    reference with the same date and amount is the payment already recorded.

    A payment beyond everything owed is refused unless ``surplus_intended``: the recorder
    states the debtor meant to pay more, and the surplus is then shown as money to refund.

    The agreement and the payments are read once and the review works on them in memory,
    so a payment costs the same few queries however long the plan or its history.

    :raises PerformanceInvalid: no reference, an amount not above zero, a date in the
        future or before the agreement, or a reference already used for another payment
    :raises PaymentExceedsOutstanding: more than is owed, the surplus not stated
    :raises PermissionDenied: not the creditor's side nor the desk
    """
    now = clock.now()
    today = now.astimezone(clock.TZ).date()
    dispute = dispute_lock(actor, dispute_id)
    book = _Book(actor, dispute, selectors.bank_of(dispute.institution))
    checked = _payment_check(book, _booked, reference=reference, paid_on=paid_on,
                             amount=amount, surplus_intended=surplus_intended, today=today)
    if checked.repeat is not None:
        return Recorded(checked.repeat, created=False)
    row = _payment_row(book, checked, paid_on, source, now)
    try:
        with transaction.atomic():  # a savepoint: the constraint decides a race
            row.save(force_insert=True)
    except IntegrityError:
        raise PerformanceInvalid(f"流水号{checked.reference}刚被登记为另一笔还款，请刷新后核对",
                                 "the reference was booked meanwhile",
                                 reference=checked.reference) from None
    dispute.version += 1
    dispute.save(update_fields=["version"])
    _event(dispute, events.PAYMENT_RECORDED, actor, now, **_recorded_params(row, checked.surplus))
    review(dispute=dispute, today=today, ledger=checked.after)
    return Recorded(row, created=True, surplus=checked.surplus)


class RowStatus(StrEnum):
    """What became of one line of a payments file."""

    CREATED = "created"
    REPEATED = "repeated"
    REFUSED = "refused"
    NOT_RECORDED = "not_recorded"  # a good line of a file refused for its other lines

    @property
    def label(self) -> str:
        return {"created": "已登记", "repeated": "已登记过，未重复记账", "refused": "有错误",
                "not_recorded": "未登记（文件中其他行有错误）"}[self.value]


@dataclass(frozen=True)
class RowAnswer:
    """The answer for one line: the same rules as one payment recorded by hand."""

    line: int
    dispute: str
    reference: str
    status: RowStatus
    message: str = ""
    code: str = ""
    surplus: Decimal = Decimal("0.00")
    dispute_id: int | None = None


@dataclass
class Imported:
    """What a payments file did: rows recorded, rows already there, errors by line and an
    answer for every line (a file with any error changes nothing)."""

    created: int = 0
    repeated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    rows: list[RowAnswer] = field(default_factory=list)


CSV_COLUMNS = ("dispute", "reference", "paid_on", "amount")
SURPLUS_COLUMN = "surplus_intended"  # optional: 是/否 (yes/no, 1/0), blank meaning no
_YES = frozenset({"是", "1", "yes", "y", "true"})
_NO = frozenset({"", "否", "0", "no", "n", "false"})
MAX_CSV = 2 * 1024 * 1024


def payments_file(*, actor: User, institution: Organization, data: bytes) -> Imported:
    """A payments file as uploaded: at most 2 MB of UTF-8 CSV, then :func:`payments_import`.

    :raises PermissionDenied: not an agent of the institution
    :raises PerformanceInvalid: too large, or not UTF-8
    """
    problem = payments_import_problem(actor, institution)
    if problem:
        raise PermissionDenied(problem, "not an agent of this institution")
    if len(data) > MAX_CSV:
        raise PerformanceInvalid("文件过大（上限2MB），请分批导入", "file too large")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PerformanceInvalid("文件须为UTF-8编码的CSV", "not UTF-8") from None
    return payments_import(actor=actor, institution=institution, text=text)


def payments_import(*, actor: User, institution: Organization, text: str) -> Imported:
    """Record the payments of a CSV file of the institution's own references (columns
    dispute — our number or the institution's reference —, reference, paid_on, amount, and
    optionally surplus_intended). Every line meets the rules of :func:`payment_record`
    (:func:`_payment_check`), in the file's order, so a surplus not stated and a reference
    already used are refused as they are by hand, and every line gets its answer. All or
    nothing: a file with any bad line records nothing; a file sent twice records nothing
    the second time.

    The file's disputes are locked in id order and read with their ledgers and the
    payments under the file's references in a few queries; each line is checked against
    its dispute's ledger as the lines before left it; the payments, the versions and the
    timeline events are then written together, and each dispute is reviewed once. The
    queries grow with the number of disputes a file names (their reviews), not with its
    lines.

    :raises PermissionDenied: not an agent of the institution
    """
    problem = payments_import_problem(actor, institution)
    if problem:
        raise PermissionDenied(problem, "not an agent of this institution")
    try:
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error:
        return Imported(errors=[(1, "文件不是有效的CSV（字段过长或引号不配对）")])
    if not rows or set(CSV_COLUMNS) - set(rows[0]):
        return Imported(errors=[(1, f"文件须包含列：{', '.join(CSV_COLUMNS)}")])
    for _attempt in range(2):
        try:
            with collector_paused():
                return _import_file(actor, institution, rows)
        except IntegrityError:  # a reference booked meanwhile by another file: read it again
            continue
    return Imported(errors=[(1, "文件中的流水号刚被登记为其他还款，请刷新后核对")])


def _import_file(actor: User, institution: Organization,
                 rows: list[dict[str, str | None]]) -> Imported:
    now = clock.now()
    today = now.astimezone(clock.TZ).date()
    result = Imported()
    made: list[tuple[_Book, Payment, Decimal]] = []
    touched: set[int] = set()
    try:
        with transaction.atomic():
            file = _PaymentsFile.read(actor, institution, rows)
            for line, row in enumerate(rows, start=2):
                answer = _import_row(file, line, row, today, now, made)
                result.rows.append(answer)
                if answer.status is RowStatus.REFUSED:
                    result.errors.append((line, answer.message))
                    continue
                if answer.dispute_id is not None:
                    touched.add(answer.dispute_id)
                if answer.status is RowStatus.CREATED:
                    result.created += 1
                else:
                    result.repeated += 1
            if result.errors:
                raise _Rollback
            _book_payments(actor, made, now)
            for pk in sorted(touched):  # once the whole file is in, not row by row
                book = file.books[pk]
                review(dispute=book.dispute, today=today, ledger=book.ledger())
    except _Rollback:
        result.created = result.repeated = 0
        result.rows = [replace(a, status=RowStatus.NOT_RECORDED, message="", surplus=ZERO)
                       if a.status is not RowStatus.REFUSED else a for a in result.rows]
    return result


class _Rollback(Exception):
    pass


def _visible_to_importer(actor: User, institution: Organization) -> QuerySet[Dispute]:
    return dispute_visible_to(actor).filter(institution__in=subtree(institution))


@dataclass
class _PaymentsFile:
    """What a payments file's lines are checked against: its disputes by the keys it names
    them by, each locked with its book, and the payments under its references."""

    keys: dict[str, int]
    books: dict[int, _Book]
    booked: _Booked

    @classmethod
    def read(cls, actor: User, institution: Organization,
             rows: list[dict[str, str | None]]) -> _PaymentsFile:
        keys = _keys_of(actor, institution, rows)
        disputes = _lock_in_order(sorted(set(keys.values())))
        ledgers = selectors.ledgers_of(list(disputes))
        banks: dict[int | None, Organization | None] = {}
        for d in disputes.values():
            if d.institution_id not in banks:
                banks[d.institution_id] = selectors.bank_of(d.institution)
        books = {pk: _Book(actor, d, banks[d.institution_id], ledgers[pk])
                 for pk, d in disputes.items()}
        references = set()
        for row in rows:
            try:
                references.add(_clean_reference(row.get("reference") or ""))
            except PerformanceInvalid:
                continue  # refused on its line, never looked up
        found = selectors.payments_under(
            sorted(references), dispute_ids=sorted(disputes),
            bank_ids=sorted({b.pk for b in banks.values() if b is not None}))
        return cls(keys, books, _Booked(found))

    def dispute_of(self, key: str) -> int:
        pk = self.keys.get(key) if key else None
        if pk is None:  # missing and hidden read alike
            raise DisputeNotFound(f"找不到纠纷“{key}”或无权查看", "dispute not found")
        return pk


def _keys_of(actor: User, institution: Organization,
             rows: list[dict[str, str | None]]) -> dict[str, int]:
    """The file's disputes the importer may see, by our number, else by the institution's
    reference (the first dispute under it)."""
    keys = sorted({(row.get("dispute") or "").strip() for row in rows} - {""})
    mine = _visible_to_importer(actor, institution)
    by_number: dict[str, int] = {}
    by_reference: dict[str, int] = {}
    for batch in selectors.batches(keys):
        for pk, number, external_ref in (mine.filter(Q(number__in=batch)
                                                     | Q(external_ref__in=batch))
                                         .values_list("pk", "number", "external_ref")):
            by_number[number] = pk
            if external_ref is not None:
                by_reference[external_ref] = min(pk, by_reference.get(external_ref, pk))
    found = {k: by_number.get(k) or by_reference.get(k) for k in keys}
    return {k: pk for k, pk in found.items() if pk is not None}


def _lock_in_order(ids: list[int]) -> dict[int, Dispute]:
    """Lock the file's disputes in id order, so two files naming the same disputes in a
    different order wait for each other instead of deadlocking; read as
    :func:`dispute_lock` reads one."""
    locked: dict[int, Dispute] = {}
    for batch in selectors.batches(ids):
        locked.update((d.pk, d) for d in (
            Dispute.objects.select_for_update(of=("self",))
            .select_related("committee", "institution", "court", "policy_version")
            .filter(pk__in=batch).order_by("pk")))
    return locked


class _Booked:
    """The payments under a file's references, and those the file books as it goes: what
    :func:`_booked` finds in the database, found among them."""

    def __init__(self, found: list[Payment]) -> None:
        self._under: dict[str, list[tuple[tuple[int, int], Payment]]] = {}
        for p in found:
            self._under.setdefault(p.reference, []).append(((0, p.pk), p))
        self._new = 0

    def add(self, payment: Payment) -> None:
        """A payment the file books (newer than any row: it sorts last by id)."""
        self._new += 1
        self._under.setdefault(payment.reference, []).append(((1, self._new), payment))

    def find(self, dispute: Dispute, bank: Organization | None, reference: str,
             paid_on: dt.date, amount: Decimal) -> Payment | None:
        mine = [(rank, p) for rank, p in self._under.get(reference, ())
                if p.dispute_id == dispute.pk or (bank is not None and p.bank_id == bank.pk)]
        mine.sort(key=lambda r: r[0], reverse=True)  # newest first, then this dispute's
        rows = [p for _rank, p in sorted(mine, key=lambda r: r[1].dispute_id != dispute.pk)]
        return _booked_among(rows, dispute, paid_on, amount)


def _import_row(file: _PaymentsFile, line: int, row: dict[str, str | None], today: dt.date,
                now: dt.datetime, made: list[tuple[_Book, Payment, Decimal]]) -> RowAnswer:
    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    key, reference = cell("dispute"), cell("reference")
    pk: int | None = None
    try:
        pk = file.dispute_of(key)
        stated = cell(SURPLUS_COLUMN).lower()
        if stated not in _YES | _NO:
            raise PerformanceInvalid(f"{SURPLUS_COLUMN}列只能填“是”或“否”（或留空）",
                                     "surplus_intended must be yes or no")
        paid_on, amount = dt.date.fromisoformat(cell("paid_on")), Decimal(cell("amount"))
        book = file.books[pk]
        checked = _payment_check(book, file.booked.find, reference=reference,
                                 paid_on=paid_on, amount=amount,
                                 surplus_intended=stated in _YES, today=today)
    except DomainError as exc:
        return RowAnswer(line, key, reference, RowStatus.REFUSED, exc.message, str(exc.code),
                         dispute_id=pk)
    except (ValueError, ArithmeticError):
        return RowAnswer(line, key, reference, RowStatus.REFUSED,
                         "日期应为YYYY-MM-DD，金额应为数字（如1234.56）", "validation_error",
                         dispute_id=pk)
    if checked.repeat is not None:
        return RowAnswer(line, key, reference, RowStatus.REPEATED, dispute_id=pk)
    book.take(checked)
    payment = _payment_row(book, checked, paid_on, Payment.Source.CSV, now)
    file.booked.add(payment)
    made.append((book, payment, checked.surplus))
    return RowAnswer(line, key, reference, RowStatus.CREATED, surplus=checked.surplus,
                     dispute_id=pk)


def _book_payments(actor: User, made: list[tuple[_Book, Payment, Decimal]],
                   now: dt.datetime) -> None:
    """Write a file's payments in its order, each dispute's version moved on by its
    payments and a ``payment.recorded`` event for each, as :func:`payment_record` writes
    one: an insert of the payments, an update of the versions and an insert of the events
    (a statement each a batch of :data:`~jintiao.bulk.ROWS`).

    :raises IntegrityError: a reference booked meanwhile (the transaction is then void)
    """
    if not made:
        return
    bulk_insert(Payment, [p for _book, p, _surplus in made])
    bumped: dict[int, Dispute] = {}
    for book, _p, _surplus in made:
        book.dispute.version += 1
        bumped[book.dispute.pk] = book.dispute
    versions_save(bumped.values())
    events_append([NextEvent(book.dispute, events.PAYMENT_RECORDED, book.dispute.state,
                             book.dispute.state, _recorded_params(p, surplus), {})
                   for book, p, surplus in made], actor=actor, at=now)


def review(*, dispute: Dispute, today: dt.date, ledger: selectors.Ledger | None = None) -> str:
    """Look at a performing dispute the caller holds locked: paid in full → PERFORMED with
    the credit-repair letter; the acceleration clause met → DEFAULTED with the enforcement
    application prepared. The system takes these steps, whoever's payment or look led to
    them. ``ledger`` is what the caller has read already (nothing is read twice). Returns
    what happened ("", "completed" or "defaulted")."""
    if dispute.state != State.PERFORMING:
        return ""
    ledger = ledger or selectors.ledger_of(dispute)
    if ledger is None:
        return ""
    account = ledger.account(today)
    if account.paid_in_full:
        _complete(system_actor(), dispute, ledger.agreement, account, today)
        return "completed"
    clause = ledger.acceleration_missed
    if not performance.acceleration_met(account, clause):  # nor after any cure, then
        return ""
    since = _cured_on(dispute)
    if performance.acceleration_met(account, clause, since):
        _default(system_actor(), dispute, ledger.agreement, account,
                 performance.acceleration_day(account, clause, since), today)
        return "defaulted"
    return ""


def _complete(actor: User, dispute: Dispute, agreement: Agreement, account: performance.Account,
              today: dt.date) -> None:
    now = clock.now()
    ruling = selectors.confirmation_of(dispute)
    debtors = [p["name"] for p in agreement.content["parties"] if p["role"] == "debtor"]
    letter = document_generate(actor=actor, dispute=dispute, doc=doc_texts.credit_repair_letter({
        "institution": dispute.institution.name if dispute.institution else "债权金融机构",
        "debtor": "、".join(debtors), "committee": dispute.committee.name,
        "agreement_number": dispute.number,
        "ruling_text": f"，并经{ruling.court.name}（{ruling.case_number}）裁定确认有效"
        if ruling else "", "completed_on": today.isoformat(),
        "paid": str(account.total_paid + account.surplus), "surplus": str(account.surplus),
        "number": f"{dispute.number}征信"}), source=f"credit_repair:{dispute.pk}")
    # a completion after a reversal replaces the withdrawn letter
    CreditRepair.objects.update_or_create(dispute=dispute, defaults={
        "letter": letter, "requested_at": now, "confirmed_at": None, "confirmed_by": None,
        "note": "", "withdrawn_at": None})
    dispute.refresh_from_db()
    dispute_apply_action(actor=actor, dispute_id=dispute.pk, action=Action.COMPLETE,
                         expected_version=dispute.version, established={"schedule_fully_paid"},
                         details={"paid": str(account.total_paid + account.surplus),
                                  "surplus": str(account.surplus), "letter": letter.pk})


def _enforcement_context(dispute: Dispute, agreement: Agreement, e: Enforcement,
                         out: performance.Outstanding, account: performance.Account
                         ) -> dict[str, object]:
    ruling = selectors.confirmation_of(dispute)
    parties = agreement_content.with_numbers(agreement_content.parties_now(dispute))
    missed = account.missed
    return {
        "creditors": [p for p in parties if p["role"] == "creditor"],
        "debtors": [p for p in parties if p["role"] != "creditor"],
        "court": ruling.court.name if ruling else (dispute.court.name if dispute.court else ""),
        "ruling_number": ruling.case_number if ruling else "",
        "ruling_on": ruling.decided_at.astimezone(clock.TZ).date().isoformat()
        if ruling and ruling.decided_at else "",
        "effective_on": agreement.effective_at.astimezone(clock.TZ).date().isoformat()
        if agreement.effective_at else "",
        "matter": dispute.get_dispute_type_display(),
        "committee": dispute.committee.name, "total": str(out.total),
        "as_of": out.as_of.isoformat(),
        "rows": [(label, str(v)) for label, v in out.rows() if v],
        "late_rows": _late_rows(out, mediation.policy_of(dispute).late_performance_daily_rate)
        if ruling else [],
        "late_rate": str(mediation.policy_of(dispute).late_performance_daily_rate)
        if ruling else "",
        "first_missed": (missed[0].due.due_on if missed else e.accelerated_on).isoformat(),
        "missed": len(missed), "accelerated_on": e.accelerated_on.isoformat(),
        "paid": str(account.total_paid), "last_due": agreement.content["terms"]["schedule"][-1]
        ["due_on"], "last_day": e.last_day.isoformat(), "prepared_on": out.as_of.isoformat(),
    }


def _late_rows(out: performance.Outstanding, rate: Decimal) -> list[dict[str, object]]:
    """The doubled interest stretch by stretch, for the application's computation list."""
    with localcontext() as ctx:
        ctx.prec = performance.PRECISION
        return [{"number": x.number, "from": x.start.isoformat(), "to": x.end.isoformat(),
                 "days": x.days, "base": str(x.base), "interest": str(x.base * x.days * rate)}
                for x in out.late_days]


def _breakdown(out: performance.Outstanding) -> dict[str, object]:
    return {**{k: str(getattr(out, k)) for k in performance.OUTSTANDING_LABELS},
            "interest_not_accrued": str(out.interest_not_accrued),
            "late_days": [{"number": x.number, "from": x.start.isoformat(),
                           "to": x.end.isoformat(), "base": str(x.base), "days": x.days}
                          for x in out.late_days]}


def _prepare_enforcement(actor: User, dispute: Dispute, agreement: Agreement,
                         account: performance.Account, accelerated_on: dt.date,
                         today: dt.date) -> tuple[Enforcement, performance.Outstanding,
                                                  periods.Deadline]:
    """Compute what default leaves the creditor and prepare the application to enforce; a
    later default (after a cure) or a reversal replaces the figures and the document."""
    out = selectors.outstanding_of(dispute, accelerated_on=accelerated_on, as_of=today)
    last = selectors.enforcement_last_day(dispute, agreement)
    e, _new = Enforcement.objects.update_or_create(dispute=dispute, defaults={
        "agreement": agreement, "accelerated_on": accelerated_on, "as_of": today,
        "breakdown": _breakdown(out), "total": out.total, "last_day": last.due_on,
        "status": Enforcement.Status.PREPARED, "filed_by": None, "filed_at": None})
    e.document = document_generate(
        actor=actor, dispute=dispute,
        doc=doc_texts.enforcement_application(_enforcement_context(dispute, agreement, e, out,
                                                                   account)),
        source=f"enforcement:{e.pk}")
    e.save(update_fields=["document"])
    return e, out, last


def _default(actor: User, dispute: Dispute, agreement: Agreement, account: performance.Account,
             accelerated_on: dt.date, today: dt.date) -> None:
    _e, out, last = _prepare_enforcement(actor, dispute, agreement, account, accelerated_on,
                                         today)
    dispute.refresh_from_db()
    missed = [s.due.number for s in account.missed]
    dispute_apply_action(
        actor=actor, dispute_id=dispute.pk, action=Action.DEFAULT,
        expected_version=dispute.version, established={"acceleration_condition_met"},
        details={"missed": missed, "overdue": str(account.overdue_amount),
                 "accelerated_on": accelerated_on.isoformat(),
                 "revived": str(out.revived), "outstanding": str(out.total),
                 "last_day": last.due_on.isoformat()},
        deadline=last)


def _clean_reason(reason: str) -> str:
    return _one_line(reason, limit=300, what="写明冲正原因", en="a reason")


REVERSIBLE = (State.PERFORMING, State.PERFORMED, State.DEFAULTED, State.ENFORCEMENT)


@transaction.atomic
def payment_reverse(*, actor: User, payment_id: int, reason: str) -> Payment:
    """Reverse a payment recorded in error or returned by the bank: the row stays, marked
    with the reason, and every figure follows from its absence. A performed dispute no
    longer paid in full performs again (its credit-repair letter withdrawn) and is
    reviewed at once, so a reversal that leaves the acceleration clause met is a default;
    in default the amount to enforce and the prepared application are recomputed (the day
    of acceleration too: the missed run may have begun earlier); an application already
    filed stands as filed, and the event states what is owed now.

    :raises RecordNotFound: no such payment, or one of a dispute the actor may not see
    :raises PermissionDenied: not the dispute's desk (its mediators or director)
    :raises PerformanceInvalid: reversed already, or no reason given
    :raises TransitionRefused: the dispute is closed
    """
    now = clock.now()
    today = now.astimezone(clock.TZ).date()
    missing = RecordNotFound("还款记录不存在", "no such payment")
    found = record_get_for(actor, Payment.objects.all(), payment_id, missing)
    dispute = lock_behind(actor, found.dispute_id, missing)
    standing_of(actor, dispute).require(Standing.may_mediate, "冲正还款")
    payment = Payment.objects.select_for_update().get(pk=found.pk)
    if payment.reversed_at is not None:
        raise PerformanceInvalid(
            f"流水号{payment.reference}的还款已于"
            f"{payment.reversed_at.astimezone(clock.TZ):%Y-%m-%d}冲正",
            "reversed already", reference=payment.reference)
    reason = _clean_reason(reason)
    if dispute.state == State.CLOSED:
        raise TransitionRefused("纠纷已结案，不能冲正还款；如确有错误，请先经法定程序处理",
                                "cannot reverse a payment of a closed dispute",
                                state=dispute.state)
    require_state(dispute, *REVERSIBLE, doing="冲正还款")
    payment.reversed_at, payment.reversed_by, payment.reversal_reason = now, actor, reason
    payment.save(update_fields=["reversed_at", "reversed_by", "reversal_reason"])
    dispute.version += 1
    dispute.save(update_fields=["version"])
    ledger = selectors.ledger_of(dispute)
    if ledger is None:  # a payment is only ever recorded against an effective agreement
        raise PerformanceInvalid("协议尚未生效", "no effective agreement")
    effect = _effect_of_reversal(dispute, ledger, today)
    _event(dispute, events.PAYMENT_REVERSED, actor, now, payment=payment.pk,
           reference=payment.reference, paid_on=payment.paid_on.isoformat(),
           amount=str(payment.amount), reason=reason, **effect.params())
    if effect.reopens:
        _reopen(actor, dispute, payment, ledger, today)
    elif effect.accelerated_on is not None and dispute.state == State.DEFAULTED:
        _prepare_enforcement(system_actor(), dispute, ledger.agreement, ledger.account(today),
                             effect.accelerated_on, today)
    else:
        review(dispute=dispute, today=today, ledger=ledger)  # performing: a default now?
    return payment


@dataclass(frozen=True)
class _Effect:
    """What a reversal changes beyond the payment, by the state it finds."""

    reopens: bool = False  # performed, and no longer paid in full
    accelerated_on: dt.date | None = None  # in default: the day the clause was met
    outstanding: Decimal | None = None  # in default or enforcement: owed now

    def params(self) -> dict[str, str]:
        out = {"reopened": "yes"} if self.reopens else {}
        if self.accelerated_on is not None:
            out["accelerated_on"] = self.accelerated_on.isoformat()
        if self.outstanding is not None:
            out["outstanding"] = str(self.outstanding)
        return out


def _effect_of_reversal(dispute: Dispute, ledger: selectors.Ledger,
                        today: dt.date) -> _Effect:
    state = State(dispute.state)
    account = ledger.account(today)
    if state == State.PERFORMED:
        return _Effect(reopens=not account.paid_in_full)
    if state not in (State.DEFAULTED, State.ENFORCEMENT):
        return _Effect()
    e = Enforcement.objects.select_for_update().get(dispute=dispute)
    accelerated_on = e.accelerated_on
    if state == State.DEFAULTED:  # not yet filed: the missed run may have begun earlier
        clause, since = ledger.acceleration_missed, _cured_on(dispute)
        if performance.acceleration_met(account, clause, since):
            accelerated_on = performance.acceleration_day(account, clause, since)
    out = selectors.outstanding_of(dispute, accelerated_on=accelerated_on, as_of=today,
                                   ledger=ledger)
    return _Effect(accelerated_on=accelerated_on if state == State.DEFAULTED else None,
                   outstanding=out.total)


def _reopen(actor: User, dispute: Dispute, payment: Payment, ledger: selectors.Ledger,
            today: dt.date) -> None:
    """A performed dispute no longer paid in full: its letter withdrawn, it performs again,
    and the review finds at once whether the clause is met."""
    CreditRepair.objects.filter(dispute=dispute).update(withdrawn_at=clock.now())
    dispute.refresh_from_db()
    reopened = dispute_apply_action(
        actor=actor, dispute_id=dispute.pk, action=Action.REVERSE_COMPLETION,
        expected_version=dispute.version, established={"payment_reversed"},
        details={"payment": payment.pk, "reference": payment.reference})
    review(dispute=reopened, today=today, ledger=ledger)


def _cured_on(dispute: Dispute) -> dt.date | None:
    """The day of the last cure: only instalments missed from then on count again."""
    cured = dispute.events.filter(type=events.DISPUTE_CURE.type).order_by("-seq").first()
    return cured.at.astimezone(clock.TZ).date() if cured else None


@transaction.atomic
def performance_review(*, actor: User, dispute_id: int) -> str:
    """Review one dispute now (the job, or a desk's "check now")."""
    now = clock.now()
    dispute = dispute_lock(actor, dispute_id)
    if actor.username != SYSTEM_USERNAME:
        standing_of(actor, dispute).require(Standing.may_review_performance, "检查履行情况")
    return review(dispute=dispute, today=now.astimezone(clock.TZ).date())


@transaction.atomic
def enforcement_apply(*, actor: User, dispute_id: int, expected_version: int) -> Enforcement:
    """The creditor applies for enforcement of the confirmed agreement, within the two
    years; the amount is recomputed to today (late-performance interest keeps running).

    :raises TransitionRefused: not defaulted, not confirmed, or past the last day
    :raises PermissionDenied: not the creditor's side
    """
    now = clock.now()
    today = now.astimezone(clock.TZ).date()
    dispute = dispute_lock(actor, dispute_id, expected_version)
    standing_of(actor, dispute).require(Standing.may_act_as_creditor, "申请强制执行")
    require_state(dispute, State.DEFAULTED, doing="申请强制执行")
    e = Enforcement.objects.select_for_update().get(dispute=dispute)
    agreement = _effective(dispute)
    established = set()
    if selectors.confirmation_of(dispute) is not None:
        established.add("confirmed_by_court")
    e.last_day = selectors.enforcement_last_day(dispute, agreement).due_on  # calendar may firm up
    if today <= e.last_day:
        established.add("within_enforcement_period")
    out = selectors.outstanding_of(dispute, accelerated_on=e.accelerated_on, as_of=today)
    ledger = selectors.ledger_of(dispute)
    if ledger is None:  # a defaulted dispute always has one
        raise PerformanceInvalid("协议尚未生效", "no effective agreement")
    account = ledger.account(today)  # as agreed: the application counts the missed run
    e.as_of, e.breakdown, e.total = today, _breakdown(out), out.total
    if "confirmed_by_court" in established and "within_enforcement_period" in established:
        e.document = document_generate(
            actor=actor, dispute=dispute,
            doc=doc_texts.enforcement_application(_enforcement_context(dispute, agreement, e,
                                                                       out, account)),
            source=f"enforcement:{e.pk}")
        e.status, e.filed_by, e.filed_at = Enforcement.Status.FILED, actor, now
    moved = dispute_apply_action(
        actor=actor, dispute_id=dispute.pk, action=Action.APPLY_ENFORCEMENT,
        expected_version=expected_version, established=established,
        details={"outstanding": str(out.total), "as_of": today.isoformat()})
    e.save()
    _end_follow_ups(actor, moved, now, "已申请强制执行，不再回访")
    return e


def _end_follow_ups(actor: User, dispute: Dispute, now: dt.datetime, reason: str) -> None:
    """Cancel the visits still to make: performance is over, the court takes it from here."""
    open_ = list(FollowUp.objects.filter(dispute=dispute, done_at__isnull=True,
                                         cancelled_at__isnull=True)
                 .order_by("due_on").values_list("pk", flat=True))
    if not open_:
        return
    FollowUp.objects.filter(pk__in=open_).update(cancelled_at=now, cancel_reason=reason)
    _event(dispute, events.FOLLOW_UP_CANCELLED, actor, now, follow_ups=open_, reason=reason)


@transaction.atomic
def credit_repair_confirm(*, actor: User, dispute_id: int, note: str = "") -> CreditRepair:
    """The institution confirms the debtor's credit record was corrected.

    :raises PermissionDenied: not the creditor's side
    :raises PerformanceInvalid: no letter yet, or confirmed already
    """
    now = clock.now()
    dispute = dispute_lock(actor, dispute_id)
    standing_of(actor, dispute).require(Standing.may_act_as_creditor, "确认征信已更正")
    repair = CreditRepair.objects.select_for_update().filter(dispute=dispute).first()
    if repair is None or repair.confirmed_at is not None:
        raise PerformanceInvalid("没有待确认的征信修复", "nothing to confirm")
    repair.confirmed_at, repair.confirmed_by, repair.note = now, actor, note.strip()[:300]
    repair.save(update_fields=["confirmed_at", "confirmed_by", "note"])
    _event(dispute, events.CREDIT_REPAIR_CONFIRMED, actor, now, note=repair.note)
    return repair


@transaction.atomic
def credit_repair_remind(*, actor: User, repair_id: int, today: dt.date) -> bool:
    """Remind the institution of a credit-repair letter still unconfirmed after the policy's
    time: once (a second run, or a second machine, changes nothing). Returns whether it
    reminded.
    """
    now = clock.now()
    found = CreditRepair.objects.filter(pk=repair_id).select_related("dispute").first()
    if found is None:
        return False
    dispute = dispute_lock(actor, found.dispute_id)  # the timeline chain
    repair = CreditRepair.objects.select_for_update().get(pk=repair_id)
    repair.dispute = dispute
    due = selectors.letter_due_on(repair)
    if (repair.reminded_at is not None or repair.confirmed_at is not None
            or repair.withdrawn_at is not None or today <= due.due_on):
        return False
    repair.reminded_at = now
    repair.save(update_fields=["reminded_at"])
    _event(dispute, events.CREDIT_REPAIR_REMINDED, actor, now, letter=repair.letter_id,
           due_on=due.due_on.isoformat(),
           institution=dispute.institution.name if dispute.institution else "")
    return True


@transaction.atomic
def follow_up_record(*, actor: User, follow_up_id: int, method: str, note: str) -> FollowUp:
    """Record a follow-up visit (回访) the desk made.

    :raises PerformanceInvalid: already recorded, an unknown method or no note
    """
    now = clock.now()
    missing = RecordNotFound("回访计划不存在", "no such follow-up")
    found = record_get_for(actor, FollowUp.objects.all(), follow_up_id, missing)
    dispute = lock_behind(actor, found.dispute_id, missing)
    standing_of(actor, dispute).require(Standing.may_mediate, "登记回访")
    visit = FollowUp.objects.select_for_update().get(pk=found.pk)
    if visit.done_at is not None:
        raise PerformanceInvalid("该回访已登记", "already recorded")
    if visit.cancelled_at is not None:
        raise PerformanceInvalid(f"该回访已取消：{visit.cancel_reason}", "visit cancelled")
    if method not in FollowUp.Method.values or not note.strip():
        raise PerformanceInvalid("须选择回访方式并填写回访情况", "method and note are required")
    visit.method, visit.note, visit.done_at, visit.done_by = method, note.strip(), now, actor
    visit.save(update_fields=["method", "note", "done_at", "done_by"])
    _event(dispute, events.FOLLOW_UP_RECORDED, actor, now, follow_up=visit.pk, method=method)
    return visit


def follow_ups_plan(dispute: Dispute) -> int:
    """Schedule the follow-up visits of a performing dispute (idempotent): after the first
    instalment, every ``follow_up_interval_months`` instalments, and after the last."""
    agreement = agreements.effective(dispute)
    if agreement is None:
        return 0
    dues = selectors.dues_of(agreement)
    every = max(1, mediation.policy_of(dispute).follow_up_interval_months)
    days = {dues[0].due_on, dues[-1].due_on, *(d.due_on for d in dues[every::every])}
    made = 0
    for day in sorted(days):
        try:
            with transaction.atomic():
                FollowUp.objects.create(dispute=dispute, due_on=day + dt.timedelta(days=3))
                made += 1
        except IntegrityError:
            continue
    return made
