"""Disputes: the unit of work from intake to closure (GLOSSARY: ``Dispute``, never Case)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from jintiao.domain.figures import MEDIATION_STAGES
from jintiao.domain.lifecycle import STATE_LABELS, State
from jintiao.domain.policy import Track
from jintiao.domain.representation import Authority, Relation
from jintiao.orgs.models import Organization
from jintiao.parties.models import Party
from jintiao.policies.models import PolicyVersion
from jintiao.timeline.hashing import GENESIS


class Channel(models.TextChoices):
    COURT_DELEGATED = "court_delegated", _("委派调解")
    COURT_ENTRUSTED = "court_entrusted", _("委托调解")
    COURT_INVITED = "court_invited", _("邀请调解")
    REGULATOR_TRANSFER = "regulator_transfer", _("监管部门转送")
    GOVERNANCE_TRANSFER = "governance_transfer", _("综治平台转送")
    PARTY_APPLICATION = "party_application", _("当事人申请")
    INSTITUTION_APPLICATION = "institution_application", _("金融机构申请")


class DisputeType(models.TextChoices):
    CREDIT_CARD = "credit_card", _("信用卡纠纷")
    CONSUMER_LOAN = "consumer_loan", _("消费贷款纠纷")
    PERSONAL_BUSINESS_LOAN = "personal_business_loan", _("个人经营贷款纠纷")
    ENTERPRISE_LOAN = "enterprise_loan", _("企业贷款纠纷")
    FARM_LOAN = "farm_loan", _("涉农贷款纠纷")
    GUARANTEE = "guarantee", _("担保纠纷")
    INSURANCE = "insurance", _("保险纠纷")
    WEALTH_MANAGEMENT = "wealth_management", _("理财纠纷")
    PAYMENT = "payment", _("支付结算纠纷")
    OTHER = "other", _("其他金融纠纷")


STATE_CHOICES = [(s.value, STATE_LABELS[s]) for s in State]
TRACK_CHOICES = [(t.value, t.label) for t in Track]
# The parts of a claim a dispute stores, whose sum is the amount in dispute.
CLAIM_FIELDS = ("principal", "interest", "penalty_interest", "compound_interest",
                "liquidated_damages", "fees", "other")


def _money_field(label: StrOrPromise) -> models.DecimalField[Decimal, Decimal]:
    return models.DecimalField(label, max_digits=18, decimal_places=2, default=0)


class Dispute(models.Model):
    """A financial dispute and where it stands. Changed only through its services.

    ``version`` rises with every change: a write that carries an older version is refused
    (optimistic concurrency) instead of silently overwriting someone else's work.
    ``probable_duplicate_of`` is an open dispute that, when this one was filed, looked like
    the same debt (same institution, debtor and claim): a flag for the clerk, not a refusal.
    """

    number = models.CharField(_("纠纷编号"), max_length=64, unique=True)
    committee = models.ForeignKey(Organization, models.PROTECT, related_name="disputes",
                                  verbose_name=_("受理调委会"))
    year = models.PositiveIntegerField()
    seq = models.PositiveIntegerField()
    channel = models.CharField(_("来源渠道"), max_length=32, choices=Channel.choices)
    dispute_type = models.CharField(_("纠纷类型"), max_length=32, choices=DisputeType.choices)
    institution = models.ForeignKey(Organization, models.PROTECT, null=True, blank=True,
                                    related_name="institution_disputes",
                                    verbose_name=_("金融机构"))
    court = models.ForeignKey(Organization, models.PROTECT, null=True, blank=True,
                              related_name="court_disputes", verbose_name=_("法院"))
    external_ref = models.CharField(_("机构业务编号"), max_length=100, null=True, blank=True)
    # the bank's contract or card the debt arises from (a card's number kept as its first six
    # and last four digits), and the case number of a suit already pending on it (issue 20 §1)
    contract_ref = models.CharField(_("合同编号或卡号"), max_length=100, blank=True, default="")
    pending_case_number = models.CharField(_("在诉案号"), max_length=64, blank=True,
                                           default="")
    state = models.CharField(_("状态"), max_length=32, choices=STATE_CHOICES,
                             default=State.RECEIVED.value)
    track = models.CharField(_("程序"), max_length=16, choices=TRACK_CHOICES, blank=True)
    summary = models.TextField(_("纠纷概要"), blank=True)
    claim_as_of = models.DateField(_("债权计算日"))
    # when the interest, penalties and fees of the claim began to run (逾期日): what the
    # court's check of the 24 % cap reads an agreement's charges against
    charges_since = models.DateField(_("欠息起算日"), null=True, blank=True)
    principal = _money_field(_("本金"))
    interest = _money_field(_("利息"))
    penalty_interest = _money_field(_("罚息"))
    compound_interest = _money_field(_("复利"))
    liquidated_damages = _money_field(_("违约金"))
    fees = _money_field(_("费用"))
    other = _money_field(_("其他"))
    policy_version = models.ForeignKey(PolicyVersion, models.PROTECT, related_name="+",
                                       verbose_name=_("规则版本"))
    received_on = models.DateField(_("收案日期"))
    deadline = models.DateField(_("期限"), null=True, blank=True)
    deadline_provisional = models.BooleanField(default=False)
    non_litigation_notice_served = models.BooleanField(_("已告知非诉讼解决方式"), default=False)
    probable_duplicate_of = models.ForeignKey("self", models.SET_NULL, null=True, blank=True,
                                              related_name="+", verbose_name=_("疑似重复登记"))
    version = models.PositiveIntegerField(default=1)
    # The timeline's length and last hash, written with each event in its transaction: a
    # chain cut short (its last events deleted, or all of them) no longer matches them.
    events_seq = models.PositiveIntegerField(default=0, editable=False)
    events_head = models.CharField(max_length=64, default=GENESIS, editable=False)
    mediators = models.ManyToManyField(settings.AUTH_USER_MODEL, through="DisputeMediator",
                                       related_name="mediated_disputes")

    class Meta:
        verbose_name = _("纠纷")
        verbose_name_plural = _("纠纷")
        constraints = [
            models.UniqueConstraint(fields=["committee", "year", "seq"],
                                    name="dispute_number_per_committee_year"),
            models.UniqueConstraint(fields=["institution", "external_ref"],
                                    condition=Q(external_ref__isnull=False),
                                    name="dispute_external_ref_per_institution"),
            models.CheckConstraint(condition=Q(state__in=[s.value for s in State]),
                                   name="dispute_state_known"),
            *(models.CheckConstraint(condition=Q(**{f"{f}__gte": 0}), name=f"dispute_{f}_gte_0")
              for f in ("principal", "interest", "penalty_interest", "compound_interest",
                        "liquidated_damages", "fees", "other")),
        ]
        indexes = [
            # the lists' default order, newest received first (the index read backwards):
            # the first page is read from the index, not sorted out of every visible dispute
            models.Index(fields=["received_on", "id"], name="dispute_received"),
            # soonest deadline first, what is overdue and what falls due soon: the few
            # disputes with a deadline, found without reading the others
            models.Index(fields=["deadline", "id"], name="dispute_deadline"),
            # the list filters' committees and institutions (disputes.selectors.
            # filter_choices) and a committee's count, from the index alone
            models.Index(fields=["committee", "institution"],
                         name="dispute_committee_institution"),
            # a committee's disputes in some states — the list filtered by state, "waiting
            # on me", the desk's counts by state — counted from the index alone and read
            # newest first: a committee's disputes lie one to a page of the table, so
            # filtering them by state read some 7,000 pages (bench/bench_load.py)
            models.Index(fields=["committee", "state", "received_on", "id"],
                         name="dispute_committee_state"),
            # the bank's whole reference typed in the search box, whichever branch filed it
            # (the unique (institution, external_ref) leads with the institution); fragments
            # are found by trigram indexes made in migration 0011 on PostgreSQL
            models.Index(fields=["external_ref"], name="dispute_external_ref"),
            # one committee's, or one bank's branches', disputes newest first: read from
            # their own index, not found by walking every dispute's newest-first — one of a
            # province's thousand committees holds a thousandth of them (issue 19 §1)
            models.Index(fields=["committee", "received_on", "id"],
                         name="dispute_committee_received"),
            models.Index(fields=["institution", "received_on", "id"],
                         name="dispute_institution_received"),
            # a supervisor's list by state, newest first: the disputes performed lie years
            # back, so walking every dispute newest first to find 50 of them read 850 ms at
            # 1,000,000 (bench/bench_scale.py)
            models.Index(fields=["state", "received_on", "id"], name="dispute_state_received"),
            # what is past its deadline in the mediation stages, by committee (the
            # supervisor's dashboard), counted from this small index alone: 31,218 such
            # disputes of 1,000,000 in the bench took 117 ms read through the deadlines
            models.Index(fields=["committee", "deadline"], name="dispute_mediation_late",
                         include=["id"],  # counted without the table (an index-only scan)
                         condition=Q(state__in=[s.value for s in MEDIATION_STAGES])),
        ]

    def __str__(self) -> str:
        return self.number


class PartyRole(models.TextChoices):
    CREDITOR = "creditor", _("债权人")
    DEBTOR = "debtor", _("债务人")
    GUARANTOR = "guarantor", _("担保人")


class DisputeParty(models.Model):
    """A party's place in one dispute."""

    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="party_rows")
    party = models.ForeignKey(Party, models.PROTECT, related_name="dispute_rows")
    role = models.CharField(_("诉讼地位"), max_length=16, choices=PartyRole.choices)

    class Meta:
        verbose_name = _("纠纷当事人")
        verbose_name_plural = _("纠纷当事人")
        constraints = [models.UniqueConstraint(fields=["dispute", "party", "role"],
                                               name="dispute_party_role_unique")]

    def __str__(self) -> str:
        return f"{self.dispute}: {self.party} ({self.get_role_display()})"


class DisputeMediator(models.Model):
    """A mediator on a dispute; one of them leads."""

    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="mediator_rows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT,
                             related_name="dispute_assignments")
    lead = models.BooleanField(_("主调解员"), default=False)

    class Meta:
        verbose_name = _("调解员指派")
        verbose_name_plural = _("调解员指派")
        constraints = [
            models.UniqueConstraint(fields=["dispute", "user"], name="dispute_mediator_unique"),
            models.UniqueConstraint(fields=["dispute"], condition=Q(lead=True),
                                    name="dispute_one_lead_mediator"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute}: {self.user}"


class DisputeCounter(models.Model):
    """The last number issued per committee and year; locked while a number is taken."""

    committee = models.ForeignKey(Organization, models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["committee", "year"],
                                               name="dispute_counter_unique")]


class DisputeRepresentative(models.Model):
    """A representative (代理人) acting for one party in one dispute, under a power of
    attorney whose authority decides whether they may settle (domain.representation)."""

    party_row = models.ForeignKey(DisputeParty, models.CASCADE, related_name="representatives")
    person = models.ForeignKey(Party, models.PROTECT, related_name="representations")
    relation = models.CharField(_("代理人身份"), max_length=16,
                                choices=[(r.value, r.label) for r in Relation])
    authority = models.CharField(_("代理权限"), max_length=16,
                                 choices=[(a.value, a.label) for a in Authority])
    matters = models.CharField(_("委托事项"), max_length=500, blank=True)
    signed_on = models.DateField(_("授权委托书签署日期"))
    valid_until = models.DateField(_("授权期限至"), null=True, blank=True)
    # the signed power of attorney as shown at the desk (PDF or image), with its SHA-256:
    # served only while it still gives it (blank for appointments recorded before scans)
    scan = models.FileField(_("授权委托书扫描件"), upload_to="mandates/%Y/", blank=True)
    scan_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("代理人")
        verbose_name_plural = _("代理人")
        constraints = [
            models.UniqueConstraint(fields=["party_row", "person"],
                                    name="representative_once_per_party"),
            models.CheckConstraint(condition=Q(authority__in=[a.value for a in Authority]),
                                   name="representative_authority_known"),
            models.CheckConstraint(condition=Q(valid_until__isnull=True)
                                   | Q(valid_until__gte=models.F("signed_on")),
                                   name="representative_valid_after_signed"),
        ]

    def __str__(self) -> str:
        return f"{self.person}（{self.party_row.party}的代理人）"


class Statement(models.Model):
    """A party's signed statement in a dispute, other than the agreement: the address for
    service it confirms (送达地址确认书) and the joint application for judicial confirmation
    it signs. The content is fixed when the code is sent (or the paper is signed at the
    desk) and its SHA-256 is what the signature binds; a later statement of the same kind
    supersedes an earlier one (the latest signed one is in force)."""

    class Kind(models.TextChoices):
        SERVICE_ADDRESS = "service_address", _("送达地址确认书")
        JOINT_APPLICATION = "joint_application", _("司法确认申请书")
        UNDISPUTED_FACTS = "undisputed_facts", _("无争议事实确认书")

    class How(models.TextChoices):
        CODE = "code", _("手机验证码签署")
        DESK = "desk", _("当面签署（纸面签名存档）")

    party_row = models.ForeignKey(DisputeParty, models.CASCADE, related_name="statements")
    kind = models.CharField(_("文书"), max_length=24, choices=Kind.choices)
    content = models.JSONField()
    digest = models.CharField(max_length=64)
    signer_name = models.CharField(_("签署人"), max_length=200)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    how = models.CharField(_("签署方式"), max_length=8, choices=How.choices)
    # the one-time code (code signatures): its keyed hash, where it went, tries
    code_hash = models.CharField(max_length=64, blank=True)
    phone_masked = models.CharField(max_length=16, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    signed_at = models.DateTimeField(_("签署时间"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                  blank=True, related_name="+")
    client_ip = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("当事人签署的文书")
        verbose_name_plural = _("当事人签署的文书")
        indexes = [models.Index(fields=["party_row", "kind", "signed_at"],
                                name="statement_latest")]
        constraints = [
            models.CheckConstraint(condition=Q(how="code") | ~Q(signed_at=None),
                                   name="statement_desk_is_signed"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.signer_name}）"


class IntakeFileState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    CHECKING = "checking", _("正在校验")
    WRITING = "writing", _("正在登记")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未完成")


class IntakeFile(models.Model):
    """A bank's element-table file (issue 20 §1): the file as uploaded, its progress while
    its rows are checked and written, and what became of each row."""

    institution = models.ForeignKey(Organization, models.PROTECT, related_name="+",
                                    verbose_name=_("金融机构"))
    committee = models.ForeignKey(Organization, models.PROTECT, related_name="+",
                                  verbose_name=_("受理调委会"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("上传人"))
    filename = models.CharField(_("文件名"), max_length=200)
    file = models.FileField(upload_to="intake-files/%Y/%m/", max_length=300)
    all_or_nothing = models.BooleanField(_("全部通过才登记"), default=False)
    state = models.CharField(_("状态"), max_length=16, choices=IntakeFileState.choices,
                             default=IntakeFileState.QUEUED)
    rows_total = models.PositiveIntegerField(_("行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已校验行数"), default=0)
    counts = models.JSONField(_("结果统计"), default=dict)
    # one entry a row, in the file's order: [outcome, dispute id, number, code, message, field]
    results = models.JSONField(_("逐行结果"), default=list)
    error = models.TextField(_("未完成原因"), blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"))
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("要素表文件")
        verbose_name_plural = _("要素表文件")
        indexes = [models.Index(fields=["institution", "-uploaded_at"],
                                name="intake_file_by_institution")]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=[s.value for s in IntakeFileState]),
                                   name="intake_file_state_known"),
            models.CheckConstraint(condition=Q(rows_done__lte=models.F("rows_total")),
                                   name="intake_file_done_within_total"),
        ]

    def __str__(self) -> str:
        return f"要素表 {self.filename}（{self.get_state_display()}）"

    @property
    def in_progress(self) -> bool:
        """Queued, being checked or written: its page keeps asking how far it is."""
        return self.state in (IntakeFileState.QUEUED, IntakeFileState.CHECKING,
                              IntakeFileState.WRITING)

    @property
    def percent(self) -> int:
        """How far the checks are, 0–100 (100 only when done)."""
        if self.state == IntakeFileState.DONE:
            return 100
        return min(99, self.rows_done * 100 // self.rows_total) if self.rows_total else 0
