"""Money: ``Decimal`` yuan with two places — parsing, rounding, formatting, 大写 amounts.

One rounding helper with an explicit mode; no floats anywhere. The uppercase rules follow
the PBOC's basic rules on filling in bills and settlement vouchers (正确填写票据和结算凭证的
基本规定) and the Ministry of Finance's 会计基础工作规范 Art. 52 for 整 after 角; see
``shared/domain/legal-reference.md`` §8.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from jintiao.domain.errors import DomainError, ErrorCode

CENT = Decimal("0.01")
YUAN = Decimal("1")
ZERO = Decimal("0.00")
# 大写 amounts below 一万亿亿 only: sixteen integer digits, as banks' forms allow.
MAX_AMOUNT = Decimal("9999999999999999.99")

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")


class AmountInvalid(DomainError):
    """The text or value is not an amount of money."""

    code = ErrorCode.AMOUNT_INVALID


class RateInvalid(DomainError):
    """A rate is not a ``Decimal`` fraction between 0 and 1."""

    code = ErrorCode.RATE_INVALID



def money(value: Decimal | int | str, *, shown: str | None = None) -> Decimal:
    """Return ``value`` as yuan with exactly two places, refusing anything inexact.

    Floats are refused outright: a float amount has already lost the fen. ``shown`` is
    what the user typed, for the error message, when ``value`` was derived from it.

    :raises AmountInvalid: not a number, a float, negative, or finer than a fen
    """
    if isinstance(value, float | bool):
        raise AmountInvalid(
            "金额不能以浮点数给出", "amount must not be a float", code=ErrorCode.AMOUNT_INVALID
        )
    if shown is None:
        shown = str(value)
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        raise AmountInvalid(
            f"金额格式不正确：{shown}", f"not an amount: {shown}", value=shown
        ) from None
    if not amount.is_finite():
        raise AmountInvalid(f"金额格式不正确：{shown}", f"not an amount: {shown}", value=shown)
    if amount < 0:
        raise AmountInvalid(
            f"金额不能为负数：{shown}",
            f"amount must not be negative: {shown}",
            code=ErrorCode.AMOUNT_NEGATIVE,
            value=shown,
        )
    if amount > MAX_AMOUNT:  # before quantizing, which overflows past 28 digits
        raise AmountInvalid(
            f"金额过大：{shown}", f"amount too large: {shown}",
            code=ErrorCode.AMOUNT_TOO_LARGE, value=shown,
        )
    exact = amount.quantize(CENT, rounding=ROUND_DOWN)
    if exact != amount:
        raise AmountInvalid(
            f"金额最多精确到分（两位小数）：{shown}",
            f"amount has more than two decimal places: {shown}",
            code=ErrorCode.AMOUNT_TOO_PRECISE,
            value=shown,
        )
    return exact


def quantize(
    value: Decimal, quantum: Decimal = CENT, rounding: str = ROUND_HALF_UP
) -> Decimal:
    """Round ``value`` to ``quantum`` (a fen by default) with an explicit rounding mode.

    The one place where amounts are rounded; half-up is how Chinese banks and courts round.
    """
    return value.quantize(quantum, rounding=rounding)


def split_evenly(total: Decimal, parts: int, step: Decimal = CENT) -> list[Decimal]:
    """Split ``total`` into ``parts`` equal amounts rounded down to ``step``, remainder last.

    The parts always sum exactly to ``total``; the last part is the largest.
    """
    if parts < 1:
        raise AmountInvalid("份数必须至少为1", "parts must be at least 1", parts=parts)
    regular = (total / parts).quantize(step, rounding=ROUND_DOWN)
    if step != CENT:
        regular = (total / parts / step).to_integral_value(rounding=ROUND_DOWN) * step
        regular = regular.quantize(CENT)
    last = total - regular * (parts - 1)
    return [regular] * (parts - 1) + [last]


# --- parsing what people type -----------------------------------------------------------

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９．，－＋％　", "0123456789.,-+% "
)
_UNIT_SUFFIX = {"万": Decimal(10) ** 4, "萬": Decimal(10) ** 4, "亿": Decimal(10) ** 8,
                "億": Decimal(10) ** 8, "千": Decimal(10) ** 3}
_NUMBER_RE = re.compile(r"^(?P<num>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?P<unit>万亿|万|萬|亿|億|千)?$")


def parse_amount(text: str) -> Decimal:
    """Parse an amount as people type it: ``250,277.13``, ``25.03万``, ``1.2亿``, ``￥１００``.

    Also accepts an uppercase amount (``贰拾伍万零贰佰柒拾柒元壹角叁分``). Thousands
    separators must sit every three digits; a result finer than a fen is refused, never
    silently rounded.

    :raises AmountInvalid: the text is not an amount
    """
    if not isinstance(text, str):
        return money(text)
    raw = text
    cleaned = text.translate(_FULLWIDTH).strip()
    if any(ch in cleaned for ch in "角分拾佰仟零壹贰叁肆伍陆柒捌玖整正"):
        return parse_words(cleaned)
    for prefix in ("人民币", "RMB", "CNY", "￥", "¥"):
        if cleaned.upper().startswith(prefix):
            cleaned = cleaned[len(prefix):].strip()
    if cleaned.endswith("元"):
        cleaned = cleaned[:-1].strip()
    if cleaned.startswith("-"):
        raise AmountInvalid(
            f"金额不能为负数：{raw}", f"amount must not be negative: {raw}",
            code=ErrorCode.AMOUNT_NEGATIVE, value=raw,
        )
    if re.search(r"[0-9][,.]?[OoIlLSB]|[OoIlLSB][,.]?[0-9]", cleaned):
        raise AmountInvalid(
            f"金额中有字母（如把0写成O、把1写成l）：{raw}",
            f"a letter among the digits (O for 0, l for 1): {raw}", value=raw,
        )
    if "," in cleaned:
        head = cleaned.split(".")[0]
        if not re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+", head):
            raise AmountInvalid(
                f"千位分隔符位置不正确：{raw}", f"misplaced thousands separator: {raw}",
                value=raw,
            )
        cleaned = cleaned.replace(",", "")
    cleaned = cleaned.replace(" ", "")
    match = _NUMBER_RE.match(cleaned)
    if not match:
        raise AmountInvalid(
            f"金额格式不正确：{raw}", f"not an amount: {raw}", value=raw
        )
    number = Decimal(match.group("num"))
    unit = match.group("unit")
    if unit == "万亿":
        number *= Decimal(10) ** 12
    elif unit:
        number *= _UNIT_SUFFIX[unit]
    return money(number, shown=raw)


def parse_rate(text: str | Decimal) -> Decimal:
    """Parse an annual rate: ``4.35%`` (percent) or ``0.0435`` (fraction); returns a fraction.

    A bare number above 1 is refused rather than guessed at: ``4.35`` could mean 4.35 % or
    435 %, and the difference is the whole case.

    :raises RateInvalid: not a rate, negative, above 100 %, or ambiguous
    """
    raw = str(text)
    cleaned = raw.translate(_FULLWIDTH).strip().replace(" ", "")
    percent = cleaned.endswith("%")
    if percent:
        cleaned = cleaned[:-1]
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise RateInvalid(f"利率格式不正确：{raw}", f"not a rate: {raw}") from None
    if not value.is_finite() or value < 0:
        raise RateInvalid(
            f"利率不能为负数或非数值：{raw}", f"rate must be a non-negative number: {raw}",
        )
    if percent:
        value /= 100
    elif value > 1:
        raise RateInvalid(
            f"利率 {raw} 有歧义：请写成百分数（如 4.35%）或小数（如 0.0435）",
            f"ambiguous rate {raw}: write a percent (4.35%) or a fraction (0.0435)",
        )
    if value > 1:
        raise RateInvalid(
            f"年利率不能超过100%：{raw}", f"annual rate above 100%: {raw}",
        )
    return value


def to_fen(amount: Decimal) -> int:
    """Yuan as whole fen, for sums that must be exact on any database."""
    return int((quantize(amount) * 100).to_integral_value())


def from_fen(fen: int) -> Decimal:
    """Whole fen back as yuan with two places."""
    return (Decimal(fen) / 100).quantize(CENT)


def format_amount(amount: Decimal) -> str:
    """Format as ``250,277.13``: thousands separators and exactly two decimals."""
    return f"{quantize(amount):,.2f}"


# --- uppercase amounts (大写) --------------------------------------------------------------


def _section_words(n: int) -> str:
    """Words for 1 ≤ n ≤ 9999: inner zero runs become one 零, trailing zeros vanish."""
    out: list[str] = []
    pending_zero = False
    for pos in (3, 2, 1, 0):
        digit = n // 10**pos % 10
        if digit == 0:
            pending_zero = pending_zero or bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(_DIGITS[digit] + _SMALL_UNITS[pos])
    return "".join(out)


def _integer_words(n: int, *, zero_after_wan: bool) -> str:
    """Words for a positive integer; 亿 and 万 split it into four-digit sections."""
    for size, unit in ((10**8, "亿"), (10**4, "万")):
        if n >= size:
            high, rest = divmod(n, size)
            words = _integer_words(high, zero_after_wan=zero_after_wan) + unit
            if rest == 0:
                return words
            # a zero between the parts is mandatory (PBOC rule 4a/4b); when only the
            # 万/亿 digit itself is zero the 零 is optional (rule 4c) and a setting decides
            if rest < size // 10 or (zero_after_wan and high % 10 == 0):
                words += "零"
            return words + _integer_words(rest, zero_after_wan=zero_after_wan)
    return _section_words(n)


def amount_in_words(
    amount: Decimal,
    *,
    zheng_after_jiao: bool = True,
    zero_after_wan: bool = False,
    zero_before_jiao: bool = False,
    prefix: bool = False,
) -> str:
    """Write an amount in uppercase RMB as financial documents do.

    250277.13 → 贰拾伍万零贰佰柒拾柒元壹角叁分. A leading ten is 壹拾; an amount ending
    at 元 ends with 整; after 角, 整 follows unless ``zheng_after_jiao`` is off (MoF
    会计基础工作规范 Art. 52 wants it, the PBOC allows it); never after 分. A zero 角
    before a non-zero 分 is always written 零. The two optional zeros of PBOC rule 4(c) —
    after a zero 万/亿 digit and after a zero 元 digit before 角 — are off by default
    and each has a switch, reproducing the two forms the rules give for 107,000.53.
    ``prefix`` adds 人民币 with no gap.

    :raises AmountInvalid: negative, finer than a fen, or above 9,999,999,999,999,999.99
    """
    value = money(amount)
    yuan = int(value)
    cents = int((value - yuan) * 100)
    jiao, fen = divmod(cents, 10)
    words = ""
    if yuan:
        words = _integer_words(yuan, zero_after_wan=zero_after_wan) + "元"
    if not jiao and not fen:
        words = (words or "零元") + "整"
    else:
        if yuan and not jiao:
            words += "零"  # rule 4(d): mandatory
        elif yuan and jiao and zero_before_jiao and yuan % 10 == 0:
            words += "零"  # rule 4(c): optional
        if jiao:
            words += _DIGITS[jiao] + "角"
        if fen:
            words += _DIGITS[fen] + "分"
        elif zheng_after_jiao:
            words += "整"
    return ("人民币" if prefix else "") + words


_WORD_DIGITS = {ch: i for i, ch in enumerate(_DIGITS)} | {
    "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
    "八": 8, "九": 9,
}
_WORD_UNITS = {"拾": 10, "十": 10, "佰": 100, "百": 100, "仟": 1000, "千": 1000}


def _parse_integer_words(text: str, raw: str) -> int:
    total = 0
    section = 0
    digit: int | None = None
    last_unit = 10**5
    for ch in text:
        if ch in _WORD_DIGITS:
            if digit is not None and digit != 0 and _WORD_DIGITS[ch] != 0:
                raise AmountInvalid(
                    f"大写金额写法不正确：{raw}", f"malformed amount in words: {raw}"
                )
            digit = _WORD_DIGITS[ch]
        elif ch in _WORD_UNITS:
            unit = _WORD_UNITS[ch]
            if unit >= last_unit or (digit is None and unit != 10):
                raise AmountInvalid(
                    f"大写金额写法不正确：{raw}", f"malformed amount in words: {raw}"
                )
            section += (1 if digit is None else digit) * unit
            last_unit = unit
            digit = None
        elif ch in "万萬":
            total += (section + (digit or 0)) * 10**4
            section, digit, last_unit = 0, None, 10**5
        elif ch in "亿億":
            total = (total + section + (digit or 0)) * 10**8
            section, digit, last_unit = 0, None, 10**5
        else:
            raise AmountInvalid(
                f"大写金额含有无法识别的字“{ch}”：{raw}",
                f"unexpected character {ch!r} in amount in words: {raw}",
            )
    return total + section + (digit or 0)


def parse_words(text: str) -> Decimal:
    """Read an uppercase amount back into a ``Decimal`` (for checking words against figures).

    Accepts the prefix 人民币, 圆 for 元, 整/正 at the end, and lowercase numerals.

    :raises AmountInvalid: the text is not an amount in words
    """
    raw = text
    s = text.strip().replace(" ", "")
    for prefix in ("人民币", "￥", "¥"):
        if s.startswith(prefix):
            s = s[len(prefix):]
    s = s.replace("圆", "元")
    if s.endswith(("整", "正")):
        s = s[:-1]
    if not s:
        raise AmountInvalid(f"金额格式不正确：{raw}", f"not an amount: {raw}")
    integer_part, _, fraction = s.rpartition("元") if "元" in s else ("", "", s)
    yuan = _parse_integer_words(integer_part, raw) if integer_part not in ("", "零") else 0
    m = re.fullmatch(r"零?(?:(?P<jiao>.)角)?零?(?:(?P<fen>.)分)?", fraction)
    if m is None or any(
        g is not None and g not in _WORD_DIGITS for g in (m.group("jiao"), m.group("fen"))
    ):
        raise AmountInvalid(
            f"大写金额的角分部分写法不正确：{raw}",
            f"malformed jiao/fen part in amount in words: {raw}",
        )
    jiao = _WORD_DIGITS[m.group("jiao")] if m.group("jiao") else 0
    fen = _WORD_DIGITS[m.group("fen")] if m.group("fen") else 0
    if not integer_part and not fraction:
        raise AmountInvalid(f"金额格式不正确：{raw}", f"not an amount: {raw}")
    return money(Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100, shown=raw)


# --- checks shared by the domain modules ----------------------------------------------------

def require_rate(
    value: object,
    *,
    field: str = "annual_rate",
    label: str = "年利率",
    error: type[DomainError] = RateInvalid,
    allow_zero: bool = True,
) -> Decimal:
    """Return ``value`` as a ``Decimal`` fraction in [0, 1], or refuse it with ``error``.

    Floats are refused like float amounts are: 0.0435 as a float is not 4.35 %.
    """
    rate = (
        Decimal(value)
        if isinstance(value, Decimal | int) and not isinstance(value, bool)
        else None
    )
    if rate is None or not rate.is_finite() or rate < 0 or rate > 1:
        raise error(
            f"{label}必须是0到1之间的小数（如0.0435表示4.35%）：{value}",
            f"{field} must be a Decimal fraction between 0 and 1: {value!r}",
            field=field,
            value=value,
        )
    if not allow_zero and rate == 0:
        raise error(f"{label}必须大于0", f"{field} must be positive", field=field, value=value)
    return rate


def require_amount(
    value: Decimal | int | str, *, field: str, label: str, error: type[DomainError]
) -> Decimal:
    """Return ``value`` through :func:`money`, re-raising a refusal as ``error`` naming the field.

    The money rule's own code (negative, too precise, …) is kept in ``details["reason"]``.
    """
    try:
        return money(value)
    except AmountInvalid as exc:
        raise error(
            f"{label}：{exc.message}",
            f"{field}: {exc.message_en}",
            field=field,
            reason=exc.code,
            value=value,
        ) from None
