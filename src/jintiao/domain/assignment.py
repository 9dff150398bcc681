"""Choosing a mediator: a ranked list for the director, and who may not be on it.

Most mediators come from the financial sector (S5: 157 of 265), so the conflict that
matters is a mediator employed by or affiliated with a party's institution or any node of
its group. Such a mediator is **excluded**, not ranked low; so is one who has been recused
(回避) on this dispute, one marked unavailable, and one already at full load.

The others are ranked by points, each shown to the director with its reason:

* expertise in this type of dispute: 40;
* location: same county 20, same prefecture 10;
* spare capacity: up to 30, in proportion to the open disputes they could still take;
* full-time mediator: 5.

Ties go to the lighter load, then the name, so the order is stable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

POINTS_EXPERTISE = 40
POINTS_SAME_COUNTY = 20
POINTS_SAME_PREFECTURE = 10
POINTS_CAPACITY = 30
POINTS_FULL_TIME = 5

# why a mediator is excluded (a full load's reason names the numbers)
TIED = "受雇于当事金融机构或与其存在关联（含上级及分支机构），应当回避"
RECUSED = "已决定回避本纠纷"
UNAVAILABLE = "暂不可指派（休假或暂停）"


@dataclass(frozen=True)
class Candidate:
    """A mediator as the ranking sees them. ``ties`` are the institution groups (root node
    ids) they work for or are affiliated with."""

    key: int
    name: str
    expertise: frozenset[str]
    open_load: int
    capacity: int
    available: bool
    region_code: str
    ties: frozenset[int]
    full_time: bool = False


@dataclass(frozen=True)
class Needs:
    """What the dispute asks of its mediator. ``institution_groups``: the root node ids of
    the institutions that are parties; ``recused``: the mediators recused on it."""

    dispute_type: str
    region_code: str
    institution_groups: frozenset[int]
    recused: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    score: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Excluded:
    candidate: Candidate
    reasons: tuple[str, ...]


def conflicts(key: int, ties: frozenset[int], needs: Needs) -> list[str]:
    """Why a mediator with these ``ties`` may not mediate the dispute whatever their load or
    availability: a tie with a party's institution group, or a recusal on it."""
    reasons = []
    if ties & needs.institution_groups:
        reasons.append(TIED)
    if key in needs.recused:
        reasons.append(RECUSED)
    return reasons


def exclusions(candidate: Candidate, needs: Needs) -> tuple[str, ...]:
    """Why ``candidate`` may not mediate this dispute (empty: they may)."""
    reasons = conflicts(candidate.key, candidate.ties, needs)
    if not candidate.available:
        reasons.append(UNAVAILABLE)
    if candidate.open_load >= candidate.capacity:
        reasons.append(f"在办{candidate.open_load}件，已达上限{candidate.capacity}件")
    return tuple(reasons)


def _score(candidate: Candidate, needs: Needs) -> Ranked:
    score, reasons = 0, []
    if needs.dispute_type in candidate.expertise:
        score += POINTS_EXPERTISE
        reasons.append("擅长此类纠纷")
    if candidate.region_code == needs.region_code:
        score += POINTS_SAME_COUNTY
        reasons.append("同一县（市）")
    elif candidate.region_code[:4] == needs.region_code[:4]:
        score += POINTS_SAME_PREFECTURE
        reasons.append("同一州（市）")
    spare = candidate.capacity - candidate.open_load
    capacity_points = POINTS_CAPACITY * spare // candidate.capacity
    score += capacity_points
    reasons.append(f"在办{candidate.open_load}件（上限{candidate.capacity}件）")
    if candidate.full_time:
        score += POINTS_FULL_TIME
        reasons.append("专职调解员")
    return Ranked(candidate, score, tuple(reasons))


def rank_mediators(candidates: Iterable[Candidate], needs: Needs
                   ) -> tuple[list[Ranked], list[Excluded]]:
    """Split ``candidates`` into the ranked list (best first) and the excluded, with reasons."""
    ranked, excluded = [], []
    for c in candidates:
        why = exclusions(c, needs)
        if why:
            excluded.append(Excluded(c, why))
        else:
            ranked.append(_score(c, needs))
    ranked.sort(key=lambda r: (-r.score, r.candidate.open_load, r.candidate.name,
                               r.candidate.key))
    excluded.sort(key=lambda e: (e.candidate.name, e.candidate.key))
    return ranked, excluded


def propose_lead(candidates: Iterable[Candidate], needs: Needs,
                 proposed: Mapping[int, int]) -> Ranked | tuple[str, ...]:
    """Choose the lead for one dispute of a batch assignment: the top of the same ranking
    the director's single assignment shows (:func:`rank_mediators`), each candidate's load
    counting ``proposed`` — the disputes this batch already proposed them for — so that a
    batch spreads its disputes instead of giving all of them to the one ranked first.
    ``candidates`` are the dispute's own committee's mediators only (the caller's choice: a
    county's disputes stay with its committee).

    Return the :class:`Ranked` chosen, or the reasons nobody could be (in Chinese).
    """
    counted = [replace(c, open_load=c.open_load + proposed.get(c.key, 0)) for c in candidates]
    if not counted:
        return ("本调委会没有在册调解员",)
    ranked, excluded = rank_mediators(counted, needs)
    if ranked:
        return ranked[0]
    counts: dict[str, int] = {}
    for e in excluded:
        for reason in {_SHORT.get(r, "已满额") for r in e.reasons}:
            counts[reason] = counts.get(reason, 0) + 1
    parts = "、".join(f"{label}{counts[label]}名" for label in _SHORT_ORDER if label in counts)
    return (f"本调委会{len(excluded)}名调解员均不能指派（{parts}）",)


# an exclusion's reason as the batch's summary counts it (a full load's reason names numbers)
_SHORT = {TIED: "与当事金融机构有关联", RECUSED: "已回避", UNAVAILABLE: "暂不可指派"}
_SHORT_ORDER = ("与当事金融机构有关联", "已回避", "暂不可指派", "已满额")
