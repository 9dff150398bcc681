"""Policy: defaults from scenario S7, validation on construction, round trip for storage."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from jintiao.domain.errors import ErrorCode
from jintiao.domain.periods import TimeLimit, Unit
from jintiao.domain.policy import (
    DEFAULT_POLICY,
    FIELD_LABELS,
    SOURCES,
    Policy,
    PolicyInvalid,
    Track,
)


class TestDefaults:
    def test_mediation_limits_follow_scenario_s7(self):
        assert DEFAULT_POLICY.mediation_limit(Track.ORDINARY) == TimeLimit(15, Unit.WORKING_DAYS)
        assert DEFAULT_POLICY.mediation_limit(Track.SIMPLE) == TimeLimit(7, Unit.WORKING_DAYS)
        assert DEFAULT_POLICY.mediation_limit(Track.FAST) == TimeLimit(7, Unit.WORKING_DAYS)
        assert DEFAULT_POLICY.fast_track_limit == TimeLimit(20, Unit.WORKING_DAYS)

    def test_national_limits_follow_design_section_3(self):
        assert DEFAULT_POLICY.confirmation_application_limit == TimeLimit(30, Unit.DAYS)
        assert DEFAULT_POLICY.objection_limit == TimeLimit(15, Unit.DAYS)
        assert DEFAULT_POLICY.enforcement_application_limit == TimeLimit(2, Unit.YEARS)
        assert DEFAULT_POLICY.annual_cost_cap == Decimal("0.24")
        assert DEFAULT_POLICY.acceleration_missed_instalments == 2

    def test_every_field_has_a_chinese_label_and_every_rule_a_source(self):
        names = set(Policy.__dataclass_fields__)
        assert names == set(FIELD_LABELS)
        assert set(SOURCES) <= names
        meta = {"name", "version", "valid_from", "valid_to"}
        assert names - meta - set(SOURCES) == set()

    def test_every_track_has_a_limit(self):
        for track in Track:
            assert DEFAULT_POLICY.mediation_limit(track).amount > 0


class TestValidation:
    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"annual_cost_cap": Decimal("1.5")}, "annual_cost_cap"),
            ({"annual_cost_cap": Decimal("0")}, "annual_cost_cap"),
            ({"small_claim_threshold": Decimal("-1")}, "small_claim_threshold"),
            ({"mediation_ordinary_limit": TimeLimit(0, Unit.WORKING_DAYS)},
             "mediation_ordinary_limit"),
            ({"acceleration_missed_instalments": 0}, "acceleration_missed_instalments"),
            ({"fee_quantum": Decimal("0.05")}, "fee_quantum"),
            ({"valid_to": dt.date(2024, 1, 1)}, "valid_to"),
            ({"name": " "}, "name"),
            ({"stack_fee_halvings": "yes"}, "stack_fee_halvings"),
        ],
    )
    def test_bad_values_are_refused_naming_the_field(self, changes, field):
        with pytest.raises(PolicyInvalid) as err:
            DEFAULT_POLICY.replace(**changes)
        assert err.value.code == ErrorCode.POLICY_INVALID
        assert err.value.details["field"] == field

    def test_unknown_field_is_refused(self):
        with pytest.raises(PolicyInvalid):
            DEFAULT_POLICY.replace(mediation_limit_typo=3)

    def test_validity_window_is_half_open(self):
        policy = DEFAULT_POLICY.replace(valid_from=dt.date(2026, 1, 1),
                                        valid_to=dt.date(2027, 1, 1))
        assert policy.is_in_force_on(dt.date(2026, 1, 1))
        assert policy.is_in_force_on(dt.date(2026, 12, 31))
        assert not policy.is_in_force_on(dt.date(2027, 1, 1))
        assert not policy.is_in_force_on(dt.date(2025, 12, 31))

    def test_policy_is_immutable(self):
        with pytest.raises(AttributeError):
            DEFAULT_POLICY.annual_cost_cap = Decimal("0.1")  # type: ignore[misc]


class TestStorage:
    def test_round_trips_through_json(self):
        policy = DEFAULT_POLICY.replace(
            mediation_ordinary_limit=TimeLimit(10, Unit.WORKING_DAYS),
            small_claim_threshold=Decimal("80000.00"), valid_to=dt.date(2030, 1, 1),
        )
        restored = Policy.from_dict(json.loads(json.dumps(policy.to_dict())))
        assert restored == policy

    def test_missing_fields_take_the_defaults(self):
        assert Policy.from_dict({"version": 3}) == DEFAULT_POLICY.replace(version=3)

    @pytest.mark.parametrize(
        "data",
        [
            {"annual_cost_cap": 0.24},
            {"mediation_fast_limit": {"amount": 7, "unit": "weeks"}},
            {"mediation_fast_limit": 7},
            {"version": "2"},
            {"valid_from": "2026-13-01"},
            {"no_such_rule": 1},
        ],
    )
    def test_bad_stored_values_are_refused(self, data):
        with pytest.raises(PolicyInvalid):
            Policy.from_dict(data)
