"""Forms of the party portal: short, one purpose each, large enough for a thumb."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jintiao.domain import blind, outreach
from jintiao.domain.claims import CLAIM_PART_LABELS, ClaimBreakdown
from jintiao.domain.plans import DEBTOR_WAIVABLE
from jintiao.web.forms.base import Form
from jintiao.web.forms.disputes import AmountField, TextField, date_field
from jintiao.web.forms.mediation import BoundAmountField

_NUMERIC = {"inputmode": "numeric", "autocomplete": "one-time-code"}


class PhoneForm(Form):
    phone = TextField(label=_("手机号码"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel",
                                                          "autocomplete": "tel"}))


class SignInForm(Form):
    phone = TextField(label=_("手机号码"), max_length=20, widget=forms.HiddenInput)
    code = TextField(label=_("短信验证码"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs=_NUMERIC))
    id_number = TextField(label=_("身份证号码"), max_length=18, min_length=18,
                                help_text=_("用于核对您是案件当事人本人或其代理人"))
    consent = forms.BooleanField(label=_("我同意通过短信和本平台接收调解文书（电子送达）"),
                                 required=False)


class DebtorBoundForm(Form):
    """The debtor's own bound; what makes it complete and inside the claim is the domain's
    to say, in the same words as at the desk."""

    max_monthly = BoundAmountField(label=_("我每月最多能还"), required=False)
    max_total = BoundAmountField(label=_("我最多能还的总额"), required=False)

    def bound(self) -> blind.CreditorBound | blind.DebtorBound:
        """:raises OfferInvalid: incomplete or out of range"""
        return blind.bound_of("debtor", max_monthly=self.cleaned_data["max_monthly"],
                              max_total=self.cleaned_data["max_total"])


class CodeForm(Form):
    code = TextField(label=_("签署验证码"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs=_NUMERIC))


class RecusalForm(Form):
    mediator = forms.IntegerField(label=_("调解员"), min_value=1, max_value=2**53,
                                  widget=forms.HiddenInput)
    reason = TextField(label=_("申请回避的理由"), max_length=500,
                       widget=forms.Textarea(attrs={"rows": 3}))


class VerifyForm(Form):
    code = TextField(label=_("短信中的核验码"), max_length=12)

    def clean_code(self) -> str:
        found = outreach.normalise_code(self.cleaned_data["code"])
        if found is None:
            raise forms.ValidationError(_("核验码为8位字母和数字，如 K7M4-Q9TP"))
        return found


class EnterpriseBudgetForm(Form):
    """An enterprise's budget sheet: what its operations can pay a month, and its other
    debts' monthly payments."""

    cash_flow = AmountField(label=_("企业每月经营可用于还款的现金流"), required=False)
    debts = AmountField(label=_("企业其他欠款每月要还"), required=False)

    def totals(self) -> tuple[Decimal | None, Decimal]:
        d = self.cleaned_data
        return d["cash_flow"], d["debts"] or Decimal("0")


class BudgetForm(Form):
    """The budget sheet: income by source, debts and fixed outgoings, dependants."""

    wage = AmountField(label=_("工资收入（每月）"), required=False)
    business = AmountField(label=_("经营或务农收入（每月）"), required=False)
    other_income = AmountField(label=_("其他收入（每月）"), required=False)
    debts = AmountField(label=_("其他欠款每月要还"), required=False)
    fixed = AmountField(label=_("房租、医药费、学费等固定支出（每月）"), required=False)
    dependants = forms.IntegerField(label=_("需要您抚养的人数"), min_value=0, max_value=20,
                                    initial=0)

    def totals(self) -> tuple[Decimal, Decimal, int]:
        d = self.cleaned_data
        income = sum((d[k] or Decimal("0") for k in ("wage", "business", "other_income")),
                     Decimal("0"))
        outgoings = (d["debts"] or Decimal("0")) + (d["fixed"] or Decimal("0"))
        return income, outgoings, d["dependants"]


class AnswerForm(Form):
    """The debtor's answer to a plan on the table: accept it (the terms read), or reject it
    with a reason the desk and the creditor can act on."""

    answer = forms.ChoiceField(label=_("答复"), choices=[("accept", _("接受")),
                                                          ("reject", _("不接受"))],
                               widget=forms.HiddenInput)
    agree = forms.BooleanField(label=_("我已阅读该方案的还款金额、期限和减免条件"),
                               required=False)
    reason = TextField(label=_("不接受的理由"), max_length=500, required=False,
                       widget=forms.Textarea(attrs={"rows": 2}),
                       help_text=_("例如：每月金额超出能力，希望分更多期"))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("answer") == "accept" and not data.get("agree"):
            self.add_error("agree", _("请先阅读并勾选确认方案条款"))
        return data


class CounterForm(Form):
    """The debtor's own plan: how many months, from when, a down payment, and which charges
    the debtor asks to be given up (the designer's rules decide the figures)."""

    periods = forms.IntegerField(label=_("分几期（月）"), min_value=1, max_value=600,
                                 widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    first_due = date_field(_("第一期还款日"))
    down_payment = AmountField(label=_("首付款（可不填）"), required=False)
    down_payment_due = date_field(_("首付款支付日"), required=False)
    waive = forms.MultipleChoiceField(
        label=_("请求减免（如不按期还款将恢复）"), required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(p, CLAIM_PART_LABELS[p]) for p in DEBTOR_WAIVABLE])

    def __init__(self, *args: Any, claim: ClaimBreakdown | None = None, **kwargs: Any) -> None:
        """Only the charges the claim holds are offered to give up (none: no such box)."""
        super().__init__(*args, **kwargs)
        held = [p for p in DEBTOR_WAIVABLE if claim is not None and getattr(claim, p) > 0]
        fields: Any = self.fields
        if held:
            fields["waive"].choices = [(p, CLAIM_PART_LABELS[p]) for p in held]
        else:
            del self.fields["waive"]


class StatementSignForm(Form):
    """A code typed for one statement waiting for it."""

    statement = forms.IntegerField(label=_("待签署的文书"), widget=forms.HiddenInput,
                                   min_value=1)
    code = TextField(label=_("验证码"), max_length=12, widget=forms.TextInput(attrs=_NUMERIC))


class _Files(forms.FileInput):
    """Several files in one box (read with ``request.FILES.getlist``)."""

    allow_multiple_selected = True


class ApplicationForm(Form):
    """人民调解申请书 on the phone: who applies, against whom, what happened, what is asked;
    the mobile proved by a code and the identity number. What makes each value acceptable
    is the service's (portal.applications) — this form only reads the page."""

    committee = forms.ChoiceField(label=_("向哪个调解委员会申请"))
    name = TextField(label=_("姓名"), max_length=100)
    id_number = TextField(label=_("身份证号码"), max_length=18)
    phone = TextField(label=_("手机号码"), max_length=20,
                      widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    code = TextField(label=_("短信验证码"), max_length=6, required=False,
                     widget=forms.TextInput(attrs=_NUMERIC))
    address = TextField(label=_("住所（身份证地址或经常居住地）"), max_length=200)
    side = forms.ChoiceField(label=_("您在纠纷中的地位"), widget=forms.RadioSelect,
                             choices=[("debtor", _("借款人、持卡人等债务人")),
                                      ("creditor", _("向金融机构主张权利的一方"))])
    institution = forms.ChoiceField(label=_("对方金融机构"), required=False)
    other_name = TextField(label=_("不在上面列表中的，请填写对方名称"), max_length=200,
                           required=False)
    dispute_type = forms.ChoiceField(label=_("纠纷类型"))
    amount = AmountField(label=_("争议金额（元，不清楚可不填）"), required=False)
    facts = TextField(label=_("纠纷事实（发生了什么）"), max_length=5000,
                      widget=forms.Textarea(attrs={"rows": 5}))
    requests = TextField(label=_("申请事项（希望怎样解决）"), max_length=5000,
                         widget=forms.Textarea(attrs={"rows": 3}))
    attachments = forms.FileField(label=_("证据材料（扫描件或照片，最多5个，每个不超过10兆）"),
                            required=False,
                            widget=_Files(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
    consent = forms.BooleanField(label=_("我同意通过短信和本平台接收调解文书（电子送达）"),
                                 required=False)
    truthful = forms.BooleanField(label=_("我承诺以上内容真实，知悉调解不收取任何费用"))

    def __init__(self, *args: Any, committees: Any, institutions: Any, types: Any,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["committee"].choices = [("", _("请选择"))] + [(c.pk, c.name) for c in committees]
        fields["institution"].choices = [("", _("请选择（或在下面填写）"))] + [
            (i.pk, i.name) for i in institutions]
        fields["dispute_type"].choices = [("", _("请选择")), *types]
