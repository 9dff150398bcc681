"""Whatever goes wrong under /api/, the caller gets ``{"code", "message", "details"}`` in JSON
with the status that says what happened: never an HTML page, a redirect or a traceback."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from jintiao import clock
from jintiao.documents.models import Document
from tests.api.client import Api
from tests.portal.helpers import debtor_of, party_sign_in


def error_of(response, status: int) -> dict:
    """The error body, after checking it is our JSON shape with ``status``."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"code", "message", "details"}, body
    assert body["message"], body
    assert isinstance(body["details"], dict), body
    return body


class TestBodies:
    def test_a_body_that_is_not_json_is_400(self, world):
        api = Api(world.clerk)
        response = api.client.post("/api/v1/disputes", data=b'{"committee_id": 1,',
                                   content_type="application/json", headers=api.headers)
        assert error_of(response, 400)["code"] == "malformed_body"

    def test_a_body_over_the_limit_is_413(self, world, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
        api = Api(world.clerk)
        response = api.post("/disputes", {"summary": "长" * 2000})
        assert error_of(response, 413)["code"] == "body_too_large"

    def test_an_upload_over_the_limit_is_413_before_it_is_read(self, world, cases, settings):
        """Files do not count towards Django's body limit: the API's own cap does."""
        settings.API_MAX_BODY_BYTES = 10_000
        api = Api(world.agent)
        response = api.client.post(f"/api/v1/institutions/{world.branch.pk}/payments.csv",
                                   data=b"x" * 20_000, content_type="multipart/form-data; "
                                   "boundary=xyz", headers=api.headers)
        body = error_of(response, 413)
        assert body["code"] == "body_too_large"
        assert body["details"] == {"limit": 10_000}

    def test_a_multipart_post_without_a_boundary_is_400(self, world, cases):
        api = Api(world.agent)
        response = api.client.post(f"/api/v1/institutions/{world.branch.pk}/payments.csv",
                                   data=b"--x\r\n", content_type="multipart/form-data",
                                   headers=api.headers)
        assert error_of(response, 400)["code"] == "malformed_body"

    def test_a_malformed_field_is_still_422_with_its_place(self, world):
        body = error_of(Api(world.clerk).post("/disputes", {"committee_id": "x"}), 422)
        assert body["code"] == "validation_error"
        assert ["body", "payload", "committee_id"] in [e["loc"] for e in
                                                      body["details"]["errors"]]


class TestPaths:
    def test_an_unknown_path_is_404(self, world):
        api = Api(world.clerk)
        for path in ("/api/v1/nothing-here", "/api/v1/disputes/1/nothing", "/api/v2/disputes",
                     "/api/v1/disputes/"):
            assert error_of(api.client.get(path, headers=api.headers), 404)["code"] == \
                "not_found", path
        assert error_of(Client().post("/api/v1/nothing-here"), 404)["code"] == "not_found"

    def test_a_method_the_path_does_not_take_is_405_with_the_allowed_ones(self, world):
        api = Api(world.clerk)
        response = api.client.delete("/api/v1/disputes", headers=api.headers)
        assert error_of(response, 405)["code"] == "method_not_allowed"
        assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}

    def test_a_document_whose_stored_file_is_missing_is_404(self, world, cases):
        ours, _ = cases
        lost = Document.objects.create(
            dispute=ours, kind="agreement", seq=1, title="调解协议书", template_version="1",
            docx="documents/lost.docx", pdf="documents/lost.pdf", docx_sha256="0" * 64,
            pdf_sha256="0" * 64, html="", created_by=world.clerk, created_at=clock.now())
        api = Api(world.mediator)
        for fmt in ("pdf", "docx"):
            response = api.client.get(f"/api/v1/documents/{lost.pk}/{fmt}", headers=api.headers)
            assert error_of(response, 404)["code"] == "not_found"


class TestSignedInElsewhere:
    def test_a_portal_session_without_a_token_is_401_not_a_redirect(self, client, cases):
        client.force_login(party_sign_in(debtor_of(cases[0])))
        for path in ("/api/v1/disputes", f"/api/v1/disputes/{cases[0].pk}", "/api/v1/me"):
            assert error_of(client.get(path), 401)["code"] == "unauthorized", path
        assert error_of(client.post("/api/v1/disputes", data={}, content_type=
                                    "application/json"), 401)["code"] == "unauthorized"

    def test_a_staff_session_without_a_token_is_401_too(self, client, world):
        client.force_login(world.clerk)
        assert error_of(client.get("/api/v1/disputes"), 401)["code"] == "unauthorized"


class TestFaults:
    @pytest.mark.parametrize("debug", [False, True])
    def test_an_unexpected_fault_is_500_in_json_without_the_traceback_and_logged(
            self, world, monkeypatch, settings, caplog, debug):
        settings.DEBUG = debug

        def broken(user):
            raise RuntimeError("secret internals")

        monkeypatch.setattr("jintiao.api.routers.orgs.user_roles", broken)
        with caplog.at_level(logging.ERROR):
            response = Api(world.clerk).get("/me")
        body = error_of(response, 500)
        assert body["code"] == "server_error"
        assert "secret internals" not in json.dumps(body, ensure_ascii=False)
        assert "Traceback" not in response.content.decode()
        logged = [r for r in caplog.records if r.exc_info and r.exc_info[0] is RuntimeError]
        assert logged, caplog.records
        assert "/api/v1/me" in logged[0].getMessage()

    def test_djangos_own_refusal_is_403_in_json(self, world, monkeypatch):
        from django.core.exceptions import PermissionDenied

        def refuse(user):
            raise PermissionDenied

        monkeypatch.setattr("jintiao.api.routers.orgs.user_roles", refuse)
        assert error_of(Api(world.clerk).get("/me"), 403)["code"] == "permission_denied"
