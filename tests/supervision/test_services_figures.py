"""Keeping the figures current: what a dispute's records put on the reach funnel."""

from __future__ import annotations

import datetime as dt

import pytest

from jintiao import clock
from jintiao.disputes.models import PartyRole
from jintiao.domain.figures import FUNNEL, ReportPeriod, Stage
from jintiao.mediation.models import Session
from jintiao.mediation.services import session_record, session_schedule
from jintiao.supervision import selectors, services
from jintiao.supervision.models import DisputeFigures

pytestmark = pytest.mark.django_db


def _hold(world, dispute, attended: dict[PartyRole, bool]) -> None:
    rows = {r.role: r.pk for r in dispute.party_rows.all()}
    session = session_schedule(actor=world.mediator, dispute_id=dispute.pk,
                               mode=Session.Mode.FACE_TO_FACE, place="凯里市综治中心调解室",
                               starts_at=clock.now() - dt.timedelta(hours=1),
                               party_row_ids=list(rows.values()))
    session_record(actor=world.mediator, session_id=session.pk, record="双方陈述意见",
                   attended={rows[role]: present for role, present in attended.items()})


def _engaged(world) -> int:
    stats = selectors.statistics(world.prefecture, ReportPeriod.month_of(clock.today()))
    return stats.funnel[1 + FUNNEL.index(Stage.ENGAGED)]


class TestReachFunnel:
    def test_a_debtor_who_attended_a_session_has_engaged(self, world, cases):
        ours, _theirs = cases
        services.figures_refresh()
        assert _engaged(world) == 0

        _hold(world, ours, {PartyRole.CREDITOR: True, PartyRole.DEBTOR: True})
        services.figures_refresh()

        assert DisputeFigures.objects.get(pk=ours.pk).engaged_on == clock.today()
        assert _engaged(world) == 1
        traced = selectors.trace(world.prefecture, ReportPeriod.month_of(clock.today()),
                                 "stage_engaged")
        assert [f.dispute_id for f in traced] == [ours.pk]

    def test_the_bank_alone_at_a_session_is_not_the_debtor_engaging(self, world, cases):
        ours, _theirs = cases

        _hold(world, ours, {PartyRole.CREDITOR: True, PartyRole.DEBTOR: False})
        services.figures_refresh()

        assert DisputeFigures.objects.get(pk=ours.pk).engaged_on is None
        assert _engaged(world) == 0

    def test_figures_built_before_sessions_counted_are_queued_again(self, world, cases):
        """The migration that brought session attendance into the funnel queues the
        disputes with a recorded session, and only those, so their figures are refolded."""
        import importlib

        from django.apps import apps

        from jintiao.timeline.models import FiguresBacklog

        ours, _theirs = cases
        _hold(world, ours, {PartyRole.DEBTOR: True})
        services.figures_refresh()
        assert not FiguresBacklog.objects.exists()

        importlib.import_module(
            "jintiao.supervision.migrations.0002_refold_session_attendance").queue(apps, None)

        assert list(FiguresBacklog.objects.values_list("dispute_id", flat=True)) == [ours.pk]
        assert services.figures_refresh() == 1
