"""Report charts drawn on the server as SVG: no chart script, no network, the same picture
in the browser, the PDF and the archive.

Text is turned into outlines (``svg.fonttype = "path"``), so the SVG needs no font where it
is shown; the CJK face is Debian's Noto Sans CJK, the one the documents use.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import math
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.core.cache import cache

log = logging.getLogger(__name__)
FONT = "Noto Sans CJK SC"
# A chart is the same picture for the same data: kept in the cache by a digest of its data,
# a month's report drew three in 1.3 s of its 1.7 (issue 19 §2). Raise DRAWING when the
# drawing code changes, so no picture drawn the old way is served.
DRAWING = 1
KEEP_SECONDS = 7 * 24 * 3600
F = TypeVar("F", bound=Callable[..., str])


def kept(draw: F) -> F:
    """``draw`` answered from the cache when it drew the same data before; a cache that is
    down costs the drawing, not the page."""

    @functools.wraps(draw)
    def drawn(*args: Any, **kwargs: Any) -> str:
        digest = hashlib.sha256(repr((DRAWING, draw.__name__, args, sorted(kwargs.items())))
                                .encode()).hexdigest()
        key = f"chart:{digest}"
        try:
            found = cache.get(key)
        except Exception:  # the cache's own failure (Redis restarting): draw
            log.warning("chart cache unreadable; drawing %s", draw.__name__)
            found = None
        if isinstance(found, str):
            return found
        svg = draw(*args, **kwargs)
        try:
            cache.set(key, svg, KEEP_SECONDS)
        except Exception:
            log.warning("chart cache unwritable; %s not kept", draw.__name__)
        return svg

    return drawn  # type: ignore[return-value]
BLUE, ORANGE, GREY = "#1f4e79", "#c55a11", "#7f7f7f"


def _pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend; it writes its font cache to a directory of
    our choosing, since the app's home may be read-only."""
    os.environ.setdefault("MPLCONFIGDIR", os.path.join(tempfile.gettempdir(),
                                                       "jintiao-matplotlib"))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.family": FONT, "axes.unicode_minus": False,
                         "svg.fonttype": "path", "svg.hashsalt": "jintiao",
                         "text.parse_math": False,  # a name with $…$ is a name, not TeX
                         "font.size": 9, "axes.spines.top": False,
                         "axes.spines.right": False})
    return plt


def _svg(fig: Any) -> str:
    plt = _pyplot()
    out = io.StringIO()
    fig.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = out.getvalue()
    return _unstyled(text[text.index("<svg"):])  # inline: no XML prolog or doctype


_STYLE_ATTRIBUTE = re.compile(r' style="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"\s*<style[^>]*>\*\{([^}]*)\}</style>")


def _attributes(declarations: str) -> str:
    return "".join(f' {name.strip()}="{value.strip()}"' for name, value in
                   (d.split(":", 1) for d in declarations.split(";") if ":" in d))


def _unstyled(svg: str) -> str:
    """The drawing with SVG presentation attributes (``fill="#1f4e79"``) where matplotlib
    writes inline CSS (``style="fill: …"`` and a ``<style>`` element): a page's
    Content-Security-Policy refuses inline style, and the picture is the same. The style
    element's rule for every element becomes attributes of the root, which its children
    inherit unless they set their own, as the rule let them."""
    rule = _STYLE_ELEMENT.search(svg)
    if rule is not None:
        svg = svg[:rule.start()] + svg[rule.end():]
        svg = svg.replace("<svg ", f"<svg{_attributes(rule.group(1))} ", 1)
    return _STYLE_ATTRIBUTE.sub(lambda m: _attributes(m.group(1)), svg)


@kept
def trend(labels: Sequence[str], accepted: Sequence[int], settled: Sequence[int],
          rates: Sequence[Decimal | None], *, title: str) -> str:
    """Accepted and settled per month as bars, the success rate as a line."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.2, 2.8))
    xs = range(len(labels))
    ax.bar([x - 0.2 for x in xs], accepted, width=0.4, color=BLUE, label="受理")
    ax.bar([x + 0.2 for x in xs], settled, width=0.4, color=ORANGE, label="调解成功")
    ax.set_xticks(list(xs), labels, rotation=45, ha="right")
    ax.set_ylabel("件")
    ax.set_title(title)
    right = ax.twinx()
    right.plot(list(xs), [math.nan if r is None else r for r in rates],  # a gap, not 0 %
               color=GREY, marker="o", linewidth=1.2, label="调解成功率")
    right.set_ylim(0, 100)
    right.set_ylabel("%")
    right.spines["top"].set_visible(False)
    handles = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    ax.legend(handles[0] + more[0], handles[1] + more[1], loc="upper center", frameon=False,
              ncols=3, bbox_to_anchor=(0.5, -0.3))
    return _svg(fig)


@kept
def bars(labels: Sequence[str], first: Sequence[int], second: Sequence[int],
         names: tuple[str, str], *, title: str) -> str:
    """Two counts per group as horizontal bars (counties, institutions)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.2, max(1.6, 0.32 * len(labels) + 0.8)))
    ys = range(len(labels))
    ax.barh([y - 0.2 for y in ys], first, height=0.4, color=BLUE, label=names[0])
    ax.barh([y + 0.2 for y in ys], second, height=0.4, color=ORANGE, label=names[1])
    ax.set_yticks(list(ys), labels)
    ax.invert_yaxis()
    ax.set_xlabel("件")
    ax.set_title(title)
    ax.legend(loc="lower right", frameon=False)
    return _svg(fig)


@kept
def funnel(labels: Sequence[str], counts: Sequence[int], *, title: str) -> str:
    """The reach funnel: one bar per stage, the share of the first bar written beside it."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.2, 0.34 * len(labels) + 0.9))
    ys = range(len(labels))
    ax.barh(list(ys), counts, color=BLUE)
    ax.set_yticks(list(ys), labels)
    ax.invert_yaxis()
    ax.set_title(title)
    top = counts[0] if counts else 0
    for y, n in zip(ys, counts, strict=True):
        share = f"（{n * 100 / top:.1f}%）" if top else ""
        ax.text(n, y, f" {n}{share}", va="center")
    ax.set_xlim(0, max(top, 1) * 1.25)
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    return _svg(fig)
