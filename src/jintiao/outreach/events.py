"""The outreach events in words. They are the desk's: shown to the committee's desk and the
supervisors above it, not to the institution (who is contacted how is not the creditor's
business — the guard against collection in disguise)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jintiao.domain.outreach import ContactChannel, ContactOutcome, ServiceChannel, ServiceResult

LABELS: Mapping[str, str] = {
    "outreach.contact": "联系当事人",
    "outreach.service": "送达",
    "outreach.contact_added": "补充联系方式",
    "outreach.contact_retired": "停用联系方式",
    "reach.invited": "首次联系或通知",
    "reach.served": "首次送达成功",
    "reach.contacted": "首次联系上当事人",
    "reach.engaged": "当事人参与（登录当事人端或主动联系）",
}
PREFIXES = ("outreach.", "reach.")


def describe(type: str, params: Mapping[str, Any]) -> str:
    """What an outreach event says beyond its label (never an address or a note)."""
    if type == "outreach.contact":
        channel = ContactChannel(params["channel"]).label
        outcome = ContactOutcome(params["outcome"]).label
        late = f"（补记，发生于{params['happened'][:16].replace('T', ' ')}）" \
            if params.get("happened") else ""
        return (f"{channel}，{outcome}" + ("（当事人主动联系）" if params.get("inbound") else "")
                + late)
    if type == "outreach.service":
        served = "，视为送达" if params.get("served") else ""
        return (f"{params.get('title', '')}，{ServiceChannel(params['channel']).label}，"
                f"{ServiceResult(params['result']).label}{served}")
    if type.startswith("reach.") and params.get("channel"):
        channel = params["channel"]
        labels = {**{c.value: c.label for c in ContactChannel},
                  **{c.value: c.label for c in ServiceChannel}, "portal": "当事人端"}
        return labels.get(channel, "")
    return ""
