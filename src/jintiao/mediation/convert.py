"""Plans and their figures as stored on an offer (JSON), and back to domain values.

An offer keeps the options it was made with and the figures its proposer saw, so the
history shows what each side was shown even after a budget or the policy changes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from jintiao.domain.evaluation import Paths
from jintiao.domain.plans import PlanFigures, PlanOptions, Waiver
from jintiao.domain.schedules import Method


def options_to_json(options: PlanOptions) -> dict[str, Any]:
    return {
        "method": options.method.value, "periods": options.periods,
        "first_due": options.first_due.isoformat(), "annual_rate": str(options.annual_rate),
        "down_payment": str(options.down_payment),
        "down_payment_due": options.down_payment_due.isoformat()
        if options.down_payment_due else None,
        "grace_periods": options.grace_periods, "deferral_months": options.deferral_months,
        "waive_deferral_interest": options.waive_deferral_interest,
        "waivers": [{"part": w.part, "amount": str(w.amount), "conditional": w.conditional}
                    for w in options.waivers],
        "due_day": options.due_day, "round_to": str(options.round_to), "label": options.label,
    }


def options_from_json(data: dict[str, Any]) -> PlanOptions:
    due = data.get("down_payment_due")
    return PlanOptions(
        method=Method(data["method"]), periods=data["periods"],
        first_due=dt.date.fromisoformat(data["first_due"]),
        annual_rate=Decimal(data["annual_rate"]), down_payment=Decimal(data["down_payment"]),
        down_payment_due=dt.date.fromisoformat(due) if due else None,
        grace_periods=data["grace_periods"], deferral_months=data["deferral_months"],
        waive_deferral_interest=data["waive_deferral_interest"],
        waivers=tuple(Waiver(w["part"], Decimal(w["amount"]), w["conditional"])
                      for w in data["waivers"]),
        due_day=data["due_day"], round_to=Decimal(data["round_to"]), label=data["label"])


# What the affordability check says about the debtor's money: the desk's to read, not the
# creditor's (the most the debtor can pay a month is, in effect, the debtor's bound).
DESK_ONLY = ("max_affordable_payment", "affordability_reasons")


def figures_to_json(f: PlanFigures) -> dict[str, Any]:
    """The figures as an offer stores them: everything, the desk's part included."""
    a = f.affordability
    private = list(a.reasons) if a is not None and not a.affordable else []
    return {
        "settled_total": str(f.settled_total), "regular_payment": str(f.regular_payment),
        "peak_payment": str(f.peak_payment), "peak_is_lump": f.lump,
        "peak_label": f.schedule.largest.label, "total_paid": str(f.total_paid),
        "total_interest": str(f.total_interest), "waived_total": str(f.waived_total),
        "deferral_interest_waived": str(f.deferral_interest_waived),
        "conditional_waived": str(f.conditional_waived),
        "charge_waiver_ratio": str(f.charge_waiver_ratio),
        "principal_waived": str(f.principal_waived), "term_months": f.term_months,
        "instalments": len(f.schedule.instalments),
        "first_due": f.schedule.first_due_on.isoformat(),
        "last_due": f.schedule.last_due_on.isoformat(),
        "present_value": str(f.present_value), "discount_rate": str(f.discount_rate),
        "affordable": None if a is None else a.affordable,
        "max_affordable_payment": None if a is None else str(a.max_payment),
        "income_presumed": f.income_presumed, "cash_flow_missing": f.cash_flow_missing,
        "affordability_reasons": private,
        "warnings": [w for w in f.warnings if w not in private],
        "revival_clause": f.revival_clause(),
    }


def figures_for(figures: dict[str, Any], *, desk: bool) -> dict[str, Any]:
    """The figures as a viewer may read them: outside the desk, whether a plan is
    affordable but not what the debtor earns, owes or could pay."""
    if desk:
        return figures
    return {k: v for k, v in figures.items() if k not in DESK_ONLY}


def paths_to_json(paths: Paths) -> dict[str, Any]:
    """Both paths of a neutral evaluation as stored, with the summary in words."""
    data = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in vars(paths).items()}
    data["summary"] = paths.summary()
    return data
