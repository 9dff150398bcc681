"""The debtor's own plan put forward on the portal (issue 21 §1): built by the designer's
rules from what the debtor chose (months, first day, down payment, charges to give up),
then put on the table by the one way any plan is (``mediation.services.offer_propose``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction

from jintiao import clock
from jintiao.disputes.access import DEBTOR
from jintiao.disputes.models import Dispute
from jintiao.disputes.services import dispute_lock
from jintiao.domain.money import ZERO
from jintiao.domain.plans import PlanOptions, debtor_counter
from jintiao.mediation import convert
from jintiao.mediation import selectors as mediation
from jintiao.mediation import services as mediation_services
from jintiao.mediation.models import Offer
from jintiao.orgs.models import User
from jintiao.portal.selectors import OfferShown, most_per_month, shown


def counter_options(dispute: Dispute, *, periods: int, first_due: dt.date,
                    waive: Sequence[str] = (), down_payment: Decimal = ZERO,
                    down_payment_due: dt.date | None = None) -> PlanOptions:
    """The plan options the debtor's choices make on this dispute's claim (for a preview
    and for the offer alike).

    :raises PlanDesignInvalid: see :func:`jintiao.domain.plans.debtor_counter`
    """
    return debtor_counter(mediation.claim_of(dispute), periods=periods, first_due=first_due,
                          waive=waive, down_payment=down_payment,
                          down_payment_due=down_payment_due)


@transaction.atomic
def counter_propose(*, actor: User, dispute_id: int, periods: int, first_due: dt.date,
                    waive: Sequence[str] = (), down_payment: Decimal = ZERO,
                    down_payment_due: dt.date | None = None,
                    answers_id: int | None = None) -> Offer:
    """Put the debtor's plan on the table for everyone, binding the debtor (a counter-offer
    to ``answers_id`` when given); the figures are the designer's on the dispute's policy.

    :raises PermissionDenied: not the debtor in person nor a representative with special
        authority (a general authority takes part but does not settle)
    :raises MediationInvalid: not mediating, time run out, a plan already agreed, the
        answered plan not open
    :raises PlanDesignInvalid: the plan cannot be built (see :func:`counter_options`)
    """
    dispute = dispute_lock(actor, dispute_id)
    mediation_services.require_plan_dates(dispute, first_due, down_payment_due, clock.today())
    options = counter_options(dispute, periods=periods, first_due=first_due,
                              waive=waive, down_payment=down_payment,
                              down_payment_due=down_payment_due)
    # the debtor's own earlier open plan leaves the table: one counter-offer at a time
    for earlier in Offer.objects.filter(dispute=dispute, by=Offer.By.DEBTOR, side="",
                                        status=Offer.Status.OPEN):
        mediation_services.offer_withdraw(actor=actor, offer_id=earlier.pk,
                                          reason="债务人提出了新的还款方案")
    return mediation_services.offer_propose(
        actor=actor, dispute_id=dispute.pk, options=options,
        discount_rate=mediation.discount_rate(dispute, None), on_behalf_of=DEBTOR,
        answers_id=answers_id)


def counter_preview(user: User, dispute: Dispute, options: PlanOptions) -> OfferShown:
    """The debtor's plan as it would stand on the table — its monthly amount, total and
    concessions by the designer's figures, and the budget's warning — before it is sent.

    :raises PlanDesignInvalid: the figures cannot be made (a first day in the past, a down
        payment above the claim…)
    """
    mediation_services.require_plan_dates(dispute, options.first_due,
                                          options.down_payment_due, clock.today())
    figures = mediation.figures_for(dispute, options, mediation.discount_rate(dispute, None))
    unsent = Offer(dispute=dispute, seq=0, by=Offer.By.DEBTOR, side="", label=options.label,
                   options=convert.options_to_json(options),
                   figures=convert.figures_to_json(figures), status=Offer.Status.OPEN)
    return shown(unsent, most=most_per_month(user, dispute))
