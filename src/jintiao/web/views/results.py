"""An institution's results file (结果回传) on the web: the institution's disputes and what
became of each, newest received first, and the same as a workbook. Thin: the rows and who
may read them are supervision.selectors' (disputes.access decides)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jintiao import clock, paging
from jintiao.disputes.access import PermissionDenied, RecordNotFound
from jintiao.orgs.models import Organization, User
from jintiao.supervision import exports, selectors, services
from jintiao.web.forms.results import ResultsForm
from jintiao.web.views.common import viewer_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = 50


def _institution(viewer: User, institution_id: int) -> Organization:
    try:
        return selectors.results_institution_for(viewer, institution_id)
    except RecordNotFound:
        raise Http404(_("记录不存在或无权查看")) from None
    except PermissionDenied as refused:
        raise Forbidden(refused.message) from None


def _page(request: HttpRequest, institution: Organization, form: ResultsForm,
          *, problem: str = "", status: int = 200) -> HttpResponse:
    """The page: the filter, the count, the download and the first rows (or the rows after
    ``cursor``)."""
    viewer = viewer_of(request)
    since = form.cleaned_data.get("since") if form.is_bound and form.is_valid() else None
    rows = selectors.results(viewer, institution, changed_since=since)
    counted = paging.capped_count(rows)
    try:
        page, after = selectors.result_page(rows, request.GET.get("cursor") or None, PAGE)
    except paging.CursorInvalid:
        page, after = selectors.result_page(rows, None, PAGE)
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(request, "web/institutions/results.html", {
        "institution": institution, "form": form, "rows": page, "next_cursor": after,
        "counted": counted, "query": query.urlencode(), "problem": problem,
        "inline_rows": settings.EXPORT_INLINE_ROWS}, status=status)


def _form(request: HttpRequest) -> ResultsForm:
    return ResultsForm(request.GET or None, now=clock.now())


@login_required
@require_GET
def institution_results(request: HttpRequest, institution_id: int) -> HttpResponse:
    """The institution's results, filtered by the day they changed since."""
    institution = _institution(viewer_of(request), institution_id)
    services.figures_refresh()
    form = _form(request)
    return _page(request, institution, form, status=400 if form.errors else 200)


@login_required
@require_GET
def institution_results_xlsx(request: HttpRequest, institution_id: int) -> HttpResponse:
    """The institution's results as a workbook (every row, or those changed since the day
    asked); more rows than a request writes are refused with the way to narrow them."""
    viewer = viewer_of(request)
    institution = _institution(viewer, institution_id)
    services.figures_refresh()
    form = _form(request)
    if form.is_bound and not form.is_valid():
        return _page(request, institution, form, status=400)
    rows = selectors.results(viewer, institution, changed_since=form.cleaned_data.get("since")
                             if form.is_bound else None)
    if paging.capped_count(rows, settings.EXPORT_INLINE_ROWS).estimated:
        return _page(request, institution, form, status=400, problem=_(
            "超过 %(n)s 件，无法一次导出：请填写“变动日期自”只导出此后有变动的纠纷，"
            "或由本机构系统通过接口分页读取") % {"n": f"{settings.EXPORT_INLINE_ROWS:,}"})
    data = exports.results_xlsx_bytes(selectors.result_chunks(rows), title=_("结果回传"))
    name = f"results-{institution.pk}-{clock.now():%Y%m%d-%H%M}.xlsx"
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
