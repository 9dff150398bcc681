"""Request and response shapes of the API. Money travels as strings with two decimals:
a JSON number is a float, and a float has already lost the fen."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import Field, StrictBool, StrictInt, StringConstraints

# Ids and counts the database can hold: anything larger is a 422, never an overflow.
Id = Annotated[StrictInt, Field(ge=1, le=2**53)]
Money = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,16}(\.[0-9]{1,2})?$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


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
    name: Name
    id_number: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    phone: Annotated[str, StringConstraints(max_length=20)] = ""
    role: Annotated[str, StringConstraints(pattern=r"^(creditor|debtor|guarantor)$")]


class PartyOut(Schema):
    name: str
    kind: str
    role: str
    id_masked: str
    phone_masked: str


class DisputeIntakeIn(Schema):
    committee_id: Id
    channel: str
    dispute_type: str
    claim: ClaimIn
    parties: list[PartyIn] = Field(min_length=2, max_length=20)
    institution_id: Id | None = None
    court_id: Id | None = None
    external_ref: Annotated[str, StringConstraints(max_length=100)] | None = None
    summary: Annotated[str, StringConstraints(max_length=5000)] = ""


class DisputeActionIn(Schema):
    action: str
    expected_version: Annotated[StrictInt, Field(ge=1, le=2**31)]
    reason: Annotated[str, StringConstraints(max_length=2000)] = ""
    track: str | None = None
    mediator_ids: list[Id] = Field(default_factory=list, max_length=10)
    notice_served: StrictBool = False
    attested: list[str] = Field(default_factory=list, max_length=20)


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
