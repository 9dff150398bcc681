"""The request for a party's full number (which numbers, why) and the supervisors' period
for the list of who saw whose data."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jintiao.domain.disclosure import FIELDS, NOTE_MAX, NOTE_MIN, REASONS
from jintiao.web.forms.base import Form
from jintiao.web.forms.outreach import ReportForm


class RevealForm(Form):
    """What the service checks again (jintiao.domain.disclosure): the form only says it
    before the request is sent."""

    what = forms.MultipleChoiceField(
        label=_("查看内容"), choices=list(FIELDS.items()), widget=forms.CheckboxSelectMultiple)
    reason = forms.ChoiceField(label=_("查看理由"),
                               choices=[("", "——请选择——"), *REASONS.items()])
    note = forms.CharField(
        label=_("具体说明"), min_length=NOTE_MIN, max_length=NOTE_MAX,
        help_text=_("如：第二次调解前核对身份证原件。请勿在此填写任何号码。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}))


class AccessPeriodForm(ReportForm):
    """From and to (within a year) for the list of who saw whose personal data."""
