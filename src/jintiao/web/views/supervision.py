"""Supervisors' pages: the statistics of a node and period with how each figure was made,
and the ledger with its exports. Thin: the figures come from supervision.selectors."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jintiao import clock
from jintiao.domain import figures
from jintiao.domain.figures import FUNNEL, ReportPeriod
from jintiao.orgs.models import Organization, User
from jintiao.supervision import exports, selectors, services
from jintiao.supervision.selectors import MEASURES, LedgerFilter
from jintiao.web.forms.supervision import FiguresForm, LedgerForm
from jintiao.web.views.common import viewer_of

# The figures a report's main table shows, in order, and the rates made from them.
HEADLINE = ("received", "accepted", "concluded", "settled", "failed", "withdrawn",
            "amount_involved", "amount_settled", "amount_agreed", "confirmed",
            "amount_confirmed", "performed", "defaulted", "enforcement", "fees_saved",
            "distressed", "amount_distressed", "credit_repaired")
RATES = (("success_rate", "调解成功率"), ("confirmation_rate", "司法确认率"),
         ("performance_rate", "履行完毕率"), ("within_deadline_rate", "按期办结率"))
BREAKDOWN_COLUMNS = ("accepted", "concluded", "settled", "amount_settled", "confirmed",
                     "performed", "defaulted")


def _choice(request: HttpRequest, viewer: User) -> tuple[Organization, ReportPeriod, FiguresForm]:
    nodes = selectors.report_nodes(viewer)
    form = FiguresForm(request.GET or None, nodes=nodes)
    node_id, period = None, None
    if form.is_bound and form.is_valid():
        node_id = form.cleaned_data["node"].pk if form.cleaned_data["node"] else None
        period = form.cleaned_data["period"]
    elif form.is_bound and "node" in form.errors:
        raise Http404(_("记录不存在或无权查看"))
    node = selectors.report_node_for(viewer, node_id)
    if node is None:
        raise Http404(_("记录不存在或无权查看"))
    return node, period or ReportPeriod.month_of(clock.today()), form


@login_required
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    """A node's figures for a period, against the period before and a year before."""
    viewer = viewer_of(request)
    if not selectors.may_supervise(viewer):
        raise Http404(_("记录不存在或无权查看"))
    node, period, form = _choice(request, viewer)
    services.figures_refresh()
    stats = selectors.statistics(node, period)
    before = selectors.tally(node, period.previous)
    year_ago = selectors.tally(node, period.year_ago)
    rows = [{"measure": m, "value": stats.totals[m.key], "before": before[m.key],
             "change": figures.change(stats.totals[m.key], before[m.key]),
             "year_ago": year_ago[m.key],
             "yoy": figures.change(stats.totals[m.key], year_ago[m.key])}
            for m in (selectors.BY_KEY[k] for k in HEADLINE)]
    rates = [{"label": label, "value": getattr(stats.totals, key),
              "before": getattr(before, key), "year_ago": getattr(year_ago, key),
              "definition": figures.DEFINITIONS[key]} for key, label in RATES]
    return render(request, "web/supervision/statistics.html", {
        "form": form, "node": node, "period": period, "stats": stats, "rows": rows,
        "rates": rates, "funnel": list(zip(FUNNEL, stats.funnel[1:], strict=True)),
        "funnel_definition": figures.DEFINITIONS["funnel"],
        "days_definition": figures.DEFINITIONS["working_days"],
        "breakdowns": [(selectors.BREAKDOWNS[k], k, groups)
                       for k, groups in stats.breakdowns.items() if groups],
        "breakdown_columns": [selectors.BY_KEY[k] for k in BREAKDOWN_COLUMNS],
        "funnel_by": [(selectors.BREAKDOWNS[k], rows_) for k, rows_ in stats.funnel_by.items()],
        "stages": FUNNEL})


@login_required
@require_GET
def figure_trace(request: HttpRequest, key: str) -> HttpResponse:
    """The disputes behind one figure, with the rule that counted them."""
    viewer = viewer_of(request)
    if not selectors.may_supervise(viewer):
        raise Http404(_("记录不存在或无权查看"))
    known = {m.key for m in MEASURES} | {f"stage_{s.value}" for s in FUNNEL}
    if key not in known:
        raise Http404(_("没有这个统计项"))
    node, period, _form = _choice(request, viewer)
    services.figures_refresh()
    label, rule = selectors.trace_rule(key)
    page = Paginator(selectors.trace(node, period, key), 50).get_page(request.GET.get("page"))
    return render(request, "web/supervision/trace.html", {
        "node": node, "period": period, "label": label, "rule": rule, "page": page,
        "key": key})


def _ledger_filter(form: LedgerForm) -> LedgerFilter:
    if not form.is_valid():
        return LedgerFilter()
    data: dict[str, Any] = form.cleaned_data
    return LedgerFilter(
        state=data["state"], dispute_type=data["dispute_type"], channel=data["channel"],
        outcome=data["outcome"],
        committee_id=data["committee"].pk if data["committee"] else None,
        institution_id=data["institution"].pk if data["institution"] else None,
        received_from=data["received_from"], received_to=data["received_to"])


@login_required
@require_GET
def ledger(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The ledger of every dispute under the viewer's node; ?export=xlsx or csv."""
    viewer = viewer_of(request)
    if not selectors.may_read_ledger(viewer):
        raise Http404(_("记录不存在或无权查看"))
    services.figures_refresh()
    form = LedgerForm(request.GET or None, node=viewer.organization)
    disputes = selectors.ledger(viewer, _ledger_filter(form))
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    export = request.GET.get("export")
    if export == "csv":
        stream = StreamingHttpResponse(
            exports.csv_chunks(selectors.ledger_rows(disputes.iterator(chunk_size=500))),
            content_type="text/csv; charset=utf-8")
        stream["Content-Disposition"] = f'attachment; filename="ledger-{stamp}.csv"'
        return stream
    if export == "xlsx":
        body = exports.xlsx_bytes(selectors.ledger_rows(disputes.iterator(chunk_size=500)),
                                  title=_("工作台账"))
        response = HttpResponse(body, content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="ledger-{stamp}.xlsx"'
        return response
    page = Paginator(disputes, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(request, "web/supervision/ledger.html", {
        "form": form, "page": page, "rows": list(selectors.ledger_rows(page.object_list)),
        "columns": selectors.LEDGER_COLUMNS, "query": query.urlencode()})
