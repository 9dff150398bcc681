"""Judicial confirmation in batches (issue 20 §6): the committee's desk sends several joint
applications to one court at once, and the judge confirms the alike ones of a review page
together.

Nothing here decides whether one application may be filed or one agreement confirmed:
each goes through the single service (:func:`~jintiao.confirmation.services.
confirmation_apply`, :func:`~jintiao.confirmation.services.confirmation_decide`) in a
transaction of its own, so the rules stay in one place and each dispute gets its own timeline
event. A refusal — the service's :class:`DomainError` with its stable code and Chinese
message — is that dispute's outcome and never stops the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from jintiao import clock
from jintiao.confirmation.models import Application, ConfirmationBatch
from jintiao.confirmation.services import (
    confirmation_accept,
    confirmation_apply,
    confirmation_decide,
)
from jintiao.disputes.access import (
    DisputeNotFound,
    PermissionDenied,
    RecordNotFound,
    court_for_review,
    dispute_visible_to,
    holds,
    may_batch_apply,
)
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.lifecycle import Role
from jintiao.orgs.models import Organization, OrgKind, User

# The most applications one batch sends, or one group confirms, in the request.
MAX_ITEMS = 100


class BatchInvalid(DomainError):
    code = ErrorCode.CONFIRMATION_INVALID


@dataclass(frozen=True)
class Outcome:
    """What became of one dispute (or application) of a batch: done, or refused with the
    service's code and message. ``number`` is empty for one the actor may not see."""

    dispute: int
    number: str
    ok: bool
    application: int | None = None
    code: str = ""
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"dispute": self.dispute, "number": self.number,
                "status": "ok" if self.ok else "refused", "application": self.application,
                "code": self.code, "message": self.message}


def _require_size(count: int, doing: str) -> None:
    if count == 0:
        raise BatchInvalid(f"请选择要{doing}的纠纷", "nothing chosen")
    if count > MAX_ITEMS:
        raise BatchInvalid(f"一次最多{doing}{MAX_ITEMS}件，本次选择了{count}件",
                           "too many in one batch", most=MAX_ITEMS, asked=count)


def _refused(exc: DomainError, dispute: int, number: str,
             application: int | None = None) -> Outcome:
    if isinstance(exc, DisputeNotFound | RecordNotFound):
        number = ""  # hidden and missing look the same
    return Outcome(dispute, number, False, application, str(exc.code), exc.message)


def confirmation_batch_apply(*, actor: User, court_id: int,
                             disputes: Mapping[int, int | None]) -> ConfirmationBatch:
    """File the joint applications of ``disputes`` (id → the version the desk saw, or
    None for the current one) with one court, each by the single service in its own
    transaction, and keep them together as a batch with every dispute's outcome.

    :raises PermissionDenied: not the committee's desk that applies for confirmation
    :raises BatchInvalid: no dispute, too many, or no such court (nothing is filed)
    """
    if not may_batch_apply(actor):
        raise PermissionDenied("只有调解员或调委会主任可以批量申请司法确认",
                               "only the desk may apply in a batch")
    _require_size(len(disputes), "申请司法确认")
    court = Organization.objects.filter(pk=court_id, kind=OrgKind.COURT).first()
    if court is None:
        raise BatchInvalid("所选法院不存在", "no such court", court=court_id)
    now = clock.now()
    seen = {pk: (version, number) for pk, version, number in dispute_visible_to(actor)
            .filter(pk__in=list(disputes)).values_list("pk", "version", "number")}
    outcomes: list[Outcome] = []
    made: list[Application] = []
    for dispute_id, version in disputes.items():
        current, number = seen.get(dispute_id, (0, ""))
        try:
            application = confirmation_apply(
                actor=actor, dispute_id=dispute_id, court_id=court.pk,
                expected_version=current if version is None else version)
        except DomainError as exc:
            outcomes.append(_refused(exc, dispute_id, number))
            continue
        made.append(application)
        outcomes.append(Outcome(dispute_id, number, True, application.pk))
    with transaction.atomic():
        batch = ConfirmationBatch.objects.create(
            court=court, filed_by=actor, filed_at=now,
            outcomes=[o.as_dict() for o in outcomes])
        batch.applications.set(made)
    return batch


def confirmation_batch_confirm(*, actor: User, court_id: int,
                               applications: Mapping[int, int], attested: list[str],
                               reasons: str = "") -> list[Outcome]:
    """Confirm each of ``applications`` (id → the dispute's version the judge saw) with the
    same attestations, each by the single ruling service in its own transaction: one whose
    checklist is not complete, or not this court's, is refused on its own and the rest
    are still ruled.

    :raises RecordNotFound: not a court the actor is of
    :raises PermissionDenied: of the court, but not a judge
    :raises BatchInvalid: none chosen, or too many
    """
    court_for_review(actor, court_id)
    _require_size(len(applications), "裁定确认")
    found = {a.pk: a for a in Application.objects.filter(pk__in=list(applications))
             .select_related("dispute")}
    outcomes = []
    for application_id, version in applications.items():
        application = found.get(application_id)
        dispute, number = ((application.dispute_id, application.dispute.number)
                           if application is not None else (0, ""))
        try:
            if application is None or application.court_id != court_id:
                raise RecordNotFound("司法确认申请不存在", "no such application")
            confirmation_decide(actor=actor, application_id=application_id,
                                expected_version=version, confirm=True,
                                attested=attested, reasons=reasons)
        except DomainError as exc:
            outcomes.append(_refused(exc, dispute, number, application_id))
            continue
        outcomes.append(Outcome(dispute, number, True, application_id))
    return outcomes


def confirmation_batch_accept(*, actor: User, applications: list[int]) -> list[Outcome]:
    """Docket (立案) each of ``applications``, each by the single service in its own
    transaction — its case number, its review period, its acceptance notice — so one not
    waiting, or of a court the actor is not of, is refused on its own (one the actor may
    not see answers like a missing one) and the rest are still docketed.

    :raises PermissionDenied: not a court's judge or clerk
    :raises BatchInvalid: none chosen, or too many
    """
    if not holds(actor, Role.JUDGE, Role.COURT_CLERK):
        raise PermissionDenied("只有法院的法官或书记员可以批量立案", "only court staff docket")
    ids = list(dict.fromkeys(applications))
    _require_size(len(ids), "立案")
    found = {a.pk: a for a in Application.objects.filter(pk__in=ids).select_related("dispute")}
    outcomes = []
    for application_id in ids:
        application = found.get(application_id)
        dispute, number = ((application.dispute_id, application.dispute.number)
                           if application is not None else (0, ""))
        try:
            if application is None:
                raise RecordNotFound("司法确认申请不存在", "no such application")
            done = confirmation_accept(actor=actor, application_id=application_id)
        except DomainError as exc:
            outcomes.append(_refused(exc, dispute, number, application_id))
            continue
        outcomes.append(Outcome(dispute, number, True, application_id,
                                message=f"已立案，案号{done.case_number}"))
    return outcomes
