"""Disputes: list, detail, intake, actions, timeline. Each handler parses, calls one
selector or service, and shapes the answer."""

from __future__ import annotations

import base64
import binascii
import json
from decimal import Decimal
from typing import Annotated, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from jintiao import clock, paging
from jintiao.api.explain import explain_out
from jintiao.api.intake_items import requests_of
from jintiao.api.schemas import (
    BatchDisputeOut,
    BatchErrorOut,
    BatchItemOut,
    Code,
    DisputeActionIn,
    DisputeBatchIn,
    DisputeBatchOut,
    DisputeExplainOut,
    DisputeIntakeIn,
    DisputeListOut,
    DisputeOut,
    ErrorOut,
    EventOut,
    PartyUpdateIn,
    RepresentativeAppointIn,
    text,
)
from jintiao.disputes.access import dispute_get_for, standing_of
from jintiao.disputes.intake_batch import dispute_intake_many, outcome_counts
from jintiao.disputes.models import (
    Channel,
    Dispute,
    DisputeParty,
    DisputeRepresentative,
    DisputeType,
    PartyRole,
)
from jintiao.disputes.particulars import party_update
from jintiao.disputes.selectors import (
    dispute_list,
    due_soon_until,
    probable_duplicate_seen_by,
    with_organizations,
    with_team,
)
from jintiao.disputes.services import (
    CLAIM_FIELDS,
    RepresentativeInvalid,
    Scan,
    dispute_intake,
    representative_appoint,
)
from jintiao.domain import events, lifecycle
from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.intake import IntakeInvalid
from jintiao.domain.lifecycle import Action, State
from jintiao.domain.policy import Track
from jintiao.domain.representation import Authority, Relation, may_settle
from jintiao.mediation.services import action_apply
from jintiao.orgs.models import Organization, User
from jintiao.outreach.selectors import events_seen_by
from jintiao.parties.models import PartyKind
from jintiao.parties.services import PARTICULARS, PartyInput
from jintiao.performance import explain as explaining
from jintiao.timeline.hashing import moment
from jintiao.timeline.models import Event

# The party's record as the API shows it: particulars, the representative's number masked.
PARTY_PARTICULARS_OUT = ("id_type", "sex", "ethnicity", "address", "residence",
                         "occupation", "rep_role", "rep_name", "rep_title", "rep_id_masked",
                         "version")


router = Router(tags=["disputes"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                          409: ErrorOut, 422: ErrorOut}


class DisputeFilters(Schema):
    state: Code | None = None  # type: ignore[valid-type]
    dispute_type: Code | None = None  # type: ignore[valid-type]
    channel: Code | None = None  # type: ignore[valid-type]
    committee_id: Annotated[int, Field(ge=1, le=2**53)] | None = None
    institution_id: Annotated[int, Field(ge=1, le=2**53)] | None = None
    overdue: bool = False
    due_soon: bool = False
    mine: bool = False
    q: text(100) | None = None  # type: ignore[valid-type]
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    offset: Annotated[int, Field(ge=0, le=10**7, description=(
        "rows to skip, at most the list's count cap (2,000) in all; page further with "
        "`cursor`"))] = 0
    cursor: Annotated[str, Field(max_length=200, description=(
        "the `next_cursor` of the page before: the next page starts after its last row "
        "(newest received first), at the cost of the first page however deep"))] | None = None


DisputeId = Annotated[int, Path(ge=1, le=2**53)]


def _org(org: Organization | None) -> dict[str, Any] | None:
    return None if org is None else {"id": org.pk, "name": org.name, "kind": org.kind}


def dispute_out(dispute: Dispute, viewer: User) -> DisputeOut:
    """Shape a dispute for the API; parties appear masked, never with their numbers."""
    return DisputeOut.model_validate(
        _dispute_dict(dispute, viewer, _parties_of([dispute.pk]).get(dispute.pk, [])))


def _parties_of(dispute_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The parties of these disputes as the API shows them, masked, with their
    representatives: two reads of plain values for a whole page, in the order they were
    added (the list built them from prefetched models, a copy of a query per row)."""
    particulars = [f"party__{f}" for f in PARTY_PARTICULARS_OUT]
    reps: dict[int, list[dict[str, Any]]] = {}
    for rep in (DisputeRepresentative.objects
                .filter(party_row__dispute_id__in=dispute_ids).order_by("pk")
                .values("party_row_id", "person__name", "relation", "authority",
                        "person__id_masked", "person__phone_masked", "signed_on",
                        "valid_until")):
        reps.setdefault(rep["party_row_id"], []).append({
            "name": rep["person__name"], "relation": rep["relation"],
            "authority": rep["authority"], "may_settle": may_settle(Authority(rep["authority"])),
            "id_masked": rep["person__id_masked"], "phone_masked": rep["person__phone_masked"],
            "signed_on": rep["signed_on"], "valid_until": rep["valid_until"]})
    found: dict[int, list[dict[str, Any]]] = {}
    for row in (DisputeParty.objects.filter(dispute_id__in=dispute_ids).order_by("pk")
                .values("pk", "dispute_id", "role", "party__name", "party__kind",
                        "party__id_masked", "party__phone_masked", "party__birth_date",
                        *particulars)):
        born = row["party__birth_date"]
        found.setdefault(row["dispute_id"], []).append({
            "id": row["pk"], "name": row["party__name"], "kind": row["party__kind"],
            "role": row["role"], "id_masked": row["party__id_masked"],
            "phone_masked": row["party__phone_masked"],
            **{f: row[f"party__{f}"] for f in PARTY_PARTICULARS_OUT},
            "birth_year": born.year if born else None,
            "representatives": reps.get(row["pk"], [])})
    return found


def _dispute_dict(dispute: Dispute, viewer: User,
                  parties: list[dict[str, Any]]) -> dict[str, Any]:
    """A dispute in the shape of :class:`DisputeOut` (one builder for the list and for
    one dispute)."""
    me = standing_of(viewer, dispute)
    actions = {a.value for a in me.takes if not lifecycle.taken_through_records(a)}
    claim = {f: f"{getattr(dispute, f):.2f}" for f in CLAIM_FIELDS}
    total = sum((getattr(dispute, f) for f in CLAIM_FIELDS), Decimal(0))
    duplicate = probable_duplicate_seen_by(viewer, dispute)
    return {
        "id": dispute.pk, "number": dispute.number, "state": dispute.state,
        "state_label": str(State(dispute.state).label), "track": dispute.track,
        "channel": dispute.channel, "dispute_type": dispute.dispute_type,
        "committee": _org(dispute.committee), "institution": _org(dispute.institution),
        "court": _org(dispute.court),
        "claim": {"as_of": dispute.claim_as_of, **claim, "total": f"{total:.2f}",
                  "charges_since": dispute.charges_since},
        "received_on": dispute.received_on, "deadline": dispute.deadline,
        "deadline_provisional": dispute.deadline_provisional, "version": dispute.version,
        "external_ref": dispute.external_ref, "contract_ref": dispute.contract_ref,
        "pending_case_number": dispute.pending_case_number,
        "parties": parties,
        "available_actions": sorted(actions),
        "probable_duplicate_of": None if duplicate is None else {
            "id": duplicate.dispute_id, "number": duplicate.number or None,
            "committee": duplicate.committee},
    }


def _decoded(text: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise RepresentativeInvalid("授权委托书扫描件不是有效的Base64编码", "scan is not base64",
                                    field="scan_base64") from None


def _choice(value: str, choices: type, label: str) -> Any:
    try:
        return choices(value)
    except ValueError:
        raise IntakeInvalid(f"{label}无效：{value}", f"unknown {label}: {value}") from None


BATCH_EXAMPLE = {"mode": "valid_only", "items": [
    {"committee_id": 4, "institution_id": 2, "channel": "institution_application",
     "dispute_type": "credit_card", "external_ref": "XYK-2026-000123",
     "claim": {"as_of": "2026-11-30", "principal": "48500.00", "interest": "3210.55"},
     "parties": [
         {"role": "creditor", "kind": "entity", "name": "某商业银行股份有限公司黔东南分行",
          "id_number": "91522600MA6DM3XX3X"},
         {"role": "debtor", "kind": "person", "name": "张三", "id_number": "522601199001011234",
          "phone": "13800000000", "address": "贵州省凯里市北京东路1号"}]},
    {"committee_id": 4, "institution_id": 2, "channel": "institution_application",
     "dispute_type": "consumer_loan", "external_ref": "XF-2026-004567",
     "claim": {"as_of": "2026-11-30", "principal": "120000.00"},
     "parties": [
         {"role": "creditor", "kind": "entity", "name": "某商业银行股份有限公司黔东南分行",
          "id_number": "91522600MA6DM3XX3X"},
         {"role": "debtor", "kind": "person", "name": "李四", "id_number": "522601198505054321"}]},
]}


# the API's list is newest received first, paged by (received_on, id): the index
# dispute_received, or dispute_committee_state under a committee, serves it
LIST_ORDER = paging.Keyset("received_on", descending=True)


@router.get("", response={200: DisputeListOut, **ERRORS}, operation_id="disputes_list")
def disputes_list(request: HttpRequest, filters: Query[DisputeFilters]) -> HttpResponse:
    """The viewer's disputes, newest received first. ``count`` is exact up to 2,000; beyond
    it is the database's estimate and ``count_estimated`` is true. Page with ``offset`` up
    to 2,000 rows deep, or through the whole list with ``cursor`` (``next_cursor`` is null
    on the last page)."""
    viewer: User = request.auth  # type: ignore[attr-defined]
    limit, offset = filters.limit, filters.offset
    if filters.cursor and offset:
        raise paging.CursorInvalid("cursor 与 offset 不能同时使用：cursor 已指明从哪里继续",
                                   "give either cursor or offset, not both", field="offset")
    if offset > paging.CAP:
        raise paging.PageTooDeep(
            f"offset 最多 {paging.CAP}：更深的页请用上一页的 next_cursor 继续，"
            "或加筛选条件缩小范围",
            f"offset is at most {paging.CAP}; page on with next_cursor or narrow the list",
            field="offset", limit=paging.CAP)
    today = clock.today()
    rows = with_team(dispute_list(
        viewer, state=filters.state, dispute_type=filters.dispute_type, channel=filters.channel,
        committee_id=filters.committee_id, institution_id=filters.institution_id,
        overdue_on=today if filters.overdue else None, text=filters.q, mine=filters.mine,
        due_between=(today, due_soon_until(viewer, today)) if filters.due_soon else None,
    ), viewer)
    counted = paging.capped_count(rows)
    page, after = paging.keyset_page(rows, LIST_ORDER, filters.cursor, limit, offset)
    with_organizations(page)
    parties = _parties_of([d.pk for d in page])
    body = {"count": counted.count, "count_estimated": counted.estimated,
            "next_cursor": after,
            "items": [_dispute_dict(d, viewer, parties.get(d.pk, [])) for d in page]}
    # the items are built by the same function as one dispute's, which DisputeOut
    # validates; answered as they are, not validated again field by field (that took half
    # of a 50-row page's time — issue 19 §1). tests/api test the answer against the schema.
    return HttpResponse(json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
                        content_type="application/json; charset=utf-8")


def _given_ref(item: dict[str, Any]) -> str | None:
    """The reference an item gave, as it gave it (an item of any shape may be answered)."""
    ref = item.get("external_ref")
    return ref if isinstance(ref, str) and ref else None


@router.post("/batch", response={200: DisputeBatchOut, **ERRORS},
             operation_id="disputes_intake_batch", openapi_extra={"requestBody": {"content": {
                 "application/json": {"examples": {"two card debts": {"value": BATCH_EXAMPLE}}}}}})
def disputes_intake_batch(request: HttpRequest, payload: DisputeBatchIn) -> DisputeBatchOut:
    """File up to 1,000 disputes in one call, each by the rules of ``POST /disputes``, and
    answer one result per item in their order: ``created``, ``existing`` (the bank's
    reference filed before, or earlier in the call, with the same content — sending a batch
    again files nothing twice), ``conflict`` (the reference filed with other content; the
    differing fields are named and nothing changes), ``refused`` (code, message and field of
    the rule broken) or ``unsaved`` (all or nothing, and another item failed)."""
    viewer: User = request.auth  # type: ignore[attr-defined]
    requests = requests_of(payload.items)
    results = dispute_intake_many(actor=viewer, items=requests,
                                  all_or_nothing=payload.mode == "all_or_nothing")
    return DisputeBatchOut(mode=payload.mode, counts=outcome_counts(results), items=[
        BatchItemOut(
            index=r.index, outcome=r.outcome.value,
            external_ref=_given_ref(payload.items[r.index]),
            dispute=(None if r.dispute is None
                     else BatchDisputeOut(id=r.dispute.pk, number=r.dispute.number)),
            error=None if r.error is None else BatchErrorOut(**{
                k: v for k, v in r.error.as_dict().items() if k != "message_en"}))
        for r in results])


@router.get("/{dispute_id}", response={200: DisputeOut, **ERRORS}, operation_id="disputes_get")
def disputes_get(request: HttpRequest, dispute_id: DisputeId) -> DisputeOut:
    viewer: User = request.auth  # type: ignore[attr-defined]
    dispute = dispute_get_for(viewer, dispute_id)
    out = dispute_out(dispute, viewer)
    out.explain = DisputeExplainOut(deadline=explain_out(explaining.deadline_explained(dispute)))
    return out


@router.post("", response={201: DisputeOut, 200: DisputeOut, **ERRORS},
             operation_id="disputes_intake")
def disputes_intake(request: HttpRequest, payload: DisputeIntakeIn) -> Status[DisputeOut]:
    """Register a dispute; a repeat of an institution's own reference returns the first (200)."""
    viewer: User = request.auth  # type: ignore[attr-defined]
    committee = Organization.objects.filter(pk=payload.committee_id).first()
    if committee is None:
        raise IntakeInvalid("调委会不存在", "committee not found")
    institution = (Organization.objects.filter(pk=payload.institution_id).first()
                   if payload.institution_id is not None else None)
    court = (Organization.objects.filter(pk=payload.court_id).first()
             if payload.court_id is not None else None)
    claim = ClaimBreakdown(as_of=payload.claim.as_of,
                           **{f: Decimal(getattr(payload.claim, f)) for f in CLAIM_FIELDS})
    parties = [(PartyInput(_choice(p.kind, PartyKind, "当事人类别"), p.name, p.id_number,
                           phone=p.phone, **{f: getattr(p, f) for f in PARTICULARS}),
                _choice(p.role, PartyRole, "当事人地位"))
               for p in payload.parties]
    dispute, created = dispute_intake(
        actor=viewer, committee=committee, channel=_choice(payload.channel, Channel, "来源渠道"),
        dispute_type=_choice(payload.dispute_type, DisputeType, "纠纷类型"), claim=claim,
        parties=parties, institution=institution, court=court,
        external_ref=payload.external_ref, summary=payload.summary,
        received_on=payload.received_on, notice_served=payload.notice_served,
        contract_ref=payload.contract_ref, pending_case_number=payload.pending_case_number,
        charges_since=payload.claim.charges_since,
    )
    shown = dispute_get_for(viewer, dispute.pk)
    return Status(201 if created else 200, dispute_out(shown, viewer))


@router.post("/{dispute_id}/actions", response={200: DisputeOut, **ERRORS},
             operation_id="disputes_apply_action")
def disputes_apply_action(request: HttpRequest, dispute_id: DisputeId,
                          payload: DisputeActionIn) -> DisputeOut:
    viewer: User = request.auth  # type: ignore[attr-defined]
    action = _choice(payload.action, Action, "操作")
    track = _choice(payload.track, Track, "程序") if payload.track else None
    mediators = list(User.objects.filter(pk__in=payload.mediator_ids))
    if len(mediators) != len(set(payload.mediator_ids)):
        raise IntakeInvalid("指定的调解员不存在", "unknown mediator")
    action_apply(actor=viewer, dispute_id=dispute_id, action=action,
                         expected_version=payload.expected_version, reason=payload.reason,
                         track=track, mediators=mediators, notice_served=payload.notice_served,
                         attested=payload.attested)
    return dispute_out(dispute_get_for(viewer, dispute_id), viewer)


@router.post("/{dispute_id}/representatives", response={201: DisputeOut, **ERRORS},
             operation_id="disputes_appoint_representative")
def disputes_appoint_representative(request: HttpRequest, dispute_id: DisputeId,
                                    payload: RepresentativeAppointIn) -> Status[DisputeOut]:
    """Record a representative for one of the dispute's parties (the committee's desk)."""
    viewer: User = request.auth  # type: ignore[attr-defined]
    representative_appoint(
        actor=viewer, dispute_id=dispute_id, expected_version=payload.expected_version,
        party_row_id=payload.party_row_id,
        person=PartyInput(PartyKind.PERSON, payload.name, payload.id_number,
                          phone=payload.phone),
        relation=_choice(payload.relation, Relation, "代理人身份"),
        authority=_choice(payload.authority, Authority, "代理权限"),
        signed_on=payload.signed_on, valid_until=payload.valid_until, matters=payload.matters,
        scan=Scan(payload.scan_name, _decoded(payload.scan_base64)))
    return Status(201, dispute_out(dispute_get_for(viewer, dispute_id), viewer))


@router.patch("/{dispute_id}/parties/{party_row_id}", response={200: DisputeOut, **ERRORS},
              operation_id="disputes_update_party")
def disputes_update_party(request: HttpRequest, dispute_id: DisputeId, party_row_id: DisputeId,
                          payload: PartyUpdateIn) -> DisputeOut:
    """Correct or complete one party's particulars (the committee's desk). Only the fields
    given change; ``expected_version`` is the party's ``version`` as last read (409 if it
    changed since). The name and the identity number cannot be changed here."""
    viewer: User = request.auth  # type: ignore[attr-defined]
    changes = payload.model_dump(exclude_unset=True)
    expected = changes.pop("expected_version")
    party_update(actor=viewer, dispute_id=dispute_id, party_row_id=party_row_id,
                 expected_version=expected,
                 changes={k: ("" if v is None and k != "birth_date" else v)
                          for k, v in changes.items()})
    return dispute_out(dispute_get_for(viewer, dispute_id), viewer)


@router.get("/{dispute_id}/timeline", response={200: list[EventOut], **ERRORS},
            operation_id="disputes_timeline")
def disputes_timeline(request: HttpRequest, dispute_id: DisputeId) -> list[EventOut]:
    viewer: User = request.auth  # type: ignore[attr-defined]
    dispute = dispute_get_for(viewer, dispute_id)
    return [_event_out(e) for e in events_seen_by(standing_of(viewer, dispute))]


def _event_out(e: Event) -> EventOut:
    """The stored event, with its label and description from the event registry."""
    declared = events.lookup(e.type)
    return EventOut(dispute_id=e.dispute_id, seq=e.seq, type=e.type, label=declared.label,
                    description=declared.describe(e.params),
                    actor=str(e.actor) if e.actor else None, actor_id=e.actor_id, at=e.at,
                    at_hashed=moment(e.at), state_before=e.state_before,
                    state_after=e.state_after, params=e.params, meta=e.meta,
                    prev_hash=e.prev_hash, hash=e.hash)
