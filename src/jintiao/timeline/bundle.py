"""Checking an audit bundle (``jintiao audit export``) with no database and no Django:
``jintiao audit verify-bundle`` runs this, and docs/audit-verifier.py is the same check for
anyone to read and re-implement."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from jintiao.timeline.hashing import GENESIS, Head, body_hash, checkpoint_message, verify_inclusion

BUNDLE_FORMAT = "jintiao-audit-bundle/1"
EVENT_KEYS = {"dispute", "seq", "type", "actor", "at", "before", "after", "params", "meta",
              "prev"}
# every part has exactly these fields: nothing can ride along unchecked
SHAPES = {
    "": {"format", "made_at", "dispute", "events", "documents", "agreements", "checkpoint",
         "public_key"},
    "dispute": {"id", "number", "events_seq", "events_head"},
    "checkpoint": {"id", "at", "count", "root", "key_fingerprint", "signature", "leaf",
                   "index", "path"},
    "leaf": {"dispute", "seq", "head"},
    "documents": {"id", "kind", "title", "created_at", "docx_sha256", "pdf_sha256"},
    "agreements": {"id", "version", "digest"},
}
# the events whose hashed content names a document's files and an agreement's digest
DOCUMENT_EVENT, AGREEMENT_EVENT = "document.generated", "agreement.drafted"
RECEIVED_EVENT = "dispute.received"
SIGNATURE = re.compile(r"[0-9a-f]{128}")  # Ed25519, lower-case hex: one spelling


class Malformed(ValueError):
    """The file is not a bundle as docs/audit.md describes it."""


@dataclass
class BundleReport:
    """What a bundle proves. ``ok``: nothing in it contradicts itself or its signature —
    which a bundle made up with a key of one's own also achieves, so it proves the record
    only ``pinned`` (the signing key is the one the reader holds, ``--fingerprint``) and
    only up to the checkpoint: ``unanchored`` events after it rest on the chain alone."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pinned: bool = False
    unanchored: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def complete(self) -> bool:
        """It holds, under the key the reader named, with every event anchored."""
        return self.ok and self.pinned and not self.unanchored

    @property
    def caveats(self) -> list[str]:
        """Why a bundle that holds still proves less than the whole record."""
        said = []
        if not self.pinned:
            said.append("未用 --fingerprint 指明应有的公钥指纹：签名只证明文件自身一致，任何人"
                        "都能用自己的密钥做出一致的文件。请与月报所印或另行留存的指纹核对")
        if self.unanchored:
            said.append(f"检查点之后的 {self.unanchored} 条事件尚未被检查点锚定，只由哈希链"
                        "保护：可请平台导出时先签署新的检查点（audit export --fresh）")
        return said


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Malformed(f"{what} 应为整数")
    return value


def _str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise Malformed(f"{what} 应为字符串")
    return value


def verify_bundle(data: Any, *, expected_fingerprint: str = "") -> BundleReport:
    """Every check docs/audit.md lists; a malformed file is one problem, never a crash."""
    report = BundleReport()
    try:
        _verify(data, report, expected_fingerprint)
    except (Malformed, KeyError, TypeError, ValueError, AttributeError,
            UnsupportedAlgorithm) as exc:
        report.problems.append(f"文件结构不完整或格式错误：{exc!r}")
    return report


def _verify(data: Any, report: BundleReport, expected_fingerprint: str) -> None:
    if not isinstance(data, dict) or data.get("format") != BUNDLE_FORMAT:
        raise Malformed(f"不是 {BUNDLE_FORMAT} 格式的审计包")
    _shape(data)
    dispute = data["dispute"]
    dispute_id = _int(dispute["id"], "dispute.id")
    events = data["events"]
    if not isinstance(events, list):
        raise Malformed("events 应为列表")
    hashes = _chain(dispute_id, events, report)
    if hashes is not None:
        head = hashes[-1] if hashes else GENESIS
        if _int(dispute["events_seq"], "dispute.events_seq") != len(hashes) \
                or dispute["events_head"] != head:
            report.problems.append(f"纠纷记录的事件数与链头（{dispute['events_seq']}条）"
                                   f"与日志（{len(hashes)}条）不符")
        else:
            report.notes.append(f"纠纷 {dispute_id}：{len(hashes)} 条事件的哈希链完整，"
                                "与纠纷记录的事件数和链头一致")
    _checkpoint(dispute_id, data, hashes, report, expected_fingerprint)
    _digests(events if hashes is not None else [], data, report)


def _shape(data: dict[str, Any]) -> None:
    parts: list[tuple[str, Any]] = [("", data), ("dispute", data["dispute"]),
                                    ("checkpoint", data["checkpoint"]),
                                    ("leaf", data["checkpoint"]["leaf"])]
    parts += [("documents", d) for d in data["documents"]]
    parts += [("agreements", a) for a in data["agreements"]]
    for name, part in parts:
        if not isinstance(part, dict) or set(part) != SHAPES[name]:
            raise Malformed(f"{name or '审计包'} 的字段应为 {sorted(SHAPES[name])}")


def _chain(dispute_id: int, events: list[Any], report: BundleReport) -> list[str] | None:
    """Each event's hash recomputed, in order, linked to the one before."""
    prev, hashes = GENESIS, []
    for n, event in enumerate(events, 1):
        if not isinstance(event, dict) or set(event) != EVENT_KEYS | {"hash"}:
            report.problems.append(f"第{n}条事件的字段不全或多出字段")
            return None
        body = {k: v for k, v in event.items() if k != "hash"}
        if body["dispute"] != dispute_id or body["seq"] != n:
            report.problems.append(f"第{n}条事件的纠纷号或序号不符")
            return None
        if body["prev"] != prev:
            report.problems.append(f"第{n}条事件与上一条事件的链接不符")
            return None
        if body_hash(body) != event["hash"]:
            report.problems.append(f"第{n}条事件的哈希与其内容不符（内容被改动）")
            return None
        prev = _str(event["hash"], "hash")
        hashes.append(prev)
    return hashes


def _checkpoint(dispute_id: int, data: dict[str, Any], hashes: list[str] | None,
                report: BundleReport, expected_fingerprint: str) -> None:
    """The signature over the root, the dispute's path to the root, and its chain then."""
    cp = data["checkpoint"]
    public = serialization.load_pem_public_key(_str(data["public_key"], "public_key").encode())
    if not isinstance(public, Ed25519PublicKey):
        raise Malformed("public_key 应为 Ed25519 公钥")
    if public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat
                           .SubjectPublicKeyInfo).decode() != data["public_key"]:
        raise Malformed("public_key 不是该公钥的标准 PEM 写法")  # one key, one spelling
    found = hashlib.sha256(public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).hexdigest()
    if found != cp["key_fingerprint"]:
        report.problems.append("公钥的指纹与检查点所记不符")
        return
    if expected_fingerprint and found != expected_fingerprint.strip().lower():
        report.problems.append(f"公钥指纹 {found} 不是所要求的 {expected_fingerprint}")
        return
    report.pinned = bool(expected_fingerprint)
    count, root = _int(cp["count"], "checkpoint.count"), _str(cp["root"], "checkpoint.root")
    at, signature = _str(cp["at"], "checkpoint.at"), _str(cp["signature"], "signature")
    try:
        if not SIGNATURE.fullmatch(signature):
            raise ValueError(signature)
        public.verify(bytes.fromhex(signature), checkpoint_message(at=at, count=count,
                                                                   root=root))
    except (InvalidSignature, ValueError):
        report.problems.append("检查点的签名无效（根、时间或纠纷数被改动，或签名不是这把公钥的）")
        return
    leaf = cp["leaf"]
    head = Head(_int(leaf["dispute"], "leaf.dispute"), _int(leaf["seq"], "leaf.seq"),
                _str(leaf["head"], "leaf.head"))
    path = cp["path"]
    if head.dispute_id != dispute_id:
        report.problems.append("检查点中的叶子不是这个纠纷的")
        return
    if not isinstance(path, list) or not verify_inclusion(
            head, _int(cp["index"], "checkpoint.index"), count, path, root):
        report.problems.append("包含证明不成立：这个纠纷的链头不在检查点的默克尔根之下")
        return
    report.notes.append(f"检查点 {at}（共 {count} 个纠纷，根 {root}）的签名有效，"
                        f"公钥指纹 {found}；本纠纷的包含证明成立")
    if hashes is None:
        return
    if head.seq > len(hashes):
        report.problems.append(f"检查点时已有 {head.seq} 条事件，文件中只有 {len(hashes)} 条"
                               "（其后的事件被删除）")
    elif (hashes[head.seq - 1] if head.seq else GENESIS) != head.head:
        report.problems.append(f"第 {head.seq} 条事件与检查点所签不符：检查点之前的事件被改写"
                               "并重新计算了哈希链")
    else:
        report.unanchored = len(hashes) - head.seq
        report.notes.append(f"第 1 至 {head.seq} 条事件由检查点锚定")


def _digests(events: list[dict[str, Any]], data: dict[str, Any], report: BundleReport) -> None:
    """The dispute's number, each document's files and each agreement's content digest, as
    the hashed event that made each names them."""
    number = data["dispute"]["number"]
    if events and (events[0]["type"] != RECEIVED_EVENT
                   or events[0]["meta"].get("number") != number):
        report.problems.append(f"纠纷编号 {number} 与第1条事件所记不符")
    made = {e["params"].get("document"): e for e in events if e["type"] == DOCUMENT_EVENT}
    drafted = {e["params"].get("agreement"): e["params"] for e in events
               if e["type"] == AGREEMENT_EVENT}
    documents, agreements = data["documents"], data["agreements"]
    before = len(report.problems)
    for d in documents:
        event = made.get(_int(d["id"], "document.id"))
        if event is None:
            report.problems.append(f"文书 {d['id']}《{d['title']}》不在日志中")
        elif (d["docx_sha256"], d["pdf_sha256"], d["kind"], d["title"], d["created_at"]) != (
                event["meta"].get("docx_sha256"), event["meta"].get("pdf_sha256"),
                event["params"].get("kind"), event["params"].get("title"), event["at"]):
            report.problems.append(f"文书 {d['id']}《{d['title']}》的摘要、类别、标题或时间"
                                   "与日志所记不符")
    for a in agreements:
        params = drafted.get(_int(a["id"], "agreement.id"))
        if params is None:
            report.problems.append(f"调解协议 {a['id']} 不在日志中")
        elif (a["digest"], a["version"]) != (params.get("digest"), params.get("version")):
            report.problems.append(f"调解协议 {a['id']} 第{a['version']}版的摘要或版本"
                                   "与日志所记不符")
    if len(report.problems) == before:
        report.notes.append(f"{len(documents)} 份文书、{len(agreements)} 份调解协议的摘要"
                            "与日志所记一致")
