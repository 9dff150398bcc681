"""Admin for policy versions (read-only: administrators publish on the 规则配置 pages, through
the service) and the calendar."""

from django.contrib import admin
from django.http import HttpRequest

from jintiao.policies.models import CalendarDay, CalendarYear, PolicyVersion


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin[PolicyVersion]):
    list_display = ("organization", "version", "valid_from", "valid_to", "published_by",
                    "published_at")
    readonly_fields = ("organization", "version", "valid_from", "valid_to", "data", "source",
                       "sources", "published_by", "published_at", "changes", "closes",
                       "closed_valid_to", "withdrawn_at", "withdrawn_by", "withdrawn_reason")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin[CalendarDay]):
    list_display = ("day", "working", "note")
    ordering = ("-day",)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin[CalendarYear]):
    list_display = ("year", "source")
