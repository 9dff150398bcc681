"""Request and response shapes of the API. Money travels as strings with two decimals:
a JSON number is a float, and a float has already lost the fen."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import Field, StrictBool, StrictInt, StringConstraints

# Ids and counts the database can hold: anything larger is a 422, never an overflow.
Id = Annotated[StrictInt, Field(ge=1, le=2**53)]
# PostgreSQL cannot store NUL in text: refuse it at the edge (422), never reach a 500.
NO_NUL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # nor other control characters


def text(max_length: int, min_length: int = 0) -> object:
    """A string field without NUL characters, within the given length."""
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length,
                                            strip_whitespace=True, pattern=NO_NUL)]


Money = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,16}(\.[0-9]{1,2})?$")]
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


class PartyIn(Schema):
    kind: Annotated[str, StringConstraints(pattern=r"^(person|entity)$")]
    name: Name  # type: ignore[valid-type]
    id_number: text(40, min_length=1)  # type: ignore[valid-type]
    phone: text(20) = ""  # type: ignore[valid-type]
    role: Annotated[str, StringConstraints(pattern=r"^(creditor|debtor|guarantor)$")]


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
    id_masked: str
    phone_masked: str
    representatives: list[RepresentativeOut]


class RepresentativeIn(Schema):
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
    parties: list[PartyOut]
    available_actions: list[str]
    probable_duplicate_of: DuplicateOut | None


class DisputeListOut(Schema):
    count: int
    items: list[DisputeOut]


class EventOut(Schema):
    seq: int
    type: str
    actor: str | None
    at: dt.datetime
    state_before: str
    state_after: str
    params: dict[str, object]
    meta: dict[str, object]
    hash: str


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
