"""The failure package's form: which element each undisputed fact establishes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from jintiao.web.forms.base import Form


class PackageForm(Form):
    """One choice per undisputed fact (``facts``, in the record's order): the complaint's
    element it establishes (``offered``: key, label), or none. ``ties`` are the current
    ones (fact number → key), shown chosen."""

    def __init__(self, *args: Any, facts: Sequence[str] = (),
                 offered: Sequence[tuple[str, str]] = (), ties: Mapping[int, str] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("（不对应具体要素）")), *offered]
        for n, text in enumerate(facts, 1):
            name = f"fact_{n}"
            self.fields[name] = forms.ChoiceField(
                label=_("第%(n)d条：%(text)s") % {"n": n, "text": text}, choices=choices,
                required=False, initial=(ties or {}).get(n, ""))

    def ties(self) -> dict[int, str]:
        """The choices made, fact number → element key (only those tied)."""
        return {int(name.removeprefix("fact_")): key for name, key in self.cleaned_data.items()
                if name.startswith("fact_") and key}
