"""Supervision's writes: keeping the figures current, and the quarterly spot checks.

The figures rows are a read model, not a state of the dispute, so rebuilding them writes
no timeline event; nothing but these functions writes them. A spot check's draw and each
review are written to the disputes' timelines.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from decimal import Decimal
from functools import reduce

from django.db import transaction
from django.db.models import Max, Q

from jintiao import clock
from jintiao.agreements.models import Agreement
from jintiao.disputes.access import PermissionDenied, RecordNotFound, supervises
from jintiao.disputes.models import Dispute, DisputeMediator, DisputeParty, DisputeType, PartyRole
from jintiao.domain import events, fees, figures, periods, spotchecks
from jintiao.domain.calendar import WorkingCalendar
from jintiao.domain.figures import PeriodKind, ReportPeriod, Stage, Step
from jintiao.domain.lifecycle import Role
from jintiao.domain.money import to_fen
from jintiao.domain.policy import Policy
from jintiao.domain.spotchecks import SpotCheckInvalid
from jintiao.orgs.models import Organization, User
from jintiao.parties.models import PartyKind
from jintiao.policies.selectors import working_calendar
from jintiao.supervision import month_figures
from jintiao.supervision.models import DisputeFigures, SpotCheck, SpotCheckItem
from jintiao.timeline.models import Event, FiguresBacklog
from jintiao.timeline.services import event_append

BATCH = 500


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
            FiguresBacklog.objects.filter(reduce(operator.or_, (
                Q(dispute_id=dispute_id, seq=seq) for dispute_id, seq in pending))).delete()
        done += len(pending)
        if len(pending) < batch:
            return done


def figures_rebuild_all() -> int:
    """Queue every dispute and rebuild its figures, then every month's (after a change of
    definitions: a month no dispute counts in any longer is dropped too)."""
    last = (Event.objects.values("dispute_id").annotate(seq=Max("seq"))
            .values_list("dispute_id", "seq"))
    FiguresBacklog.objects.bulk_create(
        [FiguresBacklog(dispute_id=d, seq=s) for d, s in last], update_conflicts=True,
        unique_fields=["dispute"], update_fields=["seq"])
    done = figures_refresh()
    month_figures.months_rebuild_all()
    return done


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
    debtor_rows: dict[int, set[int]] = defaultdict(set)
    entity_debtors: set[int] = set()
    for row_id, dispute_id, kind in DisputeParty.objects.filter(
            dispute_id__in=ids, role=PartyRole.DEBTOR).values_list("pk", "dispute_id",
                                                                   "party__kind"):
        debtor_rows[dispute_id].add(row_id)
        if kind == PartyKind.ENTITY:
            entity_debtors.add(dispute_id)
    leads = dict(DisputeMediator.objects.filter(dispute_id__in=ids, lead=True)
                 .values_list("dispute_id", "user_id"))
    agreed = {a.dispute_id: Decimal(a.content["terms"]["total"])
              for a in Agreement.objects.filter(dispute_id__in=ids,
                                                status=Agreement.Status.EFFECTIVE)}
    policies: dict[int, Policy] = {}
    rows = []
    for d in disputes:
        m = figures.milestones(steps[d.pk], debtor_rows=debtor_rows[d.pk])
        if d.policy_version_id not in policies:  # once a version, not once a dispute
            policies[d.policy_version_id] = Policy.from_dict(d.policy_version.data)
        policy = policies[d.policy_version_id]
        claim = sum((d.principal, d.interest, d.penalty_interest, d.compound_interest,
                     d.liquidated_damages, d.fees, d.other), Decimal(0))
        saved = (fees.litigation_saving(claim, lawyer_fee_rate=policy.lawyer_fee_rate,
                                        lawyer_fee_minimum=policy.lawyer_fee_minimum).total
                 if m.settled and claim > 0 else Decimal(0))
        rows.append(DisputeFigures(
            dispute=d, seq=last_seq.get(d.pk, pending[d.pk]), committee_id=d.committee_id,
            node_path=d.committee.path, channel=d.channel, dispute_type=d.dispute_type,
            institution_id=d.institution_id, mediator_id=leads.get(d.pk),
            claim_fen=to_fen(claim), agreed_fen=to_fen(agreed.get(d.pk, Decimal(0))),
            saved_fen=to_fen(saved),
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
    # the months take the difference between what the disputes counted and count now
    month_figures.lock_committees(ids)
    before = month_figures.counted(ids)
    DisputeFigures.objects.bulk_create(rows, update_conflicts=True, unique_fields=["dispute"],
                                       update_fields=fields)
    month_figures.months_apply(month_figures.counted(ids).minus(before))


# --- quarterly spot checks -------------------------------------------------------------------

class SpotCheckNotFound(RecordNotFound):
    """Missing, or not this actor's to review: the same answer for both."""


@transaction.atomic
def spot_check_draw(*, actor: User, node: Organization, year: int, quarter: int,
                    per_committee: int, seed: str = "") -> SpotCheck:
    """Draw the quarter's sample of concluded disputes under ``node``, ``per_committee``
    from each committee, reproducibly from ``seed`` (default: node, year and quarter), and
    share it out among the node's supervisors in turn.

    :raises PermissionDenied: the actor does not supervise the node
    :raises SpotCheckInvalid: a bad quarter or size, already drawn, or nothing concluded
    """
    if not supervises(actor, node):
        raise PermissionDenied("只有本级或上级督导人员可以组织抽查", "not a supervisor of the node")
    Organization.objects.select_for_update().filter(pk=node.pk).first()  # one draw at a time
    period = ReportPeriod(year, PeriodKind.QUARTER, quarter)
    seed = seed.strip() or f"{node.pk}-{period}"
    if SpotCheck.objects.filter(node=node, year=year, quarter=quarter).exists():
        raise SpotCheckInvalid(f"{node.name}{period.label}已抽查", "already drawn for the quarter")
    figures_refresh()
    rows = (DisputeFigures.objects.filter(node_path__startswith=node.path,
                                          concluded_on__gte=period.start,
                                          concluded_on__lte=period.end)
            .values_list("committee_id", "dispute_id"))
    candidates: dict[int, list[int]] = defaultdict(list)
    for committee_id, dispute_id in rows:
        candidates[committee_id].append(dispute_id)
    drawn = spotchecks.draw(candidates, per_committee, seed)
    if not any(drawn.values()):
        raise SpotCheckInvalid(f"{period.label}没有办结的纠纷可供抽查", "nothing concluded")
    now = clock.now()
    check = SpotCheck.objects.create(node=node, year=year, quarter=quarter,
                                     per_committee=per_committee, seed=seed[:64],
                                     drawn_by=actor, drawn_at=now)
    reviewers = list(User.objects.filter(organization=node, role_rows__role=Role.SUPERVISOR,
                                         is_active=True).order_by("pk")) or [actor]
    picked = [(c, d) for c in sorted(drawn) for d in drawn[c]]
    disputes = {d.pk: d for d in Dispute.objects.select_for_update(of=("self",))
                .filter(pk__in=[d for _c, d in picked]).order_by("pk")}
    items = SpotCheckItem.objects.bulk_create(
        [SpotCheckItem(spot_check=check, dispute_id=dispute_id, committee_id=committee_id,
                       reviewer=reviewers[i % len(reviewers)])
         for i, (committee_id, dispute_id) in enumerate(picked)])
    for item in items:  # each dispute's own chain: one append per dispute
        dispute = disputes[item.dispute_id]
        event_append(dispute=dispute, type=events.SPOT_CHECK_DRAWN, actor=actor, at=now,
                     state_before=dispute.state, state_after=dispute.state,
                     params={"check": check.pk, "quarter": str(period), "seed": seed,
                             "reviewer": item.reviewer_id})
    return check


@transaction.atomic
def spot_check_review(*, actor: User, item_id: int, answers: dict[str, object],
                      findings: str, check_id: int | None = None) -> SpotCheckItem:
    """Record the checklist and findings of one drawn dispute; its reviewer (or another
    supervisor of the node) may correct it until the quarter's report is read.

    :raises SpotCheckNotFound: no such item for this actor
    :raises SpotCheckInvalid: the checklist is incomplete, or a failed item has no finding
    """
    items = SpotCheckItem.objects.select_for_update(of=("self",)).filter(pk=item_id)
    if check_id is not None:
        items = items.filter(spot_check_id=check_id)
    item = items.select_related("spot_check__node").first()
    if item is None or not (item.reviewer_id == actor.pk
                            or supervises(actor, item.spot_check.node)):
        raise SpotCheckNotFound("抽查记录不存在或无权检查", "no such spot-check item")
    problems = spotchecks.answers_problems(answers)
    findings = findings.strip()
    if not problems and not all(answers.values()) and not findings:
        problems = ["有不符合项的，请写明发现的问题"]
    if len(findings) > 2000:
        problems.append("发现的问题不超过2000字")
    if problems:
        raise SpotCheckInvalid("；".join(problems), "checklist incomplete", problems=problems)
    now = clock.now()
    item.answers = {k: bool(answers[k]) for k in spotchecks.CHECKLIST}
    item.findings, item.reviewed_at = findings, now
    item.save(update_fields=["answers", "findings", "reviewed_at"])
    dispute = Dispute.objects.select_for_update(of=("self",)).get(pk=item.dispute_id)
    event_append(dispute=dispute, type=events.SPOT_CHECK_REVIEWED, actor=actor, at=now,
                 state_before=dispute.state, state_after=dispute.state,
                 params={"check": item.spot_check_id, "failed": item.failed})
    return item
