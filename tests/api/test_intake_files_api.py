"""Element-table files through the API (issue 20 §1): upload, progress, per-row results,
the template and the report; who may do each."""

from __future__ import annotations

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jintiao.disputes.models import Dispute, IntakeFile
from tests.api.client import Api
from tests.disputes.test_intake_files import row, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send(api: Api, world, data: bytes, name: str = "要素表.xlsx", **fields):
    return api.upload("/intake-files", {"file": SimpleUploadedFile(name, data)},
                      {"institution_id": world.branch.pk, "committee_id": world.committee.pk,
                       **fields})


class TestUpload:
    def test_a_small_file_is_answered_with_every_rows_result(self, world):
        answer = send(Api(world.agent), world, xlsx([row(1), row(2, 本金="abc")]))
        assert answer.status_code == 201
        data = answer.json()
        assert data["state"] == "done"
        assert data["counts"]["created"] == 1
        assert [(r["line"], r["outcome"], r["field"]) for r in data["rows"]] == [
            (2, "created", ""), (3, "refused", "本金")]
        assert data["rows"][0]["number"] == Dispute.objects.get().number

    def test_a_large_file_is_followed_until_done(self, world, settings):
        settings.INTAKE_FILE_INLINE_ROWS = 1
        api = Api(world.agent)
        made = send(api, world, xlsx([row(1), row(2)])).json()
        followed = api.get(f"/intake-files/{made['id']}").json()
        assert (followed["state"], followed["rows_done"], followed["rows_total"]) == (
            "done", 2, 2)
        assert len(followed["rows"]) == 2

    def test_all_or_nothing(self, world):
        data = send(Api(world.agent), world, xlsx([row(1), row(2, 本金="abc")]),
                    mode="all_or_nothing").json()
        assert [r["outcome"] for r in data["rows"]] == ["unsaved", "refused"]
        assert not Dispute.objects.exists()

    def test_a_file_that_is_no_element_table_is_400_and_kept_nowhere(self, world):
        answer = send(Api(world.agent), world, b"hello", "x.txt")
        assert answer.status_code == 400
        assert answer.json()["code"] == "intake_file_invalid"
        assert not IntakeFile.objects.exists()

    def test_an_unknown_committee_is_400(self, world):
        answer = send(Api(world.agent), world, xlsx([row(1)]), committee_id=999_999)
        assert answer.status_code == 400
        assert answer.json()["details"]["field"] == "committee_id"


class TestAccess:
    def test_no_token_is_401(self, world):
        assert Client().post("/api/v1/intake-files").status_code == 401
        assert Client().get("/api/v1/intake-files/1").status_code == 401

    def test_a_read_only_token_may_not_upload(self, world):
        answer = send(Api(world.agent, scopes=["read"]), world, xlsx([row(1)]))
        assert answer.status_code == 403
        assert not IntakeFile.objects.exists()

    def test_another_banks_agent_may_not_upload_for_this_bank(self, world):
        answer = send(Api(world.other_agent), world, xlsx([row(1)]))
        assert answer.status_code == 403
        assert answer.json()["code"] == "permission_denied"

    def test_another_bank_does_not_see_the_file_or_its_report(self, world):
        made = send(Api(world.agent), world, xlsx([row(1)])).json()
        other = Api(world.other_agent)
        assert other.get(f"/intake-files/{made['id']}").status_code == 404
        assert other.get(f"/intake-files/{made['id']}/report").status_code == 404
        assert Api(world.judge).get(f"/intake-files/{made['id']}").status_code == 404


class TestWorkbooks:
    def test_the_template_for_the_agents_own_bank_only(self, world):
        answer = Api(world.agent).get(f"/institutions/{world.branch.pk}/intake-template")
        assert answer.status_code == 200
        assert answer["Content-Type"] == XLSX
        book = openpyxl.load_workbook(io.BytesIO(b"".join(answer.streaming_content)))
        assert book.sheetnames[0] == "要素表"
        theirs = Api(world.agent).get(f"/institutions/{world.other_bank.pk}/intake-template")
        assert theirs.status_code == 404

    def test_the_report(self, world):
        api = Api(world.agent)
        made = send(api, world, xlsx([row(1), row(2, 本金="abc")])).json()
        answer = api.get(f"/intake-files/{made['id']}/report")
        book = openpyxl.load_workbook(io.BytesIO(b"".join(answer.streaming_content)))
        assert [c.value for c in book.active["A"]] == ["处理结果", "已登记", "未通过校验"]
