"""The failure package on the workbench (调解不成移送材料, issue 21 §4): the desk ties the
undisputed facts to the complaint's elements and makes the package; the desk and the court
see each version with its documents and take its JSON."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jintiao.disputes.access import DisputeNotFound, PermissionDenied, RecordNotFound, Standing
from jintiao.documents import packages
from jintiao.documents.models import FailurePackage
from jintiao.mediation import services
from jintiao.mediation.models import UndisputedFacts
from jintiao.web.forms.failure_package import PackageForm
from jintiao.web.views.common import standing_or_404, submit, viewer_of
from jintiao.web.views.mediation_rows import header


def package_summary(package: FailurePackage) -> dict[str, Any]:
    """A version as the pages list it: its documents in the package's order, and how much
    of the complaint the case filled and of the answer the debtor confirmed."""
    content = package.content
    complaint = content["complaint"]["elements"]
    answer = content["answer"]["elements"]
    return {
        "package": package,
        "documents": [(_("起诉状"), package.complaint), (_("答辩状"), package.answer),
                      (_("无争议事实记载表"), package.facts), (_("证据目录"), package.evidence)],
        "filled": sum(1 for e in complaint if e["filled"]), "elements": len(complaint),
        "confirmed": sum(1 for e in answer if e["position"] == "confirmed"),
        "evidence": len(content["evidence"]), "title": content["complaint"]["title"],
    }


def package_card(me: Standing) -> dict[str, Any] | None:
    """The latest package for the dispute page and the failure page, for those who may read
    it; ``None`` for everyone else, or before the mediation failed."""
    if not me.may_read_failure_package():
        return None
    latest = packages.packages_of(me.dispute).first()
    may_make = (me.may_prepare_failure_package()
                and me.dispute.state in services.FAILURE_PACKAGE_STATES
                and services.ties_offered(me.dispute)[0] is not None)
    if latest is None and not may_make:
        return None
    return {"latest": package_summary(latest) if latest else None, "may_make": may_make}


def _form(me: Standing, data: Any = None) -> PackageForm | None:
    template, offered = services.ties_offered(me.dispute)
    record = UndisputedFacts.objects.filter(dispute=me.dispute).first()
    if template is None or record is None:
        return None
    latest = packages.packages_of(me.dispute).first()
    ties: dict[int, str] = {}
    if latest is not None and [f["text"] for f in latest.content["undisputed_facts"]["facts"]
                               ] == list(record.facts):
        ties = {int(n): key for n, key in latest.fact_elements.items()}
    notes = {int(k): v for k, v in (latest.evidence_notes if latest else {}).items()}
    evidence = [(a.pk, a.name) for a in services.shared_evidence(me.dispute)]
    return PackageForm(data, facts=record.facts, offered=offered, ties=ties,
                       evidence=evidence, notes=notes, auto_id="package_%s")


@login_required
@require_GET
def failure_package_page(request: HttpRequest, dispute_id: int) -> HttpResponse:
    me = standing_or_404(viewer_of(request), dispute_id)
    if not me.may_read_failure_package():
        raise Forbidden(_("只有本调委会工作人员、本纠纷的调解员或受理法院可以查看调解不成移送材料"))
    dispute = me.dispute
    card = package_card(me)
    context = header(me)
    template, _offered = services.ties_offered(dispute)
    context.update({
        "card": card, "on_package_page": True,
        "versions": [package_summary(p) for p in packages.packages_of(dispute)],
        "form": _form(me) if card and card["may_make"] else None,
        "template": template,
        "has_record": UndisputedFacts.objects.filter(dispute=dispute).exists(),
        "schema_url": "/api/v1/schemas/failure-package.json",
    })
    return render(request, "web/loop/failure_package.html", context)


@login_required
@require_POST
def failure_package_make(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    me = standing_or_404(viewer, dispute_id)
    form = _form(me, request.POST) or PackageForm(request.POST)
    submit(request, form, lambda _d: services.failure_package_generate(
        actor=viewer, dispute_id=dispute_id, fact_elements=form.ties(),
        evidence_notes=form.notes()),
        _("已制作调解不成移送材料"))
    return redirect("web:failure_package", dispute_id=dispute_id)


@login_required
@require_GET
def failure_package_json(request: HttpRequest, dispute_id: int, version: int) -> HttpResponse:
    """A version's JSON as the court's system fetches it (the read is on the timeline)."""
    try:
        found = packages.failure_package_read(viewer_of(request), dispute_id, version)
    except (DisputeNotFound, RecordNotFound):
        raise Http404(_("记录不存在或无权查看")) from None
    except PermissionDenied as refused:
        raise Forbidden(refused.message) from None
    answer = JsonResponse(found.content, json_dumps_params={"ensure_ascii": False})
    answer["Content-Disposition"] = (
        f'attachment; filename="failure-package-{found.dispute.number}-v{found.version}.json"')
    return answer
