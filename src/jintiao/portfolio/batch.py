"""The standard plan menu sent to many disputes in one action of the desk (issue 20 §5),
worked through as a :class:`~jintiao.mediation.models.BatchRun` of its own kind: each
dispute through the single send (:func:`jintiao.portfolio.services.menu_offer_send`) in a
transaction of its own, its outcome recorded in that transaction, a refusal with the
service's code and Chinese message never stopping the others — as the desk's other batches
(:mod:`jintiao.mediation.batch`), whose run records and pages it shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction

from jintiao import clock
from jintiao.disputes.access import PermissionDenied, dispute_visible_to, may_send_menus
from jintiao.domain.errors import DomainError
from jintiao.mediation.batch import (
    MAX_DISPUTES,
    Outcome,
    number_seen,
    refused_outcome,
    run_through,
)
from jintiao.mediation.models import BatchItem, BatchRun
from jintiao.orgs.models import User
from jintiao.portfolio import services
from jintiao.portfolio.services import MenuOfferInvalid


def _require(actor: User, count: int) -> None:
    if not may_send_menus(actor):
        raise PermissionDenied("只有调解员或调委会主任可以批量发送标准还款方案",
                               "may not send menus in a batch")
    if count == 0:
        raise MenuOfferInvalid("请选择要发送标准还款方案的纠纷", "no dispute chosen")
    if count > MAX_DISPUTES:
        raise MenuOfferInvalid(
            f"一次最多处理{MAX_DISPUTES:,}件纠纷，本次选择了{count:,}件，请用筛选条件缩小范围",
            "too many disputes in one batch", most=MAX_DISPUTES, asked=count)


def send_one(actor: User, dispute_id: int, *, reply_by: dt.date, performance_manner: str,
             text: bool, run_id: int | None = None) -> Outcome:
    """Send the menu to one dispute of a batch in its own transaction; a refusal is its
    outcome, named by its number only if the actor may see the dispute."""
    try:
        with transaction.atomic():
            made = services.menu_offer_send(
                actor=actor, dispute_id=dispute_id, reply_by=reply_by,
                performance_manner=performance_manner, text=text, run_id=run_id)
    except DomainError as exc:
        return refused_outcome(dispute_id, number_seen(actor, dispute_id), exc)
    plans = len(made.items)
    earlier = (f"，选择期限按调解期限提前至{made.reply_by:%Y-%m-%d}"
               if made.reply_by < reply_by else "")
    return Outcome(dispute_id, made.dispute.number, True,
                   message=f"已发送{plans}种方案" + ("，已短信通知" if made.texted else "")
                   + earlier)


def menu_run_start(*, actor: User, dispute_ids: Sequence[int], reply_by: dt.date,
                   performance_manner: str, text: bool = True) -> BatchRun:
    """Record a batch of menus to send and queue it. The terms are checked once here
    against today (each dispute checks them again against its own deadline and plans).

    :raises PermissionDenied: not a mediator or director
    :raises MenuOfferInvalid: no dispute, too many, a ``reply_by`` not after today
    :raises AgreementInvalid: an empty or unprintable way of performance
    """
    ids = list(dict.fromkeys(int(i) for i in dispute_ids))
    _require(actor, len(ids))
    services.terms_check(reply_by, performance_manner, clock.today())
    now = clock.now()
    with transaction.atomic():
        run = BatchRun.objects.create(
            actor=actor, action=BatchRun.Action.MENU, total=len(ids), created_at=now,
            options={"reply_by": reply_by.isoformat(),
                     "performance_manner": performance_manner.strip(), "text": bool(text)})
        numbers = dict(dispute_visible_to(actor).filter(pk__in=ids).values_list("pk", "number"))
        BatchItem.objects.bulk_create([
            BatchItem(run=run, seq=n, dispute_ref=i, number=numbers.get(i, ""))
            for n, i in enumerate(ids)])
    from jintiao.portfolio import tasks  # the task module imports this one

    result = tasks.menu_run.enqueue(run.pk)
    BatchRun.objects.filter(pk=run.pk, task_id="").update(task_id=str(result.id))
    run.refresh_from_db()
    return run


def menu_run_execute(run_id: int) -> BatchRun:
    """Send the run's pending disputes their menus in order (:func:`send_one`, through the
    desk's shared run, :func:`~jintiao.mediation.batch.run_through`)."""
    run = BatchRun.objects.select_related("actor").get(pk=run_id, action=BatchRun.Action.MENU)
    options = run.options
    reply_by = dt.date.fromisoformat(options["reply_by"])
    return run_through(run, lambda actor, item: send_one(
        actor, item.dispute_ref, reply_by=reply_by,
        performance_manner=options.get("performance_manner", ""),
        text=bool(options.get("text", True)), run_id=run.pk), may_send_menus)
