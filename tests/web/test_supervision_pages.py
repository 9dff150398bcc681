"""The supervisors' statistics, figure traces and ledger: who may read which node, what
the figures say, and the exports — masked, typed, Chinese, with a frozen header; a bad
period or filter keeps the node asked for and exports nothing; no link to a node that is
not one."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jintiao import clock
from jintiao.domain.figures import ReportPeriod
from jintiao.domain.lifecycle import Action
from jintiao.supervision.selectors import LEDGER_COLUMNS

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def month() -> str:
    return str(ReportPeriod.month_of(clock.today()))


PAGES = [("web:statistics", []), ("web:figure_trace", ["accepted"]), ("web:ledger", [])]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_only_supervisors_and_directors_read_the_figures(world, cases, name, args):
    url = reverse(name, args=args)
    for persona, status in [("supervisor", 200), ("county_supervisor", 200),
                            ("director", 200), ("mediator", 404), ("clerk", 404),
                            ("agent", 404), ("judge", 404), ("other_agent", 404)]:
        assert client_for(getattr(world, persona)).get(url).status_code == status, persona
    assert Client().get(url).status_code == 302  # to the sign-in page


@pytest.mark.parametrize(("name", "args"), PAGES[:2])
def test_a_node_outside_ones_own_is_not_there(world, cases, name, args):
    url = reverse(name, args=args)
    for persona, node in [("county_supervisor", world.county), ("director", world.prefecture),
                          ("director", world.other_committee)]:
        response = client_for(getattr(world, persona)).get(url, {"node": node.pk})
        assert response.status_code == 404, (persona, node)
    assert client_for(world.supervisor).get(url, {"node": world.county.pk}).status_code == 200


def test_the_statistics_count_the_disputes_and_say_how(world, cases):
    page = client_for(world.supervisor).get(reverse("web:statistics"),
                                            {"node": world.prefecture.pk, "period": month()})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-figure="received">2<' in html  # ours and theirs, both filed today
    assert 'data-figure="accepted">1<' in html
    assert "调解成功率 = 调解成功件数 ÷ 办结件数" in html
    assert world.county.name in html
    assert world.other_county.name in html
    trace = client_for(world.supervisor).get(
        reverse("web:figure_trace", args=["accepted"]),
        {"node": world.prefecture.pk, "period": month()}).content.decode()
    assert cases[0].number in trace
    assert cases[1].number not in trace
    assert "受理日期在统计期间内的纠纷" in trace
    mine = client_for(world.county_supervisor).get(
        reverse("web:statistics"), {"period": month()}).content.decode()
    assert 'data-figure="received">1<' in mine
    assert 'data-figure="accepted">0<' in mine


def test_bad_choices_are_refused_plainly(world, cases):
    supervisor = client_for(world.supervisor)
    page = supervisor.get(reverse("web:statistics"), {"period": "2026-13"})
    assert page.status_code == 200
    assert "统计期间格式应为" in page.content.decode() or "统计期间无效" in page.content.decode()
    assert supervisor.get(reverse("web:figure_trace", args=["nonsense"])).status_code == 404
    assert supervisor.get(reverse("web:statistics"), {"node": "x"}).status_code == 404


def test_the_ledger_masks_parties_and_exports_what_it_shows(world, cases):
    supervisor = client_for(world.supervisor)
    ours, theirs = cases
    html = supervisor.get(reverse("web:ledger")).content.decode()
    assert ours.number in html
    assert theirs.number in html
    debtor = ours.party_rows.get(role="debtor").party
    assert debtor.id_masked in html
    assert debtor.name not in html
    only_ours = supervisor.get(reverse("web:ledger"), {"committee": world.committee.pk})
    assert theirs.number not in only_ours.content.decode()

    book = supervisor.get(reverse("web:ledger"), {"export": "xlsx"})
    assert book["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(book.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == LEDGER_COLUMNS
    assert sheet.freeze_panes == "B2"
    assert {r[0] for r in rows[1:]} == {ours.number, theirs.number}
    line = next(r for r in rows[1:] if r[0] == ours.number)
    claim = sum((getattr(ours, f) for f in ("principal", "interest", "penalty_interest",
                                            "compound_interest", "liquidated_damages",
                                            "fees", "other")), Decimal(0))
    assert Decimal(str(line[6])).quantize(Decimal("0.01")) == claim
    assert debtor.name not in str(line[5])

    text = b"".join(supervisor.get(reverse("web:ledger"),
                                   {"export": "csv", "committee": world.committee.pk})
                    .streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[0] == list(LEDGER_COLUMNS)
    assert [r[0] for r in table[1:]] == [ours.number]
    assert table[1][6] == f"{claim:.2f}"


def test_the_county_supervisor_exports_only_their_county(world, cases):
    book = client_for(world.county_supervisor).get(reverse("web:ledger"), {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(book.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [cases[1].number]


REPORTS = ["web:report", "web:report_pdf", "web:report_xlsx"]


@pytest.mark.parametrize("name", REPORTS)
def test_reports_are_for_supervisors_of_the_node(world, cases, name):
    url = reverse(name)
    for persona, status in [("supervisor", 200), ("county_supervisor", 200),
                            ("director", 200), ("mediator", 404), ("agent", 404),
                            ("judge", 404)]:
        assert client_for(getattr(world, persona)).get(url).status_code == status, persona
    county = client_for(world.county_supervisor).get(url, {"node": world.prefecture.pk})
    assert county.status_code == 404


def test_the_report_says_the_same_on_the_page_in_the_pdf_and_in_the_workbook(world, cases):
    from pypdf import PdfReader

    supervisor = client_for(world.supervisor)
    quarter = ReportPeriod.month_of(clock.today())
    quarter = ReportPeriod.parse(f"{quarter.year}-Q{(quarter.index - 1) // 3 + 1}")
    query = {"node": world.prefecture.pk, "period": str(quarter)}
    html = supervisor.get(reverse("web:report"), query).content.decode()
    assert "工作季报" in html
    assert 'data-figure="received">2<' in html
    assert html.count("<svg") == 3  # trend, counties, funnel — drawn on the server
    assert "本季度尚未抽查" in html

    pdf = supervisor.get(reverse("web:report_pdf"), query)
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "季报" in text
    assert "主要指标" in text

    book = load_workbook(io.BytesIO(supervisor.get(reverse("web:report_xlsx"), query).content))
    assert book.sheetnames[:4] == ["主要指标", "月度趋势", "下级单位", "触达漏斗"]
    figures_sheet = {row[0]: row for row in book["主要指标"].iter_rows(values_only=True)}
    assert figures_sheet["收案"][2] == 2
    assert figures_sheet["受理"][2] == 1
    assert book["月度趋势"]._charts  # a native chart, drawn by Excel


def test_the_dashboard_is_the_supervisors_home(world, cases):
    url = reverse("web:dashboard")
    for persona, status in [("supervisor", 200), ("county_supervisor", 200),
                            ("director", 200), ("mediator", 404), ("agent", 404)]:
        assert client_for(getattr(world, persona)).get(url).status_code == status, persona
    assert client_for(world.county_supervisor).get(
        url, {"node": world.prefecture.pk}).status_code == 404
    from jintiao.disputes.models import Dispute
    Dispute.objects.filter(pk=cases[0].pk).update(
        deadline=clock.today() - dt.timedelta(days=3))
    html = client_for(world.supervisor).get(url).content.decode()
    assert 'data-figure="received">2<' in html
    assert f'data-overdue="{world.committee.name}">1<' in html
    assert world.county.name in html


def test_a_spot_check_is_drawn_and_reviewed_on_the_pages(world, cases):
    from jintiao.mediation.services import action_apply
    from jintiao.supervision.models import SpotCheckItem

    ours = cases[0]
    action_apply(actor=world.director, dispute_id=ours.pk, action=Action.FAIL,
                 expected_version=ours.version, reason="调解不成")
    today = clock.today()
    draw = {"node": world.prefecture.pk, "year": today.year,
            "quarter": ReportPeriod.quarter_of(today).index, "per_committee": 2, "seed": ""}
    for persona in ("mediator", "agent"):
        assert client_for(getattr(world, persona)).post(
            reverse("web:spot_checks"), draw).status_code == 404
    refused = client_for(world.county_supervisor).post(reverse("web:spot_checks"), draw)
    assert refused.status_code == 200  # the prefecture is not a choice for them
    supervisor = client_for(world.supervisor)
    made = supervisor.post(reverse("web:spot_checks"), draw)
    assert made.status_code == 302
    item = SpotCheckItem.objects.get()
    page = supervisor.get(made["Location"]).content.decode()
    assert ours.number in page
    assert client_for(world.county_supervisor).get(made["Location"]).status_code == 404
    answers = {f"item{item.pk}-{k}": "yes" for k in
               ("procedure_followed", "deadlines_kept", "agreement_complete",
                "rights_explained")}
    supervisor.post(made["Location"], {"item": item.pk, **answers,
                                       f"item{item.pk}-findings": ""})
    item.refresh_from_db()
    assert item.reviewed_at is not None
    assert all(item.answers.values())
    other = client_for(world.director).post(made["Location"], {"item": item.pk, **answers})
    assert other.status_code == 404  # the director does not review the supervisors' check


def _pdf_rows(content: bytes) -> list[tuple[int, float, str]]:
    """Each printed row of a PDF as (page, y from the top, its text left to right)."""
    from pypdf import PdfReader

    found: dict[tuple[int, float], list[tuple[float, str]]] = {}
    for number, page in enumerate(PdfReader(io.BytesIO(content)).pages):
        def seen(text, _cm, tm, _font, _size, number=number):
            if text.strip():
                found.setdefault((number, round(tm[5])), []).append((tm[4], text.strip()))
        page.extract_text(visitor_text=seen)
    return [(page, y, " ".join(t for _x, t in sorted(parts)))
            for (page, y), parts in sorted(found.items())]


def test_the_report_pdf_prints_each_definition_beside_its_own_figure(world, cases):
    """Long names wrap and long definitions run to two lines: each figure's name still
    starts on the row where its definition (统计口径) starts."""
    from jintiao.supervision import reports

    query = {"node": world.prefecture.pk, "period": month()}
    rows = _pdf_rows(client_for(world.supervisor).get(reverse("web:report_pdf"),
                                                      query).content)
    (heading,) = [(page, y) for page, y, text in rows if text == "统计口径"]
    below = [text for page, y, text in rows if (page, y) > heading]
    report = reports.report_build(world.prefecture, ReportPeriod.month_of(clock.today()))
    pairs = ([(line.measure.label, line.measure.definition) for line in report.lines]
             + [(r.label, r.definition) for r in report.rates])
    assert any(len(d) > 60 for _l, d in pairs)  # some run to a second line
    assert any(len(label) > 7 for label, _d in pairs)  # and some names are long
    for label, definition in pairs:
        start = definition[:12]
        (row,) = [text for text in below if start in text]
        beside = row.split(start)[0].strip()
        assert beside, (label, row)
        assert label.startswith(beside), (label, row)


def test_the_dashboard_compares_the_month_so_far_with_the_same_days_of_the_last(world):
    """On 10 November: 1–10 November against 1–10 October, and says so; the whole of
    October is shown beside, for reference, not compared."""
    from tests.factories import intake

    for day in (dt.date(2026, 10, 5), dt.date(2026, 10, 20), dt.date(2026, 11, 3)):
        with clock.pinned(dt.datetime.combine(day, dt.time(10), clock.TZ)):
            intake(actor=world.clerk, committee=world.committee)

    with clock.pinned(dt.datetime(2026, 11, 10, 10, tzinfo=clock.TZ)):
        html = client_for(world.supervisor).get(reverse("web:dashboard")).content.decode()

    assert "截至11月10日" in html
    assert "本月11月1日至10日对上月10月1日至10日" in html
    assert 'data-figure="received">1<' in html
    assert 'data-same-days="received">1<' in html
    assert 'data-change="received">0.00%<' in html  # not −50 % against all of October
    assert 'data-whole-month="received">2<' in html


def test_the_dashboard_s_overdue_reconciles_with_the_workbench_and_says_how(world, cases):
    """The dashboard lists mediation running late by committee under its definition, and
    beside it the total as the workbench counts it, naming the stages in between."""
    from jintiao.disputes.models import Dispute
    from jintiao.domain.figures import DEFINITIONS
    from tests.factories import intake

    ours, _theirs = cases
    waiting = intake(actor=world.clerk, committee=world.committee)
    Dispute.objects.filter(pk=ours.pk).update(deadline=clock.today() - dt.timedelta(days=3))
    Dispute.objects.filter(pk=waiting.pk).update(
        state="agreed", deadline=clock.today() - dt.timedelta(days=1))
    supervisor = client_for(world.supervisor)

    html = supervisor.get(reverse("web:dashboard")).content.decode()
    home = supervisor.get("/").content.decode()

    assert "调解阶段超期 1 件" in html
    assert f"口径：{DEFINITIONS['overdue_mediation']}" in html
    assert 'data-overdue-all="2"' in html
    assert ("各环节超期合计 2 件（与工作台“已超期”口径相同），"
            "其中调解阶段以外：已达成协议 1 件") in html
    assert f"口径：{DEFINITIONS['overdue']}" in html
    assert '<b>2</b> 已超期' in home


def test_no_link_to_a_node_that_is_not_one(world, cases):
    html = client_for(world.director).get(reverse("web:dashboard")).content.decode()
    assert "?node=0" not in html


def test_a_bad_period_keeps_the_node_asked_for(world, cases):
    html = client_for(world.supervisor).get(
        reverse("web:statistics"), {"node": world.county.pk, "period": "2026-13"}
    ).content.decode()
    assert f"<h1>{world.county.name}" in html


def test_a_ledger_filter_that_cannot_be_read_exports_nothing(world, cases):
    response = client_for(world.supervisor).get(
        reverse("web:ledger"), {"received_from": "not-a-date", "export": "csv"})
    text = b"".join(response.streaming_content).decode() if response.streaming else ""
    assert cases[0].number not in text
    page = client_for(world.supervisor).get(reverse("web:ledger"),
                                            {"received_from": "not-a-date"})
    assert cases[0].number not in page.content.decode()
