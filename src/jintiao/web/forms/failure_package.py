"""The failure package's form: which element each undisputed fact establishes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from jintiao.web.forms.base import Form
from jintiao.web.forms.disputes import TextField


class PackageForm(Form):
    """One choice per undisputed fact (``facts``, in the record's order): the complaint's
    element it establishes (``offered``: key, label), or none. ``ties`` are the current
    ones (fact number → key), shown chosen. Then, for each evidence file shared in the
    sessions (``evidence``: id, name), what it proves (``notes``: the current words)."""

    def __init__(self, *args: Any, facts: Sequence[str] = (),
                 offered: Sequence[tuple[str, str]] = (), ties: Mapping[int, str] | None = None,
                 evidence: Sequence[tuple[int, str]] = (),
                 notes: Mapping[int, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("（不对应具体要素）")), *offered]
        for n, text in enumerate(facts, 1):
            name = f"fact_{n}"
            self.fields[name] = forms.ChoiceField(
                label=_("第%(n)d条：%(text)s") % {"n": n, "text": text}, choices=choices,
                required=False, initial=(ties or {}).get(n, ""))
        for pk, name in evidence:
            self.fields[f"proves_{pk}"] = TextField(
                label=_("《%(name)s》的证明事项") % {"name": name}, max_length=200,
                required=False, initial=(notes or {}).get(pk, ""),
                help_text=_("留空的，由原告在证据目录中填写"))

    def notes(self) -> dict[int, str]:
        """What each shared evidence file proves, by its id (blank ones too: cleared)."""
        return {int(name.removeprefix("proves_")): text
                for name, text in self.cleaned_data.items() if name.startswith("proves_")}

    def ties(self) -> dict[int, str]:
        """The choices made, fact number → element key (only those tied)."""
        return {int(name.removeprefix("fact_")): key for name, key in self.cleaned_data.items()
                if name.startswith("fact_") and key}
