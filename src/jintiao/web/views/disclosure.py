"""A party's full number on request with a reason (the desk, the court), and the
supervisors' list of who saw whose personal data. The number is shown once, on the answer
to the request, and never cached (Cache-Control: no-store)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from jintiao import clock
from jintiao.disputes.access import DisputeNotFound, RecordNotFound
from jintiao.disputes.models import DisputeParty
from jintiao.disputes.reveal import Revealed, party_reveal
from jintiao.domain.errors import DomainError
from jintiao.supervision import selectors
from jintiao.web.forms.disclosure import AccessPeriodForm, RevealForm
from jintiao.web.views.common import standing_or_404, viewer_of


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def reveal(request: HttpRequest, dispute_id: int, row_id: int) -> HttpResponse:
    """The request form; on a valid request, the numbers asked for, once."""
    me = standing_or_404(viewer_of(request), dispute_id)
    if not me.may_reveal_identity():
        raise Http404(_("无权查看完整号码"))
    row = (DisputeParty.objects.filter(pk=row_id, dispute=me.dispute).select_related("party")
           .first())
    if row is None:
        raise Http404(_("当事人不存在"))
    form = RevealForm(request.POST or None)
    shown: Revealed | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shown = party_reveal(actor=me.user, dispute_id=dispute_id, party_row_id=row.pk,
                                 fields=data["what"], reason=data["reason"], note=data["note"])
        except (DisputeNotFound, RecordNotFound):
            raise Http404(_("纠纷不存在或无权查看")) from None
        except DomainError as exc:
            field = str(exc.details.get("field", ""))
            field = "what" if field == "fields" else field  # the service's name for it
            form.add_error(field if field in form.fields else None, exc.message)
    return render(request, "web/parties/reveal.html", {
        "d": me.dispute, "row": row, "party": row.party, "form": form, "shown": shown})


@login_required
@require_GET
def personal_data_report(request: HttpRequest) -> HttpResponse:
    """Supervisors and directors: every full number revealed and every file with the
    parties' full particulars taken on the disputes they supervise, 50 to a page."""
    viewer = viewer_of(request)
    if not selectors.may_supervise(viewer):
        raise Http404(_("记录不存在或无权查看"))
    today = clock.today()
    first = today.replace(day=1)
    form = AccessPeriodForm(request.GET or {"since": first, "until": today})
    since, until = ((form.cleaned_data["since"], form.cleaned_data["until"])
                    if form.is_valid() else (first, today))
    page = Paginator(selectors.personal_data_access(viewer, since, until), 50).get_page(
        request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/supervision/personal_data.html", {
        "form": form, "since": since, "until": until, "page": page,
        "rows": selectors.access_rows(list(page.object_list)), "query": query.urlencode()})
