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
                                name="event_record_altered_at"),
                   # the disputes changed since a moment (an institution's results file,
                   # ``changed_since``): the events of the day read from the index alone,
                   # not every dispute's chain
                   models.Index(fields=["at", "dispute"], name="event_at_dispute")]

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


class Checkpoint(models.Model):
    """Every dispute's chain head at one moment, under a Merkle root signed with a key kept
    outside the database (:mod:`jintiao.timeline.checkpoints`). Someone who rewrites a
    chain and re-computes its hashes cannot make the root of an earlier checkpoint agree.

    ``leaves`` is the zlib-compressed JSON list ``[[dispute id, seq, head], …]`` by dispute
    id — what an inclusion proof for any dispute in it is made from (some 45 bytes a
    dispute)."""

    created_at = models.DateTimeField(_("时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                   blank=True, related_name="+")
    count = models.PositiveIntegerField(_("纠纷数"))
    root = models.CharField(_("默克尔根"), max_length=64)
    key_fingerprint = models.CharField(_("公钥指纹"), max_length=64)
    signature = models.CharField(max_length=128)  # Ed25519, hex
    leaves = models.BinaryField()
    # why it was signed although the chains did not extend the previous one (the operator's
    # reason, then each problem found, a line each); empty for every ordinary checkpoint
    despite = models.TextField(_("签署时的例外说明"), blank=True, default="")

    class Meta:
        verbose_name = _("检查点")
        verbose_name_plural = _("检查点")

    def __str__(self) -> str:
        return f"#{self.pk} {self.root[:16]}"
