"""The batch API's items as the intake service takes them: each checked against the shape of
``POST /disputes`` on its own, its organisations read once for the whole call."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from jintiao.api.schemas import DisputeIntakeIn
from jintiao.disputes.intake_batch import IntakeRequest
from jintiao.disputes.models import CLAIM_FIELDS, PartyRole
from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.intake import IntakeInvalid
from jintiao.orgs.models import Organization
from jintiao.parties.models import PartyKind
from jintiao.parties.services import PARTICULARS, PartyInput


class ItemInvalid(DomainError):
    code = ErrorCode.VALIDATION_ERROR


def _shape_error(exc: ValidationError) -> ItemInvalid:
    places = [".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()]
    return ItemInvalid(f"本项内容不符合要求：{'、'.join(places) or '格式'}不正确",
                       f"the item does not fit DisputeIntakeIn: {', '.join(places)}",
                       field=places[0] if places else "")


def requests_of(items: list[dict[str, Any]]) -> list[IntakeRequest | DomainError]:
    """Each item as an :class:`IntakeRequest`, or the error that refuses it alone."""
    parsed: list[DisputeIntakeIn | DomainError] = []
    for raw in items:
        try:
            parsed.append(DisputeIntakeIn.model_validate(raw))
        except ValidationError as exc:
            parsed.append(_shape_error(exc))
    ids = {i for p in parsed if isinstance(p, DisputeIntakeIn)
           for i in (p.committee_id, p.institution_id, p.court_id) if i is not None}
    orgs = Organization.objects.in_bulk(ids)
    return [p if isinstance(p, DomainError) else _request(p, orgs) for p in parsed]


def _request(p: DisputeIntakeIn, orgs: dict[int, Organization]) -> IntakeRequest | DomainError:
    committee = orgs.get(p.committee_id)
    if committee is None:
        return IntakeInvalid("调委会不存在", "committee not found", field="committee_id")
    institution = orgs.get(p.institution_id) if p.institution_id is not None else None
    if p.institution_id is not None and institution is None:
        return IntakeInvalid("金融机构不存在", "institution not found", field="institution_id")
    court = orgs.get(p.court_id) if p.court_id is not None else None
    if p.court_id is not None and court is None:
        return IntakeInvalid("法院不存在", "court not found", field="court_id")
    claim = ClaimBreakdown(as_of=p.claim.as_of,
                           **{f: Decimal(getattr(p.claim, f)) for f in CLAIM_FIELDS})
    parties = [(PartyInput(PartyKind(party.kind), party.name, party.id_number,
                           phone=party.phone, **{f: getattr(party, f) for f in PARTICULARS}),
                PartyRole(party.role)) for party in p.parties]
    return IntakeRequest(
        committee=committee, channel=p.channel, dispute_type=p.dispute_type, claim=claim,
        parties=parties, institution=institution, court=court, external_ref=p.external_ref,
        summary=p.summary, received_on=p.received_on, notice_served=p.notice_served,
        contract_ref=p.contract_ref, pending_case_number=p.pending_case_number,
        charges_since=p.claim.charges_since)
