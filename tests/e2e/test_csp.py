"""Every main page, as each role, in a real browser under the platform's own
Content-Security-Policy: the browser refuses no script, style, image or frame on any of
them (issue 18: no inline script or style anywhere). Chromium reports each refusal as a
``securitypolicyviolation`` event and a console error; both are counted."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client

from jintiao.confirmation.models import Application
from jintiao.demo.seed import DEMO_PASSWORD, load_demo
from jintiao.disputes.access import dispute_visible_to
from jintiao.documents.models import Document
from jintiao.orgs.models import Organization, User
from jintiao.parties.models import PartyAccount
from jintiao.supervision.models import SpotCheck
from tests.e2e.conftest import log_in
from tests.portal.helpers import debtor_of, party_sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# The page's own listener, added before any of its content is parsed: a refusal the page
# could catch is written to the console, where the test reads it with Chromium's own.
WATCH = """
window.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ` +
                `${e.sourceFile}:${e.lineNumber}`);
});
"""


def _refusal(text: str) -> bool:
    return text.startswith("CSP violation") or "Content Security Policy" in text


def _as(browser, live_server, user: User | None):
    """A browser context signed in as ``user`` (a session made on the server, as a sign-in
    makes it), watching for refusals."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH)
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                              "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                              "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(30_000)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if _refusal(m.text) else None)
    page.on("pageerror", lambda e: refused.append(f"script error: {e}"))
    return page, refused


def _visit(page, url: str, path: str, status: int = 200, wait: str = "") -> None:
    response = page.goto(url + path)
    assert response is not None, path
    assert response.status == status, (path, response.status)
    # deferred scripts (htmx, the page's own) have run and said anything they would
    page.wait_for_load_state("load")
    if wait:
        page.wait_for_selector(wait)


def _the_watch_sees_a_refusal(browser, live_server) -> None:
    """The watch works: a page under the policy the platform serves, with an inline style
    element, a style attribute and an inline script, is refused three times."""
    page, said = _as(browser, live_server, None)
    policy = page.goto(live_server.url + "/login/").headers["content-security-policy"]
    page.route("**/csp-probe/", lambda route: route.fulfill(
        status=200, content_type="text/html", headers={"Content-Security-Policy": policy},
        body="<style>p { color: red }</style><p style='color: red'>探针</p>"
             "<script>document.title = '探针'</script>"))
    page.goto(live_server.url + "/csp-probe/")
    page.wait_for_load_state("load")
    assert len([s for s in said if s.startswith("CSP violation")]) == 3, said
    page.context.close()


def _pages(people: dict[str, User]) -> dict[str, list[str]]:
    """The main pages of each role on the demo: its home and lists, a dispute at each
    stage it works on, the court's file, supervision, the admin."""
    def one(user: User, **filters) -> int:
        found = dispute_visible_to(user).filter(**filters).order_by("pk").values_list(
            "pk", flat=True).first()
        assert found is not None, (user.username, filters)
        return found

    mediator = people["mediator"]
    m = one(mediator, state="mediating")
    performing = one(mediator, state="performing")
    accepted = one(people["director"], state="accepted")
    application = Application.objects.filter(
        agreement__dispute__in=dispute_visible_to(people["judge"])).order_by("pk").first()
    assert application is not None
    document = Document.objects.filter(dispute_id=performing).order_by("pk").first()
    assert document is not None
    check = SpotCheck.objects.order_by("pk").first()
    assert check is not None
    return {
        "clerk": ["/", "/disputes/", "/disputes/?sort=amount&q=张", "/disputes/new/",
                  f"/disputes/{m}/", "/templates/"],
        "director": ["/", f"/disputes/{accepted}/", f"/disputes/{accepted}/assignment/",
                     "/supervision/", "/ledger/", "/statistics/", "/reports/",
                     "/reports/contacts/"],
        "mediator": ["/", f"/disputes/{m}/mediation/", f"/disputes/{m}/plans/",
                     f"/disputes/{m}/outreach/", f"/disputes/{m}/failure/",
                     f"/disputes/{m}/evaluation/", f"/disputes/{performing}/agreement/",
                     f"/disputes/{performing}/performance/", f"/documents/{document.pk}/"],
        "agent": ["/", f"/disputes/{m}/plans/", "/payments/import/"],
        "approver": ["/approvals/"],
        "judge": ["/", f"/confirmations/{application.pk}/"],
        "court_clerk": ["/"],
        "supervisor": ["/", "/supervision/", "/reports/", "/ledger/", "/statistics/",
                       "/statistics/accepted/", "/spot-checks/", f"/spot-checks/{check.pk}/"],
    }


def _admin_pages(people: dict[str, User]) -> list[str]:
    organization = Organization.objects.order_by("pk").first()
    assert organization is not None
    return ["/outbox/", "/admin/", "/admin/orgs/user/", "/admin/orgs/user/add/",
            f"/admin/orgs/user/{people['clerk'].pk}/change/",
            f"/admin/orgs/user/{people['clerk'].pk}/password/",
            f"/admin/orgs/organization/{organization.pk}/change/",
            "/admin/axes/accessattempt/", "/admin/axes/accesslog/"]


def test_no_page_breaks_the_content_security_policy(live_server, browser):
    load_demo(synthetic=20)
    people = {u.username: u for u in User.objects.filter(username__in=[
        "clerk", "director", "mediator", "agent", "approver", "judge", "court_clerk",
        "supervisor", "admin"])}
    people["admin"].is_staff = people["admin"].is_superuser = True
    people["admin"].save(update_fields=["is_staff", "is_superuser"])
    url = live_server.url
    refused: dict[str, list[str]] = {}
    visited = 0

    # the sign-in pages and a real sign-in, the API's documentation, a page not found
    page, said = _as(browser, live_server, None)
    for path in ("/login/", "/p/login/", "/p/help/", "/p/verify/"):
        _visit(page, url, path)
    _visit(page, url, "/api/v1/docs", wait=".opblock-summary")
    _visit(page, url, "/no-such-page/", status=404)
    log_in(page, url, "clerk", DEMO_PASSWORD)
    visited += 7
    refused["anyone"] = said
    _the_watch_sees_a_refusal(browser, live_server)

    for role, paths in _pages(people).items():
        page, said = _as(browser, live_server, people[role])
        for path in paths:
            _visit(page, url, path)
            visited += 1
        refused[role] = said
        page.context.close()

    page, said = _as(browser, live_server, people["admin"])
    for path in _admin_pages(people):
        _visit(page, url, path)
        visited += 1
    refused["admin"] = said

    # the party on their phone: their disputes, one dispute, a document served on them
    debtor = debtor_of(dispute_visible_to(people["mediator"]).filter(
        state="performing").order_by("pk").first())
    party_sign_in(debtor)
    account = PartyAccount.objects.get(party=debtor)
    page, said = _as(browser, live_server, account.user)
    _visit(page, url, "/p/")
    dispute = page.locator("a[href^='/p/d/']").first.get_attribute("href")
    _visit(page, url, dispute)
    page.locator("button.doc").first.click()  # 查阅: the document served on them
    page.wait_for_url("**/p/documents/**")
    page.wait_for_load_state("load")
    visited += 3
    refused["party"] = said

    # last, since it locks this machine's address out: the lockout page
    page, said = _as(browser, live_server, None)
    _visit(page, url, "/login/")
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        page.fill("input[name=username]", "nobody")
        page.fill("input[name=password]", "wrong-password")
        page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('登录已暂停')")
    visited += 1
    refused["lockout"] = said

    assert visited >= 50
    assert {role: said for role, said in refused.items() if said} == {}
