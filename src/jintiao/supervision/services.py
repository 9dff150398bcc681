"""Keeping the figures current: fold each changed dispute's timeline into its figures row.

The rows are a read model, not a state of the dispute, so rebuilding them writes no
timeline event; nothing but these functions writes them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from jintiao import clock
from jintiao.agreements.models import Agreement
from jintiao.disputes.models import Dispute, DisputeMediator, DisputeParty, DisputeType, PartyRole
from jintiao.domain import fees, figures, periods
from jintiao.domain.calendar import WorkingCalendar
from jintiao.domain.figures import Stage, Step
from jintiao.domain.policy import Policy
from jintiao.parties.models import PartyKind
from jintiao.policies.selectors import working_calendar
from jintiao.supervision.models import DisputeFigures
from jintiao.timeline.models import Event, FiguresBacklog

BATCH = 500
HUNDRED = Decimal(100)


def fen(amount: Decimal) -> int:
    return int((amount * HUNDRED).to_integral_value())


def figures_refresh(*, batch: int = BATCH) -> int:
    """Rebuild the figures of every dispute with events not yet folded in; return how many.

    A backlog row is removed only if no newer event replaced it meanwhile, so a change
    committed while this runs is picked up next time, never lost.
    """
    done = 0
    calendar: WorkingCalendar | None = None
    while True:
        pending = list(FiguresBacklog.objects.order_by("dispute_id")
                       .values_list("dispute_id", "seq")[:batch])
        if not pending:
            return done
        calendar = calendar or working_calendar()
        with transaction.atomic():
            _rebuild(dict(pending), calendar)
            for dispute_id, seq in pending:
                FiguresBacklog.objects.filter(dispute_id=dispute_id, seq=seq).delete()
        done += len(pending)
        if len(pending) < batch:
            return done


def figures_rebuild_all() -> int:
    """Queue every dispute and rebuild its figures (after a change of definitions)."""
    last = (Event.objects.values("dispute_id").annotate(seq=Max("seq"))
            .values_list("dispute_id", "seq"))
    FiguresBacklog.objects.bulk_create(
        [FiguresBacklog(dispute_id=d, seq=s) for d, s in last], update_conflicts=True,
        unique_fields=["dispute"], update_fields=["seq"])
    return figures_refresh()


def _local(at: dt.datetime) -> dt.date:
    return at.astimezone(clock.TZ).date()


def _rebuild(pending: dict[int, int], calendar: WorkingCalendar) -> None:
    ids = list(pending)
    disputes = Dispute.objects.filter(pk__in=ids).select_related("committee", "policy_version")
    steps: dict[int, list[Step]] = defaultdict(list)
    last_seq: dict[int, int] = {}
    for e in (Event.objects.filter(dispute_id__in=ids)
              .order_by("dispute_id", "seq")
              .only("dispute_id", "seq", "type", "at", "state_before", "state_after",
                    "params", "meta")):
        steps[e.dispute_id].append(Step(e.type, _local(e.at), e.state_before, e.state_after,
                                        e.params, e.meta))
        last_seq[e.dispute_id] = e.seq
    entity_debtors = set(DisputeParty.objects.filter(
        dispute_id__in=ids, role=PartyRole.DEBTOR, party__kind=PartyKind.ENTITY)
        .values_list("dispute_id", flat=True))
    leads = dict(DisputeMediator.objects.filter(dispute_id__in=ids, lead=True)
                 .values_list("dispute_id", "user_id"))
    agreed = {a.dispute_id: Decimal(a.content["terms"]["total"])
              for a in Agreement.objects.filter(dispute_id__in=ids,
                                                status=Agreement.Status.EFFECTIVE)}
    policies: dict[int, Policy] = {}
    rows = []
    for d in disputes:
        m = figures.milestones(steps[d.pk])
        policy = policies.setdefault(d.policy_version_id, Policy.from_dict(d.policy_version.data))
        claim = sum((d.principal, d.interest, d.penalty_interest, d.compound_interest,
                     d.liquidated_damages, d.fees, d.other), Decimal(0))
        saved = (fees.litigation_saving(claim, lawyer_fee_rate=policy.lawyer_fee_rate,
                                        lawyer_fee_minimum=policy.lawyer_fee_minimum).total
                 if m.settled and claim > 0 else Decimal(0))
        rows.append(DisputeFigures(
            dispute=d, seq=last_seq.get(d.pk, pending[d.pk]), committee_id=d.committee_id,
            node_path=d.committee.path, channel=d.channel, dispute_type=d.dispute_type,
            institution_id=d.institution_id, mediator_id=leads.get(d.pk),
            claim_fen=fen(claim), agreed_fen=fen(agreed.get(d.pk, Decimal(0))),
            saved_fen=fen(saved),
            distressed=(d.pk in entity_debtors or d.dispute_type == DisputeType.ENTERPRISE_LOAN),
            outcome=m.outcome.value, received_on=d.received_on,
            accepted_on=m.accepted_on, declined_on=m.declined_on,
            concluded_on=m.concluded_on, deadline=m.deadline,
            within_deadline=m.within_deadline,
            working_days=(periods.working_days_between(m.accepted_on, m.concluded_on, calendar)
                          if m.accepted_on and m.concluded_on else None),
            confirmed_on=m.confirmed_on, performed_on=m.performed_on,
            defaulted_on=m.defaulted_on, enforcement_on=m.enforcement_on,
            credit_repaired_on=m.credit_repaired_on,
            invited_on=m.stage_on(Stage.INVITED), contacted_on=m.stage_on(Stage.CONTACTED),
            engaged_on=m.stage_on(Stage.ENGAGED), agreed_on=m.stage_on(Stage.AGREED),
            performing_on=m.stage_on(Stage.PERFORMING)))
    fields = [f.name for f in DisputeFigures._meta.concrete_fields if not f.primary_key]
    DisputeFigures.objects.bulk_create(rows, update_conflicts=True, unique_fields=["dispute"],
                                       update_fields=fields)
