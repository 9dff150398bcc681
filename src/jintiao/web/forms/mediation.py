"""Forms of the mediation workbench: each checks its fields in Chinese at the edge and
turns them into the values the services take; the services check everything again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jintiao import clock
from jintiao.domain import blind, hardship
from jintiao.domain.claims import CLAIM_PART_LABELS
from jintiao.domain.joint import JOINT_METHODS
from jintiao.domain.plans import DEBTOR_WAIVABLE, PlanOptions, Waiver
from jintiao.domain.policy import ShareRule, Track
from jintiao.domain.schedules import METHOD_LABELS, Method
from jintiao.mediation.models import Attachment, Session, Side
from jintiao.mediation.selectors import CONSENT_PURPOSES
from jintiao.web.forms.base import Form, version_field
from jintiao.web.forms.disputes import AmountField, TextField, date_field

SIDE_CHOICES = [(s.value, s.label) for s in Side]
HUNDRED = Decimal(100)


class PercentField(forms.Field):
    """A yearly rate typed as people say it — ``3.65`` or ``3.65%`` — kept as a fraction;
    ``what`` names it in the refusals (a rate, or a share)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "class": "rate", "size": "6"})

    def __init__(self, *args: Any, what: str = "利率", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.what = what

    def to_python(self, value: Any) -> Decimal | None:
        text = str(value or "").strip().rstrip("%％").strip()
        if not text:
            return None
        try:
            percent = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(_("%(what)s格式不正确，例如 3.65") % {"what": self.what},
                                        code="rate_invalid") from None
        if not percent.is_finite() or not 0 <= percent <= 100:
            raise forms.ValidationError(_("%(what)s应在0%%到100%%之间") % {"what": self.what},
                                        code="rate_invalid")
        if percent != percent.quantize(Decimal("0.0001")):
            raise forms.ValidationError(_("%(what)s最多保留四位小数") % {"what": self.what},
                                        code="rate_invalid")
        return percent / HUNDRED


class TriageForm(Form):
    expected_version = version_field()
    facts_disputed = forms.BooleanField(label=_("债务人对借款事实、金额或违约本身有争议"),
                                        required=False)
    evaluation_requested = forms.BooleanField(label=_("当事人申请中立评估"), required=False)
    track = forms.ChoiceField(label=_("确定的程序"), required=False,
                              choices=[("", _("采用建议")), *((t.value, t.label) for t in Track)])
    reason = TextField(label=_("不采用建议的理由"), required=False, max_length=2000)


class AssignForm(Form):
    """A lead mediator and co-mediators or experts, by id (how many the policy allows, the
    service decides)."""

    expected_version = version_field()
    lead = forms.IntegerField(label=_("主调解员"), min_value=1, max_value=2**53)
    others = forms.TypedMultipleChoiceField(label=_("协助调解员"), coerce=int, required=False)
    reason = TextField(label=_("调整理由"), required=False, max_length=2000)

    def __init__(self, *args: Any, candidates: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["others"]
        field.choices = candidates



class RecusalForm(Form):
    mediator = forms.TypedChoiceField(label=_("申请回避的调解员"), coerce=int)
    party_row = forms.TypedChoiceField(label=_("申请人"), coerce=int)
    reason = TextField(label=_("理由"), max_length=2000)

    def __init__(self, *args: Any, mediators: list[tuple[int, str]],
                 party_rows: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["mediator"].choices = mediators
        fields["party_row"].choices = party_rows


class DecisionForm(Form):
    """Grant or refuse (a recusal, an approval), with the reason on record."""

    grant = forms.TypedChoiceField(label=_("决定"), coerce=lambda v: v == "yes",
                                   choices=[("yes", _("同意")), ("no", _("不同意"))])
    reason = TextField(label=_("理由"), max_length=2000)


def _when_field() -> forms.DateTimeField:
    return forms.DateTimeField(
        label=_("时间"), input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


def _beijing(value: dt.datetime) -> dt.datetime:
    # the picker gives a wall-clock time: it is Beijing time whatever the server's zone
    return value.replace(tzinfo=clock.TZ) if value.tzinfo is None else value.astimezone(clock.TZ)


class JointSessionForm(Form):
    """A meeting's time, mode and place — a joint mediation's one meeting as it stands,
    every party of every member invited; :class:`SessionForm` adds whom to invite."""

    mode = forms.ChoiceField(label=_("方式"), choices=Session.Mode.choices)
    starts_at = _when_field()
    place = TextField(label=_("地点"), required=False, max_length=200)
    online_link = TextField(label=_("线上会议链接"), required=False, max_length=500,
                            help_text=_("会议软件提供的网页链接"))

    def clean_starts_at(self) -> dt.datetime:
        return _beijing(self.cleaned_data["starts_at"])


class SessionForm(JointSessionForm):
    parties = forms.TypedMultipleChoiceField(label=_("参加的当事人"), coerce=int, required=False,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, party_rows: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["parties"]
        field.choices = party_rows
        field.initial = [pk for pk, _label in party_rows]


class RescheduleForm(Form):
    """A session's new time, place or link (the form shows the ones it has)."""

    starts_at = _when_field()
    place = TextField(label=_("地点"), required=False, max_length=200)
    online_link = TextField(label=_("线上会议链接"), required=False, max_length=500)

    def clean_starts_at(self) -> dt.datetime:
        return _beijing(self.cleaned_data["starts_at"])


class CancelForm(Form):
    reason = TextField(label=_("取消理由"), max_length=2000,
                       help_text=_("当事人在当事人端可以看到取消理由"))


class CorrectionForm(Form):
    record = TextField(label=_("更正后的笔录"), max_length=20000,
                       widget=forms.Textarea(attrs={"rows": 4}))
    reason = TextField(label=_("更正理由"), max_length=2000)


class RecordForm(Form):
    record = TextField(label=_("调解笔录"), max_length=20000,
                       widget=forms.Textarea(attrs={"rows": 4}))
    present = forms.TypedMultipleChoiceField(label=_("出席的当事人"), coerce=int, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    staff = forms.TypedMultipleChoiceField(label=_("出席的其他调解员"), coerce=int,
                                           required=False, widget=forms.CheckboxSelectMultiple,
                                           help_text=_("记录人本人记为出席"))

    def __init__(self, *args: Any, invited: list[tuple[int, str]],
                 staff: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["present"].choices = invited
        if staff:
            fields["staff"].choices = list(staff)
            fields["staff"].initial = [pk for pk, _label in staff]
        else:  # the only mediator records the session: nobody else to mark
            del fields["staff"]


class NoteForm(Form):
    side = forms.ChoiceField(label=_("哪一方"), choices=SIDE_CHOICES)
    text = TextField(label=_("谈话记录"), max_length=20000,
                     widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(Form):
    """A file for the session; ``private`` offers one side's visibility (the team only)."""

    kind = forms.ChoiceField(label=_("类别"), choices=Attachment.Kind.choices)
    side = forms.ChoiceField(label=_("可见范围"), required=False,
                             choices=[("", _("各方可见")), *SIDE_CHOICES])
    file = forms.FileField(label=_("文件"))

    def __init__(self, *args: Any, private: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not private:
            field: Any = self.fields["side"]
            field.choices = [("", _("各方可见"))]


class BudgetForm(Form):
    """What the debtor declares each month: a person's income and dependants, an
    enterprise's cash flow from operations; other debt payments for both."""

    party_row = forms.TypedChoiceField(label=_("债务人"), coerce=int)
    monthly_income = AmountField(label=_("月收入（自然人）"), required=False,
                                 help_text=_("不填则按当地最低工资标准估算"))
    monthly_cash_flow = AmountField(label=_("月经营现金流（企业）"), required=False,
                                    help_text=_("企业每月经营可用于还款的金额"))
    other_obligations = AmountField(label=_("其他债务月还款"), required=False)
    dependants = forms.IntegerField(label=_("需抚养人数（自然人）"), min_value=0, max_value=20,
                                    initial=0)

    def __init__(self, *args: Any, debtors: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["party_row"]
        field.choices = debtors


class ConsentForm(Form):
    purpose = forms.ChoiceField(label=_("同意的事项"),
                                choices=[(k, v[1]) for k, v in CONSENT_PURPOSES.items()],
                                initial="extension", required=False, widget=forms.HiddenInput)
    party_row = forms.TypedChoiceField(label=_("当事人"), coerce=int)
    how = TextField(label=_("同意方式"), max_length=100,
                    widget=forms.TextInput(attrs={"placeholder": _("书面、电话录音、线上确认…")}))
    given_on = date_field(_("同意日期"))

    def __init__(self, *args: Any, party_rows: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["party_row"].choices = party_rows
        fields["given_on"].initial = clock.today()

    def clean_purpose(self) -> str:
        return str(self.cleaned_data["purpose"] or "extension")  # the deadline's, by default


class BoundAmountField(AmountField):
    """A bound's amount as typed, a minus sign let through: whether a bound lies inside the
    claim is the domain's to say (:mod:`jintiao.domain.blind`), in the words every interface
    shows."""

    def to_python(self, value: Any) -> Decimal | None:
        text = str(value or "").strip()
        if text[:1] in ("-", "－"):
            amount = super().to_python(text[1:])
            return None if amount is None else -amount
        return super().to_python(value)


class BoundForm(Form):
    """One side's private bound: the creditor's least total and longest term, or the
    debtor's most a month and most in all. The page shows every field optional; which ones
    a side must fill is :func:`jintiao.domain.blind.bound_of`'s to decide."""

    side = forms.ChoiceField(label=_("哪一方"), choices=SIDE_CHOICES, widget=forms.HiddenInput)
    min_total = BoundAmountField(label=_("可接受的最低还款总额"), required=False)
    max_term_months = forms.IntegerField(label=_("可接受的最长期限（月）"), required=False,
                                         min_value=1, max_value=600)
    max_monthly = BoundAmountField(label=_("每月最多还款"), required=False)
    max_total = BoundAmountField(label=_("最多还款总额"), required=False)

    def bound(self) -> blind.CreditorBound | blind.DebtorBound:
        """The bound the valid form describes.

        :raises OfferInvalid: incomplete (:class:`~jintiao.domain.blind.BoundIncomplete`) or
            out of range
        """
        data = self.cleaned_data
        return blind.bound_of(data["side"], min_total=data["min_total"],
                              max_term_months=data["max_term_months"],
                              max_monthly=data["max_monthly"], max_total=data["max_total"])


class EvaluationForm(Form):
    assessment = TextField(label=_("评估意见"), max_length=20000,
                           widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=_("对诉讼可能结果的非约束性判断：事实、证据、利息罚息能否获支持"))
    contract_annual_rate = PercentField(label=_("合同年利率（%）"))
    discount_rate = PercentField(label=_("折现率（%/年）"), required=False)
    offer = forms.TypedChoiceField(label=_("比较的调解方案"), coerce=int, required=False,
                                   empty_value=None)

    def __init__(self, *args: Any, offers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["offer"]
        field.choices = [("", _("不比较方案")), *offers]


class ApprovalDecisionForm(DecisionForm):
    pass


WAIVABLE = tuple(CLAIM_PART_LABELS)


class PlanForm(Form):
    """One column of the plan designer. Waiver fields exist for every claim part; the page
    shows those the claim has."""

    label = TextField(label=_("方案名称"), required=False, max_length=100)
    method = forms.ChoiceField(label=_("还款方式"),
                               choices=[(m.value, METHOD_LABELS[m]) for m in Method])
    periods = forms.IntegerField(label=_("期数"), min_value=1, max_value=600)
    first_due = date_field(_("首期还款日"))
    annual_rate = PercentField(label=_("年利率（%）"), required=False)
    down_payment = AmountField(label=_("首付款"), required=False)
    down_payment_due = date_field(_("首付款支付日"), required=False)
    grace_periods = forms.IntegerField(label=_("宽限期（月，只还利息）"), min_value=0,
                                       max_value=120, required=False)
    deferral_months = forms.IntegerField(label=_("延期还本付息（月）"), min_value=0,
                                         max_value=120, required=False)
    free_deferral_interest = forms.BooleanField(label=_("免收延期期间利息"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for part in WAIVABLE:
            self.fields[f"waive_{part}"] = AmountField(
                label=_("减免%(part)s") % {"part": CLAIM_PART_LABELS[part]}, required=False)
            self.fields[f"conditional_{part}"] = forms.BooleanField(
                label=_("违约时恢复"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("down_payment") and not data.get("down_payment_due"):
            self.add_error("down_payment_due", _("有首付款时须填写支付日"))
        return data

    MAIN = ("label", "method", "periods", "first_due", "annual_rate")
    MORE = ("down_payment", "down_payment_due", "grace_periods", "deferral_months",
            "free_deferral_interest")

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.MAIN]

    def more_fields(self) -> list[forms.BoundField]:
        """Down payment, grace and deferral: used less often, folded on the page."""
        return [self[name] for name in self.MORE]

    def uses_more(self) -> bool:
        return any(self[name].value() not in (None, "", False) for name in self.MORE)

    def waiver_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"waive_{p}"], self[f"conditional_{p}"]) for p in WAIVABLE]

    def options(self) -> PlanOptions:
        """The plan options; domain refusals (a waiver above what is owed…) come from the
        designer when the figures are computed."""
        data = self.cleaned_data
        waivers = tuple(Waiver(p, data[f"waive_{p}"], bool(data[f"conditional_{p}"]))
                        for p in WAIVABLE if data.get(f"waive_{p}"))
        return PlanOptions(
            method=Method(data["method"]), periods=data["periods"], first_due=data["first_due"],
            annual_rate=data["annual_rate"] or Decimal(0),
            down_payment=data["down_payment"] or Decimal(0),
            down_payment_due=data["down_payment_due"],
            grace_periods=data["grace_periods"] or 0,
            deferral_months=data["deferral_months"] or 0,
            waive_deferral_interest=data["free_deferral_interest"],
            waivers=waivers, label=data["label"] or "")


def plan_initial(options: PlanOptions) -> dict[str, Any]:
    """A plan as the designer's initial values (menus and offers shown again)."""
    initial: dict[str, Any] = {
        "label": options.label, "method": options.method.value, "periods": options.periods,
        "first_due": options.first_due,
        "annual_rate": options.annual_rate * HUNDRED if options.annual_rate else "",
        "down_payment": options.down_payment or "",
        "down_payment_due": options.down_payment_due,
        "grace_periods": options.grace_periods or "",
        "deferral_months": options.deferral_months or "",
        "free_deferral_interest": options.waive_deferral_interest,
    }
    for w in options.waivers:
        initial[f"waive_{w.part}"] = w.amount
        initial[f"conditional_{w.part}"] = w.conditional
    return initial


class ProposeForm(Form):
    """How a plan goes on the table: in whose name, and whether only to one's own side."""

    on_behalf_of = forms.ChoiceField(label=_("以谁的名义提出"), required=False, choices=[
        ("", _("以调解员名义")), ("debtor", _("代债务人提出"))])
    private = forms.BooleanField(required=False, label=_("仅己方及调解员可见（背对背）"))
    discount_rate = PercentField(label=_("折现率（%/年）"), required=False)
    answers = forms.TypedChoiceField(label=_("回应的方案"), required=False, coerce=int,
                                     empty_value=None,
                                     choices=[("", _("新方案"))])

    def __init__(self, *args: Any, open_offers: Sequence[tuple[int, str]] = (),
                 names: bool = True, **kwargs: Any) -> None:
        """``names``: whether to offer a name other than the proposer's own (the desk only:
        a creditor's officer proposes for the creditor, whatever is posted)."""
        super().__init__(*args, **kwargs)
        field: Any = self.fields["answers"]
        field.choices = [("", _("新方案")), *open_offers]
        if not names:
            del self.fields["on_behalf_of"]
        for each in self.fields.values():  # shown under every plan: named, not by one label
            each.widget.attrs.setdefault("aria-label", str(each.label))


class WithdrawForm(Form):
    reason = TextField(label=_("撤回理由"), max_length=2000)


class AnswerForm(Form):
    side = forms.ChoiceField(label=_("代表哪一方"), choices=SIDE_CHOICES)
    answer = forms.ChoiceField(label=_("答复"),
                               choices=[("accept", _("接受")), ("reject", _("拒绝"))])
    reason = TextField(label=_("理由"), required=False, max_length=2000)


class PauseRequestForm(Form):
    """The desk's request for a hardship pause: the ground, the evidence it verified and
    the days asked (the policy's bound is the service's to apply)."""

    ground = forms.ChoiceField(label=_("原因"), choices=[
        (g.value, g.label) for g in hardship.Ground])
    evidence = TextField(label=_("已核实的证明材料"), max_length=1000,
                         widget=forms.Textarea(attrs={"rows": 2}),
                         help_text=_("写明材料名称、出具单位和日期，如：凯里市第一人民医院住院证明"))
    days = forms.IntegerField(label=_("暂停天数"), min_value=1, max_value=366)


class PauseNoteForm(Form):
    """A short note on record: a pause's mid-point review, or why it ends early."""

    note = TextField(label=_("说明"), max_length=500)


class JoinForm(Form):
    """The disputes of the same debtor to mediate together with this one, and how."""

    disputes = forms.MultipleChoiceField(label=_("一并联合调解的纠纷"),
                                         widget=forms.CheckboxSelectMultiple)
    sessions = forms.ChoiceField(label=_("调解会议"), choices=[
        ("joint", _("合并召开调解会议")), ("separate", _("分别召开调解会议"))])
    agreement_form = forms.ChoiceField(label=_("协议形式"), choices=[
        ("per_creditor", _("每家债权人各签一份调解协议")),
        ("one", _("一份协议，各债权人分列还款计划"))])

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["disputes"].choices = choices


class JointPlanForm(Form):
    """The consolidated plan's common terms: the rule, the month's amount, the first day."""

    rule = forms.ChoiceField(label=_("分配规则"), required=False, choices=[
        ("", _("按规则配置（默认）")), *((r.value, r.label) for r in ShareRule)])
    amount = AmountField(label=_("债务人每月还款总额（不填按收支测算）"), required=False)
    first_due = date_field(_("首期还款日"))


class JointPartForm(Form):
    """One creditor's part: secured or not, its agreed share, how it is repaid, the charges
    it gives up (reviving on default) and the term it asks."""

    secured = forms.BooleanField(label=_("有担保债权（优先分配）"), required=False)
    agreed_share = PercentField(label=_("约定分配比例（%）"), required=False, what="分配比例")
    method = forms.ChoiceField(label=_("还款方式"), choices=[
        (m.value, METHOD_LABELS[m]) for m in JOINT_METHODS])
    annual_rate = PercentField(label=_("年利率（%）"), required=False)
    waive = forms.MultipleChoiceField(label=_("减免（违约时恢复）"), required=False,
                                      widget=forms.CheckboxSelectMultiple,
                                      choices=[(p, CLAIM_PART_LABELS[p]) for p in DEBTOR_WAIVABLE])
    periods = forms.IntegerField(
        label=_("每月所需按几期计算（可不填）"), required=False, min_value=1, max_value=600,
        help_text=_("有担保债权优先分配时，按此期数计算其每月所需，优先满足；按比例分配时只作上限，"
                    "实际期数由分得的金额决定"))
