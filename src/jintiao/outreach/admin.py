"""Read-only admin of the outreach records (written only through the services): texts,
the contact log and service, all with masked addresses."""

from django.contrib import admin

from jintiao.disputes.admin import ReadOnlyAdmin
from jintiao.outreach.models import ContactAttempt, MessageTemplate, Service, Verification


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ReadOnlyAdmin):
    list_display = ("committee", "name", "purpose", "status", "approved_by", "approved_at")
    list_filter = ("status", "purpose")


@admin.register(ContactAttempt)
class ContactAttemptAdmin(ReadOnlyAdmin):
    list_display = ("dispute", "party", "channel", "outcome", "inbound", "at", "to", "actor")
    list_filter = ("channel", "outcome", "inbound")


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdmin):
    list_display = ("dispute", "title", "party", "channel", "result", "served", "at")
    list_filter = ("channel", "result", "served")


@admin.register(Verification)
class VerificationAdmin(ReadOnlyAdmin):
    list_display = ("code", "committee", "to_masked", "purpose", "sent_at")
