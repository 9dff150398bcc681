"""Identity numbers: resident ID numbers, unified social credit codes, mobile numbers —
checked, explained and masked for display.

An invalid number is a result with reasons, not an exception: intake screens show the
reasons to the clerk. The ``validate_*`` functions are for services that must refuse.
Check rules: GB 11643-1999 (ISO 7064 MOD 11-2) for ID numbers; GB 32100-2015 for credit
codes, with GB 11714 for the organisation code inside them (legal-reference.md §7).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from stdnum import numdb

from jintiao.domain.errors import DomainError, ErrorCode

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９ＸｘＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＹ＋",
    "0123456789XxABCDEFGHJKLMNPQRTUWY+",
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": (
        "机构编制",
        {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    ),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {
            "1": "外国旅游部门常驻代表机构",
            "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
            "9": "其他",
        },
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商（市场监管）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": (
        "农业",
        {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    ),
    "Y": ("其他", {}),
}


class IdentityInvalid(DomainError):
    """An identity number fails its check."""

    code = ErrorCode.IDENTITY_INVALID


class NameInvalid(DomainError):
    """A name holds characters that do not print as themselves."""

    code = ErrorCode.NAME_INVALID


class IdKind(StrEnum):
    RESIDENT_ID = "resident_id"
    CREDIT_CODE = "credit_code"
    MOBILE = "mobile"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {
            "resident_id": "居民身份证号码",
            "credit_code": "统一社会信用代码",
            "mobile": "手机号码",
            "unknown": "无法识别的号码",
        }[self.value]


@dataclass(frozen=True)
class Problem:
    """Why a number fails (or, as a warning, what could not be confirmed)."""

    code: str
    message: str
    message_en: str


@dataclass(frozen=True)
class IdentityCheck:
    """The verdict on one number, with what it reveals and a masked form for display."""

    kind: IdKind
    number: str
    valid: bool
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    birth_date: dt.date | None = None
    sex: str | None = None
    region: str | None = None
    registration_authority: str | None = None
    entity_type: str | None = None
    masked: str = field(default="")

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "kind_label": self.kind.label,
            "number": self.masked or self.number,
            "valid": self.valid,
            "problems": [p.__dict__ for p in self.problems],
            "warnings": [p.__dict__ for p in self.warnings],
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "sex": self.sex,
            "region": self.region,
            "registration_authority": self.registration_authority,
            "entity_type": self.entity_type,
        }


def normalize(text: str) -> str:
    """Full-width to ASCII, drop spaces and dashes, upper-case letters."""
    return re.sub(r"[\s\-－—]", "", str(text).translate(_FULLWIDTH)).upper()


def _checksum_problem(expected: str) -> Problem:
    return Problem(
        "checksum", f"校验码不正确：末位应为{expected}", f"check character should be {expected}"
    )


# --- resident ID numbers -------------------------------------------------------------------


def resident_id_check_char(first17: str) -> str:
    """Return the GB 11643 check character for the first 17 digits (ISO 7064 MOD 11-2)."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def _birth(text: str) -> dt.date | None:
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


# A division's name over time, as python-stdnum's table writes it: "[1983-]凯里市" or
# "[-1991]东郊区,[1992-]东丽区" (years inclusive; no bracket = always).
_PERIOD = re.compile(r"^\[(\d*)-(\d*)\](.*)$")
# Prefecture-level rows that are not a place of their own ("市辖区", "县", "省直辖县级行政单位").
_NOT_A_PLACE = re.compile(r"^(县|市辖区|.*直辖.*)$")


def _names(spec: str) -> list[tuple[int, int, str]]:
    """Split a table entry into ``(first year, last year, name)`` periods."""
    periods = []
    for item in spec.split(","):
        match = _PERIOD.match(item)
        if match is None:
            periods.append((0, 9999, item))
        else:
            first, last, name = match.groups()
            periods.append((int(first or 0), int(last or 9999), name))
    return periods


def _division(code: str, year: int | None) -> str | None:
    """The name of one six-digit division code in ``year``, or its latest name.

    A code not yet in use in ``year`` gives the first name it had afterwards: an ID number
    carries the code of the household registration when the number was assigned (GB 11643
    §4.1), so a Kaili resident born in 1960 carries 522601, created in 1983.
    """
    found = dict(numdb.get("cn/loc").info(code)[-1][1])
    if not found.get("county"):
        return None
    periods = _names(found["county"])
    if year is None:
        return max(periods)[2]
    for first, last, name in periods:
        if first <= year <= last:
            return name
    later = [p for p in periods if p[0] > year]
    return min(later)[2] if later else None


def region_name(code: str, *, on: dt.date | None = None) -> str | None:
    """Name the place a division code stood for ``on`` (its latest name without a date):
    province, prefecture and county, ``贵州省黔东南苗族侗族自治州凯里市``; ``None`` if the
    code was never in the table or was abolished before ``on``.
    """
    if not re.fullmatch(r"\d{6}", code):
        return None
    return _region_name(code, on.year if on is not None else None)


@functools.lru_cache(maxsize=4096)
def _region_name(code: str, year: int | None) -> str | None:
    """:func:`region_name` by year, kept: the table never changes while the process runs,
    and reading it cost a quarter of a millisecond a number (100,000 debtors seeded)."""
    county = _division(code, year)
    if county is None:
        return None
    parts = [str(numdb.get("cn/loc").info(code)[0][1].get("province", ""))]
    if code[4:] != "00":
        prefecture = _division(code[:4] + "00", year)
        if prefecture and not _NOT_A_PLACE.match(prefecture):
            parts.append(prefecture)
    parts.append(county)
    named: list[str] = []
    for part in parts:
        if part and part not in named:
            named.append(part)
    return "".join(named) or None


# No one has lived past 122 years (Jeanne Calment, 1875–1997); a birth date further back
# than this is a typo in the year (18 for 19), never a living party.
OLDEST_AGE = 125


def _years_between(born: dt.date, on: dt.date) -> int:
    """Whole years from ``born`` to ``on`` (an age)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def check_resident_id(text: str, *, on: dt.date) -> IdentityCheck:
    """Check an 18-digit resident ID number: format, check digit, birth date (a real day,
    not after ``on``, not more than :data:`OLDEST_AGE` years before it), region.

    ``on`` is the day the number is checked (the caller's today): a birth after it makes
    the number invalid, so it is required. The region is named as it was at the holder's
    birth. An unknown region code is only a warning: the tables miss abolished codes that
    real people still carry.
    """
    number = normalize(text)
    masked = mask_id_number(number)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    if re.fullmatch(r"\d{15}", number):
        born = _birth("19" + number[6:12])
        hint = ""
        if born:
            first17 = number[:6] + "19" + number[6:]
            # masked: the message may reach logs and screens of any role
            upgraded = first17 + resident_id_check_char(first17)
            hint = f"；对应的18位号码为{mask_id_number(upgraded)}"
        problems.append(
            Problem(
                "legacy_15_digit",
                f"15位一代身份证号码已停止使用{hint}",
                "15-digit first-generation ID numbers are no longer valid",
            )
        )
        return IdentityCheck(IdKind.RESIDENT_ID, number, False, tuple(problems), masked=masked)
    if len(number) != 18:
        problems.append(
            Problem(
                "length",
                f"身份证号码应为18位，实际为{len(number)}位",
                f"an ID number has 18 characters, not {len(number)}",
            )
        )
        return IdentityCheck(IdKind.RESIDENT_ID, number, False, tuple(problems), masked=masked)
    if not re.fullmatch(r"\d{17}[\dX]", number):
        problems.append(
            Problem(
                "format",
                "身份证号码前17位应为数字，末位为数字或X",
                "17 digits followed by a digit or X expected",
            )
        )
        return IdentityCheck(IdKind.RESIDENT_ID, number, False, tuple(problems), masked=masked)
    expected = resident_id_check_char(number[:17])
    if number[17] != expected:
        problems.append(_checksum_problem(expected))
    born = _birth(number[6:14])
    if born is None:
        problems.append(
            Problem(
                "birth_date",
                f"出生日期{number[6:14]}不存在",
                f"birth date {number[6:14]} does not exist",
            )
        )
    elif born > on:
        problems.append(
            Problem(
                "future_birth_date",
                f"出生日期{born.isoformat()}晚于{on.isoformat()}",
                f"birth date {born.isoformat()} is after {on.isoformat()}",
            )
        )
    elif _years_between(born, on) > OLDEST_AGE:
        problems.append(
            Problem(
                "implausible_birth_date",
                f"出生日期{born.isoformat()}距{on.isoformat()}已超过{OLDEST_AGE}年，"
                "请核对号码中的出生年份",
                f"birth date {born.isoformat()} is more than {OLDEST_AGE} years before "
                f"{on.isoformat()}",
            )
        )
    region = region_name(number[:6], on=born)
    if region is None:
        warnings.append(
            Problem(
                "region_unknown",
                f"地址码{number[:6]}不在行政区划代码表中（可能已撤销）",
                f"region code {number[:6]} is not in the division table",
            )
        )
    return IdentityCheck(
        IdKind.RESIDENT_ID,
        number,
        not problems,
        tuple(problems),
        tuple(warnings),
        birth_date=born,
        sex=("男" if int(number[16]) % 2 else "女"),
        region=region,
        masked=masked,
    )


# --- unified social credit codes -----------------------------------------------------------


def credit_code_check_char(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def organization_code_check_char(first8: str) -> str:
    """Return the GB 11714 check character of an organisation code's first 8 characters."""
    # GB 11714 values digits as themselves and letters A–Z as 10–35
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w
                for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def check_credit_code(text: str) -> IdentityCheck:
    """Check an 18-character unified social credit code and decode who registered it.

    Letter-led codes (N… rural collective economic organisations) are valid: the check is
    our own, not python-stdnum's, which requires eight leading digits. The embedded
    organisation-code check is a warning only (the rule is self-verified).
    """
    number = normalize(text)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    if len(number) != 18:
        problems.append(
            Problem(
                "length",
                f"统一社会信用代码应为18位，实际为{len(number)}位",
                f"a credit code has 18 characters, not {len(number)}",
            )
        )
        return IdentityCheck(IdKind.CREDIT_CODE, number, False, tuple(problems), masked=number)
    bad = sorted({c for c in number if c not in USCC_ALPHABET})
    if bad:
        problems.append(
            Problem(
                "format",
                f"含有不允许的字符：{'、'.join(bad)}（不使用I、O、Z、S、V）",
                f"characters not allowed: {''.join(bad)}",
            )
        )
        return IdentityCheck(IdKind.CREDIT_CODE, number, False, tuple(problems), masked=number)
    expected = credit_code_check_char(number[:17])
    if number[17] != expected:
        problems.append(_checksum_problem(expected))
    authority, types = AUTHORITIES.get(number[0], (None, {}))
    entity = types.get(number[1]) if authority else None
    if authority is None:
        problems.append(
            Problem(
                "authority_unknown",
                f"登记管理部门代码{number[0]}不存在",
                f"unknown registration authority code {number[0]}",
            )
        )
    elif types and entity is None:
        warnings.append(
            Problem(
                "entity_type_unknown",
                f"机构类别代码{number[1]}未知",
                f"unknown entity type code {number[1]}",
            )
        )
    region = region_name(number[2:8])
    if region is None:
        warnings.append(
            Problem(
                "region_unknown",
                f"登记管理机关行政区划码{number[2:8]}未能识别",
                f"region code {number[2:8]} not recognised",
            )
        )
    if organization_code_check_char(number[8:16]) != number[16]:
        warnings.append(
            Problem(
                "org_code_checksum",
                "内含的组织机构代码校验位不符",
                "the embedded organisation code's check character differs",
            )
        )
    return IdentityCheck(
        IdKind.CREDIT_CODE,
        number,
        not problems,
        tuple(problems),
        tuple(warnings),
        region=region,
        registration_authority=authority,
        entity_type=entity,
        masked=number,
    )


# --- mobile numbers ------------------------------------------------------------------------


def check_mobile(text: str) -> IdentityCheck:
    """Check a mainland mobile number; +86, 86 and 0086 prefixes are accepted."""
    number = normalize(text)
    for prefix in ("+86", "0086", "86"):
        if number.startswith(prefix) and len(number) == len(prefix) + 11:
            number = number[len(prefix) :]
            break
    if not re.fullmatch(r"1[3-9]\d{9}", number):
        problem = Problem(
            "format",
            "手机号码应为11位数字，以13–19开头",
            "a mainland mobile number has 11 digits starting 13–19",
        )
        return IdentityCheck(IdKind.MOBILE, number, False, (problem,), masked=mask_mobile(number))
    return IdentityCheck(IdKind.MOBILE, number, True, masked=mask_mobile(number))


def identify(text: str, *, on: dt.date) -> IdentityCheck:
    """Decide what kind of number ``text`` is by its shape and check it as that kind
    (``on``: the day it is checked, which a birth date may not be after)."""
    number = normalize(text)
    if re.fullmatch(r"(\+?86|0086)?1\d{10}", number):
        return check_mobile(number)
    if re.fullmatch(r"\d{15}", number):
        return check_resident_id(number, on=on)
    if len(number) == 18:
        # an all-digit code can be either kind: the one whose check passes wins, then
        # the shape (a real birth date in positions 7–14 says "ID number")
        as_id = check_resident_id(number, on=on) if re.fullmatch(r"\d{17}[\dX]", number) else None
        if as_id is not None and as_id.valid:
            return as_id
        as_code = check_credit_code(number)
        if as_code.valid or as_id is None or as_id.birth_date is None:
            return as_code
        return as_id
    problem = Problem(
        "unknown",
        "无法识别：不是18位身份证号码、18位统一社会信用代码或11位手机号码",
        "not an 18-character ID number or credit code, nor an 11-digit mobile",
    )
    return IdentityCheck(
        IdKind.UNKNOWN, number, False, (problem,), masked=_mask_middle(number, 3, 2, range(0))
    )


def _raise_first(result: IdentityCheck) -> str:
    if not result.valid:
        p = result.problems[0]
        raise IdentityInvalid(f"{result.kind.label}无效：{p.message}", p.message_en, reason=p.code)
    return result.number


def validate_resident_id(text: str, *, on: dt.date) -> str:
    """Return the normalised ID number or raise :class:`IdentityInvalid` (a birth after
    ``on``, the caller's today, included)."""
    return _raise_first(check_resident_id(text, on=on))


def validate_credit_code(text: str) -> str:
    """Return the normalised credit code or raise :class:`IdentityInvalid`."""
    return _raise_first(check_credit_code(text))


def validate_mobile(text: str) -> str:
    """Return the normalised mobile number or raise :class:`IdentityInvalid`."""
    return _raise_first(check_mobile(text))


# --- names ---------------------------------------------------------------------------------

# What the invisible characters a name must not hold are, in words. Any other control or
# format character (Unicode categories Cc, Cf) is refused too, as are line and paragraph
# separators (Zl, Zp) and lone surrogates (Cs).
_INVISIBLE = {
    **dict.fromkeys("\u202a\u202b\u202c\u202d\u202e", "双向文字控制符"),
    **dict.fromkeys("\u2066\u2067\u2068\u2069", "双向文字隔离符"),
    **dict.fromkeys("\u200e\u200f\u061c", "文字方向标记"),
    "\u200b": "零宽空格", "\u200c": "零宽不连字", "\u200d": "零宽连字", "\u2060": "零宽不换行符",
    "\ufeff": "字节顺序标记（BOM）", "\u2028": "行分隔符", "\u2029": "段落分隔符",
    "\u00ad": "软连字符",
}
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def validate_name(text: str, *, label: str = "姓名或名称") -> str:
    """Return a person's or entity's name without surrounding spaces, or refuse it if it
    holds characters that do not print as themselves.

    A name is printed on notices, the mediation agreement and the court's ruling: a
    bidirectional override (U+202E) reorders what the reader sees, zero-width characters and
    the BOM make two names that look the same differ (and so two parties), a line separator
    breaks the document's layout.

    :raises NameInvalid: with each such character's code point and what it is
    """
    found = sorted({c for c in text if unicodedata.category(c) in _REFUSED_CATEGORIES})
    if found:
        listed = "、".join(f"U+{ord(c):04X}（{_INVISIBLE.get(c, '控制或格式字符')}）"
                          for c in found)
        raise NameInvalid(
            f"{label}含有不可见的字符：{listed}，请删除后重新输入",
            f"the name holds invisible characters: {', '.join(f'U+{ord(c):04X}' for c in found)}",
            characters=",".join(f"U+{ord(c):04X}" for c in found))
    return text.strip()


# --- masking -------------------------------------------------------------------------------


def _mask_middle(text: str, keep_head: int, keep_tail: int, lengths: range) -> str:
    """Star all but the ends. A number of unexpected length (a typo, a foreign number)
    keeps at most a quarter at each end, so a mask never shows more than half of it."""
    n = len(text)
    if n not in lengths:
        keep_head, keep_tail = min(keep_head, n // 4), min(keep_tail, n // 4)
    return text[:keep_head] + "*" * (n - keep_head - keep_tail) + text[n - keep_tail :]


def mask_id_number(number: str) -> str:
    """520103199001011234 → 520103********1234."""
    return _mask_middle(normalize(number), 6, 4, range(18, 19))


def mask_mobile(number: str) -> str:
    """13812345678 → 138****5678."""
    return _mask_middle(normalize(number), 3, 4, range(11, 12))


def mask_account(number: str) -> str:
    """6222021234567890123 → 6222***********0123 (bank cards and accounts, 12–30 digits)."""
    return _mask_middle(normalize(number), 4, 4, range(12, 31))


def mask_name(name: str) -> str:
    """张三 → 张*; 欧阳娜娜 → 欧***: the first character stays, the rest is starred."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)


def mask_credit_code(code: str) -> str:
    """Return the code unchanged: an entity's credit code is public registration data."""
    return normalize(code)


_ID_IN_TEXT = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
_LONG_DIGITS = re.compile(r"(?<![0-9])[0-9]{11,30}(?![0-9])")


def mask_numbers_in(text: str) -> str:
    """Mask identity numbers, mobiles and account numbers inside free text (a contact note,
    a receipt): 138****5678, 520103********1234, 6222***********0123."""
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    return _LONG_DIGITS.sub(lambda m: mask_mobile(m.group(0)) if len(m.group(0)) == 11
                            else mask_account(m.group(0)), text)
