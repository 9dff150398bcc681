"""``jintiao pki …``: the deployment's certificate authority and the organisations' keys.

``init`` makes the root, ``issue`` gives an organisation a certificate from it, ``import``
keeps one from a licensed CA instead, ``status`` lists who has what, ``verify`` checks a
signed PDF. Keys stay in files under ``PKI_DIR``; nothing here prints one.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jintiao.cli.platform import _setup

if TYPE_CHECKING:
    from jintiao.orgs.models import Organization


def _org(org_id: int) -> Organization | None:
    from jintiao.orgs.models import Organization

    found = Organization.objects.filter(pk=org_id).first()
    if found is None:
        print(f"错误：单位不存在：{org_id} (error: no organisation {org_id})", file=sys.stderr)
    return found


def _day(moment: Any) -> str:
    return f"{moment:%Y-%m-%d}"


def cmd_init(args: argparse.Namespace) -> int:
    """Make the deployment's root certificate; refuse to replace one without --force."""
    _setup()
    from jintiao.pki.store import ca_init, root_file

    made = ca_init(args.name, force=args.force)
    print(f"已建立根证书：{made.subject}，序列号 {made.serial}，有效期至 "
          f"{_day(made.cert.not_valid_after_utc)} (root certificate made)")
    print(f"根证书（供验证者信任，不含私钥）：{root_file()}")
    print(f"私钥保存在 {made.path}（权限0600），请与数据库分开备份并妥善保管")
    return 0


def cmd_issue(args: argparse.Namespace) -> int:
    """Give an organisation a new key and certificate from the deployment's root."""
    _setup()
    from jintiao.pki.store import org_issue

    org = _org(args.org)
    if org is None:
        return 2
    made = org_issue(org)
    print(f"已为{org.name}签发证书：序列号 {made.serial}，签发者 {made.issuer}，有效期至 "
          f"{_day(made.cert.not_valid_after_utc)} (certificate issued)")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Keep an organisation's PKCS#12 from a licensed CA; it signs from now on."""
    _setup()
    from jintiao.pki.store import org_import

    org = _org(args.org)
    if org is None:
        return 2
    try:
        data = Path(args.p12).read_bytes()
    except OSError as exc:
        print(f"错误：无法读取文件 {args.p12}：{exc.strerror} (error: cannot read {args.p12})",
              file=sys.stderr)
        return 2
    if args.passphrase_env:
        if args.passphrase_env not in os.environ:
            print(f"错误：环境变量 {args.passphrase_env} 未设置 (error: "
                  f"{args.passphrase_env} is not set)", file=sys.stderr)
            return 2
        passphrase = os.environ[args.passphrase_env]
    else:
        passphrase = getpass.getpass("PKCS#12 文件口令（无口令直接回车）：")
    made = org_import(org, data, passphrase.encode() if passphrase else None)
    print(f"已为{org.name}导入证书：{made.subject}，签发者 {made.issuer}，序列号 "
          f"{made.serial}，有效期至 {_day(made.cert.not_valid_after_utc)}；此后以此证书签署 "
          "(certificate imported)")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """The root and every organisation's certificate: who issued it, until when."""
    _setup()
    from jintiao.orgs.models import Organization, OrgKind
    from jintiao.pki.store import ca_load, org_credentials, pki_dir, root_file

    print(f"证书目录：{pki_dir()}")
    ca = ca_load()
    if ca is None:
        print("尚未建立根证书：运行 jintiao pki init (no root certificate yet)")
    else:
        print(f"根证书：{ca.subject}，序列号 {ca.serial}，有效期至 "
              f"{_day(ca.cert.not_valid_after_utc)}；供验证者信任的文件：{root_file()}")
    names = dict(Organization.objects.values_list("pk", "name"))
    held: set[int] = set()
    for org_id, found in org_credentials():
        source = "导入" if found.source == "imported" else "本平台签发"
        in_use = "（签署用）" if org_id not in held else "（备用）"
        held.add(org_id)
        print(f"{names.get(org_id, f'单位 {org_id}（已不存在）')}：{source}{in_use}，"
              f"签发者 {found.issuer}，序列号 {found.serial}，有效期至 "
              f"{_day(found.cert.not_valid_after_utc)}")
    waiting = (Organization.objects.filter(kind__in=[OrgKind.COMMITTEE, OrgKind.COURT])
               .exclude(pk__in=held).order_by("pk"))
    for org in waiting:
        print(f"{org.name}：尚无证书，首次签署文书时自动签发 (no certificate yet)")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Check a signed PDF's signatures; exit 1 unless each is intact, valid and trusted."""
    _setup()
    from cryptography import x509

    from jintiao.pki.verify import pdf_signatures

    try:
        data = Path(args.file).read_bytes()
        roots = (x509.load_pem_x509_certificates(Path(args.trust).read_bytes())
                 if args.trust else None)
    except (OSError, ValueError) as exc:
        print(f"错误：无法读取文件：{exc} (error: cannot read the file)", file=sys.stderr)
        return 2
    checks = pdf_signatures(data, roots)
    if not checks:
        print("该文件没有电子签名 (no signature)")
        return 1
    for c in checks:
        verdict = "有效" if c.ok else "无效"
        print(f"签名 {c.field}：{c.signer}（签发者 {c.issuer}，序列号 {c.serial}）"
              f"{'，签署时间 ' + f'{c.signed_at:%Y-%m-%d %H:%M:%S}' if c.signed_at else ''}")
        yes = {True: "是", False: "否"}
        print(f"  文件未被改动：{yes[c.intact]}；签名正确：{yes[c.valid]}；证书可信："
              f"{yes[c.trusted]}；签名后无追加内容：{yes[c.whole_file]} → {verdict} "
              f"({'valid' if c.ok else 'INVALID'})")
    return 0 if all(c.ok for c in checks) else 1


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"单位编号应为正整数：{text}")
    return int(text)


def register(sub: Any) -> None:
    pki = sub.add_parser("pki", help="电子签名证书：根证书、各单位的签名证书")
    cmds = pki.add_subparsers(dest="pki_command", required=True, parser_class=type(pki))

    init = cmds.add_parser("init", help="建立本平台的根证书（已存在则拒绝，除非 --force）")
    init.add_argument("--name", default="", help="根证书上的名称（默认：最上级单位的名称）")
    init.add_argument("--force", action="store_true",
                      help="替换已有的根证书（此前签署的文书不再被新根证书信任）")
    init.set_defaults(handler=cmd_init)

    issue = cmds.add_parser("issue", help="用本平台根证书为单位签发（或重新签发）签名证书")
    issue.add_argument("--org", type=_positive_int, required=True, help="单位编号")
    issue.set_defaults(handler=cmd_issue)

    imp = cmds.add_parser("import", help="导入单位从依法设立的电子认证服务机构取得的PKCS#12证书")
    imp.add_argument("--org", type=_positive_int, required=True, help="单位编号")
    imp.add_argument("--p12", required=True, help="PKCS#12 文件（.p12 / .pfx）")
    imp.add_argument("--passphrase-env", default="",
                     help="存放文件口令的环境变量名（不给则提示输入）")
    imp.set_defaults(handler=cmd_import)

    status = cmds.add_parser("status", help="根证书与各单位证书：签发者、有效期")
    status.set_defaults(handler=cmd_status)

    verify = cmds.add_parser("verify", help="核验PDF文书的电子签名")
    verify.add_argument("file", help="PDF 文件")
    verify.add_argument("--trust", default="",
                        help="信任的根证书（PEM，默认：本平台的根证书与导入证书的根）")
    verify.set_defaults(handler=cmd_verify)
