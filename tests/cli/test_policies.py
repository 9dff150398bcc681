"""``jintiao policy list | publish``: the versions with their sources, and an administrator's
new version through the same service as the page — a dry run shows the difference and writes
nothing, a value out of its domain is refused in words."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from jintiao import clock
from jintiao.cli import main
from jintiao.domain.lifecycle import Role
from jintiao.policies.models import PolicyVersion
from tests.factories import UserFactory

BASIS = "凯里市金融纠纷多元化解领导小组〔2027〕2号"


@pytest.fixture
def county_admin(world):
    return UserFactory(organization=world.county, roles=[Role.ADMINISTRATOR])


def publish(world, admin, *extra: str) -> int:
    start = (clock.today() + dt.timedelta(days=1)).isoformat()
    return main(["policy", "publish", "--organization", str(world.committee.pk), "--by",
                 admin.username, "--from", start, *extra])


def test_a_dry_run_shows_the_difference_and_publishes_nothing(world, county_admin, capsys):
    assert publish(world, county_admin, "--set", "mediation_simple_limit=10:working_days",
                   "--source", f"mediation_simple_limit={BASIS}", "--dry-run") == 0
    out = capsys.readouterr().out
    assert f"简易程序调解期限：7个工作日 → 10个工作日\t依据：{BASIS}" in out
    assert not PolicyVersion.objects.filter(organization=world.committee).exists()


def test_publishing_stores_the_version_with_its_sources(world, county_admin, capsys):
    assert publish(world, county_admin, "--set", "stack_fee_halvings=true", "--source",
                   f"stack_fee_halvings={BASIS}", "--basis", BASIS) == 0
    row = PolicyVersion.objects.get(organization=world.committee)
    assert row.data["stack_fee_halvings"] is True
    assert (row.sources["stack_fee_halvings"], row.source) == (BASIS, BASIS)
    assert row.published_by == county_admin
    capsys.readouterr()

    assert main(["policy", "list", "--organization", str(world.committee.pk), "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    rule = next(r for r in listed["rules"] if r["field"] == "stack_fee_halvings")
    assert rule == {"field": "stack_fee_halvings", "value": True, "text": "是", "source": BASIS}


def test_a_value_out_of_its_domain_or_a_stranger_is_refused(world, county_admin, capsys):
    assert publish(world, county_admin, "--set", "annual_cost_cap=0.36", "--source",
                   f"annual_cost_cap={BASIS}") == 2
    assert "全国上限年24%" in capsys.readouterr().err
    assert publish(world, world.director, "--set", "max_extensions=2") == 2
    assert "不能发布其规则" in capsys.readouterr().err
    assert not PolicyVersion.objects.filter(organization=world.committee).exists()


def test_a_scheduled_version_is_withdrawn_with_a_reason(world, county_admin, capsys):
    publish(world, county_admin, "--set", "max_extensions=2", "--source",
            f"max_extensions={BASIS}")
    assert main(["policy", "withdraw", "--organization", str(world.committee.pk),
                 "--version", "1", "--by", county_admin.username, "--reason", "次数填错"]) == 0
    row = PolicyVersion.objects.get(organization=world.committee)
    assert row.withdrawn_reason == "次数填错"
    assert main(["policy", "withdraw", "--organization", str(world.committee.pk),
                 "--version", "1", "--by", county_admin.username, "--reason", "再撤"]) == 2
    assert "第1版已撤回" in capsys.readouterr().err
