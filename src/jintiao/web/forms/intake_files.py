"""The upload of a bank's element-table file: the file, for which institution, at which
committee, and whether one bad row stops the whole file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jintiao.orgs.models import Organization
from jintiao.web.forms.base import Form

MODES = [("valid_only", _("只登记校验通过的行（其余行在结果中列明原因）")),
         ("all_or_nothing", _("全部通过才登记（任何一行有误，整份文件都不登记）"))]


class IntakeFileForm(Form):
    file = forms.FileField(label=_("要素表文件"), help_text=_(
        "Excel（.xlsx、.xls）、WPS 表格（.ods）或 CSV（UTF-8 或 GB18030 编码），"
        "首行为模板的表头，每行一件纠纷"))
    institution = forms.ModelChoiceField(label=_("金融机构（债权人）"),
                                         queryset=Organization.objects.none())
    committee = forms.ModelChoiceField(label=_("受理调委会"), queryset=Organization.objects.none(),
                                       help_text=_("“受理调委会”列空白的行由该调委会受理"))
    mode = forms.ChoiceField(label=_("校验未通过的行"), choices=MODES, initial="valid_only",
                             widget=forms.RadioSelect)

    def __init__(self, *args: Any, institutions: QuerySet[Organization],
                 committees: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]
        self.fields["committee"].queryset = committees  # type: ignore[attr-defined]
        for name, rows in (("institution", institutions), ("committee", committees)):
            if len(rows) == 1:
                self.fields[name].initial = rows[0].pk
