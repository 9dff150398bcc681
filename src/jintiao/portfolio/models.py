"""Portfolio offers (issue 20 §5): an institution's standard plan menu sent to many
disputes' debtors at once, each debtor's choice on the portal, and the batch's uptake.
Changed only through :mod:`jintiao.portfolio.services`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jintiao.disputes.models import Dispute, DisputeParty
from jintiao.mediation.models import BatchRun, Offer


class MenuOffer(models.Model):
    """The institution's standard plan menu sent to one dispute's debtor (issue 20 §5): the
    menu's plans put on the table as the creditor's offers — accepted for the creditor
    within the menu publisher's authority, so no approval round — for the debtor to choose
    one on the portal by ``reply_by``. The choice becomes the accepted plan and its
    agreement is drafted at once from ``performance_manner`` for everyone to sign.

    ``items`` keeps what was sent, as the debtor saw it: per plan its offer, label, number
    of instalments, monthly amount, total and what it waives. The uptake (sent, opened,
    chosen which, signed) is read from these rows and their agreements."""

    run = models.ForeignKey(BatchRun, models.SET_NULL, null=True, blank=True,
                            related_name="menu_offers")
    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="menu_offers")
    debtor = models.ForeignKey(DisputeParty, models.PROTECT, related_name="+",
                               verbose_name=_("债务人"))
    items = models.JSONField(_("所发方案"))
    reply_by = models.DateField(_("选择期限"))
    performance_manner = models.TextField(_("履行方式"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                verbose_name=_("发送人"))
    sent_at = models.DateTimeField(_("发送时间"))
    texted = models.BooleanField(_("已短信通知"), default=False)
    opened_at = models.DateTimeField(_("查看时间"), null=True, blank=True)
    chosen_offer = models.ForeignKey(Offer, models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("所选方案"))
    chosen_at = models.DateTimeField(_("选择时间"), null=True, blank=True)
    agreement = models.ForeignKey("agreements.Agreement", models.SET_NULL, null=True,
                                  blank=True, related_name="+")
    closed_at = models.DateTimeField(_("失效时间"), null=True, blank=True)  # sent again

    class Meta:
        verbose_name = _("标准方案发送")
        verbose_name_plural = _("标准方案发送")
        indexes = [models.Index(fields=["run", "dispute"], name="menu_offer_by_run")]
        constraints = [
            models.UniqueConstraint(fields=["dispute"],
                                    condition=Q(chosen_offer__isnull=True,
                                                closed_at__isnull=True),
                                    name="menu_offer_one_open_per_dispute"),
            models.CheckConstraint(condition=Q(chosen_offer__isnull=True)
                                   | Q(chosen_at__isnull=False),
                                   name="menu_offer_chosen_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute} {self.sent_at:%Y-%m-%d}"
