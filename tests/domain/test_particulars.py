"""Particulars as a court writes them: sex and birth date agree with the ID number,
ethnicity is one of GB/T 3304's, residence only where it differs."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain import identity
from jintiao.domain.particulars import (
    ETHNICITIES,
    IdType,
    ParticularsInvalid,
    id_type_problem,
    missing_for_court,
    person_facts,
    residence_kept,
)

BORN = dt.date(1985, 3, 2)


def test_fifty_six_ethnicities_each_once():
    assert len(ETHNICITIES) == 56
    assert len(set(ETHNICITIES)) == 56
    assert ETHNICITIES[0] == "汉族"
    assert "苗族" in ETHNICITIES
    assert "侗族" in ETHNICITIES


def test_what_is_not_typed_comes_from_the_number():
    facts = person_facts(sex_in_id="女", born_in_id=BORN)
    assert (facts.sex, facts.birth_date, facts.ethnicity) == ("女", BORN, "")


def test_a_bare_ethnicity_name_is_written_in_full():
    assert person_facts(sex_in_id="男", born_in_id=BORN, ethnicity="苗").ethnicity == "苗族"


@pytest.mark.parametrize(("typed", "reason", "field"), [
    ({"sex": "男"}, "sex_mismatch", "sex"),
    ({"sex": "M"}, "sex_unknown", "sex"),
    ({"birth_date": dt.date(1985, 3, 3)}, "birth_date_mismatch", "birth_date"),
    ({"ethnicity": "火星族"}, "ethnicity_unknown", "ethnicity"),
])
def test_a_particular_against_the_number_is_refused_at_its_field(typed, reason, field):
    with pytest.raises(ParticularsInvalid) as refused:
        person_facts(sex_in_id="女", born_in_id=BORN, **typed)
    assert refused.value.details["reason"] == reason
    assert refused.value.details["field"] == field


def test_the_birth_date_mismatch_names_the_numbers_date():
    with pytest.raises(ParticularsInvalid, match="1985年3月2日"):
        person_facts(sex_in_id="女", born_in_id=BORN, birth_date=dt.date(1958, 3, 2))


@given(st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2020, 12, 31)),
       st.integers(min_value=0, max_value=999))
def test_the_numbers_own_sex_and_birth_date_always_agree(born, serial):
    first17 = f"520103{born:%Y%m%d}{serial:03d}"
    number = first17 + identity.resident_id_check_char(first17)
    checked = identity.check_resident_id(number, on=dt.date(2026, 12, 6))
    facts = person_facts(sex_in_id=checked.sex, born_in_id=checked.birth_date,
                         sex=checked.sex, birth_date=born)
    assert facts.birth_date == born
    assert facts.sex == ("男" if serial % 2 else "女")


@pytest.mark.parametrize(("kind", "number", "problem"), [
    (IdType.HMT_PERMIT, "810000199001011234", None),
    (IdType.HMT_PERMIT, "520103199001011234", "81、82或83"),
    (IdType.FOREIGN_PR, "911560199001011234", None),
    (IdType.FOREIGN_PR, "520103199001011234", "以9开头"),
    (IdType.RESIDENT_ID, "830000199001011234", "不是居民身份证"),
    (IdType.RESIDENT_ID, "520103199001011234", None),
])
def test_the_document_type_fits_the_numbers_first_digits(kind, number, problem):
    found = id_type_problem(kind, number) or ""
    assert (problem or "") in found
    assert bool(found) == bool(problem)


def test_residence_is_kept_only_where_it_differs():
    assert residence_kept("凯里市北京东路1号", " 凯里市北京东路1号 ") == ""
    assert residence_kept("凯里市北京东路1号", "贵阳市中华北路2号") == "贵阳市中华北路2号"


def test_what_a_filing_still_lacks():
    assert missing_for_court(kind="person", domicile="") == ["民族", "住所"]
    assert missing_for_court(kind="person", domicile="凯里市", ethnicity="苗族") == []
    assert missing_for_court(kind="entity", domicile="凯里市") == ["法定代表人或主要负责人"]
