"""The API's documentation page in a browser cut off from every other host, as on a court's
or a committee's intranet: Swagger UI loads from the platform and lists the operations."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_docs_work_without_reaching_any_other_host(live_server, page):
    ours = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []

    def only_ours(route):
        if urlsplit(route.request.url).netloc == ours:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_ours)
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".opblock-summary", timeout=30_000)
    assert page.locator(".opblock-summary").count() >= 50
    caucus = ".opblock-summary-path[data-path='/api/v1/sessions/{session_id}/caucus-notes']"
    assert page.locator(caucus).count() == 1
    assert elsewhere == []
