"""The loop past mediation through the API: the agreement signed with codes from the outbox,
the court's review, payments one by one and as a CSV, and who may do what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jintiao import clock
from jintiao.disputes.models import DisputeParty, PartyRole
from jintiao.parties.crypto import decrypt
from tests.api.client import Api
from tests.factories import flat
from tests.helpers import accept_plan, last_code


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


@pytest.fixture
def agreed_api(desk, mediating):
    """The dispute with an accepted 12-instalment plan, and the desk's clients."""
    accept_plan(desk, mediating, flat(12))
    mediating.refresh_from_db()
    return desk, mediating


def sign_everyone(w, dispute, agreement, mediator, agent):
    debtor = DisputeParty.objects.get(dispute=dispute, role=PartyRole.DEBTOR)
    for s in agreement["signers"]:
        if s["capacity"] == "调解员":
            who, phone = mediator, w.mediator.mobile
        elif s["capacity"] == "债权人":
            who, phone = agent, w.agent.mobile
        else:
            who, phone = mediator, decrypt(debtor.party.phone_cipher)
        sent = ok(who.post(f"/agreements/{agreement['id']}/codes", {"signer": s["key"]}), 201)
        assert "验证码" not in str(sent)
        assert sent["to"].startswith(phone[:3])
        ok(who.post(f"/agreements/{agreement['id']}/signatures",
                    {"signer": s["key"], "code": last_code(phone)}), 201)


def sign_application_over_the_api(w, dispute, mediator, agent):
    """Both applicants' addresses recorded at the desk; the debtor signs the application
    with the code its phone received, the bank through its agent."""
    debtor = DisputeParty.objects.get(dispute=dispute, role=PartyRole.DEBTOR)
    creditor = DisputeParty.objects.get(dispute=dispute, role=PartyRole.CREDITOR)
    for row in (debtor, creditor):
        ok(mediator.post(f"/disputes/{dispute.pk}/service-address", {
            "party_row_id": row.pk, "postal_address": "凯里市北京东路1号", "at_desk": True}), 201)
    for who, row, phone in ((mediator, debtor, decrypt(debtor.party.phone_cipher)),
                            (agent, creditor, w.agent.mobile)):
        sent = ok(who.post(f"/disputes/{dispute.pk}/joint-application/signatures",
                           {"party_row_id": row.pk, "court_id": w.court.pk}), 201)
        ok(who.post(f"/statements/{sent['id']}/sign", {"code": last_code(phone)}))
    assert ok(mediator.get(f"/disputes/{dispute.pk}/joint-application",
                           court_id=w.court.pk))["ready"] is True


def test_the_whole_loop_through_the_api(agreed_api):
    w, d = agreed_api
    mediator, agent, director = Api(w.mediator), Api(w.agent), Api(w.director)
    judge = Api(w.judge)
    draft = ok(mediator.post(f"/disputes/{d.pk}/agreement", {
        "expected_version": d.version, "facts": "信用卡透支逾期未还。",
        "performance_manner": "按期存入还款账户。", "charges_since": "2025-01-01"}), 201)
    assert draft["status"] == "draft"
    assert draft["version"] == 1
    verdicts = {c["code"]: c["verdict"] for c in draft["checklist"]}
    assert verdicts["amounts"] == "met"
    assert verdicts["voluntary"] == "for_judge"
    sign_everyone(w, d, draft, mediator, agent)
    assert ok(agent.post(f"/agreements/{draft['id']}/seal",
                         {"expected_version": d.version + 4}), 403)["code"] == \
        "permission_denied"
    d.refresh_from_db()
    sealed = ok(director.post(f"/agreements/{draft['id']}/seal",
                              {"expected_version": d.version}))
    assert sealed["status"] == "effective"
    d.refresh_from_db()
    refused = mediator.post(f"/disputes/{d.pk}/confirmation",
                            {"expected_version": d.version, "court_id": w.court.pk})
    assert refused.json()["details"]["checks"] == "joint_application_signed"
    sign_application_over_the_api(w, d, mediator, agent)
    d.refresh_from_db()
    app = ok(mediator.post(f"/disputes/{d.pk}/confirmation",
                           {"expected_version": d.version, "court_id": w.court.pk}), 201)
    assert ok(mediator.post(f"/confirmations/{app['id']}/accept"), 403)
    accepted = ok(judge.post(f"/confirmations/{app['id']}/accept"))
    review = ok(judge.get(f"/confirmations/{app['id']}"))
    pending = [c["code"] for c in review["checklist"] if c["verdict"] != "met"]
    assert pending == ["voluntary", "no_fraud", "no_harm"]
    d.refresh_from_db()
    ruled = ok(judge.post(f"/confirmations/{app['id']}/ruling", {
        "expected_version": d.version, "confirm": True,
        "attested": ["voluntary", "no_fraud", "no_harm"]}))
    assert ruled["status"] == "confirmed"
    assert ruled["case_number"] == accepted["case_number"]
    docs = ok(mediator.get(f"/disputes/{d.pk}/documents"))
    assert [x["kind"] for x in docs] == ["agreement", "confirmation_application",
                                         "court_acceptance_notice", "ruling"]
    pdf = mediator.client.get(f"/api/v1/documents/{docs[0]['id']}/pdf", headers=mediator.headers)
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content)[:4] == b"%PDF"

    # payments: by reference, once; a file sent twice changes nothing
    with clock.pinned(dt.datetime(2027, 1, 20, 10, tzinfo=clock.TZ)):
        due = draft["content"]["terms"]["schedule"][0]["payment"]
        first = {"reference": "TX-1", "paid_on": "2027-01-20", "amount": due}
        ok(agent.post(f"/disputes/{d.pk}/payments", first), 201)
        ok(agent.post(f"/disputes/{d.pk}/payments", first), 200)
        clash = ok(agent.post(f"/disputes/{d.pk}/payments", {**first, "amount": "1.00"}), 400)
        assert clash["code"] == "performance_invalid"
        csv = (f"dispute,reference,paid_on,amount\n{d.number},TX-2,2027-01-20,100.00\n"
               f"{d.external_ref or d.number},TX-3,2027-01-20,50.00\n")
        upload = {"file": _file(csv)}
        once = ok(agent.upload(f"/institutions/{w.branch.pk}/payments.csv", upload, {}))
        assert (once["created"], once["repeated"], once["errors"]) == (2, 0, [])
        twice = ok(agent.upload(f"/institutions/{w.branch.pk}/payments.csv",
                                {"file": _file(csv)}, {}))
        assert (twice["created"], twice["repeated"]) == (0, 2)
        bad = ok(agent.upload(f"/institutions/{w.branch.pk}/payments.csv", {"file": _file(
            csv + f"{d.number},TX-4,2027-01-20,-5\n")}, {}))
        assert bad["created"] == 0
        assert bad["errors"][0]["line"] == 4
        state = ok(agent.get(f"/disputes/{d.pk}/performance"))
    assert state["total_paid"] == str(Decimal(due) + 150)
    assert state["instalments"][0]["status"] == "paid"
    assert state["instalments"][1]["paid"] == "150.00"


def _file(text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("payments.csv", text.encode(), content_type="text/csv")


def test_outsiders_see_none_of_it(agreed_api):
    w, d = agreed_api
    draft = ok(Api(w.mediator).post(f"/disputes/{d.pk}/agreement", {
        "expected_version": d.version, "facts": "事实", "performance_manner": "方式"}), 201)
    for outsider in (w.other_agent, w.other_judge, w.other_clerk, w.county_supervisor):
        api = Api(outsider)
        for path in (f"/disputes/{d.pk}/agreement", f"/disputes/{d.pk}/performance",
                     f"/disputes/{d.pk}/documents"):
            assert api.get(path).status_code == 404, (outsider, path)
        assert api.post(f"/agreements/{draft['id']}/codes",
                        {"signer": draft["signers"][0]["key"]}).status_code == 404
        assert api.post(f"/agreements/{draft['id']}/seal",
                        {"expected_version": 1}).status_code == 404
        assert api.post(f"/disputes/{d.pk}/payments", {
            "reference": "X", "paid_on": "2026-12-01", "amount": "1.00"}).status_code == 404
    # the other bank's agent cannot import for this branch either
    other = Api(w.other_agent).upload(f"/institutions/{w.branch.pk}/payments.csv",
                                      {"file": _file("dispute,reference,paid_on,amount\n")}, {})
    assert other.status_code == 403
    # the judge of the court concerned reads, but drafting is the desk's
    judge = Api(w.judge)
    assert judge.get(f"/disputes/{d.pk}/agreement").status_code == 200
    assert judge.post(f"/disputes/{d.pk}/agreement", {
        "expected_version": d.version + 1, "facts": "x",
        "performance_manner": "y"}).status_code == 403


def test_after_the_seal_the_api_checklist_says_the_agreement_took_effect(agreed_api):
    """The API's checklist is the agreement page's: effective, with the last day to apply."""
    from tests.helpers import CHARGES_SINCE, agree

    w, d = agreed_api
    agreement = agree(w, d, CHARGES_SINCE)
    body = ok(Api(w.mediator).get(f"/disputes/{d.pk}/agreement"))
    window = next(c for c in body["checklist"] if c["code"] == "window")
    effective_on = agreement.effective_at.astimezone(clock.TZ).date()
    assert window["verdict"] == "pending"
    assert window["detail"].startswith(f"协议{effective_on}生效，待申请；申请期限至")
