"""The queue's durations and counts as a deployment writes them: Decimal seconds to the
microsecond, and a clear refusal of anything else (said when a worker starts)."""

from __future__ import annotations

import argparse
import datetime as dt

import pytest

from jintiao.cli.jobs import _positive_seconds
from jintiao.jobs import conf
from jintiao.jobs.conf import JobsConfigInvalid


@pytest.mark.parametrize(("text", "expected"), [
    ("300", dt.timedelta(minutes=5)), (" 0.5 ", dt.timedelta(milliseconds=500)),
    (2, dt.timedelta(seconds=2)), ("0.000001", dt.timedelta(microseconds=1)),
])
def test_seconds_are_read_exactly(text, expected):
    assert conf.seconds(text, "X") == expected


@pytest.mark.parametrize(("text", "words"), [
    ("soon", "X应为数字：soon"), ("", "X应为数字："), ("0", "X应为大于0的数：0"),
    ("-5", "X应为大于0的数：-5"), ("nan", "X应为大于0的数：nan"), ("inf", "X应为大于0的数：inf"),
])
def test_anything_else_is_refused_in_words(text, words):
    with pytest.raises(JobsConfigInvalid) as refused:
        conf.seconds(text, "X")
    assert refused.value.message == words


def test_the_settings_read_through_the_one_parser(settings):
    settings.JINTIAO_TASK_LEASE_SECONDS = "1.5"
    settings.JINTIAO_JOB_RETRY_SECONDS = 60
    settings.JINTIAO_TASK_MAX_ATTEMPTS = "4"
    settings.JINTIAO_JOB_RETRIES = -1
    assert conf.lease() == dt.timedelta(seconds=1.5)
    assert conf.retry_delay() == dt.timedelta(minutes=1)
    assert (conf.max_attempts(), conf.job_retries()) == (4, 0)
    settings.JINTIAO_TASK_MAX_ATTEMPTS = "0"
    with pytest.raises(JobsConfigInvalid, match="JINTIAO_TASK_MAX_ATTEMPTS应不小于1"):
        conf.max_attempts()
    settings.JINTIAO_TASK_MAX_ATTEMPTS = "2.5"
    with pytest.raises(JobsConfigInvalid, match="应为整数"):
        conf.max_attempts()


@pytest.mark.parametrize("text", ["0", "86401", "abc", "nan", "-1"])
def test_the_cli_interval_is_refused_out_of_range(text):
    with pytest.raises(argparse.ArgumentTypeError, match="秒数应为0至86400之间的数"):
        _positive_seconds(text)


def test_the_cli_interval_in_range():
    assert _positive_seconds("0.25") == 0.25
    assert _positive_seconds("86400") == 86400
