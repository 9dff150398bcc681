"""The desk's part in the parties' signed statements: an address for service signed on
paper in front of it, the joint application's codes sent to each applicant's phone or its
paper signature recorded, and a code the party reads out at the desk. Every rule is the
services' (documents.statements, confirmation.joint)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jintiao.agreements import selectors as agreements
from jintiao.confirmation import joint
from jintiao.confirmation import selectors as court_selectors
from jintiao.disputes.access import Standing
from jintiao.disputes.models import DisputeParty, Statement
from jintiao.documents import statements
from jintiao.web.forms import statements as forms
from jintiao.web.views.common import submit, viewer_of, visible_or_404


def _back(dispute_id: int, court_id: int | None = None) -> HttpResponse:
    url = reverse("web:agreement", kwargs={"dispute_id": dispute_id})
    return redirect(f"{url}?court={court_id}#confirmation" if court_id else
                    f"{url}#confirmation")


def applicants_card(me: Standing, court_id: str | None) -> dict[str, Any] | None:
    """What the agreement page shows before filing: the court, and per applicant the
    address for service and the application's signature, with what this user may do."""
    dispute = me.dispute
    agreement = agreements.effective(dispute)
    courts = list(court_selectors.competent_courts(dispute))
    if agreement is None or not courts:
        return None
    chosen = next((c for c in courts if str(c.pk) == (court_id or "")), courts[0])
    signed = joint.signatures(dispute, agreement, chosen)
    served = joint.addresses(dispute, list(signed))
    pending = {s.party_row_id: s for s in joint.pending_for(dispute, list(signed))
               if s.kind == Statement.Kind.JOINT_APPLICATION
               and s.content.get("court") == chosen.pk}
    rows = DisputeParty.objects.filter(pk__in=list(signed)).select_related("party")
    out = []
    for row in sorted(rows, key=lambda r: list(signed).index(r.pk)):
        bank = row.role == "creditor" and row.party.kind == "entity"
        may_code = me.creditor if bank else me.committee_desk
        code = pending.get(row.pk)
        out.append({
            "row": row, "address": served.get(row.pk), "signature": signed.get(row.pk),
            "pending": code, "may_code": may_code and signed.get(row.pk) is None,
            "may_desk": me.committee_desk and signed.get(row.pk) is None,
            "may_enter": code is not None and (code.requested_by_id == me.user.pk
                                               or me.committee_desk),
            "address_form": forms.DeskAddressForm(
                initial={"row": row.pk, "postal_address": row.party.address},  # unticked
                auto_id=f"addr{row.pk}-%s") if me.committee_desk else None,
            "code_form": forms.StatementCodeForm(auto_id=f"code{row.pk}-%s"),
        })
    return {"court": chosen, "courts": courts, "rows": out,
            "ready": all(r["signature"] and r["address"] for r in out)}


@login_required
@require_POST
def address_at_desk(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """A 送达地址确认书 the party signed on paper at the desk."""
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    form = forms.DeskAddressForm(request.POST)

    def record(d: dict[str, Any]) -> Statement:
        row = DisputeParty.objects.select_related("party", "dispute").filter(
            pk=d["row"], dispute_id=dispute_id).first()
        if row is None:
            raise statements.StatementInvalid("所选当事人不属于该纠纷", "not a party")
        return statements.statement_record_at_desk(
            actor=viewer, dispute_id=dispute_id, party_row_id=row.pk,
            kind=Statement.Kind.SERVICE_ADDRESS,
            content=statements.service_address_content(
                row, postal_address=d["postal_address"], e_service=d["e_service"],
                email=d["email"], recipient=d["recipient"]))

    submit(request, form, record, _("已登记送达地址确认书（当面签署）"))
    return _back(dispute_id, _court(request))


def _court(request: HttpRequest) -> int | None:
    value = request.POST.get("court", "")
    return int(value) if value.isascii() and value.isdigit() else None


@login_required
@require_POST
def joint_code(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    submit(request, forms.ApplicantForm(request.POST), lambda d: joint.code_send(
        actor=viewer, dispute_id=dispute_id, party_row_id=d["row"], court_id=d["court"]),
        _("签署验证码已发送到申请人登记的手机；申请人可在当事人端输入，或当面告知后在此输入"))
    return _back(dispute_id, _court(request))


@login_required
@require_POST
def joint_at_desk(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    submit(request, forms.ApplicantForm(request.POST), lambda d: joint.record_at_desk(
        actor=viewer, dispute_id=dispute_id, party_row_id=d["row"], court_id=d["court"]),
        _("已登记申请人当面签署司法确认申请书（纸面签名存卷）"))
    return _back(dispute_id, _court(request))


@login_required
@require_POST
def statement_sign(request: HttpRequest, statement_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    found = Statement.objects.filter(pk=statement_id).values_list(
        "party_row__dispute_id", flat=True).first()
    if found is None:
        return redirect("web:home")
    visible_or_404(viewer, found)
    submit(request, forms.StatementCodeForm(request.POST), lambda d: statements.statement_sign(
        actor=viewer, statement_id=statement_id, code=d["code"],
        client_ip=request.META.get("REMOTE_ADDR", "")), _("已签署"))
    return _back(found, _court(request))

