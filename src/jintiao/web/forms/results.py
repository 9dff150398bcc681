"""The results file's filter: the day from which a change counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jintiao.domain.errors import DomainError
from jintiao.supervision import selectors
from jintiao.web.forms.base import Form


class ResultsForm(Form):
    changed_since = forms.DateField(label=_("变动日期自"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}),
                                    help_text=_("只列出当日零时（北京时间）以后有变动的纠纷"))

    def __init__(self, *args: Any, now: dt.datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now

    def clean(self) -> dict[str, Any]:
        """``since``: the moment the day names, by the API's rule (none to come)."""
        data = super().clean() or {}
        day = data.get("changed_since")
        try:
            data["since"] = selectors.changed_since_of(day.isoformat() if day else None,
                                                       self.now)
        except DomainError as refused:
            self.add_error("changed_since", refused.message)
        return data
