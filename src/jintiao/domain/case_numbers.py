"""Court case numbers (案号) as the Supreme People's Court builds them.

Source: 最高人民法院《关于人民法院案件案号的若干规定》(法〔2015〕137号, in force
2016-01-01) and its 《各级法院代字表》:

- Art. 3: a case number is "（" + the year the case was received + "）" + the court's code
  (法院代字) + the type code (类型代字) + the serial number + "号" — （2026）黔2601民特1号.
- Art. 4: the SPC is 最高法; a high court's code is its province's short name (内蒙古 "内").
- Art. 5: an intermediate court's code is its high court's code and two digits, a basic
  court's four, following the administrative division code of its prefecture and county
  (黔东南州中级人民法院 黔26, 凯里市人民法院 黔2601).
- Art. 12: the codes are published by the SPC — so a court's code is data on its record,
  and the division code only suggests it (a railway, maritime or internet court has a code
  no division code gives).
- Art. 10: serial numbers run per court, type and year, from 1.

The type code of a judicial confirmation of a mediation agreement is 民特 (special civil
procedure, 《人民法院案件类型及其代字标准》)."""

from __future__ import annotations

import re

from jintiao.domain.errors import DomainError, ErrorCode

CONFIRMATION_TYPE = "民特"

# The provinces' short names (GB/T 2260's two leading digits; Art. 4's exception for 内蒙古).
PROVINCE_SHORT = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "内", "21": "辽", "22": "吉",
    "23": "黑", "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣",
    "37": "鲁", "41": "豫", "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼",
    "50": "渝", "51": "川", "52": "黔", "53": "滇", "54": "藏", "61": "陕", "62": "甘",
    "63": "青", "64": "宁", "65": "新", "71": "台", "81": "港", "82": "澳",
}

# 最高法; a province's short name (or 军, 兵), then nothing, two digits or four; a court
# outside the division rules (铁路, 海事, 知识产权…) carries up to two more characters before
# its digits in the published table, so a letter or two more is let through.
COURT_CODE = re.compile(r"最高法|[\u4e00-\u9fff]{1,3}(\d{2}|\d{4})?")


class CourtCodeInvalid(DomainError):
    code = ErrorCode.COURT_CODE_INVALID


def suggested_court_code(region_code: str) -> str:
    """The code Art. 5 gives a court from its division code: the province's short name for a
    high court (xx0000), with the prefecture's two digits for an intermediate court (xxyy00),
    with the county's four for a basic court; "" for a division code outside the table."""
    short = PROVINCE_SHORT.get(region_code[:2], "")
    if not short or not re.fullmatch(r"\d{6}", region_code):
        return ""
    if region_code.endswith("0000"):
        return short
    if region_code.endswith("00"):
        return short + region_code[2:4]
    return short + region_code[2:6]


def validate_court_code(text: str) -> str:
    """The court's code as published (黔2601), stripped.

    :raises CourtCodeInvalid: empty, or not a short name followed by nothing, two or four
        digits"""
    code = text.strip()
    if not COURT_CODE.fullmatch(code):
        raise CourtCodeInvalid(
            f"法院代字应为省级简称加两位或四位数字（如黔2601），或最高法：{code or '（空）'}",
            "a court code is a province's short name with two or four digits",
            field="court_code")
    return code


def case_number(year: int, court_code: str, type_code: str, serial: int) -> str:
    """（2026）黔2601民特1号 (Art. 3)."""
    return f"（{year}）{court_code}{type_code}{serial}号"
