"""Accessibility basics on the pages people work in (issue 16): every input, select and text
area a user sees has a label (``<label for>``, or ``aria-label`` where a table's heading names
it) — a placeholder is not one; every error said next to a field is linked to it by
``aria-describedby``; every table has a caption. The walk covers each role's main pages with
their forms, and forms sent back with mistakes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.test import Client

from jintiao import clock
from jintiao.confirmation.services import confirmation_accept, confirmation_apply
from jintiao.domain.lifecycle import Action, Role
from jintiao.mediation.models import Session
from jintiao.mediation.services import action_apply, session_schedule
from tests.factories import UserFactory, flat, intake
from tests.helpers import CHARGES_SINCE, accept_plan, agree, apply
from tests.portal.helpers import debtor_of, party_sign_in

UNLABELLED_TYPES = {"hidden", "submit", "button", "image", "reset"}


@dataclass
class Page(HTMLParser):
    """What the checks read from one page's HTML."""

    controls: list[dict[str, str]] = field(default_factory=list)
    labelled: set[str] = field(default_factory=set)
    described: set[str] = field(default_factory=set)
    errors: list[dict[str, str]] = field(default_factory=list)
    tables: list[bool] = field(default_factory=list)
    open_tables: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "label" and a.get("for"):
            self.labelled.add(a["for"])
        if a.get("aria-describedby"):
            self.described.update(a["aria-describedby"].split())
        if tag in ("select", "textarea") or (
                tag == "input" and a.get("type", "text") not in UNLABELLED_TYPES):
            self.controls.append({"tag": tag, **a})
        classes = a.get("class", "").split()
        if "error" in classes and "msg" not in classes:
            self.errors.append({"tag": tag, **a})
        if tag == "table":
            self.open_tables.append(False)
        if tag == "caption" and self.open_tables:
            self.open_tables[-1] = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.open_tables:
            self.tables.append(self.open_tables.pop())


SKIPPED = ("script", "style", "svg", "code")


class Text(HTMLParser):
    """The words a user reads on a page: not scripts, styles, a chart's drawing or code (a
    file's column names) nor attribute values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.words += re.findall(r"(?<![0-9A-Za-z])[A-Za-z]{2,}(?![0-9A-Za-z])", data)


# Latin a Chinese user reads as it is: file kinds, the digest's name, units.
READ_AS_IS = {"PDF", "Word", "Excel", "SHA", "CSV", "UTF", "ID"}


def english(html: str) -> list[str]:
    text = Text()
    text.feed(html)
    return sorted(set(text.words) - READ_AS_IS)


def problems(html: str) -> list[str]:
    page = Page()
    page.feed(html)
    found = []
    for c in page.controls:
        if not (c.get("id") in page.labelled or c.get("aria-label")
                or c.get("aria-labelledby")):
            found.append(f"no label: <{c['tag']} name={c.get('name')!r} id={c.get('id')!r}>")
    for e in page.errors:
        if not e.get("id") or e["id"] not in page.described:
            found.append(f"error not linked to its field: <{e['tag']} id={e.get('id')!r}>")
    found += ["a table without a caption"] * page.tables.count(False)
    found += [f"English on the page: {w}" for w in english(html)]
    return found


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def loop(desk, mediating, evaluating):
    """Disputes at each page's stage: ``accepted`` for assignment, ``mediating`` with a
    session and an accepted plan (the agreement's draft form), ``court`` with its application
    accepted (the judge's ruling form), and the evaluation track's."""
    court_clerk = UserFactory(organization=desk.court, roles=[Role.COURT_CLERK])
    accepted = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch)
    accepted = action_apply(actor=desk.clerk, dispute_id=accepted.pk, action=Action.ACCEPT,
                            expected_version=1, notice_served=True)
    session_schedule(actor=desk.mediator, dispute_id=mediating.pk,
                     mode=Session.Mode.BACK_TO_BACK,
                     starts_at=clock.now() - dt.timedelta(hours=1),
                     party_row_ids=list(mediating.party_rows.values_list("pk", flat=True)),
                     place="调解室")
    accept_plan(desk, mediating, flat(12))
    court = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch,
                   court=desk.court)
    court = action_apply(actor=desk.clerk, dispute_id=court.pk, action=Action.ACCEPT,
                         expected_version=1, notice_served=True)
    court = action_apply(actor=desk.director, dispute_id=court.pk, action=Action.ASSIGN,
                         expected_version=court.version, track="simple",
                         mediators=[desk.mediator])
    accept_plan(desk, court, flat(6))
    agree(desk, court, CHARGES_SINCE)
    apply(desk, court)
    court.refresh_from_db()
    app = confirmation_apply(actor=desk.mediator, dispute_id=court.pk,
                             expected_version=court.version, court_id=desk.court.pk)
    waiting = _waiting_application(desk)
    confirmation_accept(actor=desk.judge, application_id=app.pk)
    return {"accepted": accepted, "mediating": mediating, "court": court, "app": app,
            "waiting": waiting, "evaluating": evaluating, "court_clerk": court_clerk}


def _waiting_application(desk):
    """Another agreement filed and not yet docketed (the court's home lists it)."""
    d = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch,
               court=desk.court)
    d = action_apply(actor=desk.clerk, dispute_id=d.pk, action=Action.ACCEPT,
                     expected_version=1, notice_served=True)
    d = action_apply(actor=desk.director, dispute_id=d.pk, action=Action.ASSIGN,
                     expected_version=d.version, track="simple", mediators=[desk.mediator])
    accept_plan(desk, d, flat(6))
    agree(desk, d, CHARGES_SINCE)
    apply(desk, d)
    d.refresh_from_db()
    return confirmation_apply(actor=desk.mediator, dispute_id=d.pk,
                              expected_version=d.version, court_id=desk.court.pk)


def pages(desk, loop) -> list[tuple[str, object, str]]:
    """(who, client, path) for every main page of each role."""
    m, a, c = loop["mediating"].pk, loop["accepted"].pk, loop["court"].pk
    e = loop["evaluating"].pk
    return [
        ("clerk", desk.clerk, "/"), ("clerk", desk.clerk, "/disputes/"),
        ("clerk", desk.clerk, "/disputes/?sort=amount&q=张"),
        ("clerk", desk.clerk, "/disputes/new/"), ("clerk", desk.clerk, f"/disputes/{m}/"),
        ("clerk", desk.clerk, "/templates/"),
        ("director", desk.director, "/"), ("director", desk.director, f"/disputes/{a}/"),
        ("director", desk.director, f"/disputes/{a}/assignment/"),
        ("director", desk.director, f"/disputes/{m}/assignment/?q=调解"),
        ("director", desk.director, "/supervision/"), ("director", desk.director, "/ledger/"),
        ("director", desk.director, "/statistics/"), ("director", desk.director, "/reports/"),
        ("director", desk.director, "/reports/contacts/"),
        ("mediator", desk.mediator, "/"), ("mediator", desk.mediator, f"/disputes/{m}/mediation/"),
        ("mediator", desk.mediator, f"/disputes/{m}/plans/"),
        ("mediator", desk.mediator, f"/disputes/{m}/agreement/"),
        ("mediator", desk.mediator, f"/disputes/{m}/outreach/"),
        ("mediator", desk.mediator, f"/disputes/{m}/failure/"),
        ("mediator", desk.mediator, f"/disputes/{c}/agreement/"),
        ("expert", desk.expert, f"/disputes/{e}/evaluation/"),
        ("agent", desk.agent, "/"), ("agent", desk.agent, f"/disputes/{m}/plans/"),
        ("agent", desk.agent, "/payments/import/"),
        ("approver", desk.approver, "/approvals/"),
        ("judge", desk.judge, "/"), ("judge", desk.judge, f"/confirmations/{loop['app'].pk}/"),
        ("court_clerk", loop["court_clerk"], "/"),
        ("court_clerk", loop["court_clerk"], f"/confirmations/{loop['waiting'].pk}/"),
        ("supervisor", desk.supervisor, "/"), ("supervisor", desk.supervisor, "/spot-checks/"),
    ]


def test_every_main_page_labels_its_inputs_links_its_errors_and_captions_its_tables(
        desk, loop):
    found = []
    for who, user, path in pages(desk, loop):
        response = client_for(user).get(path)
        assert response.status_code == 200, (who, path)
        found += [f"{who} {path}: {p}" for p in problems(response.content.decode())]
    assert not found, "\n".join(found)


def test_the_performance_page_and_the_sign_in_pages_too(desk, performing):
    found = []
    for who, client, path in [("agent", client_for(desk.agent),
                               f"/disputes/{performing.pk}/performance/"),
                              ("mediator", client_for(desk.mediator),
                               f"/disputes/{performing.pk}/performance/"),
                              ("anyone", Client(), "/login/"), ("anyone", Client(), "/p/login/"),
                              ("anyone", Client(), "/p/verify/"),
                              ("anyone", Client(), "/p/help/")]:
        response = client.get(path)
        assert response.status_code == 200, (who, path)
        found += [f"{who} {path}: {p}" for p in problems(response.content.decode())]
    party = Client()
    party.force_login(party_sign_in(debtor_of(performing)))
    for path in ("/p/", f"/p/d/{performing.pk}/"):
        response = party.get(path)
        assert response.status_code == 200, path
        found += [f"party {path}: {p}" for p in problems(response.content.decode())]
    assert not found, "\n".join(found)


def test_forms_sent_back_with_mistakes_link_each_mistake_to_its_field(desk, mediating):
    found = []
    clerk = client_for(desk.clerk)
    sent_back = [
        (clerk, "/disputes/new/", {"committee": "", "received_on": "昨天", "principal": "十二万块",
                                   "parties-TOTAL_FORMS": "3", "parties-INITIAL_FORMS": "0",
                                   "parties-0-role": "creditor", "parties-0-kind": "entity",
                                   "parties-0-name": "某银行", "parties-0-id_number": "123"}),
        (client_for(desk.mediator), f"/disputes/{mediating.pk}/plans/",
         {"p0-method": "flat", "p0-periods": "0", "p0-first_due": "明天"}),
    ]
    for client, path, data in sent_back:
        response = client.post(path, data) if "plans" not in path else client.get(path, data)
        html = response.content.decode()
        assert 'class="error"' in html or "error" in html, path  # mistakes were shown
        found += [f"{path}: {p}" for p in problems(html)]
    assert not found, "\n".join(found)


def test_the_consent_form_shows_no_label_for_its_hidden_purpose(desk, mediating):
    """The desk's consent form carries what the consent is for in a hidden field: it was
    labelled “Purpose” in English on the mediation page (issue 16)."""
    page = client_for(desk.mediator).get(f"/disputes/{mediating.pk}/mediation/")
    html = page.content.decode()
    assert 'name="purpose"' in html  # the form is there
    assert "Purpose" not in html
    assert 'for="id_purpose"' not in html
    assert english(html) == []
