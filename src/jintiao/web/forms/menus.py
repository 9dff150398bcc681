"""The form an approver publishes an institution's standard plan menu with: one row per
line, rates and the waiver's share typed in percent as people say them (``50`` for half),
turned into the fractions the service takes here — the service never sees a percentage."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jintiao.domain.claims import CLAIM_PART_LABELS
from jintiao.domain.errors import DomainError
from jintiao.domain.identity import validate_name
from jintiao.domain.plans import WAIVER_ORDER
from jintiao.domain.plans import MenuItem as PlanMenuItem
from jintiao.domain.schedules import MAX_PERIODS, METHOD_LABELS, Method
from jintiao.mediation.models import MenuItem
from jintiao.mediation.services import MAX_MENU_ITEMS
from jintiao.web.forms.base import STALE, Form
from jintiao.web.forms.disputes import TextField
from jintiao.web.forms.mediation import HUNDRED, PercentField

NO_LINES = _("请至少填写一项标准还款方案")
PART_CHOICES = [(p, CLAIM_PART_LABELS[p]) for p in WAIVER_ORDER]
# what makes a row one the approver filled in (the method, the ticks and the box have
# defaults, so a row with nothing typed is a row left empty)
TYPED = ("label", "periods", "annual_rate", "charge_waiver_ratio")


def percent(ratio: Decimal) -> str:
    """A fraction as the percent people type: 0.5 → ``50``, 0.0435 → ``4.35``."""
    return f"{(ratio * HUNDRED).normalize():f}"


class SharePercentField(forms.Field):
    """A share of what is owed typed in percent (``50`` or ``50%``), kept as a fraction of
    at most four places, as the menu stores it."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "class": "rate", "size": "5"})

    def to_python(self, value: Any) -> Decimal | None:
        text = str(value or "").strip().rstrip("%％").strip()
        if not text:
            return None
        try:
            share = Decimal(text)
        except InvalidOperation:
            raise ValidationError(_("%(label)s须为数字，例如 50 表示一半")
                                  % {"label": self.label}, code="share_invalid") from None
        if not share.is_finite() or not 0 <= share <= 100:
            raise ValidationError(_("%(label)s应在0到100之间") % {"label": self.label},
                                  code="share_invalid")
        if share != share.quantize(Decimal("0.01")):
            raise ValidationError(_("%(label)s最多保留两位小数") % {"label": self.label},
                                  code="share_invalid")
        return share / HUNDRED


def _plain_label(text: str) -> None:
    """A line's name is sent to debtors (the portal, texts) and printed in plans: plain
    words, no markup and nothing invisible."""
    if "<" in text or ">" in text:
        raise ValidationError(_("名称不能含有“<”或“>”，请只写文字、数字和标点"),
                              code="label_markup")
    try:
        validate_name(text, label="名称")
    except DomainError as exc:
        raise ValidationError(exc.message, code=str(exc.code)) from None


class MenuLineForm(Form):
    """One line of the menu, e.g. 24期免息，罚息减半（违约恢复）: 24 periods, waiver 50 % of the
    penalty interest, conditional."""

    label = TextField(label=_("名称"), max_length=100, validators=[_plain_label])
    periods = forms.IntegerField(label=_("期数"), min_value=1, max_value=MAX_PERIODS)
    method = forms.ChoiceField(label=_("还款方式"), initial=Method.FLAT.value,
                               choices=[(m.value, METHOD_LABELS[m]) for m in Method])
    annual_rate = PercentField(label=_("年利率（%）"), required=False)
    charge_waiver_ratio = SharePercentField(label=_("减免比例（%）"), required=False)
    waiver_parts = forms.MultipleChoiceField(
        label=_("减免项目"), choices=PART_CHOICES, required=False,
        initial=list(WAIVER_ORDER), widget=forms.CheckboxSelectMultiple)
    conditional = forms.BooleanField(label=_("附条件（违约恢复）"), required=False,
                                     initial=True)

    def has_changed(self) -> bool:
        """Whether anything was typed into the row (an untouched row is no line)."""
        return any(str(self.data.get(self.add_prefix(name), "")).strip() for name in TYPED)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("charge_waiver_ratio") and not data.get("waiver_parts"):
            self.add_error("waiver_parts", _("有减免比例时请勾选减免项目"))
        if self.errors:
            return data
        try:  # the line's own rule, said next to its field
            self._item = PlanMenuItem(
                data["label"], data["periods"], Method(data["method"]),
                data.get("annual_rate") or Decimal(0),
                data.get("charge_waiver_ratio") or Decimal(0), bool(data.get("conditional")),
                tuple(data.get("waiver_parts") or WAIVER_ORDER))
        except DomainError as exc:
            field = exc.details.get("field")
            self.add_error(field if field in self.fields else None, exc.message)
        return data

    def item(self) -> PlanMenuItem:
        """The line as the service takes it (after :meth:`is_valid`); with no ratio and no
        part ticked it names every charge, as a menu line does by default."""
        return self._item


class MenuFormSet(forms.BaseFormSet[MenuLineForm]):
    """Up to :data:`MAX_MENU_ITEMS` rows; every row may stay empty, at least one must not
    (the service checks the count again)."""

    default_error_messages = {
        "missing_management_form": STALE,
        "too_many_forms": _("标准还款方案最多%(num)d项"),
        "too_few_forms": NO_LINES,
    }

    def initial_form_count(self) -> int:
        return 0  # the current lines are where to start from, not rows that must be kept

    def clean(self) -> None:
        if any(self.errors) or not self.management_form.is_valid():
            return  # said already, and a refusal here would replace what was said
        if not self.filled():
            raise ValidationError(NO_LINES, code="too_few_forms")

    def filled(self) -> list[MenuLineForm]:
        """The rows typed into, in order: the menu's lines."""
        return [f for f in self.forms if f.cleaned_data]

    def items(self) -> list[PlanMenuItem]:
        return [f.item() for f in self.filled()]


MenuRows = forms.formset_factory(MenuLineForm, formset=MenuFormSet, extra=MAX_MENU_ITEMS,
                                 max_num=MAX_MENU_ITEMS, validate_max=True,
                                 absolute_max=MAX_MENU_ITEMS)


def _initial(item: MenuItem) -> dict[str, Any]:
    return {"label": item.label, "periods": item.periods, "method": item.method,
            "annual_rate": percent(item.annual_rate) if item.annual_rate else "",
            "charge_waiver_ratio": (percent(item.charge_waiver_ratio)
                                    if item.charge_waiver_ratio else ""),
            # a line that waives nothing shows no part ticked and no condition
            "waiver_parts": list(item.waiver_parts) if item.charge_waiver_ratio else [],
            "conditional": item.conditional if item.charge_waiver_ratio else False}


def menu_rows(data: Any = None, *, current: list[MenuItem] | None = None) -> MenuFormSet:
    """The menu's rows: bound to ``data`` when posted, else starting from ``current``."""
    rows = MenuRows(data, prefix="menu", initial=[_initial(m) for m in current or []])
    assert isinstance(rows, MenuFormSet)  # noqa: S101 - formset_factory's own class
    return rows
