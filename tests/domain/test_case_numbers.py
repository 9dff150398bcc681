"""Case numbers as the SPC's rules on case numbers build them (法〔2015〕137号)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain.case_numbers import (
    PROVINCE_SHORT,
    CourtCodeInvalid,
    case_number,
    suggested_court_code,
    validate_court_code,
)


@pytest.mark.parametrize(("region", "code"), [
    ("522601", "黔2601"),   # 凯里市人民法院, a basic court
    ("522600", "黔26"),     # 黔东南州中级人民法院, an intermediate court
    ("520000", "黔"),       # 贵州省高级人民法院
    ("440703", "粤0703"),   # 蓬江 (the SPC's published table: 粤0703)
    ("150102", "内0102"),   # 内蒙古's short name in case numbers is 内 (Art. 4)
    ("990101", ""),         # no such province: nothing to suggest
])
def test_the_code_a_division_code_suggests(region, code):
    assert suggested_court_code(region) == code


@pytest.mark.parametrize("text", ["黔2601", " 黔26 ", "黔", "最高法", "京0105"])
def test_published_codes_are_taken(text):
    assert validate_court_code(text) == text.strip()


@pytest.mark.parametrize("text", ["", "522601", "黔261", "黔260101", "Q2601", "黔 2601"])
def test_anything_else_is_refused_with_the_form_named(text):
    with pytest.raises(CourtCodeInvalid, match="省级简称加两位或四位数字") as refused:
        validate_court_code(text)
    assert refused.value.code == "court_code_invalid"


def test_a_case_number_reads_as_a_court_writes_it():
    assert case_number(2026, "黔2601", "民特", 1) == "（2026）黔2601民特1号"


@given(st.sampled_from(sorted(PROVINCE_SHORT)), st.integers(1, 99), st.integers(1, 99))
def test_every_suggestion_is_a_valid_code(province, prefecture, county):
    region = f"{province}{prefecture:02d}{county:02d}"
    assert validate_court_code(suggested_court_code(region)) == suggested_court_code(region)
