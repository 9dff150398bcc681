"""A person applies for mediation on the portal and the committee's clerk takes it in like
any other channel, or declines it with the reason texted (issue 21 §1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jintiao import clock
from jintiao.disputes.models import Channel, Dispute
from jintiao.domain.identity import resident_id_check_char
from jintiao.messaging.models import OutboxMessage
from jintiao.messaging.selectors import outbox_code
from jintiao.parties.crypto import decrypt
from jintiao.portal import applications
from jintiao.portal.applications import ApplicationInvalid, Applying, Upload
from jintiao.portal.models import Application, SignInCode
from jintiao.portal.services import SignInInvalid, sign_in_code_send
from tests.factories import resident_id

pytestmark = pytest.mark.django_db

PHONE = "13912340001"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _given(world, **changes) -> Applying:
    base = {"committee_id": world.committee.pk, "name": "张申请", "id_number": resident_id(321),
            "phone": PHONE, "address": "贵州省凯里市北京东路1号", "side": "debtor",
            "other_name": "", "institution_id": world.branch.pk, "dispute_type": "credit_card",
            "amount": Decimal("52000.00"), "facts": "信用卡逾期六个月，银行催收",
            "requests": "请求分期偿还，减免罚息", "consent_e_service": True}
    return Applying(**{**base, **changes})


def _code() -> str:
    SignInCode.objects.all().update(sent_at=clock.now() - dt.timedelta(minutes=2))
    sign_in_code_send(phone=PHONE, applying=True)
    code = outbox_code(PHONE)
    assert code is not None
    return code


def _applied(world, **changes) -> Application:
    return applications.application_submit(given=_given(world, **changes), code=_code(),
                                           files=[Upload("借款合同.pdf", PDF)])


class TestApplying:
    def test_an_application_is_kept_with_its_files_encrypted(self, world):
        made = _applied(world)
        assert made.status == Application.Status.SUBMITTED
        assert made.id_masked != resident_id(321)
        assert decrypt(made.id_cipher) == resident_id(321)
        stored = made.files.get()
        assert stored.content_type == "application/pdf"
        with stored.file.open("rb") as handle:
            assert PDF not in handle.read()  # kept encrypted
        assert applications.application_file(world.clerk, stored.pk)[1] == PDF
        assert OutboxMessage.objects.filter(purpose="portal_application").count() == 2

    def test_a_wrong_code_keeps_nothing(self, world):
        _code()
        with pytest.raises(SignInInvalid):
            applications.application_submit(given=_given(world), code="000000")
        assert not Application.objects.exists()

    @pytest.mark.parametrize(("changes", "field"), [
        ({"name": " "}, "name"),
        ({"id_number": "520103198001011234"}, "id_number"),
        ({"phone": "12345"}, "phone"),
        ({"committee_id": 0}, "committee"),
        ({"side": "judge"}, "side"),
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("-5")}, "amount"),
        ({"facts": "   "}, "facts"),
        ({"requests": "x" * 5001}, "requests"),
        ({"institution_id": None, "other_name": ""}, "other_name"),
        ({"dispute_type": "murder"}, "dispute_type"),
    ])
    def test_what_cannot_be_taken_is_refused_at_its_field(self, world, changes, field):
        with pytest.raises(ApplicationInvalid) as refused:
            applications.application_check(_given(world, **changes), [])
        assert refused.value.details["field"] == field

    def test_a_minor_applies_through_a_guardian(self, world):
        year = clock.today().year - 10
        first17 = f"520103{year}0101123"
        child = first17 + resident_id_check_char(first17)
        with pytest.raises(ApplicationInvalid, match="监护人"):
            applications.application_check(_given(world, id_number=child), [])

    def test_files_are_judged_by_their_bytes_not_their_names(self, world):
        with pytest.raises(ApplicationInvalid, match="不是PDF"):
            applications.application_check(_given(world), [
                Upload("evidence.pdf", b"<script>alert(1)</script>")])
        with pytest.raises(ApplicationInvalid, match="最多5个"):
            applications.application_check(_given(world), [Upload(f"{n}.pdf", PDF)
                                                           for n in range(6)])
        with pytest.raises(ApplicationInvalid, match="空文件"):
            applications.application_check(_given(world), [Upload("a.pdf", b"")])


class TestThePortalPage:
    def test_the_phone_form_texts_a_code_and_files_the_application(self, world):
        client = Client()
        page = client.get(reverse("portal:apply"))
        assert world.committee.name in page.content.decode()
        form = {"committee": world.committee.pk, "name": "张申请", "id_number": resident_id(321),
                "phone": PHONE, "address": "贵州省凯里市北京东路1号", "side": "debtor",
                "institution": world.branch.pk, "other_name": "", "dispute_type": "credit_card",
                "amount": "52,000", "facts": "信用卡逾期", "requests": "分期", "truthful": "on"}
        sent = client.post(reverse("portal:apply"), {**form, "step": "code"}).content.decode()
        assert "验证码已发送" in sent
        assert "信用卡逾期" in sent  # what was typed stays on the page
        assert 'class="msg error"' not in sent  # and nothing is called missing yet
        half = client.post(reverse("portal:apply"), {"phone": PHONE, "step": "code"})
        # one message at most: the minute between codes, never a field called missing
        assert half.content.decode().count('class="msg error"') <= 1
        code = outbox_code(PHONE)
        upload = SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf")
        done = client.post(reverse("portal:apply"), {**form, "code": code, "step": "submit",
                                                     "attachments": [upload]}, follow=True)
        made = Application.objects.get()
        assert made.number in done.content.decode()
        assert made.files.count() == 1
        assert made.amount == Decimal("52000.00")


class TestTheClerk:
    def test_only_the_committees_staff_see_it(self, world):
        made = _applied(world)
        clerk, other, agent = Client(), Client(), Client()
        clerk.force_login(world.clerk)
        other.force_login(world.other_clerk)
        agent.force_login(world.agent)
        detail = reverse("web:application_detail", args=[made.pk])
        assert made.name in clerk.get(detail).content.decode()
        assert other.get(detail).status_code == 404
        assert agent.get(detail).status_code == 404
        assert made.number not in other.get(reverse("web:application_list")).content.decode()
        file_url = reverse("web:application_file", args=[made.pk, made.files.get().pk])
        assert clerk.get(file_url).content == PDF
        assert agent.get(file_url).status_code == 404
        assert other.post(reverse("web:application_decline", args=[made.pk]),
                          {"reason": "不属于本会"}).status_code == 404
        made.refresh_from_db()
        assert made.status == Application.Status.SUBMITTED

    def test_taken_in_through_the_intake_form_like_any_channel(self, world):
        made = _applied(world)
        clerk = Client()
        clerk.force_login(world.clerk)
        form = clerk.get(reverse("web:dispute_new") + f"?application={made.pk}").content.decode()
        assert resident_id(321) in form  # the clerk enters the full number on the file
        assert "正在登记网上申请" in form
        post = {
            "application": made.pk, "committee": world.committee.pk,
            "channel": "party_application", "dispute_type": "credit_card",
            "institution": world.branch.pk, "received_on": clock.today().isoformat(),
            "summary": "网上申请", "claim_as_of": clock.today().isoformat(),
            "principal": "50,000", "interest": "2,000",
            "parties-TOTAL_FORMS": "2", "parties-INITIAL_FORMS": "0",
            "parties-MIN_NUM_FORMS": "0", "parties-MAX_NUM_FORMS": "20",
            "parties-0-role": "creditor", "parties-0-kind": "entity",
            "parties-0-name": world.branch.name, "parties-0-id_number": world.branch.credit_code,
            "parties-1-role": "debtor", "parties-1-kind": "person", "parties-1-name": "张申请",
            "parties-1-id_number": resident_id(321), "parties-1-phone": PHONE,
        }
        clerk.post(reverse("web:dispute_new"), post)
        made.refresh_from_db()
        assert made.status == Application.Status.TAKEN
        dispute = Dispute.objects.get()
        assert (made.dispute, dispute.channel) == (dispute, Channel.PARTY_APPLICATION)
        assert dispute.events.filter(type="dispute.from_application",
                                     params__application=made.number).exists()
        assert OutboxMessage.objects.filter(purpose="portal_application").count() == 3
        with pytest.raises(ApplicationInvalid, match="已登记"):
            applications.application_decline(actor=world.clerk, application_id=made.pk,
                                              reason="重复")

    def test_declined_with_a_reason_texted(self, world):
        made = _applied(world)
        with pytest.raises(ApplicationInvalid, match="理由"):
            applications.application_decline(actor=world.clerk, application_id=made.pk,
                                              reason="  ")
        applications.application_decline(actor=world.clerk, application_id=made.pk,
                                          reason="纠纷不属于金融纠纷")
        made.refresh_from_db()
        assert (made.status, made.decided_by) == (Application.Status.DECLINED, world.clerk)
        texts = [decrypt(m.body_cipher) for m in OutboxMessage.objects.filter(
            purpose="portal_application")]
        assert any("不予受理，理由：纠纷不属于金融纠纷" in t for t in texts)


class TestSomeoneElsesNumber:
    """A number on file is never filed under a name it does not carry (found trying it as
    a user: the case landed on the number's owner) — and the answer costs a code, so nobody
    learns for free who is on file."""

    def test_another_name_is_refused_only_after_the_code(self, world, mediating):
        owner = mediating.party_rows.get(role="debtor").party
        wrong = _given(world, name="吴冒名", id_number=decrypt(owner.id_cipher))
        applications.application_check(wrong, [])  # the fields alone say nothing
        with pytest.raises(SignInInvalid):
            applications.application_submit(given=wrong, code="000000")
        with pytest.raises(ApplicationInvalid, match="姓名与身份证号码不一致") as refused:
            applications.application_submit(given=wrong, code=_code())
        assert refused.value.details["field"] == "id_number"
        assert not Application.objects.exists()

    def test_the_same_person_with_another_phone_is_flagged_for_the_clerk(self, world,
                                                                         mediating):
        owner = mediating.party_rows.get(role="debtor").party
        made = applications.application_submit(
            given=_given(world, name=owner.name, id_number=decrypt(owner.id_cipher)),
            code=_code())
        assert "核实申请人身份" in made.identity_note

    def test_a_handled_application_cannot_be_taken_in_again(self, world):
        made = _applied(world)
        applications.application_decline(actor=world.clerk, application_id=made.pk,
                                          reason="不属于本会受理范围")
        clerk = Client()
        clerk.force_login(world.clerk)
        page = clerk.get(reverse("web:dispute_new") + f"?application={made.pk}")
        assert page.status_code == 404


def test_a_file_opens_under_the_applicants_own_name(world):
    """Found trying it as a user: files came down as application-2.pdf."""
    made = _applied(world)
    clerk = Client()
    clerk.force_login(world.clerk)
    answer = clerk.get(reverse("web:application_file", args=[made.pk, made.files.get().pk]))
    assert answer["Content-Disposition"].startswith("inline")
    assert "%E5%80%9F%E6%AC%BE%E5%90%88%E5%90%8C.pdf" in answer["Content-Disposition"]  # 借款合同


def test_the_applicant_must_be_among_the_parties_taken_in(world):
    """Found in review: the checked person was tied to the dispute only by the form's
    pre-fill — the service filed whatever parties it was given."""
    from jintiao.disputes.models import PartyRole
    from jintiao.domain.claims import ClaimBreakdown
    from jintiao.parties.services import PartyInput
    from tests.factories import credit_code

    made = _applied(world)
    someone = [(PartyInput("entity", world.branch.name, credit_code(77)), PartyRole.CREDITOR),
               (PartyInput("person", "别人", resident_id(322)), PartyRole.DEBTOR)]
    with pytest.raises(ApplicationInvalid, match="须列为") as refused:
        applications.application_take_in(
            actor=world.clerk, application_id=made.pk, dispute_type="credit_card",
            claim=ClaimBreakdown(as_of=clock.today(), principal=Decimal("1000")),
            parties=someone, institution=world.branch)
    assert refused.value.details["field"] == "parties"
    made.refresh_from_db()
    assert made.status == Application.Status.SUBMITTED
    assert not Dispute.objects.exists()
