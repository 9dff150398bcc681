"""A failed mediation: the undisputed facts recorded and confirmed by each party, then the
transfer back to the court with the fast-track deadline running (ONLINE Arts. 21–22)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from jintiao import clock
from jintiao.disputes.access import PermissionDenied, RecordNotFound, Standing, standing_of
from jintiao.disputes.changes import instant, lock_behind, record_event, require_state
from jintiao.disputes.models import Dispute, DisputeParty, PartyRole, Statement
from jintiao.documents import statements
from jintiao.documents import texts as doc_texts
from jintiao.documents.services import document_generate
from jintiao.domain import events
from jintiao.mediation import selectors
from jintiao.mediation.models import FactsConfirmation, UndisputedFacts
from jintiao.mediation.services.common import MediationInvalid
from jintiao.orgs.models import User
from jintiao.parties.models import PartyKind

MAX_FACTS = 30


@transaction.atomic
def undisputed_facts_record(*, actor: User, dispute_id: int, facts: Sequence[str],
                            disputed: str = "", none_reason: str = "") -> UndisputedFacts:
    """Record the facts neither side disputes (or why there are none); a new record
    replaces the earlier one and its confirmations.

    :raises MediationInvalid: no facts and no reason, or too many
    :raises TransitionRefused: the mediation has not failed
    """
    now, _today = instant()
    dispute = lock_behind(actor, dispute_id, RecordNotFound("纠纷不存在", "no such dispute"))
    standing_of(actor, dispute).require(Standing.may_mediate, "记载无争议事实")
    require_state(dispute, *selectors.AFTER_FAILURE, doing="记载无争议事实")
    items = [f.strip() for f in facts if f.strip()]
    if not items and not none_reason.strip():
        raise MediationInvalid("请逐条写明无争议事实，或写明无可记载事实的原因",
                               "facts or a reason for none are required")
    if len(items) > MAX_FACTS or any(len(f) > 1000 for f in items):
        raise MediationInvalid(f"无争议事实最多{MAX_FACTS}条、每条1000字以内", "too many facts")
    UndisputedFacts.objects.filter(dispute=dispute).delete()
    made = UndisputedFacts.objects.create(
        dispute=dispute, facts=items, disputed=disputed.strip()[:4000],
        none_reason=none_reason.strip()[:300], recorded_by=actor, recorded_at=now)
    dispute.version += 1
    dispute.save(update_fields=["version"])
    record_event(dispute, events.MEDIATION_FACTS_RECORDED, actor, now,
                 {"facts": len(items), "none_reason": made.none_reason})
    return made


@transaction.atomic
def undisputed_facts_confirm(*, actor: User, dispute_id: int, party_row_id: int,
                             how: str) -> FactsConfirmation:
    """Record that a party confirmed the undisputed facts in writing (signed, or online).

    :raises MediationInvalid: nothing recorded yet, not this dispute's party, twice, no how
    """
    now, _today = instant()
    dispute = lock_behind(actor, dispute_id, RecordNotFound("纠纷不存在", "no such dispute"))
    standing_of(actor, dispute).require(Standing.may_mediate, "登记当事人确认")
    record = UndisputedFacts.objects.filter(dispute=dispute).first()
    row = DisputeParty.objects.filter(pk=party_row_id, dispute=dispute).first()
    if record is None or row is None:
        raise MediationInvalid("尚未记载无争议事实，或该当事人不属于本纠纷",
                               "no record, or not this dispute's party")
    if not how.strip():
        raise MediationInvalid("请写明确认方式（书面签字、线上确认等）", "how is required")
    if FactsConfirmation.objects.filter(record=record, party_row=row).exists():
        raise MediationInvalid(f"{row.party.name}已确认", "already confirmed")
    made = FactsConfirmation.objects.create(record=record, party_row=row, how=how.strip()[:100],
                                            confirmed_at=now, recorded_by=actor)
    record_event(dispute, events.MEDIATION_FACTS_CONFIRMED, actor, now,
                 {"party_row": row.pk, "how": made.how})
    return made


# What a party undertakes when it signs the record with a code (ONLINE Art. 22: undisputed
# facts are confirmed in writing; Electronic Signature Law Art. 14: a reliable electronic
# signature has a handwritten one's effect; INTERP 107 / ONLINE 18 on concessions).
FACTS_UNDERTAKING = (
    "本人已阅读调解员记载的上述事实，确认其无争议。本人知悉：经各方书面确认的无争议事实，"
    "在后续诉讼中可以作为认定事实的依据，当事人无需另行举证，但涉及国家利益、社会公共利益"
    "和他人合法权益的除外；为达成调解协议而作出妥协所认可的其他事实，不得在诉讼中作为对本人"
    "不利的根据。")
FACTS_SIGNED_HOW = "当事人端验证码签署"


def facts_content(record: UndisputedFacts, row: DisputeParty) -> dict[str, Any]:
    """What a party signs when it confirms the record: the facts as recorded (the record's
    identity and time included, so a new record is a new statement), what stays disputed,
    and the undertaking."""
    return {"dispute": record.dispute.number, "record": record.pk,
            "recorded_at": record.recorded_at.isoformat(), "facts": list(record.facts),
            "none_reason": record.none_reason, "disputed": record.disputed,
            "party": row.party.name, "role": row.role, "undertaking": FACTS_UNDERTAKING}


def _open_record(dispute: Dispute, row: DisputeParty) -> UndisputedFacts:
    """The record a party may still confirm.

    :raises MediationInvalid: none recorded, nothing to confirm, or confirmed already
    """
    record = UndisputedFacts.objects.filter(dispute=dispute).first()
    if record is None or not record.facts:
        raise MediationInvalid("调解员尚未记载需要确认的无争议事实",
                               "no undisputed facts to confirm")
    if FactsConfirmation.objects.filter(record=record, party_row=row).exists():
        raise MediationInvalid(f"{row.party.name}已确认无争议事实", "already confirmed")
    return record


def _own_row(standing: Standing, dispute: Dispute) -> DisputeParty:
    """The party row the actor stands in for: the party or its representative in the
    portal, or the creditor's officer for an institution creditor.

    :raises PermissionDenied: the actor stands for no party of this dispute
    """
    rows = DisputeParty.objects.filter(dispute=dispute).select_related("party")
    for row in rows:
        if standing.acts_for(row.pk) or (
                standing.creditor and row.role == PartyRole.CREDITOR
                and row.party.kind == PartyKind.ENTITY):
            return row
    raise PermissionDenied("只有当事人本人、其代理人或金融机构经办人可以确认无争议事实",
                           "only a party confirms the facts")


@transaction.atomic
def facts_code_send(*, actor: User, dispute_id: int) -> Statement:
    """Fix the record as the actor's party's statement and text the signer a code (issue 21
    §1: the party confirms on the portal, the bank's officer on the workbench).

    :raises PermissionDenied: the actor stands for no party of the dispute
    :raises MediationInvalid: not after a failure, nothing to confirm, confirmed already
    :raises StatementInvalid: no mobile on file, too many codes today
    """
    dispute = lock_behind(actor, dispute_id, RecordNotFound("纠纷不存在", "no such dispute"))
    require_state(dispute, *selectors.AFTER_FAILURE, doing="确认无争议事实")
    row = _own_row(standing_of(actor, dispute), dispute)
    record = _open_record(dispute, row)
    return statements.statement_code_send(
        actor=actor, dispute_id=dispute.pk, party_row_id=row.pk,
        kind=Statement.Kind.UNDISPUTED_FACTS, content=facts_content(record, row))


def _still_current(actor: User, dispute_id: int, statement: Statement
                   ) -> tuple[Dispute, UndisputedFacts]:
    """The record a facts statement was made from, still the one in force and unconfirmed
    by its party.

    :raises MediationInvalid: not after a failure, confirmed already, or the record replaced
    """
    dispute = lock_behind(actor, dispute_id, RecordNotFound("纠纷不存在", "no such dispute"))
    require_state(dispute, *selectors.AFTER_FAILURE, doing="确认无争议事实")
    row = DisputeParty.objects.select_related("party").get(pk=statement.party_row_id)
    record = _open_record(dispute, row)
    if statement.content.get("record") != record.pk or statement.digest != statements.digest(
            facts_content(record, row)):
        raise MediationInvalid("调解员已更新无争议事实记载，请阅读新的记载后重新获取验证码",
                               "the record changed since the code was sent")
    return dispute, record


def facts_sign(*, actor: User, dispute_id: int, statement_id: int, code: str,
               client_ip: str = "") -> FactsConfirmation:
    """Sign the record with the code, and so confirm it: the confirmation names the signed
    statement's digest. A wrong code is counted (the statement's own rule) and changes
    nothing else; a record replaced since the code was sent is refused — the party signs
    the facts as they now stand.

    :raises StatementInvalid: a wrong or expired code, no such statement
    :raises MediationInvalid: the record was replaced, or confirmed already
    """
    found = Statement.objects.filter(
        pk=statement_id, kind=Statement.Kind.UNDISPUTED_FACTS,
        party_row__dispute_id=dispute_id).first()
    if found is None:
        raise statements.StatementInvalid("签署请求不存在", "no such statement")
    # the record as it stands first, so no statement of facts since replaced is signed
    # (checked again after signing, for a record replaced meanwhile)
    with transaction.atomic():
        _still_current(actor, dispute_id, found)
    signed = statements.statement_sign(actor=actor, statement_id=found.pk, code=code,
                                       client_ip=client_ip)
    with transaction.atomic():
        now, _today = instant()
        dispute, record = _still_current(actor, dispute_id, signed)
        row = DisputeParty.objects.select_related("party").get(pk=signed.party_row_id)
        made = FactsConfirmation.objects.create(
            record=record, party_row=row, how=f"{FACTS_SIGNED_HOW}（摘要{signed.digest[:8]}）",
            confirmed_at=now, recorded_by=actor)
        record_event(dispute, events.MEDIATION_FACTS_CONFIRMED, actor, now,
                     {"party_row": row.pk, "how": made.how, "statement": signed.pk})
    return made


def _day_of(at: dt.datetime) -> str:
    """The Shanghai day of ``at``, ISO (before 08:00 it is not the UTC day)."""
    return at.astimezone(clock.TZ).date().isoformat()


def facts_document(actor: User, dispute: Dispute) -> None:
    """The record of undisputed facts as a document, when the dispute goes to the court."""
    record = UndisputedFacts.objects.get(dispute=dispute)
    confirmed = {c.party_row_id: c for c in record.confirmations.all()}
    started = dispute.events.filter(type=events.DISPUTE_ASSIGN.type).order_by("seq").first()
    ended = dispute.events.filter(type__in=[events.DISPUTE_FAIL.type,
                                             events.DISPUTE_REJECT_CONFIRMATION.type]) \
        .order_by("-seq").first()
    team = selectors.team_of(dispute)
    doc = doc_texts.undisputed_facts({
        "number": dispute.number, "committee": dispute.committee.name,
        "started_on": _day_of(started.at) if started else "",
        "ended_on": _day_of(ended.at) if ended else "",
        "reason": (ended.params.get("reason", "") if ended else "") or "调解不成",
        "how_ended": ("法院裁定驳回司法确认申请"
                      if ended and ended.type == events.DISPUTE_REJECT_CONFIRMATION.type
                      else "调解不成"),
        "facts": record.facts or [f"无可记载的无争议事实（{record.none_reason}）"],
        "disputed": record.disputed,
        "mediator": str(team[0].user) if team else "",
        "parties": [{"role_label": r.get_role_display(), "name": r.party.name,
                     "id_masked": r.party.id_masked, "kind": r.party.kind,
                     "confirmed": f"已确认（{confirmed[r.pk].how}）" if r.pk in confirmed else "",
                     "confirmed_on": _day_of(confirmed[r.pk].confirmed_at)
                     if r.pk in confirmed else ""}
                    for r in dispute.party_rows.select_related("party")]})
    record.document = document_generate(actor=actor, dispute=dispute, doc=doc,
                                        source=f"undisputed_facts:{record.pk}")
    record.save(update_fields=["document"])
