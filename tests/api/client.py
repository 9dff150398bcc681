"""A test client for the API that speaks for one persona."""

from __future__ import annotations

import datetime as dt
import json

from django.test import Client

from jintiao import clock
from jintiao.orgs.models import ApiToken
from jintiao.orgs.selectors import token_digest
from jintiao.orgs.services import token_create

# Tests pin the clock years ahead (instalments, enforcement): their tokens outlive them all.
FAR = dt.datetime(2100, 1, 1, tzinfo=clock.TZ)
# What checking a token costs each request in the default database cache: its rate count, a
# read and a write of one row (in a test's transaction, with their savepoints); none in
# Redis. Its last use is written at most once a minute, so budgets warm the token up first.
TOKEN_CHECK_QUERIES = 6


def token_for(user, **kwargs) -> str:
    """A token (every scope unless ``scopes``) that no pinned clock finds expired."""
    token = token_create(user=user, **kwargs)
    ApiToken.objects.filter(digest=token_digest(token)).update(expires_at=FAR)
    return token


class Api:
    """A client that speaks for one persona, with its own bearer token."""

    def __init__(self, user, **token) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token_for(user, **token)}"}

    def get(self, path: str, **query):
        return self.client.get(f"/api/v1{path}", query, headers=self.headers)

    def post(self, path: str, body: object = None):
        return self.client.post(f"/api/v1{path}", data=json.dumps(body or {}),
                                content_type="application/json", headers=self.headers)

    def put(self, path: str, body: object):
        return self.client.put(f"/api/v1{path}", data=json.dumps(body),
                               content_type="application/json", headers=self.headers)

    def patch(self, path: str, body: object):
        return self.client.patch(f"/api/v1{path}", data=json.dumps(body),
                                 content_type="application/json", headers=self.headers)

    def upload(self, path: str, files: dict, data: dict):
        return self.client.post(f"/api/v1{path}", {**data, **files}, headers=self.headers)
