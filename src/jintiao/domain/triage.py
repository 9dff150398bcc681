"""Triage (确定程序): which track the policy suggests for an accepted dispute, and why.

The director confirms or overrides the suggestion with a reason; the track then sets the
mediation time limit (scenario S7). The rule, in order:

1. a party asked for a neutral evaluation, or the amount or liability is contested and the
   claim reaches the policy's evaluation threshold → neutral evaluation;
2. the facts are not disputed and the claim is at most the small-claim threshold → fast;
3. the facts are not disputed → simple;
4. otherwise → ordinary.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from jintiao.domain.money import format_amount, require_amount
from jintiao.domain.policy import Policy, PolicyInvalid, Track


@dataclass(frozen=True)
class TriageFacts:
    """What the desk knows after acceptance. ``facts_disputed``: the debtor contests the
    loan, the amounts or the default itself, not merely how to pay."""

    claim_total: Decimal
    facts_disputed: bool = False
    evaluation_requested: bool = False


@dataclass(frozen=True)
class Suggestion:
    track: Track
    reasons: tuple[str, ...]


def suggest_track(facts: TriageFacts, policy: Policy) -> Suggestion:
    """Return the track the policy suggests for ``facts``, with the reasons in Chinese."""
    total = require_amount(facts.claim_total, field="claim_total", label="债权总额",
                           error=PolicyInvalid)
    small, big = policy.small_claim_threshold, policy.evaluation_threshold
    shown = format_amount(total)
    if facts.evaluation_requested:
        return Suggestion(Track.EVALUATION, ("当事人申请中立评估。",))
    if facts.facts_disputed and total >= big:
        return Suggestion(Track.EVALUATION, (
            f"事实或金额有争议，且债权总额{shown}元不低于中立评估标准{format_amount(big)}元。",))
    if not facts.facts_disputed and total <= small:
        return Suggestion(Track.FAST, (
            f"事实无争议，债权总额{shown}元不超过小额标准{format_amount(small)}元。",))
    if not facts.facts_disputed:
        return Suggestion(Track.SIMPLE, (
            f"事实无争议，债权总额{shown}元超过小额标准{format_amount(small)}元。",))
    return Suggestion(Track.ORDINARY, (
        f"事实或金额有争议，债权总额{shown}元低于中立评估标准{format_amount(big)}元。",))
