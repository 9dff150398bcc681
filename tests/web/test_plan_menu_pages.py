"""An institution's standard plan menu on the web (issue 20 §5): its approvers read it, see
their own authority and publish a new one from the page; a line typed wrong is said next to
it and nothing changes; a line beyond the approver's authority is the service's refusal in
its words; the institution's agents read the menu only; nobody else reads it."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jintiao.domain.authority import AuthorityLimits
from jintiao.domain.lifecycle import Role
from jintiao.domain.plans import MenuItem
from jintiao.mediation.models import MenuItem as MenuRow
from jintiao.mediation.services import menu_publish
from jintiao.orgs.services import authority_grant_set
from jintiao.web.forms import menus as menu_forms
from tests.factories import UserFactory
from tests.web.test_accessibility import problems


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(institution) -> str:
    return f"/institutions/{institution.pk}/plan-menu/"


def rows(*lines: dict[str, Any], total: int = 8) -> dict[str, Any]:
    """The form as the page posts it: ``total`` rows, the first ones filled with ``lines``
    (the method flat, every charge ticked and the waiver conditional unless said)."""
    data: dict[str, Any] = {"menu-TOTAL_FORMS": str(total), "menu-INITIAL_FORMS": "0",
                            "menu-MIN_NUM_FORMS": "0", "menu-MAX_NUM_FORMS": "8"}
    for n in range(total):
        data[f"menu-{n}-method"] = "flat"
        data[f"menu-{n}-conditional"] = "on"
        data[f"menu-{n}-waiver_parts"] = list(menu_forms.WAIVER_ORDER)
    for n, line in enumerate(lines):
        for name, value in line.items():
            key = f"menu-{n}-{name}"
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
    return data


def labels(institution) -> list[str]:
    return list(MenuRow.objects.filter(institution=institution)
                .order_by("position").values_list("label", flat=True))


@pytest.fixture
def published(desk):
    """The bank's menu before the page is used: 12 months free of interest."""
    menu_publish(actor=desk.approver, institution=desk.bank, items=[MenuItem("12期免息", 12)])
    return desk


@pytest.fixture
def other_approver(world):
    return UserFactory(organization=world.other_bank, roles=[Role.APPROVER])


class TestThePage:
    def test_the_approver_reads_each_line_and_who_published_it(self, desk):
        menu_publish(actor=desk.approver, institution=desk.bank, items=[
            MenuItem("12期免息", 12),
            MenuItem("24期免息，罚息减半（违约恢复）", 24, charge_waiver_ratio=D("0.5"),
                     waiver_parts=("penalty_interest",)),
            MenuItem("36期，年利率3.65%", 36, annual_rate=D("0.0365"),
                     charge_waiver_ratio=D("1"), conditional=False)])

        response = client_for(desk.approver).get(page_url(desk.bank))

        assert response.status_code == 200
        body = response.content.decode()
        table = body[body.index('id="menu-lines"'):body.index("</table>")]
        for words in ("12期免息", "24期免息，罚息减半（违约恢复）", "等额分期", "50%（罚息）",
                      "是，违约时恢复", "3.65%", "100%（罚息、复利、违约金、费用、利息）",
                      "否，无条件减免", "不减免", str(desk.approver)):
            assert words in table, words
        assert table.count('data-menu-line="') == 3

    def test_the_approver_sees_their_own_authority_and_the_form_from_the_current_lines(
            self, published):
        body = client_for(published.approver).get(page_url(published.bank)).content.decode()

        authority = body[body.index('id="my-authority"'):body.index('id="publish"')]
        assert "不超过 100%" in authority  # all the charges
        assert "不超过 60 个月" in authority
        assert 'name="menu-0-label"' in body
        assert 'value="12期免息"' in body
        assert 'name="menu-7-label"' in body
        assert 'name="menu-8-label"' not in body

    def test_the_agents_read_the_menu_their_disputes_are_offered_and_publish_nothing(
            self, published):
        """The branch published none: its agent reads the bank's, and says whose it is."""
        response = client_for(published.agent).get(page_url(published.branch))

        assert response.status_code == 200
        body = response.content.decode()
        assert "12期免息" in body
        assert 'id="menu-inherited"' in body
        assert published.bank.name in body
        assert 'id="publish"' not in body
        assert 'id="my-authority"' not in body

    def test_a_menu_never_published_says_so(self, desk):
        body = client_for(desk.approver).get(page_url(desk.bank)).content.decode()

        assert 'id="menu-empty"' in body
        assert "尚未发布标准还款方案" in body

    def test_every_input_is_labelled_and_every_mistake_linked_to_its_field(self, published):
        approver = client_for(published.approver)
        sent_back = approver.post(page_url(published.bank), rows(
            {"label": "", "periods": "0"}, {"label": "x", "periods": "12",
                                            "charge_waiver_ratio": "50", "waiver_parts": None}))

        assert sent_back.status_code == 400
        for response in (approver.get(page_url(published.bank)), sent_back,
                         client_for(published.agent).get(page_url(published.branch))):
            assert problems(response.content.decode()) == []

    def test_its_queries_do_not_grow_with_the_lines(self, desk):
        approver = client_for(desk.approver)
        approver.get(page_url(desk.bank))  # the session's first read of the user is apart
        menu_publish(actor=desk.approver, institution=desk.bank,
                     items=[MenuItem("12期", 12)])
        with CaptureQueriesContext(connection) as one:
            approver.get(page_url(desk.bank))
        menu_publish(actor=desk.approver, institution=desk.bank,
                     items=[MenuItem(f"{n}期", n) for n in range(6, 54, 6)])
        with CaptureQueriesContext(connection) as eight:
            approver.get(page_url(desk.bank))

        assert len(eight) == len(one)


class TestPublishing:
    def test_the_approver_publishes_a_menu_typed_in_percent(self, published):
        response = client_for(published.approver).post(page_url(published.bank), rows(
            {"label": "24期免息，罚息减半（违约恢复）", "periods": "24",
             "charge_waiver_ratio": "50", "waiver_parts": ["penalty_interest"]},
            {"label": "36期，年利率4.35%", "periods": "36", "method": "equal_installment",
             "annual_rate": "4.35%", "conditional": None}), follow=True)

        assert response.status_code == 200
        assert "已发布标准还款方案，共 2 项" in response.content.decode()
        halved, rated = MenuRow.objects.filter(institution=published.bank).order_by("position")
        assert (halved.label, halved.periods, halved.method) == (
            "24期免息，罚息减半（违约恢复）", 24, "flat")
        assert halved.charge_waiver_ratio == D("0.5")
        assert halved.waiver_parts == ["penalty_interest"]
        assert halved.conditional is True
        assert (rated.periods, rated.method, rated.annual_rate) == (
            36, "equal_installment", D("0.0435"))
        assert rated.charge_waiver_ratio == 0
        assert rated.conditional is False
        assert {halved.published_by, rated.published_by} == {published.approver}
        assert halved.published_at is not None

    def test_empty_rows_are_skipped_and_the_lines_kept_in_their_order(self, desk):
        client_for(desk.approver).post(page_url(desk.bank), rows(
            {"label": "6期", "periods": "6"}, {}, {"label": "12期", "periods": "12"}))

        assert labels(desk.bank) == ["6期", "12期"]

    def test_an_approver_above_publishes_a_branchs_own_menu(self, published):
        response = client_for(published.approver).post(
            page_url(published.branch), rows({"label": "6期", "periods": "6"}))

        assert response.status_code == 302
        assert labels(published.branch) == ["6期"]
        assert labels(published.bank) == ["12期免息"]

    @pytest.mark.parametrize(("line", "said"), [
        ({"label": "", "periods": "12"}, "请填写名称"),
        ({"label": "   ", "periods": "12"}, "请填写名称"),
        ({"label": "零期", "periods": "0"}, "期数不能小于1"),
        ({"label": "负期", "periods": "-3"}, "期数不能小于1"),
        ({"label": "太长", "periods": "601"}, "期数不能大于600"),
        ({"label": "十二期", "periods": "十二"}, "期数须为整数"),
        ({"label": "没有期数", "annual_rate": "3"}, "请填写期数"),
        ({"label": "高利", "periods": "12", "annual_rate": "101"}, "利率应在0%到100%之间"),
        ({"label": "负利", "periods": "12", "annual_rate": "-1"}, "利率应在0%到100%之间"),
        ({"label": "利率", "periods": "12", "annual_rate": "abc"}, "利率格式不正确"),
        ({"label": "多减", "periods": "12", "charge_waiver_ratio": "150"},
         "减免比例（%）应在0到100之间"),
        ({"label": "负减", "periods": "12", "charge_waiver_ratio": "-5"},
         "减免比例（%）应在0到100之间"),
        ({"label": "未勾选", "periods": "12", "charge_waiver_ratio": "50",
          "waiver_parts": None}, "有减免比例时请勾选减免项目"),
        ({"label": "本金", "periods": "12", "waiver_parts": ["principal"]},
         "所选的减免项目不在可选范围内"),
        ({"label": "<script>alert(1)</script>", "periods": "12"}, "名称不能含有“&lt;”或“&gt;”"),
        ({"label": "12期\u202e免息", "periods": "12"}, "名称含有不可见的字符"),
        ({"label": "长" * 101, "periods": "12"}, "名称最多100个字"),
    ])
    def test_a_line_typed_wrong_is_said_next_to_it_and_nothing_changes(self, published, line,
                                                                       said):
        response = client_for(published.approver).post(page_url(published.bank), rows(line))

        assert response.status_code == 400
        body = response.content.decode()
        assert said in body
        assert 'class="error" id="id_menu-0-' in body
        assert "<script>alert(1)" not in body
        assert labels(published.bank) == ["12期免息"]

    def test_no_line_at_all_is_refused(self, published):
        response = client_for(published.approver).post(page_url(published.bank), rows())

        assert response.status_code == 400
        assert "请至少填写一项标准还款方案" in response.content.decode()
        assert labels(published.bank) == ["12期免息"]

    def test_nine_lines_are_refused(self, published):
        nine = [{"label": f"{n}期", "periods": str(n)} for n in range(1, 10)]

        response = client_for(published.approver).post(page_url(published.bank),
                                                        rows(*nine, total=9))

        assert response.status_code == 400
        assert "标准还款方案最多8项" in response.content.decode()
        assert labels(published.bank) == ["12期免息"]

    def test_a_form_without_its_row_count_is_a_page_to_draw_again(self, published):
        response = client_for(published.approver).post(page_url(published.bank),
                                                        {"menu-0-label": "6期"})

        assert response.status_code == 400
        assert "页面已过期，请刷新后重试" in response.content.decode()
        assert labels(published.bank) == ["12期免息"]

    def test_a_line_beyond_the_approvers_authority_is_refused_in_the_services_words(
            self, published):
        """The approver may grant 60 months: the 72-month line is refused with the service's
        message, nothing is published, and the rows stay as typed."""
        response = client_for(published.approver).post(page_url(published.bank), rows(
            {"label": "24期免息", "periods": "24"}, {"label": "72期免息", "periods": "72"}))

        assert response.status_code == 403
        body = response.content.decode()
        refused = body[body.index('id="menu-refused"'):]
        assert refused.split("</p>")[0].endswith(
            "标准还款方案“72期免息”超出您的授权：还款期限：方案为72个月，授权为60个月")
        assert 'value="72期免息"' in body
        assert labels(published.bank) == ["12期免息"]

    def test_a_rate_below_the_approvers_lowest_is_refused_too(self, published):
        authority_grant_set(user=published.approver, limits=AuthorityLimits(
            max_charge_waiver_ratio=D("0.3"), max_term_months=60, min_annual_rate=D("0.03")))

        response = client_for(published.approver).post(page_url(published.bank), rows(
            {"label": "免息", "periods": "12"}))

        assert response.status_code == 403
        assert "年利率：方案为0.00%，授权为不低于3.00%" in response.content.decode()
        assert labels(published.bank) == ["12期免息"]


class TestWhoMay:
    @pytest.mark.parametrize("who", ["approver", "agent_of_the_bank", "administrator"])
    def test_the_institutions_staff_and_administrators_read_the_page(self, published, who):
        user = {"approver": published.approver, "agent_of_the_bank": published.hq_agent,
                "administrator": UserFactory(roles=[Role.ADMINISTRATOR])}[who]

        response = client_for(user).get(page_url(published.bank))

        assert response.status_code == 200
        assert "12期免息" in response.content.decode()

    def test_an_administrator_may_publish(self, published):
        admin = UserFactory(roles=[Role.ADMINISTRATOR])

        client_for(admin).post(page_url(published.bank), rows({"label": "6期", "periods": "6"}))

        assert labels(published.bank) == ["6期"]

    @pytest.mark.parametrize("who", ["mediator", "clerk", "director", "other_agent",
                                     "other_approver", "supervisor"])
    def test_anyone_else_is_refused_the_page_and_the_post(self, published, other_approver,
                                                          who):
        user = other_approver if who == "other_approver" else getattr(published, who)
        client = client_for(user)

        assert client.get(page_url(published.bank)).status_code == 403
        posted = client.post(page_url(published.bank), rows({"label": "6期", "periods": "6"}))

        assert posted.status_code == 403
        assert labels(published.bank) == ["12期免息"]

    def test_an_agent_reads_but_may_not_publish(self, published):
        response = client_for(published.hq_agent).post(page_url(published.bank),
                                                       rows({"label": "6期", "periods": "6"}))

        assert response.status_code == 403
        assert labels(published.bank) == ["12期免息"]

    def test_a_branchs_agent_may_not_read_the_bank_above_it(self, published):
        assert client_for(published.agent).get(page_url(published.bank)).status_code == 403

    def test_a_branchs_approver_may_not_publish_for_the_bank_above_it(self, published):
        branch_approver = UserFactory(organization=published.branch, roles=[Role.APPROVER])

        response = client_for(branch_approver).post(page_url(published.bank),
                                                    rows({"label": "6期", "periods": "6"}))

        assert response.status_code == 403
        assert labels(published.bank) == ["12期免息"]

    def test_the_signed_out_are_sent_to_sign_in_and_nothing_changes(self, published):
        for response in (Client().get(page_url(published.bank)),
                         Client().post(page_url(published.bank),
                                       rows({"label": "6期", "periods": "6"}))):
            assert response.status_code == 302
            assert "/login/" in response["Location"]
        assert labels(published.bank) == ["12期免息"]

    @pytest.mark.parametrize("node", ["committee", "court"])
    def test_a_node_that_is_no_institution_is_not_found(self, published, node):
        response = client_for(published.approver).get(page_url(getattr(published, node)))

        assert response.status_code == 404

    def test_an_unknown_institution_is_not_found(self, published):
        assert client_for(published.approver).get("/institutions/999999/plan-menu/"
                                                  ).status_code == 404


class TestTheHome:
    def test_the_approvers_home_leads_to_publishing(self, desk):
        body = client_for(desk.approver).get("/").content.decode()

        assert 'id="plan-menu-link"' in body
        assert page_url(desk.bank) in body
        assert "标准还款方案：查看与发布" in body

    def test_the_agents_home_leads_to_reading_their_own(self, desk):
        body = client_for(desk.agent).get("/").content.decode()

        assert page_url(desk.branch) in body
        assert "查看与发布" not in body

    @pytest.mark.parametrize("who", ["clerk", "mediator", "judge", "supervisor"])
    def test_no_one_else_is_offered_it(self, desk, who):
        assert 'id="plan-menu-link"' not in client_for(getattr(desk, who)).get(
            "/").content.decode()


def test_a_line_that_waives_nothing_starts_with_no_part_ticked_nor_a_condition(published):
    """The walk: 12期免息 came back with every charge and 违约恢复 ticked."""
    from jintiao.mediation.models import MenuItem as Line

    rows = menu_forms.menu_rows(current=list(Line.objects.all()))
    first = rows.forms[0].initial
    assert first["label"] == "12期免息"
    assert first["waiver_parts"] == []
    assert first["conditional"] is False
