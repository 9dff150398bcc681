"""The court's part: the joint application, acceptance, and the judge's ruling."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F

from jintiao import clock
from jintiao.agreements import content as agreement_content
from jintiao.agreements import integrity as agreement_integrity
from jintiao.agreements import selectors as agreements
from jintiao.agreements.models import Agreement
from jintiao.confirmation import joint, selectors
from jintiao.confirmation.models import Application, CaseCounter
from jintiao.disputes.access import Standing, dispute_get_for, standing_of
from jintiao.disputes.changes import require_state
from jintiao.disputes.models import Dispute
from jintiao.disputes.services import dispute_apply_action, dispute_lock
from jintiao.documents import court_texts
from jintiao.documents import texts as doc_texts
from jintiao.documents.integrity import RecordAltered
from jintiao.documents.services import document_generate
from jintiao.domain import events, periods
from jintiao.domain.case_numbers import CONFIRMATION_TYPE, case_number
from jintiao.domain.confirmation import Verdict, judge_items, unmet
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.lifecycle import Action, Role, State
from jintiao.mediation import selectors as mediation
from jintiao.orgs.models import Organization, User
from jintiao.orgs.selectors import user_roles
from jintiao.policies.selectors import working_calendar
from jintiao.timeline.services import event_append


class ConfirmationInvalid(DomainError):
    code = ErrorCode.CONFIRMATION_INVALID


class ConfirmationWindowClosed(DomainError):
    code = ErrorCode.CONFIRMATION_WINDOW_CLOSED


def _date(at: dt.datetime) -> str:
    return at.astimezone(clock.TZ).date().isoformat()


def _parties(agreement: Agreement) -> list[dict[str, Any]]:
    """The applicants as a court filing writes them: those who signed the agreement, with
    the particulars the case file holds now and their numbers in full."""
    signed = {p["row"] for p in agreement.content["parties"]}
    now = [p for p in agreement_content.parties_now(agreement.dispute) if p["row"] in signed]
    return agreement_content.with_numbers(now)


def confirmation_apply(*, actor: User, dispute_id: int, expected_version: int,
                       court_id: int) -> Application:
    """File the parties' joint application with the competent court, within the window
    from the agreement's effect. The parties' joint commitment is the agreement's own
    clause, signed by every party; the application names them all.

    :raises ConfirmationWindowClosed: the window has passed (nothing is filed)
    :raises ConfirmationInvalid: no effective agreement, a court without jurisdiction, or
        the agreement fails the court checklist
    :raises RecordAltered: the agreement no longer gives the digest its signers bound
    :raises ConfirmationInvalid: also a joint mediation's member agreed with another still
        to be applied for (filed by :func:`jintiao.confirmation.joined.joined_apply`, with
        the others)
    """
    dispute = dispute_get_for(actor, dispute_id)
    if joint.joint_agreements(dispute):  # agreed with others of its joint: filed together
        raise ConfirmationInvalid(
            "本纠纷属于联合调解：其调解协议与其他债权人的协议以一份申请书一并申请司法确认，"
            "请在联合调解页面提交", "a joint mediation's agreements are applied for together",
            checks="joint_mediation")
    found = agreements.effective(dispute)
    if found is not None:  # checked before the transaction, which would take the alert back
        agreement_integrity.require_intact(found, actor=actor)
    return _apply(actor, dispute_id, expected_version, court_id)


@transaction.atomic
def _apply(actor: User, dispute_id: int, expected_version: int, court_id: int) -> Application:
    filing = filing_prepare(actor, dispute_id, expected_version, court_id)
    return filing_record(actor, filing, application_context(filing))


@dataclass(frozen=True)
class Filing:
    """One dispute's application checked and ready to file: its effective agreement, the
    competent court, the window, every applicant's signature and address for service."""

    dispute: Dispute
    agreement: Agreement
    court: Organization
    effective_on: dt.date
    window_ends: dt.date
    applied_on: dt.date
    signed: dict[int, Any]
    served: dict[int, Any]
    parties: list[dict[str, Any]]


def filing_prepare(actor: User, dispute_id: int, expected_version: int,
                   court_id: int) -> Filing:
    """Lock the dispute and check everything its application needs — the one rule for a
    single application and for a joint mediation's (:mod:`jintiao.confirmation.joined`).
    The caller holds the transaction.

    :raises ConfirmationWindowClosed, ConfirmationInvalid: see :func:`confirmation_apply`
    """
    today = clock.today()
    dispute = dispute_lock(actor, dispute_id, expected_version)
    require_state(dispute, State.AGREED, doing="申请司法确认")
    agreement = agreements.effective(dispute)
    if agreement is None or agreement.effective_at is None:
        raise ConfirmationInvalid("调解协议尚未生效", "no effective agreement")
    court = Organization.objects.filter(pk=court_id).first()
    if court is None:
        raise ConfirmationInvalid("所选法院不存在", "no such court", court=court_id)
    problem = selectors.court_problem(dispute, court)
    if problem:
        raise ConfirmationInvalid(problem, "the court lacks jurisdiction", court=court_id)
    effective_on = agreement.effective_at.astimezone(clock.TZ).date()
    window_ends = agreements.confirmation_window_ends(dispute, effective_on)
    if today > window_ends:
        raise ConfirmationWindowClosed(
            f"协议于{effective_on}生效，申请司法确认的期限已于{window_ends}届满；"
            "可以重新调解变更协议，或向人民法院起诉",
            "the confirmation window has closed", window_ends=window_ends.isoformat())
    failing = unmet(agreements.checklist_of(agreement, court_competent=True,
                                            window_ends=window_ends, applied_on=today))
    if failing:
        raise ConfirmationInvalid("；".join(f"{c.label}：{c.detail}" for c in failing),
                                  "the agreement fails the court checklist",
                                  checks=",".join(c.code for c in failing))
    signed = joint.signatures(dispute, agreement, court)
    unsigned = joint.unsigned_names(dispute, agreement, court)
    if unsigned:
        raise ConfirmationInvalid(
            f"{dispute.number}：司法确认申请书须由全体申请人签署，尚未签署：{'、'.join(unsigned)}",
            "every applicant signs the joint application", checks="joint_application_signed")
    served = joint.addresses(dispute, list(signed))
    missing = [p["name"] for p in agreement.content["parties"] if served.get(p["row"]) is None]
    if missing:
        raise ConfirmationInvalid(
            f"{dispute.number}：申请司法确认须提供全体申请人的送达地址（送达地址确认书），"
            f"尚未确认：{'、'.join(missing)}",
            "every applicant's address for service", checks="service_addresses")
    return Filing(dispute, agreement, court, effective_on, window_ends, today, signed,
                  served, _parties(agreement))


def application_context(filing: Filing) -> dict[str, Any]:
    """What the application (申请书) of one agreement prints."""
    return {
        "parties": filing.parties, "court": filing.court.name,
        "committee": filing.dispute.committee.name,
        "effective_on": filing.effective_on.isoformat(),
        "agreement_number": filing.dispute.number, "facts": filing.agreement.content["facts"],
        "digest": filing.agreement.digest, "applied_on": filing.applied_on.isoformat(),
        "undertaking": joint.UNDERTAKING, "addresses": joint.for_filing(filing.served),
        "signatures": signed_how(filing.signed)}


def signed_how(signed: dict[int, Any]) -> dict[int, dict[str, str]]:
    """Each applicant's signature as the application prints it."""
    return {row: {"name": s.signer_name, "how": s.how,
                  "at": s.signed_at.isoformat() if s.signed_at else "", "digest": s.digest}
            for row, s in signed.items() if s is not None}


def filing_record(actor: User, filing: Filing, context: dict[str, Any], *,
                  details: dict[str, Any] | None = None) -> Application:
    """File what :func:`filing_prepare` checked: the application, its document printed from
    ``context``, and the dispute's step to waiting on the court."""
    dispute, court = filing.dispute, filing.court
    if dispute.court_id is None:  # the court now concerned sees the dispute
        dispute.court = court
        dispute.save(update_fields=["court"])
    application = Application.objects.create(
        dispute=dispute, agreement=filing.agreement, court=court,
        applicants=[p["row"] for p in filing.parties], filed_by=actor, filed_at=clock.now(),
        window_ends=filing.window_ends)
    application.application_document = document_generate(
        actor=actor, dispute=dispute, doc=doc_texts.confirmation_application(context),
        source=f"confirmation:{application.pk}")
    application.save(update_fields=["application_document"])
    dispute.refresh_from_db()
    dispute_apply_action(actor=actor, dispute_id=dispute.pk, action=Action.APPLY_CONFIRMATION,
                         expected_version=dispute.version,
                         established={"joint_application", "within_confirmation_window"},
                         details={"application": application.pk, "court": court.pk,
                                  "window_ends": filing.window_ends.isoformat(),
                                  **(details or {})})
    return application


def _court_lock(actor: User, application_id: int, gate: Callable[..., bool], doing: str,
                expected_version: int | None = None) -> tuple[Application, Dispute]:
    application = selectors.application_get_for(actor, application_id)
    standing_of(actor, application.dispute).require(gate, doing, application.court)
    dispute = dispute_lock(actor, application.dispute_id, expected_version)
    return Application.objects.select_for_update().get(pk=application.pk), dispute


def _clerk(application: Application) -> str:
    """The 书记员 the ruling names: the court clerk who docketed the application ("" when a
    judge docketed it: the line is left for the clerk to sign)."""
    by = application.accepted_by
    if by is None or Role.COURT_CLERK not in user_roles(by):
        return ""
    return by.get_full_name() or by.username


def _case_number(court: Organization, year: int) -> str:
    """The court's next 民特 number of ``year``, built from its own code (法院代字) as the
    SPC's rules on case numbers require (:mod:`jintiao.domain.case_numbers`).

    :raises ConfirmationInvalid: the court has no code on its record (nothing is counted)
    """
    if not court.court_code:
        raise ConfirmationInvalid(f"{court.name}未登记法院代字，无法编制案号，请平台管理员在机构"
                                  "信息中填写（如黔2601）", "the court has no court code",
                                  court=court.pk)
    CaseCounter.objects.get_or_create(court=court, year=year)
    counter = CaseCounter.objects.select_for_update().get(court=court, year=year)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return case_number(year, court.court_code, CONFIRMATION_TYPE, counter.last)


@transaction.atomic
def confirmation_accept(*, actor: User, application_id: int) -> Application:
    """The court files the application (立案): a case number, and the review period runs.

    :raises PermissionDenied: not a clerk or judge of that court
    :raises ConfirmationInvalid: already accepted or decided
    """
    now = clock.now()
    application, dispute = _court_lock(actor, application_id, Standing.may_accept_application,
                                       doing="受理司法确认申请")
    if application.status != Application.Status.FILED:
        raise ConfirmationInvalid(f"该申请{application.get_status_display()}",
                                  "the application is not waiting for acceptance")
    policy = mediation.policy_of(dispute)
    today = now.astimezone(clock.TZ).date()
    application.status = Application.Status.ACCEPTED
    application.accepted_by = actor
    application.accepted_at = now
    application.case_number = _case_number(application.court, today.year)
    application.decide_by = periods.deadline(today, policy.court_decision_limit,
                                             working_calendar()).due_on
    application.save(update_fields=["status", "accepted_by", "accepted_at", "case_number",
                                    "decide_by"])
    dispute.version += 1
    dispute.deadline = application.decide_by
    dispute.save(update_fields=["version", "deadline"])
    event_append(dispute=dispute, type=events.CONFIRMATION_ACCEPTED, actor=actor, at=now,
                 state_before=dispute.state, state_after=dispute.state,
                 params={"application": application.pk, "case_number": application.case_number,
                         "decide_by": application.decide_by.isoformat()})
    _acceptance_notice(actor, application, dispute, today)
    return application


def _acceptance_notice(actor: User, application: Application, dispute: Dispute,
                       today: dt.date) -> None:
    """The court's 受理通知书 to the applicants, made as the case is docketed; a judge who
    dockets it is named as the one reviewing it."""
    agreement = application.agreement
    judge = Role.JUDGE in user_roles(actor)
    document_generate(actor=actor, dispute=dispute, doc=court_texts.acceptance_notice({
        "court": application.court.name, "case_number": application.case_number,
        "parties": _parties(agreement), "committee": dispute.committee.name,
        "effective_on": _date(agreement.effective_at or application.filed_at),
        "agreement_number": dispute.number, "accepted_on": today.isoformat(),
        "decide_by": application.decide_by.isoformat() if application.decide_by else "",
        "judge": (actor.get_full_name() or actor.username) if judge else ""}),
        source=f"confirmation_accepted:{application.pk}")


def confirmation_decide(*, actor: User, application_id: int, expected_version: int,
                        confirm: bool, attested: list[str], reasons: str = "") -> Application:
    """The judge rules: confirm the agreement valid — every checked ground met and the
    three only a judge can attest heard — or reject the application with reasons.

    :raises PermissionDenied: not a judge of that court
    :raises ConfirmationInvalid: not accepted yet, a ground unmet or unattested for a
        confirmation, or a rejection without reasons
    :raises RecordAltered: the agreement no longer gives the digest its signers bound (the
        judge rules on nothing but what was signed)
    """
    application = selectors.application_get_for(actor, application_id)
    standing_of(actor, application.dispute).require(Standing.may_rule, "作出裁定",
                                                    application.court)
    agreement_integrity.require_intact(application.agreement, actor=actor)
    try:
        return _decide(actor, application_id, expected_version, confirm, attested, reasons)
    except RecordAltered:  # altered since the check: refused inside, told now
        agreement_integrity.report(application.agreement, actor=actor)
        raise


@transaction.atomic
def _decide(actor: User, application_id: int, expected_version: int, confirm: bool,
            attested: list[str], reasons: str) -> Application:
    now = clock.now()
    application, dispute = _court_lock(actor, application_id, Standing.may_rule, "作出裁定",
                                       expected_version=expected_version)
    agreement_integrity.recheck(Agreement.objects.select_for_update()
                                .get(pk=application.agreement_id))
    if application.status != Application.Status.ACCEPTED:
        raise ConfirmationInvalid(f"该申请{application.get_status_display()}，不能裁定",
                                  "the application is not under review")
    checks = selectors.review(application)
    given = sorted(set(attested) & set(judge_items()))
    if confirm:
        failing = [c for c in checks if c.verdict in (Verdict.UNMET, Verdict.PENDING)]
        unheard = [c for c in checks if c.verdict is Verdict.FOR_JUDGE and c.code not in given]
        if failing or unheard:
            raise ConfirmationInvalid(
                "不能裁定确认：" + "；".join([f"{c.label}（{c.detail}）" for c in failing]
                                         + [f"{c.label}尚未认定" for c in unheard]),
                "a ground is unmet or not attested",
                checks=",".join(c.code for c in [*failing, *unheard]))
        reasons = reasons.strip() or ("申请人达成的调解协议系双方自愿，内容不违反法律强制性规定，"
                                      "不损害国家利益、社会公共利益和他人合法权益，符合司法确认条件。")
    elif not reasons.strip():
        raise ConfirmationInvalid("驳回申请须写明理由", "a rejection needs reasons")
    today = now.astimezone(clock.TZ).date()
    application.status = (Application.Status.CONFIRMED if confirm
                          else Application.Status.REJECTED)
    application.decided_by = actor
    application.decided_at = now
    application.attested = given
    application.reasons = reasons.strip()
    agreement = application.agreement
    application.ruling_document = document_generate(
        actor=actor, dispute=dispute, doc=doc_texts.ruling({
            "confirmed": confirm, "parties": _parties(agreement),
            "applied_on": _date(application.filed_at),
            "accepted_on": _date(application.accepted_at or now),
            "committee": dispute.committee.name, "reasons": application.reasons,
            "effective_on": _date(agreement.effective_at or now),
            "agreement_number": dispute.number, "judge": actor.get_full_name() or actor.username,
            "decided_on": today.isoformat(), "court": application.court.name,
            "case_number": application.case_number, "clerk": _clerk(application),
            "terms": agreement.content["terms"], "claim": agreement.content["claim"]}),
        source=f"ruling:{application.pk}")
    application.save(update_fields=["status", "decided_by", "decided_at", "attested",
                                    "reasons", "ruling_document"])
    dispute.refresh_from_db()
    dispute_apply_action(
        actor=actor, dispute_id=dispute.pk,
        action=Action.CONFIRM if confirm else Action.REJECT_CONFIRMATION,
        expected_version=dispute.version, reason="" if confirm else application.reasons,
        established={"ruling_issued"},
        details={"application": application.pk, "ruling": application.case_number,
                 "attested": given})
    return application
