"""What every workbench and portal form shares: mistakes said in natural Chinese, naming the
field, instead of Django's stock sentences (“确保该值大于或等于1。”, “这个字段是必填项。”).

Forms subclass :class:`Form`; its fields get the messages of :func:`natural_messages` unless
the form's author wrote one of their own. A test keeps every form of ``jintiao.web.forms`` on
this base and every field labelled in Chinese, so a message always names its field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

# {label} is the field's label; %(…)s the parameters Django passes with the code.
REQUIRED = "请填写{label}"
CHOOSE = "请选择{label}"
MESSAGES: dict[str, str] = {
    "required": REQUIRED,
    "invalid": "{label}的格式不正确",
    "invalid_choice": "所选的{label}不在可选范围内，请重新选择",
    "invalid_pk_value": "所选的{label}不在可选范围内，请重新选择",
    "invalid_list": CHOOSE,
    "min_value": "{label}不能小于%(limit_value)s",
    "max_value": "{label}不能大于%(limit_value)s",
    "step_size": "{label}须为%(limit_value)s的整数倍",
    "min_length": "{label}至少要写%(limit_value)d个字",
    "max_length": "{label}最多%(limit_value)d个字，现在是%(show_value)d个",
    "max_digits": "{label}的位数太多，最多%(max)s位",
    "max_decimal_places": "{label}最多保留%(max)s位小数",
    "max_whole_digits": "{label}的整数部分最多%(max)s位",
    "null_characters": "{label}含有无效字符",
    "null_characters_not_allowed": "{label}含有无效字符",
    "incomplete": "{label}未填写完整",
}
# Codes whose sentence depends on what kind of field it is.
BY_KIND: dict[type[forms.Field], dict[str, str]] = {
    forms.BooleanField: {"required": "请勾选“{label}”"},
    forms.ChoiceField: {"required": CHOOSE},
    forms.ModelChoiceField: {"required": CHOOSE},
    forms.IntegerField: {"invalid": "{label}须为整数"},
    forms.DecimalField: {"invalid": "{label}须为数字"},
    forms.FloatField: {"invalid": "{label}须为数字"},
    forms.DateField: {"invalid": "{label}须为日期，例如 2026-01-31"},
    forms.DateTimeField: {"invalid": "{label}须为日期和时间，例如 2026-01-31 09:30"},
    forms.EmailField: {"invalid": "{label}不是有效的电子邮箱地址"},
    forms.URLField: {"invalid": "{label}不是有效的网址"},
    forms.FileField: {
        "required": "请选择要上传的{label}",
        "invalid": "没有收到{label}，请重新选择文件后上传",
        "missing": "没有收到{label}，请重新选择文件后上传",
        "empty": "上传的{label}是空文件",
        "max_length": "{label}的文件名太长",
        "contradiction": "请选择新的{label}或勾选清除，不能同时进行",
    },
}


# Stock messages Django raises itself rather than through the field's messages (a choice of
# a record checks for NUL characters before looking it up): said again on cleaning.
RAISED_DIRECTLY = frozenset({"null_characters_not_allowed"})


def _label(field: forms.Field) -> str:
    # a label like “年利率（%）” must not read as a format directive when Django fills in
    # the parameters: the full-width sign reads the same
    return str(field.label or "此项").replace("%", "％")


def _defaults(field: forms.Field) -> dict[str, Any]:
    """Django's own messages for the field's class (what the author did not change)."""
    found: dict[str, Any] = {}
    for klass in reversed(type(field).__mro__):
        found.update(getattr(klass, "default_error_messages", {}))
    return found


def natural_messages(field: forms.Field) -> dict[str, str]:
    """The messages ``field`` should say, in words that name it."""
    chosen = dict(MESSAGES)
    for kind, messages in BY_KIND.items():  # the most specific kind last
        if isinstance(field, kind):
            chosen.update(messages)
    label = _label(field)
    return {code: text.format(label=label) for code, text in chosen.items()}


def speak_naturally(fields: dict[str, forms.Field]) -> None:
    """Give each field its natural messages, keeping any its form's author wrote."""
    for field in fields.values():
        stock = _defaults(field)
        own = {code: text for code, text in field.error_messages.items()
               if code not in stock or text is not stock[code]}
        field.error_messages = {**natural_messages(field), **own}


STALE = "页面已过期，请刷新后重试"


def version_field(*, hidden: bool = True) -> forms.IntegerField:
    """The version of the dispute the page was drawn from (a stale one is refused by the
    service); a missing or tampered one is a page to draw again."""
    return forms.IntegerField(
        label="页面版本", min_value=1, max_value=2**31,
        widget=forms.HiddenInput if hidden else forms.NumberInput,
        error_messages=dict.fromkeys(("required", "invalid", "min_value", "max_value"), STALE))


class Form(forms.Form):
    """A form whose mistakes are said in natural Chinese, each naming its field (fields a
    form adds or relabels in its ``__init__`` included: the messages are set on cleaning)."""

    def full_clean(self) -> None:
        speak_naturally(self.fields)
        super().full_clean()
        for name, errors in self.errors.items():
            field = self.fields.get(name)
            if field is None:
                continue
            for n, error in enumerate(errors.data):
                code = getattr(error, "code", None)
                if code in RAISED_DIRECTLY:
                    errors.data[n] = ValidationError(field.error_messages[code], code=code)
