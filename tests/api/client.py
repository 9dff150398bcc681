"""A test client for the API that speaks for one persona."""

from __future__ import annotations

import json

from django.test import Client

from jintiao.orgs.services import token_create


class Api:
    """A client that speaks for one persona, with its own bearer token."""

    def __init__(self, user) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token_create(user=user)}"}

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
