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


def test_the_workbench_admin_shows_shared_records_only(desk, mediating, admin_client):
    from decimal import Decimal as D

    from jintiao.mediation.services import offer_propose
    from tests.factories import flat

    offer_propose(actor=desk.mediator, dispute_id=mediating.pk, options=flat(24),
                  discount_rate=D("0.035"))
    offer_propose(actor=desk.mediator, dispute_id=mediating.pk, options=flat(48),
                  discount_rate=D("0.035"), on_behalf_of="debtor", side="debtor")
    for url in ("/admin/mediation/session/", "/admin/mediation/approval/",
                "/admin/mediation/recusal/", "/admin/mediation/menuitem/",
                "/admin/orgs/mediatorprofile/", "/admin/orgs/authoritygrant/"):
        assert admin_client.get(url).status_code == 200, url
    listing = admin_client.get("/admin/mediation/offer/").content.decode()
    assert "24期" in listing
    assert "48期" not in listing  # the debtor's private offer is not the operator's
    assert admin_client.get("/admin/mediation/offer/add/").status_code == 403


def test_authority_is_granted_through_the_service_and_only_to_officers(desk, admin_client):
    from jintiao.orgs.models import AuthorityGrant

    body = {"max_charge_waiver_ratio": "0.5", "max_principal_waiver_ratio": "0",
            "max_term_months": "48", "min_annual_rate": "0", "max_deferral_months": "6",
            "note": "临时授权"}
    refused = admin_client.post("/admin/orgs/authoritygrant/add/",
                                {**body, "user": desk.mediator.pk})
    assert refused.status_code == 200  # the form again, with the error
    assert "只有金融机构的经办人或审批人可以授权" in refused.content.decode()
    admin_client.post("/admin/orgs/authoritygrant/add/", {**body, "user": desk.hq_agent.pk})
    grant = AuthorityGrant.objects.get(user=desk.hq_agent)
    assert grant.max_term_months == 48
    assert not AuthorityGrant.objects.filter(user=desk.mediator).exists()


def test_the_outreach_records_are_read_only_in_the_admin(world, mediating, admin_client):
    from jintiao import clock
    from jintiao.outreach.services import contact_record
    from tests.portal.helpers import daytime

    with clock.pinned(daytime()):
        contact_record(actor=world.mediator, dispute_id=mediating.pk,
                       party_id=mediating.party_rows.get(role="debtor").party_id,
                       channel="call", outcome="reached")
    for url in ("/admin/outreach/messagetemplate/", "/admin/outreach/contactattempt/",
                "/admin/outreach/service/", "/admin/outreach/verification/"):
        assert admin_client.get(url).status_code == 200, url
    assert admin_client.get("/admin/outreach/contactattempt/add/").status_code == 403
