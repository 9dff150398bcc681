"""Forms of the agreement, the court and performance: fields checked in Chinese at the
edge; the services check everything again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jintiao.domain.confirmation import JUDGE_ONLY
from jintiao.performance.models import FollowUp
from jintiao.web.forms.base import Form, version_field
from jintiao.web.forms.disputes import AmountField, TextField, date_field


class DraftForm(Form):
    expected_version = version_field()
    facts = TextField(label=_("纠纷主要事实、争议事项"), max_length=4000,
                      widget=forms.Textarea(attrs={"rows": 4}))
    responsibility = TextField(label=_("各方责任（可不填）"), max_length=2000, required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    performance_manner = TextField(label=_("履行方式（收款账户、还款方式）"), max_length=1000,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    charges_since = date_field(_("欠息、罚息起算日（核对24%上限用）"), required=False)
    acceleration_missed = forms.IntegerField(label=_("连续未还几期即全部到期"), min_value=1,
                                             max_value=12, required=False)
    other_terms = TextField(label=_("其他约定（可不填）"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))


class CodeForm(Form):
    signer = forms.CharField(label=_("签署人"), max_length=40, widget=forms.HiddenInput)
    representative = forms.TypedChoiceField(label=_("由代理人签署"), coerce=int, required=False,
                                            empty_value=None)

    def __init__(self, *args: Any, representatives: Sequence[tuple[int, str]] = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["representative"]
        field.choices = [("", _("本人签署")), *representatives]


class SignForm(Form):
    signer = forms.CharField(label=_("签署人"), max_length=40, widget=forms.HiddenInput)
    code = forms.RegexField(label=_("短信验证码"), regex=r"^[0-9]{6}$",
                            error_messages={"invalid": _("验证码为6位数字")},
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "size": "8",
                                                          "autocomplete": "one-time-code"}))


class VersionForm(Form):
    expected_version = version_field()


class ApplyForm(VersionForm):
    court = forms.TypedChoiceField(label=_("受理法院"), coerce=int)

    def __init__(self, *args: Any, courts: Sequence[tuple[int, str]] = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["court"]
        field.choices = courts


class CourtForm(Form):
    """The court a joint mediation's one application goes to."""

    court = forms.TypedChoiceField(label=_("受理法院"), coerce=int)

    def __init__(self, *args: Any, courts: Sequence[tuple[int, str]] = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["court"]
        field.choices = courts


class DecideForm(VersionForm):
    decision = forms.ChoiceField(label=_("裁定"), widget=forms.RadioSelect, choices=[
        ("confirm", _("确认调解协议有效")), ("reject", _("驳回申请"))])
    attested = forms.MultipleChoiceField(
        label=_("经询问当事人，本人认定"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(code, label) for code, label, _src in JUDGE_ONLY])
    reasons = TextField(label=_("理由（驳回时必填）"), max_length=4000, required=False,
                        widget=forms.Textarea(attrs={"rows": 3}))


class PaymentForm(Form):
    reference = TextField(label=_("机构流水号"), max_length=100)
    paid_on = date_field(_("还款日期"))
    amount = AmountField(label=_("金额（元）"))
    surplus_intended = forms.BooleanField(label=_("超出尚欠金额的部分系当事人多付，应予退还"),
                                          required=False)


class ReversalForm(Form):
    reason = TextField(label=_("冲正原因"), max_length=300)


class CsvForm(Form):
    file = forms.FileField(label=_("还款记录文件（CSV，UTF-8）"))


class NoteForm(Form):
    note = TextField(label=_("更正情况"), max_length=300, required=False)


class FollowUpForm(Form):
    method = forms.ChoiceField(label=_("回访方式"), choices=FollowUp.Method.choices)
    note = TextField(label=_("回访情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class FactsForm(Form):
    facts = TextField(label=_("双方均无异议的事实（每行一条）"), max_length=30000, required=False,
                      widget=forms.Textarea(attrs={"rows": 6}))
    disputed = TextField(label=_("仍有争议的事项"), max_length=4000, required=False,
                         widget=forms.Textarea(attrs={"rows": 2}))
    none_reason = TextField(label=_("无可记载事实的原因（如当事人无法联系）"), max_length=300,
                            required=False)


class ConfirmFactsForm(Form):
    party_row = forms.IntegerField(label=_("当事人"), min_value=1, max_value=2**53,
                                   widget=forms.HiddenInput)
    how = TextField(label=_("确认方式"), max_length=100)


class NoticeForm(Form):
    """The documents the desk makes from the dispute page; ``documents``: the dispute's
    documents a receipt of service (送达回证) may be for (the service checks it is one)."""

    kind = forms.ChoiceField(label=_("文书"),
                             choices=[("options_notice", _("非诉讼纠纷解决方式告知书")),
                                      ("rights_notice", _("人民调解当事人权利义务告知书")),
                                      ("mediation_application", _("人民调解申请书")),
                                      ("intake_register", _("人民调解受理登记表")),
                                      ("acceptance_notice", _("受理通知书")),
                                      ("non_acceptance_notice", _("不予受理通知书")),
                                      ("power_of_attorney", _("授权委托书（供当事人填写）")),
                                      ("inquiry_record", _("人民调解调查记录")),
                                      ("termination_notice", _("调解终结告知书")),
                                      ("follow_up_record", _("人民调解回访记录")),
                                      ("service_receipt", _("送达回证（请选择所送达的文书）"))])
    document = forms.IntegerField(label=_("所送达的文书（制作送达回证时选择）"), required=False,
                                  min_value=1, max_value=2**53, widget=forms.Select)

    def __init__(self, *args: Any, documents: Sequence[tuple[int, str]] = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget: Any = self.fields["document"].widget
        widget.choices = [("", _("（制作送达回证时选择文书）")), *documents]
