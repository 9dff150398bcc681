"""What a token may do at the API: an expired or revoked one is refused in Chinese with its
own code (401); each operation needs its scope (403 without it); each token is held to a
rate a minute, counted in the cache (429 with Retry-After); its last use is recorded."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.test import Client

from jintiao import clock
from jintiao.api import api
from jintiao.api.auth import SCOPES, scope_of
from jintiao.orgs.models import ApiToken, TokenScope
from jintiao.orgs.selectors import token_digest
from jintiao.orgs.services import token_create, token_revoke
from tests.factories import intake

LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                           "LOCATION": "api-rate-tests"}}


def call(token: str, method: str, path: str, body: object = None):
    client = Client()
    headers = {"Authorization": f"Bearer {token}"}
    if method == "get":
        return client.get(f"/api/v1{path}", headers=headers)
    return getattr(client, method)(f"/api/v1{path}", data=json.dumps(body or {}),
                                   content_type="application/json", headers=headers)


def expect_refusal(response, status: int, code: str, words: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert words in body["message"]
    return body


class TestExpiryAndRevocation:
    def test_an_expired_token_is_refused_with_its_own_code(self, world):
        token = token_create(user=world.agent, days=1)
        assert call(token, "get", "/me").status_code == 200
        later = clock.now() + dt.timedelta(days=1, seconds=1)
        with clock.pinned(later):
            body = expect_refusal(call(token, "get", "/me"), 401, "token_expired", "已于")
        assert "过期" in body["message"]
        assert "申请新令牌" in body["message"]
        assert body["details"]["prefix"] == token[:8]

    def test_a_revoked_token_is_refused_from_the_next_request(self, world):
        token = token_create(user=world.agent)
        assert call(token, "get", "/me").status_code == 200
        token_revoke(token=ApiToken.objects.get(digest=token_digest(token)), by=world.agent)
        expect_refusal(call(token, "get", "/me"), 401, "token_revoked", "已吊销")

    def test_an_unknown_token_or_a_disabled_holder_is_unauthorized(self, world):
        token = token_create(user=world.agent)
        expect_refusal(call("jt_" + "x" * 43, "get", "/me"), 401, "unauthorized", "令牌无效")
        world.agent.is_active = False
        world.agent.save()
        expect_refusal(call(token, "get", "/me"), 401, "unauthorized", "令牌无效")


class TestScopes:
    def test_a_read_only_token_reads_and_writes_nothing(self, world):
        dispute = intake(actor=world.clerk, committee=world.committee,
                         institution=world.branch)
        token = token_create(user=world.agent, system="查询系统", scopes=["read"])
        assert call(token, "get", f"/disputes/{dispute.pk}").status_code == 200
        assert call(token, "get", "/disputes").status_code == 200
        body = expect_refusal(call(token, "post", "/disputes", {}), 403, "scope_missing",
                              "登记与办理")
        assert body["details"] == {"required": "intake", "granted": "read"}
        expect_refusal(call(token, "post", f"/disputes/{dispute.pk}/payments", {}), 403,
                       "scope_missing", "还款与履行")

    def test_a_payments_token_records_payments_but_neither_reads_nor_files(self, world):
        token = token_create(user=world.agent, system="核心系统", scopes=["payments"])
        expect_refusal(call(token, "get", "/disputes"), 403, "scope_missing", "查询")
        expect_refusal(call(token, "post", "/disputes", {}), 403, "scope_missing", "登记")
        # the scope passes; what the body lacks is the operation's own answer
        assert call(token, "post", "/disputes/1/payments", {}).status_code == 422

    def test_the_files_with_full_particulars_need_the_documents_scope(self, world):
        dispute = intake(actor=world.clerk, committee=world.committee,
                         institution=world.branch)
        reader = token_create(user=world.clerk, scopes=["read"])
        expect_refusal(call(reader, "get", f"/disputes/{dispute.pk}/dossier"), 403,
                       "scope_missing", "文书与签署")
        expect_refusal(call(reader, "get", "/documents/1/pdf"), 403, "scope_missing", "文书")
        assert call(reader, "get", f"/disputes/{dispute.pk}/documents").status_code == 200

    def test_the_scope_is_checked_before_the_body_is_read(self, world):
        token = token_create(user=world.agent, scopes=["read"])
        response = Client().post("/api/v1/disputes", data="{not json",
                                 content_type="application/json",
                                 headers={"Authorization": f"Bearer {token}"})
        expect_refusal(response, 403, "scope_missing", "权限范围")


def operations() -> list[tuple[str, list[str]]]:
    schema = api.get_openapi_schema(path_prefix="")
    return [(op["operationId"], [method.upper()])
            for ops in schema["paths"].values() for method, op in ops.items()]


def test_the_openapi_document_says_each_operations_scope():
    schema = api.get_openapi_schema(path_prefix="")
    said = {op["operationId"]: op["x-scope"]
            for ops in schema["paths"].values() for op in ops.values()}
    assert said["disputes_intake"] == "intake"
    assert said["payments_import"] == "payments"
    assert said["document_download"] == "documents"
    assert said["disputes_list"] == "read"
    assert set(said.values()) == set(TokenScope.values)
    assert "scope_missing" in schema["info"]["description"]


def test_every_operation_has_a_scope_and_every_declared_scope_an_operation():
    """A write nobody declared would be refused to every token: declare it in
    jintiao.api.auth.SCOPES (a GET not declared is a read)."""
    ops = operations()
    undeclared = [op for op, methods in ops if scope_of(op, methods) is None]
    assert undeclared == []
    assert set(SCOPES) <= {op for op, _methods in ops}
    assert {scope_of(op, m) for op, m in ops} == set(TokenScope)


def test_a_write_nobody_declared_needs_a_scope_no_token_has():
    assert scope_of("something_new", ["POST"]) is None
    assert scope_of("something_new", ["GET"]) == TokenScope.READ


class TestRate:
    @pytest.fixture(autouse=True)
    def local_cache(self, settings):
        settings.CACHES = LOCAL_CACHE
        cache.clear()
        yield
        cache.clear()

    def test_a_token_over_its_rate_waits_for_the_next_minute(self, world, settings):
        settings.API_RATE_PER_MINUTE = 3
        token = token_create(user=world.agent)
        other = token_create(user=world.agent, system="催收系统")
        minute = clock.now().replace(second=10, microsecond=0)
        with clock.pinned(minute):
            assert [call(token, "get", "/me").status_code for _ in range(3)] == [200] * 3
            refused = call(token, "get", "/me")
            assert call(other, "get", "/me").status_code == 200  # each token its own count
        body = expect_refusal(refused, 429, "rate_limited", "每分钟最多3次")
        assert refused["Retry-After"] == "50"
        assert body["details"]["retry_after"] == 50
        assert "50秒后再试" in body["message"]
        with clock.pinned(minute + dt.timedelta(minutes=1)):
            assert call(token, "get", "/me").status_code == 200

    def test_a_cache_that_is_down_counts_nothing_and_refuses_no_one(self, world, settings,
                                                                    monkeypatch, caplog):
        """Redis down on a host must not make every API call a 500 (found trying two hosts):
        the limit is not counted, and the log says so without the token."""
        from jintiao.api import auth

        class Down:
            def incr(self, *args: object, **kwargs: object) -> int:
                raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

            add = incr

        settings.API_RATE_PER_MINUTE = 1
        monkeypatch.setattr(auth, "cache", Down())
        token = token_create(user=world.agent)
        assert [call(token, "get", "/me").status_code for _ in range(3)] == [200] * 3
        assert "cache unavailable (ConnectionError)" in caplog.text
        assert token not in caplog.text

    def test_no_limit_when_the_rate_is_zero(self, world, settings):
        settings.API_RATE_PER_MINUTE = 0
        token = token_create(user=world.agent)
        assert {call(token, "get", "/me").status_code for _ in range(5)} == {200}


def test_the_last_use_is_recorded_once_a_minute(world):
    token = token_create(user=world.agent)
    row = ApiToken.objects.get(digest=token_digest(token))
    at = clock.now().replace(microsecond=0)
    with clock.pinned(at):
        call(token, "get", "/me")
    with clock.pinned(at + dt.timedelta(seconds=30)):
        call(token, "get", "/me")
    row.refresh_from_db()
    assert row.last_used_at == at
