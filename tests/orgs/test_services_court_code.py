"""A court's code in case numbers (法院代字) on its record: suggested from its division code,
kept as the SPC publishes it, refused in any other form or for a node that is not a court —
by the service and by the admin's form alike."""

from __future__ import annotations

import pytest

from jintiao.domain.case_numbers import CourtCodeInvalid
from jintiao.orgs.admin import OrganizationForm
from jintiao.orgs.models import OrgKind
from jintiao.orgs.services import OrganizationInvalid, organization_create

pytestmark = pytest.mark.django_db


def test_a_court_gets_the_code_its_division_code_suggests():
    court = organization_create(name="凯里市人民法院", kind=OrgKind.COURT, region_code="522601")
    assert court.court_code == "黔2601"
    middle = organization_create(name="黔东南州中级人民法院", kind=OrgKind.COURT,
                                 region_code="522600")
    assert middle.court_code == "黔26"


def test_a_published_code_the_rule_does_not_give_is_kept():
    court = organization_create(name="贵阳铁路运输法院", kind=OrgKind.COURT,
                                region_code="520100", court_code="黔7101")
    assert court.court_code == "黔7101"


def test_a_code_in_another_form_is_refused():
    with pytest.raises(CourtCodeInvalid, match="或最高法：522601"):
        organization_create(name="某法院", kind=OrgKind.COURT, region_code="522601",
                            court_code="522601")


def test_two_courts_never_share_a_code():
    """Case numbers are unique only per court: a second court under Kaili's division code
    would number its cases （2026）黔2601民特1号 too."""
    organization_create(name="凯里市人民法院", kind=OrgKind.COURT, region_code="522601")
    with pytest.raises(OrganizationInvalid, match="法院代字黔2601已登记为“凯里市人民法院”"):
        organization_create(name="凯里铁路运输法院", kind=OrgKind.COURT, region_code="522601")
    railway = organization_create(name="凯里铁路运输法院", kind=OrgKind.COURT,
                                  region_code="522601", court_code="黔7102")
    assert railway.court_code == "黔7102"


def test_only_a_court_has_a_code():
    with pytest.raises(OrganizationInvalid, match="只有法院"):
        organization_create(name="某调委会", kind=OrgKind.COMMITTEE, region_code="522601",
                            court_code="黔2601")


def test_the_admin_form_keeps_the_same_rule(world):
    court = world.court
    data = {"name": court.name, "kind": court.kind, "region_code": court.region_code,
            "credit_code": "", "accepted_types": "[]", "accepted_channels": "[]"}
    refused = OrganizationForm(data={**data, "court_code": "黔26010"}, instance=court)
    assert not refused.is_valid()
    assert "省级简称加两位或四位数字" in refused.errors["court_code"][0]
    emptied = OrganizationForm(data={**data, "court_code": ""}, instance=court)
    assert emptied.is_valid(), emptied.errors
    assert emptied.cleaned_data["court_code"] == "黔2601"
