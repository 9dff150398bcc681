"""Representatives (代理人): who may act for a party, and what their power of attorney allows.

The Civil Procedure Law (2023) Art. 61 lists who may be entrusted; Art. 62 requires a power of
attorney stating the matters and the authority, and a *special* authority to admit, waive or
change claims or to settle. A mediation agreement is a settlement, so a representative with
general authority may take part in mediation but not sign the agreement for the party.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum


class Authority(StrEnum):
    """The authority a power of attorney grants."""

    GENERAL = "general"
    SPECIAL = "special"

    @property
    def label(self) -> str:
        return AUTHORITY_LABELS[self]


AUTHORITY_LABELS: Mapping[Authority, str] = {
    Authority.GENERAL: "一般授权",
    Authority.SPECIAL: "特别授权（可代为承认、放弃、变更请求，进行和解）",
}


class Relation(StrEnum):
    """Who the representative is to the party (CPL Art. 61)."""

    LAWYER = "lawyer"
    LEGAL_WORKER = "legal_worker"
    RELATIVE = "relative"
    EMPLOYEE = "employee"
    RECOMMENDED = "recommended"

    @property
    def label(self) -> str:
        return RELATION_LABELS[self]


RELATION_LABELS: Mapping[Relation, str] = {
    Relation.LAWYER: "律师",
    Relation.LEGAL_WORKER: "基层法律服务工作者",
    Relation.RELATIVE: "近亲属",
    Relation.EMPLOYEE: "工作人员",
    Relation.RECOMMENDED: "社区、单位或有关社会团体推荐的公民",
}

SOURCE = "民事诉讼法（2023）第六十一条、第六十二条"


def may_settle(authority: Authority) -> bool:
    """Only a special authority lets a representative agree to a settlement for the party."""
    return Authority(authority) is Authority.SPECIAL


def mandate_problems(*, signed_on: dt.date, valid_until: dt.date | None,
                     on: dt.date) -> list[str]:
    """Why a power of attorney cannot be relied on at ``on`` (empty when it can)."""
    problems = []
    if signed_on > on:
        problems.append(f"授权委托书签署日期{signed_on}晚于{on}")
    if valid_until is not None and valid_until < signed_on:
        problems.append(f"授权期限{valid_until}早于签署日期{signed_on}")
    elif valid_until is not None and valid_until < on:
        problems.append(f"授权已于{valid_until}到期")
    return problems
