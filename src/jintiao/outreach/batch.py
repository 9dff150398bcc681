"""The clerk's batch acceptance with the options notice texted (issue 20 §4): each
dispute is accepted and its options notice (告知书) generated and served on each party
other than the filing creditor by text, all in one transaction of its own — a dispute is
accepted only when every such party was sent the notice, so the acceptance's record that
the parties were told stays true; a party without a mobile, a text refused at night or over
the contact caps refuses that dispute with the reason and changes nothing.

Each step is its single service (:func:`jintiao.mediation.services.action_apply`,
:func:`~jintiao.mediation.services.notice_generate`, :func:`~jintiao.outreach.services.
notice_serve`); whether a text counts as service is the policy's (the party's consent to
electronic service). The run records and pages are the desk's other batches'
(:mod:`jintiao.mediation.batch`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import transaction

from jintiao.disputes.access import may_batch
from jintiao.disputes.models import DisputeParty, PartyRole
from jintiao.disputes.services import dispute_lock
from jintiao.domain.errors import DomainError
from jintiao.domain.lifecycle import Action
from jintiao.domain.outreach import ServiceChannel
from jintiao.mediation.batch import (
    Outcome,
    batch_run_start,
    number_seen,
    refused_outcome,
    require_batch,
    run_through,
)
from jintiao.mediation.models import BatchRun
from jintiao.mediation.services import action_apply, notice_generate
from jintiao.orgs.models import User
from jintiao.outreach.services import notice_serve


def accept_texting(actor: User, dispute_id: int, *, version: int | None = None) -> Outcome:
    """Accept one dispute and text each party but the creditor its options notice, in one
    transaction (see the module): ``version`` is the one the actor saw."""
    try:
        with transaction.atomic():
            dispute = dispute_lock(actor, dispute_id)
            expected = dispute.version if version is None else version
            done = action_apply(actor=actor, dispute_id=dispute_id, action=Action.ACCEPT,
                                expected_version=expected, notice_served=True,
                                details={"batch": True, "notice_by": ServiceChannel.SMS.value})
            notice = notice_generate(actor=actor, dispute_id=dispute_id, kind="options_notice")
            rows = (DisputeParty.objects.filter(dispute_id=dispute_id)
                    .exclude(role=PartyRole.CREDITOR).select_related("party").order_by("pk"))
            served = 0
            for row in rows:
                made = notice_serve(actor=actor, dispute_id=dispute_id, party_id=row.party_id,
                                    subject=f"document:{notice.pk}",
                                    channel=ServiceChannel.SMS.value)
                served += made.served
            count = len(rows)
    except DomainError as exc:
        return refused_outcome(dispute_id, number_seen(actor, dispute_id), exc)
    said = f"已受理；告知书已短信发送{count}人" + (f"，其中{served}人视为送达" if served else "")
    return Outcome(done.pk, done.number, True, message=said)


def batch_accept_texting(*, actor: User, dispute_ids: Sequence[int],
                         versions: Mapping[int, int] | None = None) -> list[Outcome]:
    """:func:`accept_texting` for each dispute, in the request (the API's, up to its
    bound); every refusal is that dispute's outcome.

    :raises PermissionDenied: the actor takes no acceptance
    :raises MediationInvalid: no dispute, or too many
    """
    ids = list(dict.fromkeys(int(i) for i in dispute_ids))
    require_batch(actor, Action.ACCEPT, len(ids))
    versions = versions or {}
    return [accept_texting(actor, i, version=versions.get(i)) for i in ids]


def accept_run_start(*, actor: User, dispute_ids: Sequence[int],
                     versions: Mapping[int, int] | None = None) -> BatchRun:
    """Record a batch acceptance that texts the options notice, and queue it here.

    :raises PermissionDenied: the actor takes no acceptance
    :raises MediationInvalid: no dispute, or too many
    """
    run = batch_run_start(actor=actor, action=Action.ACCEPT, dispute_ids=dispute_ids,
                          versions=versions, notice_by_text=True)
    from jintiao.outreach import tasks  # the task module imports this one

    result = tasks.accept_run.enqueue(run.pk)
    BatchRun.objects.filter(pk=run.pk, task_id="").update(task_id=str(result.id))
    run.refresh_from_db()
    return run


def accept_run_execute(run_id: int) -> BatchRun:
    """Accept and notify the run's pending disputes in order (:func:`accept_texting`,
    through the desk's shared run, :func:`~jintiao.mediation.batch.run_through`)."""
    run = BatchRun.objects.select_related("actor").get(pk=run_id, action=BatchRun.Action.ACCEPT)
    if not run.options.get("notice_by_text"):
        return run
    return run_through(
        run, lambda actor, item: accept_texting(actor, item.dispute_ref,
                                                version=item.expected_version),
        lambda actor: may_batch(actor, Action.ACCEPT))
