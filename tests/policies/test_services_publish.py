"""Publishing a policy version (issue 21 §5): who may publish for which node, what a refusal
leaves (nothing), how the previous window is closed and recorded, and that disputes keep the
version they were received under."""

from __future__ import annotations

import datetime as dt

import pytest

from jintiao import clock
from jintiao.domain import periods
from jintiao.domain.errors import ErrorCode
from jintiao.domain.lifecycle import Action, Role
from jintiao.domain.periods import TimeLimit, Unit
from jintiao.domain.policy import SOURCES, PolicyInvalid, PolicyWindowInvalid, Track
from jintiao.mediation.services import action_apply
from jintiao.orgs.models import OrgKind
from jintiao.policies.models import PolicyVersion
from jintiao.policies.selectors import policy_for, working_calendar
from jintiao.policies.services import (
    PolicyNotYours,
    PolicyWithdrawRefused,
    policy_draft,
    policy_publish,
    policy_withdraw,
)
from tests.factories import OrganizationFactory, UserFactory, intake

TEN_WD = {"amount": 10, "unit": "working_days"}
BASIS = "黔东南州金融纠纷多元化解领导小组〔2027〕1号"


@pytest.fixture
def admins(world):
    """A platform administrator (of the operator), the prefecture's and Kaili county's."""
    operator = OrganizationFactory(name="平台运营中心", kind=OrgKind.OPERATOR)
    world.platform_admin = UserFactory(organization=operator, roles=[Role.ADMINISTRATOR])
    world.prefecture_admin = UserFactory(organization=world.prefecture,
                                         roles=[Role.ADMINISTRATOR])
    world.county_admin = UserFactory(organization=world.county, roles=[Role.ADMINISTRATOR])
    return world


def tomorrow() -> dt.date:
    return clock.today() + dt.timedelta(days=1)


def publish(world, actor, node, **kwargs):
    kwargs.setdefault("values", {"mediation_simple_limit": TEN_WD})
    kwargs.setdefault("sources", {"mediation_simple_limit": BASIS})
    kwargs.setdefault("valid_from", tomorrow())
    return policy_publish(actor=actor, organization=node, **kwargs)


def stored() -> list[tuple[int, int, dt.date, dt.date | None]]:
    return list(PolicyVersion.objects.order_by("pk").values_list(
        "organization_id", "version", "valid_from", "valid_to"))


class TestWhoPublishes:
    def test_the_platform_administrator_publishes_for_any_node(self, admins):
        row = publish(admins, admins.platform_admin, admins.other_committee)
        assert (row.organization, row.version) == (admins.other_committee, 1)

    def test_a_county_administrator_publishes_for_its_node_and_below(self, admins):
        assert publish(admins, admins.county_admin, admins.county).version == 1
        assert publish(admins, admins.county_admin, admins.committee,
                       values={"max_extensions": 2},
                       sources={"max_extensions": BASIS}).version == 1

    def test_a_node_below_inherits_and_a_copy_of_what_it_inherits_is_refused(self, admins):
        publish(admins, admins.county_admin, admins.county)
        with pytest.raises(PolicyInvalid, match="无需发布"):
            publish(admins, admins.county_admin, admins.committee)

    @pytest.mark.parametrize("node", ["prefecture", "other_county", "other_committee"])
    def test_a_county_administrator_is_refused_above_or_beside_its_node(self, admins, node):
        before = stored()
        with pytest.raises(PolicyNotYours) as refused:
            publish(admins, admins.county_admin, getattr(admins, node))
        assert refused.value.code == ErrorCode.PERMISSION_DENIED
        assert stored() == before

    @pytest.mark.parametrize("who", ["director", "supervisor", "clerk", "agent"])
    def test_other_roles_never_publish(self, admins, who):
        with pytest.raises(PolicyNotYours, match="不能发布其规则"):
            publish(admins, getattr(admins, who), admins.committee)

    def test_a_bank_holds_no_rules(self, admins):
        with pytest.raises(PolicyInvalid, match="不是可以配置规则的单位"):
            publish(admins, admins.platform_admin, admins.bank)


class TestWhatIsStored:
    def test_the_new_version_closes_the_previous_window_and_records_it(self, admins):
        start = tomorrow()

        row = publish(admins, admins.prefecture_admin, admins.prefecture, valid_from=start,
                      source=BASIS)

        first = admins.prefecture.policies.get(version=1)
        assert first.valid_to == start
        assert (row.version, row.valid_from, row.valid_to) == (2, start, None)
        assert (row.closes, row.closed_valid_to) == (1, None)
        assert row.published_by == admins.prefecture_admin
        assert row.published_at is not None
        assert row.source == BASIS
        assert row.data["mediation_simple_limit"] == TEN_WD
        assert row.sources["mediation_simple_limit"] == BASIS
        assert row.sources["objection_limit"] == SOURCES["objection_limit"]
        assert row.changes == [{
            "field": "mediation_simple_limit", "label": "简易程序调解期限",
            "old": "7个工作日", "new": "10个工作日",
            "old_source": SOURCES["mediation_simple_limit"], "new_source": BASIS}]

    def test_a_version_with_an_end_date_leaves_the_next_day_to_the_node_above(self, admins):
        start = tomorrow()
        publish(admins, admins.county_admin, admins.committee, valid_from=start,
                valid_to=start + dt.timedelta(days=30))
        _, inside = policy_for(admins.committee, on=start + dt.timedelta(days=29))
        version, after = policy_for(admins.committee, on=start + dt.timedelta(days=30))
        assert inside.mediation_simple_limit == TimeLimit(10, Unit.WORKING_DAYS)
        assert version.organization == admins.prefecture
        assert after.mediation_simple_limit == TimeLimit(7, Unit.WORKING_DAYS)

    def test_the_draft_shows_the_difference_and_writes_nothing(self, admins):
        before = stored()
        draft = policy_draft(actor=admins.prefecture_admin, organization=admins.committee,
                             valid_from=tomorrow(),
                             values={"mediation_simple_limit": TEN_WD,
                                     "annual_cost_cap": "0.2"},
                             sources={"mediation_simple_limit": BASIS,
                                      "annual_cost_cap": BASIS})
        assert [(c.field, c.old, c.new) for c in draft.changes] == [
            ("mediation_simple_limit", "7个工作日", "10个工作日"),
            ("annual_cost_cap", "24%", "20%")]
        assert draft.base is not None
        assert draft.base.organization == admins.prefecture
        assert draft.version == 1
        assert draft.closes is None
        assert stored() == before


class TestRefusals:
    def assert_refused(self, admins, error, match, **kwargs):
        before = stored()
        with pytest.raises(error, match=match) as caught:
            publish(admins, admins.prefecture_admin, admins.prefecture, **kwargs)
        assert stored() == before
        return caught.value

    def test_a_value_out_of_its_domain_names_the_field_and_changes_nothing(self, admins):
        error = self.assert_refused(admins, PolicyInvalid, "“简易程序调解期限”必须至少为1",
                                    values={"mediation_simple_limit": {"amount": 0,
                                                                       "unit": "working_days"}})
        assert error.code == ErrorCode.POLICY_INVALID
        assert error.details["field"] == "mediation_simple_limit"

    def test_a_cap_above_24_percent_is_refused(self, admins):
        self.assert_refused(admins, PolicyInvalid, "全国上限年24%",
                            values={"annual_cost_cap": "0.3"},
                            sources={"annual_cost_cap": BASIS})

    def test_a_changed_value_without_a_source_is_refused(self, admins):
        self.assert_refused(admins, PolicyInvalid, "须填写其法律或政策依据",
                            sources={"mediation_simple_limit": ""})

    def test_a_start_before_today_is_refused(self, admins):
        error = self.assert_refused(admins, PolicyWindowInvalid, "不能早于今天",
                                    valid_from=clock.today() - dt.timedelta(days=1))
        assert error.code == ErrorCode.POLICY_WINDOW_INVALID

    def test_backwards_dates_are_refused(self, admins):
        self.assert_refused(admins, PolicyWindowInvalid, "必须晚于生效日期",
                            valid_to=tomorrow())

    def test_a_start_on_a_scheduled_version_overlaps(self, admins):
        publish(admins, admins.prefecture_admin, admins.prefecture,
                valid_from=tomorrow() + dt.timedelta(days=10))
        self.assert_refused(admins, PolicyWindowInvalid, "与第2版的有效期重叠",
                            values={"max_extensions": 2}, sources={"max_extensions": BASIS})

    def test_a_version_that_changes_nothing_is_refused(self, admins):
        self.assert_refused(admins, PolicyInvalid, "无需发布", values={}, sources={})


class TestDisputesKeepTheirVersion:
    def test_publishing_changes_no_accepted_disputes_deadline(self, admins, mediating):
        deadline, version = mediating.deadline, mediating.policy_version_id

        publish(admins, admins.prefecture_admin, admins.prefecture, valid_from=clock.today())

        mediating.refresh_from_db()
        assert (mediating.deadline, mediating.policy_version_id) == (deadline, version)

    def test_a_dispute_received_from_the_start_gets_the_new_limit(self, admins):
        received_before = intake(actor=admins.clerk, committee=admins.committee,
                                 institution=admins.branch)
        start = tomorrow()
        publish(admins, admins.prefecture_admin, admins.prefecture, valid_from=start)

        with clock.pinned(dt.datetime.combine(start, dt.time(10), tzinfo=clock.TZ)):
            received_after = intake(actor=admins.clerk, committee=admins.committee,
                                    institution=admins.branch)
            assigned = [assign(admins, d) for d in (received_before, received_after)]

        cal = working_calendar()
        assert [d.policy_version.version for d in assigned] == [1, 2]
        assert assigned[0].deadline == periods.deadline(
            start, TimeLimit(7, Unit.WORKING_DAYS), cal).due_on
        assert assigned[1].deadline == periods.deadline(
            start, TimeLimit(10, Unit.WORKING_DAYS), cal).due_on
        # how each deadline was computed cites its own version's limit and source
        from jintiao.performance.explain import deadline_explained

        before, after = (deadline_explained(d).facts.basis for d in assigned)
        assert (before.policy_version, after.policy_version) == (1, 2)
        assert before.source.startswith(SOURCES["mediation_simple_limit"])
        assert after.source.startswith(BASIS)


def assign(world, dispute):
    dispute = action_apply(actor=world.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                           expected_version=dispute.version, notice_served=True)
    return action_apply(actor=world.director, dispute_id=dispute.pk, action=Action.ASSIGN,
                        expected_version=dispute.version, track=Track.SIMPLE,
                        mediators=[world.mediator])


def test_versions_stored_before_sources_get_each_rules_default_source(world):
    """The data migration: a version stored without sources gets SOURCES' text for each
    rule it holds, keeps any source it has, and its publication time is its storing."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("jintiao.policies.migrations.0002_version_sources_and_publisher")
    PolicyVersion.objects.update(sources={"objection_limit": "已有的依据"}, published_at=None)

    migration.fill_sources(apps, None)

    row = PolicyVersion.objects.get(organization=world.prefecture)
    assert row.sources["objection_limit"] == "已有的依据"
    assert row.sources["annual_cost_cap"] == SOURCES["annual_cost_cap"]
    assert set(row.sources) == set(SOURCES)
    assert row.published_at == row.created_at


def test_the_versions_in_force_at_many_nodes_are_read_at_once(admins,
                                                              django_assert_num_queries):
    """What the list of an administrator's nodes shows: each node's own version or the
    nearest ancestor's, as policy_for finds it, in one query whatever the number of nodes."""
    from jintiao.policies.selectors import policies_in_force

    publish(admins, admins.county_admin, admins.committee, valid_from=clock.today())
    nodes = [admins.prefecture, admins.county, admins.committee, admins.other_committee,
             admins.bank]
    with django_assert_num_queries(1):
        found = policies_in_force(nodes, on=clock.today())
    for node in nodes[:4]:
        assert found[node.pk] == policy_for(node, on=clock.today())[0]
    assert found[admins.bank.pk] is None


def test_a_disputes_version_says_the_source_it_was_published_with(admins, mediating):
    """What a figure's explanation cites: the dispute's own version's source of the rule."""
    from jintiao.policies.selectors import source_of

    row = publish(admins, admins.prefecture_admin, admins.prefecture)
    assert source_of(row, "mediation_simple_limit") == BASIS
    assert source_of(mediating.policy_version, "mediation_simple_limit") == SOURCES[
        "mediation_simple_limit"]
    assert source_of(row, "no_such_rule") == ""


class TestWithdrawing:
    def test_a_scheduled_version_is_withdrawn_and_the_previous_runs_on(self, admins):
        start = tomorrow()
        scheduled = publish(admins, admins.prefecture_admin, admins.prefecture,
                            valid_from=start)

        withdrawn = policy_withdraw(actor=admins.prefecture_admin, version=scheduled,
                                    reason="期限填错，应为8个工作日")

        assert withdrawn.withdrawn_by == admins.prefecture_admin
        assert withdrawn.withdrawn_reason == "期限填错，应为8个工作日"
        assert admins.prefecture.policies.get(version=1).valid_to is None
        version, policy = policy_for(admins.committee, on=start)
        assert version.version == 1
        assert policy.mediation_simple_limit == TimeLimit(7, Unit.WORKING_DAYS)
        # the corrected version takes the next number; the withdrawn one stays on record
        again = publish(admins, admins.prefecture_admin, admins.prefecture, valid_from=start,
                        values={"mediation_simple_limit": {"amount": 8,
                                                           "unit": "working_days"}})
        assert again.version == 3
        assert policy_for(admins.committee, on=start)[0] == again

    def test_a_version_in_force_cannot_be_withdrawn(self, admins):
        today = publish(admins, admins.prefecture_admin, admins.prefecture,
                        valid_from=clock.today())
        with pytest.raises(PolicyWithdrawRefused, match=r"已于.*生效，不能撤回") as refused:
            policy_withdraw(actor=admins.prefecture_admin, version=today, reason="错了")
        assert refused.value.code == ErrorCode.POLICY_WINDOW_INVALID
        today.refresh_from_db()
        assert today.withdrawn_at is None

    def test_only_the_latest_and_only_by_the_nodes_administrator(self, admins):
        first = publish(admins, admins.prefecture_admin, admins.prefecture,
                        valid_from=tomorrow())
        publish(admins, admins.prefecture_admin, admins.prefecture,
                valid_from=tomorrow() + dt.timedelta(days=5),
                values={"max_extensions": 2}, sources={"max_extensions": BASIS})
        with pytest.raises(PolicyWithdrawRefused, match="请先撤回本单位第3版"):
            policy_withdraw(actor=admins.prefecture_admin, version=first, reason="错了")
        with pytest.raises(PolicyNotYours):
            policy_withdraw(actor=admins.county_admin, version=first, reason="错了")
        with pytest.raises(PolicyInvalid, match="请填写撤回理由"):
            policy_withdraw(actor=admins.prefecture_admin,
                            version=admins.prefecture.policies.get(version=3), reason=" ")
        assert not PolicyVersion.objects.filter(withdrawn_at__isnull=False).exists()
