"""Workbench forms: they parse at the edge (dates, amounts as people type them, choices) and
say so in Chinese, field by field.

The rules of what may be filed (identity numbers, names, dates, the claim, the court, the
parties) are the services' alone: the views show a service's refusal next to the field its
details name, so the page and the API give the same answer.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jintiao import clock
from jintiao.disputes.access import FilingScope
from jintiao.disputes.models import STATE_CHOICES, TRACK_CHOICES, Channel, DisputeType, PartyRole
from jintiao.disputes.selectors import SORTS, sort_of
from jintiao.disputes.services import SCAN_MAX_BYTES
from jintiao.domain.claims import CLAIM_PART_LABELS
from jintiao.domain.errors import DomainError
from jintiao.domain.lifecycle import Action
from jintiao.domain.money import parse_amount
from jintiao.domain.particulars import ETHNICITIES, SEXES, IdType, RepRole
from jintiao.domain.representation import Authority, Relation
from jintiao.orgs.models import Organization
from jintiao.parties.models import PartyKind
from jintiao.parties.services import PARTICULARS
from jintiao.web.forms.base import Form, version_field
from jintiao.web.forms.widgets import QuickSelect

# The database holds 18 digits with 2 places; anything larger is a typing mistake.
AMOUNT_LIMIT = Decimal(10) ** 16


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise forms.ValidationError(_("含有无效字符"), code="invalid")
    return value


class TextField(forms.CharField):
    """Text whose NUL characters (which PostgreSQL cannot store) get a plain Chinese error."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [
            *(v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)),
            ProhibitNullCharactersValidator(message=_("含有无效字符"), code="null_characters"),
            RegexValidator(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]", inverse_match=True,
                           message=_("含有无法打印的控制字符"), code="control_characters"),
        ]


class OrgChoiceField(forms.ModelChoiceField[Organization]):
    """Organisations by name only: the list is already the user's own choices."""

    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


class SortField(forms.ChoiceField):
    """The order to read a list in: an unknown one is no mistake of the user's, the list's
    own order applies (``disputes.selectors.sort_of``), and the other filters still do."""

    def clean(self, value: Any) -> str:
        return sort_of(value if isinstance(value, str) else None)


class DisputeFilterForm(Form):
    """The list's filters; the same names as the API's query parameters. Its menus are
    :class:`QuickSelect`: every list page renders them, with every committee and
    institution the viewer sees."""

    state = forms.ChoiceField(label=_("状态"), required=False, widget=QuickSelect,
                              choices=[("", _("全部状态")), *STATE_CHOICES])
    dispute_type = forms.ChoiceField(label=_("类型"), required=False, widget=QuickSelect,
                                     choices=[("", _("全部类型")), *DisputeType.choices])
    channel = forms.ChoiceField(label=_("来源"), required=False, widget=QuickSelect,
                                choices=[("", _("全部来源")), *Channel.choices])
    committee = OrgChoiceField(label=_("调委会"), required=False, widget=QuickSelect,
                               queryset=Organization.objects.none(), empty_label=_("全部调委会"))
    institution = OrgChoiceField(label=_("金融机构"), required=False, widget=QuickSelect,
                                 queryset=Organization.objects.none(),
                                 empty_label=_("全部金融机构"))
    # what disputes.selectors.matching_text finds; a fragment needs three characters
    q = TextField(label=_("搜索"), required=False, max_length=100,
                  help_text=_("纠纷编号、机构业务编号、当事人姓名（或姓氏）、完整身份证号码或手机号码；"
                              "编号和概要中的片段至少输入三个字"),
                  widget=forms.TextInput(attrs={"placeholder": _("编号、当事人、证件号、手机号"),
                                                "type": "search"}))
    mine = forms.BooleanField(label=_("待我处理"), required=False)
    due_soon = forms.BooleanField(label=_("即将到期"), required=False)
    overdue = forms.BooleanField(label=_("已超期"), required=False)
    sort = SortField(label=_("排序"), required=False, choices=list(SORTS.items()),
                     widget=QuickSelect)

    def __init__(self, *args: Any, committees: QuerySet[Organization],
                 institutions: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        committee: Any = self.fields["committee"]
        committee.queryset = committees
        institution: Any = self.fields["institution"]
        institution.queryset = institutions


class DisputeActionForm(Form):
    action = forms.ChoiceField(label=_("操作"), choices=[(a.value, a.label) for a in Action])
    expected_version = version_field(hidden=False)
    reason = TextField(label=_("理由"), required=False, max_length=2000)
    track = forms.ChoiceField(label=_("程序"), required=False,
                              choices=[("", "—"), *TRACK_CHOICES])
    mediator = forms.IntegerField(label=_("调解员"), required=False, min_value=1,
                                  max_value=2**53)
    notice_served = forms.BooleanField(label=_("已告知非诉讼纠纷解决方式"), required=False)
    attest = forms.BooleanField(label=_("本人确认"), required=False)


def date_field(label: Any, *, required: bool = True) -> forms.DateField:
    """A calendar picker: ISO dates in and out, whatever the display language."""
    return forms.DateField(label=label, input_formats=["%Y-%m-%d"], required=required,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class RepresentativeForm(Form):
    """A power of attorney shown at the desk: who acts for which party, with what authority."""

    expected_version = version_field()
    party_row = forms.TypedChoiceField(label=_("被代理的当事人"), coerce=int)
    name = TextField(label=_("代理人姓名"), max_length=200)
    id_number = TextField(label=_("代理人身份证号"), max_length=40)
    phone = TextField(label=_("手机号"), required=False, max_length=20)
    relation = forms.ChoiceField(label=_("代理人身份"),
                                 choices=[(r.value, r.label) for r in Relation])
    authority = forms.ChoiceField(label=_("代理权限"),
                                  choices=[(a.value, a.label) for a in Authority])
    signed_on = date_field(_("授权委托书签署日期"))
    valid_until = date_field(_("授权期限至"), required=False)
    matters = TextField(label=_("委托事项"), required=False, max_length=500)
    scan = forms.FileField(label=_("授权委托书扫描件"),
                           help_text=_("PDF文件或照片、扫描图片，不超过10MB"),
                           widget=forms.ClearableFileInput(attrs={
                               "accept": "application/pdf,image/jpeg,image/png"}))

    def __init__(self, *args: Any, party_rows: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["party_row"]
        field.choices = party_rows

    def clean_scan(self) -> Any:
        """Too large is refused before the file is read (the service checks what it is)."""
        scan = self.cleaned_data["scan"]
        if scan is not None and scan.size > SCAN_MAX_BYTES:
            raise forms.ValidationError(_("授权委托书扫描件不能超过10MB"), code="too_large")
        return scan

    def errors_in_words(self) -> list[str]:
        """``label：reason`` for each error, for a one-line message on the dispute page."""
        return [f"{self.fields[name].label}：{e}" if name in self.fields else str(e)
                for name, errors in self.errors.items() for e in errors]


class AmountField(forms.Field):
    """An amount as people type it (``250,277.13``, ``25.03万``, uppercase) → ``Decimal``."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "class": "amount",
                                    "maxlength": "60"})

    def to_python(self, value: Any) -> Decimal | None:
        text = _no_nul(str(value or "")).strip()
        if not text:
            return None
        if len(text) > 60:
            raise forms.ValidationError(_("金额格式不正确"), code="amount_invalid")
        try:
            amount = parse_amount(text)
        except DomainError as exc:
            raise forms.ValidationError(exc.message, code=str(exc.code)) from None
        if amount >= AMOUNT_LIMIT:
            raise forms.ValidationError(_("金额过大，请核对"), code="amount_too_large")
        return amount


class IntakeForm(Form):
    """A new dispute: where it is filed, where it came from, and the claim."""

    committee = OrgChoiceField(label=_("受理调委会"), queryset=Organization.objects.none())
    channel = forms.ChoiceField(label=_("来源渠道"), choices=Channel.choices)
    dispute_type = forms.ChoiceField(label=_("纠纷类型"), choices=DisputeType.choices)
    institution = OrgChoiceField(label=_("金融机构"), required=False,
                                 queryset=Organization.objects.none())
    court = OrgChoiceField(label=_("法院"), required=False, queryset=Organization.objects.none())
    external_ref = TextField(label=_("机构业务编号"), required=False, max_length=100,
                                   help_text=_("同一机构的同一编号只登记一次：再次提交时打开已登记的纠纷，不会重复登记"))
    received_on = date_field(_("收案日期"))
    notice_served = forms.BooleanField(label=_("已向当事人告知非诉讼纠纷解决方式"),
                                       required=False)
    summary = TextField(label=_("纠纷概要"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    claim_as_of = date_field(_("债权计算日"))
    charges_since = date_field(_("欠息起算日（逾期日，选填）"), required=False)
    principal = AmountField(label=CLAIM_PART_LABELS["principal"])
    interest = AmountField(label=CLAIM_PART_LABELS["interest"], required=False)
    penalty_interest = AmountField(label=CLAIM_PART_LABELS["penalty_interest"], required=False)
    compound_interest = AmountField(label=CLAIM_PART_LABELS["compound_interest"],
                                    required=False)
    liquidated_damages = AmountField(label=CLAIM_PART_LABELS["liquidated_damages"],
                                     required=False)
    fees = AmountField(label=CLAIM_PART_LABELS["fees"], required=False)
    other = AmountField(label=CLAIM_PART_LABELS["other"], required=False)

    CLAIM_FIELDS = tuple(CLAIM_PART_LABELS)

    def __init__(self, *args: Any, options: FilingScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = clock.today()
        self.fields["received_on"].initial = today
        self.fields["claim_as_of"].initial = today
        fields: Any = self.fields
        fields["committee"].queryset = options.committees
        fields["institution"].queryset = options.institutions
        fields["institution"].required = options.institution_required
        fields["court"].queryset = options.courts
        if options.committees.count() == 1:
            fields["committee"].initial = options.committees.first()
        if options.institution_required and options.institutions.count() == 1:
            fields["institution"].initial = options.institutions.first()

    def clean_external_ref(self) -> str:
        return str(self.cleaned_data["external_ref"]).strip()


class ParticularsFields(Form):
    """A party's particulars as a court writes them (domain.particulars); all optional on
    the form — which ones agree with the ID number and which ones a filing needs is the
    services' rule."""

    address = TextField(label=_("住所"), required=False, max_length=300,
                        help_text=_("自然人为户籍所在地，单位为主要办事机构所在地"))
    id_type = forms.ChoiceField(label=_("证件类型"), required=False, choices=[
        ("", _("按类别（身份证／信用代码）")), *((t.value, t.label) for t in IdType)])
    sex = forms.ChoiceField(label=_("性别"), required=False,
                            choices=[("", _("按身份证号")), *((x, x) for x in SEXES)])
    birth_date = date_field(_("出生日期"), required=False)
    ethnicity = forms.ChoiceField(label=_("民族"), required=False,
                                  choices=[("", "—"), *((x, x) for x in ETHNICITIES)])
    residence = TextField(label=_("经常居住地"), required=False, max_length=300,
                          help_text=_("与住所不同的才填写"))
    occupation = TextField(label=_("职业或工作单位"), required=False, max_length=200)
    rep_role = forms.ChoiceField(label=_("代表人身份"), required=False, choices=[
        ("", "—"), *((r.value, r.label) for r in RepRole)])
    rep_name = TextField(label=_("法定代表人或主要负责人"), required=False, max_length=100)
    rep_title = TextField(label=_("职务"), required=False, max_length=100)
    rep_id_number = TextField(label=_("代表人身份证号"), required=False, max_length=40)

    # which fields a person's and an entity's row show (the template's two groups)
    PERSON_FIELDS = ("sex", "birth_date", "ethnicity", "occupation", "residence")
    ENTITY_FIELDS = ("rep_role", "rep_name", "rep_title", "rep_id_number")

    def particulars(self) -> dict[str, Any]:
        """The cleaned particulars under the services' names."""
        return {name: self.cleaned_data.get(name) or ("" if name != "birth_date" else None)
                for name in PARTICULARS}

    def more_fields(self) -> list[Any]:
        return [self[name] for name in PARTICULARS]


class PartyForm(ParticularsFields):
    """One party row; an untouched row is skipped, a touched one must be complete."""

    role = forms.ChoiceField(label=_("地位"), choices=PartyRole.choices)
    kind = forms.ChoiceField(label=_("类别"), choices=PartyKind.choices)
    name = TextField(label=_("姓名或名称"), max_length=200)
    id_number = TextField(label=_("身份证号或统一社会信用代码"), max_length=40)
    phone = TextField(label=_("手机号"), required=False, max_length=20)

    field_order = ["role", "kind", "name", "id_number", "phone"]

    def main_fields(self) -> list[Any]:
        return [self[name] for name in self.field_order]


class PartyUpdateForm(ParticularsFields):
    """The desk's correction of one party's particulars on the case file."""

    expected_version = version_field()
    phone = TextField(label=_("手机号"), required=False, max_length=20)


class BasePartyFormSet(forms.BaseFormSet[PartyForm]):
    """Every row may stay empty (the guarantor row usually does); which rows a dispute needs
    (a creditor and a debtor) is the intake service's rule."""

    def initial_form_count(self) -> int:
        return 0  # the preset roles are suggestions, not rows that must be filled

    def filled(self) -> list[PartyForm]:
        """The rows typed into, in order: the parties the service is given."""
        return [f for f in self.forms if f.cleaned_data]


PartyFormSet = forms.formset_factory(PartyForm, formset=BasePartyFormSet, extra=3, max_num=20,
                                     validate_max=True, absolute_max=20)
# Suggested roles for the rows, in order; rows beyond the first three are more debtors or
# guarantors far more often than creditors.
PARTY_ROWS_INITIAL = [
    {"role": PartyRole.CREDITOR, "kind": PartyKind.ENTITY},
    {"role": PartyRole.DEBTOR, "kind": PartyKind.PERSON},
    {"role": PartyRole.GUARANTOR, "kind": PartyKind.PERSON},
    *([{"role": PartyRole.GUARANTOR, "kind": PartyKind.PERSON}] * 17),
]


def party_rows(data: Any = None, initial: list[dict[str, Any]] | None = None
               ) -> BasePartyFormSet:
    """The party rows of the intake form, bound to ``data`` when posted; ``initial`` the
    rows a source fills in first (a portal application), the usual ones after them."""
    given = initial or []
    rows = PartyFormSet(data, prefix="parties",
                        initial=[*given, *PARTY_ROWS_INITIAL[len(given):]])
    assert isinstance(rows, BasePartyFormSet)  # noqa: S101 - formset_factory's own class
    return rows
