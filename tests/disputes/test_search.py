"""The search box finds a dispute by what people type — its number or a part of it, the
bank's reference, a party's name, surname or whole ID number, a mobile — each on an index
on PostgreSQL (issue 19 §1), and never what the viewer may not see."""

from __future__ import annotations

import pytest
from django.db import connection

from jintiao.disputes.models import Dispute, DisputeParty
from jintiao.disputes.selectors import dispute_list
from jintiao.parties.models import Party
from tests.factories import intake, resident_id


@pytest.fixture
def filed(world, cases):
    ours, theirs = cases
    Dispute.objects.filter(pk=ours.pk).update(external_ref="LN-2026-0042_A",
                                              summary="信用卡ABC逾期，请求分期")
    Party.objects.filter(dispute_rows__dispute=ours, dispute_rows__role="debtor").update(
        name="欧阳明月")
    return Dispute.objects.get(pk=ours.pk), theirs


def found(viewer, text):
    return list(dispute_list(viewer, text=text))


@pytest.mark.parametrize("text", [
    "欧阳明月",  # the whole name
    "欧阳",  # the surname: a name's start, on the prefix index
    "阳明月",  # a fragment of three or more
    "LN-2026-0042_A",  # the bank's whole reference
    "ln-2026",  # a fragment of it, any case
    "0042_a",
    "abc",  # the summary
    "请求分期",
])
def test_each_thing_typed_finds_the_dispute(world, filed, text):
    ours, _theirs = filed
    assert found(world.supervisor, text) == [ours]


def test_the_number_whole_or_in_part(world, filed):
    ours, theirs = filed
    assert found(world.supervisor, ours.number) == [ours]
    assert found(world.supervisor, "522601金调") == [ours]
    assert set(found(world.supervisor, "00001号")) == {ours, theirs}
    assert set(found(world.supervisor, "金调0")) == {ours, theirs}  # both numbers hold it


def test_a_mobile_finds_its_parties_by_hash_and_a_masked_number_finds_nothing(world, filed):
    ours, theirs = filed
    party = ours.party_rows.get(role="debtor").party
    assert found(world.supervisor, party.id_masked) == []  # the masked form is no key
    # the factory gives every debtor the same mobile: both disputes
    assert set(found(world.supervisor, "13812345678")) == {ours, theirs}
    assert set(found(world.supervisor, "138 1234 5678")) == {ours, theirs}
    assert found(world.supervisor, "13812345679") == []


def test_an_id_number_finds_only_its_own(world, cases):
    new = intake(actor=world.clerk, committee=world.committee, institution=world.branch,
                 serial=4242)
    assert found(world.supervisor, resident_id(4242)) == [new]
    assert found(world.supervisor, resident_id(4243)) == []


def test_what_the_viewer_may_not_see_is_not_found(world, filed):
    ours, theirs = filed
    assert found(world.other_clerk, "欧阳明月") == []
    assert found(world.other_clerk, ours.number) == []
    assert found(world.other_clerk, "13812345678") == [theirs]


@pytest.mark.parametrize(("text", "finds"), [
    ("2_A", True), ("2%A", False), ("___", False), ("%%%", False), ("\\\\", False),
    ("42_", True), ("4_2", False),
])
def test_like_wildcards_are_matched_as_written(world, filed, text, finds):
    ours, _theirs = filed
    assert found(world.supervisor, text) == ([ours] if finds else [])


def test_one_or_two_characters_do_not_scan_the_summaries(world, filed):
    """Under three characters no trigram can find a fragment: a short text matches a
    name's start and a whole number or reference, not every summary holding it."""
    ours, _theirs = filed
    assert found(world.supervisor, "信用") == []  # in the summary only
    assert found(world.supervisor, "欧") == [ours]


def _many(ours: Dispute, n: int) -> None:
    """``n`` more disputes like ``ours`` and ``n`` more parties on them, written in bulk, so
    that the planner weighs the indexes against tables of some size (analysed), not a
    test's few rows."""
    template = {f.attname: getattr(ours, f.attname) for f in Dispute._meta.concrete_fields
                if f.attname not in ("id", "number", "seq", "year", "external_ref", "summary")}
    Dispute.objects.bulk_create(
        [Dispute(**template, number=f"（2020）999999金调{i:05d}号", seq=i, year=2020,
                 external_ref=f"REF-{i:07d}", summary=f"第{i}号纠纷的概要")
         for i in range(1, n + 1)], batch_size=2000)
    surnames = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
    made = Party.objects.bulk_create(
        [Party(kind="person",
               name=f"{surnames[i % 30]}{chr(0x4E00 + i % 9000)}{chr(0x5000 + i % 7)}",
               id_hash=f"h{i:063d}", id_masked="1101**********0011", phone_hash=f"p{i:063d}")
         for i in range(n)], batch_size=2000)
    DisputeParty.objects.bulk_create(
        [DisputeParty(dispute=ours, party=p, role="debtor") for p in made], batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE disputes_dispute, parties_party, disputes_disputeparty")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_each_search_is_read_from_its_index(world, filed):
    """Over 20,000 disputes and parties each search reads the index made for it — a name's
    fragment and a reference's by trigram, a surname by the prefix index, a mobile by its
    hash — and never the whole table of parties or their links."""
    ours, _theirs = filed
    _many(ours, 20_000)
    expected = {"欧阳明月": "party_name_trgm", "欧阳": "party_name_prefix",
                "LN-2026": "dispute_external_ref_trgm", "13812345678": "phone_hash",
                "金调00001": "dispute_number_trgm", "概要": None}
    for text, index in expected.items():
        sql, params = dispute_list(world.supervisor, text=text)[:50].query.sql_with_params()
        with connection.cursor() as cursor:
            # 20,000 rows are still read whole faster than through an index; a province's
            # million are not: scans of whole tables are priced out as at that size
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        for table in ("parties_party", "disputes_disputeparty"):
            assert f"Seq Scan on {table}" not in plan, (text, plan)
        if index is not None:
            assert index in plan, (text, plan)
