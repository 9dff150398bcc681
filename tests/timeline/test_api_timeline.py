"""The API's timeline carries every field an event's hash covers (issue 18 §4), so a
caller recomputes each hash itself — and only for callers who may see the dispute."""

from __future__ import annotations

import hashlib
import json

from jintiao.domain import events
from jintiao.timeline.services import GENESIS
from tests.api.client import Api


def recomputed(e: dict) -> str:
    """docs/audit.md §1, from the API's names."""
    body = {"dispute": e["dispute_id"], "seq": e["seq"], "type": e["type"],
            "actor": e["actor_id"], "at": e["at_hashed"], "before": e["state_before"],
            "after": e["state_after"], "params": e["params"], "meta": e["meta"],
            "prev": e["prev_hash"]}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode()).hexdigest()


def test_every_hash_recomputes_from_the_timeline_and_the_chain_links(world, cases):
    ours, _ = cases
    timeline = Api(world.supervisor).get(f"/disputes/{ours.pk}/timeline").json()
    assert [e["seq"] for e in timeline] == [1, 2, 3]
    assert [recomputed(e) for e in timeline] == [e["hash"] for e in timeline]
    assert [e["prev_hash"] for e in timeline] == [GENESIS] + [e["hash"] for e in timeline[:2]]
    assert timeline[0]["at_hashed"].endswith("+00:00")
    assert timeline[1]["actor_id"] == world.clerk.pk


def test_an_institution_recomputes_the_events_it_sees(world, cases):
    ours, _ = cases
    seen = Api(world.agent).get(f"/disputes/{ours.pk}/timeline").json()
    assert seen
    assert {e["type"] for e in seen} <= events.types_for(events.Audience.DISPUTE)
    assert [recomputed(e) for e in seen] == [e["hash"] for e in seen]


def test_who_may_not_see_the_dispute_gets_nothing(world, cases):
    ours, theirs = cases
    for persona in ("other_agent", "other_clerk", "county_supervisor", "other_judge"):
        response = Api(getattr(world, persona)).get(f"/disputes/{ours.pk}/timeline")
        assert response.status_code == 404, persona
        assert "hash" not in response.content.decode()
    assert Api(world.agent).get(f"/disputes/{theirs.pk}/timeline").status_code == 404
