"""The form an administrator publishes a new version of a node's rules with (issue 21 §5):
every rule value — a limit as a number and a unit, a rate in percent as people say it, an
amount in yuan, a count — each beside its legal source, and the version's validity dates.

The form only reads what was typed: a value is handed to the service as entered (a percent
turned into the fraction the policy stores), and whether it is in its domain is the
domain's to say (:func:`jintiao.domain.policy.revise`), with its code and the field named.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jintiao.domain.periods import Unit
from jintiao.domain.policy import (
    CHOICES,
    EDITABLE,
    FIELD_LABELS,
    Kind,
    Policy,
    kind_of,
    percent_text,
    typed_number,
)
from jintiao.web.forms.base import Form
from jintiao.web.forms.disputes import TextField, date_field

# The rules in the groups an administrator thinks in; any rule not named falls in the last.
GROUPS: list[tuple[str, list[str]]] = [
    ("调解期限", ["mediation_fast_limit", "mediation_simple_limit", "mediation_ordinary_limit",
              "mediation_evaluation_limit", "court_delegated_mediation_limit",
              "extension_limit", "max_extensions", "assignment_limit", "max_mediators",
              "deadline_warning_lead"]),
    ("法院与司法确认", ["fast_track_limit", "confirmation_application_limit",
                 "court_acceptance_limit", "court_decision_limit", "court_decision_extension",
                 "special_procedure_limit", "objection_limit", "third_party_objection_limit",
                 "enforcement_application_limit"]),
    ("金额、费用与比例", ["annual_cost_cap", "small_claim_threshold", "late_performance_daily_rate",
                  "max_debt_service_ratio", "lawyer_fee_rate", "lawyer_fee_minimum",
                  "fee_quantum", "stack_fee_halvings", "living_minimum_monthly",
                  "minimum_wage_monthly", "plan_discount_rate"]),
    ("履行、回访与征信修复", ["acceleration_missed_instalments", "reminder_lead",
                    "follow_up_interval_months", "credit_repair_limit"]),
    ("纾困暂停与联合调解", ["hardship_pause_limit", "max_hardship_pauses", "joint_share_rule"]),
    ("中立评估与背靠背报价", ["evaluation_threshold", "expected_litigation_months",
                    "expected_enforcement_months", "expected_recovery_rate",
                    "blind_offer_rounds", "blind_offer_step_ratio"]),
    ("联系当事人与送达", ["contact_max_per_day", "contact_max_per_week", "contact_day_starts_hour",
                  "contact_day_ends_hour", "unreachable_failed_attempts", "unreachable_days",
                  "electronic_service_counts_on"]),
]
_named = {name for _title, names in GROUPS for name in names}
GROUPS.append(("其他", [n for n in EDITABLE if n not in _named]))

UNIT_CHOICES = [(u.value, u.label.lstrip("个")) for u in Unit]
FLAG_CHOICES = [("false", "否"), ("true", "是")]
SUFFIX = {Kind.RATE: "%", Kind.AMOUNT: "元", Kind.QUANTUM: "元", Kind.HOUR: "时"}


_typed = typed_number  # a whole number as a number; the domain refuses a word in words


def _fraction(text: str) -> str:
    """A percent as typed (``24``, ``24%``) as the fraction the policy stores (``0.24``);
    what is no number is passed on for the domain to refuse."""
    plain = text.strip().rstrip("%％").strip()
    try:
        return f"{(Decimal(plain) / 100).normalize():f}"
    except ArithmeticError:  # no number, or none a rate could be: the domain says so
        return plain


class PolicyVersionForm(Form):
    """A new version of a node's rules: its name, its validity dates, the document that
    adopts it and, added per rule, the value and its source."""

    name = TextField(label=_("版本名称"), max_length=100,
                     help_text=_("例如：黔东南州金融纠纷调解规则（2027年版）"))
    valid_from = date_field(_("生效日期"))
    valid_to = date_field(_("失效日期（选填，不含当日）"), required=False)
    source = TextField(label=_("发布依据（文件名称及文号，选填）"), max_length=500, required=False,
                       widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in EDITABLE:
            label = FIELD_LABELS[name]
            kind = kind_of(name)
            if kind is Kind.LIMIT:
                self.fields[f"{name}__amount"] = TextField(
                    label=label, max_length=12,
                    widget=forms.TextInput(attrs={"inputmode": "numeric", "size": "4"}))
                self.fields[f"{name}__unit"] = TextField(
                    label=_("%(label)s的单位") % {"label": label}, max_length=20,
                    widget=forms.Select(choices=UNIT_CHOICES))
            elif kind is Kind.FLAG:
                self.fields[name] = forms.ChoiceField(label=label, choices=FLAG_CHOICES)
            elif kind is Kind.CHOICE:
                self.fields[name] = TextField(
                    label=label, max_length=20,
                    widget=forms.Select(choices=list(CHOICES[name].items())))
            else:
                self.fields[name] = TextField(
                    label=label, max_length=30,
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "10"}))
            self.fields[f"{name}__source"] = TextField(
                label=_("%(label)s的依据") % {"label": label}, max_length=300, required=False,
                widget=forms.TextInput(attrs={"size": "40"}))

    @staticmethod
    def initial_from(policy: Policy, sources: dict[str, str]) -> dict[str, Any]:
        """The form filled with ``policy``'s values and ``sources`` (the version in force)."""
        initial: dict[str, Any] = {"name": policy.name}
        for name in EDITABLE:
            value = getattr(policy, name)
            kind = kind_of(name)
            if kind is Kind.LIMIT:
                initial[f"{name}__amount"] = value.amount
                initial[f"{name}__unit"] = value.unit.value
            elif kind is Kind.RATE:
                initial[name] = percent_text(value)
            elif kind is Kind.FLAG:
                initial[name] = "true" if value else "false"
            else:
                initial[name] = str(value)
            initial[f"{name}__source"] = sources.get(name, "")
        return initial

    def values(self) -> dict[str, Any]:
        """Every rule as entered, in the form :meth:`Policy.to_dict` stores."""
        data = self.cleaned_data
        out: dict[str, Any] = {}
        for name in EDITABLE:
            kind = kind_of(name)
            if kind is Kind.LIMIT:
                out[name] = {"amount": _typed(data[f"{name}__amount"]),
                             "unit": data[f"{name}__unit"]}
            elif kind is Kind.RATE:
                out[name] = _fraction(data[name])
            elif kind in (Kind.AMOUNT, Kind.QUANTUM):
                out[name] = data[name].replace(",", "").replace("，", "").rstrip("元").strip()
            elif kind in (Kind.COUNT, Kind.HOUR):
                out[name] = _typed(data[name])
            elif kind is Kind.FLAG:
                out[name] = data[name] == "true"
            else:
                out[name] = data[name]
        return out

    def sources(self) -> dict[str, str]:
        return {name: self.cleaned_data[f"{name}__source"] for name in EDITABLE}

    def groups(self) -> list[dict[str, Any]]:
        """The rows of the form by group: each rule's fields and its source's."""
        return [{"title": title, "rows": [self._row(n) for n in names]}
                for title, names in GROUPS if names]

    def _row(self, name: str) -> dict[str, Any]:
        kind = kind_of(name)
        if kind is Kind.LIMIT:
            inputs = [self[f"{name}__amount"], self[f"{name}__unit"]]
        else:
            inputs = [self[name]]
        return {"name": name, "label": FIELD_LABELS[name], "inputs": inputs,
                "suffix": SUFFIX.get(kind, ""), "source": self[f"{name}__source"]}


class WithdrawForm(Form):
    """Why a version is withdrawn before it takes effect (kept with it)."""

    reason = TextField(label=_("撤回理由"), max_length=200)
