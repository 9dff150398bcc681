"""Generated documents as stored: both files, their SHA-256, and the template that made them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jintiao.disputes.models import Dispute


class Kind(models.TextChoices):
    MEDIATION_APPLICATION = "mediation_application", _("人民调解申请书")
    INTAKE_REGISTER = "intake_register", _("人民调解受理登记表")
    OPTIONS_NOTICE = "options_notice", _("非诉讼纠纷解决方式告知书")
    RIGHTS_NOTICE = "rights_notice", _("人民调解当事人权利义务告知书")
    ACCEPTANCE_NOTICE = "acceptance_notice", _("受理通知书")
    NON_ACCEPTANCE_NOTICE = "non_acceptance_notice", _("不予受理通知书")
    POWER_OF_ATTORNEY = "power_of_attorney", _("授权委托书")
    INQUIRY_RECORD = "inquiry_record", _("人民调解调查记录")
    SESSION_RECORD = "session_record", _("人民调解记录")
    AGREEMENT = "agreement", _("人民调解协议书")
    TERMINATION_NOTICE = "termination_notice", _("调解终结告知书")
    CONFIRMATION_APPLICATION = "confirmation_application", _("司法确认申请书")
    COURT_ACCEPTANCE_NOTICE = "court_acceptance_notice", _("受理通知书（司法确认）")
    RULING = "ruling", _("民事裁定书")
    UNDISPUTED_FACTS = "undisputed_facts", _("无争议事实记载表")
    FOLLOW_UP_RECORD = "follow_up_record", _("人民调解回访记录")
    ENFORCEMENT_APPLICATION = "enforcement_application", _("申请执行书")
    CREDIT_REPAIR_LETTER = "credit_repair_letter", _("征信修复函")
    SERVICE_RECEIPT = "service_receipt", _("送达回证")
    # the failure package for the court's fast track (issue 21 §4)
    ELEMENT_COMPLAINT = "element_complaint", _("民事起诉状（要素式）")
    ELEMENT_ANSWER = "element_answer", _("民事答辩状（要素式）")
    EVIDENCE_INDEX = "evidence_index", _("证据目录")


# The committee's own records, not served on the parties nor shown in their portal: the
# register, the inquiry record, the follow-up record and the receipts of service.
RECORDS_KEPT = frozenset({Kind.INTAKE_REGISTER, Kind.INQUIRY_RECORD, Kind.FOLLOW_UP_RECORD,
                          Kind.SERVICE_RECEIPT})


class Document(models.Model):
    """One generated document of a dispute, as Word and PDF, each with its SHA-256."""

    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="documents")
    kind = models.CharField(_("文书类别"), max_length=32, choices=Kind.choices)
    seq = models.PositiveIntegerField()
    title = models.CharField(_("标题"), max_length=200)
    template_version = models.CharField(_("模板版本"), max_length=32)
    source = models.CharField(max_length=64, blank=True)  # what it was made from: "agreement:12"
    docx = models.FileField(upload_to="documents/%Y/%m/", max_length=300)
    docx_sha256 = models.CharField(max_length=64)
    pdf = models.FileField(upload_to="documents/%Y/%m/", max_length=300)
    pdf_sha256 = models.CharField(max_length=64)
    html = models.TextField()  # the browser preview, the same blocks as both files
    html_sha256 = models.CharField(max_length=64, blank=True)  # the preview is checked too
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        constraints = [models.UniqueConstraint(fields=["dispute", "seq"],
                                               name="document_seq_per_dispute")]

    def __str__(self) -> str:
        return f"{self.dispute} {self.title}"


class FailurePackage(models.Model):
    """What a failed mediation hands the court's fast track (调解不成移送材料, issue 21 §4):
    the element-style complaint and answer, the record of undisputed facts and the evidence
    index — each a stored :class:`Document` — and the whole as one machine-readable JSON
    document (``content``, valid against the published schema of ``schema_version``) with
    its SHA-256. A new version is made only when what the case holds has changed; the
    earlier ones stay, as every document does. ``fact_elements`` is how the desk tied the
    undisputed facts to the elements (fact number → element key), ``evidence_notes`` what
    it wrote each shared evidence file proves."""

    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="failure_packages")
    version = models.PositiveIntegerField(_("版本"))
    template = models.CharField(_("要素式文本"), max_length=16)
    schema_version = models.CharField(max_length=16)
    content = models.JSONField()
    content_sha256 = models.CharField(max_length=64)
    fact_elements = models.JSONField(default=dict, blank=True)
    # what each shared evidence file proves, as the desk wrote it (attachment id → words)
    evidence_notes = models.JSONField(default=dict, blank=True)
    complaint = models.ForeignKey(Document, models.PROTECT, related_name="+")
    answer = models.ForeignKey(Document, models.PROTECT, related_name="+")
    facts = models.ForeignKey(Document, models.PROTECT, related_name="+")
    evidence = models.ForeignKey(Document, models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("调解不成移送材料")
        verbose_name_plural = _("调解不成移送材料")
        constraints = [models.UniqueConstraint(fields=["dispute", "version"],
                                               name="failure_package_version_per_dispute")]

    def __str__(self) -> str:
        return f"{self.dispute} 移送材料第{self.version}版"
