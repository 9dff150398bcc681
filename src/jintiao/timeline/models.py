"""The append-only, hash-chained history of each dispute."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """One change to a dispute: who, when, what, the state before and after.

    ``hash`` covers the event's content and the previous event's hash, so editing or
    deleting any row breaks the chain from there on; ``jintiao audit verify`` finds it.
    Written only by :func:`jintiao.timeline.services.event_append`.
    """

    dispute = models.ForeignKey("disputes.Dispute", models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    type = models.CharField(_("事件"), max_length=64)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                              related_name="+")
    at = models.DateTimeField(_("时间"))
    state_before = models.CharField(max_length=32, blank=True)
    state_after = models.CharField(max_length=32, blank=True)
    params = models.JSONField(default=dict)
    meta = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("案件日志")
        verbose_name_plural = _("案件日志")
        constraints = [
            models.UniqueConstraint(fields=["dispute", "seq"], name="event_seq_unique"),
        ]
        # the supervisors' list of altered records: a few rows among millions of events
        indexes = [models.Index(fields=["-at"], condition=models.Q(type="record.altered"),
                                name="event_record_altered_at")]

    def __str__(self) -> str:
        return f"{self.dispute_id}#{self.seq} {self.type}"


class FiguresBacklog(models.Model):
    """A dispute whose newest events are not yet in the supervisors' figures.

    Written with every event, in the event's transaction, so no change is missed whatever
    order transactions commit in; removed once the figures are rebuilt from ``seq``.
    """

    dispute = models.OneToOneField("disputes.Dispute", models.CASCADE, primary_key=True,
                                   related_name="+")
    seq = models.PositiveIntegerField()
