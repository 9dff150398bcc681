"""What every workbench page needs in its header."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from jintiao.disputes.selectors import intake_options
from jintiao.orgs.models import User


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Whether to offer 登记纠纷: only to those the intake service would let file."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    return {"nav_may_file": intake_options(user).may_file}
