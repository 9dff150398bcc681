"""``jintiao audit …``: check that no one rewrote the record, sign checkpoints of it, and
export one dispute's record for anyone to check without the database (docs/audit.md)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from jintiao.cli.platform import _setup


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Recompute every dispute's timeline chain and hold it against the dispute's record of
    it and the latest signed checkpoint; re-digest every agreement and re-hash every
    document file; exit 1 and name what fails (each altered record is also put on its
    dispute's timeline, for the desk and the supervisors)."""
    _setup()
    from jintiao.agreements.integrity import scan_agreements
    from jintiao.documents.integrity import report_altered, scan_documents
    from jintiao.timeline.checkpoints import audit_chains, describe

    audit = audit_chains()
    for problem in audit.problems:
        print(f"检查点：{problem} (checkpoint: failed)")
    for note in audit.noted:
        print(f"检查点：{note} (checkpoint: signed despite problems)")
    if audit.checkpoint is None:
        print("尚无检查点：日志链只与各纠纷的记录核对 (no checkpoint yet)")
    elif not audit.problems:
        print(f"已按{describe(audit.checkpoint)}核对（{audit.checkpoint.count} 个纠纷，签名有效）"
              f" (checked against checkpoint #{audit.checkpoint.pk}, signature valid)")
    for link in audit.broken:
        where = f"第 {link.seq} 条事件" if link.seq else "整个日志"
        print(f"纠纷 {link.dispute_id} {where}：{link.reason} "
              f"(dispute {link.dispute_id}, event {link.seq}: broken)")
    if audit.broken:
        print(f"已核验 {audit.checked} 条事件，{len(audit.broken)} 个纠纷的日志链断裂 "
              f"({audit.checked} events, {len(audit.broken)} broken chains)")
    else:
        print(f"已核验 {audit.checked} 条事件，所有纠纷的日志链完整 "
              f"({audit.checked} events, all chains intact)")
    findings = [*scan_agreements(), *scan_documents()]
    for f in findings:
        print(f"纠纷 {f.dispute_id} {f.named}（{f.what} {f.record}）：{f.problem} "
              f"(dispute {f.dispute_id}, {f.what} {f.record}: altered or missing)")
        report_altered(f.dispute_id, actor=None, what=f.what, title=f.title, record=f.record,
                       fmt=f.fmt, problem=f.problem)
    if findings:
        print(f"{len(findings)} 份协议或文书与存档摘要不符或文件缺失 "
              f"({len(findings)} records altered or missing)")
    else:
        print("所有协议内容与签署摘要一致，所有文书文件与存档摘要一致 "
              "(all agreements and document files match their digests)")
    from jintiao.documents.signature_audit import signature_report

    lines, signatures_broken = signature_report()
    print("\n".join(lines))
    return 1 if audit.broken or audit.problems or findings or signatures_broken else 0


def _print_checkpoint(c: Any) -> None:
    from jintiao import clock

    print(f"第 {c.pk} 号  {c.created_at.astimezone(clock.TZ):%Y-%m-%d %H:%M:%S}  "
          f"{c.count} 个纠纷\n  默克尔根 {c.root}\n  公钥指纹 {c.key_fingerprint}")


def cmd_audit_checkpoint(args: argparse.Namespace) -> int:
    """Sign a checkpoint now over every dispute's chain head."""
    _setup()
    from jintiao.timeline.checkpoints import checkpoint_create, key_init

    if args.init_key:
        key_init()
    made = checkpoint_create(despite=args.despite)
    if made.despite:
        print("已在日志不连续的情况下签署检查点，原因和发现的问题已随检查点保存 "
              "(checkpoint signed despite problems)")
        for line in made.despite.splitlines()[1:]:
            print(f"  {line}")
    else:
        print("已签署检查点 (checkpoint signed)")
    _print_checkpoint(made)
    return 0


def cmd_audit_checkpoints(args: argparse.Namespace) -> int:
    """List the latest checkpoints, newest first."""
    _setup()
    from jintiao.timeline.checkpoints import checkpoints_latest, key_fingerprint

    shown = list(checkpoints_latest()[:args.limit])
    if not shown:
        print("尚无检查点 (no checkpoints)")
    for c in shown:
        _print_checkpoint(c)
    print(f"本机签名公钥指纹 {key_fingerprint() or '（尚无密钥）'} (this server's key)")
    return 0


def cmd_audit_export(args: argparse.Namespace) -> int:
    """Write one dispute's self-contained audit bundle (docs/audit.md)."""
    _setup()
    from jintiao.agreements.models import Agreement
    from jintiao.disputes.models import Dispute
    from jintiao.documents.models import Document
    from jintiao.timeline.checkpoints import DisputeNotFound, bundle_build
    from jintiao.timeline.hashing import moment

    given = args.dispute
    found = (Dispute.objects.filter(pk=int(given)) if given.isascii() and given.isdigit()
             and len(given) < 12 else Dispute.objects.filter(number=given)).first()
    if found is None:
        raise DisputeNotFound(f"纠纷 {given} 不存在", f"no dispute {given}", dispute=given)
    documents = [{"id": d.pk, "kind": d.kind, "title": d.title,
                  "created_at": moment(d.created_at), "docx_sha256": d.docx_sha256,
                  "pdf_sha256": d.pdf_sha256}
                 for d in Document.objects.filter(dispute=found).order_by("pk")]
    agreements = [{"id": a.pk, "version": a.version, "digest": a.digest}
                  for a in Agreement.objects.filter(dispute=found).order_by("pk")]
    bundle = bundle_build(found.pk, documents=documents, agreements=agreements,
                          fresh=args.fresh)
    Path(args.file).write_text(json.dumps(bundle, ensure_ascii=False, indent=1) + "\n",
                               encoding="utf-8")
    cp = bundle["checkpoint"]
    print(f"已导出纠纷 {found.number} 的审计包：{len(bundle['events'])} 条事件、"
          f"{len(documents)} 份文书、{len(agreements)} 份调解协议，第 {cp['id']} 号检查点"
          f"（锚定前 {cp['leaf']['seq']} 条事件）→ {args.file} (bundle written)")
    return 0


def cmd_audit_verify_bundle(args: argparse.Namespace) -> int:
    """Check a bundle with no database (Django is never set up): exit 0 if it holds under
    the key named with ``--fingerprint`` with every event anchored; 3 if it holds but
    without a key named, or with events after its checkpoint; 1 if not; 2 if the file
    cannot be read."""
    from jintiao.timeline.bundle import verify_bundle

    try:
        data = json.loads(Path(args.file).read_bytes())
    except OSError as exc:
        print(f"错误：无法读取 {args.file}：{exc.strerror} (error: cannot read the file)",
              file=sys.stderr)
        return 2
    except ValueError:
        print(f"审计包核验未通过：{args.file} 不是有效的 JSON (bundle failed: not valid JSON)")
        return 1
    report = verify_bundle(data, expected_fingerprint=args.fingerprint)
    for note in report.notes:
        print(f"✓ {note}")
    for problem in report.problems:
        print(f"✗ {problem}")
    if not report.ok:
        print(f"审计包核验未通过：{len(report.problems)} 处问题 (bundle failed)")
        return 1
    if report.complete:
        print("审计包核验通过：全部事件由所要求的公钥签署的检查点锚定 (bundle verified)")
        return 0
    for caveat in report.caveats:
        print(f"! {caveat}")
    print("审计包自身一致，但未能完全证明：见上面的提示 (bundle consistent, not fully proven)")
    return 3


def _positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= 10000:
        raise argparse.ArgumentTypeError(f"应为 1 至 10000 的整数：{text}")
    return int(text)


def register(sub: Any) -> None:
    audit = sub.add_parser("audit", help="审计：核验案件日志的哈希链、签署检查点、导出审计包")
    audit_cmds = audit.add_subparsers(dest="audit_command", required=True,
                                      parser_class=type(audit))
    verify = audit_cmds.add_parser(
        "verify", help="重新计算每个纠纷的日志链，与纠纷记录和最新检查点核对，指出第一处断裂")
    verify.set_defaults(handler=cmd_audit_verify)
    checkpoint = audit_cmds.add_parser("checkpoint", help="立即签署一个检查点")
    checkpoint.add_argument("--init-key", action="store_true",
                            help="本机尚无检查点签名密钥时先生成（JINTIAO_PKI_AUTO_INIT=0 时需要）")
    checkpoint.add_argument("--despite", default="", metavar="原因",
                            help="日志不是上一个检查点的延续时仍然签署（例如刚从更早的备份恢复），"
                                 "原因随检查点保存，audit verify 会列出")
    checkpoint.set_defaults(handler=cmd_audit_checkpoint)
    listing = audit_cmds.add_parser("checkpoints", help="列出最近的检查点")
    listing.add_argument("--limit", type=_positive, default=20, help="列出几个（默认 20）")
    listing.set_defaults(handler=cmd_audit_checkpoints)
    export = audit_cmds.add_parser("export", help="导出一个纠纷的审计包（无需数据库即可核验）")
    export.add_argument("dispute", help="纠纷的 ID 或编号")
    export.add_argument("file", help="写入的文件（JSON）")
    export.add_argument("--fresh", action="store_true",
                        help="先签署新的检查点，使全部事件都被锚定")
    export.set_defaults(handler=cmd_audit_export)
    check = audit_cmds.add_parser("verify-bundle", help="不连数据库核验一个审计包")
    check.add_argument("file", help="审计包文件（JSON）")
    check.add_argument("--fingerprint", default="",
                       help="要求的签名公钥指纹（如月报所印），不符即不通过；"
                            "不指明时只能证明文件自身一致（退出码 3）")
    check.set_defaults(handler=cmd_audit_verify_bundle)
