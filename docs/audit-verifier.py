#!/usr/bin/env python3
"""Check a JinTiao audit bundle (``jintiao audit export``) on your own — standard library
and ``cryptography`` only, no database, no JinTiao. docs/audit.md explains each step.

    python3 audit-verifier.py bundle.json [--fingerprint HEX]

Exit 0: the bundle holds under the key whose fingerprint you give, every event anchored;
3: it holds, but you gave no fingerprint (anyone can make a bundle that agrees with its own
key) or some events come after its checkpoint (the chain alone protects them);
1: it does not hold (each problem is printed).
"""

import argparse
import hashlib
import json
import re
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

GENESIS = "0" * 64
HEX64, HEX128 = re.compile(r"[0-9a-f]{64}"), re.compile(r"[0-9a-f]{128}")
EVENT_KEYS = {"dispute", "seq", "type", "actor", "at", "before", "after", "params", "meta",
              "prev"}
SHAPES = {  # every part has exactly these fields: nothing rides along unchecked
    "bundle": {"format", "made_at", "dispute", "events", "documents", "agreements",
               "checkpoint", "public_key"},
    "dispute": {"id", "number", "events_seq", "events_head"},
    "checkpoint": {"id", "at", "count", "root", "key_fingerprint", "signature", "leaf",
                   "index", "path"},
    "leaf": {"dispute", "seq", "head"},
    "document": {"id", "kind", "title", "created_at", "docx_sha256", "pdf_sha256"},
    "agreement": {"id", "version", "digest"},
}


def canonical(value):
    """Sorted keys, no spaces, UTF-8: the bytes every hash and the signature cover."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sha256(data):
    return hashlib.sha256(data).digest()


def leaf_hash(dispute, seq, head):
    return sha256(b"\x00" + f"{dispute}:{seq}:{head}".encode())


def verify_inclusion(leaf, index, count, path, root):
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < count:
        return False
    fn, sn, r = index, count - 1, leaf
    for p in path:
        if sn == 0 or not isinstance(p, str) or not HEX64.fullmatch(p):
            return False
        if fn & 1 or fn == sn:
            r = sha256(b"\x01" + bytes.fromhex(p) + r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = sha256(b"\x01" + r + bytes.fromhex(p))
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r.hex() == root


def check(bundle, fingerprint=""):
    problems = []
    if bundle["format"] != "jintiao-audit-bundle/1":
        raise ValueError("not a JinTiao audit bundle")
    dispute, events = bundle["dispute"], bundle["events"]
    parts = [("bundle", bundle), ("dispute", dispute), ("checkpoint", bundle["checkpoint"]),
             ("leaf", bundle["checkpoint"]["leaf"])]
    parts += [("document", d) for d in bundle["documents"]]
    parts += [("agreement", a) for a in bundle["agreements"]]
    for name, part in parts:
        if set(part) != SHAPES[name]:
            raise ValueError(f"the {name}'s fields are not {sorted(SHAPES[name])}")

    # 1. the chain: each event's hash over its fields, each linked to the one before
    prev = GENESIS
    for n, event in enumerate(events, 1):
        body = {k: v for k, v in event.items() if k != "hash"}
        if set(body) != EVENT_KEYS or body["dispute"] != dispute["id"] or body["seq"] != n \
                or body["prev"] != prev or sha256(canonical(body)).hex() != event["hash"]:
            problems.append(f"event {n}: altered, missing or out of place")
            break
        prev = event["hash"]
    else:
        if (dispute["events_seq"], dispute["events_head"]) != (len(events), prev):
            problems.append("the dispute's record of its chain does not match the events")

    # 2. the checkpoint: the key, its signature over the root, the dispute's path to it
    cp = bundle["checkpoint"]
    public = serialization.load_pem_public_key(bundle["public_key"].encode())
    if not isinstance(public, Ed25519PublicKey) or public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode() != bundle["public_key"]:
        raise ValueError("the public key is not an Ed25519 key in its standard PEM form")
    found = sha256(public.public_bytes(serialization.Encoding.DER,
                                       serialization.PublicFormat.SubjectPublicKeyInfo)).hex()
    if found != cp["key_fingerprint"] or (fingerprint and found != fingerprint.strip().lower()):
        problems.append(f"key fingerprint {found} is not the one expected")
    message = canonical({"scheme": "jintiao-checkpoint-1", "at": cp["at"],
                         "count": cp["count"], "root": cp["root"]})
    try:
        if not HEX128.fullmatch(cp["signature"]):
            raise InvalidSignature
        public.verify(bytes.fromhex(cp["signature"]), message)
    except InvalidSignature:
        problems.append("the checkpoint's signature is not valid")
    leaf = cp["leaf"]
    if leaf["dispute"] != dispute["id"] or not verify_inclusion(
            leaf_hash(leaf["dispute"], leaf["seq"], leaf["head"]), cp["index"], cp["count"],
            cp["path"], cp["root"]):
        problems.append("the inclusion proof does not lead to the signed root")
    hashes = [GENESIS] + [e["hash"] for e in events]
    if leaf["seq"] >= len(hashes) or hashes[leaf["seq"]] != leaf["head"]:
        problems.append(f"event {leaf['seq']} is not what the checkpoint signed: rewritten")

    # 3. what the events say the dispute, its documents and agreements are
    if events and events[0]["meta"].get("number") != dispute["number"]:
        problems.append("the dispute's number is not the one its first event recorded")
    made = {e["params"].get("document"): e for e in events if e["type"] == "document.generated"}
    for d in bundle["documents"]:
        e = made.get(d["id"])
        if e is None or (d["docx_sha256"], d["pdf_sha256"], d["kind"], d["title"],
                         d["created_at"]) != (e["meta"].get("docx_sha256"),
                                              e["meta"].get("pdf_sha256"),
                                              e["params"].get("kind"),
                                              e["params"].get("title"), e["at"]):
            problems.append(f"document {d['id']} is not as its event recorded it")
    drafted = {e["params"].get("agreement"): e["params"] for e in events
               if e["type"] == "agreement.drafted"}
    for a in bundle["agreements"]:
        p = drafted.get(a["id"])
        if p is None or (a["digest"], a["version"]) != (p.get("digest"), p.get("version")):
            problems.append(f"agreement {a['id']} is not as its event recorded it")
    return problems, found, leaf["seq"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle")
    parser.add_argument("--fingerprint", default="", help="the key fingerprint you hold")
    args = parser.parse_args()
    try:
        with open(args.bundle, "rb") as f:
            bundle = json.loads(f.read())
        problems, found, anchored = check(bundle, args.fingerprint)
        events = bundle["events"]
    except Exception as exc:  # unreadable, not JSON, a field missing or of the wrong kind
        problems, found, anchored, events = [f"malformed bundle: {exc!r}"], "", 0, []
    for p in problems:
        print(f"✗ {p}")
    if problems:
        print("审计包核验未通过 (bundle FAILED)")
        return 1
    print(f"✓ events 1–{anchored} under the checkpoint signed by key {found}")
    caveats = []
    if not args.fingerprint:
        caveats.append("no --fingerprint given: the signature only shows the file agrees with "
                       "itself; compare the key with the one in your report")
    if anchored < len(events):
        caveats.append(f"events {anchored + 1}–{len(events)} come after the checkpoint: only "
                       "the chain protects them")
    for caveat in caveats:
        print(f"! {caveat}")
    if caveats:
        print("审计包自身一致，但未能完全证明 (bundle consistent, not fully proven)")
        return 3
    print("审计包核验通过 (bundle verified)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
