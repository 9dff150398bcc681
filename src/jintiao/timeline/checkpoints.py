"""Signed checkpoints: a Merkle root over every dispute's chain head, signed with a key
that is a file, never a row — so someone who can write the database can rewrite a chain
and re-compute its hashes, but cannot make an earlier checkpoint agree with it.

::

    PKI_DIR/checkpoint/                  0700
      ed25519.pem                        the signing key (PKCS#8, 0600), made on first use
                                         unless PKI_AUTO_INIT is off
      public/<fingerprint>.pem           each public key that ever signed, to verify old ones
    PKI_DIR/checkpoints.log              one JSON line per checkpoint: the server's own copy,
                                         so deleting the latest checkpoints is caught too
                                         (beside the folder: it changes, the keys do not)

The tree, the leaf and the signed message are in :mod:`jintiao.timeline.hashing` and in
docs/audit.md. A checkpoint is made daily (the job queue's "checkpoints") and on demand
(``jintiao audit checkpoint``); the monthly report prints the latest ones so that others
hold copies of the roots and the key's fingerprint.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from jintiao import clock
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.timeline.bundle import BUNDLE_FORMAT
from jintiao.timeline.hashing import (
    GENESIS,
    HEX64,
    Head,
    checkpoint_message,
    event_body,
    event_hash,
    inclusion_proof,
    merkle_root,
    moment,
)
from jintiao.timeline.models import Checkpoint, Event
from jintiao.timeline.services import Anchor, BrokenLink, audit_verify, dispute_model

logger = logging.getLogger(__name__)

KEY_FILE = "ed25519.pem"
# disputes whose new events are read in one query: one OR of three terms each, well within
# SQLite's expression depth (1,000)
CHUNK = 200
LOG_FILE = "checkpoints.log"


class CheckpointKeyMissing(DomainError):
    """No checkpoint key on this server and ``PKI_AUTO_INIT`` is off."""

    code = ErrorCode.NOT_FOUND


class DisputeNotFound(DomainError):
    code = ErrorCode.DISPUTE_NOT_FOUND


class CheckpointRefused(DomainError):
    """The chains now do not extend what the previous checkpoint signed (or it, or the
    log, fails its own check): signing them would make a rewrite look anchored."""

    code = ErrorCode.RECORD_ALTERED


# -- the key, outside the database ------------------------------------------------------------


def _folder() -> Path:
    return Path(settings.PKI_DIR) / "checkpoint"


def key_dir() -> Path:
    """PKI_DIR/checkpoint, made if need be: it and the folders in it 0700."""
    folder = _folder()
    for path in (folder.parent, folder, folder / "public"):
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path, 0o700)
    return folder


def _write(path: Path, data: bytes) -> None:
    """A 0600 file written whole; ``FileExistsError`` if it exists (two processes making the
    key at once keep one)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # mkstemp: 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.link(tmp, path)  # atomic create-if-absent
    finally:
        os.unlink(tmp)


def log_file() -> Path:
    return _folder().parent / LOG_FILE


def fingerprint(public: Ed25519PublicKey) -> str:
    """SHA-256 of the key's SubjectPublicKeyInfo (DER), hex: what the report prints."""
    return hashlib.sha256(public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).hexdigest()


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _load(path: Path) -> Ed25519PrivateKey | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointKeyMissing(f"{path} 不是 Ed25519 私钥", f"{path} is not an Ed25519 key")
    return key


def key_init() -> Ed25519PrivateKey:
    """Make the checkpoint key if there is none (two processes at once keep one)."""
    path = key_dir() / KEY_FILE
    found = _load(path)
    if found is not None:
        return found
    key = Ed25519PrivateKey.generate()
    try:
        _write(path, key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    except FileExistsError:
        made = _load(path)
        assert made is not None  # noqa: S101 - it exists: that is why the link failed
        return made
    _keep_public(key.public_key())
    logger.warning("checkpoints: made the signing key %s in %s",
                   fingerprint(key.public_key()), path.parent)
    return key


def _keep_public(public: Ed25519PublicKey) -> None:
    path = key_dir() / "public" / f"{fingerprint(public)}.pem"
    if not path.exists():
        try:
            _write(path, public_pem(public).encode())
        except FileExistsError:
            pass


def signing_key() -> Ed25519PrivateKey:
    """The key checkpoints are signed with, made first with ``PKI_AUTO_INIT``.

    :raises CheckpointKeyMissing: none, and not to be made here
    """
    found = _load(key_dir() / KEY_FILE)
    if found is not None:
        _keep_public(found.public_key())
        return found
    if not settings.PKI_AUTO_INIT:
        raise CheckpointKeyMissing(
            "本机尚无检查点签名密钥，且未开启自动生成：请平台管理员运行 "
            "jintiao audit checkpoint --init-key",
            "no checkpoint signing key: run `jintiao audit checkpoint --init-key`")
    return key_init()


def key_fingerprint() -> str | None:
    """The current key's fingerprint, or None when there is none (nothing is made)."""
    found = _load(_folder() / KEY_FILE)
    return fingerprint(found.public_key()) if found else None


def public_key(fingerprint_hex: str) -> Ed25519PublicKey | None:
    """The public key with that fingerprint, from this server's key folder (never from the
    database, which is what a checkpoint must stand against)."""
    if not HEX64.fullmatch(fingerprint_hex):
        return None
    folder = _folder()
    current = _load(folder / KEY_FILE)
    if current is not None and fingerprint(current.public_key()) == fingerprint_hex:
        return current.public_key()
    try:
        found = serialization.load_pem_public_key((folder / "public" /
                                                   f"{fingerprint_hex}.pem").read_bytes())
    except (FileNotFoundError, ValueError):
        return None
    if isinstance(found, Ed25519PublicKey) and fingerprint(found) == fingerprint_hex:
        return found
    return None


# -- making and reading checkpoints -----------------------------------------------------------


def heads_now() -> list[Head]:
    """Every dispute's (id, events_seq, events_head) in one read, by id: each pair was
    written in the same transaction as its event, so each is a committed chain's end."""
    rows = (dispute_model()._default_manager.order_by("pk")
            .values_list("pk", "events_seq", "events_head").iterator(chunk_size=10000))
    return [Head(pk, seq, head) for pk, seq, head in rows]


def _pack(leaves: list[Head]) -> bytes:
    return zlib.compress(json.dumps([[x.dispute_id, x.seq, x.head] for x in leaves],
                                    separators=(",", ":")).encode(), 6)


def checkpoint_leaves(checkpoint: Checkpoint) -> list[Head]:
    """The heads a checkpoint signed, by dispute id.

    :raises ValueError: the stored list cannot be read (it was altered)
    """
    try:
        rows = json.loads(zlib.decompress(bytes(checkpoint.leaves)))
        return [Head(int(pk), int(seq), str(head)) for pk, seq, head in rows]
    except (zlib.error, TypeError) as exc:
        raise ValueError("unreadable leaves") from exc


def checkpoint_create(*, actor: Any = None, despite: str = "") -> Checkpoint:
    """Sign a Merkle root over every dispute's chain head now and keep it: in the database
    with the heads (for inclusion proofs), and as a line of the key folder's log.

    Nothing is signed unless every chain now extends what the previous checkpoint signed
    (:func:`extension_problems`): a checkpoint made after someone rewrote history and
    re-computed the hashes would otherwise anchor the rewrite, and ``audit verify``, which
    holds the chains against the latest checkpoint, would find nothing. ``despite`` — the
    reason an operator who has looked gives, e.g. after restoring an older backup — signs
    anyway and keeps the reason and the problems with the checkpoint.

    :raises CheckpointKeyMissing: no key, and ``PKI_AUTO_INIT`` is off
    :raises CheckpointRefused: the chains do not extend the previous checkpoint
    """
    key = signing_key()
    despite = despite.strip()
    with transaction.atomic():
        at = clock.now()
        leaves = heads_now()
        problems = extension_problems(checkpoint_latest(), leaves)
        if problems and not despite:
            shown = "；".join(problems[:5]) + (f"；另有{len(problems) - 5}处" if len(problems) > 5
                                               else "")
            raise CheckpointRefused(
                f"未签署检查点：现在的案件日志不是上一个检查点所签内容的延续（{shown}）。"
                "请先运行 jintiao audit verify 查明原因；确认无误（例如刚从更早的备份恢复）"
                "后，可用 jintiao audit checkpoint --despite 原因 签署并留下原因",
                f"checkpoint refused: {len(problems)} problem(s) against the previous one",
                problems=len(problems))
        root = merkle_root(leaves)
        signature = key.sign(checkpoint_message(at=at, count=len(leaves), root=root))
        made = Checkpoint.objects.create(
            created_at=at, created_by=actor, count=len(leaves), root=root,
            key_fingerprint=fingerprint(key.public_key()), signature=signature.hex(),
            leaves=_pack(leaves),
            despite=(f"{despite}\n" + "\n".join(problems)) if problems else "")
        transaction.on_commit(lambda: _log(made))
    if problems:
        logger.warning("checkpoints: #%s signed despite %s problem(s)", made.pk, len(problems))
    logger.info("checkpoints: #%s over %s disputes, root %s", made.pk, made.count, root)
    return made


def extension_problems(previous: Checkpoint | None, now: list[Head]) -> list[str]:
    """Why the heads ``now`` are not what ``previous`` signed plus later events: it fails
    its own check or the log's; a dispute in it is gone, has fewer events, or another head
    at the same count; or a chain does not run from its signed head (from the start, for
    disputes it did not cover) to the head now, each event re-hashed. Only the events after
    the previous checkpoint are read, so a daily checkpoint costs the day's events."""
    problems = log_check()
    current = {x.dispute_id: x for x in now}
    starts = {x.dispute_id: Head(x.dispute_id, 0, GENESIS) for x in now if x.seq}
    if previous is not None:
        found, before = checkpoint_check(previous)
        if found:
            return problems + found
        name = describe(previous)
        for leaf in before:
            head = current.get(leaf.dispute_id)
            starts.pop(leaf.dispute_id, None)
            if head is None:
                problems.append(f"纠纷#{leaf.dispute_id}在{name}中，现已不存在")
            elif head.seq < leaf.seq:
                problems.append(f"纠纷#{leaf.dispute_id}在{name}时有{leaf.seq}条事件，"
                                f"现在只有{head.seq}条")
            elif head.seq == leaf.seq and head.head != leaf.head:
                problems.append(f"纠纷#{leaf.dispute_id}的第{leaf.seq}条事件与{name}签署的链头不符")
            elif head.seq > leaf.seq:
                starts[leaf.dispute_id] = leaf
    return problems + _links_broken(starts, current)


def _links_broken(starts: dict[int, Head], current: dict[int, Head]) -> list[str]:
    """Each dispute's chain from ``starts`` (its signed head, or the start) to ``current``,
    read in chunks of disputes: the event at the signed count must still hash to the signed
    head, and every later one link to it and hash to what it says."""
    problems: list[str] = []
    ids = sorted(starts)
    for at in range(0, len(ids), CHUNK):
        chunk = ids[at:at + CHUNK]
        wanted = Q()
        for pk in chunk:
            wanted |= Q(dispute_id=pk, seq__gte=max(starts[pk].seq, 1),
                        seq__lte=current[pk].seq)
        chains: dict[int, list[Event]] = {pk: [] for pk in chunk}
        for e in Event.objects.filter(wanted).order_by("dispute_id", "seq"):
            chains[e.dispute_id].append(e)
        for pk in chunk:
            reason = _link_fault(starts[pk], current[pk], chains[pk])
            if reason:
                problems.append(f"纠纷#{pk}{reason}")
    return problems


def _link_fault(start: Head, end: Head, chain: list[Event]) -> str:
    if start.seq:
        if not chain or chain[0].seq != start.seq or _rehash(chain[0]) != start.head \
                or chain[0].hash != start.head:
            return f"的第{start.seq}条事件与上一个检查点签署的链头不符（被改写后重新计算）"
        chain = chain[1:]
    prev, seq = start.head, start.seq
    for e in chain:
        if e.seq != seq + 1:
            return f"缺少第{seq + 1}条事件"
        if e.prev_hash != prev:
            return f"的第{e.seq}条事件与上一条事件的链接不符"
        if _rehash(e) != e.hash:
            return f"的第{e.seq}条事件内容被改动"
        prev, seq = e.hash, e.seq
    if seq != end.seq or prev != end.head:
        return f"的日志到第{seq}条，与纠纷记录的链头（第{end.seq}条）不符"
    return ""


def _rehash(e: Event) -> str:
    return event_hash(dispute_id=e.dispute_id, seq=e.seq, type=e.type, actor_id=e.actor_id,
                      at=e.at, state_before=e.state_before, state_after=e.state_after,
                      params=e.params, meta=e.meta, prev_hash=e.prev_hash)


def _log_line(checkpoint: Checkpoint) -> dict[str, Any]:
    return {"id": checkpoint.pk, "at": moment(checkpoint.created_at), "count": checkpoint.count,
            "root": checkpoint.root, "key_fingerprint": checkpoint.key_fingerprint,
            "signature": checkpoint.signature}


def _log(checkpoint: Checkpoint) -> None:
    """Append the checkpoint to the key folder's log (after its transaction committed)."""
    key_dir()
    path = log_file()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        out.write(json.dumps(_log_line(checkpoint), ensure_ascii=False) + "\n")


def checkpoints_latest() -> QuerySet[Checkpoint]:
    """Checkpoints, newest first, without their heads (which can be megabytes)."""
    return (Checkpoint.objects.defer("leaves").select_related("created_by")
            .order_by("-created_at", "-pk"))


def checkpoints_until(at: dt.datetime, count: int = 3) -> list[Checkpoint]:
    """The ``count`` newest checkpoints made before ``at``: what a report of a period that
    ends then prints, for its readers to hold."""
    return list(checkpoints_latest().filter(created_at__lt=at)[:count])


def checkpoint_latest() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-created_at", "-pk").first()


def describe(checkpoint: Checkpoint) -> str:
    """How reasons name a checkpoint: its local time and number."""
    return f"{checkpoint.created_at.astimezone(clock.TZ):%Y-%m-%d %H:%M}的第{checkpoint.pk}号检查点"


# -- checking -------------------------------------------------------------------------------


def checkpoint_check(checkpoint: Checkpoint) -> tuple[list[str], list[Head]]:
    """What is wrong with a checkpoint itself (its signature, its heads), and its heads."""
    problems: list[str] = []
    name = describe(checkpoint)
    public = public_key(checkpoint.key_fingerprint)
    if public is None:
        problems.append(f"{name}：签署它的公钥（指纹 {checkpoint.key_fingerprint[:16]}…）"
                        "不在本机的检查点密钥目录中，无法核验签名")
    else:
        try:
            public.verify(bytes.fromhex(checkpoint.signature), checkpoint_message(
                at=checkpoint.created_at, count=checkpoint.count, root=checkpoint.root))
        except (InvalidSignature, ValueError):
            problems.append(f"{name}：签名无效（检查点的根、时间或纠纷数被改动）")
    leaves: list[Head] = []
    try:
        leaves = checkpoint_leaves(checkpoint)
    except ValueError:
        problems.append(f"{name}：存放的各纠纷链头无法读取（被改动）")
    else:
        if len(leaves) != checkpoint.count or merkle_root(leaves) != checkpoint.root:
            problems.append(f"{name}：存放的各纠纷链头与签名的默克尔根不符（被改动）")
    return problems, leaves


def log_check() -> list[str]:
    """The key folder's last logged checkpoint must still be in the database, unchanged:
    deleting the newest checkpoints (to re-chain what they covered) is caught here."""
    path = log_file()
    try:
        lines = [x for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    except FileNotFoundError:
        return []
    if not lines:
        return []
    try:
        last = json.loads(lines[-1])
        pk = int(last["id"])
    except (ValueError, KeyError, TypeError):
        return [f"检查点日志 {path} 的最后一行无法读取"]
    found = Checkpoint.objects.defer("leaves").filter(pk=pk).first()
    if found is None:
        return [f"本机检查点日志中的第{pk}号检查点（{last.get('at', '')}）在数据库中不存在："
                "检查点被删除，或数据库恢复自更早的备份"]
    if _log_line(found) != last:
        return [f"第{pk}号检查点与本机检查点日志中的记录不符（被改动）"]
    return []


@dataclass(frozen=True)
class Audit:
    """``jintiao audit verify``'s answer on the timelines."""

    checked: int
    broken: list[BrokenLink]
    checkpoint: Checkpoint | None
    problems: list[str]  # the checkpoints' own: signature, heads, the log, their sequence
    noted: list[str]  # checkpoints signed despite problems, with the operator's reason


def audit_chains() -> Audit:
    """Every chain against its dispute's record of it and against the latest checkpoint,
    whose signature and heads are checked first (a checkpoint that fails anchors nothing),
    and every checkpoint against the one before it."""
    problems = log_check()
    checkpoint = checkpoint_latest()
    anchor = None
    if checkpoint is not None:
        found, leaves = checkpoint_check(checkpoint)
        problems += found
        if not found:
            anchor = Anchor({x.dispute_id: (x.seq, x.head) for x in leaves},
                            describe(checkpoint))
    sequence, noted = sequence_problems()
    checked, broken = audit_verify(anchor=anchor)
    return Audit(checked, broken, checkpoint, problems + sequence, noted)


def sequence_problems() -> tuple[list[str], list[str]]:
    """Each checkpoint against the one before: no dispute it covered is gone, none has
    fewer events, none another head at the same count. Such a step means the record was
    rewritten between the two (or a checkpoint was forged with the key): a problem, unless
    the later one was signed ``despite`` it, which is noted with the operator's reason.
    Two checkpoints' heads are in memory at a time."""
    problems: list[str] = []
    noted: list[str] = []
    previous: tuple[Checkpoint, dict[int, Head]] | None = None
    for pk in Checkpoint.objects.order_by("created_at", "pk").values_list("pk", flat=True):
        checkpoint = Checkpoint.objects.get(pk=pk)
        try:
            heads = {x.dispute_id: x for x in checkpoint_leaves(checkpoint)}
        except ValueError:
            problems.append(f"{describe(checkpoint)}：存放的各纠纷链头无法读取（被改动）")
            previous = None
            continue
        if previous is not None:
            steps = _steps_back(previous[1], heads)
            name = f"{describe(previous[0])}到{describe(checkpoint)}"
            if steps and checkpoint.despite:
                reason = checkpoint.despite.splitlines()[0]
                noted.append(f"{name}：{len(steps)}个纠纷的日志不连续，签署时已说明：{reason}")
            elif steps:
                problems += [f"{name}：{step}" for step in steps[:20]]
                if len(steps) > 20:
                    problems.append(f"{name}：另有{len(steps) - 20}个纠纷的日志不连续")
        previous = (checkpoint, heads)
    return problems, noted


def _steps_back(before: dict[int, Head], after: dict[int, Head]) -> list[str]:
    """Where ``after`` does not extend ``before``, by their heads alone."""
    steps = []
    for pk, leaf in before.items():
        later = after.get(pk)
        if later is None:
            steps.append(f"纠纷#{pk}不见了")
        elif later.seq < leaf.seq:
            steps.append(f"纠纷#{pk}的事件从{leaf.seq}条变为{later.seq}条")
        elif later.seq == leaf.seq and later.head != leaf.head:
            steps.append(f"纠纷#{pk}的第{leaf.seq}条事件的链头变了")
    return steps


# -- the bundle -------------------------------------------------------------------------------


def inclusion(checkpoint: Checkpoint, dispute_id: int) -> dict[str, Any] | None:
    """The dispute's leaf in ``checkpoint`` and the path from it to the root, or None."""
    leaves = checkpoint_leaves(checkpoint)
    index = bisect.bisect_left(leaves, dispute_id, key=lambda x: x.dispute_id)
    if index == len(leaves) or leaves[index].dispute_id != dispute_id:
        return None
    leaf = leaves[index]
    return {"leaf": {"dispute": leaf.dispute_id, "seq": leaf.seq, "head": leaf.head},
            "index": index, "path": inclusion_proof(leaves, index)}


def bundle_build(dispute_id: int, *, documents: list[dict[str, Any]],
                 agreements: list[dict[str, Any]], fresh: bool = False,
                 actor: Any = None) -> dict[str, Any]:
    """A self-contained record of one dispute for anyone to check without the database:
    every field each event hash covers, the digests given, the checkpoint covering the
    dispute (a new one when none does yet, or with ``fresh``) with the dispute's inclusion
    proof, and the public key. docs/audit.md describes every field.

    :raises DisputeNotFound: no such dispute
    """
    row = (dispute_model()._default_manager.filter(pk=dispute_id)
           .values("pk", "number", "events_seq", "events_head").first())
    if row is None:
        raise DisputeNotFound(f"纠纷 {dispute_id} 不存在", f"no dispute {dispute_id}",
                              dispute=dispute_id)
    checkpoint = None if fresh else checkpoint_latest()
    proof = inclusion(checkpoint, dispute_id) if checkpoint else None
    if proof is None:
        checkpoint = checkpoint_create(actor=actor)
        proof = inclusion(checkpoint, dispute_id)
    assert checkpoint is not None  # noqa: S101 - just made
    assert proof is not None  # noqa: S101 - it covers every dispute
    public = public_key(checkpoint.key_fingerprint)
    chain = [{**event_body(dispute_id=e.dispute_id, seq=e.seq, type=e.type,
                           actor_id=e.actor_id, at=e.at, state_before=e.state_before,
                           state_after=e.state_after, params=e.params, meta=e.meta,
                           prev_hash=e.prev_hash), "hash": e.hash}
             for e in Event.objects.filter(dispute_id=dispute_id).order_by("seq")]
    return {
        "format": BUNDLE_FORMAT,
        "made_at": moment(clock.now()),
        "dispute": {"id": row["pk"], "number": row["number"], "events_seq": row["events_seq"],
                    "events_head": row["events_head"]},
        "events": chain,
        "documents": documents,
        "agreements": agreements,
        "checkpoint": {"id": checkpoint.pk, "at": moment(checkpoint.created_at),
                       "count": checkpoint.count, "root": checkpoint.root,
                       "key_fingerprint": checkpoint.key_fingerprint,
                       "signature": checkpoint.signature, **proof},
        "public_key": public_pem(public) if public else "",
    }


__all__ = ["BUNDLE_FORMAT", "GENESIS", "Audit", "CheckpointKeyMissing", "CheckpointRefused",
           "DisputeNotFound", "audit_chains", "bundle_build", "checkpoint_check",
           "checkpoint_create", "checkpoint_latest", "checkpoint_leaves", "checkpoints_latest",
           "checkpoints_until", "describe", "extension_problems", "fingerprint",
           "heads_now", "inclusion", "key_fingerprint", "key_init",
           "log_check", "log_file", "public_key", "public_pem", "sequence_problems", "signing_key"]
