"""The admin loads for a superuser and refuses writes to disputes and their timeline."""

from __future__ import annotations

from tests.factories import intake


def test_admin_pages_load_and_disputes_are_read_only(world, admin_client):
    dispute = intake(actor=world.clerk, committee=world.committee)
    for url in ("/admin/", "/admin/orgs/organization/", "/admin/disputes/dispute/",
                f"/admin/disputes/dispute/{dispute.pk}/change/", "/admin/timeline/event/",
                "/admin/policies/policyversion/"):
        assert admin_client.get(url).status_code == 200, url
    assert admin_client.get("/admin/disputes/dispute/add/").status_code == 403
    response = admin_client.post(f"/admin/disputes/dispute/{dispute.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
