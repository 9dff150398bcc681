"""``jintiao audit …``: check that no one rewrote the record."""

from __future__ import annotations

import argparse
from typing import Any

from jintiao.cli.platform import _setup


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Recompute every dispute's timeline chain, re-digest every agreement and re-hash
    every document file; exit 1 and name what fails (each altered record is also put on
    its dispute's timeline, for the desk and the supervisors)."""
    _setup()
    from jintiao.agreements.integrity import scan_agreements
    from jintiao.documents.integrity import report_altered, scan_documents
    from jintiao.timeline.services import audit_verify

    checked, broken = audit_verify()
    for link in broken:
        print(f"纠纷 {link.dispute_id} 第 {link.seq} 条事件：{link.reason} "
              f"(dispute {link.dispute_id}, event {link.seq}: broken)")
    if broken:
        print(f"已核验 {checked} 条事件，{len(broken)} 个纠纷的日志链断裂 "
              f"({checked} events, {len(broken)} broken chains)")
    else:
        print(f"已核验 {checked} 条事件，所有纠纷的日志链完整 "
              f"({checked} events, all chains intact)")
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
    return 1 if broken or findings or signatures_broken else 0


def register(sub: Any) -> None:
    audit = sub.add_parser("audit", help="审计：核验案件日志的哈希链")
    audit_cmds = audit.add_subparsers(dest="audit_command", required=True,
                                      parser_class=type(audit))
    verify = audit_cmds.add_parser("verify", help="重新计算每个纠纷的日志链，指出第一处断裂")
    verify.set_defaults(handler=cmd_audit_verify)
