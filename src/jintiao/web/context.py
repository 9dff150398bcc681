"""What every workbench page needs in its header."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from jintiao.disputes.selectors import intake_options
from jintiao.domain.lifecycle import Role
from jintiao.mediation.selectors import approvals_waiting_for
from jintiao.orgs.models import User
from jintiao.orgs.selectors import user_roles
from jintiao.outreach.selectors import reads_contact_report, template_committees
from jintiao.supervision.selectors import may_supervise


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Whether to offer 登记纠纷 (only to those the intake service would let file), 待审批
    (to approvers, with how many wait), 短信模板 (committee staff) and 联系情况报表
    (supervisors and directors)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    approver = Role.APPROVER in user_roles(user)
    return {"nav_may_file": intake_options(user).may_file, "nav_approver": approver,
            "nav_approvals": approvals_waiting_for(user).count() if approver else 0,
            "nav_templates": bool(template_committees(user)),
            "nav_contact_report": reads_contact_report(user),
            "nav_supervise": may_supervise(user)}
