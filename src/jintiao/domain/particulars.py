"""A party's particulars as a court writes them (当事人基本情况): what a document must say of a
natural person or an entity, checked without a database.

Sources: 《人民法院民事裁判文书制作规范》(法〔2016〕221号) §3 — a natural person by name, sex,
birth date, ethnicity, occupation or employer and domicile; an entity by name, domicile and its
legal representative or principal with title; the SPC 《民事诉讼文书样式》(2016) applications
the same. CPL Art. 22 and SPC Interpretation Art. 4: a citizen's domicile is the place of
household registration, a habitual residence (经常居住地) the place lived a year or more —
written only where it differs. Ethnicities: GB/T 3304-1991, the 56 recognised nationalities.

Sex and birth date are carried by the resident ID number (GB 11643-1999, digits 7–14 and
17): what is typed must agree with it, and what is not typed is taken from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from jintiao.domain.errors import DomainError, ErrorCode

# GB/T 3304-1991, in the standard's order (its codes 01–56).
ETHNICITIES = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
    "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族",
    "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族",
    "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
)
SEXES = ("男", "女")
ADDRESS_MAX = 300


class IdType(StrEnum):
    """The documents a number may come from. All three personal ones are 18 characters under
    GB 11643's check; they differ by their first digits (the residence permits of Hong Kong,
    Macao and Taiwan residents start 81, 82, 83; the 2023 foreigner's permanent residence
    card starts 9)."""

    RESIDENT_ID = "resident_id"
    HMT_PERMIT = "hmt_permit"
    FOREIGN_PR = "foreign_pr"
    USCC = "uscc"

    @property
    def label(self) -> str:
        return _ID_TYPE_LABELS[self]


_ID_TYPE_LABELS = {
    IdType.RESIDENT_ID: "居民身份证",
    IdType.HMT_PERMIT: "港澳台居民居住证",
    IdType.FOREIGN_PR: "外国人永久居留身份证",
    IdType.USCC: "统一社会信用代码证",
}
PERSON_ID_TYPES = (IdType.RESIDENT_ID, IdType.HMT_PERMIT, IdType.FOREIGN_PR)


class RepRole(StrEnum):
    """Who speaks for an entity: a legal person's 法定代表人, an unincorporated
    organisation's 主要负责人 (CPL Art. 51)."""

    LEGAL_REP = "legal_rep"
    PRINCIPAL = "principal"

    @property
    def label(self) -> str:
        return "法定代表人" if self is RepRole.LEGAL_REP else "主要负责人"


class ParticularsInvalid(DomainError):
    """A particular that contradicts the ID number or is not one the law knows."""

    code = ErrorCode.PARTY_INVALID


def id_type_problem(id_type: IdType, number: str) -> str | None:
    """Why ``number`` cannot be a number of ``id_type`` (a normalised 18-character number)."""
    if id_type is IdType.HMT_PERMIT and number[:2] not in {"81", "82", "83"}:
        return "港澳台居民居住证号码以81、82或83开头"
    if id_type is IdType.FOREIGN_PR and not number.startswith("9"):
        return "外国人永久居留身份证号码以9开头"
    if id_type is IdType.RESIDENT_ID and number[:1] in {"8", "9"}:
        return "以8或9开头的号码不是居民身份证号码，请选择相应的证件类型"
    return None


@dataclass(frozen=True)
class PersonFacts:
    """What a person's particulars say once checked against the ID number."""

    sex: str
    birth_date: dt.date
    ethnicity: str


def person_facts(*, sex_in_id: str, born_in_id: dt.date, sex: str = "",
                 birth_date: dt.date | None = None, ethnicity: str = "") -> PersonFacts:
    """The sex, birth date and ethnicity to record: those typed, if they agree with the ID
    number, and else what the number says.

    :raises ParticularsInvalid: ``sex_mismatch``, ``birth_date_mismatch``,
        ``ethnicity_unknown`` — each with its ``field``
    """
    sex = sex.strip()
    if sex and sex not in SEXES:
        raise ParticularsInvalid("性别应为“男”或“女”", f"sex {sex!r} unknown",
                                 reason="sex_unknown", field="sex")
    if sex and sex != sex_in_id:
        raise ParticularsInvalid(f"性别与证件号码不符：号码第17位表示“{sex_in_id}”",
                                 "sex differs from the ID number", reason="sex_mismatch",
                                 field="sex")
    if birth_date is not None and birth_date != born_in_id:
        raise ParticularsInvalid(
            f"出生日期与证件号码不符：号码中的出生日期为{born_in_id.year}年{born_in_id.month}月"
            f"{born_in_id.day}日", "birth date differs from the ID number",
            reason="birth_date_mismatch", field="birth_date")
    ethnicity = ethnicity.strip()
    if ethnicity and not ethnicity.endswith("族") and f"{ethnicity}族" in ETHNICITIES:
        ethnicity += "族"  # "汉" is typed as often as "汉族"
    if ethnicity and ethnicity not in ETHNICITIES:
        raise ParticularsInvalid(f"民族“{ethnicity}”不在GB/T 3304规定的56个民族名称中",
                                 "ethnicity not one of GB/T 3304's",
                                 reason="ethnicity_unknown", field="ethnicity")
    return PersonFacts(sex_in_id, born_in_id, ethnicity)


def residence_kept(domicile: str, residence: str) -> str:
    """The habitual residence to record: written only where it differs from the domicile."""
    residence = residence.strip()
    return "" if residence == domicile.strip() else residence


def missing_for_court(*, kind: str, domicile: str, ethnicity: str = "",
                      rep_name: str = "") -> list[str]:
    """What a court filing still lacks of a party's particulars (the drafting rules' list);
    sex and birth date always come with a person's number."""
    missing: list[str] = []
    if kind == "person" and not ethnicity:
        missing.append("民族")
    if not domicile.strip():
        missing.append("住所")
    if kind == "entity" and not rep_name:
        missing.append("法定代表人或主要负责人")
    return missing
