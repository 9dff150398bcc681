"""Admin view of disputes and their timelines: read-only, every change goes through the
services so that it is guarded and recorded."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jintiao.disputes.models import Dispute
from jintiao.domain import events
from jintiao.timeline.models import Event


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ("number", "committee", "dispute_type", "state", "deadline")
    list_filter = ("state", "dispute_type", "channel")
    search_fields = ("number",)


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("dispute", "seq", "type", "label", "actor", "at")
    list_filter = ("type",)

    @admin.display(description="事件名称")
    def label(self, event: Event) -> str:
        """The registry's Chinese name beside the stored type string."""
        return events.lookup(event.type).label
