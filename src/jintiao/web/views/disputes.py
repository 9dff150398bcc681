"""Workbench pages: thin views over the selectors and the dispute services.

Each view loads through the visibility selectors (a hidden dispute is a 404 like a
missing one), makes at most one service call, and renders plain context. Under htmx the
list and the party rows come back as fragments; without JavaScript every page still works.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jintiao import clock
from jintiao.confirmation import selectors as court_selectors
from jintiao.disputes import selectors
from jintiao.disputes.access import (
    DisputeNotFound,
    RecordNotFound,
    batch_actions_of,
    filing_scope,
    may_publish_menu,
    may_send_menus,
)
from jintiao.disputes.models import Channel, Dispute, DisputeType, PartyRole
from jintiao.disputes.services import (
    CLAIM_FIELDS,
    Scan,
    dispute_intake,
    representative_appoint,
)
from jintiao.documents.models import Document
from jintiao.domain import events, lifecycle
from jintiao.domain.claims import CLAIM_PART_LABELS, ClaimBreakdown
from jintiao.domain.errors import DomainError
from jintiao.domain.figures import DEFINITIONS
from jintiao.domain.lifecycle import Action, State
from jintiao.domain.money import amount_in_words, format_amount
from jintiao.domain.policy import Track
from jintiao.domain.representation import Authority, Relation, may_settle
from jintiao.mediation import selectors as mediation_selectors
from jintiao.mediation.services import action_apply
from jintiao.orgs.models import User
from jintiao.orgs.selectors import user_roles
from jintiao.outreach.selectors import events_seen_by
from jintiao.parties.models import PartyKind
from jintiao.parties.services import PartyInput
from jintiao.performance import explain as explaining
from jintiao.performance import selectors as performance_selectors
from jintiao.portal import applications
from jintiao.portal.models import Application
from jintiao.portfolio.services import reply_by_default
from jintiao.supervision import selectors as supervision_selectors
from jintiao.web.forms.disputes import (
    PARTY_ROWS_INITIAL,
    BasePartyFormSet,
    DisputeActionForm,
    DisputeFilterForm,
    IntakeForm,
    PartyForm,
    PartyFormSet,
    RepresentativeForm,
    party_rows,
)
from jintiao.web.forms.loop import NoticeForm
from jintiao.web.forms.portfolio import MenuBatchForm
from jintiao.web.paging import CappedPaginator
from jintiao.web.views.common import standing_or_404, viewer_of, visible_or_404
from jintiao.web.views.failure_package import package_card
from jintiao.web.views.parties import particulars_of

PAGE_SIZE = 50
HOME_ROWS = 10


def _total(dispute: Dispute) -> Decimal:
    return sum((getattr(dispute, f) for f in CLAIM_FIELDS), Decimal(0))


# labels by stored value, looked up once: Django's get_FOO_display() rebuilds a hashable
# copy of the field's choices on every call (a tenth of a list page's time)
STATE_LABELS = {s.value: s.label for s in State}
TYPE_LABELS = dict(DisputeType.choices)


def _rows(disputes: Any) -> list[dict[str, Any]]:
    """List rows in words; parties by name only (their numbers never reach a list)."""
    today = clock.today()
    return [{
        "id": d.pk, "number": d.number, "state": STATE_LABELS[d.state],
        "type": TYPE_LABELS.get(d.dispute_type, d.dispute_type), "committee": d.committee.name,
        "institution": d.institution.name if d.institution else "",
        "debtors": "、".join(r.party.name for r in d.party_rows.all()
                            if r.role == PartyRole.DEBTOR),
        "total": format_amount(_total(d)),
        "deadline": d.deadline, "overdue": bool(d.deadline and d.deadline < today),
        "provisional": d.deadline_provisional,
        "days_left": (d.deadline - today).days if d.deadline else None,
        "days_over": (today - d.deadline).days if d.deadline else None,
        "received_on": d.received_on, "version": d.version,
    } for d in disputes]


def _docket_row(row: court_selectors.Docketing, today: Any) -> dict[str, Any]:
    """An application waiting for the court to accept it, in words."""
    d = row.application.dispute
    return {"id": row.application.pk, "number": d.number, "committee": d.committee.name,
            "applicants": "、".join(r.party.name for r in d.party_rows.all()),
            "filed_on": row.filed_on, "accept_by": row.accept_by, "overdue": row.overdue,
            "days_left": (row.accept_by - today).days,
            "days_over": (today - row.accept_by).days}


def _roles(viewer: User) -> list[str]:
    return [r.label for r in sorted(user_roles(viewer))]


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The viewer's desk: what waits on them, what is due soon, what is overdue."""
    viewer = viewer_of(request)
    bench = selectors.workbench_for(viewer, clock.today())
    sections: list[dict[str, Any]] = [
        {"key": "mine", "title": _("待我处理"), "rows": bench.queue,
         "empty": _("没有等待您处理的纠纷") if bench.queue_states
         else _("您的角色不直接处理纠纷")},
        {"key": "due_soon", "title": _("即将到期"), "rows": bench.due_soon,
         "empty": _("近期没有到期的纠纷")},
        {"key": "overdue", "title": _("已超期"), "rows": bench.overdue,
         "empty": _("没有超期的纠纷"), "definition": DEFINITIONS["overdue"]},
    ]
    for section in sections:
        rows: QuerySet[Dispute] = section["rows"]
        section["count"] = rows.count()
        section["items"] = _rows(rows[:HOME_ROWS])
    today = clock.today()
    stalled = mediation_selectors.overdue_mediations(viewer, today)
    letters = performance_selectors.credit_repairs_waiting(viewer, today)
    docket = court_selectors.applications_to_docket(viewer, today)
    return render(request, "web/home.html", {
        "stalled": _rows(stalled[:HOME_ROWS]), "stalled_count": stalled.count(),
        "letters": letters[:HOME_ROWS], "letters_count": len(letters),
        "letters_overdue": sum(1 for w in letters if w.overdue),
        "docket": [_docket_row(r, today) for r in docket],
        "approvals": mediation_selectors.approvals_waiting_for(viewer)[:HOME_ROWS],
        "pauses_waiting": mediation_selectors.pauses_waiting_for(viewer)[:HOME_ROWS],
        "sections": sections, "bench": bench, "roles": _roles(viewer),
        "by_state": [(s.value, s.label, n) for s, n in bench.by_state],
        "active": sum(n for s, n in bench.by_state if s not in lifecycle.TERMINAL_STATES),
        "queue_states": "、".join(s.label for s in State if s in bench.queue_states),
        "results_institution": supervision_selectors.own_results_institution(viewer),
        "applications_waiting": applications.applications_for(viewer).filter(
            status=Application.Status.SUBMITTED).count(),
        "applications_open": applications.handles_applications(viewer),
        **_menu_tile(viewer),
    })


def _menu_batch(request: HttpRequest, viewer: User) -> dict[str, Any]:
    """The list's standard-menu box: fresh, or — just after a refusal — as the desk left it,
    its ticks kept and its mistakes at their fields (web.views.batch.menu_retry)."""
    from jintiao.web.views.batch import menu_retry  # it builds on this module

    if not may_send_menus(viewer):
        return {"menu_form": None, "picked": set()}
    picked, again = menu_retry(request)
    return {"picked": picked, "menu_again": again is not None,
            "menu_form": again or MenuBatchForm(
                initial={"reply_by": reply_by_default(clock.today()), "text": True},
                auto_id="menu-%s")}


def _menu_tile(viewer: User) -> dict[str, Any]:
    """The institution whose standard plan menu the home links to, and whether the viewer
    publishes it there (its approvers) or only reads it (its agents)."""
    node = mediation_selectors.own_menu_institution(viewer)
    return {"menu_institution": node,
            "menu_publishes": node is not None and may_publish_menu(viewer, node)}


@login_required
@require_GET
def dispute_list(request: HttpRequest) -> HttpResponse:
    """The viewer's disputes with filters, 50 a page; under htmx only the results."""
    viewer = viewer_of(request)
    form, filters = list_filters(viewer, request.GET)
    sort = selectors.sort_of(request.GET.get("sort"))
    rows = selectors.as_list_rows(selectors.dispute_list(viewer, **filters, sort=sort))
    paginator = CappedPaginator(rows, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    unsorted = query.copy()
    unsorted.pop("sort", None)
    context = {"form": form, "page": page, "items": _rows(page.object_list),
               "roles": _roles(viewer), "batch_actions": batch_actions_of(viewer),
               "menu_batch": may_send_menus(viewer),
               "batch_any": bool(batch_actions_of(viewer)) or may_send_menus(viewer),
               **_menu_batch(request, viewer),
               "query": query.urlencode(), "sorting": _sorting(sort, unsorted.urlencode())}
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted and htmx.target == "results":
        return render(request, "web/disputes/_results.html", context)
    return render(request, "web/disputes/list.html", context)


def list_filters(viewer: User, given: QueryDict) -> tuple[DisputeFilterForm, dict[str, Any]]:
    """The list's filter form over ``given`` (a query string) and the filters it asks of
    :func:`selectors.dispute_list` — the list's, and a batch's "all matching" (issue 20 §4)."""
    form = DisputeFilterForm(given or None, **selectors.filter_choices(viewer))
    filters: dict[str, Any] = {}
    today = clock.today()
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "state": data["state"] or None, "dispute_type": data["dispute_type"] or None,
            "channel": data["channel"] or None,
            "committee_id": data["committee"].pk if data["committee"] else None,
            "institution_id": data["institution"].pk if data["institution"] else None,
            "text": data["q"] or None, "mine": data["mine"],
            "overdue_on": today if data["overdue"] else None,
            "due_between": ((today, selectors.due_soon_until(viewer, today))
                            if data["due_soon"] else None),
        }
    return form, filters


# A column heading sorts by its key, first the way a desk reads it most (newest received,
# soonest deadline, largest amount), then, clicked again, the other way.
FIRST_WAY = {"number": "number", "amount": "-amount", "received": "-received",
             "deadline": "deadline", "state": "state"}


def _sorting(sort: str, rest: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the link that sorts by it, and ``aria-sort`` when it is the
    order the list is in."""
    found: dict[str, dict[str, str]] = {}
    for key, first in FIRST_WAY.items():
        current = sort.lstrip("-") == key
        other = first[1:] if first.startswith("-") else f"-{first}"
        target = other if sort == first else first
        found[key] = {
            "href": "?" + "&".join(p for p in (f"sort={target}", rest) if p),
            "aria": ("descending" if sort.startswith("-") else "ascending") if current else ""}
    return found


@login_required
@require_GET
def dispute_detail(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """One dispute: parties, claim, deadline, timeline and the actions open to the viewer."""
    me = standing_or_404(viewer_of(request), dispute_id)
    dispute = me.dispute
    actions = selectors.actions_open_to(me)
    total = _total(dispute)
    today = clock.today()
    documents = list(Document.objects.filter(dispute=dispute).order_by("-seq"))
    context = {
        "d": dispute, "state": State(dispute.state).label,
        "overdue": bool(dispute.deadline and dispute.deadline < today),
        "out_of_scope": (selectors.scope_problems(dispute.committee, dispute.dispute_type,
                                                  dispute.channel)
                         if dispute.state == State.RECEIVED else []),
        "duplicate": selectors.probable_duplicate_seen_by(me.user, dispute),
        "parties": [{"name": r.party.name, "role": r.get_role_display(),
                     "id": r.party.id_masked, "phone": r.party.phone_masked, "row": r.pk,
                     "particulars": particulars_of(r.party),
                     "representatives": [{
                         "name": rep.person.name, "id": rep.person.id_masked,
                         "pk": rep.pk, "scan": bool(rep.scan),
                         "phone": rep.person.phone_masked,
                         "relation": rep.get_relation_display(),
                         "authority": Authority(rep.authority).label,
                         "may_settle": may_settle(Authority(rep.authority)),
                         "valid_until": rep.valid_until, "matters": rep.matters,
                     } for rep in r.representatives.all()]}
                    for r in dispute.party_rows.all()],
        "may_edit_particulars": me.may_edit_particulars(),
        "may_reveal": me.may_reveal_identity(),
        "representative_form": (
            RepresentativeForm(initial={"expected_version": dispute.version},
                               party_rows=_party_choices(dispute))
            if me.may_appoint_representative() else None),
        "claim": [(CLAIM_PART_LABELS[f], format_amount(getattr(dispute, f)))
                  for f in CLAIM_FIELDS if getattr(dispute, f)],
        "total": format_amount(total), "total_words": amount_in_words(total),
        "events": [_event_row(e) for e in events_seen_by(me)],
        "actions": actions,
        "team": mediation_selectors.team_of(dispute),
        "accepted_offer": mediation_selectors.offers_for(me).filter(status="accepted").first(),
        "mediation_started": dispute.state != State.RECEIVED and dispute.state != State.DECLINED,
        "documents": documents,
        "failure_package": package_card(me),  # the failure package, for the desk and the court
        "notice_form": NoticeForm(documents=[
            (doc.pk, f"{doc.title}（{doc.created_at.astimezone(clock.TZ):%Y-%m-%d %H:%M}）")
            for doc in documents]) if me.may_serve() else None,
        "after_failure": dispute.state in (State.FAILED, State.CONFIRMATION_REJECTED,
                                           State.TRANSFERRED),
        "deadline_explain": explaining.deadline_explained(dispute),
    }
    return render(request, "web/disputes/detail.html", context)


def _party_choices(dispute: Dispute) -> list[tuple[int, str]]:
    return [(r.pk, f"{r.get_role_display()} {r.party.name}") for r in dispute.party_rows.all()]


@login_required
@require_POST
def dispute_representative(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """Record a representative through the service; mistakes come back as one message."""
    viewer = viewer_of(request)
    dispute = visible_or_404(viewer, dispute_id)
    form = RepresentativeForm(request.POST, request.FILES, party_rows=_party_choices(dispute))
    if not form.is_valid():
        messages.error(request, "；".join(form.errors_in_words()))
        return redirect("web:dispute_detail", dispute_id=dispute_id)
    data = form.cleaned_data
    try:
        made = representative_appoint(
            actor=viewer, dispute_id=dispute_id, expected_version=data["expected_version"],
            party_row_id=data["party_row"],
            person=PartyInput(PartyKind.PERSON, data["name"], data["id_number"],
                              phone=data["phone"]),
            relation=Relation(data["relation"]), authority=Authority(data["authority"]),
            signed_on=data["signed_on"], valid_until=data["valid_until"],
            matters=data["matters"],
            scan=Scan(data["scan"].name, b"".join(data["scan"].chunks())))
    except DisputeNotFound:
        raise Http404(_("纠纷不存在或无权查看")) from None
    except DomainError as exc:
        field = form.fields.get(str(exc.details.get("field", "")))
        messages.error(request, f"{field.label}：{exc.message}" if field else exc.message)
    else:
        messages.success(request, _("已登记代理人：%(name)s") % {"name": made.person.name})
    return redirect("web:dispute_detail", dispute_id=dispute_id)


def _event_row(event: Any) -> dict[str, Any]:
    """A timeline row in words from the event registry: 受理, 已登记 → 已受理, never the
    stored ``dispute.accept``, ``received → accepted``."""
    declared = events.lookup(event.type)
    state = {s.value: s.label for s in State}
    return {"at": event.at, "label": declared.label, "actor": str(event.actor or ""),
            "before": state.get(event.state_before, ""), "after": state.get(event.state_after, ""),
            "changed": event.state_before != event.state_after,
            "detail": declared.describe(event.params),
            "reason": event.params.get("reason", ""), "deadline": event.meta.get("deadline"),
            "attested": events.attested_words(event.params),
            "hash": event.hash}


@login_required
@require_POST
def dispute_action(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """Apply one action through the service; refusals come back as a message, not an error.
    The mediation page's buttons (extend, fail) come back to it."""
    viewer = viewer_of(request)
    back = "web:mediation" if request.POST.get("back") == "mediation" else "web:dispute_detail"
    form = DisputeActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("提交的内容不完整或格式不正确"))
        return redirect(back, dispute_id=dispute_id)
    data = form.cleaned_data
    action = Action(data["action"])
    # the box confirms what the actor's word may establish for this action, nothing else
    attested = list(lifecycle.attestable_guards(action)) if data["attest"] else []
    mediators = list(User.objects.filter(pk=data["mediator"])) if data["mediator"] else []
    try:
        action_apply(actor=viewer, dispute_id=dispute_id, action=action,
                     expected_version=data["expected_version"], reason=data["reason"],
                     track=Track(data["track"]) if data["track"] else None,
                     mediators=mediators, notice_served=data["notice_served"],
                     attested=attested)
    except DisputeNotFound:
        raise Http404(_("纠纷不存在或无权查看")) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已%(action)s") % {"action": action.label})
    return redirect(back, dispute_id=dispute_id)


@login_required
@require_http_methods(["GET", "POST"])
def dispute_new(request: HttpRequest) -> HttpResponse:
    """The intake form: errors next to their fields; a valid file goes to the one service."""
    viewer = viewer_of(request)
    options = filing_scope(viewer)
    if not options.may_file:
        raise Http404(_("无权登记纠纷"))
    source = _application(request, viewer)
    initial, rows = application_initial(source) if source is not None else ({}, None)
    form = IntakeForm(request.POST or None, options=options, initial=initial)
    # the application's rows fill the empty form; posted, a row counts as typed into
    parties = party_rows(request.POST, None) if request.method == "POST" else party_rows(
        None, rows)
    if request.method == "POST" and form.is_valid() and parties.is_valid():
        dispute = _file(request, viewer, form, parties, source)
        if dispute is not None:
            return redirect("web:dispute_detail", dispute_id=dispute.pk)
    return render(request, "web/disputes/new.html", {
        "form": form, "parties": parties, "claim_fields": [form[f] for f in CLAIM_FIELDS],
        "next_row": parties.total_form_count(),
        "max_rows": PartyFormSet.max_num, "source": source,
    })


def _application(request: HttpRequest, viewer: User) -> Application | None:
    """The portal application this intake takes in (``application`` in the query or the
    post), when the viewer handles it and it waits; else None (404 for another's)."""
    given = request.POST.get("application") or request.GET.get("application")
    if not given:
        return None
    try:
        found = applications.application_for(viewer, int(given))
    except (ValueError, RecordNotFound):
        raise Http404(_("申请不存在或无权查看")) from None
    if found.status != found.Status.SUBMITTED:  # handled already: nothing to take in
        raise Http404(_("该申请已处理，不能再次登记"))
    return found


def application_initial(source: Application) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The intake form as the application fills it: the committee chosen, the channel, the
    type, the facts and what is asked as the summary; the applicant's row with the full
    identity number and mobile (the clerk enters them on the case file) and the other side's."""
    id_number, phone = applications.application_identity(source)
    applicant = {"role": source.side, "kind": PartyKind.PERSON, "name": source.name,
                 "id_number": id_number, "phone": phone, "address": source.address}
    other_role = PartyRole.CREDITOR if source.side == PartyRole.DEBTOR else PartyRole.DEBTOR
    other = {"role": other_role, "kind": PartyKind.ENTITY, "name": source.other_name,
             "id_number": source.institution.credit_code if source.institution else ""}
    rows = [other, applicant] if other_role == PartyRole.CREDITOR else [applicant, other]
    claimed = (f"申请人主张的争议金额：{format_amount(source.amount)}元。" if source.amount
               else "")  # a total as the applicant put it, not the principal: the clerk splits it
    summary = (f"网上申请{source.number}。纠纷事实：{source.facts}\n申请事项：{source.requests}"
               f"\n{claimed}")
    return ({"committee": source.committee, "channel": Channel.PARTY_APPLICATION,
             "dispute_type": source.dispute_type, "institution": source.institution,
             "summary": summary[:5000],
             "received_on": source.submitted_at.astimezone(clock.TZ).date()}, rows)


def _file(request: HttpRequest, viewer: User, form: IntakeForm,
          parties: BasePartyFormSet, source: Application | None = None) -> Dispute | None:
    """Call the intake service (through the application's taking in, for one); a refusal
    is shown at the field it names, nothing written."""
    data = form.cleaned_data
    rows = parties.filled()
    filing = dispute_intake if source is None else partial(
        applications.application_take_in, application_id=source.pk)
    try:
        claim = ClaimBreakdown(as_of=data["claim_as_of"], **{
            f: data[f] if data[f] is not None else Decimal(0) for f in CLAIM_FIELDS})
        dispute, created = filing(
            actor=viewer, committee=data["committee"], channel=data["channel"],
            dispute_type=data["dispute_type"], claim=claim,
            parties=[(PartyInput(PartyKind(row.cleaned_data["kind"]), row.cleaned_data["name"],
                                 row.cleaned_data["id_number"], phone=row.cleaned_data["phone"],
                                 **row.particulars()), PartyRole(row.cleaned_data["role"]))
                     for row in rows],
            institution=data["institution"], court=data["court"],
            external_ref=data["external_ref"] or None, summary=data["summary"],
            received_on=data["received_on"], notice_served=data["notice_served"],
            charges_since=data["charges_since"],
        )
    except DomainError as exc:
        _show_refusal(exc, form, rows)
        return None
    if not created:
        messages.info(request, _("该机构业务编号已登记为%(number)s，未重复登记")
                      % {"number": dispute.number})
    else:
        messages.success(request, _("已登记：%(number)s") % {"number": dispute.number})
    return dispute


def _show_refusal(exc: DomainError, form: IntakeForm, rows: list[PartyForm]) -> None:
    """Put the service's message next to the field its details name: a party's field in the
    row it was typed in, the form's own fields, or at the top of the form."""
    field, row = exc.details.get("field"), exc.details.get("row")
    if isinstance(row, int) and 0 <= row < len(rows) and field in rows[row].fields:
        rows[row].add_error(field, exc.message)
    elif row is None and field in form.fields:
        form.add_error(field, exc.message)
    else:
        form.add_error(None, exc.message)


@login_required
@require_GET
def party_row(request: HttpRequest) -> HttpResponse:
    """One more party row for the intake form (htmx), with the row count updated."""
    if not filing_scope(viewer_of(request)).may_file:
        raise Http404(_("无权登记纠纷"))
    try:
        index = int(request.GET.get("index", ""))
    except ValueError:
        index = -1
    if not 0 <= index < PartyFormSet.max_num:
        return HttpResponse(_("当事人行数超出范围"), status=400)
    form = party_rows().empty_form
    form.prefix = f"parties-{index}"
    form.initial = PARTY_ROWS_INITIAL[index]
    return render(request, "web/disputes/_party_row.html",
                  {"f": form, "next_row": index + 1, "max_rows": PartyFormSet.max_num})
