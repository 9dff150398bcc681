"""The rules on the web (issue 21 §5): who sees the pages and the form, the preview that
writes nothing, the confirmation that publishes, and refusals in the domain's words."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from jintiao import clock
from jintiao.domain.lifecycle import Role
from jintiao.domain.policy import DEFAULT_POLICY, SOURCES
from jintiao.orgs.models import OrgKind
from jintiao.policies.models import PolicyVersion
from jintiao.web.forms.policies import PolicyVersionForm
from tests.factories import OrganizationFactory, UserFactory
from tests.web.test_views import client_for

BASIS = "凯里市金融纠纷多元化解领导小组〔2027〕2号"


@pytest.fixture
def admins(world):
    operator = OrganizationFactory(name="平台运营中心", kind=OrgKind.OPERATOR)
    world.platform_admin = UserFactory(organization=operator, roles=[Role.ADMINISTRATOR])
    world.county_admin = UserFactory(organization=world.county, roles=[Role.ADMINISTRATOR])
    return world


def new_url(node) -> str:
    return reverse("web:policy_new", args=[node.pk])


def confirm(client, url: str, data: dict, **kwargs):
    """Publish as the page does: the preview first, then its confirmation, which carries
    the fingerprint of the difference the preview showed."""
    preview = client.post(url, {k: v for k, v in data.items() if k != "confirm"})
    seen = re.search(r'name="previewed" value="([0-9a-f]{64})"', preview.content.decode())
    assert seen is not None, preview.content.decode()[:500]
    return client.post(url, {**data, "confirm": "1", "previewed": seen.group(1)}, **kwargs)


def filled(**changes) -> dict:
    """The form as the page fills it (the defaults and their sources), with ``changes``."""
    initial = PolicyVersionForm.initial_from(DEFAULT_POLICY, dict(SOURCES))
    initial["valid_from"] = (clock.today() + dt.timedelta(days=1)).isoformat()
    initial["valid_to"] = ""
    initial["source"] = ""
    initial.update(changes)
    return {k: str(v) for k, v in initial.items()}


def versions() -> list[tuple[int, int]]:
    return list(PolicyVersion.objects.order_by("pk").values_list("organization_id", "version"))


class TestWhoSeesWhat:
    def test_the_home_page_links_the_rules_for_their_administrators_only(self, admins):
        home = client_for(admins.county_admin).get("/").content.decode()
        assert 'id="policies-link"' in home
        assert 'id="policies-link"' not in client_for(admins.director).get("/").content.decode()

    def test_a_county_administrator_lists_its_nodes(self, admins):
        page = client_for(admins.county_admin).get(reverse("web:policies")).content.decode()
        assert f'id="publish-{admins.committee.pk}"' in page
        assert f'id="publish-{admins.county.pk}"' in page
        assert f'id="publish-{admins.other_committee.pk}"' not in page

    def test_staff_read_a_nodes_rules_but_get_no_form(self, admins):
        client = client_for(admins.director)
        page = client.get(reverse("web:policy_node", args=[admins.committee.pk]))
        assert page.status_code == 200
        assert "继承“黔东南州金融纠纷多元化解领导小组”第1版" in page.content.decode()
        assert 'id="policy-new-link"' not in page.content.decode()
        assert client.get(new_url(admins.committee)).status_code == 403
        assert client.post(new_url(admins.committee),
                           filled(max_extensions="2")).status_code == 403
        assert versions() == [(admins.prefecture.pk, 1)]

    @pytest.mark.parametrize("who", ["county_admin", "other_clerk", "county_supervisor"])
    def test_someone_elses_node_is_missing(self, admins, who):
        node = admins.other_committee if who == "county_admin" else admins.committee
        client = client_for(getattr(admins, who))
        assert client.get(reverse("web:policy_node", args=[node.pk])).status_code == 404
        assert client.get(new_url(node)).status_code == 404
        assert client.post(new_url(node), filled(max_extensions="2")).status_code == 404

    def test_a_party_and_a_stranger_are_kept_out(self, admins):
        party = UserFactory(roles=[Role.PARTY])
        assert client_for(party).get(reverse("web:policies")).status_code in (302, 403)
        assert Client().get(new_url(admins.committee)).status_code == 302


class TestPublishing:
    def test_the_form_starts_from_the_version_in_force_with_its_sources(self, admins):
        page = client_for(admins.county_admin).get(new_url(admins.committee)).content.decode()
        assert 'name="mediation_simple_limit__amount" value="7"' in page
        assert 'name="annual_cost_cap" value="24"' in page
        assert SOURCES["objection_limit"] in page

    def test_the_preview_shows_the_difference_and_writes_nothing(self, admins):
        response = client_for(admins.county_admin).post(new_url(admins.committee), filled(**{
            "mediation_simple_limit__amount": "10", "mediation_simple_limit__source": BASIS,
            "annual_cost_cap": "20"}))

        page = response.content.decode()
        assert response.status_code == 200
        assert 'data-change="mediation_simple_limit"' in page
        assert "7个工作日" in page
        assert "10个工作日" in page
        assert BASIS in page
        # the cap changed but its source did not: the page says so
        assert 'data-same-source="annual_cost_cap"' in page
        assert 'data-change="objection_limit"' not in page
        assert versions() == [(admins.prefecture.pk, 1)]

    def test_confirming_publishes_and_the_node_page_lists_it(self, admins):
        client = client_for(admins.county_admin)
        data = filled(**{"mediation_simple_limit__amount": "10",
                         "mediation_simple_limit__source": BASIS, "confirm": "1"})

        response = confirm(client, new_url(admins.committee), data, follow=True)

        page = response.content.decode()
        assert "已发布“凯里市金调委”规则第1版" in page
        assert 'id="version-1"' in page
        row = PolicyVersion.objects.get(organization=admins.committee)
        assert row.published_by == admins.county_admin
        assert row.data["mediation_simple_limit"] == {"amount": 10, "unit": "working_days"}
        assert row.data["annual_cost_cap"] == "0.24"
        assert row.sources["mediation_simple_limit"] == BASIS

    @pytest.mark.parametrize(("changes", "words"), [
        ({"mediation_simple_limit__amount": "-3"}, "“简易程序调解期限”必须至少为1"),
        ({"mediation_simple_limit__unit": "weeks"}, "“简易程序调解期限”的期间单位无效"),
        ({"annual_cost_cap": "36"}, "全国上限年24%"),
        ({"lawyer_fee_rate": "150"}, "“律师费估算比例”必须是大于0且不超过100%的比例"),
        ({"max_extensions": "0"}, "“延长调解期限次数上限”必须是正整数"),
        ({"max_extensions": "2", "max_extensions__source": ""}, "已修改，须填写其法律或政策依据"),
    ])
    def test_a_value_out_of_its_domain_is_refused_in_words(self, admins, changes, words):
        for step in ({}, {"confirm": "1"}):
            response = client_for(admins.county_admin).post(new_url(admins.committee),
                                                            filled(**changes, **step))
            assert response.status_code == 400
            assert words in response.content.decode()
            assert 'id="policy-refused"' in response.content.decode()
        assert versions() == [(admins.prefecture.pk, 1)]

    @pytest.mark.parametrize("changes", [
        {"max_extensions": "--5"}, {"mediation_simple_limit__amount": "²"},
        {"living_minimum_monthly": "1e30"}, {"lawyer_fee_rate": "1e999999999"},
        {"valid_from": "9999-12-31"}])
    def test_what_people_mistype_is_refused_never_a_fault(self, admins, changes):
        """Found in review: each of these answered 500 (the last broke the form for good)."""
        for step in ({}, {"confirm": "1"}):
            response = client_for(admins.county_admin).post(new_url(admins.committee),
                                                            filled(**changes, **step))
            assert response.status_code == 400
            assert 'id="policy-refused"' in response.content.decode()
        assert versions() == [(admins.prefecture.pk, 1)]

    def test_a_start_before_today_is_refused(self, admins):
        yesterday = (clock.today() - dt.timedelta(days=1)).isoformat()
        response = client_for(admins.platform_admin).post(
            new_url(admins.prefecture), filled(valid_from=yesterday, max_extensions="2",
                                               confirm="1"))
        assert response.status_code == 400
        assert "不能早于今天" in response.content.decode()
        assert versions() == [(admins.prefecture.pk, 1)]


def test_back_from_the_preview_the_form_keeps_what_was_typed(admins):
    response = client_for(admins.county_admin).post(new_url(admins.committee), filled(**{
        "mediation_simple_limit__amount": "10", "mediation_simple_limit__source": BASIS,
        "edit": "1"}))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="mediation_simple_limit__amount" value="10"' in page
    assert BASIS in page
    assert versions() == [(admins.prefecture.pk, 1)]


def test_the_node_page_shows_every_rule_of_each_version_with_its_source(admins):
    client = client_for(admins.county_admin)
    confirm(client, new_url(admins.committee), filled(**{
        "mediation_simple_limit__amount": "10", "mediation_simple_limit__source": BASIS}))
    page = client.get(reverse("web:policy_node", args=[admins.committee.pk])).content.decode()
    assert 'id="changes-1-all"' in page
    assert "待生效" in page
    assert BASIS in page
    assert SOURCES["enforcement_application_limit"] in page


def test_the_list_page_costs_the_same_whatever_the_number_of_nodes(admins):
    """The versions in force at an administrator's nodes are read at once, not per node."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(admins.platform_admin)
    client.get(reverse("web:policies"))

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("web:policies")).status_code == 200
        return len(queries)

    few = cost()
    for n in range(5):
        OrganizationFactory(name=f"新增调委会{n}", parent=admins.county)
    assert cost() == few


def test_the_pages_label_every_field_link_every_error_and_caption_every_table(admins):
    """The accessibility walk's checks (tests/web/test_accessibility.py) on the rules' pages:
    the list, a node, the form, the form sent back with a mistake, and the preview."""
    from tests.web.test_accessibility import problems

    client = client_for(admins.county_admin)
    pages = [client.get(reverse("web:policies")),
             client.get(reverse("web:policy_node", args=[admins.committee.pk])),
             client.get(new_url(admins.committee)),
             client.post(new_url(admins.committee), filled(max_extensions="",
                                                           valid_from="明天")),
             client.post(new_url(admins.committee), filled(max_extensions="2"))]
    confirm(client, new_url(admins.committee), filled(max_extensions="2",
                                                      max_extensions__source=BASIS))
    pages.append(client.get(reverse("web:policy_node", args=[admins.committee.pk])))
    assert 'id="withdraw-1"' in pages[-1].content.decode()
    # the sources are the law's own words, foreign rules and documents cited by name
    cited = {f"English on the page: {w}" for text in SOURCES.values()
             for w in re.findall(r"[A-Za-z]{2,}", text)}
    for response in pages:
        found = set(problems(response.content.decode())) - cited
        assert found == set(), response.request["PATH_INFO"]


class TestWithdrawing:
    def publish(self, admins):
        client = client_for(admins.county_admin)
        confirm(client, new_url(admins.committee), filled(**{
            "mediation_simple_limit__amount": "10", "mediation_simple_limit__source": BASIS}))
        return client, reverse("web:policy_withdraw", args=[admins.committee.pk, 1])

    def test_the_administrator_withdraws_a_scheduled_version_with_a_reason(self, admins):
        client, url = self.publish(admins)
        page = client.get(reverse("web:policy_node", args=[admins.committee.pk]))
        assert 'id="withdraw-1"' in page.content.decode()

        response = client.post(url, {"reason": "期限填错"}, follow=True)

        page = response.content.decode()
        assert "已撤回第1版" in page
        assert 'id="withdrawn-1"' in page
        assert "期限填错" in page
        assert PolicyVersion.objects.get(organization=admins.committee).withdrawn_at

    def test_without_a_reason_or_by_someone_else_nothing_is_withdrawn(self, admins):
        client, url = self.publish(admins)
        assert "请填写撤回理由" in client.post(url, {"reason": ""}, follow=True
                                          ).content.decode()
        assert client_for(admins.director).post(url, {"reason": "x"}).status_code == 403
        assert client_for(admins.other_clerk).post(url, {"reason": "x"}).status_code == 404
        assert not PolicyVersion.objects.filter(withdrawn_at__isnull=False).exists()


def test_every_rule_goes_through_the_form_unchanged():
    """The form filled from a policy gives back exactly that policy: no rule is lost or
    altered on its way through the page (percent, amounts, limits, choices, yes/no)."""
    from jintiao.domain.policy import revise

    policy = DEFAULT_POLICY.replace(joint_share_rule="secured_first",
                                    late_performance_daily_rate=DEFAULT_POLICY
                                    .late_performance_daily_rate, stack_fee_halvings=True)
    form = PolicyVersionForm(data={k: str(v) for k, v in {
        **PolicyVersionForm.initial_from(policy, dict(SOURCES)),
        "valid_from": "2027-01-01"}.items()})
    assert form.is_valid(), form.errors
    assert revise(DEFAULT_POLICY, form.values()) == policy.replace(name=DEFAULT_POLICY.name)


def test_a_preview_made_stale_by_another_publication_is_shown_again(admins):
    """Found in review: the administrator confirmed what they previewed, but another
    administrator had published meanwhile — the difference published was not the one seen."""
    mine, theirs = client_for(admins.county_admin), client_for(admins.platform_admin)
    typed = filled(**{"mediation_simple_limit__amount": "10",
                      "mediation_simple_limit__source": BASIS})
    preview = mine.post(new_url(admins.committee), typed).content.decode()
    seen = re.search(r'name="previewed" value="([0-9a-f]{64})"', preview)
    assert seen is not None
    confirm(theirs, new_url(admins.prefecture), filled(**{  # what the committee inherits
        "max_extensions": "2", "max_extensions__source": BASIS}))
    before = versions()
    stale = mine.post(new_url(admins.committee), {**typed, "confirm": "1",
                                                  "previewed": seen.group(1)})
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "请重新预览核对后再发布" in page
    assert versions() == before  # nothing more was published
    fresh = re.search(r'name="previewed" value="([0-9a-f]{64})"', page)
    assert fresh is not None
    assert fresh.group(1) != seen.group(1)
    done = mine.post(new_url(admins.committee), {**typed, "confirm": "1",
                                                 "previewed": fresh.group(1)})
    assert done.status_code == 302
    assert len(versions()) == len(before) + 1


def test_a_confirmation_without_its_preview_shows_the_preview_and_publishes_nothing(admins):
    """Found in review: the staleness check could be skipped by posting no fingerprint."""
    response = client_for(admins.county_admin).post(new_url(admins.committee), filled(**{
        "mediation_simple_limit__amount": "10", "mediation_simple_limit__source": BASIS,
        "confirm": "1"}))
    assert response.status_code == 409
    assert 'name="previewed"' in response.content.decode()
    assert versions() == [(admins.prefecture.pk, 1)]
