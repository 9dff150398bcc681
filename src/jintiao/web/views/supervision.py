"""Supervisors' pages: the statistics of a node and period with how each figure was made,
and the ledger with its exports. Thin: the figures come from supervision.selectors."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jintiao import clock
from jintiao.documents.render import html_to_pdf
from jintiao.domain import figures
from jintiao.domain.figures import FUNNEL, PeriodKind, ReportPeriod
from jintiao.domain.spotchecks import CHECKLIST, SHORT
from jintiao.orgs.models import Organization, User
from jintiao.supervision import exports, ledger_exports, reports, selectors, services
from jintiao.supervision.models import ExportFormat, ExportState
from jintiao.supervision.selectors import MEASURES, LedgerFilter
from jintiao.timeline.checkpoints import checkpoints_latest, checkpoints_until, key_fingerprint
from jintiao.web.forms.supervision import (
    FiguresForm,
    LedgerForm,
    SpotCheckDrawForm,
    SpotCheckReviewForm,
)
from jintiao.web.paging import CappedPaginator
from jintiao.web.views.common import attempt, submit, viewer_of
from jintiao.web.views.mediation_rows import found_or_404

BREAKDOWN_COLUMNS = ("accepted", "concluded", "settled", "amount_settled", "confirmed",
                     "performed", "defaulted")


def _choice(request: HttpRequest, viewer: User) -> tuple[Organization, ReportPeriod, FiguresForm]:
    nodes = selectors.report_nodes(viewer)
    form = FiguresForm(request.GET or None, nodes=nodes)
    node_id, period = None, None
    if form.is_bound:
        if "node" in form.errors:
            raise Http404(_("记录不存在或无权查看"))
        form.is_valid()  # a bad period is shown on the form; the node asked for stays
        chosen = form.cleaned_data.get("node")
        node_id = chosen.pk if chosen else None
        period = form.cleaned_data.get("period")
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
    rows, rates = reports.comparisons(node, period, stats.totals)
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
    page = CappedPaginator(selectors.trace(node, period, key), 50).get_page(
        request.GET.get("page"))
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
    if not selectors.may_supervise(viewer):
        raise Http404(_("记录不存在或无权查看"))
    services.figures_refresh()
    form = LedgerForm(request.GET or None, node=viewer.organization)
    if form.is_bound and not form.is_valid():  # a filter that cannot be read filters nothing
        disputes = selectors.ledger(viewer, LedgerFilter()).none()
    else:
        disputes = selectors.ledger(viewer, _ledger_filter(form))
    export = request.GET.get("export")
    if export in ExportFormat.values:
        return _export(request, disputes, export)
    page = CappedPaginator(disputes, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(request, "web/supervision/ledger.html", {
        "form": form, "page": page, "rows": selectors.ledger_rows(page.object_list),
        "columns": selectors.LEDGER_COLUMNS, "query": query.urlencode(),
        "exports": selectors.ledger_exports_of(viewer)})


def _export(request: HttpRequest, disputes: Any,
            fmt: str) -> HttpResponse | StreamingHttpResponse:
    """A ledger export up to ``EXPORT_INLINE_ROWS`` rows is answered here; a larger one is
    offered as a background export (its page shows the progress), never cut off by a
    timeout half-way while answering 200 as before (issue 19 §3)."""
    counted = ledger_exports.too_large_to_answer(disputes)
    if counted is not None:
        query = request.GET.copy()
        query.pop("export", None)
        query.pop("page", None)
        return render(request, "web/supervision/ledger_export_confirm.html", {
            "format": fmt, "label": ExportFormat(fmt).label,
            "approximate": f"{counted.approximate:,}" if counted.approximate else "",
            "limit": f"{settings.EXPORT_INLINE_ROWS:,}", "fields": list(query.lists()),
            "query": query.urlencode()})
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    rows = (row for chunk in selectors.ledger_chunks(disputes) for row in chunk)
    if fmt == ExportFormat.CSV:
        stream = StreamingHttpResponse(exports.csv_chunks(rows),
                                       content_type="text/csv; charset=utf-8")
        stream["Content-Disposition"] = f'attachment; filename="ledger-{stamp}.csv"'
        return stream
    response = HttpResponse(exports.xlsx_bytes(rows, title=_("工作台账")), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ledger-{stamp}.xlsx"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_POST
def ledger_export_create(request: HttpRequest) -> HttpResponse:
    """Ask for a background export of the ledger as filtered; its page follows it."""
    viewer = viewer_of(request)
    if not selectors.may_supervise(viewer):
        raise Http404(_("记录不存在或无权查看"))
    form = LedgerForm(request.POST, node=viewer.organization)
    if not form.is_valid():
        messages.error(request, _("筛选条件无效，未导出：请回到台账重新选择"))
        return redirect("web:ledger")
    made = attempt(request, lambda: ledger_exports.ledger_export_request(
        viewer, _ledger_filter(form), request.POST.get("format", "")),
        _("已申请导出工作台账"))
    if made is None:
        return redirect("web:ledger")
    return redirect("web:ledger_export_detail", export_id=made.pk)


@login_required
@require_GET
def ledger_export_detail(request: HttpRequest, export_id: int) -> HttpResponse:
    """One export's progress, polled while it runs; its download once done."""
    viewer = viewer_of(request)
    export = found_or_404(lambda: selectors.ledger_export_for(viewer, export_id))
    context = {"export": export}
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "export-status":
        return render(request, "web/supervision/_ledger_export_status.html", context)
    return render(request, "web/supervision/ledger_export.html", context)


@login_required
@require_GET
def ledger_export_download(request: HttpRequest, export_id: int) -> FileResponse:
    """The finished export's file, to the one who asked for it only."""
    viewer = viewer_of(request)
    export = found_or_404(lambda: selectors.ledger_export_for(viewer, export_id))
    if export.state != ExportState.DONE or not export.file:
        raise Http404(_("这次导出没有可下载的文件"))
    try:
        handle = export.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("导出文件已不在文件存储中，请重新导出")) from None
    return FileResponse(handle, as_attachment=True,
                        filename=f"ledger-{export.requested_at.astimezone(clock.TZ):%Y%m%d-%H%M}"
                                 f"-{export.pk}.{export.format}",
                        content_type=XLSX if export.format == ExportFormat.XLSX
                        else "text/csv; charset=utf-8")


def _report(request: HttpRequest) -> tuple[reports.Report, FiguresForm]:
    viewer = viewer_of(request)
    if not selectors.may_supervise(viewer):
        raise Http404(_("记录不存在或无权查看"))
    node, period, form = _choice(request, viewer)
    services.figures_refresh()
    return reports.report_build(node, period), form


def _report_context(report: reports.Report) -> dict[str, Any]:
    period_end = dt.datetime.combine(report.period.end + dt.timedelta(days=1), dt.time(),
                                     tzinfo=clock.TZ)
    return {"report": report, "funnel_definition": figures.DEFINITIONS["funnel"],
            # printed so that whoever files the report holds a copy of the roots
            "checkpoints": checkpoints_until(min(period_end, clock.now())),
            "checklist": list(SHORT.items()),
            "charts": {"trend": report.chart_trend(), "counties": report.chart_counties()
                       if report.counties else "", "funnel": report.chart_funnel()}}


def _filename(report: reports.Report, suffix: str) -> str:
    return f"report-{report.node.pk}-{report.period}.{suffix}"


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """The monthly, quarterly or yearly report of a node, with its charts."""
    made, form = _report(request)
    query = f"node={made.node.pk}&period={made.period}"
    return render(request, "web/supervision/report.html",
                  {**_report_context(made), "form": form, "query": query})


@login_required
@require_GET
def report_pdf(request: HttpRequest) -> HttpResponse:
    """The report as an A4 PDF in Chinese with the fonts embedded and the charts inline."""
    made, _form = _report(request)
    context = _report_context(made)
    # as images: WeasyPrint draws an SVG image with its SVG renderer, not as page markup
    context["charts"] = {k: (f'<img alt="" src="data:image/svg+xml;base64,'
                             f'{base64.b64encode(v.encode()).decode()}">' if v else "")
                         for k, v in context["charts"].items()}
    html = render_to_string("web/supervision/report_print.html", context)
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(made, "pdf")}"'
    return response


@login_required
@require_GET
def report_xlsx(request: HttpRequest) -> HttpResponse:
    """The report as a workbook with native charts."""
    made, _form = _report(request)
    response = HttpResponse(exports.report_xlsx(made), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = f'attachment; filename="{_filename(made, "xlsx")}"'
    return response


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The supervisor's home: this month so far against the same days of the last, the
    year's rates, what is overdue and where, and the counties side by side."""
    viewer = viewer_of(request)
    if not selectors.may_supervise(viewer):
        raise Http404(_("记录不存在或无权查看"))
    node, _period, form = _choice(request, viewer)
    services.figures_refresh()
    board = selectors.dashboard(node, clock.today())
    keys = ("received", "accepted", "concluded", "settled", "amount_settled", "confirmed",
            "performed", "defaulted", "fees_saved")
    months = [{"measure": selectors.BY_KEY[k], "now": board.this_month[k],
               "before": board.last_month_same_days[k], "whole": board.last_month[k],
               "change": figures.change(board.this_month[k], board.last_month_same_days[k])}
              for k in keys]
    rates = [{"label": label, "month": getattr(board.this_month, key),
              "year": getattr(board.this_year, key), "definition": figures.DEFINITIONS[key]}
             for key, label in reports.RATES]
    altered_count, altered = selectors.altered_records(
        node, clock.now() - dt.timedelta(days=selectors.ALTERED_DAYS))
    return render(request, "web/supervision/dashboard.html", {
        "board": board, "months": months, "rates": rates, "form": form,
        "altered": altered, "altered_count": altered_count,
        "altered_days": selectors.ALTERED_DAYS,
        "overdue_definitions": {"mediation": figures.DEFINITIONS["overdue_mediation"],
                                "all": figures.DEFINITIONS["overdue"]}})


@login_required
@require_http_methods(["GET", "POST"])
def spot_checks(request: HttpRequest) -> HttpResponse:
    """The quarters' spot checks under the viewer's node; supervisors draw a new one."""
    viewer = viewer_of(request)
    if not selectors.may_supervise(viewer):
        raise Http404(_("记录不存在或无权查看"))
    nodes = selectors.report_nodes(viewer)
    today = clock.today()
    form = SpotCheckDrawForm(request.POST or None, nodes=nodes, initial={
        "node": viewer.organization, "year": today.year,
        "quarter": ReportPeriod.quarter_of(today).index})
    if request.method == "POST":
        made = submit(request, form, lambda d: services.spot_check_draw(
            actor=viewer, node=d["node"], year=d["year"], quarter=d["quarter"],
            per_committee=d["per_committee"], seed=d["seed"]), _("已抽取"))
        if made is not None:
            return redirect("web:spot_check", check_id=made.pk)
    return render(request, "web/supervision/spot_checks.html", {
        "form": form, "checks": selectors.spot_checks_for(viewer)})


@login_required
@require_http_methods(["GET", "POST"])
def spot_check(request: HttpRequest, check_id: int) -> HttpResponse:
    """One quarter's drawn disputes, the checklist for each, and the findings so far."""
    viewer = viewer_of(request)
    check = selectors.spot_check_for(viewer, check_id)
    if check is None:
        raise Http404(_("记录不存在或无权查看"))
    if request.method == "POST":
        item = request.POST.get("item", "")
        item_id = int(item) if item.isascii() and item.isdigit() and len(item) < 12 else 0
        form = SpotCheckReviewForm(request.POST, prefix=f"item{item_id}")
        submit(request, form, lambda d: services.spot_check_review(
            actor=viewer, item_id=item_id, answers=form.answers(), findings=d["findings"],
            check_id=check.pk),
            _("检查结果已保存"))
        return redirect("web:spot_check", check_id=check.pk)
    period = ReportPeriod(check.year, PeriodKind.QUARTER, check.quarter)
    items = [(item, SpotCheckReviewForm(prefix=f"item{item.pk}", initial={
        **{k: ("yes" if v else "no") for k, v in item.answers.items()},
        "findings": item.findings})) for item in selectors.spot_check_items(check)]
    return render(request, "web/supervision/spot_check.html", {
        "check": check, "period": period, "items": items, "checklist": CHECKLIST,
        "short": SHORT,
        "summary": selectors.findings_summary(check.node, period, check)})


@login_required
@require_GET
def checkpoints(request: HttpRequest) -> HttpResponse:
    """Every signed checkpoint of the record, newest first, read-only: supervisors keep
    the roots and the key's fingerprint to check any dispute's audit bundle against."""
    viewer = viewer_of(request)
    if not selectors.may_supervise(viewer):
        raise Http404(_("记录不存在或无权查看"))
    page = Paginator(checkpoints_latest(), 50).get_page(request.GET.get("page"))
    return render(request, "web/supervision/checkpoints.html",
                  {"page": page, "fingerprint": key_fingerprint()})
