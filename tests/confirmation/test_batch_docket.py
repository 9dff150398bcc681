"""Docketing many applications at once (issue 20 §6): each by the single acceptance in its
own transaction — case number, review period, notice — each refusal listed on its own."""

from __future__ import annotations

import pytest

from jintiao.confirmation.batch import BatchInvalid, confirmation_batch_accept
from jintiao.confirmation.models import Application
from jintiao.confirmation.services import confirmation_apply
from jintiao.disputes.access import PermissionDenied
from jintiao.domain.lifecycle import Role
from tests.api.client import Api
from tests.confirmation.batch_helpers import agreed
from tests.factories import UserFactory
from tests.web.test_views import client_for


def filed(desk, n=2):
    out = []
    for _ in range(n):
        d = agreed(desk)
        out.append(confirmation_apply(actor=desk.mediator, dispute_id=d.pk,
                                      court_id=desk.court.pk, expected_version=d.version))
    return out


@pytest.fixture
def clerk(desk):
    return UserFactory(organization=desk.court, roles=[Role.COURT_CLERK])


class TestService:
    def test_each_is_docketed_with_its_case_number_and_a_refusal_stands_alone(self, desk,
                                                                           clerk):
        first, second = filed(desk)
        outcomes = confirmation_batch_accept(actor=clerk,
                                             applications=[first.pk, second.pk, first.pk,
                                                           999_999])
        assert [o.ok for o in outcomes] == [True, True, False]
        for a in (first, second):
            a.refresh_from_db()
            assert a.status == Application.Status.ACCEPTED
            assert a.case_number
            assert a.accepted_by == clerk
        assert outcomes[0].message == f"已立案，案号{first.case_number}"
        assert outcomes[2].code == "not_found" or outcomes[2].code.endswith("not_found")
        assert first.case_number != second.case_number

    def test_one_already_docketed_is_refused_with_the_single_services_words(self, desk,
                                                                            clerk):
        [a] = filed(desk, 1)
        confirmation_batch_accept(actor=clerk, applications=[a.pk])
        [again] = confirmation_batch_accept(actor=clerk, applications=[a.pk])
        assert not again.ok
        assert "已立案" in again.message or "受理" in again.message

    def test_another_courts_clerk_dockets_nothing(self, desk):
        stranger = UserFactory(organization=desk.other_court, roles=[Role.COURT_CLERK])
        [a] = filed(desk, 1)
        [outcome] = confirmation_batch_accept(actor=stranger, applications=[a.pk])
        assert not outcome.ok
        assert outcome.number == ""
        a.refresh_from_db()
        assert a.status == Application.Status.FILED

    @pytest.mark.parametrize("who", ["mediator", "director", "agent"])
    def test_only_court_staff_docket(self, desk, who):
        [a] = filed(desk, 1)
        with pytest.raises(PermissionDenied):
            confirmation_batch_accept(actor=getattr(desk, who), applications=[a.pk])

    def test_none_or_too_many_is_refused(self, desk, clerk):
        with pytest.raises(BatchInvalid):
            confirmation_batch_accept(actor=clerk, applications=[])
        with pytest.raises(BatchInvalid):
            confirmation_batch_accept(actor=clerk, applications=list(range(1, 102)))


class TestInterfaces:
    def test_the_clerk_dockets_the_ticked_ones_from_the_home_page(self, desk, clerk):
        first, second = filed(desk)
        client = client_for(clerk)
        home = client.get("/").content.decode()
        assert 'id="docket-form"' in home
        assert f'value="{first.pk}"' in home
        page = client.post("/confirmations/docket/", {"application": [str(first.pk), "x",
                                                                      "-3"]},
                           follow=True).content.decode()
        assert "已立案 1 件" in page
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.status == Application.Status.ACCEPTED
        assert second.status == Application.Status.FILED

    def test_the_api_dockets_and_lists_each_outcome(self, desk, clerk):
        first, second = filed(desk)
        response = Api(clerk).post("/confirmations/docket",
                                   {"application_ids": [first.pk, second.pk]})
        assert response.status_code == 200
        body = response.json()
        assert (body["done"], body["refused"]) == (2, 0)
        assert body["items"][0]["message"].startswith("已立案，案号")

    def test_the_api_refuses_whom_it_must(self, desk):
        [a] = filed(desk, 1)
        assert Api(desk.mediator).post("/confirmations/docket",
                                       {"application_ids": [a.pk]}).status_code == 403
        assert Api(desk.judge).post("/confirmations/docket",
                                    {"application_ids": []}).status_code == 422
