"""The dispute list counts at most a few thousand rows (bench/bench_load.py: counting all
100,000 a supervisor sees cost more than reading the page); beyond that it says its count
is an estimate and pages only as deep as it counted."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from jintiao.disputes.models import Dispute
from jintiao.web import paging
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


def test_an_empty_list_has_one_empty_page(db):
    paginator = CappedPaginator(Dispute.objects.order_by("pk"), 50)
    assert (paginator.count, paginator.estimated, paginator.num_pages) == (0, False, 1)


def test_the_list_says_when_its_count_is_an_estimate(world, five, monkeypatch):
    client = Client()
    client.force_login(world.clerk)
    page = client.get("/disputes/").content.decode()
    assert "共 5 件" in page
    monkeypatch.setattr(paging, "CAP", 3)
    page = client.get("/disputes/").content.decode()
    assert "：只列出前 3 件，请用上面的条件缩小范围" in page
    assert ("件（估计数）" if connection.vendor == "postgresql" else "超过 3 件") in page
    assert "共 5 件" not in page
