"""The results file on the web (结果回传): the institution's page with its rows and the
workbook, read back with openpyxl — the same rows as the API, amounts as numbers, personal
data masked, nothing a spreadsheet would run."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from jintiao import clock
from jintiao.orgs.services import system_actor
from jintiao.performance.services import payment_record
from jintiao.supervision.exports import RESULTS_COLUMNS
from tests.factories import intake, resident_id
from tests.performance.helpers import at, instalment


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(institution) -> str:
    return f"/institutions/{institution.pk}/results/"


def xlsx_url(institution) -> str:
    return f"/institutions/{institution.pk}/results.xlsx"


def sheet_rows(response) -> list[dict[str, object]]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["结果回传"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert list(header) == [name for name, _width in RESULTS_COLUMNS]
    return [dict(zip(header, row, strict=True)) for row in rows]


class TestThePage:
    def test_the_banks_agent_sees_its_disputes_and_the_download(self, world, cases):
        ours, theirs = cases

        body = client_for(world.agent).get(page_url(world.branch)).content.decode()

        assert f'data-dispute="{ours.pk}"' in body
        assert f'data-dispute="{theirs.pk}"' not in body
        assert xlsx_url(world.branch) in body

    @pytest.mark.parametrize("who", ["other_agent", "clerk", "judge"])
    def test_anyone_else_is_refused(self, world, cases, who):
        for url in (page_url(world.branch), xlsx_url(world.branch)):
            assert client_for(getattr(world, who)).get(url).status_code == 403

    def test_a_node_that_is_no_institution_is_not_found(self, world):
        assert client_for(world.agent).get(page_url(world.committee)).status_code == 404

    def test_the_signed_out_are_sent_to_sign_in(self, world):
        response = Client().get(xlsx_url(world.branch))

        assert response.status_code == 302
        assert "/login/" in response["Location"]

    def test_the_agents_home_and_payments_page_lead_to_it(self, world):
        agent = client_for(world.agent)

        assert page_url(world.branch) in agent.get("/").content.decode()
        assert page_url(world.branch) in agent.get("/payments/import/").content.decode()
        assert "results-link" not in client_for(world.clerk).get("/").content.decode()

    def test_a_day_to_come_is_refused_on_the_form(self, world):
        with clock.pinned(at(dt.date(2030, 1, 13))):
            response = client_for(world.agent).get(xlsx_url(world.branch),
                                                   {"changed_since": "2030-01-14"})

        assert response.status_code == 400
        assert "变动日期（changed_since）不能晚于当前时间" in response.content.decode()


class TestTheWorkbook:
    def test_it_reads_back_row_for_row_with_money_as_numbers(self, desk, performing):
        system_actor()
        amount = instalment(performing)
        mediating = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch,
                           external_ref="KL-0002", serial=4343)
        with clock.pinned(at(dt.date(2027, 1, 20))):
            payment_record(actor=desk.agent, dispute_id=performing.pk, reference="P-1",
                           paid_on=dt.date(2027, 1, 20), amount=amount)
            response = client_for(desk.hq_agent).get(xlsx_url(desk.bank))

        rows = {r["纠纷编号"]: r for r in sheet_rows(response)}

        assert set(rows) == {performing.number, mediating.number}
        done = rows[performing.number]
        assert done["状态"] == "履行中"
        assert done["状态代码"] == "performing"
        assert done["调解结果"] == "调解成功"
        assert Decimal(str(done["协议还款总额（元）"])) == Decimal("231208.40")
        assert done["期数"] == 12
        assert done["首期还款日"] == dt.datetime(2027, 1, 20)  # noqa: DTZ001 - Excel has no zones
        assert done["末期还款日"] == dt.datetime(2027, 12, 20)  # noqa: DTZ001
        assert Decimal(str(done["每期还款额（元）"])) == amount
        assert done["司法确认案号"]
        assert done["确认法院"] == desk.court.name
        assert done["已还款笔数"] == 1
        assert Decimal(str(done["已还款金额（元）"])) == amount
        assert done["是否违约"] == "否"
        assert isinstance(done["最近变动时间"], dt.datetime)
        waiting = rows[mediating.number]
        assert waiting["机构业务编号"] == "KL-0002"
        assert waiting["状态"] == "已登记"
        assert waiting["协议还款总额（元）"] is None
        assert waiting["已还款笔数"] == 0

    def test_no_full_identity_number_and_no_formula(self, world):
        d = intake(actor=world.clerk, committee=world.committee, institution=world.branch,
                   external_ref="=HYPERLINK(\"http://x\")", serial=4444)

        [row] = sheet_rows(client_for(world.agent).get(xlsx_url(world.branch)))

        assert row["纠纷编号"] == d.number
        assert row["机构业务编号"] == "'=HYPERLINK(\"http://x\")"  # text, never a formula
        assert resident_id(4444) not in str(row)
        assert "*" in row["债务人"]
        assert resident_id(4444)[-4:] in row["债务人"]

    def test_changed_since_narrows_the_file(self, world):
        for day in (10, 12):
            with clock.pinned(at(dt.date(2030, 1, day))):
                intake(actor=world.clerk, committee=world.committee, institution=world.branch,
                       external_ref=f"T-{day}")
        agent = client_for(world.agent)

        with clock.pinned(at(dt.date(2030, 1, 13))):
            rows = sheet_rows(agent.get(xlsx_url(world.branch), {"changed_since": "2030-01-11"}))

        assert [r["机构业务编号"] for r in rows] == ["T-12"]

    def test_more_rows_than_a_request_writes_are_refused_with_the_way_to_narrow(
            self, world, settings):
        settings.EXPORT_INLINE_ROWS = 1
        for _ in range(2):
            intake(actor=world.clerk, committee=world.committee, institution=world.branch)

        response = client_for(world.agent).get(xlsx_url(world.branch))

        assert response.status_code == 400
        assert "变动日期自" in response.content.decode()
