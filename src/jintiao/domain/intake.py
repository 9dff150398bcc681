"""What a file must hold to be taken in, whoever types it (the desk's form, an institution's
API call, a bulk file): the rules that need no database.

The caller passes its today; the bounds on the past are plausibility bounds, not law: a
date far back is a mistyped year, not a late entry.
"""

from __future__ import annotations

import datetime as dt
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
