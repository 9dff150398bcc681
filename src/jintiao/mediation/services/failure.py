"""A failed mediation: the undisputed facts recorded and confirmed by each party, then the
transfer back to the court with the fast-track deadline running (ONLINE Arts. 21–22)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction

from jintiao import clock
from jintiao.disputes.access import RecordNotFound, Standing, standing_of
from jintiao.disputes.changes import instant, lock_behind, record_event, require_state
from jintiao.disputes.models import Dispute, DisputeParty
from jintiao.documents import texts as doc_texts
from jintiao.documents.services import document_generate
from jintiao.domain import events
from jintiao.mediation import selectors
from jintiao.mediation.models import FactsConfirmation, UndisputedFacts
from jintiao.mediation.services.common import MediationInvalid
from jintiao.orgs.models import User

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
