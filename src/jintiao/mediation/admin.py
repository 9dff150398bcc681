"""Read-only admin of the workbench's shared records. Caucus notes, private offers and
blind bounds are not here: they belong to one side and the mediators, not the operator."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from jintiao.disputes.admin import ReadOnlyAdmin
from jintiao.mediation.models import Approval, MenuItem, Offer, Recusal, Session


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ("dispute", "seq", "mode", "starts_at", "status")
    list_filter = ("mode", "status")
    exclude = ("record",)


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ("dispute", "seq", "by", "label", "method", "status")
    list_filter = ("status", "by")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).filter(side="")


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ("offer", "approver", "status", "requested_at", "decided_at")
    list_filter = ("status",)


@admin.register(Recusal)
class RecusalAdmin(ReadOnlyAdmin):
    list_display = ("dispute", "mediator", "status", "requested_at")


@admin.register(MenuItem)
class MenuItemAdmin(ReadOnlyAdmin):
    list_display = ("institution", "position", "label", "periods", "charge_waiver_ratio")
