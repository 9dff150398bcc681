"""The charts drawn into pages and reports."""

from __future__ import annotations

from jintiao.supervision import charts


def test_a_name_with_dollar_signs_is_drawn_as_written():
    svg = charts.bars(["县$\\frac$支行"], [1], [0], ("受理", "调解成功"), title="$x$")
    assert svg.startswith("<svg")
