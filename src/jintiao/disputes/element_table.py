"""The element table (要素表): a bank's disputes as a file, one row of fixed columns per
dispute (issue 20 §1) — the template it downloads, the file it uploads read as rows, and
each row as the intake service takes it.

The columns follow the fields of a court-grade intake (the element-style complaint's facts:
the parties' particulars and addresses, the contract, the claim by its parts and as-of date,
a suit already pending) so that what a bank files here carries what the confirmation
application and, on failure, the complaint will need. The creditor is the institution the
file is uploaded for, as registered. Headers are matched by their Chinese names (a ``*``
marks a required one and is ignored when read); columns the template does not name are
kept in the report and otherwise ignored.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from jintiao.disputes.intake_batch import IntakeRequest
from jintiao.disputes.models import Channel, DisputeType, PartyRole
from jintiao.domain.claims import CLAIM_PART_LABELS, ClaimBreakdown
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.tables import (
    CellInvalid,
    cell_amount,
    cell_bool,
    cell_date,
    cell_number_text,
    cell_text,
)
from jintiao.orgs.models import Organization, OrgKind
from jintiao.parties.models import PartyKind
from jintiao.parties.services import PartyInput

# a file of more rows is refused whole: split it (the bound, 50,000)
MAX_ROWS = 50_000
MAX_BYTES = 30 * 1024 * 1024
GUARANTORS = 2
# Excel's own workbooks and CSV: the reader lays a sheet out as a dense grid from A1 to its
# last used cell, so each worksheet's extent is read from its XML before (a few kilobytes
# with one cell at XFD1048576 would be seventeen billion cells); .xls and .ods, whose
# extent cannot be checked as cheaply, are saved as .xlsx by every spreadsheet
EXTENSIONS = (".xlsx", ".csv")
MAX_COLUMNS = 120  # the template's columns, a report's three, and room for a bank's own
MAX_UNZIPPED = 400 * 1024 * 1024


class IntakeFileInvalid(DomainError):
    """A file that cannot be read as an element table at all."""

    code = ErrorCode.INTAKE_FILE_INVALID


@dataclass(frozen=True)
class Column:
    header: str
    required: bool = False
    example: str = ""
    note: str = ""


def _party_columns(prefix: str, *, required: bool, example: tuple[str, str, str, str]
                   ) -> list[Column]:
    name, number, phone, address = example
    return [
        Column(f"{prefix}类型", note="个人或单位；空白为个人", example="个人" if name else ""),
        Column(f"{prefix}姓名或名称", required, name),
        Column(f"{prefix}证件号码", required, number,
               "个人为18位居民身份证号码，单位为统一社会信用代码；请将该列设为文本格式"),
        Column(f"{prefix}手机", example=phone, note="11位手机号码，用于送达与联系"),
        Column(f"{prefix}住所", example=address, note="送达地址，写至门牌号"),
        Column(f"{prefix}经常居住地", note="与住所不一致时填写"),
        Column(f"{prefix}民族", note="个人选填"),
        Column(f"{prefix}职业", note="个人选填"),
        Column(f"{prefix}法定代表人", note="单位填写法定代表人或主要负责人姓名"),
        Column(f"{prefix}法定代表人职务", note="单位填写"),
    ]


COLUMNS: tuple[Column, ...] = (
    Column("机构业务编号", True, "XYK-2026-000123",
           "贵机构内部的唯一编号；同一编号再次提交内容不变视为已登记，内容不同报冲突"),
    Column("合同编号或卡号", example="6222021234567890128",
           note="卡号只保存前六位和后四位"),
    Column("纠纷类型", True, "信用卡纠纷", "、".join(str(t.label) for t in DisputeType)),
    Column("来源渠道", example="金融机构申请",
           note="空白为金融机构申请；" + "、".join(str(c.label) for c in Channel)),
    Column("受理调委会", example="", note="空白为上传时选择的调委会；填写调委会全称"),
    Column("法院", note="委派、委托或邀请调解时填写法院全称"),
    Column("在诉案号", note="已起诉的填写，如（2026）黔2601民初123号"),
    Column("债权计算日", True, "2026-11-30", "各项金额计算至该日"),
    Column("欠息起算日", example="2025-03-21",
           note="利息、罚息开始计算之日（逾期日），早于债权计算日；调解协议据此核对年24%上限"),
    *(Column(label, f == "principal", {"principal": "48500.00", "interest": "3210.55"}
             .get(f, ""), "元，两位小数" if f == "principal" else "")
      for f, label in CLAIM_PART_LABELS.items()),
    Column("收案日期", note="空白为上传当日；纸质材料补录时填写实际收到日期"),
    Column("已告知非诉讼方式", example="是", note="是或否：已告知当事人可选择的非诉讼解决方式"),
    Column("纠纷概要", example="持卡人自2025年3月起未按期还款"),
    *_party_columns("债务人", required=True,
                    example=("张三", "522601199001011234", "13800000000",
                             "贵州省凯里市北京东路1号")),
    *(c for n in range(1, GUARANTORS + 1)
      for c in _party_columns(f"担保人{n}", required=False, example=("", "", "", ""))),
)
HEADERS = tuple(c.header for c in COLUMNS)
REQUIRED = tuple(c.header for c in COLUMNS if c.required)


@dataclass(frozen=True)
class Table:
    """A file read as its header and its rows (cells as the spreadsheet stored them), with
    each row's line in the file (the header's is usually 1; empty lines are skipped)."""

    headers: list[str]
    rows: list[list[Any]]
    lines: list[int]


def read_table(data: bytes, filename: str) -> Table:
    """Read an uploaded file: the first sheet of a workbook (.xlsx) or a CSV in
    UTF-8 or GB18030 (what Excel and WPS save in China); the first non-empty row is the
    header, empty rows are skipped.

    :raises IntakeFileInvalid: not one of those, unreadable, without the required columns, no
        rows, or more than :data:`MAX_ROWS`
    """
    name = filename.lower()
    if not name.endswith(EXTENSIONS):
        raise IntakeFileInvalid(
            "只接受 .xlsx 或 .csv 文件（.xls、.ods 请在表格软件中另存为 .xlsx）",
            "the file is not .xlsx or .csv", field="file")
    if len(data) > MAX_BYTES:
        raise IntakeFileInvalid(f"文件过大（上限{MAX_BYTES // 1024 // 1024}MB），请分批上传",
                                "the file is too large", field="file")
    raw = _csv_rows(data) if name.endswith(".csv") else _sheet_rows(data)
    lines = iter((n, r) for n, r in enumerate(raw, start=1) if any(cell_text(c) for c in r))
    first = next(lines, None)
    if first is None:
        raise IntakeFileInvalid("文件是空的：第一行应为表头", "the file is empty", field="file")
    headers = [cell_text(h).lstrip("*").rstrip("*").strip() for h in first[1]]
    missing = [h for h in REQUIRED if h not in headers]
    if missing:
        raise IntakeFileInvalid(
            f"缺少必填列：{'、'.join(missing)}。请使用本平台的要素表模板",
            f"required columns missing: {', '.join(missing)}", field="file")
    rows: list[list[Any]] = []
    numbers: list[int] = []
    for line, row in lines:
        rows.append(list(row))
        numbers.append(line)
        if len(rows) > MAX_ROWS:
            raise IntakeFileInvalid(f"一个文件至多{MAX_ROWS:,}行，请分成几个文件上传",
                                    f"at most {MAX_ROWS} rows a file", field="file")
    if not rows:
        raise IntakeFileInvalid("文件只有表头，没有数据行", "the file has no rows", field="file")
    return Table(headers, rows, numbers)


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise IntakeFileInvalid("CSV 文件须为 UTF-8 或 GB18030（GBK）编码",
                                "the CSV is neither UTF-8 nor GB18030", field="file")
    if "\x00" in text:
        raise IntakeFileInvalid("CSV 文件含有空字符，无法读取", "the CSV holds NUL characters",
                                field="file")
    try:
        return iter(list(csv.reader(io.StringIO(text, newline=""))))
    except csv.Error as exc:
        raise IntakeFileInvalid(f"CSV 文件格式有误：{exc}", f"unreadable CSV: {exc}",
                                field="file") from None


_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]{1,7})"')


def _column_number(letters: bytes) -> int:
    n = 0
    for letter in letters:
        n = n * 26 + letter - 64
    return n


def _check_extent(data: bytes) -> None:
    """Refuse a workbook whose sheets reach beyond :data:`MAX_ROWS` rows or
    :data:`MAX_COLUMNS` columns, or that unzips to more than :data:`MAX_UNZIPPED`, before
    the reader lays any of it out (streamed: a sheet is never held whole).

    :raises IntakeFileInvalid: too large, or not a workbook
    """
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        sheets = [i for i in book.infolist()
                  if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
        if sum(i.file_size for i in book.infolist()) > MAX_UNZIPPED:
            raise IntakeFileInvalid("表格文件解压后过大，请分批上传",
                                    "the workbook unzips too large", field="file")
        for info in sheets:
            with book.open(info) as xml:
                tail = b""
                while chunk := xml.read(1 << 20):
                    text = tail + chunk
                    rows = [int(m) for m in _ROW_REF.findall(text)]
                    cells = _CELL_REF.findall(text)
                    top = max([*rows, *(int(r) for _c, r in cells)], default=0)
                    wide = max((_column_number(c) for c, _r in cells), default=0)
                    if top > MAX_ROWS + 1000 or wide > MAX_COLUMNS:
                        raise IntakeFileInvalid(
                            f"表格范围过大（至多{MAX_ROWS:,}行、{MAX_COLUMNS}列）：请删除"
                            "表格之外的单元格或分批上传", "the sheet reaches too far",
                            field="file")
                    tail = text[-200:]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError):
        raise IntakeFileInvalid("无法读取该表格文件：请确认是 Excel 或 WPS 保存的 .xlsx",
                                "the workbook cannot be read", field="file") from None


def _sheet_rows(data: bytes) -> Iterator[list[Any]]:
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    _check_extent(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = book.sheet_names
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False) if sheets else None
    except PasswordError:
        raise IntakeFileInvalid("表格文件设有密码，请取消密码后上传",
                                "the workbook is password-protected", field="file") from None
    except (CalamineError, ValueError, OSError):
        raise IntakeFileInvalid("无法读取该表格文件：请确认是 Excel 或 WPS 保存的 .xlsx",
                                "the workbook cannot be read", field="file") from None
    if rows is None:
        raise IntakeFileInvalid("工作簿中没有工作表", "no sheet", field="file")
    return iter(rows)


@dataclass(frozen=True)
class Context:
    """What every row of one upload shares: the institution (the creditor), the committee
    chosen on upload, the committees and courts a row may name."""

    institution: Organization
    committee: Organization
    committees: dict[str, Organization]
    courts: dict[str, Organization]

    @classmethod
    def of(cls, institution: Organization, committee: Organization) -> Context:
        named = Organization.objects.filter(kind__in=[OrgKind.COMMITTEE, OrgKind.COURT])
        return cls(institution, committee,
                   {o.name: o for o in named if o.kind == OrgKind.COMMITTEE},
                   {o.name: o for o in named if o.kind == OrgKind.COURT})


@dataclass(frozen=True)
class RowRequest(IntakeRequest):
    """A row as the intake takes it, with the columns' prefix of each of its parties (in
    the order of ``parties``), so that a refusal about a party names its column."""

    party_columns: tuple[str, ...] = ()


# the intake's names of what a refusal is about, as the template's columns name them
_FIELD_COLUMNS = {
    "external_ref": "机构业务编号", "contract_ref": "合同编号或卡号", "dispute_type": "纠纷类型",
    "channel": "来源渠道", "committee": "受理调委会", "court": "法院",
    "pending_case_number": "在诉案号", "as_of": "债权计算日", "claim_as_of": "债权计算日",
    "charges_since": "欠息起算日",
    "committee_id": "受理调委会", "claim": "本金",
    "received_on": "收案日期", "summary": "纠纷概要", "notice_served": "已告知非诉讼方式",
    "parties": "债务人姓名或名称", **CLAIM_PART_LABELS}
_PARTY_COLUMNS = {"name": "姓名或名称", "id_number": "证件号码", "id_type": "证件号码",
                  "phone": "手机", "address": "住所", "residence": "经常居住地",
                  "ethnicity": "民族", "occupation": "职业", "rep_name": "法定代表人",
                  "rep_title": "法定代表人职务", "rep_role": "法定代表人",
                  "sex": "证件号码", "birth_date": "证件号码"}


def column_of(item: object, details: dict[str, Any]) -> str:
    """The column a refusal of ``item`` (a row's request, or the error that stood for it)
    is about: a party's field under that party's columns (the creditor is the institution
    itself), anything else under its own."""
    field = str(details.get("field", ""))
    row = details.get("row")
    if row not in (None, "") and isinstance(item, RowRequest):
        place = int(row)
        prefix = item.party_columns[place] if place < len(item.party_columns) else ""
        if not prefix:
            return "金融机构（债权人）"
        return prefix + _PARTY_COLUMNS.get(field, "姓名或名称")
    if field in HEADERS:
        return field
    return _FIELD_COLUMNS.get(field, field)


_TYPES = {**{str(t.label): t.value for t in DisputeType}, **{t.value: t.value for t in DisputeType}}
_CHANNELS = {**{str(c.label): c.value for c in Channel}, **{c.value: c.value for c in Channel}}


def requests_of(table: Table, context: Context) -> list[IntakeRequest | DomainError]:
    """Each row as an :class:`IntakeRequest`, or the error that refuses it alone (its
    ``field`` the column's Chinese name)."""
    at = {h: i for i, h in reversed(list(enumerate(table.headers))) if h in HEADERS}
    return [_request(row, at, context) for row in table.rows]


def _request(row: Sequence[Any], at: dict[str, int], context: Context
             ) -> IntakeRequest | DomainError:
    def cell(header: str) -> Any:
        i = at.get(header)
        return row[i] if i is not None and i < len(row) else None

    def text(header: str, limit: int = 300) -> str:
        value = cell_text(cell(header))
        if len(value) > limit:
            raise CellInvalid(f"“{header}”过长（至多{limit}个字符）", f"{header} is too long",
                              field=header)
        return value

    try:
        ref = text("机构业务编号", 100)
        if not ref:
            raise CellInvalid("“机构业务编号”必填：同一编号再次提交时据此识别",
                              "the institution's reference is required", field="机构业务编号")
        dispute_type = _TYPES.get(text("纠纷类型"))
        if dispute_type is None:
            raise CellInvalid(f"“纠纷类型”无效：{text('纠纷类型') or '（空）'}；应为"
                              + "、".join(str(t.label) for t in DisputeType),
                              "unknown dispute type", field="纠纷类型")
        channel = _CHANNELS.get(text("来源渠道") or str(Channel.INSTITUTION_APPLICATION.label))
        if channel is None:
            raise CellInvalid(f"“来源渠道”无效：{text('来源渠道')}", "unknown channel",
                              field="来源渠道")
        committee = context.committee
        if text("受理调委会"):
            committee = context.committees.get(text("受理调委会"))  # type: ignore[assignment]
            if committee is None:
                raise CellInvalid(f"“受理调委会”不存在：{text('受理调委会')}（请填写调委会全称）",
                                  "no such committee", field="受理调委会")
        court = None
        if text("法院"):
            court = context.courts.get(text("法院"))
            if court is None:
                raise CellInvalid(f"“法院”不存在：{text('法院')}（请填写法院全称）",
                                  "no such court", field="法院")
        as_of = cell_date(cell("债权计算日"), column="债权计算日")
        if as_of is None:
            raise CellInvalid("“债权计算日”必填", "the claim's as-of date is required",
                              field="债权计算日")
        claim = ClaimBreakdown(as_of=as_of, **{
            f: cell_amount(cell(label), column=label) for f, label in CLAIM_PART_LABELS.items()})
        parties: list[tuple[PartyInput, PartyRole]] = [(PartyInput(
            PartyKind.ENTITY, context.institution.name, context.institution.credit_code),
            PartyRole.CREDITOR)]
        columns = [""]
        debtor = _party("债务人", cell, text)
        if debtor is None:
            raise CellInvalid("“债务人姓名或名称”和“债务人证件号码”必填",
                              "the debtor is required", field="债务人姓名或名称")
        parties.append((debtor, PartyRole.DEBTOR))
        columns.append("债务人")
        for n in range(1, GUARANTORS + 1):
            guarantor = _party(f"担保人{n}", cell, text)
            if guarantor is not None:
                parties.append((guarantor, PartyRole.GUARANTOR))
                columns.append(f"担保人{n}")
        return RowRequest(
            committee=committee, channel=channel, dispute_type=dispute_type, claim=claim,
            parties=parties, institution=context.institution, court=court,
            external_ref=ref, summary=text("纠纷概要", 5000),
            received_on=cell_date(cell("收案日期"), column="收案日期"),
            notice_served=cell_bool(cell("已告知非诉讼方式"), column="已告知非诉讼方式"),
            contract_ref=text("合同编号或卡号", 100), pending_case_number=text("在诉案号", 64),
            charges_since=cell_date(cell("欠息起算日"), column="欠息起算日"),
            party_columns=tuple(columns))
    except DomainError as exc:
        return exc


def _party(prefix: str, cell: Any, text: Any) -> PartyInput | None:
    """The party of the ``prefix`` columns, or None when they are all empty.

    :raises CellInvalid: a kind other than 个人/单位, or a name without a number or the other
        way round
    """
    name = text(f"{prefix}姓名或名称", 100)
    number = cell_number_text(cell(f"{prefix}证件号码"), column=f"{prefix}证件号码")
    if not name and not number:
        return None
    if not name or not number:
        missing = f"{prefix}姓名或名称" if not name else f"{prefix}证件号码"
        raise CellInvalid(f"“{missing}”必填（已填写{prefix}的其他信息）",
                          f"{missing} is required", field=missing)
    kind_text = text(f"{prefix}类型") or "个人"
    kinds = {"个人": PartyKind.PERSON, "自然人": PartyKind.PERSON, "单位": PartyKind.ENTITY,
             "法人": PartyKind.ENTITY, "企业": PartyKind.ENTITY}
    if kind_text not in kinds:
        raise CellInvalid(f"“{prefix}类型”应为个人或单位：{kind_text}", "person or entity",
                          field=f"{prefix}类型")
    kind = kinds[kind_text]
    particulars = {"address": text(f"{prefix}住所"), "residence": text(f"{prefix}经常居住地")}
    if kind is PartyKind.PERSON:
        particulars |= {"ethnicity": text(f"{prefix}民族", 16),
                        "occupation": text(f"{prefix}职业", 200)}
    elif text(f"{prefix}法定代表人", 100):
        particulars |= {"rep_name": text(f"{prefix}法定代表人", 100),
                        "rep_title": text(f"{prefix}法定代表人职务", 100)}
    return PartyInput(kind, name, number,
                      phone=cell_number_text(cell(f"{prefix}手机"), column=f"{prefix}手机"),
                      **particulars)


# columns a spreadsheet must keep as text (numbers of 18 digits, leading zeros)
TEXT_COLUMNS = frozenset(h for h in HEADERS if h.endswith(("证件号码", "手机", "编号", "卡号")))


def template_xlsx(institution: Organization) -> bytes:
    """The element-table template for ``institution``: the data sheet with its header only
    (required columns marked ``*``, the number columns formatted as text so that Excel keeps
    every digit), and a sheet of notes with an example row."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF",
                            "border": 1, "text_wrap": True, "valign": "vcenter"})
    needed = book.add_format({"bold": True, "bg_color": "#C00000", "font_color": "#FFFFFF",
                              "border": 1, "text_wrap": True, "valign": "vcenter"})
    as_text = book.add_format({"num_format": "@"})
    data = book.add_worksheet("要素表")
    for col, column in enumerate(COLUMNS):
        data.write_string(0, col, ("*" if column.required else "") + column.header,
                          needed if column.required else head)
        data.set_column(col, col, 18 if column.header in TEXT_COLUMNS else 14,
                        as_text if column.header in TEXT_COLUMNS else None)
    data.set_row(0, 36)
    data.freeze_panes(1, 0)
    notes = book.add_worksheet("填写说明")
    notes.write_string(0, 0, f"{institution.name} 金融纠纷要素表（每行一件纠纷）", head)
    lines = [
        "债权人为本机构（按登记名称与统一社会信用代码），无需填写。",
        "带 * 的列必填；同一机构业务编号再次提交：内容不变视为已登记，内容不同报冲突，"
        "均不会重复登记。",
        "可上传 .xlsx、.xls、.ods，或 UTF-8 / GB18030 编码的 .csv；每个文件至多"
        f"{MAX_ROWS:,}行。",
        "上传后逐行校验，给出每行的处理结果；可选择“全部通过才登记”或“只登记校验通过的行”。",
    ]
    for row, line in enumerate(lines, start=1):
        notes.write_string(row, 0, line)
    top = len(lines) + 2
    for col, title in enumerate(("列", "必填", "说明", "示例")):
        notes.write_string(top, col, title, head)
    for row, column in enumerate(COLUMNS, start=top + 1):
        notes.write_row(row, 0, [column.header, "是" if column.required else "",
                                 column.note, column.example])
    notes.set_column(0, 0, 22)
    notes.set_column(2, 2, 60)
    notes.set_column(3, 3, 30)
    book.close()
    return out.getvalue()
