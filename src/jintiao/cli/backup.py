"""``jintiao backup DIR``, ``jintiao restore DIR`` and ``jintiao keys …``: the platform's
data, files and keys saved and put back, and the keys checked against the data."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from jintiao.cli.platform import _setup

KEY_NAMES = {"secret_key": "JINTIAO_SECRET_KEY", "pii_key": "JINTIAO_PII_KEY",
             "pki_root": "PKI 根证书", "checkpoint_key": "审计检查点密钥"}


def _fingerprint_lines(fingerprints: dict[str, str]) -> list[str]:
    from jintiao.ops.keys import short

    return [f"  {KEY_NAMES.get(name, name)}：{short(fp)}" for name, fp in fingerprints.items()]


def cmd_backup(args: argparse.Namespace) -> int:
    """Write the database, the stored files and the keys into a new folder, with a manifest."""
    _setup()
    from jintiao.ops.backup import COUNT_LABELS, backup

    made = backup(Path(args.dir), with_keys=not args.without_keys,
                  with_media=not args.without_media)
    m = made.manifest
    db = m["database"]
    kind = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[db["kind"]]
    print(f"已备份到 {made.folder} (backup written)")
    print(f"数据库：{kind} {db['server_version']}，{db['file']}")
    print("内容：" + "，".join(f"{COUNT_LABELS[k]} {v}" for k, v in m["counts"].items()))
    if m["media"]["included"]:
        print(f"文件：{m['media']['files']} 个，共 {m['media']['bytes']} 字节（media/）")
    else:
        print("文件：未备份（--without-media）；请另行备份文件存储")
    if m["keys"]["included"]:
        print(f"密钥：{len(m['keys']['files'])} 个文件（keys/）。keys/ 含签名私钥，属机密："
              "请与数据库备份分开存放，恢复时用 --keys 指明 "
              "(keys/ holds private keys: store it apart from the rest)")
    else:
        print("密钥：未备份（--without-keys）；请另行备份 PKI_DIR")
    print("密钥指纹（不含密钥本身）：")
    print("\n".join(_fingerprint_lines(m["fingerprints"])))
    print(f"清单：{made.folder / 'manifest.json'}（每个文件的SHA-256）")
    from jintiao.ops.keys import verify_keys

    for line in verify_keys():
        print(f"警告：{line}；此备份记下的是当前的密钥指纹 (warning: a key does not fit the data)")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Check a backup whole, restore it into an empty database, then run ``audit verify``."""
    _setup()
    from jintiao.cli import main
    from jintiao.ops.backup import COUNT_LABELS, restore

    done = restore(Path(args.dir), Path(args.keys) if args.keys else None)
    m = done.manifest
    print(f"备份清单与全部文件核对一致（{len(m['files'])} 个文件，备份于 {m['created_at']}，"
          f"版本 {m['version']}） (backup checked)")
    print(f"已恢复数据库、{done.media} 个文件、{done.keys} 个密钥文件 (restored)")
    if done.keys_kept:
        print(f"PKI_DIR 中已有的 {done.keys_kept} 个文件保留未动（根证书与检查点密钥与备份一致）")
    print("内容：" + "，".join(f"{COUNT_LABELS[k]} {v}" for k, v in done.counts.items()))
    for line in done.problems:
        print(f"问题：{line}")
    if not done.problems:
        print("密钥与数据一致，恢复后的记录数与备份时相同 (keys fit the data; counts match)")
    print("运行 jintiao audit verify：")
    verified = main(["audit", "verify"])
    return 1 if done.problems or verified else 0


def cmd_keys_status(args: argparse.Namespace) -> int:
    """Each key's fingerprint here and in the data; exit 1 when one does not fit."""
    _setup()
    from jintiao.ops import keys

    problems = keys.verify_keys(adopt=False)
    have, was = keys.current(), keys.recorded()
    for name, label in KEY_NAMES.items():
        state = ("一致" if have[name] == was.get(name) else
                 "尚未记录" if not was.get(name) else "不符")
        print(f"{label}：当前 {keys.short(have[name])}，数据库记录 "
              f"{keys.short(was.get(name, ''))}（{state}）")
    for line in problems:
        print(f"问题：{line}")
    return 1 if problems else 0


def cmd_keys_record(args: argparse.Namespace) -> int:
    """Record the keys this machine runs with, after a deliberate change."""
    _setup()
    from jintiao.ops import keys

    changed = keys.record_keys()
    if not changed:
        print("密钥指纹与数据库记录一致，未作改动 (nothing changed)")
    for name, (was, now) in changed.items():
        print(f"已记录 {KEY_NAMES[name]}：{keys.short(was)} → {keys.short(now)} "
              f"({name} recorded)")
    return 0


def register(sub: Any) -> None:
    made = sub.add_parser("backup", help="备份：数据库、文件存储与密钥，附带SHA-256清单")
    made.add_argument("dir", help="新的（或空的）备份文件夹")
    made.add_argument("--without-keys", action="store_true",
                      help="不备份 PKI_DIR 中的签名密钥（另行备份时）")
    made.add_argument("--without-media", action="store_true",
                      help="不备份文件存储（对象存储自行备份时）")
    made.set_defaults(handler=cmd_backup)

    back = sub.add_parser("restore", help="恢复：核对备份清单后写入空数据库，再核验审计日志")
    back.add_argument("dir", help="jintiao backup 写出的备份文件夹")
    back.add_argument("--keys", help="另行保存的密钥文件夹（默认：备份文件夹中的 keys/）")
    back.set_defaults(handler=cmd_restore)

    keys = sub.add_parser("keys", help="密钥指纹：与数据核对，或在有意更换后重新记录")
    keys_cmds = keys.add_subparsers(dest="keys_command", required=True, parser_class=type(keys))
    status = keys_cmds.add_parser("status", help="当前密钥与数据库记录的指纹是否一致")
    status.set_defaults(handler=cmd_keys_status)
    record = keys_cmds.add_parser("record", help="记录当前密钥的指纹（有意更换密钥之后）")
    record.set_defaults(handler=cmd_keys_record)
