"""The event hash and the checkpoints' Merkle tree: standard library only, no Django, so
``jintiao audit verify-bundle`` and anyone's own verifier can use them without a database.
docs/audit.md states each rule in words."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
HEX64 = re.compile(r"[0-9a-f]{64}")
LEAF, NODE = b"\x00", b"\x01"  # RFC 6962 §2.1 domain separation: a leaf is never a node


def canonical(body: Any) -> bytes:
    """JSON with sorted keys, no spaces, non-ASCII as UTF-8: the bytes every hash covers."""
    return json.dumps(body, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode()


def moment(at: dt.datetime) -> str:
    """A time as it is hashed: UTC, microseconds, ``2026-05-01T01:02:03.000004+00:00``."""
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def event_body(*, dispute_id: int, seq: int, type: str, actor_id: int | None, at: dt.datetime,
               state_before: str, state_after: str, params: dict[str, Any],
               meta: dict[str, Any], prev_hash: str) -> dict[str, Any]:
    """Exactly what an event's hash covers, under the keys it is hashed with."""
    return {
        "dispute": dispute_id, "seq": seq, "type": type, "actor": actor_id, "at": moment(at),
        "before": state_before, "after": state_after, "params": params, "meta": meta,
        "prev": prev_hash,
    }


def event_hash(*, dispute_id: int, seq: int, type: str, actor_id: int | None, at: dt.datetime,
               state_before: str, state_after: str, params: dict[str, Any],
               meta: dict[str, Any], prev_hash: str) -> str:
    """Return the SHA-256 of an event's canonical JSON (sorted keys, UTC microseconds)."""
    return body_hash(event_body(
        dispute_id=dispute_id, seq=seq, type=type, actor_id=actor_id, at=at,
        state_before=state_before, state_after=state_after, params=params, meta=meta,
        prev_hash=prev_hash))


def body_hash(body: dict[str, Any]) -> str:
    """The hash of an event given as :func:`event_body` (or a bundle) spells it."""
    return hashlib.sha256(canonical(body)).hexdigest()


# -- the Merkle tree of a checkpoint (RFC 6962 §2.1) -----------------------------------------


@dataclass(frozen=True, order=True)
class Head:
    """Where one dispute's chain stood: its number of events and its last event's hash
    (``GENESIS`` when it had none)."""

    dispute_id: int
    seq: int
    head: str

    def text(self) -> str:
        return f"{self.dispute_id}:{self.seq}:{self.head}"


def leaf_hash(leaf: Head) -> bytes:
    return hashlib.sha256(LEAF + leaf.text().encode()).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE + left + right).digest()


def _levels(hashes: list[bytes]) -> list[list[bytes]]:
    """Every level from the leaves up. An odd node at the end of a level is carried up as
    it is (promoted, never duplicated: a duplicated node would let two different leaf lists
    share a root); this is exactly RFC 6962's Merkle Tree Hash."""
    levels = [hashes]
    while len(levels[-1]) > 1:
        below = levels[-1]
        above = [_node(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        if len(below) % 2:
            above.append(below[-1])
        levels.append(above)
    return levels


def merkle_root(leaves: list[Head]) -> str:
    """The root over ``leaves`` in the order given; SHA-256 of nothing for none."""
    if not leaves:
        return hashlib.sha256(b"").hexdigest()
    return _levels([leaf_hash(x) for x in leaves])[-1][0].hex()


def inclusion_proof(leaves: list[Head], index: int) -> list[str]:
    """The sibling hashes from leaf ``index`` up to the root (RFC 6962's audit path)."""
    if not 0 <= index < len(leaves):
        raise IndexError(index)
    path: list[str] = []
    for level in _levels([leaf_hash(x) for x in leaves])[:-1]:
        sibling = index ^ 1
        if sibling < len(level):  # else: promoted, no sibling at this level
            path.append(level[sibling].hex())
        index //= 2
    return path


def verify_inclusion(leaf: Head, index: int, count: int, path: list[str], root: str) -> bool:
    """RFC 9162 §2.1.3.2: does ``path`` lead from ``leaf`` at ``index`` of ``count`` leaves
    to ``root``? The sides come from the index, so a path cannot be reordered."""
    if not 0 <= index < count:
        return False
    fn, sn, r = index, count - 1, leaf_hash(leaf)
    for p in path:
        if sn == 0 or not isinstance(p, str) or not HEX64.fullmatch(p):
            return False  # lower-case hex only: one hash, one spelling
        sibling = bytes.fromhex(p)
        if fn & 1 or fn == sn:
            r = _node(sibling, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = _node(r, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r.hex() == root


def checkpoint_message(*, at: dt.datetime | str, count: int, root: str) -> bytes:
    """The bytes a checkpoint's Ed25519 signature covers."""
    return canonical({"scheme": "jintiao-checkpoint-1", "at": at if isinstance(at, str)
                      else moment(at), "count": count, "root": root})
