"""How the workbench's records look on a page: the dispute's header and deadline, an
offer, a session and the blind rounds as each viewer may see them; shared by the pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from jintiao import clock
from jintiao.disputes.access import RecordNotFound, Standing
from jintiao.disputes.models import Dispute, DisputeMediator
from jintiao.domain.authority import AuthorityLimits
from jintiao.domain.explain import explain_verdict
from jintiao.domain.lifecycle import State
from jintiao.domain.money import format_amount
from jintiao.domain.plans import DebtorBudget as Budget
from jintiao.domain.schedules import METHOD_LABELS, Method
from jintiao.domain.sessions import SessionChange, may_change, shown_link
from jintiao.mediation import convert, selectors
from jintiao.mediation.models import Consent, Offer, Session, Side
from jintiao.web.forms import mediation as forms

T = TypeVar("T")


def money(value: Any) -> str:
    return "" if value in (None, "") else format_amount(Decimal(str(value)))


def found_or_404(get: Callable[[], T]) -> T:
    """A record through its visibility gate; hidden or missing is the same 404."""
    try:
        return get()
    except RecordNotFound:
        raise Http404(_("记录不存在或无权查看")) from None


def back_to(dispute_id: int, anchor: str = "") -> HttpResponse:
    url = reverse("web:mediation", kwargs={"dispute_id": dispute_id})
    return redirect(f"{url}#{anchor}" if anchor else url)


def party_choices(dispute: Dispute, *roles: str) -> list[tuple[int, str]]:
    return [(r.pk, f"{r.get_role_display()} {r.party.name}") for r in dispute.party_rows.all()
            if not roles or r.role in roles]


def deadline_of(dispute: Dispute) -> dict[str, Any]:
    """The mediation deadline as every mediation page shows it."""
    today = clock.today()
    due = dispute.deadline
    return {"due": due, "provisional": dispute.deadline_provisional,
            "overdue": bool(due and due < today), "days_left": (due - today).days if due else None,
            "days_over": (today - due).days if due else None,
            "mediating": dispute.state == State.MEDIATING,
            "paused": pause.ends_on if (pause := selectors.pause_running(dispute)) else None}


def header(me: Standing) -> dict[str, Any]:
    """What every page of a dispute's mediation shows on top, and the viewer's standing
    (``me``) that its forms and buttons are offered by."""
    dispute = me.dispute
    return {"d": dispute, "state": State(dispute.state).label, "me": me,
            "deadline": deadline_of(dispute), "total": format_amount(selectors.claim_of(dispute)
                                                                   .total),
            "team": selectors.team_of(dispute), "reach_tab": me.may_read_outreach(),
            "may_assign": me.may_direct() and dispute.state in (State.ACCEPTED,
                                                                State.MEDIATING)}
@dataclass(frozen=True)
class OfferPage:
    """What every offer row of one page reads, read once: the debtor's budget and the
    viewer's authority limits (a creditor's officer only)."""

    budget: Budget
    limits: AuthorityLimits | None

    @classmethod
    def of(cls, me: Standing) -> OfferPage:
        return cls(selectors.debtor_budget(me.dispute),
                   selectors.limits_of(me.user) if me.creditor else None)


def offer_row(me: Standing, offer: Offer, page: OfferPage) -> dict[str, Any]:
    f = offer.figures
    current = None
    if offer.status == Offer.Status.OPEN:  # still on the table: against today's budget
        current = selectors.figures_for(me.dispute, convert.options_from_json(offer.options),
                                        Decimal(f["discount_rate"]), budget=page.budget)
        f = convert.figures_to_json(current)
    f = convert.figures_for(f, desk=me.desk)
    moves = selectors.offer_moves(me, offer, figures=current, limits=page.limits)
    return {
        "id": offer.pk, "seq": offer.seq, "by": offer.get_by_display(),
        "private": offer.get_side_display() if offer.side else "",
        "label": offer.label, "method": METHOD_LABELS[Method(offer.method)],
        "answers": offer.answers.seq if offer.answers else None,
        "status": offer.get_status_display(), "status_value": offer.status,
        "instalments": f["instalments"], "term": f["term_months"],
        "regular": money(f["regular_payment"]), "peak": money(f["peak_payment"]),
        "lump": f.get("peak_is_lump", False), "peak_label": f.get("peak_label", ""),
        "total": money(f["total_paid"]), "interest": money(f["total_interest"]),
        "waived": money(f["waived_total"]), "conditional": money(f["conditional_waived"]),
        "deferral_waived": money(f.get("deferral_interest_waived", "0")),
        "pv": money(f["present_value"]), "affordable": f["affordable"],
        "afford_explain": explain_verdict(current.affordability, selectors.policy_of(me.dispute),
                                          income_presumed=current.income_presumed,
                                          sources=selectors.verdict_sources(me.dispute))
        if me.desk and current is not None and current.affordability is not None else None,
        "first_due": f["first_due"], "last_due": f["last_due"],
        "warnings": [*f["warnings"], *f.get("affordability_reasons", []),
                     *(["（债务人未申报收入，按当地最低工资标准估算）"]
                       if f["income_presumed"] and f.get("affordability_reasons") else [])],
        "revival": f["revival_clause"], "at": offer.created_at,
        "creditor_accepted": offer.creditor_accepted_at is not None,
        "debtor_accepted": offer.debtor_accepted_at is not None,
        "approvals": [{"status": a.get_status_display(),  # the bank's own business
                       "approver": str(a.approver) if me.creditor else "",
                       "reason": a.reason if me.creditor else ""}
                      for a in offer.approvals.all()],
        "may_answer_creditor": moves.accept_for_creditor,
        "may_reject_creditor": moves.reject_for_creditor,
        "may_answer_debtor": moves.answer_for_debtor, "may_withdraw": moves.withdraw,
        "excesses": moves.excesses, "may_ask_approval": moves.ask_approval,
        "waiting_approval": moves.waiting_approval,
    }


def staff_choices(me: Standing, session: Session,
                  team: list[DisputeMediator]) -> list[tuple[int, str]]:
    """The mediators whose attendance the record marks: the dispute's team and anyone
    else on the session's staff, but not the viewer (who records, so was there)."""
    people = {a.user.pk: str(a.user) for a in session.attendance.all() if a.user is not None}
    people.update({m.user_id: str(m.user) for m in team})
    return [(pk, name) for pk, name in people.items() if pk != me.user.pk]


def session_row(me: Standing, session: Session, mediating: bool,
                team: list[DisputeMediator]) -> dict[str, Any]:
    """A session as the page shows it (from :func:`selectors.sessions_for`): who was asked
    and who came (parties and every mediator), the record and its earlier versions, and the
    changes the viewer may make. A stored meeting link is a link only if it is a web
    address."""
    parties = [(a.party_row.pk, f"{a.party_row.get_role_display()} {a.party_row.party.name}",
                a.attended) for a in session.attendance.all() if a.party_row is not None]
    invited = [(pk, label) for pk, label, _attended in parties]
    present = [pk for pk, _label, attended in parties if attended]
    status = session.status
    now = clock.now()
    auto_id = f"s{session.pk}-%s"
    link = shown_link(session.online_link)
    versions = sorted(session.record_versions.all(), key=lambda v: -v.version)
    return {
        "id": session.pk, "seq": session.seq, "mode": session.get_mode_display(),
        "back_to_back": session.mode == Session.Mode.BACK_TO_BACK,
        "starts_at": session.starts_at, "place": session.place, "link": link,
        "bad_link": bool(session.online_link) and not link,
        "status": session.get_status_display(), "status_value": status,
        "record": session.record, "reschedules": session.reschedules,
        "cancelled": {"by": str(session.cancelled_by), "at": session.cancelled_at,
                      "reason": session.cancel_reason}
        if status == Session.Status.CANCELLED else None,
        "version": len(versions) + 1 if session.record else 0,
        "recorded": {"by": str(session.recorded_by) if session.recorded_by else "",
                     "at": session.recorded_at},
        "versions": [{"version": v.version, "text": v.text,
                      "written_by": str(v.written_by) if v.written_by else "",
                      "written_at": v.written_at, "corrected_by": str(v.corrected_by),
                      "corrected_at": v.corrected_at, "reason": v.reason}
                     for v in versions],
        "attendance": [{"name": label, "attended": attended}
                       for _pk, label, attended in parties],
        "staff": [{"name": str(a.user), "attended": a.attended}
                  for a in session.attendance.all() if a.user_id],
        "notes": [{"side": n.get_side_display(), "text": n.text, "author": str(n.author),
                   "at": n.created_at} for n in session.notes_seen],  # type: ignore[attr-defined]
        "attachments": [{"id": a.pk, "name": a.name, "kind": a.get_kind_display(),
                         "size": a.size, "sha256": a.sha256, "private": a.get_side_display()}
                        for a in session.files_seen],  # type: ignore[attr-defined]
        "record_form": forms.RecordForm(invited=invited, staff=staff_choices(me, session, team),
                                        initial={"present": present}, auto_id=auto_id)
        if me.may_mediate() and mediating and may_change(status, SessionChange.RECORD)
        and session.starts_at <= now else None,
        "reschedule_form": forms.RescheduleForm(auto_id=auto_id, initial={
            "starts_at": session.starts_at.astimezone(clock.TZ), "place": session.place,
            "online_link": session.online_link})
        if me.may_mediate() and mediating and may_change(status, SessionChange.RESCHEDULE)
        else None,
        "cancel_form": forms.CancelForm(auto_id=auto_id)
        if me.may_mediate() and may_change(status, SessionChange.CANCEL) else None,
        "correction_form": forms.CorrectionForm(auto_id=auto_id,
                                                initial={"record": session.record})
        if me.may_mediate() and may_change(status, SessionChange.CORRECT) else None,
        "note_form": forms.NoteForm(auto_id=auto_id)
        if me.may_write_caucus() and mediating and status != Session.Status.CANCELLED
        else None,
        "attachment_form": forms.AttachmentForm(auto_id=auto_id, private=me.may_write_caucus())
        if me.may_mediate() else None,
    }


def blind_rounds(me: Standing, mediating: bool) -> dict[str, Any]:
    state = selectors.blind_state(me.dispute)
    return {
        "rounds": state.rounds, "allowed": state.allowed, "left": state.left,
        "done": state.done,
        "creditor_form": forms.BoundForm(initial={"side": Side.CREDITOR})
        if mediating and me.may_enter_bound(Side.CREDITOR) and state.may_enter(Side.CREDITOR)
        else None,
        "debtor_form": forms.BoundForm(initial={"side": Side.DEBTOR})
        if mediating and me.desk and state.may_enter(Side.DEBTOR) else None,
    }


def consent_card(dispute: Dispute, *, desk: bool, purpose: str, title: str, help_text: str,
                 action: str, label: str) -> dict[str, Any]:
    """Both sides' recorded consent to ``purpose``, the form to record one, and the action
    it allows (enabled once every creditor and debtor has consented)."""
    given = {c.party_row_id: c for c in Consent.objects.filter(
        dispute=dispute, purpose=purpose, used=False).order_by("pk")}
    rows = [r for r in dispute.party_rows.select_related("party").order_by("pk")
            if r.role in ("creditor", "debtor")]
    form = forms.ConsentForm(initial={"purpose": purpose},
                             party_rows=party_choices(dispute, "creditor", "debtor"))
    return {"title": title, "help": help_text, "action": action, "label": label,
            "rows": [{"row": r, "consent": given.get(r.pk)} for r in rows],
            "complete": bool(selectors.consents_for(dispute, purpose)),
            "form": form if desk else None}
