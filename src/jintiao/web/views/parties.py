"""A party's particulars on the case file: shown masked on the dispute page, corrected by
the committee's desk through the one service (disputes.particulars)."""

from __future__ import annotations

import hashlib
import mimetypes
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jintiao.disputes.models import DisputeParty, DisputeRepresentative
from jintiao.disputes.particulars import EDITABLE, party_update, representative_scan_read
from jintiao.documents.integrity import MISSING_ADVICE
from jintiao.domain.errors import DomainError
from jintiao.domain.particulars import IdType, RepRole, missing_for_court
from jintiao.parties.models import Party
from jintiao.web.forms.disputes import PartyUpdateForm
from jintiao.web.views.common import standing_or_404, viewer_of
from jintiao.web.views.errors import file_missing


def particulars_of(party: Party) -> dict[str, Any]:
    """What the dispute page says of a party beyond its name: the particulars in words (no
    number in full) and what a court filing would still lack."""
    person = party.kind == "person"
    # the year only: the masked number's hidden digits are the birth date itself
    parts = ([party.sex, f"{party.birth_date.year}年生" if party.birth_date else "",
              party.ethnicity, party.occupation] if person else [])
    if party.address:
        parts.append(f"住{party.address}" if person else f"住所地{party.address}")
    if person and party.residence:
        parts.append(f"现住{party.residence}")
    if not person and party.rep_name:
        role = RepRole(party.rep_role or RepRole.LEGAL_REP).label
        parts.append(f"{role}{party.rep_name}" + (f"（{party.rep_title}）" if party.rep_title
                                                   else ""))
    return {"line": "，".join(p for p in parts if p),
            "id_type": IdType(party.id_type).label if party.id_type else "",
            "missing": missing_for_court(kind=party.kind, domicile=party.address,
                                         ethnicity=party.ethnicity, rep_name=party.rep_name)}


@login_required
@require_http_methods(["GET", "POST"])
def party_edit(request: HttpRequest, dispute_id: int, row_id: int) -> HttpResponse:
    """The desk completes or corrects one party's particulars; refusals are shown at their
    fields and keep what was typed."""
    me = standing_or_404(viewer_of(request), dispute_id)
    if not me.may_edit_particulars():
        raise Http404(_("无权更正当事人基本情况"))
    row = (DisputeParty.objects.filter(pk=row_id, dispute=me.dispute).select_related("party")
           .first())
    if row is None:
        raise Http404(_("当事人不存在"))
    party = row.party
    initial = {name: getattr(party, name) for name in EDITABLE if hasattr(party, name)}
    initial.update(expected_version=party.version, phone="", rep_id_number="")
    form = PartyUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {name: value for name, value in form.particulars().items()
                   if form[name].data not in (None, "") or initial.get(name)}
        if form.cleaned_data["phone"]:
            changes["phone"] = form.cleaned_data["phone"]
        if not form.cleaned_data["rep_id_number"]:
            changes.pop("rep_id_number", None)  # left blank: the number on file stays
        try:
            party_update(actor=me.user, dispute_id=dispute_id, party_row_id=row.pk,
                         expected_version=form.cleaned_data["expected_version"],
                         changes=changes)
        except DomainError as exc:
            field = str(exc.details.get("field", ""))
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已更正%(name)s的基本情况") % {"name": party.name})
            return redirect("web:dispute_detail", dispute_id=dispute_id)
    return render(request, "web/parties/edit.html", {
        "d": me.dispute, "row": row, "party": party, "form": form,
        "shown": particulars_of(party)})


@login_required
@require_http_methods(["GET"])
def representative_scan(request: HttpRequest, dispute_id: int, rep_id: int) -> HttpResponse:
    """The scan of a power of attorney, for the committee's desk: served only while it still
    gives the SHA-256 taken when it was filed."""
    me = standing_or_404(viewer_of(request), dispute_id)
    if not me.may_edit_particulars():
        raise Http404(_("无权查看授权委托书"))
    rep = DisputeRepresentative.objects.filter(pk=rep_id, party_row__dispute=me.dispute).first()
    if rep is None or not rep.scan:
        raise Http404(_("没有授权委托书扫描件"))
    try:
        with rep.scan.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:  # a restore without the stored files: say so, never a 500
        return file_missing(request, _("授权委托书扫描件在文件存储中找不到，") + MISSING_ADVICE,
                            dispute_id)
    if hashlib.sha256(data).hexdigest() != rep.scan_sha256:
        messages.error(request, _("授权委托书扫描件与登记时的摘要不符，可能已被改动，"
                                  "系统已拒绝提供"))
        return redirect("web:dispute_detail", dispute_id=dispute_id)
    kind = mimetypes.guess_type(rep.scan.name or "")[0] or "application/octet-stream"
    representative_scan_read(actor=me.user, representative=rep)
    return HttpResponse(data, content_type=kind,
                        headers={"Content-Disposition": "inline",
                                 "X-Content-Type-Options": "nosniff"})
