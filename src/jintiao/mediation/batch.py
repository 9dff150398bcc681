"""Batch work at the committee's desk (issue 20 §4): the clerk accepts many received
disputes in one action, the director assigns many by a rule after seeing the team it
proposes for each.

Nothing here decides whether one dispute may be accepted or assigned: each dispute goes
through the single action's service (:func:`jintiao.mediation.services.action_apply`, and
:func:`~jintiao.mediation.services.dispute_triage` for a track not yet chosen) in a
transaction of its own, so the rules stay in one place and each dispute gets its own
timeline event. A refusal — the service's :class:`DomainError`, with its stable code and its
Chinese message — is that dispute's outcome and never stops the others.

A batch the desk starts from the workbench is a :class:`BatchRun` worked through by a
background task (:mod:`jintiao.mediation.tasks`) that records each dispute's outcome in the
same transaction as its change, so its page shows the progress and a run taken up again does
only what is still pending. The API answers up to :data:`SYNC_MAX` disputes in the request.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from jintiao import clock
from jintiao.disputes.access import (
    DisputeNotFound,
    PermissionDenied,
    RecordNotFound,
    dispute_visible_to,
    may_batch,
    standing_of,
)
from jintiao.disputes.models import Dispute
from jintiao.disputes.services import MediatorInvalid, dispute_lock, require_version
from jintiao.domain import assignment, lifecycle
from jintiao.domain.errors import DomainError
from jintiao.domain.lifecycle import Action, State, TransitionRefused
from jintiao.domain.policy import Track
from jintiao.mediation import selectors
from jintiao.mediation.models import BatchItem, BatchRun
from jintiao.mediation.services import MediationInvalid, action_apply, dispute_triage
from jintiao.orgs.models import User

log = logging.getLogger(__name__)

# The most disputes one batch takes: what the workbench's list pages through (paging.CAP).
MAX_DISPUTES = 2000
# The most the API answers within its request; a larger batch is the workbench's, in the
# background.
SYNC_MAX = 200

_MISSING = DisputeNotFound("纠纷不存在或无权查看", "dispute not found")


@dataclass(frozen=True)
class Outcome:
    """What became of one dispute of a batch: done, or refused with the service's code
    and message. ``number`` is empty for a dispute the actor may not see."""

    id: int
    number: str
    ok: bool
    code: str = ""
    message: str = ""
    lead: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number,
                "status": "ok" if self.ok else "refused", "code": self.code,
                "message": self.message}


@dataclass(frozen=True)
class Proposal:
    """The rule's proposal for one dispute: its track (the one chosen, or the triage
    rule's suggestion with why) and its lead mediator with why — or, with no ``lead``, the
    code and message saying why it cannot be assigned."""

    id: int
    number: str
    version: int | None
    track: str = ""
    track_suggested: bool = False
    track_why: tuple[str, ...] = ()
    lead: int | None = None
    lead_name: str = ""
    why: tuple[str, ...] = field(default=())
    code: str = ""
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.lead is not None


def require_batch(actor: User, action: Action, count: int) -> None:
    """Refuse a batch the actor may not take at all, or an empty or too large one.

    :raises PermissionDenied: not a role that takes ``action`` (clerks and directors
        accept, directors assign)
    :raises MediationInvalid: no dispute, or more than :data:`MAX_DISPUTES`
    """
    if not may_batch(actor, action):
        who = "调委会主任" if action is Action.ASSIGN else "窗口受理员或调委会主任"
        raise PermissionDenied(f"只有{who}可以批量{action.label}",
                               f"may not take {action} in a batch")
    if count == 0:
        raise MediationInvalid("请选择要处理的纠纷", "no dispute chosen")
    if count > MAX_DISPUTES:
        raise MediationInvalid(
            f"一次最多处理{MAX_DISPUTES:,}件纠纷，本次选择了{count:,}件，请用筛选条件缩小范围",
            "too many disputes in one batch", most=MAX_DISPUTES, asked=count)


def _distinct(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(int(i) for i in ids))


def refused_outcome(dispute_id: int, number: str, exc: DomainError) -> Outcome:
    """A dispute's refusal as its batch lists it: the service's code and message."""
    return Outcome(dispute_id, number, False, str(exc.code), exc.message)


def number_seen(actor: User, dispute_id: int) -> str:
    """The dispute's number if the actor may see it (a refusal names it), else empty."""
    found = dispute_visible_to(actor).filter(pk=dispute_id).values_list("number", flat=True)
    return next(iter(found), "")


# --- accept ---

def accept_one(actor: User, dispute_id: int, *, version: int | None = None,
               notice_served: bool = False) -> Outcome:
    """Accept one dispute of a batch through the single action's service, in its own
    transaction: ``version`` is the one the actor saw (a dispute changed since is refused
    as stale); without it, the dispute as it is now. ``notice_served`` is the actor's word
    that the parties were told of the non-litigation ways (告知), recorded on the dispute's
    event as the single form's box is; without it only disputes whose intake recorded the
    notice are accepted, the others refused with the lifecycle's reason."""
    try:
        with transaction.atomic():
            dispute = dispute_lock(actor, dispute_id)
            expected = dispute.version if version is None else version
            done = action_apply(actor=actor, dispute_id=dispute_id, action=Action.ACCEPT,
                                expected_version=expected, notice_served=notice_served,
                                details={"batch": True})
    except DomainError as exc:
        return refused_outcome(dispute_id, number_seen(actor, dispute_id), exc)
    return Outcome(done.pk, done.number, True, message="已受理")


def batch_accept(*, actor: User, dispute_ids: Sequence[int], notice_served: bool = False,
                 versions: Mapping[int, int] | None = None) -> list[Outcome]:
    """Accept many received disputes, each in its own transaction through the single
    accept (see :func:`accept_one`); every refusal is that dispute's outcome.

    :raises PermissionDenied: the actor takes no acceptance (the batch as a whole)
    :raises MediationInvalid: no dispute, or more than :data:`MAX_DISPUTES`
    """
    ids = _distinct(dispute_ids)
    require_batch(actor, Action.ACCEPT, len(ids))
    versions = versions or {}
    return [accept_one(actor, i, version=versions.get(i), notice_served=notice_served)
            for i in ids]


# --- assign ---

def _cannot_assign(dispute: Dispute, actor: User) -> DomainError | None:
    """Why the single assignment would refuse this dispute whatever team were named — its
    state, or the actor's roles in it — read off the lifecycle table as the service reads
    it, with the service's words."""
    every_guard = set(lifecycle.GUARD_LABELS)  # only the state and the roles are asked here
    refusal: DomainError | None = None
    for role in sorted(standing_of(actor, dispute).roles, key=lambda r: r.value):
        try:
            lifecycle.decide(State(dispute.state), Action.ASSIGN, role, every_guard)
        except TransitionRefused as exc:
            refusal = refusal or exc
        else:
            return None
    return refusal or TransitionRefused("您没有可执行此操作的角色", "the user holds no role",
                                        action=Action.ASSIGN)


def batch_assign_propose(*, actor: User, dispute_ids: Sequence[int]) -> list[Proposal]:
    """Propose a lead mediator and a track for each dispute, changing nothing.

    The lead is the top of the single assignment's ranking among the dispute's own
    committee's mediators (never another committee's: a county's disputes stay with its
    committee), without anyone tied to the creditor's institution group or recused on the
    dispute, expertise in its type first, each load counting the disputes proposed for them
    earlier in this batch (:func:`jintiao.domain.assignment.propose_lead`). The track is the
    one chosen at triage, or else the triage rule's suggestion (the facts taken as not
    disputed, no evaluation asked), which confirming the batch records as the director's
    triage. A dispute that cannot be assigned says why.

    :raises PermissionDenied: the actor is not a director
    :raises MediationInvalid: no dispute, or more than :data:`MAX_DISPUTES`
    """
    ids = _distinct(dispute_ids)
    require_batch(actor, Action.ASSIGN, len(ids))
    found = {d.pk: d for d in dispute_visible_to(actor).filter(pk__in=ids)
             .select_related("committee", "institution", "policy_version")}
    seen = [found[i] for i in ids if i in found]
    people = selectors.committee_mediators({d.committee for d in seen})
    needs = selectors.batch_needs(seen)
    proposed: Counter[int] = Counter()
    out = []
    for i in ids:
        dispute = found.get(i)
        if dispute is None:
            out.append(Proposal(i, "", None, code=str(_MISSING.code), message=_MISSING.message))
            continue
        refusal = _cannot_assign(dispute, actor)
        if refusal is not None:
            out.append(Proposal(i, dispute.number, dispute.version, code=str(refusal.code),
                                message=refusal.message))
            continue
        track_why: tuple[str, ...] = ()
        if dispute.track:
            track, suggested = dispute.track, False
        else:
            suggestion = selectors.triage_suggestion(dispute)
            track, suggested = suggestion.track.value, True
            track_why = suggestion.reasons
        staff = people.get(dispute.committee_id, [])
        pick = assignment.propose_lead([c for _u, c in staff], needs[i], proposed)
        if not isinstance(pick, assignment.Ranked):
            out.append(Proposal(i, dispute.number, dispute.version, track, suggested,
                                track_why, code=str(MediatorInvalid.code),
                                message="；".join(pick)))
            continue
        proposed[pick.candidate.key] += 1
        out.append(Proposal(i, dispute.number, dispute.version, track, suggested, track_why,
                            lead=pick.candidate.key, lead_name=pick.candidate.name,
                            why=pick.reasons))
    return out


def assign_one(actor: User, proposal: Proposal) -> Outcome:
    """Assign one dispute as proposed, in its own transaction: refused as stale if it
    changed since the proposal; refused if the lead is not a mediator of its committee;
    a track not yet chosen is first confirmed as the director's triage (its own event),
    then the single assignment names the lead (its event)."""
    if proposal.lead is None:
        return Outcome(proposal.id, proposal.number, False, proposal.code, proposal.message)
    try:
        with transaction.atomic():
            dispute = dispute_lock(actor, proposal.id)
            if proposal.version is not None:
                require_version(dispute, proposal.version)
            staff = selectors.committee_mediators([dispute.committee])[dispute.committee_id]
            lead = next((u for u, _c in staff if u.pk == proposal.lead), None)
            if lead is None:
                raise MediatorInvalid("所选调解员不是本调委会在册的调解员",
                                      "the lead is not a mediator of the committee",
                                      users=str(proposal.lead))
            version = dispute.version
            if not dispute.track:
                version = dispute_triage(
                    actor=actor, dispute_id=dispute.pk, expected_version=version,
                    facts_disputed=False, track=Track(proposal.track) if proposal.track
                    else None).version
            done = action_apply(actor=actor, dispute_id=dispute.pk, action=Action.ASSIGN,
                                expected_version=version, mediators=[lead],
                                details={"batch": True, "why": list(proposal.why)})
    except DomainError as exc:
        return refused_outcome(proposal.id, number_seen(actor, proposal.id), exc)
    return Outcome(done.pk, done.number, True, message=f"已指派{lead}", lead=lead.pk)


def batch_assign(*, actor: User, proposals: Sequence[Proposal]) -> list[Outcome]:
    """Assign each dispute as proposed (:func:`assign_one`), each in its own transaction;
    a dispute without a lead keeps the proposal's reason as its refusal.

    :raises PermissionDenied: the actor is not a director
    :raises MediationInvalid: no dispute, or more than :data:`MAX_DISPUTES`
    """
    require_batch(actor, Action.ASSIGN, len(proposals))
    return [assign_one(actor, p) for p in proposals]


# --- runs in the background ---

def batch_run_start(*, actor: User, action: Action, dispute_ids: Sequence[int],
                    versions: Mapping[int, int] | None = None,
                    notice_served: bool = False, notice_by_text: bool = False) -> BatchRun:
    """Record a batch the workbench asked for. An acceptance is queued at once; an
    assignment is first ``proposed`` — each dispute's proposal recorded for the director
    to see — and queued by :func:`batch_run_confirm`. An acceptance that texts each party
    the options notice (``notice_by_text``) is recorded here and run by
    :mod:`jintiao.outreach.batch`, which serves it (the caller queues it there).

    :raises PermissionDenied: the actor may not take ``action`` in a batch
    :raises MediationInvalid: no dispute, or more than :data:`MAX_DISPUTES`
    """
    action = Action(action)
    ids = _distinct(dispute_ids)
    require_batch(actor, action, len(ids))
    versions = versions or {}
    now = clock.now()
    with transaction.atomic():
        run = BatchRun.objects.create(
            actor=actor, action=action.value, total=len(ids), created_at=now,
            options={"notice_served": bool(notice_served),
                     "notice_by_text": bool(notice_by_text)} if action is Action.ACCEPT else {},
            state=BatchRun.State.PROPOSED if action is Action.ASSIGN else BatchRun.State.QUEUED)
        if action is Action.ASSIGN:
            items = [BatchItem(run=run, seq=n, dispute_ref=p.id, number=p.number,
                               expected_version=p.version, track=p.track,
                               track_suggested=p.track_suggested, lead_id=p.lead,
                               why={"lead": list(p.why), "track": list(p.track_why)},
                               code="" if p.ok else p.code, message=p.message)
                     for n, p in enumerate(batch_assign_propose(actor=actor, dispute_ids=ids))]
        else:
            numbers = dict(dispute_visible_to(actor).filter(pk__in=ids)
                           .values_list("pk", "number"))
            items = [BatchItem(run=run, seq=n, dispute_ref=i, number=numbers.get(i, ""),
                               expected_version=versions.get(i)) for n, i in enumerate(ids)]
        BatchItem.objects.bulk_create(items)
    if action is Action.ACCEPT and not notice_by_text:
        _enqueue(run)
    return run


def batch_run_confirm(*, actor: User, run_id: int) -> BatchRun:
    """The director confirms a proposed assignment: it is queued to run as proposed.

    :raises RecordNotFound: not the actor's batch
    :raises MediationInvalid: not waiting for confirmation (confirmed already)
    """
    with transaction.atomic():
        run = batch_run_for(actor, run_id, lock=True)
        if run.state != BatchRun.State.PROPOSED:
            raise MediationInvalid("该批量分派已确认", "the batch was confirmed already")
        run.state = BatchRun.State.QUEUED
        run.save(update_fields=["state"])
    _enqueue(run)
    run.refresh_from_db()
    return run


def _enqueue(run: BatchRun) -> None:
    from jintiao.mediation import tasks  # the task module imports this one

    result = tasks.batch_run.enqueue(run.pk)
    BatchRun.objects.filter(pk=run.pk, task_id="").update(task_id=str(result.id))


def batch_run_for(actor: User, run_id: int, *, lock: bool = False) -> BatchRun:
    """The actor's own batch (nobody else's, whoever they are).

    :raises RecordNotFound: missing, or someone else's
    """
    rows: QuerySet[BatchRun] = BatchRun.objects.filter(pk=run_id, actor=actor)
    run = (rows.select_for_update() if lock else rows).first()
    if run is None:
        raise RecordNotFound("批量操作不存在或无权查看", "batch not found")
    return run


def _proposal_of(item: BatchItem) -> Proposal:
    return Proposal(item.dispute_ref, item.number, item.expected_version, item.track,
                    item.track_suggested, tuple(item.why.get("track", ())), item.lead_id, "",
                    tuple(item.why.get("lead", ())), item.code, item.message)


def batch_run_execute(run_id: int) -> BatchRun:
    """Work through an acceptance's or assignment's pending disputes (:func:`run_through`),
    each through :func:`accept_one` or :func:`assign_one`. A proposed run waits for its
    confirmation; the menus' and the texted acceptances' runs are their own modules'."""
    run = BatchRun.objects.select_related("actor").get(pk=run_id)
    if run.state == BatchRun.State.PROPOSED or run.action == BatchRun.Action.MENU \
            or run.options.get("notice_by_text"):  # portfolio.batch, outreach.batch run those
        return run
    notice_served = bool(run.options.get("notice_served"))

    def one(actor: User, item: BatchItem) -> Outcome:
        if run.action == BatchRun.Action.ACCEPT:
            return accept_one(actor, item.dispute_ref, version=item.expected_version,
                              notice_served=notice_served)
        return assign_one(actor, _proposal_of(item))

    return run_through(run, one, lambda actor: may_batch(actor, Action(run.action)))


def run_through(run: BatchRun, one: Callable[[User, BatchItem], Outcome],
                may: Callable[[User], bool]) -> BatchRun:
    """Work through ``run``'s pending disputes in order, each by ``one`` with its outcome
    written in the same transaction as its change (a refusal's, after its rollback), so the
    page sees the progress and a run taken up again (a worker that died) does only what is
    left; a fault on one dispute is recorded and the others are still done. A finished run
    does nothing; one whose actor may no longer (``may``) fails with the reason."""
    if run.state == BatchRun.State.DONE:
        return run
    run.state, run.started_at = BatchRun.State.RUNNING, run.started_at or clock.now()
    run.save(update_fields=["state", "started_at"])
    actor = run.actor
    if not actor.is_active or not may(actor):
        return _failed(run, "提交人已无批量办理的权限")
    for item in run.items.filter(status=BatchItem.Status.PENDING).order_by("seq"):
        try:
            with transaction.atomic():
                item_record(item, one(actor, item))
        except Exception:  # a fault on one dispute: recorded, the others still done
            log.exception("batch %s: dispute %s failed", run.pk, item.dispute_ref)
            item_record(item, Outcome(item.dispute_ref, item.number, False, "error",
                                      "处理时出错，未作更改；请单独办理，仍不成功请联系管理员"))
    run.state, run.finished_at = BatchRun.State.DONE, clock.now()
    run.save(update_fields=["state", "finished_at"])
    return run


def item_record(item: BatchItem, outcome: Outcome) -> None:
    """Write one dispute's outcome on its batch item (in the dispute's transaction)."""
    item.status = BatchItem.Status.DONE if outcome.ok else BatchItem.Status.REFUSED
    item.code, item.message = outcome.code, outcome.message
    item.number = outcome.number or item.number
    item.save(update_fields=["status", "code", "message", "number"])


def _failed(run: BatchRun, reason: str) -> BatchRun:
    run.state, run.error, run.finished_at = BatchRun.State.FAILED, reason, clock.now()
    run.save(update_fields=["state", "error", "finished_at"])
    return run
