"""Hardship pauses on the mediation page (issue 21 §3): the desk asks, the director decides,
the desk reviews and may end one early. Thin: each post is one service call; who may do
what is the standing's."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jintiao.disputes.access import Standing
from jintiao.domain import hardship
from jintiao.domain.lifecycle import State
from jintiao.mediation import selectors, services
from jintiao.mediation.models import HardshipPause
from jintiao.web.forms import mediation as forms
from jintiao.web.views.common import submit, viewer_of, visible_or_404
from jintiao.web.views.mediation_rows import back_to


def pause_card(me: Standing) -> dict[str, Any]:
    """What the mediation page shows of the dispute's pauses: every side that takes part
    sees that one runs and until when; only the desk reads the evidence."""
    dispute = me.dispute
    pauses = selectors.pauses_for(me)
    open_ = dispute.state in (State.ACCEPTED, State.MEDIATING)
    waiting = next((p for p in pauses if p.status == HardshipPause.Status.REQUESTED), None)
    running = next((p for p in pauses if p.status == HardshipPause.Status.ACTIVE), None)
    policy = selectors.policy_of(dispute)
    return {
        "pauses": pauses, "pause_running": running, "pause_waiting": waiting,
        "pause_evidence": me.desk,
        "pause_form": forms.PauseRequestForm() if me.may_mediate() and open_
        and waiting is None and running is None else None,
        "pause_max": hardship.max_days(policy), "pause_count_max": policy.max_hardship_pauses,
        "pause_decide": forms.DecisionForm() if waiting and me.may_direct() else None,
        "pause_note": forms.PauseNoteForm() if running and me.may_mediate() else None,
    }


@login_required
@require_POST
def pause_request(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    submit(request, forms.PauseRequestForm(request.POST), lambda d: services.pause_request(
        actor=viewer, dispute_id=dispute_id, ground=d["ground"], evidence=d["evidence"],
        days=d["days"]), _("已提交纾困暂停申请，待调委会主任审批"))
    return back_to(dispute_id, "pause")


@login_required
@require_POST
def pause_decide(request: HttpRequest, dispute_id: int, pause_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    submit(request, forms.DecisionForm(request.POST), lambda d: services.pause_decide(
        actor=viewer, dispute_id=dispute_id, pause_id=pause_id, approve=d["grant"],
        reason=d["reason"]), _("已作出纾困暂停决定"))
    return back_to(dispute_id, "pause")


@login_required
@require_POST
def pause_review(request: HttpRequest, dispute_id: int, pause_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    submit(request, forms.PauseNoteForm(request.POST), lambda d: services.pause_review(
        actor=viewer, dispute_id=dispute_id, pause_id=pause_id, note=d["note"]),
        _("已登记中期复核"))
    return back_to(dispute_id, "pause")


@login_required
@require_POST
def pause_end(request: HttpRequest, dispute_id: int, pause_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    submit(request, forms.PauseNoteForm(request.POST), lambda d: services.pause_end(
        actor=viewer, dispute_id=dispute_id, pause_id=pause_id, reason=d["note"]),
        _("纾困暂停已结束，调解期限按剩余天数恢复计算"))
    return back_to(dispute_id, "pause")
