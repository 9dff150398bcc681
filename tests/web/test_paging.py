"""The dispute list counts at most a few thousand rows (bench/bench_load.py: counting all
100,000 a supervisor sees cost more than reading the page); beyond that it says its count
is an estimate and pages only as deep as it counted."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from jintiao import paging
from jintiao.disputes.models import Dispute
from jintiao.web.paging import CappedPaginator
from tests.factories import intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def five(world):
    return [intake(actor=world.clerk, committee=world.committee) for _ in range(5)]


def test_a_list_within_the_cap_is_counted_exactly(five):
    paginator = CappedPaginator(Dispute.objects.order_by("pk"), 2, cap=5)
    assert (paginator.count, paginator.estimated, paginator.num_pages) == (5, False, 3)
    assert list(paginator.page(3).object_list) == five[4:]


def test_beyond_the_cap_the_count_is_an_estimate_and_the_pages_stop_at_the_cap(five):
    paginator = CappedPaginator(Dispute.objects.order_by("pk"), 2, cap=3)
    assert paginator.estimated is False  # nothing counted yet
    assert paginator.count >= 4
    assert paginator.estimated is True
    assert paginator.num_pages == 2  # the first 3 rows, 2 a page
    assert list(paginator.page(2).object_list) == five[2:4]


def test_the_pages_stop_at_the_cap_even_when_asked_for_first(five):
    """The list asks for the number of pages before the count (a deep page number is
    checked first): the pages must still end at the cap, not at the estimate."""
    paginator = CappedPaginator(Dispute.objects.order_by("pk"), 1, cap=3)
    assert paginator.num_pages == 3  # not the 4 or more counted or estimated
    assert paginator.get_page(999).number == 3


def test_an_empty_list_has_one_empty_page(db):
    paginator = CappedPaginator(Dispute.objects.order_by("pk"), 50)
    assert (paginator.count, paginator.estimated, paginator.num_pages) == (0, False, 1)


def test_the_list_says_when_its_count_is_an_estimate(world, five, monkeypatch):
    from jintiao.web.views import disputes as views

    client = Client()
    client.force_login(world.clerk)
    page = client.get("/disputes/").content.decode()
    assert "共 5 件" in page
    monkeypatch.setattr(paging, "CAP", 3)
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    page = client.get("/disputes/").content.decode()
    assert "：只列出前 3 件，请用上面的条件缩小范围" in page
    assert ("件（估计数）" if connection.vendor == "postgresql" else "超过 3 件") in page
    assert "共 5 件" not in page
    assert "第 3 / 3 页" in client.get("/disputes/?page=999").content.decode()


def test_a_large_estimate_is_written_with_its_thousands_grouped(world, five, monkeypatch):
    """Seen in the browser: 约 103430 件 — the Chinese number format groups nothing."""
    monkeypatch.setattr(paging, "CAP", 3)
    monkeypatch.setattr(paging, "estimate", lambda rows: 103430)
    client = Client()
    client.force_login(world.clerk)
    assert "约 103,430 件（估计数）" in client.get("/disputes/").content.decode()
