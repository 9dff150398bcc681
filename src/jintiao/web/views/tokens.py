"""API tokens a user may stop: their own, and an approver's institution's — listed without
their secrets (which are not kept) and revoked at once."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jintiao import clock
from jintiao.domain.errors import DomainError
from jintiao.orgs.selectors import tokens_managed_by
from jintiao.orgs.services import token_revoke
from jintiao.web.views.common import viewer_of


@login_required
@require_GET
def tokens(request: HttpRequest) -> HttpResponse:
    """The tokens the viewer may revoke, newest first."""
    viewer = viewer_of(request)
    return render(request, "web/tokens/list.html", {
        "rows": list(tokens_managed_by(viewer)[:500]), "now": clock.now()})


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one token: refused from the next request on."""
    viewer = viewer_of(request)
    row = tokens_managed_by(viewer).filter(pk=token_id).first()
    if row is None:
        raise Http404(_("令牌不存在或无权管理"))
    try:
        token_revoke(token=row, by=viewer)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已吊销令牌%(prefix)s…") % {"prefix": row.prefix})
    return redirect("web:tokens")
