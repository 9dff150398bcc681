"""The outreach rules: caps and contact hours, the cannot-reach path, when service counts,
verification codes and vetted texts."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain.outreach import (
    CODE_ALPHABET,
    Attempt,
    ContactChannel,
    ContactLimits,
    ContactOutcome,
    OutreachInvalid,
    ReachStage,
    ServiceChannel,
    ServiceResult,
    contact_refusal,
    counts_as_served,
    format_code,
    limits_of,
    normalise_code,
    reach_stage,
    render_template,
    template_problems,
)
from jintiao.domain.policy import DEFAULT_POLICY, PolicyInvalid

LIMITS = ContactLimits(per_day=3, per_week=7, day_starts=8, day_ends=21)
START = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # local


@given(st.lists(st.integers(min_value=0, max_value=14 * 24 * 60 - 1), max_size=80))
def test_accepting_contacts_one_by_one_never_breaks_a_cap_or_the_hours(minutes):
    """Whatever the desk tries, the contacts let through keep every cap and the hours."""
    made: list[dt.datetime] = []
    for m in sorted(minutes):
        at = START + dt.timedelta(minutes=m)
        if contact_refusal(at, made, LIMITS) is None:
            made.append(at)
    for at in made:
        assert LIMITS.day_starts <= at.hour < LIMITS.day_ends
        assert sum(1 for x in made if x.date() == at.date()) <= LIMITS.per_day
        window = [x for x in made if at.date() - dt.timedelta(days=6) <= x.date() <= at.date()]
        assert len(window) <= LIMITS.per_week


@given(st.integers(min_value=0, max_value=23))
def test_night_is_refused_first(hour):
    refused = contact_refusal(START.replace(hour=hour), [], LIMITS)
    assert (refused is None) == (8 <= hour < 21)
    if refused is not None:
        assert refused.details["reason"] == "night"


def test_the_fourth_of_a_day_is_refused_and_the_next_day_is_new():
    day = START.replace(hour=9)
    three = [day, day.replace(hour=10), day.replace(hour=11)]
    refused = contact_refusal(day.replace(hour=15), three, LIMITS)
    assert refused is not None
    assert refused.details == {"reason": "daily_cap", "count": 3}
    assert contact_refusal(day + dt.timedelta(days=1), three, LIMITS) is None


def test_the_week_is_the_seven_days_ending_today():
    days = [START.replace(hour=10) + dt.timedelta(days=d) for d in range(7)]
    assert contact_refusal(days[-1] + dt.timedelta(hours=2), days, LIMITS) is not None
    # a day later the first has left the window
    assert contact_refusal(days[-1] + dt.timedelta(days=1), days, LIMITS) is None


@pytest.mark.parametrize(("per_day", "per_week", "start", "end"),
                         [(0, 7, 8, 21), (3, 2, 8, 21), (3, 7, 21, 8), (3, 7, 8, 25)])
def test_impossible_limits_are_refused(per_day, per_week, start, end):
    with pytest.raises(OutreachInvalid):
        ContactLimits(per_day, per_week, start, end)


def test_the_policy_refuses_a_week_cap_below_the_day_cap_and_an_unknown_service_rule():
    assert limits_of(DEFAULT_POLICY) == LIMITS
    with pytest.raises(PolicyInvalid):
        DEFAULT_POLICY.replace(contact_max_per_week=2)
    with pytest.raises(PolicyInvalid):
        DEFAULT_POLICY.replace(electronic_service_counts_on="sent")
    with pytest.raises(PolicyInvalid):
        DEFAULT_POLICY.replace(contact_day_starts_hour=22)


def _a(day: int, channel: str, outcome: str) -> Attempt:
    return Attempt(dt.date(2026, 12, day), ContactChannel(channel), ContactOutcome(outcome))


def test_the_cannot_reach_path():
    def stage(*attempts: Attempt) -> ReachStage:
        return reach_stage(attempts, failed_needed=3, days_needed=2)

    assert stage() is ReachStage.TRYING
    same_day = [_a(1, "call", "no_answer")] * 3
    assert stage(*same_day) is ReachStage.TRYING  # three on one day are not enough
    tried = [_a(1, "call", "no_answer"), _a(1, "call", "wrong_number"), _a(2, "visit", "not_found")]
    assert stage(*tried) is ReachStage.TOWNSHIP_VISIT
    assert stage(*tried, _a(3, "township", "not_found")) is ReachStage.MAY_CLOSE
    assert stage(*tried, _a(3, "sms", "sent")) is ReachStage.TOWNSHIP_VISIT  # no answer yet
    assert stage(*tried, _a(3, "call", "refused")) is ReachStage.REACHED  # a refusal is contact
    # a township visit before the attempts were done does not count as the last step
    assert stage(_a(1, "township", "not_found"), *tried[:2], _a(2, "call", "no_answer")) \
        is ReachStage.TOWNSHIP_VISIT


@given(st.sampled_from(list(ServiceChannel)), st.sampled_from(list(ServiceResult)),
       st.booleans(), st.sampled_from(["delivered", "read"]))
def test_what_counts_as_served(channel, result, consented, rule):
    if result not in {
            ServiceChannel.SMS: {"sent", "delivered", "read", "failed"},
            ServiceChannel.EMAIL: {"sent", "delivered", "read", "failed"},
            ServiceChannel.PORTAL: {"delivered", "read"},
            ServiceChannel.IN_PERSON: {"signed", "left", "failed"},
            ServiceChannel.POST: {"sent", "signed", "failed"},
            ServiceChannel.TOWNSHIP: {"signed", "left", "failed"}}[channel]:
        with pytest.raises(OutreachInvalid):
            counts_as_served(channel, result, consented_electronic=consented,
                             electronic_counts_on=rule)
        return
    served = counts_as_served(channel, result, consented_electronic=consented,
                              electronic_counts_on=rule)
    if channel.electronic:
        expected = consented and (result == "read" or (rule == "delivered"
                                                        and result == "delivered"))
    else:
        expected = result in ("signed", "left")
    assert served is expected


@given(st.text(alphabet=CODE_ALPHABET, min_size=8, max_size=8))
def test_a_code_reads_back_however_it_is_typed(code):
    shown = format_code(code)
    assert normalise_code(shown) == code
    assert normalise_code(shown.lower()) == code
    assert normalise_code(f" {shown[:4]} {shown[5:]} ") == code


@pytest.mark.parametrize("typed", ["", "ABCD-EFG", "ABCD-EFGHJ", "0OIL-1234", "ABCD\x00EFGH"])
def test_what_cannot_be_a_code(typed):
    assert normalise_code(typed) is None


def test_vetted_texts():
    assert template_problems("{姓名}您好，请登录{链接}查看。") == ()
    assert "含有催收或威胁性用语：拘留" in template_problems("不还款将被拘留")
    assert any("未知的填充项" in p for p in template_problems("{金额}"))
    assert any("数字" in p for p in template_problems("请还款5000元"))
    assert any("不得超过" in p for p in template_problems("好" * 201))
    assert render_template("{姓名}：{调解时间}", {"姓名": "吴某某"}) == "吴某某：—"
