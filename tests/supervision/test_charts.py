"""The charts drawn into pages and reports."""

from __future__ import annotations

import pytest

from jintiao.supervision import charts


def test_a_name_with_dollar_signs_is_drawn_as_written():
    svg = charts.bars(["县$\\frac$支行"], [1], [0], ("受理", "调解成功"), title="$x$")
    assert svg.startswith("<svg")


class TestKeptByTheirData:
    """A chart of the same data is drawn once and then read from the cache (a month's
    report spent three quarters of its time drawing); other data is drawn anew, and a cache
    that is down costs the drawing, not the page (issue 19 §2)."""

    @pytest.fixture(autouse=True)
    def cache(self, settings):
        settings.CACHES = {"default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "charts-test"}}
        from django.core.cache import cache

        cache.clear()

    @pytest.fixture
    def drawings(self, monkeypatch):
        count = []
        real = charts._svg

        def counted(fig):
            count.append(1)
            return real(fig)

        monkeypatch.setattr(charts, "_svg", counted)
        return count

    def test_the_same_data_is_drawn_once(self, drawings):
        data = (["凯里市", "黄平县"], [3, 1], [2, 0], ("受理", "调解成功"))
        first = charts.bars(*data, title="各县")
        again = charts.bars(*data, title="各县")
        assert first == again
        assert len(drawings) == 1
        charts.bars(["凯里市", "黄平县"], [3, 1], [2, 1], ("受理", "调解成功"), title="各县")
        charts.funnel(["受理", "联系"], [3, 1], title="各县")
        assert len(drawings) == 3

    def test_a_cache_that_is_down_costs_only_the_drawing(self, drawings, monkeypatch):
        class Down:
            def get(self, *args, **kwargs):
                raise ConnectionError("redis restarting")

            set = get

        monkeypatch.setattr(charts, "cache", Down())
        for _ in range(2):
            assert charts.funnel(["受理", "联系"], [3, 1], title="漏斗").startswith("<svg")
        assert len(drawings) == 2
