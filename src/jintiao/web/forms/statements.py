"""Forms of a party's signed statements: the 送达地址确认书 and the joint application."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jintiao.web.forms.base import Form
from jintiao.web.forms.disputes import TextField


class AddressForm(Form):
    """送达地址确认书: where paper goes, who may receive it, electronic service."""

    postal_address = TextField(label=_("送达地址"), max_length=300,
                               help_text=_("邮寄或直接送达文书的地址，请写到门牌号"))
    recipient = TextField(label=_("代收人（可不填）"), required=False, max_length=100)
    email = forms.CharField(label=_("电子邮箱（可不填）"), required=False, max_length=254)
    e_service = forms.BooleanField(
        label=_("同意以短信、电子邮件或当事人端电子送达，到达即视为送达"), required=False)


class ApplicantForm(Form):
    """One applicant and the court the application goes to."""

    row = forms.IntegerField(label=_("申请人"), min_value=1, widget=forms.HiddenInput)
    court = forms.IntegerField(label=_("申请法院"), min_value=1, widget=forms.HiddenInput)


class DeskAddressForm(AddressForm):
    row = forms.IntegerField(label=_("当事人"), min_value=1, widget=forms.HiddenInput)


class StatementCodeForm(Form):
    code = forms.RegexField(label=_("验证码"), regex=r"^\s*\d{6}\s*$", max_length=12,
                            error_messages={"invalid": _("验证码为6位数字")},
                            widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                          "autocomplete": "one-time-code"}))
