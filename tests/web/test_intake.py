"""The intake form: field-level errors in Chinese, nothing written on a mistake."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jintiao import clock
from jintiao.disputes.models import Dispute
from jintiao.parties.models import Party
from jintiao.timeline.models import Event
from tests.factories import credit_code, resident_id
from tests.web.test_views import client_for


def form_data(world, **changes):
    data = {
        "committee": world.committee.pk, "channel": "court_delegated",
        "dispute_type": "credit_card", "institution": world.branch.pk, "court": world.court.pk,
        "external_ref": "", "received_on": clock.today().isoformat(), "notice_served": "on",
        "summary": "信用卡欠款，请求分期", "claim_as_of": clock.today().isoformat(),
        "principal": "200,311.62", "interest": "3.12万", "penalty_interest": "",
        "compound_interest": "", "liquidated_damages": "", "fees": "6127", "other": "",
        "parties-TOTAL_FORMS": "3", "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0", "parties-MAX_NUM_FORMS": "20",
        "parties-0-role": "creditor", "parties-0-kind": "entity",
        "parties-0-name": "某银行凯里支行", "parties-0-id_number": credit_code(901),
        "parties-0-phone": "",
        "parties-1-role": "debtor", "parties-1-kind": "person", "parties-1-name": "刘某某",
        "parties-1-id_number": resident_id(901), "parties-1-phone": "13912345678",
        "parties-2-role": "guarantor", "parties-2-kind": "person", "parties-2-name": "",
        "parties-2-id_number": "", "parties-2-phone": "",
    }
    # a value may be a function: dates relative to today are computed when the test runs,
    # not when it is collected (a run that crosses midnight would make "tomorrow" today)
    data.update({k: v() if callable(v) else v for k, v in changes.items()})
    return data


def counts():
    return Dispute.objects.count(), Party.objects.count(), Event.objects.count()


def test_the_form_offers_the_clerk_their_committee(world):
    page = client_for(world.clerk).get("/disputes/new/").content.decode()
    assert f'<option value="{world.committee.pk}" selected>' in page
    assert world.other_committee.name not in page
    assert 'name="parties-TOTAL_FORMS" value="3"' in page
    assert clock.today().isoformat() in page  # received today unless said otherwise


def test_a_valid_file_is_registered_and_opened(world):
    client = client_for(world.clerk)
    response = client.post("/disputes/new/", form_data(world), follow=True)
    dispute = Dispute.objects.get()
    assert response.redirect_chain[-1][0] == f"/disputes/{dispute.pk}/"
    page = response.content.decode()
    assert f"已登记：{dispute.number}" in page
    assert dispute.principal == Decimal("200311.62")
    assert dispute.interest == Decimal("31200.00")
    assert dispute.fees == Decimal("6127.00")
    assert dispute.non_litigation_notice_served
    assert dispute.party_rows.count() == 2  # the empty guarantor row is skipped
    assert dispute.events.get().params["notice_served"] is True
    assert "139****5678" in page
    assert "13912345678" not in page


def assert_refused_at(world, changes, field, message):
    """The form comes back with ``message`` under ``field``, and nothing is written."""
    before = counts()
    response = client_for(world.clerk).post("/disputes/new/", form_data(world, **changes))
    assert response.status_code == 200
    page = response.content.decode()
    assert "请修改标红的内容后重新提交" in page
    error_at = page.index(f'name="{field}"')
    assert message in page[error_at:error_at + 1500], page[error_at:error_at + 1500]
    assert counts() == before



@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"parties-1-id_number": resident_id(901)[:-1] + "0"}, "parties-1-id_number", "末位"),
    ({"parties-0-id_number": "123"}, "parties-0-id_number", "18"),
    ({"parties-1-phone": "12345"}, "parties-1-phone", "手机"),
    ({"principal": "二十万"}, "principal", "金额"),
    ({"principal": "-5"}, "principal", "负数"),
    ({"principal": "1,00"}, "principal", "千位分隔符"),
    ({"interest": "999999999亿"}, "interest", "金额过大"),
    ({"principal": ""}, "principal", "请填写本金"),
    ({"received_on": lambda: (clock.today() + dt.timedelta(days=1)).isoformat()}, "received_on",
     "不能晚于今天"),
    ({"received_on": "2026-02-30"}, "received_on", "日期"),
    ({"committee": "999999"}, "committee", "所选的受理调委会不在可选范围内"),
    ({"external_ref": "X1", "institution": ""}, "institution", "须选择金融机构"),
    ({"parties-2-name": "张三"}, "parties-2-id_number", "请填写身份证号或统一社会信用代码"),
    ({"summary": "a\x00b"}, "summary", "无效字符"),
])
def test_a_mistake_is_shown_at_its_field_and_nothing_is_written(world, changes, field, message):
    assert_refused_at(world, changes, field, message)


def test_both_a_creditor_and_a_debtor_are_required(world):
    before = counts()
    data = form_data(world, **{"parties-1-name": "", "parties-1-id_number": "",
                               "parties-1-phone": ""})
    page = client_for(world.clerk).post("/disputes/new/", data).content.decode()
    assert "纠纷至少应有一名债权人和一名债务人" in page
    assert counts() == before


def test_a_repeated_reference_opens_the_dispute_already_filed(world):
    client = client_for(world.clerk)
    data = form_data(world, external_ref="CARD-2026-001")
    client.post("/disputes/new/", data)
    response = client.post("/disputes/new/", data, follow=True)
    assert Dispute.objects.count() == 1
    assert "未重复登记" in response.content.decode()


def test_an_agent_files_only_for_their_own_institution(world):
    client = client_for(world.agent)
    page = client.get("/disputes/new/").content.decode()
    assert world.other_bank.name not in page
    before = counts()
    response = client.post("/disputes/new/", form_data(world, institution=world.other_bank.pk))
    assert "所选的金融机构不在可选范围内，请重新选择" in response.content.decode()
    assert counts() == before
    response = client.post("/disputes/new/", form_data(world, institution=""))
    assert "请选择金融机构" in response.content.decode()
    assert client.post("/disputes/new/", form_data(world)).status_code == 302
    assert Dispute.objects.get().institution == world.branch


@pytest.mark.parametrize("persona", ["judge", "supervisor", "mediator", "other_agent"])
def test_those_who_do_not_file_get_no_form(world, persona):
    client = client_for(getattr(world, persona))
    if persona == "other_agent":  # an agent files, but never at another bank's branch
        response = client.post("/disputes/new/", form_data(world))
        assert response.status_code == 200
        assert counts() == (0, 0, 0)
        return
    assert client.get("/disputes/new/").status_code == 404
    assert client.post("/disputes/new/", form_data(world)).status_code == 404
    assert client.get("/disputes/new/party-row/?index=3").status_code == 404
    assert 'href="/disputes/new/"' not in client.get("/").content.decode()
    assert counts() == (0, 0, 0)


def test_another_party_row_comes_from_htmx_with_the_count(world):
    client = client_for(world.clerk)
    body = client.get("/disputes/new/party-row/?index=3").content.decode()
    assert 'name="parties-3-name"' in body
    assert 'name="parties-TOTAL_FORMS" value="4"' in body
    assert "hx-swap-oob" in body
    assert "index=4" in body
    last = client.get("/disputes/new/party-row/?index=19").content.decode()
    assert "disabled" in last
    for bad in ("20", "-1", "x", ""):
        assert client.get(f"/disputes/new/party-row/?index={bad}").status_code == 400


def test_a_fourth_party_posted_from_an_added_row_is_registered(world):
    data = form_data(world, **{
        "parties-TOTAL_FORMS": "4", "parties-3-role": "debtor", "parties-3-kind": "person",
        "parties-3-name": "杨某某", "parties-3-id_number": resident_id(902),
        "parties-3-phone": ""})
    assert client_for(world.clerk).post("/disputes/new/", data).status_code == 302
    assert Dispute.objects.get().party_rows.filter(role="debtor").count() == 2


def test_too_many_rows_are_refused_not_a_crash(world):
    data = form_data(world, **{"parties-TOTAL_FORMS": "5000"})
    response = client_for(world.clerk).post("/disputes/new/", data)
    assert response.status_code == 200
    assert counts() == (0, 0, 0)


def _born_tomorrow() -> str:
    from jintiao.domain import identity

    first17 = f"522601{clock.today() + dt.timedelta(days=1):%Y%m%d}123"
    return first17 + identity.resident_id_check_char(first17)


# Each refusal is the intake service's (the same code and words as the API's), shown at the
# field the mistake is in.
@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"principal": "0", "interest": "", "fees": ""}, "principal", "债权合计应大于零"),
    ({"claim_as_of": lambda: (clock.today() + dt.timedelta(days=1)).isoformat()},
     "claim_as_of",
     "债权计算日不能晚于今天"),
    ({"claim_as_of": clock.today().replace(year=clock.today().year - 30).isoformat()},
     "claim_as_of", "请核对年份"),
    ({"received_on": clock.today().replace(year=clock.today().year - 3).isoformat()},
     "received_on", "请核对年份"),
    ({"court": ""}, "court", "须选择委派或委托的法院"),
    ({"parties-0-kind": "person", "parties-0-id_number": resident_id(901)},
     "parties-1-id_number", "不能既是债权人又是债务人"),
    ({"parties-1-id_number": _born_tomorrow}, "parties-1-id_number", "晚于"),
    ({"parties-1-name": "刘\u202e某某"}, "parties-1-name", "U+202E"),
    ({"parties-1-name": "\ufeff刘某某"}, "parties-1-name", "U+FEFF"),
    ({"external_ref": "X1", "institution": ""}, "institution", "须选择金融机构"),
])
def test_a_refusal_of_the_service_is_shown_at_its_field_and_nothing_is_written(
        world, changes, field, message):
    assert_refused_at(world, changes, field, message)


def test_a_creditor_under_a_banks_code_carries_the_banks_registered_name(world):
    before = counts()
    data = form_data(world, **{"parties-0-name": "某银行凯里分行",
                               "parties-0-id_number": world.branch.credit_code})
    page = client_for(world.clerk).post("/disputes/new/", data).content.decode()
    error_at = page.index('name="parties-0-name"')
    assert "登记的名称“某银行凯里支行”" in page[error_at:error_at + 1500]
    assert counts() == before


def test_a_reference_filed_again_with_other_content_is_refused_at_the_reference(world):
    client = client_for(world.clerk)
    client.post("/disputes/new/", form_data(world, external_ref="CARD-7"))
    page = client.post("/disputes/new/", form_data(world, external_ref="CARD-7",
                                                   principal="200,000")).content.decode()
    error_at = page.index('name="external_ref"')
    assert "本次提交的本金与已登记的不同；未作更改" in page[error_at:error_at + 1500]
    assert Dispute.objects.get().principal == Decimal("200311.62")


def test_a_probable_duplicate_is_taken_and_the_clerk_sees_the_other_dispute(world):
    client = client_for(world.clerk)
    client.post("/disputes/new/", form_data(world))
    response = client.post("/disputes/new/", form_data(world), follow=True)
    first, second = Dispute.objects.order_by("pk")
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/disputes/{second.pk}/"
    assert "疑似重复登记" in page
    assert f'<a href="/disputes/{first.pk}/">{first.number}</a>' in page
    assert "疑似重复登记" not in client.get(f"/disputes/{first.pk}/").content.decode()
