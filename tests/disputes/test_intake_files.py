"""A bank's element-table file (issue 20 §1): the template, a file read as Excel, WPS and
a CSV in either encoding save it, each row checked by intake's rules and reported on its
own, the file refused whole only when it is no element table at all."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from jintiao.disputes import element_table
from jintiao.disputes.element_table import HEADERS, IntakeFileInvalid, read_table
from jintiao.disputes.intake_files import (
    intake_file_get_for,
    intake_file_upload,
    report_xlsx,
    row_results,
)
from jintiao.disputes.models import Dispute, IntakeFile, IntakeFileState
from jintiao.domain.errors import ErrorCode
from jintiao.parties.models import Party
from tests.factories import resident_id


def row(n: int, **cells: object) -> dict[str, object]:
    """A card debt: reference XYK-n, debtor 王n."""
    return {"机构业务编号": f"XYK-{n:05d}", "纠纷类型": "信用卡纠纷", "债权计算日": "2026-06-30",
            "本金": "48,500.00", "利息": 3210.55, "债务人姓名或名称": f"王{n}",
            "债务人证件号码": resident_id(500 + n), "债务人手机": "13800000000",
            "债务人住所": "贵州省凯里市北京东路1号", **cells}


def xlsx(rows: list[dict[str, object]], headers: tuple[str, ...] = HEADERS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([f"*{h}" if h in element_table.REQUIRED else h for h in headers])
    for r in rows:
        sheet.append([r.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[dict[str, object]], encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for r in rows:
        writer.writerow([r.get(h, "") for h in HEADERS])
    return out.getvalue().encode(encoding)


def upload(world, data: bytes, name: str = "要素表.xlsx", *, whole: bool = False,
           actor=None):
    return intake_file_upload(actor=actor or world.agent, institution=world.branch,
                              committee=world.committee, filename=name, data=data,
                              all_or_nothing=whole)


class TestTemplate:
    def test_the_template_has_every_column_required_ones_marked_and_reads_back(self, world):
        data = element_table.template_xlsx(world.branch)
        book = openpyxl.load_workbook(io.BytesIO(data))
        assert book.sheetnames == ["要素表", "填写说明"]
        header = [c.value for c in book["要素表"][1]]
        assert header[0] == "*机构业务编号"
        assert [h.lstrip("*") for h in header] == list(HEADERS)
        assert book["要素表"].max_row == 1  # no example row to be filed by mistake
        assert world.branch.name in book["填写说明"]["A1"].value
        # the template as it is downloaded is a file with the columns and no rows
        with pytest.raises(IntakeFileInvalid, match="没有数据行"):
            read_table(data, "模板.xlsx")


class TestReading:
    def test_an_excel_file_is_filed_row_by_row(self, world):
        done = upload(world, xlsx([row(1), row(2)]))
        assert done.state == IntakeFileState.DONE
        assert done.counts["created"] == 2
        results = row_results(done)
        assert [r["line"] for r in results] == [2, 3]
        dispute = Dispute.objects.get(pk=results[0]["dispute_id"])
        assert dispute.external_ref == "XYK-00001"
        assert dispute.principal == Decimal("48500.00")
        assert dispute.interest == Decimal("3210.55")
        assert dispute.institution == world.branch
        assert dispute.committee == world.committee
        creditor = dispute.party_rows.get(role="creditor").party
        assert (creditor.name, creditor.kind) == (world.branch.name, "entity")
        assert dispute.party_rows.get(role="debtor").party.address == "贵州省凯里市北京东路1号"

    @pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
    def test_a_csv_in_utf8_or_gb18030_is_read(self, world, encoding):
        done = upload(world, csv_bytes([row(1)], encoding), "要素表.csv")
        assert done.counts["created"] == 1
        assert Party.objects.filter(name="王1").exists()

    def test_an_id_number_excel_stored_as_a_number_is_refused_with_why(self, world):
        done = upload(world, xlsx([row(1, 债务人证件号码=522601199001011234)]))
        result = row_results(done)[0]
        assert result["outcome"] == "refused"
        assert result["field"] == "债务人证件号码"
        assert "文本格式" in result["message"]

    def test_dates_and_amounts_as_people_type_them(self, world):
        done = upload(world, xlsx([
            row(1, 债权计算日=dt.datetime(2026, 6, 30), 本金="¥48,500", 利息=""),  # noqa: DTZ001 - as a sheet stores a date
            row(2, 债权计算日="2026年6月30日", 本金="4.85万"),
            row(3, 债权计算日="2026/6/31"),
            row(4, 本金="-100"),
        ]))
        outcomes = [(r["outcome"], r["field"]) for r in row_results(done)]
        assert outcomes == [("created", ""), ("created", ""), ("refused", "债权计算日"),
                            ("refused", "本金")]
        assert Dispute.objects.get(external_ref="XYK-00002").principal == Decimal("48500.00")

    def test_guarantors_and_an_entity_debtor_with_its_representative(self, world):
        from tests.factories import credit_code

        done = upload(world, xlsx([row(1, 债务人类型="单位", 债务人姓名或名称="某某商贸有限公司",
                                       债务人证件号码=credit_code(77),
                                       债务人法定代表人="赵六", 债务人法定代表人职务="执行董事",
                                       担保人1姓名或名称="钱七",
                                       担保人1证件号码=resident_id(77))]))
        assert row_results(done)[0]["outcome"] == "created", row_results(done)[0]["message"]
        dispute = Dispute.objects.get()
        assert sorted(dispute.party_rows.values_list("role", flat=True)) == [
            "creditor", "debtor", "guarantor"]
        company = dispute.party_rows.get(role="debtor").party
        assert (company.rep_name, company.rep_title) == ("赵六", "执行董事")

    def test_a_partys_refusal_names_that_partys_column(self, world):
        done = upload(world, xlsx([
            row(1, 债务人证件号码="522601199001011234"),
            row(2, 担保人2姓名或名称="钱七", 担保人2证件号码="522601199001011234"),
            row(3, 担保人1姓名或名称="钱\u200b八", 担保人1证件号码=resident_id(88)),
            row(4, 债务人手机="1234"),
            row(5, 债权计算日="2099-01-01"),  # the browser showed claim_as_of
        ]))
        assert [r["field"] for r in row_results(done)] == [
            "债务人证件号码", "担保人2证件号码", "担保人1姓名或名称", "债务人手机", "债权计算日"]

    def test_the_day_the_charges_began_is_kept_and_must_come_before_the_claims_day(self,
                                                                                  world):
        done = upload(world, xlsx([row(1, 欠息起算日="2025-03-21"),
                                   row(2, 欠息起算日="2026-06-30"),
                                   row(3, 欠息起算日="2026-02-30"), row(4)]))
        outcomes = [(r["outcome"], r["field"]) for r in row_results(done)]
        assert outcomes == [("created", ""), ("refused", "欠息起算日"),
                            ("refused", "欠息起算日"), ("created", "")]
        assert "早于债权计算日" in row_results(done)[1]["message"]
        assert Dispute.objects.get(external_ref="XYK-00001").charges_since == dt.date(2025, 3,
                                                                                      21)
        assert Dispute.objects.get(external_ref="XYK-00004").charges_since is None

    def test_a_repeat_with_another_day_the_charges_began_is_a_conflict(self, world):
        upload(world, xlsx([row(1, 欠息起算日="2025-03-21")]))
        again = row_results(upload(world, xlsx([row(1, 欠息起算日="2025-04-21")])))[0]
        assert again["outcome"] == "conflict"
        assert "欠息起算日" in again["message"]

    def test_a_guarantor_without_a_number_is_refused_naming_the_column(self, world):
        done = upload(world, xlsx([row(1, 担保人1姓名或名称="钱七")]))
        assert row_results(done)[0]["field"] == "担保人1证件号码"

    def test_a_row_naming_an_unknown_committee_or_type_is_refused_alone(self, world):
        done = upload(world, xlsx([row(1, 受理调委会="不存在的调委会"), row(2, 纠纷类型="彩票"),
                                   row(3, 受理调委会=world.committee.name)]))
        assert [r["outcome"] for r in row_results(done)] == ["refused", "refused", "created"]
        assert "不存在的调委会" in row_results(done)[0]["message"]
        assert "信用卡纠纷" in row_results(done)[1]["message"]


class TestWholeFile:
    @pytest.mark.parametrize(("data", "name", "said"), [
        (b"hello", "x.txt", "只接受"),
        (b"\xd0\xcf\x11\xe0", "x.xls", "另存为 .xlsx"),
        (b"not a workbook", "x.xlsx", "无法读取"),
        (b"", "x.csv", "空"),
        ("机构业务编号,本金\nA,1\n".encode(), "x.csv", "缺少必填列"),
        (b"\xff\xfe\x00\x00bad", "x.csv", "编码"),
    ])
    def test_a_file_that_is_no_element_table_is_refused_and_nothing_kept(
            self, world, data, name, said):
        with pytest.raises(IntakeFileInvalid, match=said) as caught:
            upload(world, data, name)
        assert caught.value.code == ErrorCode.INTAKE_FILE_INVALID
        assert not IntakeFile.objects.exists()

    def test_too_many_rows_are_refused(self, world, monkeypatch):
        monkeypatch.setattr(element_table, "MAX_ROWS", 3)
        with pytest.raises(IntakeFileInvalid, match="至多3行"):
            upload(world, xlsx([row(n) for n in range(4)]))

    def test_all_or_nothing_files_nothing_when_a_row_fails(self, world):
        done = upload(world, xlsx([row(1), row(2, 本金="abc")]), whole=True)
        assert [r["outcome"] for r in row_results(done)] == ["unsaved", "refused"]
        assert not Dispute.objects.exists()

    def test_sent_again_nothing_is_filed_twice(self, world):
        upload(world, xlsx([row(1), row(2)]))
        again = upload(world, xlsx([row(1), row(2, 本金="1.00"), row(3)]))
        assert [r["outcome"] for r in row_results(again)] == ["existing", "conflict", "created"]
        assert "本金" in row_results(again)[1]["message"]
        assert Dispute.objects.count() == 3

    def test_someone_who_may_not_file_for_the_bank_is_refused(self, world):
        from jintiao.disputes.access import PermissionDenied

        with pytest.raises(PermissionDenied):
            upload(world, xlsx([row(1)]), actor=world.other_agent)
        assert not IntakeFile.objects.exists()

    def test_a_large_file_goes_to_the_queue_and_is_followed(self, world, settings):
        settings.INTAKE_FILE_INLINE_ROWS = 1
        done = upload(world, xlsx([row(1), row(2), row(3)]))
        # the test settings run tasks in-process: the queue's run has recorded the results
        done.refresh_from_db()
        assert done.task_id
        assert (done.state, done.rows_done, done.rows_total) == (IntakeFileState.DONE, 3, 3)
        assert done.counts["created"] == 3

    def test_only_the_uploader_and_the_banks_agents_follow_a_file(self, world):
        done = upload(world, xlsx([row(1)]))
        assert intake_file_get_for(world.agent, done.pk) == done
        with pytest.raises(IntakeFile.DoesNotExist):
            intake_file_get_for(world.other_agent, done.pk)
        with pytest.raises(IntakeFile.DoesNotExist):
            intake_file_get_for(world.other_clerk, done.pk)


class TestReport:
    def test_the_report_is_the_files_rows_with_each_result_and_quotes_formulas(self, world):
        done = upload(world, csv_bytes([row(1, 纠纷概要="=HYPERLINK(\"http://x\")"),
                                        row(2, 债务人证件号码="522601199001011234")],
                                       "utf-8"), "要素表.csv")
        book = openpyxl.load_workbook(io.BytesIO(report_xlsx(done)))
        sheet = book["处理结果"]
        lines = [[c.value for c in r] for r in sheet.iter_rows()]
        assert lines[0][:4] == ["处理结果", "纠纷编号", "说明", "机构业务编号"]
        assert lines[1][0] == "已登记"
        assert lines[1][1].endswith("金调00001号")
        assert lines[2][0] == "未通过校验"
        assert "身份证" in lines[2][2]
        summary_col = lines[0].index("纠纷概要")
        cell = sheet.cell(2, summary_col + 1)
        # text, as given, marked as text (quote prefix): never a formula, never changed
        assert cell.value == '=HYPERLINK("http://x")'
        assert cell.data_type == "s"
        assert cell.quotePrefix

    def test_the_report_corrected_can_be_uploaded_again(self, world):
        done = upload(world, xlsx([row(1), row(2, 债务人证件号码="522601199001011234")]))
        book = openpyxl.load_workbook(io.BytesIO(report_xlsx(done)))
        sheet = book["处理结果"]
        header = [c.value for c in sheet[1]]
        sheet.cell(3, header.index("债务人证件号码") + 1, resident_id(502))
        out = io.BytesIO()
        book.save(out)
        again = upload(world, out.getvalue(), "处理结果.xlsx")
        assert [r["outcome"] for r in row_results(again)] == ["existing", "created"]


class TestDocsSample:
    def test_the_sample_in_docs_files_ten_and_refuses_two_with_their_columns(self, world):
        from pathlib import Path

        from jintiao.demo.element_sample import sample_rows

        data = (Path(__file__).resolve().parents[2] / "docs" / "要素表示例.xlsx").read_bytes()
        done = upload(world, data, "要素表示例.xlsx")
        results = row_results(done)
        assert done.counts["created"] == 10
        assert [(r["line"], r["field"]) for r in results if r["outcome"] == "refused"] == [
            (6, "债务人证件号码"), (11, "本金")]
        # the file in docs is the one the demo module writes
        table = read_table(data, "要素表示例.xlsx")
        assert [r[0] for r in table.rows] == [r["机构业务编号"] for r in sample_rows()]


class TestReviewFindings:
    """What the review of issue 20 found (each failed before its fix)."""

    def test_a_sheet_reaching_far_beyond_its_rows_is_refused_before_it_is_laid_out(self, world):
        import xlsxwriter

        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"in_memory": True})
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, element_table.HEADERS)
        sheet.write_string(1_048_575, 16_383, "x")  # XFD1048576: 17 billion cells
        book.close()
        with pytest.raises(IntakeFileInvalid, match="表格范围过大"):
            upload(world, out.getvalue())

    def test_a_row_after_an_empty_line_is_reported_on_its_own_line(self, world):
        data = csv_bytes([row(1)], "utf-8") + b"\r\n" + csv_bytes(
            [row(2, 本金="abc")], "utf-8").split(b"\r\n", 1)[1]
        done = upload(world, data, "要素表.csv")
        assert [(r["line"], r["outcome"]) for r in row_results(done)] == [
            (2, "created"), (4, "refused")]

    def test_the_report_uploaded_again_keeps_what_a_spreadsheet_would_take_for_a_formula(
            self, world):
        done = upload(world, csv_bytes([row(1, 纠纷概要="-持卡人逾期")], "utf-8"), "a.csv")
        again = upload(world, report_xlsx(done), "处理结果.xlsx")
        assert [r["outcome"] for r in row_results(again)] == ["existing"]

    def test_only_the_uploader_downloads_the_report(self, world):
        from jintiao.domain.lifecycle import Role
        from tests.factories import UserFactory

        colleague = UserFactory(organization=world.branch, roles=[Role.AGENT])
        done = upload(world, xlsx([row(1)]))
        assert intake_file_get_for(colleague, done.pk) == done  # follows it
        from jintiao.disputes.intake_files import may_download

        assert may_download(world.agent, done)
        assert not may_download(colleague, done)

    def test_an_uploaded_file_is_deleted_after_its_keeping_and_its_results_stay(self, world):
        import datetime as dt

        from jintiao import clock
        from jintiao.disputes.intake_files import FileGone, intake_files_purge

        done = upload(world, xlsx([row(1)]))
        assert intake_files_purge(clock.now() + dt.timedelta(days=31)) == 1
        done.refresh_from_db()
        assert not done.file
        assert row_results(done)[0]["outcome"] == "created"
        with pytest.raises(FileGone):
            report_xlsx(done)


class TestKeptEncrypted:
    def test_the_uploaded_file_is_kept_encrypted_and_still_read_for_its_report(self, world):
        """The walk found the bank's file on disk with every full ID and card number."""
        number = resident_id(501)
        done = upload(world, csv_bytes([row(1)], "utf-8-sig"), "要素表.csv")
        with done.file.open("rb") as stored:
            kept = stored.read()
        assert number.encode() not in kept
        assert done.file.name.endswith(".csv.enc")
        book = openpyxl.load_workbook(io.BytesIO(report_xlsx(done)))
        assert number in [c.value for c in book.active[2]]
