"""The committee's forms in the Ministry of Justice's 人民调解文书格式 (2010) and the papers
of service and representation, made from the dispute page and read back from the stored
Word and PDF files: each form's title, the parties, its fixed words, its signature and seal
lines and its dates (2026年11月12日)."""

from __future__ import annotations

import pytest
from django.test import Client

from jintiao import clock
from jintiao.disputes.access import PermissionDenied
from jintiao.disputes.models import Channel
from jintiao.documents import desk_texts
from jintiao.documents.dossier import ORDER, dossier_pdf
from jintiao.documents.models import RECORDS_KEPT, Document, Kind
from jintiao.domain.dates import written
from jintiao.domain.lifecycle import Action
from jintiao.domain.performance import PerformanceInvalid
from jintiao.domain.policy import Track
from jintiao.mediation.services import MediationInvalid, action_apply, notice_generate
from jintiao.outreach.selectors import SERVED_KINDS
from jintiao.performance.models import FollowUp
from jintiao.performance.paperwork import paper_generate
from jintiao.performance.services import follow_up_record, follow_ups_plan
from tests.documents.test_court_texts import stored
from tests.documents.test_dossier import pages_of
from tests.factories import intake


def parties_of(dispute) -> list[str]:
    return [r.party.name for r in dispute.party_rows.select_related("party").order_by("pk")]


def fail(desk, dispute, reason: str = "双方对还款期限分歧较大"):
    dispute.refresh_from_db()
    return action_apply(actor=desk.mediator, dispute_id=dispute.pk, action=Action.FAIL,
                        expected_version=dispute.version, reason=reason)


def test_the_intake_register_records_the_receipt_source_parties_and_acceptance(desk,
                                                                            mediating):
    doc = notice_generate(actor=desk.clerk, dispute_id=mediating.pk, kind="intake_register")
    lines, pdf = stored(doc)
    text = "".join(lines)
    accepted = mediating.events.get(type="dispute.accept")

    assert lines[0] == doc.title == "人民调解受理登记表"
    assert lines[1] == mediating.number
    assert f"登记日期{written(mediating.received_on)}" in text
    assert f"纠纷来源{mediating.get_channel_display()}" in text
    assert f"纠纷类型{mediating.get_dispute_type_display()}" in text
    for name in parties_of(mediating):
        assert any(line.startswith(("债权人：", "债务人：")) and name in line for line in lines)
    assert "本委员会决定受理" in text
    assert f"受理日期{written(accepted.at.astimezone(clock.TZ).date())}" in text
    assert f"登记人：{desk.clerk}" in lines
    assert "凯里市金调委" in lines
    assert "（印章）" in lines
    assert "人民调解受理登记表" in pdf
    assert "本委员会决定受理" in pdf
    # a record the committee keeps, filed first in the 卷宗; not served on the parties
    assert ORDER[Kind.INTAKE_REGISTER] == 1
    assert Kind.INTAKE_REGISTER in RECORDS_KEPT
    assert Kind.INTAKE_REGISTER not in SERVED_KINDS


def test_a_dispute_the_institution_applied_for_has_its_application(desk, mediating):
    doc = notice_generate(actor=desk.clerk, dispute_id=mediating.pk,
                          kind="mediation_application")
    lines, pdf = stored(doc)
    text = "".join(lines)
    creditor = mediating.party_rows.get(role="creditor").party.name
    debtor = mediating.party_rows.get(role="debtor").party.name

    assert lines[0] == "人民调解申请书"
    assert any(line.startswith(f"申请人：{creditor}") for line in lines)
    assert any(line.startswith(f"被申请人：{debtor}") for line in lines)
    assert text.index("纠纷事实") < text.index("申请事项") < text.index("此致")
    assert "自愿接受人民调解" in text
    assert lines.index("此致") + 1 == lines.index("凯里市金调委")
    assert f"申请人：{creditor}" in lines[-3:]
    assert written(mediating.received_on) in lines[-3:]
    assert "人民调解申请书" in pdf


def test_a_dispute_a_court_sent_was_applied_for_by_nobody(world):
    sent = intake(actor=world.clerk, committee=world.committee, court=world.court,
                  channel=Channel.COURT_DELEGATED)
    with pytest.raises(MediationInvalid, match="委派调解"):
        notice_generate(actor=world.clerk, dispute_id=sent.pk, kind="mediation_application")


def test_the_inquiry_record_is_made_out_for_the_mediator_to_fill_in(desk, mediating):
    doc = notice_generate(actor=desk.mediator, dispute_id=mediating.pk, kind="inquiry_record")
    lines, _pdf = stored(doc)
    text = "".join(lines)
    assert lines[0] == "人民调解调查记录"
    assert f"调查人{desk.mediator}" in text
    assert "被调查人" in text
    assert text.index("调查内容") < text.index("以上记录经本人核对无误")
    for signer in ("被调查人：", "调查人：", "记录人："):
        assert signer in lines


def test_mediation_that_failed_is_ended_with_the_reason_and_the_way_to_court(desk,
                                                                          mediating):
    fail(desk, mediating)
    doc = notice_generate(actor=desk.clerk, dispute_id=mediating.pk, kind="termination_notice")
    lines, pdf = stored(doc)
    text = "".join(lines)
    today = written(clock.today())

    assert lines[0] == doc.title == "调解终结告知书"
    assert lines[2] == "、".join(parties_of(mediating)) + "："
    assert f"指派调解员{desk.mediator}主持调解" in text
    law = "本委员会依照《中华人民共和国人民调解法》第二十六条"
    assert f"因双方对还款期限分歧较大，调解不成，{law}" in text
    assert f"于{today}终止调解" in text
    assert "可以向有管辖权的人民法院提起诉讼" in text
    assert "不得在后续的诉讼中作为对其不利的根据" in text
    assert "诉讼时效期间自调解终止之日起重新计算" in text
    assert "（印章）" in lines
    assert today in lines
    assert "调解终结告知书" in pdf
    assert ORDER[Kind.TERMINATION_NOTICE] == ORDER[Kind.AGREEMENT]
    assert Kind.TERMINATION_NOTICE in SERVED_KINDS  # served on the parties


def test_a_dispute_the_court_sent_goes_back_to_that_courts_procedure(desk):
    sent = intake(actor=desk.clerk, committee=desk.committee, court=desk.court,
                  channel=Channel.COURT_DELEGATED, institution=desk.branch)
    sent = action_apply(actor=desk.clerk, dispute_id=sent.pk, action=Action.ACCEPT,
                        expected_version=1, notice_served=True)
    sent = action_apply(actor=desk.director, dispute_id=sent.pk, action=Action.ASSIGN,
                        expected_version=sent.version, track=Track.SIMPLE,
                        mediators=[desk.mediator])
    fail(desk, sent, "债务人不同意任何分期方案，调解不成。")

    doc = notice_generate(actor=desk.clerk, dispute_id=sent.pk, kind="termination_notice")
    text = "".join(stored(doc)[0])
    assert "因债务人不同意任何分期方案，调解不成，本委员会" in text  # said once
    assert "本纠纷系凯里市人民法院委派本委员会调解的纠纷" in text
    assert "由该院依法登记立案" in text
    assert "请当事人按照凯里市人民法院的通知参加诉讼" in text
    assert "提起诉讼" not in text  # the court has it already


def test_a_withdrawal_ends_mediation_at_a_partys_request(desk, mediating):
    action_apply(actor=desk.mediator, dispute_id=mediating.pk, action=Action.WITHDRAW,
                 expected_version=mediating.version, attested=["withdrawal_by_applicant"])
    doc = notice_generate(actor=desk.clerk, dispute_id=mediating.pk, kind="termination_notice")
    law = "本委员会依照《中华人民共和国人民调解法》第二十三条、第二十六条"
    assert f"因当事人撤回调解申请，{law}" in doc.html


def test_mediation_still_going_on_has_not_ended(desk, mediating):
    with pytest.raises(MediationInvalid, match="调解尚未终止"):
        notice_generate(actor=desk.clerk, dispute_id=mediating.pk, kind="termination_notice")


def test_the_power_of_attorney_is_a_form_for_each_party_to_fill_in_and_sign(desk,
                                                                         mediating):
    doc = notice_generate(actor=desk.clerk, dispute_id=mediating.pk, kind="power_of_attorney")
    lines, pdf = stored(doc)
    text = "".join(lines)
    assert lines[0] == doc.title == "授权委托书"
    for name in parties_of(mediating):
        assert any(line.startswith(f"委托人：{name}") and "码" in line
                   for line in lines)  # with the particulars
        assert f"委托人：{name}" in lines  # and the line to sign
    assert text.count("受托人：姓名________") == 2
    assert "□律师" in text
    assert "代理权限：□一般授权　□特别授权" in text
    assert "□代为进行和解，达成调解协议并签署调解协议书" in text
    assert "□代为申请司法确认" in text
    assert "委托期限：自年  月  日起至年  月  日止" in text
    assert lines.count("（签名或者盖章）") == 2
    assert "授权委托书" in pdf
    assert "特别授权" in pdf


def test_a_receipt_of_service_for_a_document_chosen_on_the_page(desk, mediating):
    served = notice_generate(actor=desk.clerk, dispute_id=mediating.pk, kind="rights_notice")
    doc = notice_generate(actor=desk.clerk, dispute_id=mediating.pk, kind="service_receipt",
                          document_id=served.pk)
    lines, pdf = stored(doc)
    text = "".join(lines)
    assert lines[0] == doc.title == "送达回证"
    for name in parties_of(mediating):
        assert f"受送达人：{name}" in lines
    assert text.count("送达文书名称和件数人民调解当事人权利义务告知书  一份") == 2
    assert "□直接送达　□留置送达　□邮寄送达　□委托送达" in text
    assert "受送达人签名或者盖章" in text
    assert "代收人及代收理由" in text
    assert "拒绝签收的，写明拒收事由" in text
    assert f"签发人{desk.clerk}" in text
    assert "签收日期为送达日期" in text
    assert written(clock.today()) in lines
    assert "送达回证" in pdf
    assert Kind.SERVICE_RECEIPT not in SERVED_KINDS


def test_a_receipt_is_of_a_document_of_this_dispute(desk, mediating, cases):
    _ours, theirs = cases
    with pytest.raises(MediationInvalid, match="要送达的文书"):
        notice_generate(actor=desk.clerk, dispute_id=mediating.pk, kind="service_receipt")
    other = notice_generate(actor=desk.other_clerk, dispute_id=theirs.pk, kind="options_notice")
    with pytest.raises(MediationInvalid, match="要送达的文书"):
        notice_generate(actor=desk.clerk, dispute_id=mediating.pk, kind="service_receipt",
                        document_id=other.pk)


def test_the_follow_up_record_gives_the_visit_and_how_the_agreement_is_performed(desk,
                                                                              performing):
    blank = paper_generate(actor=desk.clerk, dispute_id=performing.pk, kind="follow_up_record")
    assert "回访人：" in stored(blank)[0]  # before any visit: the form to fill in

    follow_ups_plan(performing)
    visit = FollowUp.objects.filter(dispute=performing).order_by("due_on").first()
    follow_up_record(actor=desk.mediator, follow_up_id=visit.pk, method="phone",
                     note="债务人表示收入稳定，能够按期还款。")
    doc = paper_generate(actor=desk.clerk, dispute_id=performing.pk, kind="follow_up_record")
    lines, pdf = stored(doc)
    text = "".join(lines)
    assert lines[0] == doc.title == "人民调解回访记录"
    assert "回访方式电话回访" in text
    assert f"回访人{desk.mediator}" in text
    assert f"回访时间{written(clock.today())}" in text
    assert "债务人表示收入稳定，能够按期还款。" in text
    assert "协议约定分12期还款" in text
    assert "已还款0.00元" in text
    assert text.index("协议履行情况") < text.index("回访情况") < text.index("当事人意见")
    assert f"回访人：{desk.mediator}" in lines
    assert "被回访人：" in lines
    assert "人民调解回访记录" in pdf
    assert ORDER[Kind.FOLLOW_UP_RECORD] == 10


def test_no_follow_up_record_before_an_agreement(desk, mediating):
    with pytest.raises(PerformanceInvalid, match="尚无生效的调解协议"):
        paper_generate(actor=desk.clerk, dispute_id=mediating.pk, kind="follow_up_record")


def test_the_bank_makes_none_of_the_committees_forms(desk, mediating):
    with pytest.raises(PermissionDenied):
        notice_generate(actor=desk.agent, dispute_id=mediating.pk, kind="power_of_attorney")


NEW_CHOICES = ("mediation_application", "intake_register", "power_of_attorney",
               "inquiry_record", "termination_notice", "follow_up_record", "service_receipt")


def test_the_dispute_page_offers_the_forms_and_makes_them(desk, mediating):
    staff = Client()
    staff.force_login(desk.mediator)
    page = staff.get(f"/disputes/{mediating.pk}/").content.decode()
    for kind in NEW_CHOICES:
        assert f'value="{kind}"' in page
    staff.post(f"/disputes/{mediating.pk}/notices/", {"kind": "power_of_attorney"})
    made = Document.objects.get(dispute=mediating, kind="power_of_attorney")
    page = staff.get(f"/disputes/{mediating.pk}/").content.decode()
    assert f'<option value="{made.pk}">授权委托书' in page  # now a document to serve

    answer = staff.post(f"/disputes/{mediating.pk}/notices/",
                        {"kind": "service_receipt", "document": str(made.pk)})
    receipt = Document.objects.get(dispute=mediating, kind="service_receipt")
    assert answer.url == f"/documents/{receipt.pk}/"
    assert "授权委托书  一份" in receipt.html
    refused = staff.post(f"/disputes/{mediating.pk}/notices/",
                         {"kind": "follow_up_record"}, follow=True).content.decode()
    assert "尚无生效的调解协议" in refused


def test_the_file_puts_each_form_in_the_formats_place(desk, mediating):
    for kind in ("power_of_attorney", "rights_notice", "intake_register", "inquiry_record"):
        notice_generate(actor=desk.clerk, dispute_id=mediating.pk, kind=kind)
    _dispute, data = dossier_pdf(actor=desk.mediator, dispute_id=mediating.pk)
    front = pages_of(data)[0]
    assert (front.index("人民调解受理登记表") < front.index("人民调解当事人权利义务告知书")
            < front.index("授权委托书") < front.index("人民调解调查记录"))


def test_a_dispute_out_of_scope_is_told_it_may_still_go_to_court(world):
    dispute = intake(actor=world.clerk, committee=world.committee)
    action_apply(actor=world.clerk, dispute_id=dispute.pk, action=Action.DECLINE,
                 expected_version=1, reason="不属于本委员会受理范围")
    doc = notice_generate(actor=world.clerk, dispute_id=dispute.pk,
                          kind="non_acceptance_notice")
    text = "".join(stored(doc)[0])
    assert "本决定不影响当事人依法通过诉讼、仲裁等途径维护自身权益" in text
    assert "受理机关" not in text
    assert "您提交的" not in text
    assert "、".join(parties_of(dispute)) + "：" in text  # to every party


@pytest.mark.parametrize(("reason", "pending"), [
    ("该纠纷已由人民法院立案受理", True), ("凯里市人民法院已经受理", True),
    ("申请人已向仲裁委员会申请仲裁", True), ("已起诉至法院", True),
    ("不属于本委员会受理范围", False), ("一方当事人明确拒绝调解，可向法院起诉", False)])
def test_a_reason_says_whether_another_body_has_the_dispute(reason, pending):
    assert desk_texts.elsewhere(reason) is pending
