"""Which confirmation applications a judge may read as one: agreements of the same
institution, on the same kind of dispute, with a plan of the same shape (issue 20 §6).

A judge reviewing a batch reads one agreement of a group closely and checks the rest
against it. Only the shape is compared — who the creditor is, what the dispute is about, how
the plan is repaid (method, number of instalments, which parts are waived and whether on
condition, the acceleration clause) — never the amounts, which differ from debtor to debtor.
Grouping decides nothing: each application is still ruled on by itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, order=True)
class Shape:
    """What two agreements must share to be read as alike."""

    institution: str
    dispute_type: str
    method: str
    instalments: int
    waivers: tuple[tuple[str, bool], ...]  # (part, conditional), sorted, amounts left out
    acceleration_missed: int | None

    @property
    def label(self) -> str:
        """The group's heading, in words: ``某银行 · 信用卡 · 12期 · 减免利息（附条件）``."""
        waived = "、".join(f"减免{part}{'（附条件）' if conditional else ''}"
                          for part, conditional in self.waivers) or "无减免"
        return f"{self.institution} · {self.dispute_type} · {self.method} · " \
               f"{self.instalments}期 · {waived}"


def shape_of(*, institution: str, dispute_type: str, terms: dict[str, object]) -> Shape:
    """The shape of an agreement's ``terms`` (the agreement content's ``terms`` block) for a
    dispute of ``dispute_type`` with the creditor ``institution``."""
    schedule = terms.get("schedule") or []
    waivers = terms.get("waivers") or []
    accel = terms.get("acceleration_missed")
    return Shape(
        institution=institution, dispute_type=dispute_type,
        method=str(terms.get("method_label") or terms.get("method") or ""),
        instalments=len(schedule) if isinstance(schedule, list) else 0,
        waivers=tuple(sorted({(str(w.get("label") or w.get("part")), bool(w.get("conditional")))
                              for w in waivers if isinstance(w, dict)}))
        if isinstance(waivers, list) else (),
        acceleration_missed=accel if isinstance(accel, int) else None)


@dataclass(frozen=True)
class Group(Generic[T]):
    """Items of one shape, in the order they came."""

    shape: Shape
    items: tuple[T, ...]

    @property
    def count(self) -> int:
        return len(self.items)


def group(items: Iterable[T], shape: Callable[[T], Shape]) -> list[Group[T]]:
    """Group ``items`` by their ``shape``: the largest group first (where reading one saves
    the most), then by the first item's place; each group keeps its items' order."""
    found: dict[Shape, list[T]] = {}
    for item in items:
        found.setdefault(shape(item), []).append(item)
    groups = [Group(key, tuple(members)) for key, members in found.items()]
    first = {key: n for n, key in enumerate(found)}
    return sorted(groups, key=lambda g: (-g.count, first[g.shape]))


def alike(groups: Sequence[Group[T]]) -> list[Group[T]]:
    """The groups with more than one item: those a judge may read as one."""
    return [g for g in groups if g.count > 1]
