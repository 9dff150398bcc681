"""The failure package over the API: the court's system fetches the JSON and validates it
against the published schema, takes each evidence file; the dispute's court and the
committee's desk may read it, a bank (403) or another court (404) may not."""

from __future__ import annotations

import hashlib
import json

import jsonschema
import pytest
from django.test import Client

from jintiao.domain import events
from jintiao.mediation.services import failure_package_generate
from jintiao.timeline.models import Event
from tests.api.client import Api
from tests.mediation.failure_package_helpers import TIES, evidence, failed, under_mediation


@pytest.fixture
def packaged(desk):
    d = under_mediation(desk)
    evidence(desk, d, pages=2)
    d = failed(desk, d)
    failure_package_generate(actor=desk.mediator, dispute_id=d.pk, fact_elements=TIES)
    return d


def published_schema() -> dict:
    answer = Client().get("/api/v1/schemas/failure-package.json")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/json")
    return json.loads(answer.content)


def test_the_court_fetches_the_package_and_it_validates_against_the_published_schema(
        desk, packaged):
    answer = Api(desk.judge).get(f"/disputes/{packaged.pk}/failure-package")

    assert answer.status_code == 200, answer.content
    body = answer.json()
    jsonschema.Draft202012Validator(
        published_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    ).validate(body)
    assert body["$schema"] == published_schema()["$id"]
    assert body["package"]["version"] == 1
    complaint = {e["key"]: e for e in body["complaint"]["elements"]}
    assert complaint["principal"]["amounts"] == {"principal": "200000.00"}
    read = Event.objects.filter(dispute=packaged, type=events.RECORD_READ.type,
                                actor=desk.judge).get()
    assert read.params["kind"] == "failure_package"


def test_each_evidence_file_comes_with_the_digest_the_package_records(desk, packaged):
    court = Api(desk.judge)
    body = court.get(f"/disputes/{packaged.pk}/failure-package").json()

    for item in body["evidence"]:
        answer = court.get(item["file"]["url"].removeprefix("/api/v1"))
        assert answer.status_code == 200, answer.content
        data = b"".join(answer.streaming_content)
        assert hashlib.sha256(data).hexdigest() == item["file"]["sha256"]
    assert court.get(f"/disputes/{packaged.pk}/failure-package/files/99").status_code == 404


def test_the_desk_makes_it_and_the_same_case_gives_the_same_version(desk, packaged):
    answer = Api(desk.clerk).post(f"/disputes/{packaged.pk}/failure-package")

    assert answer.status_code == 201, answer.content
    assert answer.json()["package"]["version"] == 1
    contract = packaged.sessions.get().attachments.get()
    noted = Api(desk.clerk).post(f"/disputes/{packaged.pk}/failure-package",
                                 {"evidence_notes": {str(contract.pk): "借款合同关系成立"}})
    assert noted.status_code == 201, noted.content
    assert noted.json()["package"]["version"] == 2
    assert noted.json()["evidence"][1]["proves"] == "借款合同关系成立"
    refused = Api(desk.clerk).post(f"/disputes/{packaged.pk}/failure-package",
                                   {"fact_elements": {"1": "no_such_element"}})
    assert refused.status_code == 400
    assert refused.json()["code"] == "failure_package_refused"


@pytest.mark.parametrize(("who", "status"), [
    ("judge", 200), ("mediator", 200), ("clerk", 200), ("director", 200),
    ("agent", 403), ("hq_agent", 403), ("supervisor", 403),
    ("other_judge", 404), ("other_clerk", 404), ("other_agent", 404)])
def test_who_may_read_the_package(desk, packaged, who, status):
    answer = Api(getattr(desk, who)).get(f"/disputes/{packaged.pk}/failure-package")

    assert answer.status_code == status, answer.content
    files = Api(getattr(desk, who)).get(f"/disputes/{packaged.pk}/failure-package/files/1")
    assert files.status_code == status


@pytest.mark.parametrize(("who", "status"), [
    ("judge", 403), ("agent", 403), ("other_judge", 404), ("other_clerk", 404)])
def test_who_may_not_make_it(desk, packaged, who, status):
    answer = Api(getattr(desk, who)).post(f"/disputes/{packaged.pk}/failure-package")

    assert answer.status_code == status, answer.content


def test_a_read_only_token_does_not_get_the_particulars(desk, packaged):
    answer = Api(desk.judge, scopes=["read"]).get(f"/disputes/{packaged.pk}/failure-package")

    assert answer.status_code == 403
    assert answer.json()["code"] == "scope_missing"


def test_no_package_yet_is_a_404(desk):
    d = failed(desk, under_mediation(desk))

    answer = Api(desk.judge).get(f"/disputes/{d.pk}/failure-package")

    assert answer.status_code == 404


def test_a_courts_system_polls_for_new_packages_and_fetches_each(desk, packaged):
    court = Api(desk.judge)

    listed = court.get("/failure-packages")

    assert listed.status_code == 200, listed.content
    items = listed.json()["items"]
    assert [(i["dispute_id"], i["version"]) for i in items] == [(packaged.pk, 1)]
    fetched = court.get(items[0]["url"].removeprefix("/api/v1"))
    assert fetched.json()["package"]["version"] == 1
    after = listed.json()["next_after"]
    assert court.get("/failure-packages", after=after).json() == {"items": [],
                                                                  "next_after": after}
    assert Api(desk.other_judge).get("/failure-packages").json()["items"] == []
    assert Api(desk.agent).get("/failure-packages").json()["items"] == []
    assert len(Api(desk.clerk).get("/failure-packages").json()["items"]) == 1
