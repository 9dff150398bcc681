"""The supervisors' figures on the demo world: the prefecture is the sum of its counties
in every figure, and every figure agrees with a count made straight from the disputes and
their timelines."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest

from jintiao import clock
from jintiao.demo.seed import load_demo
from jintiao.disputes.models import Dispute
from jintiao.domain import fees
from jintiao.domain.figures import FUNNEL, ReportPeriod, Stage
from jintiao.domain.lifecycle import Action
from jintiao.domain.policy import Policy
from jintiao.mediation.services import action_apply
from jintiao.orgs.models import Organization, OrgKind, User
from jintiao.supervision import selectors, services
from jintiao.supervision.models import DisputeFigures
from jintiao.timeline.models import Event, FiguresBacklog

CLAIM = ("principal", "interest", "penalty_interest", "compound_interest",
         "liquidated_damages", "fees", "other")


@pytest.fixture
def demo(db):
    load_demo(synthetic=60)
    return Organization.objects.get(parent=None, kind=OrgKind.LEADING_GROUP)


def _claim(d: Dispute) -> Decimal:
    return sum((getattr(d, f) for f in CLAIM), Decimal(0))


def _direct(node: Organization, period: ReportPeriod) -> dict[str, object]:
    """The figures counted straight from the disputes and their events, without the
    figures table or the fold."""
    disputes = {d.pk: d for d in Dispute.objects.filter(committee__path__startswith=node.path)
                .select_related("policy_version")}
    events = defaultdict(list)
    for e in Event.objects.filter(dispute_id__in=disputes).order_by("dispute_id", "seq"):
        events[e.dispute_id].append(e)

    def day(e: Event) -> dt.date:
        return e.at.astimezone(clock.TZ).date()

    def inside(e: Event) -> bool:
        return period.start <= day(e) <= period.end

    found: dict[str, object] = defaultdict(int)
    found["amount_involved"] = found["amount_settled"] = found["amount_confirmed"] = Decimal(0)
    found["fees_saved"] = Decimal(0)
    for pk, d in disputes.items():
        if period.start <= d.received_on <= period.end:
            found["received"] += 1
        chain = events[pk]
        if any(e.type == "dispute.accept" and inside(e) for e in chain):
            found["accepted"] += 1
            found["amount_involved"] += _claim(d)
        ends = [e for e in chain if e.state_after in ("agreed", "failed", "withdrawn")
                and e.state_before in ("accepted", "mediating")]
        if ends and inside(ends[-1]) and not any(e.type == "dispute.remediate" for e in chain):
            found["concluded"] += 1
            if ends[-1].state_after == "agreed":
                found["settled"] += 1
                found["amount_settled"] += _claim(d)
                policy = Policy.from_dict(d.policy_version.data)
                found["fees_saved"] += fees.litigation_saving(
                    _claim(d), lawyer_fee_rate=policy.lawyer_fee_rate,
                    lawyer_fee_minimum=policy.lawyer_fee_minimum).total
        for kind, key in (("dispute.confirm", "confirmed"), ("dispute.complete", "performed"),
                          ("dispute.default", "defaulted")):
            hits = [e for e in chain if e.type == kind and inside(e)]
            if hits:
                found[key] += 1
                if key == "confirmed":
                    found["amount_confirmed"] += _claim(d)
    return found


def test_the_prefecture_is_the_sum_of_its_counties_and_agrees_with_a_direct_count(demo):
    today = clock.today()
    periods = [*ReportPeriod.month_of(today).trailing(13), ReportPeriod.parse(f"{today.year}"),
               ReportPeriod.quarter_of(today)]
    counties = list(Organization.objects.filter(parent=demo, kind=OrgKind.LEADING_GROUP))
    assert len(counties) == 16
    busy = 0
    for period in periods:
        stats = selectors.statistics(demo, period)
        parts = [selectors.tally(c, period) for c in counties]
        for key, value in stats.totals.values.items():
            assert sum(p[key] for p in parts) == value, (period, key)
            assert sum(g.tally[key] for g in stats.breakdowns["child"]) == value, (period, key)
            assert sum(g.tally[key] for g in stats.breakdowns["committee"]) == value
        direct = _direct(demo, period)
        for key in ("received", "accepted", "concluded", "settled", "confirmed", "performed",
                    "defaulted", "amount_involved", "amount_settled", "amount_confirmed",
                    "fees_saved"):
            assert stats.totals[key] == direct[key], (period, key)
        assert list(stats.funnel[:5]) == sorted(stats.funnel[:5], reverse=True)  # cumulative
        assert stats.working_days.count == stats.totals["concluded"]
        for key in ("received", "settled", "stage_agreed", "amount_settled"):
            rows = selectors.trace(demo, period, key)
            expected = (stats.totals[key] if not key.startswith("stage_")
                        else stats.funnel[1 + FUNNEL.index(Stage.AGREED)])
            if key == "amount_settled":
                total = sum((Decimal(r.claim_fen) / 100 for r in rows), Decimal(0))
                assert total == expected
            else:
                assert rows.count() == expected, key
        busy += stats.totals["accepted"] > 0
    assert busy >= 10  # the demo spreads a year of work; the test would prove little otherwise
    months = ReportPeriod.month_of(today).trailing(13)
    for month, row in zip(months, selectors.trend(demo, months), strict=True):
        for key in selectors.TREND_KEYS:
            assert row[key] == selectors.tally(demo, month)[key], (month, key)


def test_a_change_reaches_the_figures_through_the_backlog(demo):
    assert not FiguresBacklog.objects.exists()
    assert DisputeFigures.objects.count() == Dispute.objects.count()
    received = Dispute.objects.filter(state="received").select_related("committee").first()
    clerk = User.objects.filter(organization=received.committee,
                                role_rows__role="intake_clerk").first()
    action_apply(actor=clerk, dispute_id=received.pk, action=Action.DECLINE,
                 expected_version=received.version, reason="不属于受理范围")
    backlog = FiguresBacklog.objects.get()
    assert backlog.dispute_id == received.pk
    assert DisputeFigures.objects.get(pk=received.pk).outcome == "pending"
    assert services.figures_refresh() == 1
    assert DisputeFigures.objects.get(pk=received.pk).declined_on == clock.today()
    assert not FiguresBacklog.objects.exists()


def test_a_newer_event_during_a_rebuild_stays_queued(demo, monkeypatch):
    dispute = Dispute.objects.order_by("pk").first()
    FiguresBacklog.objects.create(dispute=dispute, seq=1)
    real = services._rebuild

    def racing(pending, calendar):
        real(pending, calendar)
        FiguresBacklog.objects.filter(dispute=dispute).update(seq=99)  # a commit meanwhile
    monkeypatch.setattr(services, "_rebuild", racing)
    services.figures_refresh(batch=10)
    assert FiguresBacklog.objects.get().seq == 99


def test_received_is_the_dispute_s_own_receipt_date_not_the_day_it_was_keyed_in(demo):
    dispute = Dispute.objects.order_by("pk").first()
    earlier = dispute.received_on - dt.timedelta(days=40)
    Dispute.objects.filter(pk=dispute.pk).update(received_on=earlier)  # a paper filing
    FiguresBacklog.objects.create(dispute=dispute, seq=1)
    services.figures_refresh()
    assert DisputeFigures.objects.get(pk=dispute.pk).received_on == earlier
