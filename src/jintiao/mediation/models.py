"""The mediation workbench's records: recusals, sessions and their private caucus notes,
plans offered and answered, approvals above an agent's authority, neutral evaluations,
blind bounds, consents to extend, the debtor's declared budget and institutions' standard
plan menus. Changed only through :mod:`jintiao.mediation.services`.

**Sides.** A caucus note, an attachment or an offer made in a back-to-back round belongs
to one side (creditor or debtor) and is shown to the dispute's mediators and that side
only; ``side = ""`` means shared with everyone who sees the dispute.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jintiao.disputes.models import Dispute, DisputeParty
from jintiao.domain.plans import WAIVER_ORDER
from jintiao.domain.schedules import METHOD_LABELS
from jintiao.orgs.models import Organization

METHOD_CHOICES = [(method.value, label) for method, label in METHOD_LABELS.items()]


class Side(models.TextChoices):
    CREDITOR = "creditor", _("债权人方")
    DEBTOR = "debtor", _("债务人方")


class Recusal(models.Model):
    """A request that a mediator stand aside (回避), and the director's decision."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待决定")
        GRANTED = "granted", _("准予回避")
        REFUSED = "refused", _("驳回")

    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="recusals")
    mediator = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(DisputeParty, models.PROTECT, related_name="+",
                                     verbose_name=_("申请人"))
    reason = models.TextField(_("理由"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                   blank=True, related_name="+")
    decision_reason = models.TextField(_("决定理由"), blank=True)
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("回避申请")
        verbose_name_plural = _("回避申请")
        constraints = [
            models.UniqueConstraint(fields=["dispute", "mediator"],
                                    condition=Q(status="pending"),
                                    name="recusal_one_pending_per_mediator"),
            models.CheckConstraint(condition=Q(status="pending") | Q(decided_at__isnull=False),
                                   name="recusal_decided_has_time"),
        ]


class Session(models.Model):
    """One mediation meeting: when, where or how, who came, and the record (笔录).

    A session to come may be moved (``reschedules`` counts the moves, so each new time is
    served as a new notice) or cancelled with its reason; once held, its record is only
    corrected, each earlier text kept as a :class:`RecordVersion`."""

    class Mode(models.TextChoices):
        FACE_TO_FACE = "face_to_face", _("面对面")
        BACK_TO_BACK = "back_to_back", _("背对背")
        ONLINE = "online", _("线上")
        PHONE = "phone", _("电话")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("已安排")
        HELD = "held", _("已举行")
        CANCELLED = "cancelled", _("已取消")

    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="sessions")
    seq = models.PositiveIntegerField()
    mode = models.CharField(_("方式"), max_length=16, choices=Mode.choices)
    starts_at = models.DateTimeField(_("时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    online_link = models.CharField(_("线上会议链接"), max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    record = models.TextField(_("调解笔录"), blank=True)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    reschedules = models.PositiveSmallIntegerField(_("改期次数"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                    blank=True, related_name="+", verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                     blank=True, related_name="+")
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.TextField(_("取消理由"), blank=True)

    class Meta:
        verbose_name = _("调解会议")
        verbose_name_plural = _("调解会议")
        constraints = [
            models.UniqueConstraint(fields=["dispute", "seq"], name="session_seq_per_dispute"),
            models.CheckConstraint(condition=Q(status__in=["scheduled", "held", "cancelled"]),
                                   name="session_status_known"),
            models.CheckConstraint(condition=~Q(status="cancelled")
                                   | (Q(cancelled_at__isnull=False) & ~Q(cancel_reason="")),
                                   name="session_cancelled_has_time_and_reason"),
        ]


class RecordVersion(models.Model):
    """An earlier text of a session's record (笔录), kept when the record was corrected:
    what it said, who wrote it and when (unknown for records made before this was kept),
    and who corrected it, when and why. Version 1 is the first record."""

    session = models.ForeignKey(Session, models.CASCADE, related_name="record_versions")
    version = models.PositiveIntegerField()
    text = models.TextField(_("原笔录"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                   blank=True, related_name="+")
    written_at = models.DateTimeField(null=True, blank=True)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT,
                                     related_name="+", verbose_name=_("更正人"))
    corrected_at = models.DateTimeField(_("更正时间"))
    reason = models.TextField(_("更正理由"))

    class Meta:
        verbose_name = _("笔录原版本")
        verbose_name_plural = _("笔录原版本")
        constraints = [models.UniqueConstraint(fields=["session", "version"],
                                               name="record_version_once")]


class Attendance(models.Model):
    """A participant of a session: a party (or its representative) or a staff member."""

    session = models.ForeignKey(Session, models.CASCADE, related_name="attendance")
    party_row = models.ForeignKey(DisputeParty, models.PROTECT, null=True, blank=True,
                                  related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                             related_name="+")
    attended = models.BooleanField(_("出席"), null=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(party_row__isnull=False) | Q(user__isnull=False),
                                   name="attendance_names_someone"),
            models.UniqueConstraint(fields=["session", "party_row"],
                                    condition=Q(party_row__isnull=False),
                                    name="attendance_party_once"),
            models.UniqueConstraint(fields=["session", "user"], condition=Q(user__isnull=False),
                                    name="attendance_user_once"),
        ]


class CaucusNote(models.Model):
    """What one side said in private (背对背谈话记录): its side and the mediators only."""

    session = models.ForeignKey(Session, models.CASCADE, related_name="caucus_notes")
    side = models.CharField(max_length=16, choices=Side.choices)
    text = models.TextField(_("谈话记录"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("背对背谈话记录")
        verbose_name_plural = _("背对背谈话记录")
        constraints = [models.CheckConstraint(condition=Q(side__in=["creditor", "debtor"]),
                                              name="caucus_note_has_a_side")]


class Attachment(models.Model):
    """A recording or evidence of a session, stored through Django's storage API."""

    class Kind(models.TextChoices):
        RECORDING = "recording", _("录音录像")
        EVIDENCE = "evidence", _("证据材料")
        OTHER = "other", _("其他")

    session = models.ForeignKey(Session, models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    side = models.CharField(max_length=16, choices=Side.choices, blank=True)
    name = models.CharField(_("文件名"), max_length=200)
    file = models.FileField(upload_to="sessions/%Y/%m/")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()


class Offer(models.Model):
    """A plan put forward by a side or the mediators; a counter-offer names the one it
    answers. ``options`` is the plan as the designer takes it; ``figures`` the comparison
    row when it was made (so the history shows what each side saw)."""

    class By(models.TextChoices):
        CREDITOR = "creditor", _("债权人")
        DEBTOR = "debtor", _("债务人")
        MEDIATOR = "mediator", _("调解员")

    class Status(models.TextChoices):
        OPEN = "open", _("待答复")
        ACCEPTED = "accepted", _("双方接受")
        REJECTED = "rejected", _("已拒绝")
        COUNTERED = "countered", _("已还价")
        WITHDRAWN = "withdrawn", _("已撤回")

    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="offers")
    seq = models.PositiveIntegerField()
    by = models.CharField(_("提出方"), max_length=16, choices=By.choices)
    side = models.CharField(_("可见范围"), max_length=16, choices=Side.choices, blank=True)
    answers = models.ForeignKey("self", models.PROTECT, null=True, blank=True,
                                related_name="counters", verbose_name=_("回应的方案"))
    label = models.CharField(_("方案名称"), max_length=100, blank=True)
    method = models.CharField(max_length=24, choices=METHOD_CHOICES)
    options = models.JSONField()
    figures = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    creditor_accepted_at = models.DateTimeField(null=True, blank=True)
    debtor_accepted_at = models.DateTimeField(null=True, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("还款方案")
        verbose_name_plural = _("还款方案")
        constraints = [
            models.UniqueConstraint(fields=["dispute", "seq"], name="offer_seq_per_dispute"),
            models.UniqueConstraint(fields=["dispute"], condition=Q(status="accepted"),
                                    name="offer_one_accepted_per_dispute"),
            models.CheckConstraint(condition=Q(side__in=["", "creditor", "debtor"]),
                                   name="offer_side_known"),
            models.CheckConstraint(condition=~Q(status="accepted")
                                   | (Q(creditor_accepted_at__isnull=False)
                                      & Q(debtor_accepted_at__isnull=False)),
                                   name="offer_accepted_by_both"),
        ]


class Approval(models.Model):
    """A request to an approver to accept a plan beyond the agent's authority."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")
        CANCELLED = "cancelled", _("已撤销")  # the offer left the table before a decision

    offer = models.ForeignKey(Offer, models.CASCADE, related_name="approvals")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                 verbose_name=_("审批人"))
    excesses = models.JSONField(_("超出授权的事项"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(_("审批意见"), blank=True)
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("授权审批")
        verbose_name_plural = _("授权审批")
        constraints = [models.UniqueConstraint(fields=["offer"], condition=Q(status="pending"),
                                               name="approval_one_pending_per_offer")]


class Evaluation(models.Model):
    """A neutral evaluation: the expert's non-binding assessment and the money of both paths."""

    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="evaluations")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    assessment = models.TextField(_("评估意见"))
    contract_annual_rate = models.DecimalField(max_digits=7, decimal_places=6)
    discount_rate = models.DecimalField(max_digits=7, decimal_places=6)
    offer = models.ForeignKey(Offer, models.PROTECT, null=True, blank=True, related_name="+")
    paths = models.JSONField()
    created_at = models.DateTimeField()


class BlindRound(models.Model):
    """One round of blind offers. The bounds are stored encrypted and never shown back;
    the seed makes the proposal reproducible for an audit without being guessable."""

    class Outcome(models.TextChoices):
        WAITING = "waiting", _("等待双方报价")
        OVERLAP = "overlap", _("有交集")
        NO_OVERLAP = "no_overlap", _("无交集")
        NEEDS_APPROVAL = "needs_approval", _("需上级授权")

    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="blind_rounds")
    number = models.PositiveIntegerField()
    creditor_bound = models.TextField(blank=True)
    debtor_bound = models.TextField(blank=True)
    creditor_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                    blank=True, related_name="+")
    debtor_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                  blank=True, related_name="+")
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.WAITING)
    seed = models.CharField(max_length=32)
    offer = models.ForeignKey(Offer, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dispute", "number"],
                                    name="blind_round_number_per_dispute"),
            models.UniqueConstraint(fields=["dispute"], condition=Q(outcome="waiting"),
                                    name="blind_round_one_open_per_dispute"),
        ]


class Consent(models.Model):
    """A party's recorded consent to extend the mediation deadline."""

    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="consents")
    party_row = models.ForeignKey(DisputeParty, models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=32, default="extension")
    how = models.CharField(_("方式"), max_length=100)
    given_on = models.DateField(_("同意日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    used = models.BooleanField(default=False)


class DebtorBudget(models.Model):
    """The debtor's declared monthly budget, for the affordability check: a person's income
    and dependants, or an enterprise's monthly cash flow (what it can pay a month from its
    operations); other debt payments for both."""

    party_row = models.OneToOneField(DisputeParty, models.CASCADE, related_name="budget")
    monthly_income = models.DecimalField(_("月收入"), max_digits=18, decimal_places=2,
                                         null=True, blank=True)
    other_obligations = models.DecimalField(_("其他债务月还款"), max_digits=18,
                                            decimal_places=2, default=0)
    dependants = models.PositiveSmallIntegerField(_("需抚养人数"), default=0)
    monthly_cash_flow = models.DecimalField(_("月经营现金流"), max_digits=18, decimal_places=2,
                                            null=True, blank=True)
    declared_on = models.DateField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(other_obligations__gte=0)
                                              & (Q(monthly_income__isnull=True)
                                                 | Q(monthly_income__gte=0)),
                                              name="budget_amounts_not_negative"),
                       models.CheckConstraint(condition=Q(monthly_cash_flow__isnull=True)
                                              | Q(monthly_cash_flow__gte=0),
                                              name="budget_cash_flow_not_negative")]


def default_waiver_parts() -> list[str]:
    """All the charges, penalties first: what a menu's waiver ratio applies to by default."""
    return list(WAIVER_ORDER)


class MenuItem(models.Model):
    """A line of an institution's standard plan menu, offered first by the designer."""

    institution = models.ForeignKey(Organization, models.CASCADE, related_name="plan_menu")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("名称"), max_length=100)
    periods = models.PositiveSmallIntegerField(_("期数"))
    method = models.CharField(max_length=24, choices=METHOD_CHOICES, default="flat")
    annual_rate = models.DecimalField(max_digits=7, decimal_places=6, default=0)
    charge_waiver_ratio = models.DecimalField(max_digits=5, decimal_places=4, default=0)
    conditional = models.BooleanField(default=True)
    waiver_parts = models.JSONField(_("减免项目"), default=default_waiver_parts)
    # whose authority the menu stands on: a menu sent to debtors is accepted for the
    # creditor within the publisher's limits (checked again when it is sent); empty for a
    # menu published before this was kept, which is not sent until published again
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                     blank=True, related_name="+", verbose_name=_("发布人"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("标准还款方案")
        verbose_name_plural = _("标准还款方案")
        constraints = [models.CheckConstraint(condition=Q(periods__gte=1),
                                              name="menu_item_periods_positive")]


class UndisputedFacts(models.Model):
    """After a failed mediation: the facts neither side disputes, each party's written
    confirmation, and what is still in dispute (ONLINE Arts. 21–22). Confirmed facts need
    no proof in the later suit; concessions made to settle stay inadmissible."""

    dispute = models.OneToOneField(Dispute, models.CASCADE, related_name="undisputed_facts")
    facts = models.JSONField(_("无争议事实"))
    disputed = models.TextField(_("仍有争议的事项"), blank=True)
    none_reason = models.CharField(_("无可记载事实的原因"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    document = models.ForeignKey("documents.Document", models.PROTECT, null=True, blank=True,
                                 related_name="+")

    class Meta:
        verbose_name = _("无争议事实记载")
        verbose_name_plural = _("无争议事实记载")


class FactsConfirmation(models.Model):
    """A party's written confirmation of the undisputed facts."""

    record = models.ForeignKey(UndisputedFacts, models.CASCADE, related_name="confirmations")
    party_row = models.ForeignKey(DisputeParty, models.PROTECT, related_name="+")
    how = models.CharField(_("确认方式"), max_length=100)
    confirmed_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "party_row"],
                                               name="facts_confirmed_once_per_party")]


class BatchRun(models.Model):
    """Many disputes accepted, or assigned, in one action of the desk (issue 20 §4): who
    asked, what, and how far its background task has gone. Each dispute's change is its own
    transaction and its own timeline event through the single action's service; this row
    and its :class:`BatchItem` rows are the batch's record — what was asked, what was done,
    why each refusal — not an event of any dispute. An assignment is first ``proposed``
    (the rule's team per dispute, shown to the director) and runs once confirmed."""

    class Action(models.TextChoices):
        ACCEPT = "accept", _("批量受理")
        ASSIGN = "assign", _("批量分派")
        MENU = "menu", _("批量发送标准方案")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("待确认")
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在处理")
        DONE = "done", _("已完成")
        FAILED = "failed", _("未完成")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                              verbose_name=_("操作人"))
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    # the accept's notice options: notice_served (the actor's word), serve_by_text; the
    # menu's: reply_by (ISO date), performance_manner, text
    options = models.JSONField(_("选项"), default=dict, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices,
                             default=State.QUEUED)
    total = models.PositiveIntegerField(_("纠纷数"), default=0)
    error = models.TextField(_("未完成原因"), blank=True)
    created_at = models.DateTimeField(_("提交时间"))
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("批量操作")
        verbose_name_plural = _("批量操作")
        indexes = [models.Index(fields=["actor", "-created_at"], name="batch_run_by_actor")]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=["accept", "assign", "menu"]),
                                   name="batch_run_action_known"),
            models.CheckConstraint(
                condition=Q(state__in=["proposed", "queued", "running", "done", "failed"]),
                name="batch_run_state_known"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.pk}（{self.get_state_display()}）"

    @property
    def in_progress(self) -> bool:
        """Queued or being worked through: its page keeps asking how far it is."""
        return self.state in (self.State.QUEUED, self.State.RUNNING)


class BatchItem(models.Model):
    """One dispute of a batch: as asked (its id — not a key, so a dispute the actor may not
    see is recorded as asked, and answered like a missing one — and the version the actor
    saw), the proposal for an assignment (track and lead with why), and the outcome once
    run: done, or refused with the single service's code and message. An item's outcome
    is written in the same transaction as its dispute's change, so a batch run again
    does only what is still pending."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        DONE = "done", _("成功")
        REFUSED = "refused", _("未办理")

    run = models.ForeignKey(BatchRun, models.CASCADE, related_name="items")
    seq = models.PositiveIntegerField()
    dispute_ref = models.PositiveBigIntegerField(_("纠纷ID"))
    number = models.CharField(_("纠纷编号"), max_length=64, blank=True)
    expected_version = models.PositiveIntegerField(null=True, blank=True)
    track = models.CharField(_("程序"), max_length=16, blank=True)
    track_suggested = models.BooleanField(default=False)  # from the triage rule, not yet set
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("拟指派调解员"))
    why = models.JSONField(_("理由"), default=dict, blank=True)  # {"lead": […], "track": […]}
    status = models.CharField(_("结果"), max_length=16, choices=Status.choices,
                              default=Status.PENDING)
    code = models.CharField(max_length=64, blank=True)
    message = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("批量操作明细")
        verbose_name_plural = _("批量操作明细")
        constraints = [
            models.UniqueConstraint(fields=["run", "seq"], name="batch_item_seq_unique"),
            models.CheckConstraint(condition=Q(status__in=["pending", "done", "refused"]),
                                   name="batch_item_status_known"),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.dispute_ref}: {self.get_status_display()}"



class HardshipPause(models.Model):
    """A hardship pause (纾困暂停, issue 21 §3): asked by the desk on a verified hardship with
    its evidence, granted or refused by the director, running from the day it is granted for
    the days asked (the policy bounds them), reviewed at its mid-point, ended on its date or
    earlier by decision. While it runs the mediation period stands still (``deadline`` and
    ``days_left`` keep where it stopped), collection contact is refused, and no payment of a
    plan falls due inside it."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待主任审批")
        ACTIVE = "active", _("暂停中")
        REFUSED = "refused", _("未批准")
        ENDED = "ended", _("已结束")

    class Ground(models.TextChoices):
        ILLNESS = "illness", _("重大疾病或住院治疗")
        JOB_LOSS = "job_loss", _("失业或收入中断")
        DISASTER = "disaster", _("自然灾害等不可抗力")
        FAMILY = "family", _("家庭重大变故")

    class Outcome(models.TextChoices):
        EXPIRED = "expired", _("期满恢复")
        RESUMED = "resumed", _("提前恢复")
        WITHDRAWN = "withdrawn", _("纠纷终结")

    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="pauses")
    seq = models.PositiveSmallIntegerField()
    ground = models.CharField(_("原因"), max_length=16, choices=Ground.choices)
    evidence = models.TextField(_("已核实的证明材料"))
    days = models.PositiveSmallIntegerField(_("暂停天数"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                   blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(_("审批意见"), max_length=500, blank=True)
    starts_on = models.DateField(_("暂停开始"), null=True, blank=True)
    ends_on = models.DateField(_("暂停至"), null=True, blank=True)  # the last paused day
    review_on = models.DateField(_("中期复核日"), null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("复核情况"), max_length=500, blank=True)
    # where the mediation period stopped: its deadline and the days left, in its unit
    deadline = models.DateField(null=True, blank=True)
    days_left = models.IntegerField(null=True, blank=True)
    working_days = models.BooleanField(default=True)
    ended_on = models.DateField(_("实际结束"), null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                 blank=True, related_name="+")
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices, blank=True)
    end_reason = models.CharField(_("结束说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("纾困暂停")
        verbose_name_plural = _("纾困暂停")
        constraints = [
            models.UniqueConstraint(fields=["dispute", "seq"], name="pause_seq_unique"),
            # at most one pause waiting or running on a dispute at a time
            models.UniqueConstraint(fields=["dispute"],
                                    condition=Q(status__in=["requested", "active"]),
                                    name="pause_one_open"),
            models.CheckConstraint(condition=Q(days__gte=1), name="pause_days_positive"),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(starts_on__isnull=False, ends_on__isnull=False),
                name="pause_active_has_window"),
        ]

    @property
    def paused_through(self) -> dt.date | None:
        """The last day actually paused: the day before it ended, or its own last day."""
        if self.starts_on is None or self.ends_on is None:
            return None
        last = (self.ended_on - dt.timedelta(days=1)) if self.ended_on else self.ends_on
        last = min(last, self.ends_on)
        return last if last >= self.starts_on else None

    def __str__(self) -> str:
        return f"{self.dispute} 纾困暂停{self.seq}"


class JointMediation(models.Model):
    """Joint mediation (联合调解, issue 21 §2): the disputes of one debtor with different
    creditors mediated together under one budget. Each dispute keeps its creditor, claim,
    deadline and policy version; the joint plan shares what the debtor can pay a month among
    them (:mod:`jintiao.domain.joint`) and puts one part on each dispute's table, which that
    creditor accepts like any plan, within its own authority."""

    class Sessions(models.TextChoices):
        JOINT = "joint", _("合并召开调解会议")
        SEPARATE = "separate", _("分别召开调解会议")

    class Form(models.TextChoices):
        PER_CREDITOR = "per_creditor", _("每家债权人各签一份调解协议")
        ONE = "one", _("一份协议，各债权人分列还款计划")

    committee = models.ForeignKey("orgs.Organization", models.PROTECT, related_name="+")
    debtor = models.ForeignKey("parties.Party", models.PROTECT, related_name="+",
                               verbose_name=_("债务人"))
    sessions = models.CharField(_("调解会议"), max_length=16, choices=Sessions.choices,
                                default=Sessions.JOINT)
    agreement_form = models.CharField(_("协议形式"), max_length=16, choices=Form.choices,
                                      default=Form.PER_CREDITOR)
    rule = models.CharField(_("分配规则"), max_length=16, blank=True)
    amount = models.DecimalField(_("每月还款总额"), max_digits=14, decimal_places=2, null=True,
                                 blank=True)
    first_due = models.DateField(_("首期还款日"), null=True, blank=True)
    plan = models.JSONField(_("合并方案"), default=dict, blank=True)  # the last one put forward
    plan_version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("联合调解")
        verbose_name_plural = _("联合调解")

    def __str__(self) -> str:
        return f"联合调解{self.pk}"


class JointMember(models.Model):
    """One creditor's dispute in a joint mediation, with what the joint plan takes of it:
    whether its claim is secured, its agreed share, its concessions (``terms``: method, rate,
    the charges it gives up, the term it asks) and the part last put on its table."""

    joint = models.ForeignKey(JointMediation, models.CASCADE, related_name="members")
    dispute = models.OneToOneField(Dispute, models.CASCADE, related_name="joint_member")
    seq = models.PositiveSmallIntegerField()
    secured = models.BooleanField(_("有担保"), default=False)
    agreed_share = models.DecimalField(_("约定分配比例"), max_digits=7, decimal_places=6,
                                       null=True, blank=True)
    terms = models.JSONField(_("让步条件"), default=dict, blank=True)
    offer = models.ForeignKey(Offer, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("联合调解的纠纷")
        verbose_name_plural = _("联合调解的纠纷")
        constraints = [models.UniqueConstraint(fields=["joint", "seq"],
                                               name="joint_member_seq_unique")]
