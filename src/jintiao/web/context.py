"""What every workbench page needs in its header."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from jintiao.disputes.access import (
    committees_drafting_texts,
    filing_scope,
    is_approver,
    may_supervise,
    supervises_everything,
)
from jintiao.mediation.selectors import approvals_waiting_for
from jintiao.orgs.models import User
from jintiao.orgs.selectors import policy_nodes_managed_by, tokens_managed_by


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Whether to offer 登记纠纷 (only to those the intake service would let file), 待审批
    (to approvers, with how many wait), 短信模板 (committee staff) and 联系情况报表
    (supervisors and directors), 个人信息查阅记录 with the supervisors' pages, and 接口令牌
    to whoever holds or manages one; 任务队列 to the platform's administrators; 规则配置 to
    the administrators who publish a node's rules."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    approver = is_approver(user)
    supervise = may_supervise(user)
    return {"nav_may_file": filing_scope(user).may_file, "nav_approver": approver,
            "nav_approvals": approvals_waiting_for(user).count() if approver else 0,
            "nav_templates": committees_drafting_texts(user).exists(),
            "nav_contact_report": supervise, "nav_supervise": supervise,
            "nav_jobs": supervises_everything(user),
            "nav_tokens": tokens_managed_by(user).exists(),
            "nav_policies": policy_nodes_managed_by(user).exists()}
