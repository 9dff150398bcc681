"""Factories that build rows through the services, so tests see what production writes."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import factory

from jintiao.disputes.models import Channel, DisputeType, PartyRole
from jintiao.disputes.services import Scan, dispute_intake
from jintiao.domain import identity
from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.lifecycle import Role
from jintiao.domain.plans import PlanOptions, Waiver
from jintiao.domain.policy import DEFAULT_POLICY
from jintiao.domain.schedules import Method
from jintiao.orgs.models import INSTITUTION_KINDS, Organization, OrgKind, User
from jintiao.orgs.services import organization_create, user_create
from jintiao.parties.models import PartyKind
from jintiao.parties.services import PartyInput
from jintiao.policies.services import policy_publish

# Numbers below 1000 are the tests' own (``resident_id(778)`` for a representative, say);
# the serial of :func:`intake` starts above them, so a dispute's party never turns out to be
# the person a test names, however many disputes the run has made before.
FIRST_SERIAL = 1000
_serial = itertools.count(FIRST_SERIAL)


def resident_id(n: int) -> str:
    """A valid resident ID number, distinct for each ``n`` below 324,000: born 1 January
    for the tests' own numbers (below 1000), a later day of the year for the serial's."""
    if n < FIRST_SERIAL:
        birthday = "0101"
    else:
        month, day = divmod(n // FIRST_SERIAL, 27)
        birthday = f"{1 + month % 12:02d}{2 + day:02d}"
    first17 = f"52010319{80 + n % 20:02d}{birthday}{n % 1000:03d}"
    return first17 + identity.resident_id_check_char(first17)


def credit_code(n: int) -> str:
    """A valid unified social credit code, distinct for each ``n``."""
    first17 = f"91520103MA{n:07d}"
    return first17 + identity.credit_code_check_char(first17)


def institution_code(n: int) -> str:
    """A bank's or branch's registered credit code, never one :func:`credit_code` makes."""
    first17 = f"91522601MB{n:07d}"
    return first17 + identity.credit_code_check_char(first17)


class OrganizationFactory(factory.Factory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"单位{n}")
    kind = OrgKind.COMMITTEE
    region_code = "522601"
    parent = None
    # banks and branches are registered under their unified social credit code
    credit_code = factory.LazyAttributeSequence(
        lambda o, n: institution_code(n) if o.kind in INSTITUTION_KINDS else "")

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> Organization:
        return organization_create(**kwargs)  # type: ignore[arg-type]


class UserFactory(factory.Factory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    organization = None
    roles: tuple[Role, ...] = ()
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    password = "pass-for-tests"  # noqa: S105

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> User:
        return user_create(**kwargs)  # type: ignore[arg-type]


def publish_default_policy(org: Organization) -> None:
    policy_publish(organization=org, policy=DEFAULT_POLICY, valid_from=dt.date(2020, 1, 1),
                   source="测试默认规则")


def intake(*, actor: User, committee: Organization, institution: Organization | None = None,
           court: Organization | None = None, channel: Channel = Channel.INSTITUTION_APPLICATION,
           dispute_type: DisputeType = DisputeType.CREDIT_CARD,
           principal: str = "200000.00", external_ref: str | None = None,
           serial: int | None = None, charges_since: dt.date | None = None):
    """File a dispute through the service; the parties are new each time unless ``serial``
    names them (the same ``serial`` and reference: the same file sent again)."""
    n = serial if serial is not None else next(_serial)
    return dispute_intake(
        actor=actor, committee=committee, channel=channel, dispute_type=dispute_type,
        claim=ClaimBreakdown(as_of=dt.date(2026, 6, 30), principal=Decimal(principal),
                             interest=Decimal("31208.40")),
        parties=[
            (PartyInput(PartyKind.ENTITY, f"某银行{n}", credit_code(n)), PartyRole.CREDITOR),
            (PartyInput(PartyKind.PERSON, f"张{n}", resident_id(n), phone="13812345678"),
             PartyRole.DEBTOR),
        ],
        institution=institution, court=court, external_ref=external_ref,
        charges_since=charges_since,
    ).dispute


# A power of attorney's scan as the desk uploads it: a small PDF.
SCAN = Scan("授权委托书.pdf", b"%PDF-1.4\n% power of attorney\n%%EOF\n")

FIRST_DUE = dt.date(2027, 1, 20)


def flat(periods: int, *, waivers: tuple[Waiver, ...] = (), label: str = "") -> PlanOptions:
    """An interest-free plan of equal monthly instalments from :data:`FIRST_DUE`."""
    return PlanOptions(Method.FLAT, periods, FIRST_DUE, waivers=waivers,
                       label=label or f"{periods}期")
