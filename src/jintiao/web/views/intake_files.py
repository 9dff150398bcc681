"""A bank's element-table files on the web (issue 20 §1): the template, the upload, each
file's progress while its rows are checked and filed, and its report. Thin: reading,
checking and filing are disputes.intake_files'; who may file where is disputes.access'."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jintiao.disputes import element_table, intake_files
from jintiao.disputes.access import filing_scope
from jintiao.disputes.models import IntakeFile, IntakeFileState
from jintiao.domain.errors import DomainError
from jintiao.web.forms.intake_files import IntakeFileForm
from jintiao.web.views.common import viewer_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# rows of the report shown on the page; the workbook holds them all
SHOWN = 200


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def intake_file_list(request: HttpRequest) -> HttpResponse:
    """Upload an element-table file; the template; the files uploaded before."""
    viewer = viewer_of(request)
    scope = filing_scope(viewer)
    if not scope.may_file:
        raise Forbidden(_("无权登记纠纷"))
    form = IntakeFileForm(request.POST or None, request.FILES or None,
                          institutions=scope.institutions, committees=scope.committees)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            made = intake_files.intake_file_upload(
                actor=viewer, institution=data["institution"], committee=data["committee"],
                filename=upload.name or "要素表", data=upload.read(element_table.MAX_BYTES + 1),
                all_or_nothing=data["mode"] == "all_or_nothing")
        except DomainError as exc:  # not an element table, or not theirs to file: kept nothing
            form.add_error("file" if exc.details.get("field") == "file" else None, exc.message)
        else:
            return redirect("web:intake_file_detail", file_id=made.pk)
    files = intake_files.intake_files_of(viewer)[:20]
    return render(request, "web/intake_files/list.html", {
        "form": form, "files": files, "institutions": scope.institutions,
        "max_rows": element_table.MAX_ROWS}, status=400 if form.errors else 200)


@login_required
@require_GET
def intake_template(request: HttpRequest, institution_id: int) -> HttpResponse:
    """The element-table template for an institution the viewer may file for."""
    institution = filing_scope(viewer_of(request)).institutions.filter(pk=institution_id).first()
    if institution is None:
        raise Http404(_("记录不存在或无权查看"))
    return _xlsx(element_table.template_xlsx(institution), f"要素表模板-{institution.name}.xlsx")


def _file(request: HttpRequest, file_id: int) -> IntakeFile:
    try:
        return intake_files.intake_file_get_for(viewer_of(request), file_id)
    except IntakeFile.DoesNotExist:
        raise Http404(_("记录不存在或无权查看")) from None


@login_required
@require_GET
def intake_file_detail(request: HttpRequest, file_id: int) -> HttpResponse:
    """One file: its progress, polled while its rows are checked and filed; then what became
    of each row."""
    upload = _file(request, file_id)
    rows = intake_files.row_results(upload) if upload.state == IntakeFileState.DONE else []
    not_filed = [r for r in rows if r["outcome"] in ("refused", "conflict", "unsaved")]
    context = {"upload": upload, "not_filed": not_filed[:SHOWN],
               "more": max(0, len(not_filed) - SHOWN),
               "may_download": intake_files.may_download(viewer_of(request), upload)
               and bool(upload.file)}
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "intake-status":
        return render(request, "web/intake_files/_status.html", context)
    return render(request, "web/intake_files/detail.html", context)


@login_required
@require_GET
def intake_file_report(request: HttpRequest, file_id: int) -> HttpResponse:
    """The file's rows with what became of each, as a workbook."""
    upload = _file(request, file_id)
    if upload.state != IntakeFileState.DONE or not intake_files.may_download(
            viewer_of(request), upload):
        raise Http404(_("文件尚未处理完毕，或只有上传人可以下载"))
    try:
        data = intake_files.report_xlsx(upload)
    except intake_files.FileGone as gone:
        raise Http404(gone.message) from None
    stem = upload.filename.rsplit(".", 1)[0]
    return _xlsx(data, f"处理结果-{stem}.xlsx")
