"""Choosing a node and a period for the figures, and filtering the ledger."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jintiao.disputes.models import STATE_CHOICES, Channel, DisputeType
from jintiao.domain.errors import DomainError
from jintiao.domain.figures import Outcome, ReportPeriod
from jintiao.domain.spotchecks import CHECKLIST, MAX_PER_COMMITTEE
from jintiao.orgs.models import Organization, OrgKind
from jintiao.orgs.selectors import subtree
from jintiao.web.forms.base import Form


class FiguresForm(Form):
    node = forms.ModelChoiceField(label=_("单位"), queryset=Organization.objects.none(),
                                  required=False, empty_label=None)
    period = forms.CharField(label=_("统计期间"), max_length=10, required=False,
                             help_text=_("如 2026-11（月）、2026-Q4（季度）或 2026（年）"))

    def __init__(self, *args: Any, nodes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes  # type: ignore[attr-defined]

    def clean_period(self) -> ReportPeriod | None:
        text = self.cleaned_data.get("period", "").strip()
        if not text:
            return None
        try:
            return ReportPeriod.parse(text)
        except DomainError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc


def _choices(pairs: Any) -> list[tuple[str, Any]]:
    return [("", _("全部")), *[(str(v), str(label)) for v, label in pairs]]


class LedgerForm(Form):
    state = forms.ChoiceField(label=_("状态"), required=False, choices=_choices(STATE_CHOICES))
    dispute_type = forms.ChoiceField(label=_("纠纷类型"), required=False,
                                     choices=_choices(DisputeType.choices))
    channel = forms.ChoiceField(label=_("来源渠道"), required=False,
                                choices=_choices(Channel.choices))
    outcome = forms.ChoiceField(label=_("结果"), required=False,
                                choices=_choices((o.value, o.label) for o in Outcome))
    committee = forms.ModelChoiceField(label=_("调委会"), required=False,
                                       queryset=Organization.objects.none())
    institution = forms.ModelChoiceField(label=_("金融机构"), required=False,
                                         queryset=Organization.objects.none())
    received_from = forms.DateField(label=_("收案日期自"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    received_to = forms.DateField(label=_("至"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, node: Organization | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        below = subtree(node) if node else Organization.objects.all()
        self.fields["committee"].queryset = (  # type: ignore[attr-defined]
            below.filter(kind=OrgKind.COMMITTEE).order_by("path"))
        self.fields["institution"].queryset = (  # type: ignore[attr-defined]
            Organization.objects.filter(kind__in=[OrgKind.INSTITUTION, OrgKind.BRANCH])
            .order_by("path"))


class SpotCheckDrawForm(Form):
    node = forms.ModelChoiceField(label=_("单位"), queryset=Organization.objects.none(),
                                  empty_label=None)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("季度"), coerce=int,
        choices=[(q, f"第{'一二三四'[q - 1]}季度") for q in range(1, 5)])
    per_committee = forms.IntegerField(label=_("每个调委会抽查件数"), min_value=1,
                                       max_value=MAX_PER_COMMITTEE, initial=5)
    seed = forms.CharField(label=_("随机种子"), max_length=64, required=False,
                           help_text=_("留空则按“单位-年度-季度”生成；同一种子、同一批纠纷抽出的结果相同"))

    def __init__(self, *args: Any, nodes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes  # type: ignore[attr-defined]


class SpotCheckReviewForm(Form):
    findings = forms.CharField(label=_("发现的问题"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in CHECKLIST.items():
            self.fields[key] = forms.TypedChoiceField(
                label=label, choices=[("yes", _("符合")), ("no", _("不符合"))],
                coerce=lambda v: v == "yes", widget=forms.RadioSelect)

    def answers(self) -> dict[str, object]:
        return {k: self.cleaned_data[k] for k in CHECKLIST}
