"""What a file must hold to be taken in, whoever types it (the desk's form, an institution's
API call, a bulk file): the rules that need no database.

The caller passes its today; the bounds on the past are plausibility bounds, not law: a
date far back is a mistyped year, not a late entry.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.periods import require_past, years_before

# A paper file is entered days or weeks after it arrived; a year back is a mistyped year.
RECEIPT_LOOKBACK_YEARS = 1

CREDITOR = "creditor"
# The side a creditor claims against: the debtors and those who guarantee them.
DEBTOR_SIDE = frozenset({"debtor", "guarantor"})


class IntakeInvalid(DomainError):
    """A file that cannot be taken in as it is."""

    code = ErrorCode.INTAKE_INVALID


def require_receipt_date(day: dt.date, *, on: dt.date) -> dt.date:
    """Return the date of receipt if it has come by ``on`` and is within a year of it.

    :raises IntakeInvalid: ``date_in_future`` or ``date_too_early``
    """
    return require_past(day, on=on, earliest=years_before(on, RECEIPT_LOOKBACK_YEARS),
                        field="received_on", label="收案日期", error=IntakeInvalid)


@dataclass(frozen=True)
class PartyEntry:
    """A party row as typed: its role and name, and its identity number normalised."""

    role: str
    name: str
    number: str


def require_distinct_parties(rows: Sequence[PartyEntry]) -> None:
    """Refuse one person or entity on both sides of a dispute, or named twice on one side.

    The identity number decides who is who (the same number is the same person, whatever
    name is typed): a creditor cannot claim against itself, nor guarantee a debt owed to it.

    :raises IntakeInvalid: ``party_on_both_sides`` or ``party_listed_twice``, with the
        ``row`` of the second mention
    """
    seen: dict[str, PartyEntry] = {}
    for index, row in enumerate(rows):
        first = seen.get(row.number)
        if first is None:
            seen[row.number] = row
            continue
        if (first.role == CREDITOR) != (row.role == CREDITOR):
            raise IntakeInvalid(
                f"{first.name}不能既是债权人又是债务人或担保人（证件号码相同）",
                "the same identity number is on the creditor's and the debtor's side",
                code=ErrorCode.PARTY_ON_BOTH_SIDES, field="id_number", row=index)
        raise IntakeInvalid(
            f"{row.name}重复列为当事人（证件号码与{first.name}相同）",
            "the same identity number is listed twice",
            code=ErrorCode.PARTY_LISTED_TWICE, field="id_number", row=index)


# A court case number as the SPC's rules on case numbers write it: （2026）黔2601民初123号 —
# the year in full-width (or half-width) brackets, the court's code, the case-type code, the
# serial, 号 (《关于人民法院案件案号的若干规定》 Art. 3).
PENDING_CASE_NUMBER = re.compile(
    r"[（(]\d{4}[）)](最高法|[\u4e00-\u9fff]{1,3}(\d{2}|\d{4})?)[\u4e00-\u9fff]{1,4}\d{1,6}号")
CONTRACT_REF_MAX = 100
# a bank card's number: 13 to 19 digits (GB/T 19584 / ISO/IEC 7812), spaces or dashes apart,
# its last digit the Luhn check of the others (ISO/IEC 7812-1 Annex B) — a contract number of
# as many digits is kept as it is
CARD_NUMBER = re.compile(r"\d{13,19}")


def luhn_valid(digits: str) -> bool:
    """The number's last digit is the Luhn check digit of the others."""
    total = 0
    for place, char in enumerate(reversed(digits)):
        n = int(char)
        if place % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def contract_ref(text: str) -> str:
    """The contract or card a debt arises from, as it is kept: a card's number (a Luhn-valid
    run of 13 to 19 digits) as its first six and last four digits (what a bank prints on its
    own notices), anything else as typed, stripped.

    :raises IntakeInvalid: longer than the column, or holding a control character
    """
    value = text.strip()
    if len(value) > CONTRACT_REF_MAX or any(ord(c) < 32 for c in value):
        raise IntakeInvalid(f"合同编号或卡号过长或含有控制字符（至多{CONTRACT_REF_MAX}个字符）",
                            "the contract reference is too long or holds a control character",
                            field="contract_ref")
    digits = re.sub(r"[\s-]", "", value)
    if CARD_NUMBER.fullmatch(digits) and luhn_valid(digits):
        return f"{digits[:6]}{'*' * (len(digits) - 10)}{digits[-4:]}"
    return value


def charges_since(since: dt.date | None, as_of: dt.date) -> dt.date | None:
    """When the claim's charges began to run (逾期日), before the day they are reckoned to:
    what the court's 24 % check of an agreement reads them against.

    :raises IntakeInvalid: on or after the claim's as-of date
    """
    if since is not None and since >= as_of:
        raise IntakeInvalid(f"欠息起算日须早于债权计算日（{as_of:%Y-%m-%d}）",
                            "charges_since must come before the claim's as-of date",
                            field="charges_since")
    return since


def pending_case_number(text: str) -> str:
    """The case number of a suit already pending on the debt, as the court wrote it
    (brackets made full-width).

    :raises IntakeInvalid: not in the form （2026）黔2601民初123号
    """
    value = text.strip().replace("(", "（").replace(")", "）")
    if value and not PENDING_CASE_NUMBER.fullmatch(value):
        raise IntakeInvalid(f"在诉案号格式不正确，应如（2026）黔2601民初123号：{value}",
                            "a case number reads like （2026）黔2601民初123号",
                            field="pending_case_number")
    return value
