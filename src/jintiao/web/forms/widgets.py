"""Widgets that render what Django's do, faster where a page renders many of them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict[str, Any]) -> str:
    """As django/forms/widgets/attrs.html writes them: ``True`` bare, ``False`` left out."""
    return "".join(format_html(" {}", name) if value is True else
                   format_html(' {}="{}"', name, str(value))
                   for name, value in attrs.items() if value is not False)


class QuickSelect(forms.Select):
    """Django's ``Select``, its markup written in Python: exactly what
    django/forms/widgets/select.html and select_option.html make (a test holds the two
    equal), without the template engine including one template per option — which cost a
    supervisor's dispute list, with a filter of every committee and institution they see,
    a tenth of its time (bench/bench_load.py)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"', widget["name"]), _attrs(widget["attrs"]), ">"]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in options:
                parts.append(format_html('\n  <option value="{}"', str(option["value"])))
                # select_option.html ends in a newline, which its include keeps
                parts += [_attrs(option["attrs"]),
                          format_html(">{}</option>\n", option["label"])]
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part escaped by format_html
