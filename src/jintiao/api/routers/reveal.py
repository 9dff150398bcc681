"""A party's full identity number or mobile, for the committee's desk and the court, on a
request with a reason: the one service (jintiao.disputes.reveal) puts it on the timeline.
The answer is never stored by a cache on the way (Cache-Control: no-store)."""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Path, Router, Schema
from pydantic import Field

from jintiao.api.routers.disputes import ERRORS, DisputeId
from jintiao.api.schemas import text
from jintiao.disputes.reveal import party_reveal
from jintiao.domain.disclosure import NOTE_MAX
from jintiao.orgs.models import User

router = Router(tags=["disputes"])
PartyRowId = Annotated[int, Path(ge=1, le=2**53)]


class PartyRevealIn(Schema):
    fields: list[Literal["id_number", "phone"]] = Field(
        ..., min_length=1, max_length=2, description="证件号码 id_number、手机号码 phone")
    reason: Literal["verify_identity", "contact_or_serve", "prepare_documents",
                    "court_review", "other"] = Field(
        ..., description="核验当事人身份、联系当事人或送达文书、制作或核对法律文书、"
                         "司法确认立案或审查、其他")
    note: text(NOTE_MAX) = Field(..., description="具体说明（至少4个字，不含任何号码）")  # type: ignore[valid-type]


class PartyRevealedOut(Schema):
    party_row_id: int
    name: str
    id_number: str | None  # None: not asked for
    phone: str | None


@router.post("/disputes/{dispute_id}/parties/{party_row_id}/reveal",
             response={200: PartyRevealedOut, **ERRORS}, operation_id="party_reveal")
def reveal(request: HttpRequest, response: HttpResponse, dispute_id: DisputeId,
           party_row_id: PartyRowId, body: PartyRevealIn) -> PartyRevealedOut:
    """The numbers asked for, once; the request (never the numbers) goes on the timeline.
    Needs the token's ``read`` scope and the role: the committee's desk or the court."""
    actor: User = request.auth  # type: ignore[attr-defined]
    shown = party_reveal(actor=actor, dispute_id=dispute_id, party_row_id=party_row_id,
                         fields=body.fields, reason=body.reason, note=body.note)
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return PartyRevealedOut(party_row_id=shown.party_row_id, name=shown.name,
                            id_number=shown.id_number, phone=shown.phone)
