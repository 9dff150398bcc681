"""The benchmarks' synthetic disputes stand as real ones would: parties, lead mediator,
timelines whose chains verify, numbers nobody else takes — so a benchmark over them times
what a platform of that size does, and a dispute filed among them is filed as usual."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from jintiao import clock
from jintiao.demo.scale import PREFECTURE, bench_seed, synthetic_disputes
from jintiao.disputes.models import Channel, Dispute, DisputeType, PartyRole
from jintiao.disputes.services import dispute_intake
from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.lifecycle import Role, State
from jintiao.orgs.models import Organization, OrgKind
from jintiao.orgs.services import user_create
from jintiao.parties.models import Party, PartyKind
from jintiao.parties.services import PartyInput
from jintiao.supervision.models import DisputeFigures
from jintiao.timeline.models import Event
from jintiao.timeline.services import audit_verify

CASES = 120


@pytest.fixture
def seeded(db):
    return bench_seed(CASES, seed=7)


def _synthetic():
    return synthetic_disputes()


def test_each_dispute_has_its_bank_and_one_debtor_of_its_own(seeded):
    assert seeded == CASES
    for dispute in _synthetic().prefetch_related("party_rows__party"):
        roles = sorted(r.role for r in dispute.party_rows.all())
        assert roles == [PartyRole.CREDITOR, PartyRole.DEBTOR]
        creditor = next(r.party for r in dispute.party_rows.all() if r.role == "creditor")
        assert creditor.name == dispute.institution.name
    debtors = Party.objects.filter(kind=PartyKind.PERSON, dispute_rows__dispute__in=_synthetic())
    assert debtors.count() == CASES
    assert debtors.values("id_hash").distinct().count() == CASES
    assert all(p.id_masked and p.phone_masked and p.birth_date and p.sex for p in debtors)


def test_every_chain_verifies_and_ends_where_the_dispute_stands(seeded):
    checked, broken = audit_verify()
    assert broken == []
    assert checked == Event.objects.count() > 2 * CASES
    for dispute in _synthetic():
        chain = list(Event.objects.filter(dispute=dispute).order_by("seq"))
        assert chain[0].type == "dispute.received"
        assert chain[-1].state_after == dispute.state
        assert dispute.version == dispute.events_seq == len(chain)
        assert [e.at for e in chain] == sorted(e.at for e in chain)
        assert chain[-1].at <= clock.now()
        assert DisputeFigures.objects.get(dispute=dispute).seq == len(chain)
    states = set(_synthetic().values_list("state", flat=True))
    assert {State.MEDIATING, State.TRANSFERRED, State.PERFORMED} <= states


def test_a_lead_mediator_from_assignment_on(seeded):
    for dispute in _synthetic().prefetch_related("mediator_rows"):
        leads = [m for m in dispute.mediator_rows.all() if m.lead]
        waiting = dispute.state in (State.RECEIVED, State.DECLINED)
        assert len(leads) == (0 if waiting else 1)


def test_seeding_again_adds_more_under_other_numbers(seeded):
    assert bench_seed(30, seed=7) == CASES + 30
    assert _synthetic().values("number").distinct().count() == CASES + 30
    assert audit_verify()[1] == []


def test_a_dispute_filed_afterwards_takes_a_free_number(seeded):
    top = _synthetic().order_by("-seq").first()
    committee = top.committee
    branch = top.institution
    clerk = user_create(username="bench-test-clerk", organization=committee,
                        roles=[Role.INTAKE_CLERK])
    received = top.received_on if top.received_on.year == clock.today().year \
        else clock.today()
    made = dispute_intake(
        actor=clerk, committee=committee, channel=Channel.INSTITUTION_APPLICATION,
        dispute_type=DisputeType.CREDIT_CARD, institution=branch, received_on=received,
        claim=ClaimBreakdown(as_of=received - dt.timedelta(days=1), principal=Decimal("5000")),
        parties=[(PartyInput(PartyKind.ENTITY, branch.name, branch.credit_code),
                  PartyRole.CREDITOR),
                 (PartyInput(PartyKind.PERSON, "钱某", "11010519491231002X"), PartyRole.DEBTOR)],
    ).dispute
    taken = set(Dispute.objects.filter(committee=committee, year=made.year)
                .exclude(pk=made.pk).values_list("seq", flat=True))
    assert made.seq not in taken
    assert made.seq > max(taken, default=0)


def test_the_dispute_page_and_the_list_open_on_every_state(seeded):
    prefecture = Organization.objects.get(name=PREFECTURE, parent=None)
    supervisor = user_create(username="bench-test-supervisor", organization=prefecture,
                             roles=[Role.SUPERVISOR])
    client = Client()
    client.force_login(supervisor)
    seen = {}
    for dispute in _synthetic().order_by("pk"):
        seen.setdefault(dispute.state, dispute)
    for dispute in seen.values():
        response = client.get(f"/disputes/{dispute.pk}/")
        assert response.status_code == 200, (dispute.state, response.content[:300])
        assert dispute.number in response.content.decode()
    listing = client.get("/disputes/", {"q": seen[State.MEDIATING].summary[:4]})
    assert listing.status_code == 200
    assert Organization.objects.filter(kind=OrgKind.COMMITTEE,
                                       path__startswith=prefecture.path).count() == 16
