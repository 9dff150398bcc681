"""The plan designer: three plans compared on the dispute's claim; one put on the table."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jintiao import clock
from jintiao.disputes.access import Standing
from jintiao.disputes.models import Dispute
from jintiao.domain.errors import DomainError
from jintiao.domain.explain import explain_verdict
from jintiao.domain.lifecycle import State
from jintiao.domain.money import amount_in_words, format_amount
from jintiao.domain.plans import PlanFigures, PlanOptions
from jintiao.domain.policy import Policy
from jintiao.domain.schedules import METHOD_LABELS, Method
from jintiao.mediation import selectors, services
from jintiao.mediation.models import Offer
from jintiao.web.forms import mediation as forms
from jintiao.web.views.common import attempt, standing_or_404, viewer_of
from jintiao.web.views.mediation_rows import back_to, header

PLAN_COLUMNS = 3
DEFAULT_TERMS = (12, 24, 36)


# --- the plan designer ---

def _menu_columns(dispute: Dispute) -> list[PlanOptions]:
    """The plans the designer opens with: the institution's standard menu, else three
    interest-free terms, all from the same day next month."""
    first_due = selectors.due_day_default(clock.today())
    menu = selectors.menu_plans(dispute, first_due)[:PLAN_COLUMNS]
    return menu or [PlanOptions(Method.FLAT, n, first_due, label=_("%(n)d期等额") % {"n": n})
                    for n in DEFAULT_TERMS]


def _figures_row(f: PlanFigures, *, desk: bool, policy: Policy | None = None,
                 sources: dict[str, str] | None = None) -> dict[str, Any]:
    """A compared plan; what it says of the debtor's money (the most they can pay, why a
    plan is beyond them) only for the desk."""
    reasons = list(f.affordability.reasons) if f.affordability and desk else []
    largest = f.schedule.largest
    return {
        "method": METHOD_LABELS[f.options.method], "instalments": len(f.schedule.instalments),
        "term": f.term_months, "first_due": f.schedule.first_due_on,
        "last_due": f.schedule.last_due_on, "regular": format_amount(f.regular_payment),
        "peak": format_amount(f.peak_payment), "peak_of": largest.label,
        "total": format_amount(f.total_paid), "total_words": amount_in_words(f.total_paid),
        "interest": format_amount(f.total_interest), "waived": format_amount(f.waived_total),
        "deferral_waived": format_amount(f.deferral_interest_waived)
        if f.deferral_interest_waived else "",
        "conditional": format_amount(f.conditional_waived),
        "pv": format_amount(f.present_value), "affordable": f.affordable,
        "max_payment": format_amount(f.affordability.max_payment)
        if f.affordability and desk else "",
        "presumed": f.income_presumed and desk, "revival": f.revival_clause(),
        "explain": explain_verdict(f.affordability, policy, income_presumed=f.income_presumed,
                                   sources=sources)
        if f.affordability and desk and policy else None,
        "warnings": [w for w in f.warnings
                     if not f.affordability or w not in f.affordability.reasons] + reasons,
        "rows": [{"n": i.number, "due": i.due_on, "principal": format_amount(i.principal),
                  "interest": format_amount(i.interest), "arrears": format_amount(i.arrears),
                  "payment": format_amount(i.payment), "balance": format_amount(i.remaining)}
                 for i in f.schedule.instalments],
    }


def _hidden(form: forms.PlanForm, options: PlanOptions | None) -> list[tuple[str, str]]:
    """A column's values as hidden inputs, so the plan compared is the plan proposed."""
    if isinstance(form.data, QueryDict):
        return [(k, v) for k in sorted(form.data) if k.startswith(f"{form.prefix}-")
                for v in form.data.getlist(k)]
    if options is None:
        return []
    out = []
    for name, value in forms.plan_initial(options).items():
        if value in ("", None, False):
            continue
        out.append((f"{form.prefix}-{name}", "on" if value is True else str(value)))
    return out


@login_required
@require_http_methods(["GET", "POST"])
def plans(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """Up to three plans side by side on the dispute's claim and the debtor's budget;
    posting one of them puts that plan on the table as an offer."""
    me = standing_or_404(viewer_of(request), dispute_id)
    dispute = me.dispute
    if request.method == "POST":
        return _propose(request, me)
    rate_form = forms.ProposeForm(request.GET or None)
    rate = selectors.discount_rate(dispute, rate_form.cleaned_data["discount_rate"]
                                   if rate_form.is_valid() else None)
    submitted = any(k.endswith("-method") for k in request.GET)
    policy = selectors.policy_of(dispute) if me.desk else None
    initial = [] if submitted else _menu_columns(dispute)
    results: list[dict[str, Any]] = []
    for i in range(PLAN_COLUMNS):
        form = forms.PlanForm(
            request.GET if submitted else None, prefix=f"p{i}",
            initial=forms.plan_initial(initial[i]) if i < len(initial)
            else {"first_due": selectors.due_day_default(clock.today()),
                  "method": Method.FLAT.value})
        options = initial[i] if i < len(initial) else None
        if submitted:  # a column left without a term is not compared
            options = form.options() if form.is_valid() else None
        entry: dict[str, Any] = {"form": form, "figures": None, "error": "", "index": i,
                                 "hidden": _hidden(form, options)}
        if options is not None:
            try:
                entry["figures"] = _figures_row(selectors.figures_for(dispute, options, rate),
                                                desk=me.desk, policy=policy,
                                                sources=selectors.verdict_sources(dispute))
            except DomainError as exc:
                entry["error"] = exc.message
        results.append(entry)
    claim = selectors.claim_of(dispute)
    budget = selectors.budget_of(dispute)
    shown = None
    if budget is not None and me.desk:
        shown = {"income": _amount_or_dash(budget.monthly_income),
                 "cash_flow": _amount_or_dash(budget.monthly_cash_flow),
                 "obligations": format_amount(budget.other_obligations),
                 "dependants": budget.dependants}
    context = header(me)
    context.update({
        "columns": results, "rate": rate * 100, "rate_form": rate_form,
        "claim_parts": [(label, format_amount(amount)) for _n, label, amount in claim.parts()
                        if amount],
        "waivable": [name for name, _label, amount in claim.parts() if amount],
        "budget": shown, "has_budget": budget is not None,
        "enterprise": selectors.debtor_is_entity(dispute, budget),
        "may_propose": dispute.state == State.MEDIATING and me.offers_as("") is not None,
        "propose_form": forms.ProposeForm(auto_id=False, open_offers=_open_offers(me),
                                          names=me.desk),
    })
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "comparison":
        return render(request, "web/mediation/_comparison.html", context)
    return render(request, "web/mediation/plans.html", context)


def _amount_or_dash(value: Decimal | None) -> str:
    return "—" if value is None else format_amount(value)


def _open_offers(me: Standing) -> list[tuple[int, str]]:
    """Offers a new plan may answer (a counter-offer keeps the history)."""
    return [(o.pk, _("回应方案%(n)d") % {"n": o.seq})
            for o in selectors.offers_for(me).filter(status=Offer.Status.OPEN)]


def _propose(request: HttpRequest, me: Standing) -> HttpResponse:
    """Put the posted column on the table, in the name the proposer may use."""
    try:
        index = int(request.POST.get("propose", ""))
    except ValueError:
        index = -1
    column = forms.PlanForm(request.POST, prefix=f"p{index}")
    dispute = me.dispute
    choice = forms.ProposeForm(request.POST, open_offers=_open_offers(me), names=me.desk)
    if not 0 <= index < PLAN_COLUMNS or not column.is_valid() or not choice.is_valid():
        messages.error(request, _("方案填写不完整或格式不正确，未提出"))
        return redirect("web:plans", dispute_id=dispute.pk)
    data = choice.cleaned_data
    rate = selectors.discount_rate(dispute, data["discount_rate"])
    asked = data.get("on_behalf_of", "")
    by = me.offers_as(asked) or asked
    side = by if data["private"] and by in ("creditor", "debtor") else ""
    made = attempt(request, lambda: services.offer_propose(
        actor=me.user, dispute_id=dispute.pk, options=column.options(), discount_rate=rate,
        on_behalf_of=by, side=side, answers_id=data["answers"]), _("已提出方案"))
    if made is None:
        return redirect("web:plans", dispute_id=dispute.pk)
    return back_to(dispute.pk, "offers")
