"""Batch actions on many disputes (issue 20 §4): accept, propose an assignment, assign. Each
dispute goes through the single action's service in its own transaction; the answer lists
every dispute with its outcome. Thin: parse, call :mod:`jintiao.mediation.batch`, shape."""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field, StrictBool

from jintiao.api.schemas import ErrorOut
from jintiao.domain.lifecycle import Action
from jintiao.mediation import batch
from jintiao.mediation.services import MediationInvalid
from jintiao.orgs.models import User
from jintiao.outreach import batch as outreach_batch

router = Router(tags=["disputes"])
ERRORS: dict[int, type] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


# an id and a version as their columns hold them (the fuzzer's 10**38 was a 500)
DisputeKey = Annotated[int, Field(ge=1, le=2**53)]
VersionSeen = Annotated[int, Field(ge=0, le=2**31 - 1)]


class DisputeBatchActionIn(Schema):
    """``accept``: accept each dispute (``notice_served``: your word that the parties were
    told of the non-litigation ways, as on a single acceptance; without it only disputes
    whose intake recorded the notice are accepted). ``assign_propose``: the rule's lead and
    track for each, changing nothing. ``assign``: propose and assign at once. ``versions``
    maps a dispute's id to the version you read: one changed since is refused
    (``conflict``)."""

    action: Literal["accept", "assign_propose", "assign"]
    ids: list[DisputeKey] = Field(min_length=1, max_length=batch.SYNC_MAX)
    versions: dict[DisputeKey, VersionSeen] = Field(default_factory=dict)
    notice_served: StrictBool = False
    # accept: text each party but the creditor the options notice (告知书), generated per
    # dispute; a dispute whose notice cannot go (no mobile, night, contact caps) is refused
    notice_by_text: StrictBool = False


class DisputeBatchItemOut(Schema):
    id: int
    number: str  # empty for a dispute you may not see
    status: Literal["ok", "refused", "proposed"]
    code: str  # the refusal's stable code, as a single action would answer it
    message: str  # the refusal in Chinese, or what was done
    track: str | None = None
    lead_id: int | None = None
    lead_name: str | None = None
    why: list[str] = Field(default_factory=list)


class DisputeBatchActionOut(Schema):
    action: str
    done: int
    refused: int
    items: list[DisputeBatchItemOut]


def _proposal_out(p: batch.Proposal) -> DisputeBatchItemOut:
    return DisputeBatchItemOut(
        id=p.id, number=p.number, status="proposed" if p.ok else "refused", code=p.code,
        message=p.message or ("" if not p.ok else f"拟指派{p.lead_name}"),
        track=p.track or None, lead_id=p.lead, lead_name=p.lead_name or None,
        why=[*p.track_why, *p.why])


@router.post("/batch-actions", response={200: DisputeBatchActionOut, **ERRORS},
             operation_id="disputes_batch_action")
def disputes_batch_action(request: HttpRequest,
                          payload: DisputeBatchActionIn) -> DisputeBatchActionOut:
    """Accept, or assign, up to 200 disputes in one request. Each dispute is its own
    transaction and its own timeline event; a dispute refused (wrong state, not yours to
    see, changed since ``versions``, no mediator free of conflict…) is listed with the code
    and message its single action would answer, and never stops the others. The caller
    must hold the action's role: a clerk or director accepts, a director assigns (403
    otherwise). An assignment names, for each dispute, the lead its own committee's
    mediators offer — never another committee's — free of conflict and recusal, expertise
    first and the load balanced across the batch."""
    viewer: User = request.auth  # type: ignore[attr-defined]
    if payload.action == "accept" and payload.notice_by_text:
        outcomes = outreach_batch.batch_accept_texting(actor=viewer, dispute_ids=payload.ids,
                                                       versions=payload.versions)
        items = [DisputeBatchItemOut(**o.as_dict()) for o in outcomes]
    elif payload.action == "accept":
        outcomes = batch.batch_accept(actor=viewer, dispute_ids=payload.ids,
                                      notice_served=payload.notice_served,
                                      versions=payload.versions)
        items = [DisputeBatchItemOut(**o.as_dict()) for o in outcomes]
    else:
        if payload.notice_served or payload.notice_by_text:
            raise MediationInvalid("指派调解员不需要告知选项", "notice_served is for accept",
                                   field="notice_served")
        proposals = batch.batch_assign_propose(actor=viewer, dispute_ids=payload.ids)
        proposals = [p if payload.versions.get(p.id) is None
                     else batch.Proposal(**{**p.__dict__, "version": payload.versions[p.id]})
                     for p in proposals]
        if payload.action == "assign_propose":
            items = [_proposal_out(p) for p in proposals]
        else:
            shown = {p.id: p for p in proposals}
            items = []
            for o in batch.batch_assign(actor=viewer, proposals=proposals):
                p = shown[o.id]
                items.append(DisputeBatchItemOut(
                    **o.as_dict(), track=p.track or None, lead_id=o.lead,
                    lead_name=p.lead_name if o.ok else None, why=[*p.track_why, *p.why]))
    done = sum(1 for i in items if i.status != "refused")
    return DisputeBatchActionOut(action=Action.ACCEPT.value if payload.action == "accept"
                           else payload.action, done=done, refused=len(items) - done,
                           items=items)
