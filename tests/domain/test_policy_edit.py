"""Publishing a new policy version (issue 21 §5): values out of their domain are refused with
the stable code and a message naming the field, a changed value needs its source, the
difference lists exactly what changed, and validity windows follow one another."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain.errors import ErrorCode
from jintiao.domain.periods import TimeLimit, Unit
from jintiao.domain.policy import (
    DEFAULT_POLICY,
    EDITABLE,
    FIELD_LABELS,
    SOURCES,
    Kind,
    PolicyInvalid,
    PolicyWindowInvalid,
    Window,
    changed_fields,
    diff,
    display,
    kind_of,
    revise,
    sources_for,
    window_check,
)

BY_KIND = {k: [n for n in EDITABLE if kind_of(n) is k] for k in Kind}
LIMITS, RATES, AMOUNTS, COUNTS = (BY_KIND[Kind.LIMIT], BY_KIND[Kind.RATE],
                                  BY_KIND[Kind.AMOUNT], BY_KIND[Kind.COUNT])


def assert_refused(values: dict, field: str) -> PolicyInvalid:
    with pytest.raises(PolicyInvalid) as refused:
        revise(DEFAULT_POLICY, values)
    assert refused.value.code == ErrorCode.POLICY_INVALID
    assert refused.value.details["field"] == field
    assert FIELD_LABELS[field] in refused.value.message
    return refused.value


class TestOutOfDomain:
    @given(st.sampled_from(LIMITS), st.integers(max_value=0),
           st.sampled_from([u.value for u in Unit]))
    def test_a_limit_below_one_is_refused_naming_the_field(self, name, amount, unit):
        error = assert_refused({name: {"amount": amount, "unit": unit}}, name)
        assert "至少为1" in error.message

    @given(st.sampled_from(LIMITS), st.integers(min_value=1, max_value=9),
           st.text(min_size=1, max_size=12).filter(lambda t: t not in {u.value for u in Unit}))
    def test_an_unknown_unit_is_refused(self, name, amount, unit):
        assert_refused({name: {"amount": amount, "unit": unit}}, name)

    @given(st.sampled_from(RATES),
           st.one_of(st.decimals(max_value=0, allow_nan=False, allow_infinity=False, places=4),
                     st.decimals(min_value=Decimal("1.0001"), max_value=Decimal("1000"),
                                 places=4)))
    def test_a_rate_at_or_below_zero_or_over_a_hundred_percent_is_refused(self, name, rate):
        assert_refused({name: str(rate)}, name)

    @given(st.decimals(min_value=Decimal("0.2401"), max_value=Decimal("1"), places=4))
    def test_a_cost_cap_above_the_national_24_percent_is_refused(self, rate):
        error = assert_refused({"annual_cost_cap": str(rate)}, "annual_cost_cap")
        assert "全国上限年24%" in error.message

    def test_a_stricter_cost_cap_is_accepted(self):
        assert revise(DEFAULT_POLICY, {"annual_cost_cap": "0.18"}).annual_cost_cap == Decimal(
            "0.18")

    @given(st.sampled_from(COUNTS), st.one_of(st.integers(max_value=0),
                                              st.integers(min_value=1000)))
    def test_a_count_that_is_not_a_sensible_positive_whole_number_is_refused(self, name, n):
        assert_refused({name: n}, name)

    @given(st.sampled_from(AMOUNTS), st.decimals(max_value=Decimal("-0.01"), places=2,
                                                  allow_nan=False, allow_infinity=False))
    def test_a_negative_amount_is_refused(self, name, amount):
        assert_refused({name: str(amount)}, name)

    def test_an_amount_finer_than_a_fen_is_refused(self):
        assert_refused({"living_minimum_monthly": "790.005"}, "living_minimum_monthly")

    def test_a_limit_of_more_than_ten_years_is_refused(self):
        assert_refused({"objection_limit": {"amount": 11, "unit": "years"}}, "objection_limit")

    def test_a_word_where_a_number_belongs_is_refused(self):
        assert_refused({"max_extensions": "两次"}, "max_extensions")

    def test_a_field_that_is_not_a_rule_value_is_refused(self):
        with pytest.raises(PolicyInvalid, match="未知的规则项：version"):
            revise(DEFAULT_POLICY, {"version": 9})

    def test_rules_that_depend_on_each_other_are_checked_together(self):
        with pytest.raises(PolicyInvalid, match="每周联系次数上限不得少于每日上限"):
            revise(DEFAULT_POLICY, {"contact_max_per_day": 8})

    @given(st.sampled_from(LIMITS), st.integers(min_value=1, max_value=10),
           st.sampled_from(list(Unit)))
    def test_any_value_in_its_domain_is_kept(self, name, amount, unit):
        revised = revise(DEFAULT_POLICY, {name: {"amount": amount, "unit": unit.value}})
        assert getattr(revised, name) == TimeLimit(amount, unit)


class TestSources:
    def test_a_changed_value_with_an_empty_source_is_refused(self):
        with pytest.raises(PolicyInvalid, match="“小额速调调解期限”已修改，须填写其法律或政策依据"):
            sources_for({"mediation_fast_limit": "  "}, base=SOURCES,
                        changed=["mediation_fast_limit"])

    def test_an_unchanged_value_keeps_its_source_and_a_changed_one_takes_the_new(self):
        out = sources_for({"mediation_fast_limit": "州金融办〔2027〕1号"}, base=SOURCES,
                          changed=["mediation_fast_limit"])
        assert out["mediation_fast_limit"] == "州金融办〔2027〕1号"
        assert out["objection_limit"] == SOURCES["objection_limit"]
        assert set(out) == set(EDITABLE)

    def test_a_source_with_control_characters_or_too_long_is_refused(self):
        with pytest.raises(PolicyInvalid, match="控制字符"):
            sources_for({"objection_limit": "第372条\x00"}, base=SOURCES, changed=[])
        with pytest.raises(PolicyInvalid, match="不得超过300字"):
            sources_for({"objection_limit": "条" * 301}, base=SOURCES, changed=[])

    def test_a_source_for_something_that_is_not_a_rule_is_refused(self):
        with pytest.raises(PolicyInvalid, match="未知的规则项：valid_from"):
            sources_for({"valid_from": "x"}, base=SOURCES, changed=[])


values = st.fixed_dictionaries({}, optional={
    "mediation_fast_limit": st.builds(lambda n: {"amount": n, "unit": "working_days"},
                                      st.integers(1, 30)),
    "objection_limit": st.builds(lambda n: {"amount": n, "unit": "days"}, st.integers(1, 60)),
    "annual_cost_cap": st.sampled_from(["0.24", "0.2", "0.15"]),
    "small_claim_threshold": st.sampled_from(["50000.00", "30000.00", "100000.00"]),
    "max_extensions": st.integers(1, 3),
    "stack_fee_halvings": st.booleans(),
    "electronic_service_counts_on": st.sampled_from(["delivered", "read"]),
})


class TestDiff:
    @given(values)
    def test_the_difference_lists_exactly_the_changed_values(self, changes):
        new = revise(DEFAULT_POLICY, changes)
        expected = {n for n, v in changes.items()
                    if v != DEFAULT_POLICY.to_dict()[n]}
        found = diff(DEFAULT_POLICY, new, old_sources=SOURCES, new_sources=SOURCES)
        assert {c.field for c in found} == expected
        assert all(c.value_changed and not c.source_changed for c in found)
        assert set(changed_fields(DEFAULT_POLICY, new)) == expected

    def test_a_change_says_old_and_new_in_words_with_both_sources(self):
        new = revise(DEFAULT_POLICY, {"mediation_ordinary_limit": {"amount": 10,
                                                                   "unit": "working_days"}})
        sources = {**SOURCES, "mediation_ordinary_limit": "州金融办〔2027〕1号"}
        (change,) = diff(DEFAULT_POLICY, new, old_sources=SOURCES, new_sources=sources)
        assert (change.label, change.old, change.new) == ("普通程序调解期限", "15个工作日",
                                                          "10个工作日")
        assert change.old_source == SOURCES["mediation_ordinary_limit"]
        assert change.new_source == "州金融办〔2027〕1号"

    def test_a_new_source_alone_is_listed_as_a_change_of_source(self):
        sources = {**SOURCES, "living_minimum_monthly": "黔民发〔2027〕3号"}
        (change,) = diff(DEFAULT_POLICY, DEFAULT_POLICY, old_sources=SOURCES,
                         new_sources=sources)
        assert change.source_changed
        assert not change.value_changed

    def test_values_read_as_people_say_them(self):
        assert display("annual_cost_cap", Decimal("0.24")) == "24%"
        assert display("small_claim_threshold", Decimal("50000.00")) == "50,000.00元"
        assert display("third_party_objection_limit", TimeLimit(6, Unit.MONTHS)) == "6个月"
        assert display("electronic_service_counts_on", "read") == "阅读即送达"
        assert display("stack_fee_halvings", False) == "否"


D = dt.date


class TestWindow:
    def test_backwards_dates_are_refused(self):
        with pytest.raises(PolicyWindowInvalid, match="失效日期（2027-01-01）必须晚于生效日期"):
            window_check(D(2027, 1, 1), D(2027, 1, 1), earlier=[], today=D(2026, 12, 7))

    def test_a_start_before_today_is_refused_for_an_administrator(self):
        with pytest.raises(PolicyWindowInvalid) as refused:
            window_check(D(2026, 12, 6), None, earlier=[], today=D(2026, 12, 7))
        assert refused.value.code == ErrorCode.POLICY_WINDOW_INVALID
        assert "不能早于今天（2026-12-07）" in refused.value.message

    def test_today_is_a_valid_start(self):
        assert window_check(D(2026, 12, 7), None, earlier=[], today=D(2026, 12, 7)) is None

    def test_the_latest_open_version_is_closed_the_day_the_new_one_starts(self):
        v1 = Window(1, D(2025, 1, 1), None)
        assert window_check(D(2027, 1, 1), None, earlier=[v1], today=D(2026, 12, 7)) == v1

    def test_a_latest_version_that_ended_before_is_left_alone(self):
        v1 = Window(1, D(2025, 1, 1), D(2026, 6, 1))
        assert window_check(D(2027, 1, 1), None, earlier=[v1], today=D(2026, 12, 7)) is None

    def test_a_start_on_or_before_the_latest_start_overlaps(self):
        v1 = Window(1, D(2025, 1, 1), D(2027, 1, 1))
        v2 = Window(2, D(2027, 1, 1), None)
        with pytest.raises(PolicyWindowInvalid,
                           match="与第2版的有效期重叠：第2版自2027-01-01起生效"):
            window_check(D(2026, 12, 20), None, earlier=[v1, v2], today=D(2026, 12, 7))

    def test_an_earlier_version_still_running_overlaps(self):
        v1 = Window(1, D(2025, 1, 1), None)  # never closed: stored before windows were checked
        v2 = Window(2, D(2026, 1, 1), None)
        with pytest.raises(PolicyWindowInvalid, match="与第1版的有效期重叠"):
            window_check(D(2027, 1, 1), None, earlier=[v1, v2], today=D(2026, 12, 7))

    @given(st.dates(D(2020, 1, 1), D(2030, 1, 1)), st.lists(
        st.tuples(st.dates(D(2020, 1, 1), D(2030, 1, 1)), st.integers(1, 400)), max_size=5))
    def test_an_accepted_window_never_shares_a_day_with_another(self, start, spans):
        earlier: list[Window] = []
        for n, (begin, days) in enumerate(sorted(spans), start=1):
            try:
                closes = window_check(begin, None, earlier=earlier, today=None)
            except PolicyWindowInvalid:
                continue
            earlier = [Window(w.version, w.valid_from, begin) if w == closes else w
                       for w in earlier] + [Window(n, begin, begin + dt.timedelta(days=days))]
        try:
            closes = window_check(start, None, earlier=earlier, today=None)
        except PolicyWindowInvalid:
            return
        after = [Window(w.version, w.valid_from, start) if w == closes else w for w in earlier]
        assert all(w.valid_to is not None and w.valid_to <= start for w in after)


@pytest.mark.parametrize("name", EDITABLE)
def test_every_rule_has_a_kind_and_reads_in_words(name):
    """A field added to the policy must be given its kind: the form, the API and the
    difference show it as what it is (a limit with its unit, a choice by its meaning)."""
    kind = kind_of(name)
    text = display(name, getattr(DEFAULT_POLICY, name))
    assert text
    if kind is Kind.CHOICE:
        assert text != str(getattr(DEFAULT_POLICY, name))


def test_the_joint_share_rule_is_one_of_its_words():
    assert display("joint_share_rule", "secured_first") == "有担保债权优先，其余按比例分配"
    assert revise(DEFAULT_POLICY, {"joint_share_rule": "agreed"}).joint_share_rule == "agreed"
    assert_refused({"joint_share_rule": "equal"}, "joint_share_rule")


@pytest.mark.parametrize("name", ["规" * 101, "默认规则\x00", "默认\n规则"])
def test_a_versions_name_is_short_and_printable_whoever_types_it(name):
    """Found in review: only the web form checked the name; the CLI stored a NUL."""
    from jintiao.domain.policy import DEFAULT_POLICY, PolicyInvalid

    with pytest.raises(PolicyInvalid) as refused:
        DEFAULT_POLICY.replace(name=name)
    assert refused.value.details["field"] == "name"
