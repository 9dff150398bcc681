"""API tokens: issued with a lifetime, scopes and the system that holds them; revoked by
their holder, their institution's approver or an administrator; their last use written at
most once a minute; tokens from before the upgrade keep working until the default lifetime
from then, with every scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jintiao import clock
from jintiao.domain.lifecycle import Role
from jintiao.orgs.models import ApiToken
from jintiao.orgs.selectors import token_digest, tokens_managed_by, tokens_with_prefix
from jintiao.orgs.services import (
    TokenInvalid,
    may_revoke_token,
    token_create,
    token_revoke,
    token_used,
)
from tests.factories import UserFactory


def row_of(token: str) -> ApiToken:
    return ApiToken.objects.get(digest=token_digest(token))


class TestIssuing:
    def test_a_token_gets_the_default_lifetime_and_every_scope(self, world, settings):
        settings.API_TOKEN_DAYS = 90
        before = clock.now()
        row = row_of(token_create(user=world.agent))
        assert row.scopes == ["read", "intake", "payments", "documents"]
        assert dt.timedelta(days=90) <= row.expires_at - before < dt.timedelta(days=90,
                                                                              minutes=1)
        assert row.system == ""
        assert row.last_used_at is None
        assert not row.revoked

    def test_a_system_token_names_its_system_and_only_the_scopes_asked(self, world):
        token = token_create(user=world.agent, system=" 核心系统 ", scopes=["intake", "read"],
                             days=30)
        row = row_of(token)
        assert token.startswith("jt_")
        assert row.prefix == token[:8]
        assert row.system == "核心系统"
        assert row.scopes == ["read", "intake"]  # in the declared order
        assert row.expires_at - row.created_at < dt.timedelta(days=30, minutes=1)

    def test_only_the_digest_is_kept(self, world):
        token = token_create(user=world.agent)
        stored = ApiToken.objects.filter(digest=token_digest(token)).values().get()
        assert token not in {str(v) for v in stored.values()}

    @pytest.mark.parametrize("days", [0, -1, 366, True])
    def test_a_lifetime_out_of_range_is_refused(self, world, settings, days):
        settings.API_TOKEN_MAX_DAYS = 365
        with pytest.raises(TokenInvalid) as refused:
            token_create(user=world.agent, days=days)
        assert refused.value.details["field"] == "days"
        assert not ApiToken.objects.exists()

    @pytest.mark.parametrize("scopes", [[], ["write"], ["read", "admin"]])
    def test_an_unknown_scope_or_none_is_refused(self, world, scopes):
        with pytest.raises(TokenInvalid, match="权限范围"):
            token_create(user=world.agent, scopes=scopes)

    @pytest.mark.parametrize("system", ["核心\u202e系统", "x" * 51])
    def test_a_system_name_too_long_or_with_invisible_characters_is_refused(self, world,
                                                                            system):
        with pytest.raises(TokenInvalid) as refused:
            token_create(user=world.agent, system=system)
        assert refused.value.details["field"] == "system"

    def test_an_inactive_user_gets_no_token(self, world):
        world.agent.is_active = False
        world.agent.save()
        with pytest.raises(TokenInvalid, match="已停用"):
            token_create(user=world.agent)


class TestRevoking:
    def test_the_holder_revokes_their_own_token(self, world):
        row = row_of(token_create(user=world.agent))
        token_revoke(token=row, by=world.agent)
        row.refresh_from_db()
        assert row.revoked
        assert row.revoked_by == world.agent
        assert row.revoked_at is not None

    def test_the_institutions_approver_revokes_its_systems_tokens(self, world):
        approver = UserFactory(organization=world.bank, roles=[Role.APPROVER])
        row = row_of(token_create(user=world.agent, system="催收系统"))  # agent at the branch
        assert may_revoke_token(approver, row)
        token_revoke(token=row, by=approver)
        assert row_of_pk(row).revoked

    @pytest.mark.parametrize("who", ["hq_agent", "other_agent", "director", "supervisor"])
    def test_nobody_else_does(self, world, who):
        row = row_of(token_create(user=world.agent))
        with pytest.raises(TokenInvalid, match="只有令牌持有人"):
            token_revoke(token=row, by=getattr(world, who))
        assert not row_of_pk(row).revoked

    def test_an_approver_of_another_bank_does_not(self, world):
        approver = UserFactory(organization=world.other_bank, roles=[Role.APPROVER])
        assert not may_revoke_token(approver, row_of(token_create(user=world.agent)))

    def test_an_administrator_does_and_twice_changes_nothing(self, world):
        admin = UserFactory(organization=world.prefecture, roles=[Role.ADMINISTRATOR])
        row = row_of(token_create(user=world.agent))
        first = token_revoke(token=row, by=admin).revoked_at
        again = token_revoke(token=row, by=None)  # the operator's command line
        assert again.revoked_at == first
        assert again.revoked_by == admin

    def test_who_sees_which_tokens_to_manage(self, world):
        approver = UserFactory(organization=world.bank, roles=[Role.APPROVER])
        mine = row_of(token_create(user=world.agent))
        theirs = row_of(token_create(user=world.other_agent))
        assert list(tokens_managed_by(world.agent)) == [mine]
        assert list(tokens_managed_by(approver)) == [mine]
        assert set(tokens_managed_by(UserFactory(roles=[Role.ADMINISTRATOR]))) == {mine, theirs}
        assert not tokens_managed_by(world.director).exists()

    def test_a_prefix_finds_its_token_with_or_without_jt(self, world):
        row = row_of(token_create(user=world.agent))
        assert list(tokens_with_prefix(row.prefix)) == [row]
        assert list(tokens_with_prefix(row.prefix[3:])) == [row]


def row_of_pk(row: ApiToken) -> ApiToken:
    return ApiToken.objects.get(pk=row.pk)


def test_the_last_use_is_written_at_most_once_a_minute(world, django_assert_num_queries):
    row = row_of(token_create(user=world.agent))
    at = clock.now()
    with django_assert_num_queries(1):
        token_used(row, at)
    with django_assert_num_queries(0):
        token_used(row, at + dt.timedelta(seconds=59))
    with django_assert_num_queries(1):
        token_used(row, at + dt.timedelta(seconds=61))
    assert row_of_pk(row).last_used_at == at + dt.timedelta(seconds=61)


@pytest.mark.django_db(transaction=True)
def test_tokens_from_before_the_upgrade_keep_working_with_every_scope(settings):
    """The data migration: an old token gets every scope and lives the default lifetime
    from the upgrade, not from its issue (a three-year-old token is not cut off that day,
    nor does it live for ever)."""
    settings.API_TOKEN_DAYS = 90
    executor = MigrationExecutor(connection)
    before, after = [("orgs", "0007_court_code_unique")], [
        ("orgs", "0008_api_token_expiry_scopes_system")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    user = old.get_model("orgs", "User").objects.create(username="old-system")
    old.get_model("orgs", "ApiToken").objects.create(user=user, digest="d" * 64,
                                                     prefix="jt_old00", name="旧令牌")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    row = new.get_model("orgs", "ApiToken").objects.get(prefix="jt_old00")
    assert row.scopes == ["read", "intake", "payments", "documents"]
    assert dt.timedelta(days=89) < row.expires_at - clock.now() <= dt.timedelta(days=90)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
