"""A person applies for mediation on the portal (issue 21 §1): the 人民调解申请书 on the
phone, the mobile proved by a code. Thin: the checks are ``portal.applications``'."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from jintiao.disputes.models import DisputeType
from jintiao.domain.errors import DomainError
from jintiao.orgs.models import INSTITUTION_KINDS, Organization
from jintiao.portal import applications, services
from jintiao.web import lockout
from jintiao.web.forms.portal import ApplicationForm
from jintiao.web.views.common import mistakes


def _form(data: Any = None, initial: dict[str, Any] | None = None) -> ApplicationForm:
    committees = [c for c in applications.committees_open()
                  if applications.takes_party_applications(c)]
    institutions = Organization.objects.filter(kind__in=INSTITUTION_KINDS).order_by("path")
    return ApplicationForm(data, initial=initial, committees=committees,
                           institutions=institutions, types=DisputeType.choices)


@sensitive_post_parameters("phone", "code", "id_number", "name", "address")
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """Step one texts the code to the mobile typed (the rest of the page kept); step two
    checks everything and the code, and keeps the application with its files."""
    form = _form(request.POST or None)
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "code":
            _send_code(request)
            # what was typed stays on the page, without calling the rest missing yet
            form = _form(initial={k: v for k, v in request.POST.items()
                                  if k not in ("csrfmiddlewaretoken", "code", "step")})
        elif form.is_valid():
            made = _submit(request, form)
            if made is not None:
                request.session["applied"] = made.number
                return redirect("portal:apply_done")
        else:
            messages.error(request, mistakes(form))
    return render(request, "web/portal/apply.html", {"form": form})


def _send_code(request: HttpRequest) -> None:
    phone = request.POST.get("phone", "")[:20]
    try:
        refused = lockout.portal_refused(request, services.sign_in_key(phone))
        if refused is not None:
            messages.error(request, _("尝试次数过多，请稍后再试"))
            return
        services.sign_in_code_send(phone=phone, client_ip=lockout.client_ip(request),
                                   applying=True)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("验证码已发送，请在下方填写后提交申请"))


def _submit(request: HttpRequest, form: ApplicationForm) -> Any:
    data = form.cleaned_data
    given = applications.Applying(
        committee_id=int(data["committee"]), name=data["name"], id_number=data["id_number"],
        phone=data["phone"], address=data["address"], side=data["side"],
        other_name=data["other_name"],
        institution_id=int(data["institution"]) if data["institution"] else None,
        dispute_type=data["dispute_type"], amount=data["amount"], facts=data["facts"],
        requests=data["requests"], consent_e_service=data["consent"])
    uploaded = request.FILES.getlist("attachments")[:applications.MAX_FILES + 1]
    # a file over the limit is named, not read into memory (its bytes stand for it)
    files = [applications.Upload(f.name or "附件", b"", size=f.size)
             if (f.size or 0) > applications.MAX_FILE_BYTES
             else applications.Upload(f.name or "附件", f.read()) for f in uploaded]
    try:
        return applications.application_submit(given=given, code=data["code"], files=files)
    except DomainError as exc:
        field = exc.details.get("field")
        if isinstance(field, str) and field in form.fields:
            form.add_error(field, exc.message)
        messages.error(request, exc.message)
        return None


def apply_done(request: HttpRequest) -> HttpResponse:
    """The receipt: the application's number and what happens next."""
    number = request.session.get("applied")
    if not number:
        return redirect("portal:apply")
    return render(request, "web/portal/apply_done.html", {"number": number})
