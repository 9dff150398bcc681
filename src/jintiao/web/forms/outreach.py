"""Forms of the desk's outreach page: a contact, a text from a template, a service, an
alternate contact; and the committee's templates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jintiao.domain.outreach import (
    PLACEHOLDERS,
    ContactChannel,
    ContactOutcome,
    ServiceChannel,
    ServiceResult,
)
from jintiao.outreach.models import AlternateContact, MessageTemplate
from jintiao.web.forms.base import Form, version_field
from jintiao.web.forms.disputes import TextField

# The log records calls, visits and letters; texts go through templates, service through
# the service form.
LOGGED = [(c.value, c.label) for c in ContactChannel if c is not ContactChannel.SMS]
SERVED_BY = [(c.value, c.label) for c in ServiceChannel
             if c is not ServiceChannel.PORTAL]
PAPER_RESULTS = [(r.value, r.label) for r in (ServiceResult.SIGNED, ServiceResult.LEFT,
                                              ServiceResult.SENT, ServiceResult.FAILED)]


def _offer(form: forms.Form, name: str, choices: Sequence[tuple[Any, Any]]) -> None:
    field: Any = form.fields[name]
    field.choices = choices


class ContactForm(Form):
    party = forms.TypedChoiceField(label=_("当事人"), coerce=int)
    channel = forms.ChoiceField(label=_("方式"), choices=LOGGED)
    outcome = forms.ChoiceField(label=_("结果"), choices=[(o.value, o.label)
                                                          for o in ContactOutcome])
    inbound = forms.BooleanField(label=_("当事人主动来电或来访"), required=False)
    to = TextField(label=_("联系对象（号码后四位或地点）"), max_length=60, required=False)
    note = TextField(label=_("情况记录"), max_length=500, required=False,
                     widget=forms.Textarea(attrs={"rows": 2}))
    at = forms.DateTimeField(label=_("补记发生时间（不填为现在）"), required=False,
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args: Any, parties: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, "party", parties)


class TextForm(Form):
    party = forms.TypedChoiceField(label=_("当事人"), coerce=int)
    template = forms.TypedChoiceField(label=_("短信模板（已审核）"), coerce=int)
    contact = forms.TypedChoiceField(label=_("发送至"), coerce=int, required=False,
                                     empty_value=None)

    def __init__(self, *args: Any, parties: list[tuple[int, str]],
                 templates: list[tuple[int, str]], numbers: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, "party", parties)
        _offer(self, "template", templates)
        _offer(self, "contact", [("", _("登记的手机号码")), *numbers])


class ServeForm(Form):
    subject = forms.ChoiceField(label=_("送达内容"))
    party = forms.TypedChoiceField(label=_("受送达人"), coerce=int)
    channel = forms.ChoiceField(label=_("送达方式"), choices=SERVED_BY)
    result = forms.ChoiceField(label=_("结果（短信、邮件以外）"), choices=PAPER_RESULTS,
                               required=False)
    address = TextField(label=_("送达地址（直接、邮寄、委托送达）"), max_length=120, required=False)
    evidence = TextField(label=_("送达凭证（签收人、回执号、见证人）"), max_length=300,
                         required=False)

    def __init__(self, *args: Any, parties: list[tuple[int, str]],
                 subjects: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, "party", parties)
        _offer(self, "subject", subjects)


class AlternateForm(Form):
    party = forms.TypedChoiceField(label=_("当事人"), coerce=int)
    kind = forms.ChoiceField(label=_("类别"), choices=AlternateContact.Kind.choices)
    value = TextField(label=_("号码、邮箱或地址"), max_length=200)
    source = forms.ChoiceField(label=_("来源"), choices=AlternateContact.Source.choices)
    note = TextField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, parties: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, "party", parties)


class UnreachableForm(Form):
    party = forms.IntegerField(label=_("当事人"), min_value=1, max_value=2**53,
                               widget=forms.HiddenInput)
    expected_version = version_field()


class RetireForm(Form):
    reason = TextField(label=_("停用理由"), max_length=200)


class TemplateForm(Form):
    committee = forms.TypedChoiceField(label=_("调委会"), coerce=int)
    name = TextField(label=_("名称"), max_length=60)
    purpose = forms.ChoiceField(label=_("用途"), choices=MessageTemplate.Purpose.choices)
    body = TextField(label=_("正文"), max_length=200, widget=forms.Textarea(attrs={"rows": 3}),
                     help_text=_("可用填充项：") + "、".join("{" + k + "}" for k in PLACEHOLDERS)
                     + _("。短信开头自动加调委会名称，末尾自动加核验码。"))

    def __init__(self, *args: Any, committees: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, "committee", committees)


class ReportForm(Form):
    since = forms.DateField(label=_("自"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("至"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and not dt.timedelta(0) <= until - since <= dt.timedelta(days=366):
            raise forms.ValidationError(_("期间须在一年之内，且结束不早于开始"))
        return data
