"""The workbench's timeline events: their types, and each in words with what it carries.

Events never carry what a side said in private or a bound; these sentences are built only
from what the event holds, so the timeline reads the same to everyone who sees it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from jintiao import clock

LABELS: Mapping[str, str] = {
    "mediation.team_changed": "调整调解员",
    "mediation.recusal_requested": "申请回避",
    "mediation.recusal_decided": "回避决定",
    "mediation.session_scheduled": "安排调解",
    "mediation.session_held": "记录调解笔录",
    "mediation.session_cancelled": "取消调解",
    "mediation.session_rescheduled": "调解改期",
    "mediation.record_corrected": "更正调解笔录",
    "mediation.caucus_note": "背对背谈话",
    "mediation.attachment_added": "上传附件",
    "mediation.offer_made": "提出方案",
    "mediation.offer_accepted": "接受方案",
    "mediation.offer_rejected": "拒绝方案",
    "mediation.offer_withdrawn": "撤回方案",
    "mediation.approval_requested": "报请上级审批",
    "mediation.approval_decided": "上级审批",
    "mediation.budget_declared": "登记债务人收支",
    "mediation.consent_recorded": "登记同意延长期限",
    "mediation.evaluation_recorded": "出具中立评估意见",
    "mediation.blind_bound_entered": "提交背靠背底线",
    "mediation.blind_round_decided": "背靠背报价结果",
}
SIDES = {"creditor": "债权人方", "debtor": "债务人方", "mediator": "调解员"}
MODES = {"face_to_face": "面对面", "back_to_back": "背对背", "online": "线上", "phone": "电话"}
OUTCOMES = {"overlap": "有交集，已提出建议方案", "no_overlap": "无交集",
            "needs_approval": "需上级授权"}


def _local(iso: str) -> str:
    """An event's aware ISO time as Beijing wall-clock time (minutes), or as given."""
    try:
        at = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if at.tzinfo is None:
        return iso
    return at.astimezone(clock.TZ).strftime("%Y-%m-%d %H:%M")


def describe(type: str, params: Mapping[str, Any]) -> str:
    """What a workbench event says beyond its label, in Chinese (empty if nothing)."""
    offer = f"方案{params['offer']}" if params.get("offer") else ""
    if type == "mediation.session_scheduled":
        return f"第{params['session']}次，{MODES.get(params['mode'], '')}"
    if type in ("mediation.session_held", "mediation.attachment_added"):
        return f"第{params['session']}次"
    if type == "mediation.session_cancelled":
        return f"第{params['session']}次，理由：{params.get('reason', '')}"
    if type == "mediation.session_rescheduled":
        return f"第{params['session']}次，改至{_local(params.get('to', ''))}"
    if type == "mediation.record_corrected":
        return (f"第{params['session']}次，第{params.get('version', '')}版，"
                f"理由：{params.get('reason', '')}")
    if type in ("mediation.caucus_note", "mediation.blind_bound_entered"):
        return SIDES.get(params.get("side", ""), "")
    if type == "mediation.offer_made":
        parts = [offer, SIDES.get(params.get("by", ""), "")]
        if params.get("side"):
            parts.append("背对背，仅该方及调解员可见")
        elif params.get("periods"):
            parts.append(f"{params['periods']}期，合计{params['total']}元")
        return "，".join(p for p in parts if p)
    if type in ("mediation.offer_accepted", "mediation.offer_rejected"):
        both = "，双方均已接受" if params.get("both") else ""
        return f"{offer}，{SIDES.get(params.get('side', ''), '')}{both}"
    if type == "mediation.offer_withdrawn":
        return offer + ("（双方曾已接受，重新协商）" if params.get("was") == "accepted" else "")
    if type == "mediation.approval_decided":
        return f"{offer}，{'批准' if params.get('approved') else '未批准'}"
    if type in ("mediation.approval_requested", "mediation.evaluation_recorded"):
        return offer
    if type == "mediation.recusal_decided":
        return "准予回避" if params.get("granted") else "驳回申请"
    if type == "mediation.blind_round_decided":
        return f"第{params['round']}轮：{OUTCOMES.get(params.get('outcome', ''), '')}"
    return ""
