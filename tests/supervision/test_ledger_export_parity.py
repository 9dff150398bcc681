"""The ledger's exports, made fast (issue 19 §3), write what they wrote before, byte for byte:
the CSV file and stream, every part of the workbook, the page's rows — for synthetic
disputes in every state and for cells made to be awkward (formula-like names, control
characters, XML's special characters, whitespace at either end, money past a trillion
yuan, labels no longer among the choices, a dispute without figures).

The reference below is the ledger's code as it stood before (commit c6d029c): values as
dicts, one Decimal per amount, a type test and a format call per cell, XlsxWriter's own
``write_*`` for every cell. It stays here, unchanged, so that any later change to the export
is held to the same output."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import xlsxwriter
from django.db.models import Model, QuerySet

from jintiao import paging
from jintiao.demo.scale import PREFECTURE, bench_seed
from jintiao.disputes.models import Dispute, DisputeParty
from jintiao.domain import identity
from jintiao.domain.figures import Outcome
from jintiao.domain.lifecycle import Role
from jintiao.domain.money import from_fen
from jintiao.orgs.models import Organization, User
from jintiao.parties.models import Party, PartyKind
from jintiao.supervision import exports, services
from jintiao.supervision.models import DisputeFigures
from jintiao.supervision.selectors import (
    LEDGER_COLUMNS,
    LedgerFilter,
    ledger,
    ledger_chunks,
    ledger_rows,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# -- the reference: the export as it was --------------------------------------------------

ORDER = paging.Keyset("received_on", descending=True)
# what a row read, as a dict
OLD_VALUES = ("pk", "number", "channel", "dispute_type", "committee__name",
              "institution__name", "received_on", "track", "state", "deadline",
              "figures__claim_fen", "figures__agreed_fen", "figures__accepted_on",
              "figures__concluded_on", "figures__outcome", "figures__working_days",
              "figures__confirmed_on", "figures__performed_on", "figures__defaulted_on",
              "figures__enforcement_on", "figures__mediator__first_name",
              "figures__mediator__last_name", "figures__mediator__username")


def _labels(model: type[Model], field: str) -> dict[str, str]:
    found = model._meta.get_field(field)
    return {str(k): str(v) for k, v in getattr(found, "flatchoices", [])}


def old_rows(values: Iterable[dict[str, Any]]) -> list[list[Any]]:
    """The old ``ledger_rows`` then ``ledger_values``: a row's cells, the dispute's id
    first."""
    found = list(values)
    parties: dict[int, list[str]] = {}
    role_labels = _labels(DisputeParty, "role")
    for dispute_id, role, kind, name, masked in (
            DisputeParty.objects.filter(dispute_id__in=[v["pk"] for v in found])
            .order_by("dispute_id", "role", "pk")
            .values_list("dispute_id", "role", "party__kind", "party__name",
                         "party__id_masked")):
        shown = name if kind == PartyKind.ENTITY else f"{identity.mask_name(name)}（{masked}）"
        parties.setdefault(dispute_id, []).append(f"{role_labels.get(role, role)}：{shown}")
    channels, types = _labels(Dispute, "channel"), _labels(Dispute, "dispute_type")
    tracks, states = _labels(Dispute, "track"), _labels(Dispute, "state")
    outcomes = {o.value: str(o.label) for o in Outcome}
    rows = []
    for v in found:
        name = f"{v['figures__mediator__first_name'] or ''} " \
               f"{v['figures__mediator__last_name'] or ''}".strip()
        outcome = v["figures__outcome"]
        rows.append([
            v["pk"], v["number"], channels.get(v["channel"], ""),
            types.get(v["dispute_type"], ""), v["committee__name"],
            v["institution__name"] or "", "；".join(parties.get(v["pk"], [])),
            from_fen(v["figures__claim_fen"] or 0),
            from_fen(v["figures__agreed_fen"]) if v["figures__agreed_fen"] else None,
            v["received_on"], v["figures__accepted_on"],
            tracks.get(v["track"], "") if v["track"] else "",
            name or v["figures__mediator__username"] or "",
            states.get(v["state"], v["state"]), v["deadline"], v["figures__concluded_on"],
            outcomes.get(outcome, "") if outcome and outcome != Outcome.PENDING else "",
            v["figures__working_days"], v["figures__confirmed_on"],
            v["figures__performed_on"], v["figures__defaulted_on"],
            v["figures__enforcement_on"]])
    return rows


def old_chunks(rows: QuerySet[Any], size: int) -> Iterator[list[list[Any]]]:
    """The old ``ledger_chunks`` over the ledger's rows read as dicts, as they were."""
    values = rows.values(*OLD_VALUES)
    cursor: str | None = None
    while True:
        chunk, cursor = paging.keyset_page(values, ORDER, cursor, size)
        if chunk:
            yield [row[1:] for row in old_rows(chunk)]
        if cursor is None:
            return


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _cell_safe(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def old_csv(chunks: Iterable[list[list[Any]]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(LEDGER_COLUMNS)
    for chunk in chunks:
        writer.writerows([_cell_safe(_text(v)) for v in row] for row in chunk)
    return out.getvalue()


def old_xlsx(chunks: Iterable[list[list[Any]]], *, title: str, sheet_rows: int) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False})
    book.set_properties({"title": title, "author": "金调通"})
    header = book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E79",
                              "align": "center", "valign": "vcenter", "text_wrap": True,
                              "bottom": 1, "bottom_color": "#BFBFBF"})
    money = book.add_format({"num_format": "#,##0.00"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    widths = {"纠纷编号": 28, "当事人": 40, "受理调委会": 26, "金融机构": 26}

    def new_sheet(n: int) -> Any:
        sheet = book.add_worksheet("工作台账" if n == 1 else f"工作台账（续{n}）")
        sheet.freeze_panes(1, 1)
        for i, name in enumerate(LEDGER_COLUMNS):
            sheet.set_column(i, i, widths.get(name, 14))
            sheet.write_string(0, i, name, header)
        return sheet

    sheets, sheet, line = 1, new_sheet(1), 1
    for chunk in chunks:
        for row in chunk:
            if line == sheet_rows:
                sheets += 1
                sheet, line = new_sheet(sheets), 1
            for col, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    sheet.write_string(line, col, _cell_safe(value))
                elif isinstance(value, Decimal):
                    sheet.write_number(line, col, value, money)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(line, col, value, day)
                else:
                    sheet.write_number(line, col, value)
            line += 1
    book.close()
    return out.getvalue()


# -- the disputes -------------------------------------------------------------------------

AWKWARD = ["=HYPERLINK(\"http://x\",\"点我\")", "+86 138", "-负号开头", "@SUM(A1)",
           "\t制表符", "\r回车", "  前后空格  ", "尾部空格 ", "\u3000全角空格", "A&B<C>D\"E'",
           "_x0041_转义", "铃\x07声\x1f", "换\n行", "<r>富文本</r>", "非字符\ufffe\uffff",
           "𠀀扩展字", ""]


@pytest.fixture
def ledger_world(world, cases):
    """Synthetic disputes under the benchmark's prefecture and the world's two, with
    awkward names, numbers and amounts put into some of them; a supervisor of each."""
    bench_seed(60, seed=11)
    services.figures_refresh()
    synthetic = list(Dispute.objects.filter(committee__name__contains="金调委")
                     .exclude(pk__in=[c.pk for c in cases]).order_by("pk"))
    for n, text in enumerate(AWKWARD):
        dispute = synthetic[n]
        debtor = dispute.party_rows.get(role="debtor").party
        Party.objects.filter(pk=debtor.pk).update(name=text or "某")
        if text:
            Dispute.objects.filter(pk=dispute.pk).update(number=f"{text}{n}")
    committee = synthetic[0].committee
    Organization.objects.filter(pk=committee.pk).update(name="=委员会")
    Organization.objects.filter(pk=synthetic[1].institution_id).update(name="-机构 ")
    mediators = list(User.objects.filter(pk__in=DisputeFigures.objects.values("mediator_id"))
                     .order_by("pk"))
    for user, (first, last, username) in zip(mediators, [
            ("", "", "-only-username"), ("=张", "三", "m1"), (" ", " ", "blank-names"),
            ("李", "", "m3")], strict=False):
        User.objects.filter(pk=user.pk).update(first_name=first, last_name=last,
                                               username=username)
    amounts = [(5, 0), (123456, 1), (0, 0), (10**15 + 7, 10**15), (10**18 + 99, 1),
               (1, 99), (100, None), (99999999, 12345)]
    for dispute, (claim, agreed) in zip(synthetic[3:], amounts, strict=False):
        DisputeFigures.objects.filter(dispute=dispute).update(
            claim_fen=claim, agreed_fen=agreed if agreed is not None else 0)
    DisputeFigures.objects.filter(dispute=synthetic[12]).update(working_days=-3,
                                                                outcome=Outcome.PENDING)
    DisputeFigures.objects.filter(dispute=synthetic[13]).update(working_days=0)
    Dispute.objects.filter(pk=synthetic[14].pk).update(track="gone", channel="old",
                                                       dispute_type="old")
    DisputeFigures.objects.filter(dispute=synthetic[15]).delete()
    prefecture = Organization.objects.get(name=PREFECTURE, parent=None)
    scale = UserFactory(organization=prefecture, roles=[Role.SUPERVISOR])
    return {"scale": scale, "prefecture": world.supervisor,
            "county": world.county_supervisor, "committee": committee}


VIEWS = [("scale", {}), ("scale", {"state": "performing"}), ("scale", {"committee": True}),
         ("prefecture", {}), ("county", {})]


def _rows_for(ledger_world: dict[str, Any], who: str, want: dict[str, Any]) -> QuerySet[Any]:
    if want.get("committee"):
        want = {"committee_id": ledger_world["committee"].pk}
    return ledger(ledger_world[who], LedgerFilter(**want))


def _parts(book: bytes) -> dict[str, bytes]:
    """Every part of a workbook, its creation time (now, each time) left out."""
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts["docProps/core.xml"] = re.sub(rb"<dcterms:(created|modified)[^<]*</dcterms:\1>",
                                        b"", parts["docProps/core.xml"])
    return parts


# -- the checks ---------------------------------------------------------------------------


def test_the_fixture_holds_every_awkward_case(ledger_world):
    rows = _rows_for(ledger_world, "scale", {})
    table = [r for chunk in old_chunks(rows, 500) for r in chunk]
    assert len(table) == 60
    assert {"=HYPERLINK(\"http://x\",\"点我\")0", "-负号开头2"} <= {r[0] for r in table}
    assert {Decimal("0.05"), Decimal("10000000000000.07")} <= {r[6] for r in table}
    assert "" in {r[1] for r in table}  # a channel no longer among the choices
    assert {-3, 0} <= {r[16] for r in table}


def test_the_csv_file_and_stream_are_the_old_ones_byte_for_byte(ledger_world):
    for who, want in VIEWS:
        rows = _rows_for(ledger_world, who, want)
        expected = old_csv(old_chunks(rows, 500))
        for size in (1, 7, 2000):
            out = io.StringIO(newline="")
            done = exports.csv_write(ledger_chunks(rows, size), out)
            assert out.getvalue() == expected, (who, want, size)
            assert done == rows.count()
        streamed = "".join(exports.csv_chunks(r for chunk in ledger_chunks(rows) for r in chunk))
        assert streamed == expected, (who, want)


def test_every_part_of_the_workbook_is_the_old_one(ledger_world, monkeypatch):
    for who, want in VIEWS:
        rows = _rows_for(ledger_world, who, want)
        for size, sheet_rows in ((2000, exports.SHEET_ROWS), (7, 9), (1, 2)):
            expected = _parts(old_xlsx(old_chunks(rows, 500), title="工作台账",
                                       sheet_rows=sheet_rows))
            monkeypatch.setattr(exports, "SHEET_ROWS", sheet_rows)
            out = io.BytesIO()
            done, sheets = exports.xlsx_write(ledger_chunks(rows, size), out, title="工作台账")
            assert _parts(out.getvalue()) == expected, (who, want, size)
            assert done == rows.count()
            assert sheets == sum(1 for n in expected if n.startswith("xl/worksheets/sheet"))
            inline = exports.xlsx_bytes((r for chunk in ledger_chunks(rows, size) for r in chunk),
                                        title="工作台账")
            assert _parts(inline) == expected, (who, want, size)


def test_an_empty_ledger_exports_as_before(ledger_world, monkeypatch):
    rows = _rows_for(ledger_world, "scale", {"state": "no-such-state"})
    assert old_csv(old_chunks(rows, 500)).count("\n") == 1
    out = io.StringIO(newline="")
    assert exports.csv_write(ledger_chunks(rows), out) == 0
    assert out.getvalue() == old_csv(old_chunks(rows, 500))
    book = io.BytesIO()
    assert exports.xlsx_write(ledger_chunks(rows), book, title="工作台账") == (0, 1)
    assert _parts(book.getvalue()) == _parts(old_xlsx(old_chunks(rows, 500), title="工作台账",
                                                      sheet_rows=exports.SHEET_ROWS))


def test_the_pages_rows_are_the_old_ones(ledger_world):
    for who, want in VIEWS:
        rows = _rows_for(ledger_world, who, want)
        shown = [[r.dispute_id, r.number, r.channel, r.dispute_type, r.committee,
                  r.institution, r.parties, r.claim, r.agreed, r.received_on, r.accepted_on,
                  r.track, r.mediator, r.state, r.deadline, r.concluded_on, r.outcome,
                  r.working_days, r.confirmed_on, r.performed_on, r.defaulted_on,
                  r.enforcement_on] for r in ledger_rows(rows[:50])]
        assert shown == old_rows(rows.values(*OLD_VALUES)[:50]), (who, want)
