"""Admin for organisations and users: read-mostly; the tree's paths are written by services."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from jintiao.orgs.models import Organization, User, UserRole


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ("name", "kind", "region_code", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "region_code")
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
