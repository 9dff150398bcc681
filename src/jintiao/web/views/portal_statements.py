"""The party's own door to its signed statements: the 送达地址确认书 it fills in and signs
with a code on its phone, and the joint application the desk sent it a code for. The
rules are the services' (documents.statements)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jintiao.confirmation import joint
from jintiao.disputes.models import Statement
from jintiao.documents import statements
from jintiao.web.forms import statements as forms
from jintiao.web.views.common import attempt, mistakes
from jintiao.web.views.portal import _back, _mine, _party, party_required


def statements_for(request: HttpRequest, mine: Any) -> dict[str, Any]:
    """What the party's page shows: its address for service in force, the form to confirm
    a new one, and the statements waiting for its code."""
    row = mine.row
    current = statements.latest(row, Statement.Kind.SERVICE_ADDRESS)
    initial = ({k: current.content.get(k) for k in ("postal_address", "recipient", "email",
                                                     "e_service")}
               if current else {"postal_address": row.party.address})  # consent: unticked
    return {
        "service_address": current,
        "address_form": forms.AddressForm(initial=initial),
        # the record of undisputed facts is confirmed in its own card
        "pending_statements": [s for s in joint.pending_for(mine.dispute, [row.pk])
                               if s.kind != Statement.Kind.UNDISPUTED_FACTS],
        "statement_code_form": forms.StatementCodeForm(),
    }


@party_required
@require_POST
def address(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """Fix the address typed as the party's 送达地址确认书 and send the code that signs it."""
    user = _party(request)
    mine = _mine(request, dispute_id)
    form = forms.AddressForm(request.POST)
    if not form.is_valid():
        messages.error(request, mistakes(form))
        return _back(dispute_id, "service-address")
    d = form.cleaned_data

    def send() -> Statement:
        return statements.statement_code_send(
            actor=user, dispute_id=dispute_id, party_row_id=mine.row.pk,
            kind=Statement.Kind.SERVICE_ADDRESS,
            content=statements.service_address_content(
                mine.row, postal_address=d["postal_address"], e_service=d["e_service"],
                email=d["email"], recipient=d["recipient"]))

    attempt(request, send, _("验证码已发送到您登记的手机，请在下方输入以签署送达地址确认书"))
    return _back(dispute_id, "to-sign")


@party_required
@require_POST
def sign(request: HttpRequest, dispute_id: int, statement_id: int) -> HttpResponse:
    """Sign one waiting statement of the party's with the code its phone received."""
    user = _party(request)
    mine = _mine(request, dispute_id)
    if not Statement.objects.filter(pk=statement_id, party_row=mine.row).exists():
        raise Http404(_("没有需要您签署的文书"))
    form = forms.StatementCodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, mistakes(form))
        return _back(dispute_id, "to-sign")
    attempt(request, lambda: statements.statement_sign(
        actor=user, statement_id=statement_id, code=form.cleaned_data["code"],
        client_ip=request.META.get("REMOTE_ADDR", "")), _("您已签署"))
    return _back(dispute_id, "to-sign")
