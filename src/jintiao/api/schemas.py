"""Request and response shapes of the API. Money travels as strings with two decimals:
a JSON number is a float, and a float has already lost the fen. Dates are ISO 8601; an
instant carries its offset and is given in Shanghai time.

Every operation answers a schema named ``<Entity>Out``; a request body is
``<Entity><Action>In``. The OpenAPI document keys schemas by class name, so no two classes
may share one (tests/api/test_openapi.py checks it).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
)

from jintiao import clock
from jintiao.api.explain import ExplainOut

# Ids and counts the database can hold: anything larger is a 422, never an overflow.
Id = Annotated[StrictInt, Field(ge=1, le=2**53)]
# PostgreSQL cannot store NUL in text: refuse it at the edge (422), never reach a 500.
NO_NUL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # nor other control characters


def text(max_length: int, min_length: int = 0) -> object:
    """A string field without NUL characters, within the given length."""
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length,
                                            strip_whitespace=True, pattern=NO_NUL)]


Money = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,16}(\.[0-9]{1,2})?$")]


def _in_shanghai(value: dt.datetime) -> dt.datetime:
    return value.astimezone(clock.TZ) if value.tzinfo is not None else value


# An instant in an answer: ISO 8601 with its offset, in Shanghai time whatever the database
# handed back (UTC) or the service stamped it with.
Moment = Annotated[dt.datetime, AfterValidator(_in_shanghai)]


class Snapshot(BaseModel):
    """What a record keeps as JSON (an offer's plan and figures, an evaluation's paths, an
    enforcement's breakdown): the fields declared, and any other key passed on as stored.

    A plain pydantic model: django-ninja's ``Schema`` reads its input attribute by attribute,
    which would drop the keys not declared (and a field named by alias)."""

    model_config = ConfigDict(extra="allow")
Name = text(200, min_length=1)
Code = text(40)


class OrgRef(Schema):
    id: int
    name: str
    kind: str


class OrganizationOut(OrgRef):
    parent_id: int | None
    region_code: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    organization: OrgRef | None
    roles: list[str]


class ClaimIn(Schema):
    as_of: dt.date
    principal: Money
    interest: Money = "0"
    penalty_interest: Money = "0"
    compound_interest: Money = "0"
    liquidated_damages: Money = "0"
    fees: Money = "0"
    other: Money = "0"
    # when the charges began to run (逾期日), before as_of: the agreement's 24 % check
    charges_since: dt.date | None = None


class ClaimOut(Schema):
    as_of: dt.date
    principal: str
    interest: str
    penalty_interest: str
    compound_interest: str
    liquidated_damages: str
    fees: str
    other: str
    total: str
    charges_since: dt.date | None = None


class ParticularsIn(Schema):
    """A party's particulars as a court writes them (all optional at intake; a person's sex
    and birth date are taken from the ID number and, when given, must agree with it)."""

    address: text(300) = ""  # type: ignore[valid-type]
    id_type: text(16) = ""  # type: ignore[valid-type]
    sex: text(2) = ""  # type: ignore[valid-type]
    birth_date: dt.date | None = None
    ethnicity: text(16) = ""  # type: ignore[valid-type]
    residence: text(300) = ""  # type: ignore[valid-type]
    occupation: text(200) = ""  # type: ignore[valid-type]
    rep_role: text(16) = ""  # type: ignore[valid-type]
    rep_name: text(100) = ""  # type: ignore[valid-type]
    rep_title: text(100) = ""  # type: ignore[valid-type]
    rep_id_number: text(40) = ""  # type: ignore[valid-type]


class PartyIn(ParticularsIn):
    kind: Annotated[str, StringConstraints(pattern=r"^(person|entity)$")]
    name: Name  # type: ignore[valid-type]
    id_number: text(40, min_length=1)  # type: ignore[valid-type]
    phone: text(20) = ""  # type: ignore[valid-type]
    role: Annotated[str, StringConstraints(pattern=r"^(creditor|debtor|guarantor)$")]


class PartyUpdateIn(Schema):
    """A correction of one party's particulars: only the fields given change."""

    expected_version: Annotated[StrictInt, Field(ge=1, le=2**31)]
    phone: text(20) | None = None  # type: ignore[valid-type]
    address: text(300) | None = None  # type: ignore[valid-type]
    id_type: text(16) | None = None  # type: ignore[valid-type]
    sex: text(2) | None = None  # type: ignore[valid-type]
    birth_date: dt.date | None = None
    ethnicity: text(16) | None = None  # type: ignore[valid-type]
    residence: text(300) | None = None  # type: ignore[valid-type]
    occupation: text(200) | None = None  # type: ignore[valid-type]
    rep_role: text(16) | None = None  # type: ignore[valid-type]
    rep_name: text(100) | None = None  # type: ignore[valid-type]
    rep_title: text(100) | None = None  # type: ignore[valid-type]
    rep_id_number: text(40) | None = None  # type: ignore[valid-type]


class RepresentativeOut(Schema):
    name: str
    relation: str
    authority: str
    may_settle: bool
    id_masked: str
    phone_masked: str
    signed_on: dt.date
    valid_until: dt.date | None


class PartyOut(Schema):
    id: int  # the party's place in this dispute (party_row_id when appointing a representative)
    name: str
    kind: str
    role: str
    id_type: str
    id_masked: str
    phone_masked: str
    sex: str
    birth_year: int | None  # the year only: the masked number hides the full birth date
    ethnicity: str
    address: str
    residence: str
    occupation: str
    rep_role: str
    rep_name: str
    rep_title: str
    rep_id_masked: str
    version: int  # the particulars' version: send it back as expected_version to correct them
    representatives: list[RepresentativeOut]


class RepresentativeAppointIn(Schema):
    expected_version: Annotated[StrictInt, Field(ge=1, le=2**31)]
    party_row_id: Id
    name: Name  # type: ignore[valid-type]
    id_number: text(40, min_length=1)  # type: ignore[valid-type]
    phone: text(20) = ""  # type: ignore[valid-type]
    relation: Code  # type: ignore[valid-type]
    authority: Code  # type: ignore[valid-type]
    signed_on: dt.date
    valid_until: dt.date | None = None
    matters: text(500) = ""  # type: ignore[valid-type]
    # the signed power of attorney: a PDF, JPEG or PNG, base64-encoded; a JSON body is at
    # most 2.5 MB (DATA_UPLOAD_MAX_MEMORY_SIZE), so a scan of up to 1.8 MB here, 10 MB on
    # the web form
    scan_base64: Annotated[str, StringConstraints(min_length=4, max_length=2_400_000,
                                                  pattern=r"^[A-Za-z0-9+/=\s]+$")]
    scan_name: text(200) = "授权委托书"  # type: ignore[valid-type]


class DisputeIntakeIn(Schema):
    committee_id: Id
    channel: Code  # type: ignore[valid-type]
    dispute_type: Code  # type: ignore[valid-type]
    claim: ClaimIn
    parties: list[PartyIn] = Field(min_length=2, max_length=20)
    institution_id: Id | None = None
    court_id: Id | None = None
    external_ref: text(100) | None = None  # type: ignore[valid-type]
    summary: text(5000) = ""  # type: ignore[valid-type]
    received_on: dt.date | None = None  # the legal date of receipt; today when omitted
    notice_served: StrictBool = False  # the parties were told of non-litigation options
    # the contract or card the debt arises from (a card number is kept as its first six and
    # last four digits); the case number of a suit already pending on it
    contract_ref: text(100) = ""  # type: ignore[valid-type]
    pending_case_number: text(64) = ""  # type: ignore[valid-type]


class DisputeBatchIn(Schema):
    """Up to 1,000 disputes in one call, each as ``POST /disputes`` takes one."""

    mode: Annotated[str, StringConstraints(pattern=r"^(valid_only|all_or_nothing)$"),
                    Field(description=(
                        "`valid_only` (default): the valid items are filed and the others "
                        "reported; `all_or_nothing`: when one item is refused or conflicts, "
                        "nothing is filed and the valid items are reported `unsaved`"))] = (
        "valid_only")
    items: list[dict[str, Any]] = Field(min_length=1, max_length=1000, description=(
        "each item is the body of `POST /disputes` (DisputeIntakeIn); an item that does not "
        "fit that shape is refused on its own (code `validation_error`), not the call"))


class BatchErrorOut(Schema):
    code: str
    message: str
    details: dict[str, str]


class BatchDisputeOut(Schema):
    id: int
    number: str


class BatchItemOut(Schema):
    index: int = Field(description="the item's place in `items`, from 0")
    outcome: str = Field(description=(
        "`created`; `existing` (its reference filed before, or earlier in this call, with "
        "the same content: nothing changed); `conflict` (its reference filed with other "
        "content: `error.details.fields` names what differs; nothing changed); `refused` "
        "(a rule broken: `error`); `unsaved` (valid, but the call was all or nothing and "
        "another item failed)"))
    external_ref: str | None
    dispute: BatchDisputeOut | None
    error: BatchErrorOut | None


class DisputeBatchOut(Schema):
    mode: str
    counts: dict[str, int] = Field(description="items by outcome")
    items: list[BatchItemOut]


class DisputeActionIn(Schema):
    action: Code  # type: ignore[valid-type]
    expected_version: Annotated[StrictInt, Field(ge=1, le=2**31)]
    reason: text(2000) = ""  # type: ignore[valid-type]
    track: Code | None = None  # type: ignore[valid-type]
    mediator_ids: list[Id] = Field(default_factory=list, max_length=10)
    notice_served: StrictBool = False
    attested: list[Code] = Field(default_factory=list, max_length=20)  # type: ignore[valid-type]


class DuplicateOut(Schema):
    """The open dispute this one looked like when filed (same institution, debtor and claim):
    ``id`` and ``number`` when the caller may read it, else only its committee."""

    id: int | None
    number: str | None
    committee: str


class DisputeExplainOut(Schema):
    deadline: ExplainOut | None = Field(description=(
        "how `deadline` was computed: its start, the limit with its policy version and legal "
        "source, the counting rule, the rest days skipped by name, a roll-over, provisional "
        "or not (null without a deadline, or one no record explains)"))


class DisputeOut(Schema):
    id: int
    number: str
    state: str
    state_label: str
    track: str
    channel: str
    dispute_type: str
    committee: OrgRef
    institution: OrgRef | None
    court: OrgRef | None
    claim: ClaimOut
    received_on: dt.date
    deadline: dt.date | None
    deadline_provisional: bool
    version: int
    external_ref: str | None
    contract_ref: str
    pending_case_number: str
    parties: list[PartyOut]
    available_actions: list[str]
    probable_duplicate_of: DuplicateOut | None
    explain: DisputeExplainOut | None = Field(None, description=(
        "how the figures were computed; given by disputes_get only (absent or null in lists "
        "and in the answers to writes)"))


class DisputeListOut(Schema):
    count: int = Field(description="exact up to 2,000; beyond, the database's estimate")
    count_estimated: bool = Field(description="true when `count` is an estimate")
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on "
                                                "the last")
    items: list[DisputeOut]


class EventOut(Schema):
    """One timeline event. ``type`` is the stored string (inside the hash chain);
    ``label`` and ``description`` say it in Chinese, as the dispute page does. With
    ``dispute_id``, ``actor_id``, ``at_hashed`` and ``prev_hash`` it carries every field its
    ``hash`` covers, so a caller can recompute it (docs/audit.md)."""

    dispute_id: int
    seq: int
    type: str
    label: str
    description: str
    actor: str | None
    actor_id: int | None = Field(description="the acting user's id, as hashed (null: the "
                                             "platform)")
    at: Moment
    at_hashed: str = Field(description="the time exactly as hashed: UTC, microseconds, "
                                       "e.g. 2026-05-06T01:30:00.123456+00:00")
    state_before: str
    state_after: str
    params: dict[str, object]
    meta: dict[str, object]
    prev_hash: str = Field(description="the previous event's hash (64 zeros for the first)")
    hash: str = Field(description="SHA-256 of the canonical JSON of dispute_id, seq, type, "
                                  "actor_id, at_hashed, state_before, state_after, params, "
                                  "meta and prev_hash (docs/audit.md)")


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, object]


class FigureOut(Schema):
    key: str
    label: str
    unit: str
    value: str  # counts as digits, money as yuan with two places: never a float
    definition: str


class RateOut(Schema):
    key: str
    label: str
    value: str | None  # a percentage with two places; null where there is nothing to divide
    definition: str


class WorkingDaysOut(Schema):
    count: int
    mean: str | None
    median: str | None
    p90: int | None


class StageOut(Schema):
    stage: str
    label: str
    count: int


class StatisticsOut(Schema):
    node: int
    node_name: str
    period: str
    start: dt.date
    end: dt.date
    figures: list[FigureOut]
    rates: list[RateOut]
    working_days: WorkingDaysOut
    cohort: int
    funnel: list[StageOut]


# --- mediation: triage, team, recusals ---

class TriageSuggestionOut(Schema):
    track: str
    label: str
    reasons: list[str]


class CandidateOut(Schema):
    """A mediator the director may assign, best first, with why."""

    id: int
    name: str
    score: int
    open_load: int
    reasons: list[str]


class ExcludedCandidateOut(Schema):
    """A mediator who may not take the dispute (a conflict, a recusal, a full load)."""

    id: int
    name: str
    reasons: list[str]


class MediatorCandidatesOut(Schema):
    ranked: list[CandidateOut]
    excluded: list[ExcludedCandidateOut]


class RecusalOut(Schema):
    id: int
    mediator_id: int
    party_row_id: int  # the party that asked
    reason: str
    status: str
    decision_reason: str


# --- sessions ---

class AttendanceOut(Schema):
    party_row_id: int | None
    user_id: int | None
    name: str
    attended: bool | None  # null until the record says


class CaucusNoteOut(Schema):
    """A private note of one side: shown to that side and the mediators only."""

    id: int
    side: str
    text: str
    author: str
    at: Moment


class AttachmentOut(Schema):
    id: int
    kind: str
    name: str
    size: int
    sha256: str
    side: str  # empty: both sides see it


class RecordVersionOut(Schema):
    """An earlier text of a session's record, kept when it was corrected."""

    version: int
    text: str
    written_by: str
    written_at: Moment | None
    corrected_by: str
    corrected_at: Moment
    reason: str


class SessionOut(Schema):
    id: int
    seq: int
    mode: str
    mode_label: str
    starts_at: Moment
    place: str
    online_link: str  # "" unless a web address: a stored script is never handed on
    status: str
    status_label: str
    reschedules: int
    cancelled_at: Moment | None
    cancel_reason: str
    record: str
    record_version: int  # 0 before a record is saved
    recorded_by: str
    recorded_at: Moment | None
    record_versions: list[RecordVersionOut]
    attendance: list[AttendanceOut]
    caucus_notes: list[CaucusNoteOut]
    attachments: list[AttachmentOut]


# --- plans and offers ---

class WaiverOut(Schema):
    part: str
    amount: str
    conditional: bool


class PlanOptionsOut(Snapshot):
    method: str
    periods: int
    first_due: dt.date
    annual_rate: str
    down_payment: str
    down_payment_due: dt.date | None
    grace_periods: int
    deferral_months: int
    waive_deferral_interest: bool
    waivers: list[WaiverOut]
    due_day: int | None
    round_to: str
    label: str


class PlanFiguresOut(Snapshot):
    """A plan's figures as anyone at the table may read them."""

    settled_total: str
    regular_payment: str
    peak_payment: str
    total_paid: str
    total_interest: str
    waived_total: str
    conditional_waived: str
    charge_waiver_ratio: str
    principal_waived: str
    term_months: int
    instalments: int
    first_due: dt.date
    last_due: dt.date
    present_value: str
    discount_rate: str
    affordable: bool | None  # null without a declared budget
    income_presumed: bool
    warnings: list[str]
    revival_clause: str


class PlanFiguresDeskOut(PlanFiguresOut):
    """The figures as the mediators read them: with what the debtor could pay, which the
    creditor's side never sees."""

    max_affordable_payment: str | None
    affordability_reasons: list[str]


# The desk's shape first: a desk answer carries both fields the other lacks.
Figures = Annotated[PlanFiguresDeskOut | PlanFiguresOut, Field(union_mode="left_to_right")]


class PlanOut(Schema):
    options: PlanOptionsOut
    figures: Figures
    explain: ExplainOut | None = Field(None, description=(
        "for the mediators only: how the affordability verdict was reached — income, other "
        "debts, household, the living minimum and its source, the ratio and its limit"))


class PlanMenuItemOut(Schema):
    label: str
    periods: int
    method: str
    annual_rate: str
    charge_waiver_ratio: str  # of the claim parts waiver_parts names
    conditional: bool
    waiver_parts: list[str]
    # whose authority the line stands on, and when; null for a line published before
    # publishers were recorded
    published_by: str | None = None
    published_at: Moment | None = None


class PlanMenuOut(Schema):
    """An institution's standard plan menu as its disputes are offered it: its own lines,
    or — when it published none — those of the nearest node above it that did
    (``published_for``, and ``inherited`` is true); no lines and ``published_for`` null
    when none did."""

    institution: OrgRef
    published_for: OrgRef | None
    inherited: bool
    items: list[PlanMenuItemOut]


class ExcessOut(Schema):
    limit: str
    text: str


class ApprovalOut(Schema):
    """An approval as the creditor's side reads it: whom it asked, what the plan asked
    beyond authority, and the approver's reasons."""

    id: int
    status: str
    approver: str
    reason: str
    excesses: list[ExcessOut]


class ApprovalOutcomeOut(Schema):
    """An approval as everyone else reads it: its outcome only."""

    id: int
    status: str


Approvals = Annotated[ApprovalOut | ApprovalOutcomeOut, Field(union_mode="left_to_right")]


class OfferOut(Schema):
    id: int
    seq: int
    by: str
    side: str  # empty: an offer on the table; else the side it was made to in private
    label: str
    method: str
    status: str
    answers: int | None  # the seq of the offer this one answers
    options: PlanOptionsOut
    figures: Figures
    creditor_accepted: bool
    debtor_accepted: bool
    created_at: Moment
    approvals: list[Approvals]


class ApprovalWaitingOut(Schema):
    """A request waiting on the calling approver."""

    id: int
    dispute_id: int
    number: str
    offer: OfferOut
    requested_by: str
    excesses: list[ExcessOut]
    requested_at: Moment


class ApprovalDecisionOut(Schema):
    id: int
    status: str
    reason: str
    offer: OfferOut


# --- blind offers, budget, consent, evaluation ---

class BlindRoundOut(Schema):
    number: int
    outcome: str
    creditor_entered: bool
    debtor_entered: bool
    offer: int | None  # the seq of the offer the round proposed


class BlindRoundsOut(Schema):
    """The rounds' outcomes and who is in: never a bound."""

    rounds_allowed: int
    rounds: list[BlindRoundOut]


class BudgetOut(Schema):
    """A declared budget, as declared (only the desk declares through the API, and it reads
    them): a person's income, other debts and dependants, an enterprise's cash flow."""

    party_row_id: int
    declared_on: dt.date
    monthly_income: str | None
    other_obligations: str
    dependants: int
    monthly_cash_flow: str | None


class ConsentOut(Schema):
    id: int
    party_row_id: int
    how: str
    purpose: str


class EvaluationPathsOut(Snapshot):
    """Litigation against settlement for both sides, in yuan and months."""

    claim_total: str
    accrual_rate: str
    litigation_months: int
    enforcement_months: int
    recovery_rate: str
    discount_rate: str
    accrued_interest: str
    acceptance_fee: str
    enforcement_fee: str
    late_performance_interest: str
    lawyer_fee: str
    owed_at_recovery: str
    creditor_litigation_value: str
    debtor_litigation_cost: str
    creditor_settlement_value: str | None  # null without an offer to weigh
    debtor_settlement_cost: str | None
    summary: list[str]


class EvaluationOut(Schema):
    id: int
    expert: str
    assessment: str
    paths: EvaluationPathsOut
    offer: int | None  # the seq of the offer weighed
    created_at: Moment


# --- the agreement ---

class CheckOut(Schema):
    """One item of the court's checklist, with its legal source."""

    code: str
    label: str
    verdict: str
    verdict_label: str
    detail: str
    source: str


class SignerOut(Schema):
    key: str  # "party:<row>" or "mediator:<user>": what a signing code is asked for
    name: str
    capacity: str
    signed_at: Moment | None


class AgreementOut(Schema):
    id: int
    dispute_id: int
    version: int
    status: str
    status_label: str
    digest: str
    content: dict[str, Any] = Field(description=(
        "The agreement's text exactly as stored and signed: `digest` is the SHA-256 of its "
        "canonical JSON (keys sorted, no spaces, UTF-8)."))
    effective_at: Moment | None
    document_id: int | None
    signers: list[SignerOut]
    checklist: list[CheckOut]


class SigningCodeOut(Schema):
    """Where a code went (masked) and until when it works; never the code."""

    signer: str
    to: str
    expires_at: Moment


class SignatureOut(Schema):
    signer: str
    name: str
    digest: str
    signed_at: Moment


# --- judicial confirmation ---

class ConfirmationOut(Schema):
    id: int
    dispute_id: int
    agreement_id: int
    court: OrgRef
    status: str
    status_label: str
    filed_at: Moment
    window_ends: dt.date
    case_number: str
    decide_by: dt.date | None
    decided_at: Moment | None
    attested: list[str]
    reasons: str
    application_document_id: int | None
    ruling_document_id: int | None


class ConfirmationReviewOut(ConfirmationOut):
    """The application with the checklist the judge reviews."""

    checklist: list[CheckOut]


# --- performance ---

class PaymentOut(Schema):
    id: int
    reference: str
    paid_on: dt.date
    amount: str
    source: str
    source_label: str
    # the payment went beyond what was owed, as the recorder stated the debtor meant (a
    # statement on a payment within what was owed is not kept: false)
    surplus_intended: bool
    reversed_at: Moment | None  # reversed by the desk: it counts no more
    reversed_by: str
    reversal_reason: str


class PaymentRecordedOut(PaymentOut):
    surplus: str  # of this payment, beyond everything owed: to refund


class PaymentListOut(Schema):
    count: int
    items: list[PaymentOut]


class PaymentLineErrorOut(Schema):
    line: int
    message: str


class PaymentLineOut(Schema):
    """What became of one line of a payments file."""

    line: int
    dispute: str
    reference: str
    status: str  # created, repeated, refused, not_recorded (the file had other errors)
    status_label: str
    code: str  # the error's code when refused
    message: str
    surplus: str


class PaymentsFileOut(Schema):
    """A CSV of payments: all or nothing; a file sent again records nothing new; every line
    answered in ``rows``."""

    created: int
    repeated: int
    errors: list[PaymentLineErrorOut]
    rows: list[PaymentLineOut]


class InstalmentOut(Schema):
    number: int
    due_on: dt.date  # after default: the day of acceleration, for those not yet due then
    scheduled_on: dt.date | None  # the agreed due date, when acceleration moved it
    amount: str
    paid: str
    status: str
    status_label: str
    paid_late: bool


class LateDayOut(Snapshot):
    number: int
    from_: dt.date = Field(alias="from")
    to: dt.date
    base: str
    days: int


class EnforcementBreakdownOut(Snapshot):
    """What the creditor may ask the court to enforce, part by part."""

    principal: str
    interest: str
    arrears: str
    revived: str
    late_interest: str
    costs: str
    interest_not_accrued: str
    late_days: list[LateDayOut]


class EnforcementOut(Schema):
    status: str
    accelerated_on: dt.date
    as_of: dt.date
    total: str
    breakdown: EnforcementBreakdownOut
    last_day: dt.date  # the last day to apply to the court (CPL Art. 250)
    document_id: int | None
    explain: ExplainOut | None = Field(None, description=(
        "how `total` was computed on `as_of`: the acceleration, each payment's allocation, "
        "the revived concessions, the doubled interest stretch by stretch"))


class CreditRepairOut(Schema):
    letter_id: int
    confirmed_at: Moment | None
    note: str


class FollowUpOut(Schema):
    id: int
    due_on: dt.date
    method: str
    done_at: Moment | None
    note: str
    cancelled_at: Moment | None  # enforcement applied for: no more visits
    cancel_reason: str


class PerformanceOut(Schema):
    as_of: dt.date
    total_due: str
    total_paid: str
    outstanding: str
    overdue: str
    surplus: str
    to_refund: str  # paid beyond everything owed (after default, with the revived and
    # doubled interest): the debtor's money
    instalments: list[InstalmentOut]
    payments: list[PaymentOut]  # the first page; payments_list gives every page
    payments_count: int
    enforcement: EnforcementOut | None
    credit_repair: CreditRepairOut | None
    follow_ups: list[FollowUpOut]
    explain: ExplainOut | None = Field(None, description=(
        "how `outstanding` was computed: the allocation order, each payment's allocation to "
        "instalments and parts, the acceleration"))


# --- documents ---

class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    template_version: str
    docx_sha256: str
    pdf_sha256: str
    created_at: Moment
