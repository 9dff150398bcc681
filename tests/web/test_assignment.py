"""The director's assignment page: the mediator list searched by name, organisation or
expertise and paged, 20 to a page, the search kept by the pages; the team always in the form;
the excluded apart with their reasons."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from jintiao.domain.lifecycle import Action, Role
from jintiao.mediation.services import action_apply
from jintiao.orgs.services import mediator_profile_set
from tests.factories import UserFactory, intake
from tests.web.test_views import client_for


@pytest.fixture
def crowd(desk):
    """45 more mediators of the committee, 候选0 to 候选44; 候选7 knows consumer loans."""
    people = [UserFactory(organization=desk.committee, roles=[Role.MEDIATOR],
                          full_name=f"候选{n}") for n in range(45)]
    mediator_profile_set(user=people[7], expertise=["consumer_loan"])
    return people


@pytest.fixture
def accepted(desk):
    dispute = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch)
    return action_apply(actor=desk.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                        expected_version=1, notice_served=True)


def rows(page: str) -> list[str]:
    return re.findall(r'<tr class="candidate">.*?</tr>', page, re.S)


def test_the_list_is_paged_twenty_at_a_time(desk, crowd, accepted):
    url = f"/disputes/{accepted.pk}/assignment/"
    director = client_for(desk.director)
    first = director.get(url).content.decode()
    ranked = 45 + 3  # the crowd, the world's two mediators and the expert (not the banker)
    assert len(rows(first)) == 20
    assert f"可指派的调解员{ranked}人，第1页，共3页" in first
    assert 'href="?page=2#candidates"' in first
    last = director.get(url, {"page": 3}).content.decode()
    assert len(rows(last)) == ranked - 40
    assert "应当回避" in last  # the banker mediator, apart, with the reason, on every page
    assert str(desk.banker_mediator) not in "".join(rows(first) + rows(last))
    assert len(rows(director.get(url, {"page": "x"}).content.decode())) == 20  # not a 500


def test_a_search_finds_by_name_and_by_expertise_and_the_pages_keep_it(desk, crowd, accepted):
    url = f"/disputes/{accepted.pk}/assignment/"
    director = client_for(desk.director)
    by_name = director.get(url, {"q": "候选7"}).content.decode()
    assert [str(crowd[7])] == [re.search(r"<td>(候选\d+)</td>", r)[1] for r in rows(by_name)]
    by_expertise = director.get(url, {"q": "消费贷款"}).content.decode()
    assert len(rows(by_expertise)) == 1
    assert "候选7" in rows(by_expertise)[0]
    assert "消费贷款纠纷" in rows(by_expertise)[0]
    everyone = director.get(url, {"q": "候选"}).content.decode()
    assert "与“候选”相符的可指派调解员45人，第1页，共3页" in everyone
    assert f'href="?q={quote("候选")}&amp;page=2#candidates"' in everyone
    nobody = director.get(url, {"q": "查无此人"}).content.decode()
    assert "没有相符的可指派调解员" in nobody


def test_the_team_stays_in_the_form_on_every_page_and_search(desk, crowd, mediating):
    url = f"/disputes/{mediating.pk}/assignment/"
    director = client_for(desk.director)
    for query in ({}, {"page": 2}, {"q": "查无此人"}):
        page = director.get(url, query).content.decode()
        team = page.split('<tbody class="team">')[1].split("</tbody>")[0]
        assert f'name="lead" value="{desk.mediator.pk}"' in team
        assert "checked" in team
    # a lead chosen on the second page of a search is assigned
    chosen = crowd[30]
    response = director.post(f"/disputes/{mediating.pk}/assign/", {
        "expected_version": mediating.version, "lead": chosen.pk,
        "others": [desk.mediator.pk], "reason": "换人主调"}, follow=True)
    assert "已调整调解员" in response.content.decode()
    assert set(mediating.mediator_rows.values_list("user_id", "lead")) == {
        (chosen.pk, True), (desk.mediator.pk, False)}
