"""Admin for organisations and users: read-mostly; the tree's paths are written by services,
and so are mediators' profiles and officers' authority (saved through their services)."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from jintiao.domain.authority import AuthorityLimits
from jintiao.domain.errors import DomainError
from jintiao.orgs.models import (
    INSTITUTION_KINDS,
    ApiToken,
    AuthorityGrant,
    MediatorProfile,
    Organization,
    User,
    UserRole,
)
from jintiao.orgs.services import (
    authority_grant_set,
    may_hold_authority,
    mediator_profile_set,
    organization_court_code,
    organization_credit_code,
    token_revoke,
)


class OrganizationForm(forms.ModelForm[Organization]):
    class Meta:
        model = Organization
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        """A court's code (法院代字) by the service's rule: suggested from its division code
        when left empty, refused when not in the SPC's form or given to another node."""
        data = super().clean() or {}
        if "kind" in data and "region_code" in data:
            try:
                data["court_code"] = organization_court_code(
                    data.get("court_code") or "", kind=data["kind"],
                    region_code=data["region_code"],
                    of=self.instance if self.instance.pk else None)
            except DomainError as exc:
                self.add_error("court_code", exc.message)
        return data

    def clean_credit_code(self) -> str:
        """The code is checked (GB 32100, one node per code) by the same rule as the service."""
        try:
            return organization_credit_code(self.cleaned_data.get("credit_code") or "",
                                            of=self.instance if self.instance.pk else None)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    form = OrganizationForm
    list_display = ("name", "kind", "region_code", "court_code", "credit_code", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "region_code", "credit_code")
    readonly_fields = ("path",)


class UserRoleInline(admin.TabularInline[UserRole, User]):
    model = UserRole
    extra = 0


@admin.register(User)
class JinTiaoUserAdmin(UserAdmin[User]):
    list_display = ("username", "first_name", "organization", "is_active")
    list_filter = ("is_active", "organization__kind")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("单位", {"fields": ("organization",)}))
    inlines = (UserRoleInline,)


@admin.register(MediatorProfile)
class MediatorProfileAdmin(admin.ModelAdmin[MediatorProfile]):
    list_display = ("user", "capacity", "available", "full_time")
    list_filter = ("available", "full_time")
    filter_horizontal = ("affiliations",)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest,
                                 **kwargs: Any) -> Any:
        if db_field.name == "affiliations":
            kwargs["queryset"] = Organization.objects.filter(
                kind__in=INSTITUTION_KINDS).order_by("path")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: MediatorProfile, form: Any,
                   change: bool) -> None:
        data = form.cleaned_data
        saved = mediator_profile_set(
            user=data["user"], expertise=data["expertise"] or [], capacity=data["capacity"],
            available=data["available"], full_time=data["full_time"],
            affiliations=data["affiliations"])
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any,
                     change: bool) -> None:
        """The service has set the affiliations already."""


class AuthorityGrantForm(forms.ModelForm[AuthorityGrant]):
    class Meta:
        model = AuthorityGrant
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        user = data.get("user")
        if user is not None and not may_hold_authority(user):
            self.add_error("user", "只有金融机构的经办人或审批人可以授权")
        try:
            data["limits"] = AuthorityLimits(
                max_charge_waiver_ratio=data.get("max_charge_waiver_ratio") or Decimal(0),
                max_principal_waiver_ratio=data.get("max_principal_waiver_ratio") or Decimal(0),
                max_term_months=data.get("max_term_months") or 0,
                min_annual_rate=data.get("min_annual_rate") or Decimal(0),
                max_deferral_months=data.get("max_deferral_months") or 0)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None
        return data


@admin.register(AuthorityGrant)
class AuthorityGrantAdmin(admin.ModelAdmin[AuthorityGrant]):
    form = AuthorityGrantForm
    list_display = ("user", "max_charge_waiver_ratio", "max_principal_waiver_ratio",
                    "max_term_months", "max_deferral_months")

    def save_model(self, request: HttpRequest, obj: AuthorityGrant, form: Any,
                   change: bool) -> None:
        data = form.cleaned_data
        saved = authority_grant_set(user=data["user"], limits=data["limits"],
                                    note=data.get("note") or "")
        obj.pk = saved.pk


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Tokens are issued on the command line (the secret is shown once, there); here they are
    read and revoked. Nothing else about a token is edited."""

    list_display = ("prefix", "user", "system", "name", "scopes", "expires_at",
                    "last_used_at", "revoked")
    list_filter = ("revoked",)
    search_fields = ("prefix", "user__username", "system", "name")
    readonly_fields = ("user", "prefix", "name", "system", "scopes", "created_at", "expires_at",
                       "last_used_at", "revoked", "revoked_at", "revoked_by")
    exclude = ("digest",)
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False  # a revoked token stays on record: who held it, until when

    @admin.action(description="吊销所选令牌")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        by = request.user if isinstance(request.user, User) else None
        done = 0
        for row in queryset:
            try:
                token_revoke(token=row, by=by)
            except DomainError as exc:
                self.message_user(request, f"{row.prefix}…：{exc.message}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, f"已吊销{done}个令牌", messages.SUCCESS)
