"""The supervisors' list of checkpoints and the report's copy of the latest (issue 18 §4b):
read-only, in Chinese, for those who supervise and no one else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from jintiao import clock
from jintiao.domain.figures import ReportPeriod
from jintiao.timeline.checkpoints import checkpoint_create
from tests.factories import intake
from tests.web.test_accessibility import problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(world, settings, tmp_path):
    """Two checkpoints over a dispute, with a key folder of the test's own."""
    settings.PKI_DIR = tmp_path / "pki"
    intake(actor=world.clerk, committee=world.committee)
    return [checkpoint_create(), checkpoint_create(actor=world.supervisor)]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_those_who_supervise_see_the_checkpoints(world, signed):
    url = reverse("web:checkpoints")
    for persona, status in [("supervisor", 200), ("county_supervisor", 200), ("director", 200),
                            ("mediator", 404), ("clerk", 404), ("agent", 404),
                            ("judge", 404), ("other_agent", 404)]:
        assert client_for(getattr(world, persona)).get(url).status_code == status, persona
    assert Client().get(url).status_code == 302  # to the sign-in page


def test_the_page_is_read_only(world, signed):
    url = reverse("web:checkpoints")
    supervisor = client_for(world.supervisor)
    assert supervisor.post(url).status_code == 405
    main = supervisor.get(url).content.decode().split("<main", 1)[1]
    assert "<form" not in main


def test_the_list_shows_each_root_and_fingerprint_newest_first(world, signed):
    older, newest = signed
    html = client_for(world.supervisor).get(reverse("web:checkpoints")).content.decode()
    assert html.index(f'data-checkpoint="{newest.pk}"') < html.index(
        f'data-checkpoint="{older.pk}"')
    assert html.count(older.root) == 2
    assert f"<code class=\"hash\" data-fingerprint>{newest.key_fingerprint}</code>" in html
    assert str(world.supervisor) in html
    assert "平台定时" in html
    assert problems(html) == []


def test_an_empty_list_says_so_in_chinese(world, settings, tmp_path):
    settings.PKI_DIR = tmp_path / "pki"
    html = client_for(world.director).get(reverse("web:checkpoints")).content.decode()
    assert "还没有检查点。" in html
    assert "尚未生成" in html
    assert problems(html) == []
    assert not (tmp_path / "pki").exists()  # reading makes no key folder


def test_the_dashboard_links_to_them(world, signed):
    html = client_for(world.supervisor).get(reverse("web:dashboard")).content.decode()
    assert f'href="{reverse("web:checkpoints")}"' in html


def test_the_report_prints_the_latest_checkpoints_before_its_period_ends(world, signed):
    older, newest = signed
    month = ReportPeriod.month_of(clock.today())
    html = client_for(world.supervisor).get(
        reverse("web:report"), {"node": world.prefecture.pk, "period": str(month)}
    ).content.decode()
    assert "附：审计检查点" in html
    assert html.index(f'data-checkpoint="{newest.pk}"') < html.index(
        f'data-checkpoint="{older.pk}"')
    assert newest.root in html
    assert newest.key_fingerprint in html
    earlier = client_for(world.supervisor).get(
        reverse("web:report"), {"node": world.prefecture.pk, "period": str(month.previous)}
    ).content.decode()
    assert "data-checkpoint" not in earlier
    assert "本期末之前尚无检查点。" in earlier


def test_the_reports_pdf_carries_the_root_and_fingerprint(world, signed):
    import io

    import pypdfium2

    newest = signed[-1]
    response = client_for(world.supervisor).get(
        reverse("web:report_pdf"),
        {"node": world.prefecture.pk, "period": str(ReportPeriod.month_of(clock.today()))})
    assert response.status_code == 200
    document = pypdfium2.PdfDocument(io.BytesIO(response.content))
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    flat = "".join(text.split())
    assert "附：审计检查点" in flat
    assert newest.root in flat
    assert newest.key_fingerprint in flat


def test_only_checkpoints_made_before_the_period_ends_are_printed(world, settings, tmp_path):
    settings.PKI_DIR = tmp_path / "pki"
    month = ReportPeriod.month_of(clock.today())
    with clock.pinned(dt.datetime.combine(month.end + dt.timedelta(days=3), dt.time(9),
                                          tzinfo=clock.TZ)):
        later = checkpoint_create()
    html = client_for(world.supervisor).get(
        reverse("web:report"), {"node": world.prefecture.pk, "period": str(month)}
    ).content.decode()
    assert later.root not in html


def test_a_checkpoint_signed_despite_problems_shows_the_reason(world, signed):
    from jintiao.timeline.models import Checkpoint

    Checkpoint.objects.filter(pk=signed[1].pk).update(
        despite="从备份恢复\n纠纷#1的第1条事件与检查点签署的链头不符")
    page = client_for(world.supervisor).get(reverse("web:checkpoints")).content.decode()
    assert "日志不连续时签署：" in page
    assert "从备份恢复<br>纠纷#1的第1条事件与检查点签署的链头不符" in page
    assert page.count("data-despite") == 1
