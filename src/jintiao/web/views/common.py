"""What every workbench view needs: who is asking, the dispute if they may see it, and one
way to call a service and turn its refusal into a message."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from jintiao.agreements import integrity as agreement_integrity
from jintiao.agreements import services as signing
from jintiao.agreements.models import Agreement
from jintiao.disputes.access import (
    DisputeNotFound,
    RecordNotFound,
    Standing,
    dispute_get_for,
    standing_of,
)
from jintiao.disputes.models import Dispute
from jintiao.documents.integrity import RecordAltered
from jintiao.domain.errors import DomainError
from jintiao.orgs.models import User

T = TypeVar("T")


def viewer_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    return user


def visible_or_404(viewer: User, dispute_id: int) -> Dispute:
    """The dispute if the viewer may see it; otherwise the same 404 as a missing one."""
    try:
        return dispute_get_for(viewer, dispute_id)
    except DisputeNotFound:
        raise Http404(_("纠纷不存在或无权查看")) from None


def standing_or_404(viewer: User, dispute_id: int) -> Standing:
    """Where the viewer stands in the dispute, worked out once for the request; a dispute
    they may not see is the same 404 as a missing one."""
    return standing_of(viewer, visible_or_404(viewer, dispute_id))


def mistakes(form: forms.Form) -> str:
    """A form's mistakes as one line for a message."""
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


def submit(request: HttpRequest, form: forms.Form, call: Callable[[dict[str, Any]], T],
           done: str, invalid: str = "") -> T | None:
    """Check ``form``; if it is wrong, say so (``invalid``, or its own mistakes) and write
    nothing; otherwise make the one service call with its cleaned data, through
    :func:`attempt`."""
    if not form.is_valid():
        messages.error(request, invalid or mistakes(form))
        return None
    data = form.cleaned_data
    return attempt(request, lambda: call(data), done)


def attempt(request: HttpRequest, call: Callable[[], T], done: str) -> T | None:
    """Run one service call: hidden or missing becomes a 404, a refusal a message on the
    next page (nothing was written), success the ``done`` message."""
    try:
        result = call()
    except (DisputeNotFound, RecordNotFound):
        raise Http404(_("记录不存在或无权查看")) from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, done)
    return result


def agreement_shown(viewer: User, agreement: Agreement) -> SafeString:
    """The agreement as the page shows it — or, when its content no longer gives the digest
    its signers bound, the refusal in its place (the alert is on the timeline): a page
    never shows an altered agreement as if it were the one signed."""
    try:
        agreement_integrity.require_intact(agreement, actor=viewer)
    except RecordAltered as refused:
        return format_html('<p class="error altered" role="alert">{}</p>', refused.message)
    return mark_safe(signing.preview(agreement))  # noqa: S308 - rendered from escaped blocks


# Fields of a post that are not what a preview shows: the token, the button, the mark.
_NOT_PREVIEWED = {"csrfmiddlewaretoken", "step", "previewed"}


def previewed_mark(request: HttpRequest) -> str:
    """A mark of what was posted for a preview, put back in the page: a later "send" whose
    fields differ was not what the user saw, and is previewed again instead of sent."""
    fields = sorted((k, v) for k in request.POST if k not in _NOT_PREVIEWED
                    for v in request.POST.getlist(k))
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()[:32]


def as_previewed(request: HttpRequest) -> bool:
    """The post sends what its preview showed (see :func:`previewed_mark`)."""
    return hmac.compare_digest(request.POST.get("previewed", ""), previewed_mark(request))
