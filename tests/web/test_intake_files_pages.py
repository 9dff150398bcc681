"""Element-table files on the web (issue 20 §1): the page with its templates and upload,
a file's progress and results, its report; who may see each."""

from __future__ import annotations

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jintiao.disputes.models import Dispute, IntakeFile
from tests.disputes.test_intake_files import row, xlsx


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, world, data: bytes, name: str = "要素表.xlsx", **fields):
    return client.post("/intake-files/", {
        "file": SimpleUploadedFile(name, data), "institution": world.branch.pk,
        "committee": world.committee.pk, "mode": "valid_only", **fields})


class TestPage:
    def test_the_agent_sees_the_template_of_their_bank_and_the_form(self, world):
        page = client_for(world.agent).get("/intake-files/")
        assert page.status_code == 200
        html = page.content.decode()
        assert f"/institutions/{world.branch.pk}/intake-template.xlsx" in html
        assert f"/institutions/{world.other_bank.pk}/intake-template.xlsx" not in html
        assert 'enctype="multipart/form-data"' in html

    def test_the_home_page_leads_to_it(self, world):
        assert 'id="intake-files-link"' in client_for(world.agent).get("/").content.decode()

    def test_who_files_nothing_may_not_open_it(self, world):
        assert client_for(world.judge).get("/intake-files/").status_code == 403
        assert Client().get("/intake-files/").status_code == 302  # to sign in

    def test_the_template_downloads_and_another_banks_does_not(self, world):
        client = client_for(world.agent)
        answer = client.get(f"/institutions/{world.branch.pk}/intake-template.xlsx")
        book = openpyxl.load_workbook(io.BytesIO(answer.content))
        assert book.sheetnames == ["要素表", "填写说明"]
        assert client.get(f"/institutions/{world.other_bank.pk}/intake-template.xlsx"
                          ).status_code == 404


class TestUpload:
    def test_an_upload_leads_to_its_results(self, world):
        client = client_for(world.agent)
        answer = post(client, world, xlsx([row(1), row(2, 本金="abc"),
                                           row(3, 纠纷概要="<script>alert(1)</script>")]))
        assert answer.status_code == 302
        made = IntakeFile.objects.get()
        assert answer["Location"] == f"/intake-files/{made.pk}/"
        html = client.get(answer["Location"]).content.decode()
        assert 'data-count="created">2<' in html
        assert 'data-count="refused">1<' in html
        assert "本金" in html
        assert "金额格式不正确" in html
        assert f"/intake-files/{made.pk}/report.xlsx" in html
        assert "<script>alert(1)</script>" not in html
        assert Dispute.objects.count() == 2

    def test_a_file_that_is_no_element_table_is_said_on_the_form(self, world):
        answer = post(client_for(world.agent), world, b"hello", "x.txt")
        assert answer.status_code == 400
        assert "只接受" in answer.content.decode()
        assert not IntakeFile.objects.exists()

    def test_another_banks_institution_is_not_offered(self, world):
        answer = post(client_for(world.agent), world, xlsx([row(1)]),
                      institution=world.other_bank.pk)
        assert answer.status_code == 400
        assert not IntakeFile.objects.exists()

    def test_a_clerk_files_for_a_bank_at_their_committee(self, world):
        answer = post(client_for(world.clerk), world, xlsx([row(1)]))
        assert answer.status_code == 302
        assert Dispute.objects.get().committee == world.committee

    def test_progress_is_polled_while_running_and_stops_when_done(self, world):
        client = client_for(world.agent)
        post(client, world, xlsx([row(1)]))
        made = IntakeFile.objects.get()
        IntakeFile.objects.filter(pk=made.pk).update(state="checking", rows_done=0)
        part = client.get(f"/intake-files/{made.pk}/", headers={
            "HX-Request": "true", "HX-Target": "intake-status"}).content.decode()
        assert part.startswith('<div id="intake-status"')
        assert 'hx-trigger="every 1s"' in part
        assert "已校验 0 / 1 行" in part
        IntakeFile.objects.filter(pk=made.pk).update(state="done", rows_done=1)
        part = client.get(f"/intake-files/{made.pk}/", headers={
            "HX-Request": "true", "HX-Target": "intake-status"}).content.decode()
        assert "hx-trigger" not in part

    def test_another_bank_sees_neither_the_file_nor_its_report(self, world):
        post(client_for(world.agent), world, xlsx([row(1)]))
        made = IntakeFile.objects.get()
        other = client_for(world.other_agent)
        assert other.get(f"/intake-files/{made.pk}/").status_code == 404
        assert other.get(f"/intake-files/{made.pk}/report.xlsx").status_code == 404
        report = client_for(world.agent).get(f"/intake-files/{made.pk}/report.xlsx")
        assert report.status_code == 200
        assert "filename*=UTF-8''" in report["Content-Disposition"]
