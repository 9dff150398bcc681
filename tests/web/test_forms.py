"""Every form of the workbench and the portal speaks natural Chinese: each field has a Chinese
label, and what a user sees when a field is wrong names the field in words of ours — never
Django's stock sentences (“确保该值大于或等于1。”, “这个字段是必填项。”) nor an English name
such as “Purpose” (issue 16)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from typing import Any

import pytest
from django import forms
from django.core import validators
from django.utils import translation

import jintiao.web.forms as package
from jintiao.disputes.access import FilingScope
from jintiao.orgs.models import Organization
from jintiao.web.forms.base import Form
from jintiao.web.forms.mediation import PlanForm

CJK = re.compile(r"[\u4e00-\u9fff]")
# Names a Chinese user reads as they are (a file's kind and its encoding).
ALLOWED_LATIN = {"CSV", "UTF"}


def every_form() -> list[type[forms.BaseForm]]:
    found = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found += [cls for _n, cls in inspect.getmembers(module, inspect.isclass)
                  if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__
                  and cls is not Form]
    return found


FORMS = every_form()


def test_the_walk_finds_the_forms():
    names = {cls.__name__ for cls in FORMS}
    assert {"IntakeForm", "PlanForm", "ConsentForm", "SignInForm", "LedgerForm"} <= names
    assert len(FORMS) > 50


@pytest.mark.parametrize("cls", FORMS, ids=lambda c: f"{c.__module__.rsplit('.', 1)[1]}."
                                                    f"{c.__name__}")
def test_every_form_speaks_naturally_and_labels_every_field_in_chinese(cls):
    assert issubclass(cls, Form), f"{cls.__name__} should subclass jintiao.web.forms.base.Form"
    for name, field in cls.base_fields.items():
        label = str(field.label or "")
        assert CJK.search(label), f"{cls.__name__}.{name} has no Chinese label"
        latin = set(re.findall(r"[A-Za-z]+", label)) - ALLOWED_LATIN
        assert not latin, f"{cls.__name__}.{name}: {label}"


def stock_sentences() -> set[str]:
    """Django's own messages in Chinese, up to their first parameter."""
    texts: list[Any] = []
    for klass in vars(forms.fields).values():
        if isinstance(klass, type) and issubclass(klass, forms.Field):
            texts += getattr(klass, "default_error_messages", {}).values()
    for name in ("MinValueValidator", "MaxValueValidator", "MinLengthValidator",
                 "MaxLengthValidator", "StepValueValidator", "ProhibitNullCharactersValidator",
                 "EmailValidator", "URLValidator", "RegexValidator"):
        texts.append(getattr(validators, name).message)
    texts += validators.DecimalValidator.messages.values()
    with translation.override("zh-hans"):
        heads = {str(t).split("%(")[0].strip() for t in texts}
    return {h for h in heads if len(h) >= 4}


STOCK = stock_sentences()


def make(cls: type[forms.BaseForm], data: dict[str, Any] | None, files: Any = None):
    """Bind ``cls`` with whatever its constructor asks for (choices, querysets, scopes)."""
    none = Organization.objects.none()
    kwargs: dict[str, Any] = {}
    for name, param in inspect.signature(cls.__init__).parameters.items():
        if param.kind is not param.KEYWORD_ONLY or param.default is not param.empty:
            continue
        kwargs[name] = {"committees": none, "institutions": none, "nodes": none, "node": None,
                        "options": FilingScope(none, none, none, institution_required=False),
                        "subjects": [("notice", "告知书")]}.get(name, [(1, "甲")])
    return cls(data, files, **kwargs)


def mistakes(form: forms.BaseForm) -> list[str]:
    form.is_valid()
    return [str(e) for errors in form.errors.values() for e in errors]


def junk(cls: type[forms.BaseForm], value: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, field in cls.base_fields.items():
        many = isinstance(field, forms.MultipleChoiceField)
        data[name] = [value] if many else value
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("cls", FORMS, ids=lambda c: f"{c.__module__.rsplit('.', 1)[1]}."
                                                    f"{c.__name__}")
def test_no_mistake_is_said_in_djangos_stock_words(cls):
    said: list[str] = []
    for data in ({}, junk(cls, "x\x00"), junk(cls, "0"), junk(cls, "-5"),
                 junk(cls, "9" * 30), junk(cls, "字" * 6000)):
        said += mistakes(make(cls, data))
    for message in said:
        stock = [s for s in STOCK if s in message]
        assert not stock, f"{cls.__name__}: {message!r} is Django's {stock}"
        assert CJK.search(message), f"{cls.__name__}: {message!r}"


def test_a_number_out_of_range_says_which_field_and_the_limit():
    form = PlanForm({"p0-method": "flat", "p0-periods": "0", "p0-first_due": "2027-01-20",
                     "p0-label": "方案"}, prefix="p0")
    assert not form.is_valid()
    assert form.errors["periods"] == ["期数不能小于1"]
    form = PlanForm({"p0-method": "flat", "p0-periods": "", "p0-first_due": "明天",
                     "p0-label": "方案"}, prefix="p0")
    assert not form.is_valid()
    assert form.errors["periods"] == ["请填写期数"]
    assert form.errors["first_due"] == ["首期还款日须为日期，例如 2026-01-31"]


def test_a_label_with_a_percent_sign_does_not_break_the_sentence():
    class Rate(Form):
        share = forms.IntegerField(label="比例（%）", max_value=100)

    form = Rate({"share": "101"})
    assert not form.is_valid()
    assert form.errors["share"] == ["比例（％）不能大于100"]


def test_a_text_too_long_says_how_long_it_may_be():
    form = PlanForm({"p0-method": "flat", "p0-periods": "12", "p0-first_due": "2027-01-20",
                     "p0-label": "字" * 500}, prefix="p0")
    assert not form.is_valid()
    assert form.errors["label"] == ["方案名称最多100个字，现在是500个"]


def test_a_message_the_forms_author_wrote_is_kept():
    from jintiao.web.forms.loop import SignForm

    form = SignForm({"signer": "x", "code": "12ab"})
    assert not form.is_valid()
    assert form.errors["code"] == ["验证码为6位数字"]
