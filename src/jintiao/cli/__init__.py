"""The ``jintiao`` command: one entry point, subcommands per area.

Interfaces translate and nothing more: parse arguments, call the domain, print. Bad
input ends with one line in Chinese and English and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from jintiao import __version__
from jintiao.cli import audit, backup, calc, jobs, pki, platform, serve, tokens
from jintiao.cli import policies as policy_commands
from jintiao.domain.errors import DomainError

EXIT_BAD_INPUT = 2


class ArgumentParser(argparse.ArgumentParser):
    """An argparse parser whose errors are one bilingual line instead of usage + English."""

    def error(self, message: str) -> NoReturn:
        if any("\u4e00" <= ch <= "\u9fff" for ch in message):
            # already bilingual: a domain parser's own message
            self.exit(EXIT_BAD_INPUT, f"错误：{_zh_argparse(message)}\n")
        self.exit(
            EXIT_BAD_INPUT,
            f"错误：参数不正确：{_zh_argparse(message)} (error: {message}; "
            f"see `{self.prog} --help`)\n",
        )


def _zh_argparse(message: str) -> str:
    """Translate argparse's few fixed phrases; the argument names stay as typed."""
    for en, zh in (
        ("the following arguments are required:", "缺少必需的参数："),
        ("unrecognized arguments:", "无法识别的参数："),
        ("invalid choice:", "无效的选项："),
        ("expected one argument", "需要一个值"),
        ("not allowed with argument", "不能与以下参数同时使用："),
        ("one of the arguments", "必须给出以下参数之一："),
        ("is required", ""),
        ("argument ", "参数 "),
    ):
        message = message.replace(en, zh)
    return message


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="jintiao",
        description="金调通 JinTiao — 金融纠纷多元化解平台命令行工具",
    )
    parser.add_argument("--version", action="version", version=f"jintiao {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=ArgumentParser)
    calc.register(sub)
    platform.register(sub)
    pki.register(sub)
    audit.register(sub)
    jobs.register(sub)
    tokens.register(sub)
    policy_commands.register(sub)
    backup.register(sub)
    serve.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 a negative answer, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly, and keep the exit flush quiet too
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except DomainError as exc:
        print(f"错误：{exc.message} (error: {exc.message_en}) [{exc.code}]", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
