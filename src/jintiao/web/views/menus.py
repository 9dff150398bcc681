"""An institution's standard plan menu (标准还款方案) on the web: the lines its disputes are
offered and who published them, read by its staff; its approvers publish a new menu here
(issue 20 §5). Thin: who may read and publish is disputes.access's, the menu and the
approver's limits mediation.selectors', the publishing mediation.services.menu_publish's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jintiao.disputes.access import PermissionDenied, RecordNotFound, may_publish_menu
from jintiao.domain.authority import AuthorityLimits
from jintiao.domain.claims import CLAIM_PART_LABELS
from jintiao.domain.errors import DomainError
from jintiao.domain.plans import WAIVER_ORDER
from jintiao.mediation import selectors, services
from jintiao.mediation.models import MenuItem
from jintiao.mediation.services import MAX_MENU_ITEMS
from jintiao.orgs.models import Organization, User
from jintiao.web.forms.menus import MenuFormSet, menu_rows, percent
from jintiao.web.views.common import viewer_of


def _institution(viewer: User, institution_id: int) -> Organization:
    try:
        return selectors.menu_institution_for(viewer, institution_id)
    except RecordNotFound:
        raise Http404(_("记录不存在或无权查看")) from None
    except PermissionDenied as refused:
        raise Forbidden(refused.message) from None


def _line(item: MenuItem) -> dict[str, Any]:
    """A published line in words: what it waives of which parts, on what condition."""
    parts = [p for p in WAIVER_ORDER if p in item.waiver_parts]
    return {
        "label": item.label, "periods": item.periods,
        "method": item.get_method_display(),
        "annual_rate": percent(item.annual_rate),
        "waiver": percent(item.charge_waiver_ratio) if item.charge_waiver_ratio else "",
        "parts": "、".join(CLAIM_PART_LABELS[p] for p in parts),
        "conditional": item.conditional,
        "published_by": str(item.published_by) if item.published_by else "",
        "published_at": item.published_at,
    }


def _limits(limits: AuthorityLimits) -> list[tuple[str, str]]:
    """The publisher's own authority, the bounds each line must keep within."""
    return [
        (_("利息、罚息及费用减免比例"), _("不超过 %(p)s%%") % {
            "p": percent(limits.max_charge_waiver_ratio)}),
        (_("还款期限"), _("不超过 %(n)s 个月") % {"n": limits.max_term_months}),
        (_("年利率"), _("不低于 %(p)s%%") % {"p": percent(limits.min_annual_rate)}),
    ]


def _page(request: HttpRequest, menu: selectors.InstitutionMenu, rows: MenuFormSet | None,
          *, refused: str = "", status: int = 200) -> HttpResponse:
    """The menu as published; with ``rows``, the approver's limits and the form."""
    return render(request, "web/institutions/plan_menu.html", {
        "institution": menu.institution, "menu": menu,
        "lines": [_line(m) for m in menu.items], "rows": rows, "refused": refused,
        "limits": _limits(selectors.limits_of(viewer_of(request))) if rows is not None else [],
        "max_items": MAX_MENU_ITEMS}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def institution_plan_menu(request: HttpRequest, institution_id: int) -> HttpResponse:
    """The menu for the institution's staff; for its approvers, the form to publish a new
    one (the whole menu at once, replacing the last), starting from the current lines."""
    viewer = viewer_of(request)
    institution = _institution(viewer, institution_id)
    publishes = may_publish_menu(viewer, institution)
    if request.method == "GET":
        menu = selectors.institution_menu(institution)
        return _page(request, menu, menu_rows(current=menu.items) if publishes else None)
    if not publishes:
        raise Forbidden(_("只有本机构或上级机构的审批人可以发布标准还款方案"))
    rows = menu_rows(request.POST)
    if not rows.is_valid():
        return _page(request, selectors.institution_menu(institution), rows, status=400)
    try:
        made = services.menu_publish(actor=viewer, institution=institution, items=rows.items())
    except DomainError as exc:  # nothing was written: the rows stay as typed
        return _page(request, selectors.institution_menu(institution), rows,
                     refused=exc.message,
                     status=403 if isinstance(exc, PermissionDenied) else 400)
    messages.success(request, _("已发布标准还款方案，共 %(n)d 项") % {"n": len(made)})
    return redirect(reverse("web:institution_plan_menu", args=[institution.pk]))
