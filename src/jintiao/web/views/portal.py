"""The party portal: mobile-first pages for parties and their representatives. Thin like
the workbench: each post is one service call; what a party may see comes from the portal
selectors, so the other side's private notes, offers and bound never reach a page."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from jintiao.agreements import services as agreement_services
from jintiao.documents.integrity import RecordAltered, document_html
from jintiao.domain.errors import DomainError
from jintiao.domain.money import format_amount
from jintiao.domain.policy import DEFAULT_POLICY
from jintiao.mediation import selectors as mediation
from jintiao.mediation import services as mediation_services
from jintiao.mediation.selectors import policy_of
from jintiao.orgs.models import User
from jintiao.orgs.selectors import is_party
from jintiao.outreach import services as outreach
from jintiao.outreach.models import Verification
from jintiao.portal import plans as counter_plans
from jintiao.portal import selectors, services
from jintiao.portfolio import selectors as portfolio
from jintiao.portfolio import services as portfolio_services
from jintiao.web import lockout
from jintiao.web.forms import portal as forms
from jintiao.web.forms.portfolio import MenuChoiceForm
from jintiao.web.views.common import (
    agreement_shown,
    as_previewed,
    attempt,
    mistakes,
    previewed_mark,
    submit,
)

View = Callable[..., HttpResponse]


def party_required(view: View) -> View:
    """Only a person signed in to the portal; anyone else goes to the portal's sign-in."""
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_party(request.user):
            return redirect("portal:login")
        return view(request, *args, **kwargs)
    return wrapped


def _party(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - party_required guarantees it
    return user


def _mine(request: HttpRequest, dispute_id: int) -> selectors.MyDispute:
    found = selectors.dispute_for(_party(request), dispute_id)
    if found is None:
        raise Http404(_("纠纷不存在或无权查看"))
    return found


@sensitive_post_parameters("phone", "code", "id_number")
def sign_in(request: HttpRequest) -> HttpResponse:
    """Step one: the mobile number gets a code; step two: the code and the identity number."""
    if is_party(request.user):
        return redirect("portal:home")
    phone_form, step_two = forms.PhoneForm(), None
    if request.method == "POST" and request.POST.get("step") == "code":
        phone_form = forms.PhoneForm(request.POST)
        if phone_form.is_valid():
            phone = phone_form.cleaned_data["phone"]
            try:
                refused = lockout.portal_refused(request, services.sign_in_key(phone))
                if refused is not None:  # no code texted to a number locked out
                    return refused
                services.sign_in_code_send(phone=phone, client_ip=lockout.client_ip(request))
            except services.SignInThrottled as exc:  # a code sent before may still serve
                messages.error(request, exc.message)
                step_two = forms.SignInForm(initial={"phone": phone})
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("如该号码已在调解案件中登记，验证码已发送"))
                step_two = forms.SignInForm(initial={"phone": phone})
        else:
            messages.error(request, mistakes(phone_form))
    elif request.method == "POST" and request.POST.get("step") == "verify":
        step_two = forms.SignInForm(request.POST)
        if step_two.is_valid():
            done = _verify(request, step_two.cleaned_data)
            if done is not None:
                return done
        else:
            messages.error(request, mistakes(step_two))
        # never echo the identity number or the code back into the page
        step_two = forms.SignInForm(initial={"phone": request.POST.get("phone", "")[:20]})
    return render(request, "web/portal/sign_in.html",
                  {"phone_form": phone_form, "step_two": step_two})


def _verify(request: HttpRequest, data: dict[str, Any]) -> HttpResponse | None:
    """Step two, counted against the number and the address (jintiao.web.lockout): the
    lockout page after too many wrong codes or identity numbers, the party's home on
    success (a session that ends after ``PORTAL_IDLE_MINUTES`` idle), else ``None`` with
    the refusal as a message."""
    try:
        key = services.sign_in_key(data["phone"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return None
    refused = lockout.portal_refused(request, key)
    if refused is not None:
        return refused
    try:
        user = services.sign_in(phone=data["phone"], code=data["code"],
                                id_number=data["id_number"], consent_e_service=data["consent"])
    except DomainError as exc:
        refused = lockout.portal_failed(request, key)
        if refused is not None:
            return refused
        messages.error(request, exc.message)
        return None
    lockout.portal_signed_in(key)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.set_expiry(settings.PORTAL_IDLE_MINUTES * 60)
    return redirect("portal:home")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:login")


@party_required
def home(request: HttpRequest) -> HttpResponse:
    mine = selectors.my_disputes(_party(request))
    menus = portfolio.menus_waiting([(m.dispute.pk, m.row.pk) for m in mine])
    return render(request, "web/portal/home.html",
                  {"mine": [(m, menus.get(m.dispute.pk)) for m in mine]})


@party_required
def dispute(request: HttpRequest, dispute_id: int) -> HttpResponse:
    return _page(request, _mine(request, dispute_id))


def _page(request: HttpRequest, mine: selectors.MyDispute, **extra: Any) -> HttpResponse:
    """The party's page of one dispute; ``extra`` what a post shows on it (a preview)."""
    from jintiao.web.views.portal_statements import statements_for  # it builds on this module

    user = _party(request)
    d = mine.dispute
    menu = portfolio.waiting_for(user, d)
    if menu is not None and not menu.expired:
        # the debtor's side has the plans before them: a read receipt for the desk's
        # uptake (no document is served by looking)
        portfolio_services.menu_offer_opened(actor=user, dispute_id=d.pk)
    signings = selectors.signings_for(user, d)
    return render(request, "web/portal/dispute.html", {
        "menu": menu, "choice_form": MenuChoiceForm(),
        "m": mine, "d": d, "claim": selectors.claim_words(d),
        "documents": selectors.documents_for(user, d),
        "notices": selectors.notices_for(user, d),
        "sessions": selectors.sessions_for(d),
        # the menu's plans are in its own card, with the choice
        "offers": [o for o in selectors.offers_for(user, d)
                   if menu is None or o.seq not in {shown.seq for _i, _l, shown in menu.plans}],
        "blind": selectors.blind_for(user, d), "bound_form": forms.DebtorBoundForm(),
        "signings": signings, "code_form": forms.CodeForm(),
        "agreement": signings[0].agreement if signings else None,
        "agreement_html": agreement_shown(user, signings[0].agreement) if signings else "",
        "schedule": selectors.schedule_for(d),
        "totals": selectors.totals_for(user, d), "team": mediation.team_of(d),
        "recusal_form": forms.RecusalForm(),
        "cost_cap": f"{policy_of(d).annual_cost_cap * 100:.0f}%",
        "budget": selectors.budget_for(user, d),
        "budget_form": (forms.EnterpriseBudgetForm() if selectors.debtor_is_enterprise(user, d)
                        else forms.BudgetForm(initial=_declared(selectors.budget_for(user, d))))
        if selectors.budget_open(user, d) else None,
        "may_recuse": selectors.recusal_open(d),
        "answer_form": forms.AnswerForm(), "facts": selectors.facts_for(user, d),
        "pause": mediation.pause_running(d),
        "counter_form": forms.CounterForm(claim=mediation.claim_of(d))
        if selectors.counter_open(user, d) else None,
        **statements_for(request, mine),
        **extra,
    })


def _declared(budget: selectors.BudgetShown | None) -> dict[str, Any]:
    """The person's sheet as last declared, its income as one figure: saving again changes
    only what they change (found trying it as a user: a second save wiped the rest)."""
    if budget is None or budget.enterprise:
        return {}
    return {"wage": budget.monthly_income, "debts": budget.other_obligations or None,
            "dependants": budget.dependants}


def _back(dispute_id: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("portal:dispute", args=[dispute_id]) + (f"#{anchor}" if anchor
                                                                      else ""))


@party_required
def document(request: HttpRequest, document_id: int) -> HttpResponse:
    """The document to read. Opening the page records nothing: a link followed from
    elsewhere must not serve a document; the party's own 查阅 (a post) does."""
    user = _party(request)
    doc = selectors.document_for(user, document_id)
    if doc is None:
        raise Http404(_("文书不存在或无权查看"))
    try:
        html = document_html(doc, actor=user)
    except RecordAltered as refused:  # never shown, never confirmed as read
        messages.error(request, refused.message)
        return _back(doc.dispute_id)
    return render(request, "web/portal/document.html",
                  {"doc": doc, "html": html, "read": selectors.document_read_by(user, doc)})


@party_required
@require_POST
def document_open(request: HttpRequest, document_id: int) -> HttpResponse:
    user = _party(request)
    doc = selectors.document_for(user, document_id)
    if doc is None:
        raise Http404(_("文书不存在或无权查看"))
    try:  # a party confirms reading only the document as made
        document_html(doc, actor=user)
    except RecordAltered as refused:
        messages.error(request, refused.message)
        return _back(doc.dispute_id)
    outreach.document_read(actor=user, document_id=doc.pk)
    return redirect("portal:document", document_id=doc.pk)


@party_required
@require_POST
def acknowledge(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """The party confirms reading an invitation, a plan or the agreement served on them."""
    user = _party(request)
    _mine(request, dispute_id)
    subject = request.POST.get("subject", "")[:32]
    attempt(request, lambda: outreach.notice_read(actor=user, dispute_id=dispute_id,
                                                  subject=subject), _("已确认阅读"))
    return _back(dispute_id, "notices")


@party_required
@require_POST
def bound(request: HttpRequest, dispute_id: int) -> HttpResponse:
    user = _party(request)
    _mine(request, dispute_id)
    form = forms.DebtorBoundForm(request.POST)
    if not form.is_valid():
        messages.error(request, mistakes(form))
        return _back(dispute_id, "blind")
    try:
        value = form.bound()
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(dispute_id, "blind")
    attempt(request, lambda: mediation_services.blind_bound_enter(
        actor=user, dispute_id=dispute_id, bound=value),
        _("已提交。您的底线对任何人保密，只有双方底线有交集时才会提出建议方案。"))
    return _back(dispute_id, "blind")


def _signing(request: HttpRequest, dispute_id: int) -> tuple[User, selectors.Signing]:
    """The line the post names (``signer``) among those the user stands in."""
    user = _party(request)
    key = request.POST.get("signer", "")
    signing = next((s for s in selectors.signings_for(user, _mine(request, dispute_id).dispute)
                    if s.key == key), None)
    if signing is None:
        raise Http404(_("没有需要您签署的协议"))
    return user, signing


@party_required
@require_POST
def signing_code(request: HttpRequest, dispute_id: int) -> HttpResponse:
    user, signing = _signing(request, dispute_id)
    attempt(request, lambda: agreement_services.signing_code_send(
        actor=user, agreement_id=signing.agreement.pk, signer=signing.key,
        representative_id=signing.representative),
        _("签署验证码已发送到您登记的手机"))
    return _back(dispute_id, "agreement")


@party_required
@require_POST
def sign(request: HttpRequest, dispute_id: int) -> HttpResponse:
    user, signing = _signing(request, dispute_id)
    form = forms.CodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, mistakes(form))
        return _back(dispute_id, "agreement")
    attempt(request, lambda: agreement_services.agreement_sign(
        actor=user, agreement_id=signing.agreement.pk, signer=signing.key,
        code=form.cleaned_data["code"], client_ip=request.META.get("REMOTE_ADDR", ""),
        client_agent=request.META.get("HTTP_USER_AGENT", "")), _("您已签署调解协议"))
    return _back(dispute_id, "agreement")


@party_required
@require_POST
def menu_choose(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """The debtor chooses one plan of the standard menu sent: it becomes the accepted plan
    and the agreement to sign is drafted at once (issue 20 §5)."""
    user = _party(request)
    _mine(request, dispute_id)
    form = MenuChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, mistakes(form))
        return _back(dispute_id, "menu")
    done = attempt(request, lambda: portfolio_services.menu_offer_choose(
        actor=user, dispute_id=dispute_id, offer_id=form.cleaned_data["offer"]),
        _("您已选择该还款方案，调解协议已生成。请阅读协议全文后获取验证码签署。"))
    return _back(dispute_id, "agreement" if done is not None else "menu")


@party_required
@require_POST
def offer_answer(request: HttpRequest, dispute_id: int, offer_id: int) -> HttpResponse:
    """The debtor accepts a plan on the table (its terms read) or rejects it with a reason
    (issue 21 §1): the same answer the desk records, through the same service."""
    user = _party(request)
    _mine(request, dispute_id)
    form = forms.AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, mistakes(form))
        return _back(dispute_id, f"offer-{offer_id}")
    data = form.cleaned_data
    if data["answer"] == "accept":
        attempt(request, lambda: mediation_services.offer_accept(
            actor=user, offer_id=offer_id, side="debtor"),
            _("您已接受该方案。对方也接受后，调解员将据此起草调解协议。"))
    else:
        attempt(request, lambda: mediation_services.offer_reject(
            actor=user, offer_id=offer_id, side="debtor", reason=data["reason"]),
            _("您已拒绝该方案，理由已告知调解员。您可以提出自己的还款方案。"))
    return _back(dispute_id, "offers")


@party_required
@require_POST
def counter(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """The debtor's own plan: a preview first (its monthly amount against the budget they
    declared), then on the table (``step=send``), binding the debtor."""
    user = _party(request)
    mine = _mine(request, dispute_id)
    form = forms.CounterForm(request.POST, claim=mediation.claim_of(mine.dispute))
    if not form.is_valid():
        messages.error(request, mistakes(form))
        return _page(request, mine, counter_form=form)
    data = form.cleaned_data
    choice = {"periods": data["periods"], "first_due": data["first_due"],
              "waive": data.get("waive", []), "down_payment": data["down_payment"] or Decimal(0),
              "down_payment_due": data["down_payment_due"]}
    send = request.POST.get("step") == "send"
    if send and not as_previewed(request):  # changed since the preview: show it first
        messages.warning(request, _("方案条件已修改，请核对新的计算结果后再提交"))
        send = False
    if not send:
        try:
            preview = counter_plans.counter_preview(
                user, mine.dispute, counter_plans.counter_options(mine.dispute, **choice))
        except DomainError as exc:
            messages.error(request, exc.message)
            return _page(request, mine, counter_form=form)
        return _page(request, mine, counter_form=form, counter_preview=preview,
                     previewed=previewed_mark(request))
    done = attempt(request, lambda: counter_plans.counter_propose(
        actor=user, dispute_id=dispute_id, **choice),
        _("您的方案已提交，调解员和对方会看到并答复。"))
    if done is None:
        return _page(request, mine, counter_form=form)
    return _back(dispute_id, "offers")


@party_required
@require_POST
def facts_code(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """Text the party a code to confirm the record of undisputed facts as it stands."""
    user = _party(request)
    _mine(request, dispute_id)
    attempt(request, lambda: mediation_services.facts_code_send(actor=user,
                                                                dispute_id=dispute_id),
            _("验证码已发送到您登记的手机，请核对事实后输入验证码确认"))
    return _back(dispute_id, "facts")


@party_required
@require_POST
def facts_sign(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """Confirm the record with the code the party's phone received."""
    user = _party(request)
    _mine(request, dispute_id)
    submit(request, forms.StatementSignForm(request.POST), lambda d: mediation_services.facts_sign(
        actor=user, dispute_id=dispute_id, statement_id=d["statement"], code=d["code"],
        client_ip=lockout.client_ip(request)), _("您已确认无争议事实"))
    return _back(dispute_id, "facts")


@party_required
@require_POST
def recusal(request: HttpRequest, dispute_id: int) -> HttpResponse:
    user = _party(request)
    mine = _mine(request, dispute_id)
    form = forms.RecusalForm(request.POST)
    if not form.is_valid():
        messages.error(request, mistakes(form))
        return _back(dispute_id, "recusal")
    attempt(request, lambda: mediation_services.recusal_request(
        actor=user, dispute_id=dispute_id, mediator_id=form.cleaned_data["mediator"],
        party_row_id=mine.row.pk, reason=form.cleaned_data["reason"]),
        _("回避申请已提交，调委会主任将作出决定"))
    return _back(dispute_id, "recusal")


@party_required
@require_POST
def budget(request: HttpRequest, dispute_id: int) -> HttpResponse:
    user = _party(request)
    mine = _mine(request, dispute_id)
    row = selectors.debtor_row_for(user, mine.dispute)
    if row is None:
        raise Http404(_("只有债务人可以填写收支"))
    done = _("已保存。调解员设计还款方案时会据此判断是否还得起。")
    if selectors.debtor_is_enterprise(user, mine.dispute):
        sheet = forms.EnterpriseBudgetForm(request.POST)
        if not sheet.is_valid():
            messages.error(request, mistakes(sheet))
            return _back(dispute_id, "budget")
        cash_flow, debts = sheet.totals()
        attempt(request, lambda: mediation_services.budget_declare(
            actor=user, dispute_id=dispute_id, party_row_id=row.pk, monthly_income=None,
            other_obligations=debts, dependants=0, monthly_cash_flow=cash_flow), done)
        return _back(dispute_id, "budget")
    form = forms.BudgetForm(request.POST)
    if not form.is_valid():
        messages.error(request, mistakes(form))
        return _back(dispute_id, "budget")
    income, outgoings, dependants = form.totals()
    attempt(request, lambda: mediation_services.budget_declare(
        actor=user, dispute_id=dispute_id, party_row_id=row.pk, monthly_income=income,
        other_obligations=outgoings, dependants=dependants), done)
    return _back(dispute_id, "budget")


def verify(request: HttpRequest) -> HttpResponse:
    """Public: is this text really from a mediation committee? Shows only the committee,
    the day, the masked number and the purpose — nothing about the dispute."""
    form = forms.VerifyForm(request.GET or None)
    found: Verification | None = None
    checked = False
    if form.is_bound and form.is_valid():
        checked = True
        found = (Verification.objects.select_related("committee")
                 .filter(code=form.cleaned_data["code"]).first())
    return render(request, "web/portal/verify.html",
                  {"form": form, "found": found, "checked": checked})


def self_help(request: HttpRequest) -> HttpResponse:
    """Public: what mediation and judicial confirmation are, the debtor's rights, how to
    spot a fake mediation message."""
    policy = DEFAULT_POLICY
    return render(request, "web/portal/help.html", {
        "cap": f"{policy.annual_cost_cap * 100:.0f}%",
        "hours": f"{policy.contact_day_starts_hour}:00—{policy.contact_day_ends_hour}:00",
        "per_day": policy.contact_max_per_day,
        "minimum": format_amount(policy.living_minimum_monthly)})
