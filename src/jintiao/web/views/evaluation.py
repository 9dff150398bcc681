"""Neutral evaluation: the expert's assessment and both paths in money, printable."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jintiao.domain.explain import Explanation
from jintiao.domain.fees import acceptance_fee
from jintiao.domain.lifecycle import State
from jintiao.domain.money import format_amount
from jintiao.domain.policy import Policy
from jintiao.mediation import selectors, services
from jintiao.web.forms import mediation as forms
from jintiao.web.views.common import standing_or_404, submit, viewer_of
from jintiao.web.views.mediation_rows import header, money

# --- neutral evaluation ---

@login_required
@require_http_methods(["GET", "POST"])
def evaluation(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """The expert's evaluation and both paths in money; printable."""
    me = standing_or_404(viewer_of(request), dispute_id)
    viewer, dispute = me.user, me.dispute
    shared = [(o.pk, f"方案{o.seq} {o.label}") for o in selectors.offers_for(me)
              if not o.side]
    on_evaluation = selectors.on_evaluation_track(dispute)
    may_record = me.may_evaluate() and on_evaluation and dispute.state == State.MEDIATING
    form = forms.EvaluationForm(request.POST or None, offers=shared)
    if request.method == "POST":
        submit(request, form, lambda data: services.evaluation_record(
            actor=viewer, dispute_id=dispute_id, assessment=data["assessment"],
            contract_annual_rate=data["contract_annual_rate"],
            discount_rate=selectors.discount_rate(dispute, data["discount_rate"]),
            offer_id=data["offer"]), _("已出具中立评估意见"))
        return redirect("web:evaluation", dispute_id=dispute_id)
    policy = selectors.policy_of(dispute)
    context = header(me)
    context.update({
        "evaluations": [_evaluation_row(e, policy) for e in selectors.evaluations_of(dispute)],
        "form": form if may_record else None,
        "on_evaluation": on_evaluation,
        "policy": {"litigation": policy.expected_litigation_months,
                   "enforcement": policy.expected_enforcement_months,
                   "recovery": policy.expected_recovery_rate * 100,
                   "lawyer_rate": policy.lawyer_fee_rate * 100,
                   "lawyer_min": format_amount(policy.lawyer_fee_minimum),
                   "cap": policy.annual_cost_cap * 100},
    })
    return render(request, "web/mediation/evaluation.html", context)


def _fee_explained(paths: dict[str, Any], policy: Policy) -> Explanation | None:
    """How the acceptance fee of the litigation path was computed: on the claim's total,
    at the policy's rounding (:func:`jintiao.domain.evaluation.litigation_paths`); None
    should the recorded fee not be what that gives (a policy changed since)."""
    fee = acceptance_fee(Decimal(paths["claim_total"]), quantum=policy.fee_quantum)
    return fee.explain() if fee.fee == Decimal(paths["acceptance_fee"]) else None


def _evaluation_row(e: Any, policy: Policy) -> dict[str, Any]:
    p = e.paths
    return {
        "fee_explain": _fee_explained(p, policy),
        "expert": str(e.expert), "at": e.created_at, "assessment": e.assessment,
        "offer": e.offer.seq if e.offer else None, "summary": p["summary"],
        "offer_label": e.offer.label if e.offer else "",
        "rate": Decimal(p["accrual_rate"]) * 100, "discount": Decimal(p["discount_rate"]) * 100,
        "rows": [(label, money(p[key])) for label, key in (
            ("债权总额", "claim_total"), ("诉讼期间继续计收的利息", "accrued_interest"),
            ("案件受理费", "acceptance_fee"), ("申请执行费", "enforcement_fee"),
            ("迟延履行期间加倍债务利息", "late_performance_interest"),
            ("债权人律师费（估算）", "lawyer_fee"), ("执行时应付总额", "owed_at_recovery"))],
        "creditor": (money(p["creditor_litigation_value"]),
                     money(p["creditor_settlement_value"])),
        "debtor": (money(p["debtor_litigation_cost"]), money(p["debtor_settlement_cost"])),
        "months": p["litigation_months"] + p["enforcement_months"],
    }
