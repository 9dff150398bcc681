"""Test-wide settings and the shared world of organisations and personas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, settings

from jintiao.disputes.models import Channel, DisputeType, PartyRole
from jintiao.disputes.services import dispute_intake
from jintiao.domain.authority import AuthorityLimits
from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.lifecycle import Action, Role
from jintiao.domain.policy import Track
from jintiao.mediation.services import (
    action_apply,
    budget_declare,
    joint_create,
)
from jintiao.orgs.models import OrgKind
from jintiao.orgs.services import authority_grant_set
from jintiao.parties.crypto import decrypt
from jintiao.parties.models import PartyKind
from jintiao.parties.services import PartyInput
from jintiao.pki.store import ensure_ca
from tests.factories import (
    OrganizationFactory,
    UserFactory,
    credit_code,
    flat,
    intake,
    publish_default_policy,
)
from tests.helpers import (
    CHARGES_SINCE,
    accept_joint_plan,
    accept_plan,
    agree,
    confirm,
    other_side,
)

# Property tests check rules, not speed: a loaded CI machine must not fail them on time.
settings.register_profile("jintiao", deadline=None, suppress_health_check=[HealthCheck.too_slow])
# `pytest --hypothesis-profile=thorough` digs deeper before a release or after a rule change.
settings.register_profile("thorough", parent=settings.get_profile("jintiao"), max_examples=3000)
settings.load_profile("jintiao")


@pytest.fixture(scope="session", autouse=True)
def signing_root():
    """The run's own root certificate, made once: every generated PDF is signed
    (settings_test puts PKI_DIR in a folder of the run)."""
    return ensure_ca("金调通测试")


@pytest.fixture
def world(db):
    w = SimpleNamespace()
    w.prefecture = OrganizationFactory(name="黔东南州金融纠纷多元化解领导小组",
                                       kind=OrgKind.LEADING_GROUP, region_code="522600")
    publish_default_policy(w.prefecture)
    w.county = OrganizationFactory(name="凯里市领导小组", kind=OrgKind.LEADING_GROUP,
                                   region_code="522601", parent=w.prefecture)
    w.other_county = OrganizationFactory(name="黄平县领导小组", kind=OrgKind.LEADING_GROUP,
                                         region_code="522622", parent=w.prefecture)
    w.committee = OrganizationFactory(name="凯里市金调委", parent=w.county)
    w.other_committee = OrganizationFactory(name="黄平县金调委", parent=w.other_county,
                                            region_code="522622")
    w.bank = OrganizationFactory(name="某银行黔东南分行", kind=OrgKind.INSTITUTION)
    w.branch = OrganizationFactory(name="某银行凯里支行", kind=OrgKind.BRANCH, parent=w.bank)
    w.other_bank = OrganizationFactory(name="某农商银行", kind=OrgKind.INSTITUTION)
    w.court = OrganizationFactory(name="凯里市人民法院", kind=OrgKind.COURT)
    w.other_court = OrganizationFactory(name="黄平县人民法院", kind=OrgKind.COURT,
                                        region_code="522622")
    w.clerk = UserFactory(organization=w.committee, roles=[Role.INTAKE_CLERK])
    w.director = UserFactory(organization=w.committee, roles=[Role.DIRECTOR])
    w.mediator = UserFactory(organization=w.committee, roles=[Role.MEDIATOR])
    w.other_mediator = UserFactory(organization=w.committee, roles=[Role.MEDIATOR])
    w.banker_mediator = UserFactory(organization=w.branch, roles=[Role.MEDIATOR])
    w.agent = UserFactory(organization=w.branch, roles=[Role.AGENT])
    w.hq_agent = UserFactory(organization=w.bank, roles=[Role.AGENT])
    w.other_agent = UserFactory(organization=w.other_bank, roles=[Role.AGENT])
    w.judge = UserFactory(organization=w.court, roles=[Role.JUDGE])
    w.other_judge = UserFactory(organization=w.other_court, roles=[Role.JUDGE])
    w.supervisor = UserFactory(organization=w.prefecture, roles=[Role.SUPERVISOR])
    w.county_supervisor = UserFactory(organization=w.other_county, roles=[Role.SUPERVISOR])
    w.other_clerk = UserFactory(organization=w.other_committee, roles=[Role.INTAKE_CLERK])
    return w


@pytest.fixture
def cases(world):
    """Ours: a Kaili dispute of the branch, accepted and assigned to ``world.mediator``;
    theirs: a Huangping dispute of another bank, just received."""
    ours = intake(actor=world.clerk, committee=world.committee, institution=world.branch,
                  court=world.court)
    ours = action_apply(actor=world.clerk, dispute_id=ours.pk, action=Action.ACCEPT,
                                expected_version=1, notice_served=True)
    ours = action_apply(actor=world.director, dispute_id=ours.pk, action=Action.ASSIGN,
                                expected_version=ours.version, track=Track.SIMPLE,
                                mediators=[world.mediator])
    theirs = intake(actor=world.other_clerk, committee=world.other_committee,
                    institution=world.other_bank, court=world.other_court)
    return ours, theirs


@pytest.fixture
def desk(world):
    """``world`` with an expert on the committee, an approver at the bank's prefecture
    branch and grants: the agent may waive 30 % of charges over up to 36 months, the
    approver all charges and 10 % of principal over up to 60 months."""
    world.expert = UserFactory(organization=world.committee,
                               roles=[Role.MEDIATOR, Role.EXPERT])
    world.approver = UserFactory(organization=world.bank, roles=[Role.APPROVER])
    authority_grant_set(user=world.agent, limits=AuthorityLimits(
        max_charge_waiver_ratio=D("0.30"), max_term_months=36))
    authority_grant_set(user=world.approver, limits=AuthorityLimits(
        max_charge_waiver_ratio=D("1"), max_principal_waiver_ratio=D("0.10"),
        max_term_months=60, max_deferral_months=12))
    return world


@pytest.fixture
def mediating(desk, cases):
    """The branch's Kaili dispute, accepted, simple track, ``world.mediator`` leading."""
    return cases[0]


@pytest.fixture
def evaluating(desk):
    """A 3,000,000 loan of the branch on the neutral-evaluation track, ``world.mediator``
    leading and ``world.expert`` on the team."""
    dispute = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch,
                     principal="3000000.00")
    dispute = action_apply(actor=desk.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                           expected_version=1, notice_served=True)
    return action_apply(actor=desk.director, dispute_id=dispute.pk, action=Action.ASSIGN,
                        expected_version=dispute.version, track=Track.EVALUATION,
                        mediators=[desk.mediator, desk.expert])


@pytest.fixture
def performing(desk, mediating):
    """The branch's dispute on a confirmed 12-instalment plan of 231,208.40 from 2027-01-20."""
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    confirm(desk, mediating)
    mediating.refresh_from_db()
    return mediating


# joint mediation (issue 21 §2): the same debtor's second dispute, with another bank
@pytest.fixture
def second_loan(desk, mediating):
    """The same debtor's 200,000-yuan loan with another bank, being mediated at the same
    committee by the same mediator."""
    debtor = mediating.party_rows.get(role="debtor").party
    d = dispute_intake(
        actor=desk.clerk, committee=desk.committee, channel=Channel.INSTITUTION_APPLICATION,
        dispute_type=DisputeType.CONSUMER_LOAN, institution=desk.other_bank,
        claim=ClaimBreakdown(as_of=dt.date(2026, 6, 30), principal=D("200000.00"),
                             interest=D("12000.00"), penalty_interest=D("3000.00")),
        parties=[(PartyInput(PartyKind.ENTITY, desk.other_bank.name, credit_code(909)),
                  PartyRole.CREDITOR),
                 (PartyInput(PartyKind.PERSON, debtor.name, decrypt(debtor.id_cipher),
                             phone=decrypt(debtor.phone_cipher)), PartyRole.DEBTOR)]).dispute
    d = action_apply(actor=desk.clerk, dispute_id=d.pk, action=Action.ACCEPT,
                     expected_version=d.version, notice_served=True)
    return action_apply(actor=desk.director, dispute_id=d.pk, action=Action.ASSIGN,
                        expected_version=d.version, track=Track.SIMPLE,
                        mediators=[desk.mediator])


@pytest.fixture
def joined(desk, mediating, second_loan):
    budget_declare(actor=desk.mediator, dispute_id=mediating.pk,
                   party_row_id=mediating.party_rows.get(role="debtor").pk,
                   monthly_income=D("12000"), other_obligations=D("0"),
                   dependants=1)
    return joint_create(actor=desk.mediator, dispute_ids=[mediating.pk, second_loan.pk])


@pytest.fixture
def both_agreed(desk, mediating, second_loan, joined):
    """The consolidated plan accepted by the debtor and each bank (both may go to ten
    years), both agreements signed and sealed: ready for the one application."""
    accept_joint_plan(desk, joined)
    agree(desk, mediating, CHARGES_SINCE)
    agree(other_side(desk), second_loan, CHARGES_SINCE)
    return joined
