"""The director's search of the mediator list."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jintiao.web.forms.base import Form
from jintiao.web.forms.disputes import TextField


class CandidateSearchForm(Form):
    """Words to look for in a mediator's name, organisation or expertise."""

    q = TextField(label=_("查找调解员"), required=False, max_length=100,
                  help_text=_("姓名、所在单位或擅长的纠纷类型，多个词用空格分开"),
                  widget=forms.TextInput(attrs={"type": "search"}))
