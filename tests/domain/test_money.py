"""Money: parsing, formatting, splitting and the uppercase (大写) rules of the PBOC."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain import money
from jintiao.domain.errors import ErrorCode
from jintiao.domain.money import AmountInvalid, amount_in_words, parse_amount, parse_words

D = Decimal
fen_amounts = st.integers(min_value=0, max_value=10**16 - 1).map(lambda c: D(c) / 100)


class TestAmountInWords:
    @pytest.mark.parametrize(
        ("amount", "words"),
        [
            # legal-reference.md §8 worked table (整 after 角 switched off, as the table is)
            ("250277.13", "贰拾伍万零贰佰柒拾柒元壹角叁分"),
            ("100000", "壹拾万元整"),
            ("5054.16", "伍仟零伍拾肆元壹角陆分"),
            ("2527.08", "贰仟伍佰贰拾柒元零捌分"),
            ("100010000.10", "壹亿零壹万元壹角"),
            # PBOC rule examples
            ("1409.50", "壹仟肆佰零玖元伍角"),
            ("6007.14", "陆仟零柒元壹角肆分"),
            ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
            ("107000.53", "壹拾万柒仟元伍角叁分"),
            ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
            ("325.04", "叁佰贰拾伍元零肆分"),
        ],
    )
    def test_reproduces_the_reference_table(self, amount, words):
        assert amount_in_words(D(amount), zheng_after_jiao=False) == words

    def test_writes_zheng_after_jiao_by_default(self):
        assert amount_in_words(D("1409.50")) == "壹仟肆佰零玖元伍角整"
        assert amount_in_words(D("100010000.10")) == "壹亿零壹万元壹角整"

    def test_never_writes_zheng_after_fen(self):
        assert amount_in_words(D("250277.13")).endswith("叁分")
        assert amount_in_words(D("0.05")) == "伍分"

    def test_writes_zheng_after_whole_yuan(self):
        assert amount_in_words(D("100")) == "壹佰元整"
        assert amount_in_words(D("0")) == "零元整"

    def test_writes_the_leading_ten_as_yi_shi(self):
        assert amount_in_words(D("15")) == "壹拾伍元整"
        assert amount_in_words(D("10")) == "壹拾元整"
        assert amount_in_words(D("100000")) == "壹拾万元整"
        assert amount_in_words(D("1000000000")) == "壹拾亿元整"

    def test_a_run_of_zeros_becomes_one_ling(self):
        assert amount_in_words(D("6007.14")) == "陆仟零柒元壹角肆分"
        assert amount_in_words(D("1000007")) == "壹佰万零柒元整"
        assert amount_in_words(D("100000001")) == "壹亿零壹元整"

    def test_zero_jiao_before_nonzero_fen_is_always_ling(self):
        assert amount_in_words(D("16409.02")) == "壹万陆仟肆佰零玖元零贰分"
        assert amount_in_words(D("1680.02")) == "壹仟陆佰捌拾元零贰分"

    def test_optional_zeros_reproduce_both_pboc_forms_of_107000_53(self):
        assert amount_in_words(D("107000.53"), zero_before_jiao=True) == "壹拾万柒仟元零伍角叁分"
        assert amount_in_words(D("107000.53"), zero_after_wan=True) == "壹拾万零柒仟元伍角叁分"
        assert (
            amount_in_words(D("1680.32"), zero_before_jiao=True) == "壹仟陆佰捌拾元零叁角贰分"
        )

    def test_amounts_below_one_yuan_have_no_yuan(self):
        assert amount_in_words(D("0.50")) == "伍角整"
        assert amount_in_words(D("0.15")) == "壹角伍分"

    def test_large_amounts_use_wan_yi(self):
        assert amount_in_words(D("1234567800000000")) == "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌亿元整"
        assert amount_in_words(D("1000000000000")) == "壹万亿元整"

    def test_prefix_renminbi_without_a_gap(self):
        assert amount_in_words(D("100"), prefix=True) == "人民币壹佰元整"

    def test_uses_only_the_financial_characters(self):
        words = amount_in_words(D("1234567890.12"))
        assert not set(words) & set("一二三四五六七八九十百千两毛另")

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            (D("-1"), ErrorCode.AMOUNT_NEGATIVE),
            (D("1.005"), ErrorCode.AMOUNT_TOO_PRECISE),
            (D("10000000000000000"), ErrorCode.AMOUNT_TOO_LARGE),
        ],
    )
    def test_refuses_what_is_not_an_amount_of_money(self, value, code):
        with pytest.raises(AmountInvalid) as err:
            amount_in_words(value)
        assert err.value.code == code

    @given(fen_amounts)
    def test_words_read_back_to_the_same_amount(self, amount):
        for options in ({}, {"zero_after_wan": True, "zero_before_jiao": True},
                        {"zheng_after_jiao": False}):
            assert parse_words(amount_in_words(amount, **options)) == amount

    @given(fen_amounts)
    def test_never_two_lings_in_a_row_and_never_ling_before_a_unit(self, amount):
        words = amount_in_words(amount)
        assert "零零" not in words
        for unit in "拾佰仟万亿元角分整":
            assert "零" + unit not in words or (unit == "元" and words == "零元整")


class TestParseAmount:
    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("250,277.13", "250277.13"),
            ("250277.13", "250277.13"),
            ("25.03万", "250300.00"),
            ("1.2亿", "120000000.00"),
            ("２５０，２７７．１３", "250277.13"),
            ("￥1,000元", "1000.00"),
            ("人民币 300 元", "300.00"),
            ("0.5", "0.50"),
            (".5", "0.50"),
            ("贰拾伍万零贰佰柒拾柒元壹角叁分", "250277.13"),
            ("人民币壹拾万元整", "100000.00"),
        ],
    )
    def test_reads_what_people_type(self, text, value):
        assert parse_amount(text) == D(value)

    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("", ErrorCode.AMOUNT_INVALID),
            ("abc", ErrorCode.AMOUNT_INVALID),
            ("1,00", ErrorCode.AMOUNT_INVALID),
            ("12,34.5", ErrorCode.AMOUNT_INVALID),
            ("1.2.3", ErrorCode.AMOUNT_INVALID),
            ("-5", ErrorCode.AMOUNT_NEGATIVE),
            ("1.234", ErrorCode.AMOUNT_TOO_PRECISE),
            ("1.2345678万", ErrorCode.AMOUNT_TOO_PRECISE),
            ("NaN", ErrorCode.AMOUNT_INVALID),
            ("贰贰元", ErrorCode.AMOUNT_INVALID),
        ],
    )
    def test_refuses_with_a_stable_code_and_chinese_message(self, text, code):
        with pytest.raises(AmountInvalid) as err:
            parse_amount(text)
        assert err.value.code == code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in err.value.message)

    def test_error_names_what_the_user_typed(self):
        with pytest.raises(AmountInvalid) as err:
            parse_amount("1.2345678万")
        assert "1.2345678万" in err.value.message

    @given(fen_amounts)
    def test_formatted_amounts_parse_back(self, amount):
        assert parse_amount(money.format_amount(amount)) == amount


class TestMoney:
    def test_refuses_floats(self):
        with pytest.raises(AmountInvalid):
            money.money(0.1)  # type: ignore[arg-type]

    def test_keeps_two_places(self):
        assert str(money.money("5")) == "5.00"

    @pytest.mark.parametrize("typed", ["9" * 30, "9" * 26 + ".5", "3" * 27 + "万"])
    def test_an_amount_beyond_decimal_precision_is_too_large_not_a_crash(self, typed):
        """Thirty digits typed into an amount field used to overflow the quantize step
        (decimal.InvalidOperation, a server error): they are simply too large."""
        with pytest.raises(AmountInvalid) as err:
            parse_amount(typed)
        assert err.value.code == ErrorCode.AMOUNT_TOO_LARGE

    def test_format_uses_thousands_separators(self):
        assert money.format_amount(D("250277.13")) == "250,277.13"
        assert money.format_amount(D("0")) == "0.00"


class TestSplitEvenly:
    def test_s1_sixty_instalments_put_the_remainder_last(self):
        parts = money.split_evenly(D("250277.13"), 60)
        assert parts[:59] == [D("4171.28")] * 59
        assert parts[59] == D("4171.61")

    def test_whole_yuan_step(self):
        parts = money.split_evenly(D("250277.13"), 60, step=D("1"))
        assert parts[0] == D("4171.00")
        assert parts[-1] == D("4188.13")

    @given(fen_amounts.filter(lambda a: a < 10**12), st.integers(1, 600),
           st.sampled_from([D("0.01"), D("1"), D("100")]))
    def test_parts_sum_exactly_and_none_is_negative(self, total, parts, step):
        split = money.split_evenly(total, parts, step=step)
        assert sum(split) == total
        assert len(split) == parts
        assert min(split) >= 0
        assert split[-1] == max(split)


class TestParseRate:
    @pytest.mark.parametrize(
        ("text", "value"),
        [("4.35%", "0.0435"), ("0.0435", "0.0435"), ("24%", "0.24"), ("０.５", "0.5")],
    )
    def test_reads_percent_or_fraction(self, text, value):
        assert money.parse_rate(text) == D(value)

    @pytest.mark.parametrize("text", ["4.35", "-1%", "abc", "150%"])
    def test_refuses_ambiguous_or_impossible_rates(self, text):
        with pytest.raises(money.DomainError) as err:
            money.parse_rate(text)
        assert err.value.code == ErrorCode.RATE_INVALID
