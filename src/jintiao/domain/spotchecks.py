"""Quarterly spot checks (季度抽查): which concluded disputes are drawn, and the checklist.

The draw is reproducible: the same seed over the same disputes gives the same sample on
any machine, so a committee can verify it was not picked by hand.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from jintiao.domain.errors import DomainError, ErrorCode


class SpotCheckInvalid(DomainError):
    code = ErrorCode.SPOT_CHECK_INVALID


CHECKLIST: Mapping[str, str] = {
    "procedure_followed": "程序合规：受理、告知、指派、调解、结案各环节手续齐全",
    "deadlines_kept": "期限遵守：在调解期限内办结，延长经双方同意",
    "agreement_complete": "协议完备：调解协议（或调解不成的记载）内容明确、签章齐全",
    "rights_explained": "权利告知：已告知当事人权利义务、非诉讼方式及司法确认",
}
SHORT: Mapping[str, str] = {"procedure_followed": "程序合规", "deadlines_kept": "期限遵守",
                            "agreement_complete": "协议完备", "rights_explained": "权利告知"}
MAX_PER_COMMITTEE = 50


def draw(candidates: Mapping[int, Sequence[int]], per_committee: int, seed: str
         ) -> dict[int, list[int]]:
    """For each committee, up to ``per_committee`` of its disputes, chosen with a random
    generator seeded by ``seed`` and the committee; sorted by id.

    :raises SpotCheckInvalid: a size outside 1…50 or an empty seed
    """
    if isinstance(per_committee, bool) or not 1 <= per_committee <= MAX_PER_COMMITTEE:
        raise SpotCheckInvalid(f"每个调委会抽查件数应为1至{MAX_PER_COMMITTEE}件",
                               "per-committee size out of range", size=per_committee)
    if not seed.strip():
        raise SpotCheckInvalid("抽查须写明随机种子", "a seed is required")
    drawn = {}
    for committee in sorted(candidates):
        pool = sorted(set(candidates[committee]))
        rng = random.Random(f"{seed}/{committee}")  # noqa: S311 - reproducible, not secret
        drawn[committee] = sorted(rng.sample(pool, min(per_committee, len(pool))))
    return drawn


def answers_problems(answers: Mapping[str, object]) -> list[str]:
    """What is wrong with a reviewer's checklist: every item answered yes or no, no others."""
    problems = [f"未知的检查项：{k}" for k in answers if k not in CHECKLIST]
    problems += [f"请回答：{label}" for k, label in CHECKLIST.items()
                 if not isinstance(answers.get(k), bool)]
    return problems
