"""The failure package: made by the desk from a failed loan or card dispute as it stands,
its documents signed and stored, its JSON valid against the published schema, a new version
only when the case changed, and refusals that write nothing."""

from __future__ import annotations

import hashlib
import io
import json
from decimal import Decimal

import jsonschema
import pytest
from docx import Document as Word
from pypdf import PdfReader

from jintiao.disputes.access import PermissionDenied
from jintiao.disputes.models import DisputeType
from jintiao.disputes.particulars import party_update
from jintiao.documents import packages
from jintiao.documents.models import Document, FailurePackage
from jintiao.documents.statements import service_address_content, statement_record_at_desk
from jintiao.domain import events
from jintiao.domain.lifecycle import Action, TransitionRefused
from jintiao.domain.pleadings import PleadingRefused
from jintiao.mediation.services import (
    action_apply,
    failure_package_generate,
    undisputed_facts_record,
)
from jintiao.mediation.services.failure_package import canonical
from jintiao.timeline.models import Event
from tests.mediation.failure_package_helpers import (
    FACTS,
    TIES,
    evidence,
    failed,
    under_mediation,
)


@pytest.fixture
def loan(desk):
    return under_mediation(desk)


def validate(content) -> None:
    jsonschema.Draft202012Validator(
        packages.schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    ).validate(content)


def elements(package, part="complaint"):
    return {e["key"]: e for e in package.content[part]["elements"]}


class TestGenerate:
    def test_the_package_is_made_from_the_case(self, desk, loan):
        evidence(desk, loan)
        evidence(desk, loan, name="催收记录.pdf", pages=1, side="creditor")  # private: out
        d = failed(desk, loan)

        package = failure_package_generate(actor=desk.mediator, dispute_id=d.pk,
                                           fact_elements=TIES)

        assert package.version == 1
        complaint = elements(package)
        claim = package.content["claim"]
        assert complaint["principal"]["amounts"] == {"principal": "200000.00"}
        assert complaint["interest"]["amounts"] == {"interest": "31208.40"}
        assert complaint["total"]["amounts"] == {"total": claim["total"]} == {
            "total": "231208.40"}
        assert {p["key"]: p["amount"] for p in claim["parts"]} == {
            "principal": "200000.00", "interest": "31208.40"}
        assert complaint["amount"]["value"] == FACTS[0]  # a confirmed fact fills it
        assert complaint["term"]["value"] == ""  # nothing on file: the plaintiff's to fill
        assert complaint["disbursement"]["filled"] is False
        assert complaint["overdue"]["value"].startswith("是，自2025年3月21日起逾期")
        answer = elements(package, "answer")
        assert answer["amount"]["position"] == "confirmed"
        assert answer["principal"]["position"] == "open"
        names = [i["name"] for i in package.content["evidence"]]
        assert names == ["无争议事实记载表", "借款合同"]
        assert package.content["evidence"][0]["source"] == "凯里市金调委制作，经各方当事人书面确认"
        contract = package.content["evidence"][1]
        assert contract["pages"] == 3
        assert contract["source"] == "调解中提交，凯里市金调委收存"
        parties = package.content["parties"]
        assert parties[0]["role"] == "plaintiff"
        assert len(parties[1]["id_number"]) == 18  # in full, for docketing
        validate(package.content)

    def test_the_documents_are_signed_stored_and_say_what_the_json_says(self, desk, loan):
        d = failed(desk, loan)

        package = failure_package_generate(actor=desk.mediator, dispute_id=d.pk,
                                           fact_elements=TIES)

        kinds = {doc["role"]: doc["kind"] for doc in package.content["documents"]}
        assert kinds == {"complaint": "element_complaint", "answer": "element_answer",
                         "undisputed_facts": "undisputed_facts",
                         "evidence_index": "evidence_index"}
        complaint = package.complaint
        assert complaint.title == "民事起诉状（金融借款合同纠纷）"
        with complaint.pdf.open("rb") as f:
            pdf = f.read()
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert "200,000.00" in text
        assert "/Sig" in pdf.decode("latin-1")  # signed by the committee
        with complaint.docx.open("rb") as f:
            word = Word(f)
        cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
        assert "截至2026年6月30日，尚欠本金200,000.00元" in cells
        assert "待原告填写：约定的起止日期；是否已到期" in cells
        assert package.answer.title == "民事答辩状（金融借款合同纠纷）"
        assert "无异议（认可）" in package.answer.html
        assert package.evidence.title == "证据目录"
        assert package.facts.kind == "undisputed_facts"
        assert package.content_sha256 == hashlib.sha256(canonical(package.content)).hexdigest()
        event = Event.objects.get(dispute=d, type=events.FAILURE_PACKAGE_GENERATED.type)
        assert event.params["version"] == 1
        assert event.params["content_sha256"] == package.content_sha256

    def test_a_card_dispute_follows_the_card_text(self, desk):
        card = under_mediation(desk, DisputeType.CREDIT_CARD)
        d = failed(desk, card, facts=("信用额度50,000元，透支年利率18.25%",))

        package = failure_package_generate(actor=desk.clerk, dispute_id=d.pk,
                                           fact_elements={1: "card_terms"})

        assert package.template == "credit_card"
        complaint = elements(package)
        assert complaint["principal"]["value"].startswith("截至2026年6月30日，尚欠透支本金")
        assert complaint["card_terms"]["value"] == "信用额度50,000元，透支年利率18.25%"
        assert "amount" not in complaint
        assert package.complaint.title == "民事起诉状（信用卡纠纷）"
        validate(package.content)

    def test_before_the_debtor_confirms_nothing_is_admitted(self, desk, loan):
        d = failed(desk, loan, confirm=False)

        package = failure_package_generate(actor=desk.mediator, dispute_id=d.pk,
                                           fact_elements=TIES)

        assert package.content["answer"]["debtor_confirmed"] is False
        assert {e["position"] for e in package.content["answer"]["elements"]} == {"open"}
        assert "答辩人尚未书面确认无争议事实" in package.answer.html
        assert package.content["evidence"][0]["source"].endswith("尚未经全部当事人书面确认")


class TestVersions:
    def test_the_same_case_gives_the_same_version_and_a_change_a_new_one(self, desk, loan):
        d = failed(desk, loan)
        first = failure_package_generate(actor=desk.mediator, dispute_id=d.pk,
                                         fact_elements=TIES)
        documents = Document.objects.filter(dispute=d).count()

        again = failure_package_generate(actor=desk.mediator, dispute_id=d.pk)

        assert again.pk == first.pk  # the ties kept, nothing changed: nothing written
        assert Document.objects.filter(dispute=d).count() == documents
        debtor = d.party_rows.get(role="debtor")
        party_update(actor=desk.clerk, dispute_id=d.pk, party_row_id=debtor.pk,
                     expected_version=debtor.party.version,
                     changes={"address": "贵州省凯里市北京东路1号"})
        second = failure_package_generate(actor=desk.mediator, dispute_id=d.pk)
        assert second.version == 2
        assert second.fact_elements == first.fact_elements
        assert second.content["parties"][1]["address"] == "贵州省凯里市北京东路1号"
        assert "贵州省凯里市北京东路1号" in second.complaint.html
        assert first.complaint_id != second.complaint_id
        assert FailurePackage.objects.filter(dispute=d).count() == 2

    def test_new_facts_drop_the_old_ties(self, desk, loan):
        d = failed(desk, loan)
        failure_package_generate(actor=desk.mediator, dispute_id=d.pk, fact_elements=TIES)
        undisputed_facts_record(actor=desk.mediator, dispute_id=d.pk, facts=["尚欠本金200,000元"])

        package = failure_package_generate(actor=desk.mediator, dispute_id=d.pk)

        assert package.version == 2
        assert package.fact_elements == {}
        assert elements(package)["amount"]["value"] == ""


class TestRefusals:
    def test_only_a_failed_mediation_has_a_package(self, desk, loan):
        with pytest.raises(TransitionRefused):
            failure_package_generate(actor=desk.mediator, dispute_id=loan.pk)

    @pytest.mark.parametrize("who", ["agent", "judge", "supervisor"])
    def test_only_the_committees_desk_makes_it(self, desk, loan, who):
        d = failed(desk, loan)

        with pytest.raises(PermissionDenied):
            failure_package_generate(actor=getattr(desk, who), dispute_id=d.pk)
        assert not FailurePackage.objects.filter(dispute=d).exists()

    def test_a_dispute_of_another_kind_is_refused(self, desk):
        d = failed(desk, under_mediation(desk, DisputeType.INSURANCE))
        documents = Document.objects.filter(dispute=d).count()

        with pytest.raises(PleadingRefused, match="金融借款合同纠纷和信用卡纠纷"):
            failure_package_generate(actor=desk.mediator, dispute_id=d.pk)
        assert Document.objects.filter(dispute=d).count() == documents

    def test_a_tie_to_a_missing_fact_or_element_writes_nothing(self, desk, loan):
        d = failed(desk, loan)
        for ties in ({9: "amount"}, {1: "card_terms"}):
            with pytest.raises(PleadingRefused):
                failure_package_generate(actor=desk.mediator, dispute_id=d.pk,
                                         fact_elements=ties)
        assert not Document.objects.filter(dispute=d, kind="undisputed_facts").exists()


def test_the_published_schema_is_itself_valid_and_names_its_version():
    jsonschema.Draft202012Validator.check_schema(packages.schema())
    assert packages.schema()["$id"] == packages.SCHEMA_ID
    assert json.loads(json.dumps(packages.schema()))["properties"]["schema_version"]


def test_the_schema_refuses_a_figure_that_is_not_money(desk, loan):
    d = failed(desk, loan)
    content = failure_package_generate(actor=desk.mediator, dispute_id=d.pk).content
    content["claim"]["total"] = str(Decimal("231208.4"))

    with pytest.raises(jsonschema.ValidationError):
        validate(content)


class TestTransfer:
    def test_the_desks_transfer_sends_the_package_with_the_ties_kept(self, desk, loan):
        d = failed(desk, loan)
        first = failure_package_generate(actor=desk.mediator, dispute_id=d.pk,
                                         fact_elements=TIES)

        d = action_apply(actor=desk.mediator, dispute_id=d.pk, action=Action.TRANSFER,
                         expected_version=d.version)

        latest = d.failure_packages.order_by("-version").first()
        assert latest.version == 2  # the record's document made at the transfer is in it
        assert latest.content["dispute"]["state"] == "transferred"
        assert latest.fact_elements == first.fact_elements
        assert latest.facts == d.undisputed_facts.document
        validate(latest.content)

    def test_a_court_taking_the_case_back_gets_no_package_made_in_its_name(self, desk, loan):
        d = failed(desk, loan)

        d = action_apply(actor=desk.judge, dispute_id=d.pk, action=Action.TRANSFER,
                         expected_version=d.version)

        assert d.state == "transferred"
        assert not d.failure_packages.exists()


def test_the_address_for_service_a_party_signed_goes_to_the_court(desk, loan):
    d = failed(desk, loan)
    debtor = d.party_rows.get(role="debtor")
    statement_record_at_desk(
        actor=desk.clerk, dispute_id=d.pk, party_row_id=debtor.pk, kind="service_address",
        content=service_address_content(debtor, postal_address="贵州省凯里市营盘东路12号",
                                        e_service=True))

    package = failure_package_generate(actor=desk.mediator, dispute_id=d.pk)

    creditor, served = package.content["parties"]
    assert creditor["service_address"] is None
    assert served["service_address"]["postal_address"] == "贵州省凯里市营盘东路12号"
    assert served["service_address"]["e_service"] is True
    assert "贵州省凯里市营盘东路12号" in package.complaint.html
    validate(package.content)


class TestEvidenceNotes:
    def test_the_desk_says_what_a_shared_file_proves_and_it_is_kept(self, desk, loan):
        contract = evidence(desk, loan)
        d = failed(desk, loan)

        first = failure_package_generate(
            actor=desk.mediator, dispute_id=d.pk,
            evidence_notes={contract.pk: "  借款合同关系成立及  约定内容 "})

        item = first.content["evidence"][1]
        assert item["proves"] == "借款合同关系成立及 约定内容"
        assert "借款合同关系成立及 约定内容" in first.evidence.html
        again = failure_package_generate(actor=desk.mediator, dispute_id=d.pk)
        assert again.pk == first.pk  # the notes kept: nothing changed
        cleared = failure_package_generate(actor=desk.mediator, dispute_id=d.pk,
                                           evidence_notes={contract.pk: ""})
        assert cleared.version == 2
        assert cleared.content["evidence"][1]["proves"] == ""

    def test_a_note_on_a_private_or_foreign_file_or_too_long_is_refused(self, desk, loan):
        private = evidence(desk, loan, side="creditor")
        shared = evidence(desk, loan)
        d = failed(desk, loan)

        for notes in ({private.pk: "x"}, {shared.pk: "长" * 201}, {"x": "y"}):
            with pytest.raises(PleadingRefused):
                failure_package_generate(actor=desk.mediator, dispute_id=d.pk,
                                         evidence_notes=notes)
        assert not FailurePackage.objects.filter(dispute=d).exists()


def test_a_regeneration_carries_ties_to_elements_renamed_since():
    """Found in review: ties stored before the texts followed 法〔2024〕46号 (the mediation's
    own element, a card's 违约金) made the desk's regeneration refuse a mistake it never
    made. They are carried to the elements that took them over; any other is dropped."""
    from jintiao.domain.pleadings import Template
    from jintiao.mediation.services.failure_package import _renamed

    assert _renamed({1: "mediation", 2: "penalty", 3: "gone", 4: "rate"}, Template.CARD) \
        == {1: "other", 2: "interest"}
    assert _renamed({1: "mediation", 4: "rate"}, Template.LOAN) == {1: "other", 4: "rate"}
