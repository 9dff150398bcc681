"""Synthetic disputes at scale for the report benchmark (``jintiao bench seed``).

Shaped like scenario S6 — a prefecture's three years: about 87 % of concluded disputes
settled, six in ten settlements confirmed by a court, claims averaging some 700,000 yuan
with a long tail, one in twenty a distressed enterprise — and spread over 16 counties.
Disputes and their figures rows are written in bulk, without timelines: the benchmark
measures reading the figures, which is what a report does; the fold that makes the rows
from timelines is exercised by the test suite on the demo world.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from decimal import Decimal

from django.db import transaction

from jintiao import clock
from jintiao.disputes.models import Channel, Dispute, DisputeType
from jintiao.domain import fees
from jintiao.domain.figures import Outcome
from jintiao.domain.lifecycle import Role, State
from jintiao.domain.money import to_fen
from jintiao.domain.policy import DEFAULT_POLICY, Track
from jintiao.orgs.models import Organization, OrgKind, User, UserRole
from jintiao.orgs.services import organization_create
from jintiao.policies.models import PolicyVersion
from jintiao.policies.services import policy_publish
from jintiao.supervision.models import DisputeFigures

PREFECTURE = "基准测试州金融纠纷多元化解工作领导小组"
COUNTIES = 16
MEDIATORS_PER_COMMITTEE = 6
YEARS = 3
BATCH = 5000
TYPES = list(DisputeType)
TYPE_WEIGHTS = [40, 20, 12, 6, 10, 4, 3, 2, 1, 2]
CHANNELS = list(Channel)
CHANNEL_WEIGHTS = [30, 8, 4, 6, 10, 12, 30]


def _world() -> tuple[Organization, list[Organization], list[Organization],
                      dict[int, list[int]], PolicyVersion]:
    prefecture = Organization.objects.filter(name=PREFECTURE, parent=None).first()
    if prefecture is None:
        prefecture = organization_create(name=PREFECTURE, kind=OrgKind.LEADING_GROUP,
                                          region_code="529900")
        policy_publish(organization=prefecture, policy=DEFAULT_POLICY,
                       valid_from=dt.date(2020, 1, 1), source="基准测试")
        bank = organization_create(name="基准测试银行", kind=OrgKind.INSTITUTION,
                                   region_code="529900")
        for n in range(1, COUNTIES + 1):
            code = f"5299{n:02d}"
            county = organization_create(name=f"基准县{n:02d}领导小组", kind=OrgKind.LEADING_GROUP,
                                         region_code=code, parent=prefecture)
            committee = organization_create(name=f"基准县{n:02d}金调委", kind=OrgKind.COMMITTEE,
                                            region_code=code, parent=county)
            organization_create(name=f"基准测试银行基准县{n:02d}支行", kind=OrgKind.BRANCH,
                                region_code=code, parent=bank)
            users = User.objects.bulk_create(
                [User(username=f"bench-{committee.pk}-{i}", first_name=f"基准调解员{n:02d}-{i}",
                      organization=committee, is_active=False)
                 for i in range(MEDIATORS_PER_COMMITTEE)])
            UserRole.objects.bulk_create([UserRole(user=u, role=Role.MEDIATOR) for u in users])
    committees = list(Organization.objects.filter(kind=OrgKind.COMMITTEE,
                                                  path__startswith=prefecture.path)
                      .order_by("path"))
    branches = list(Organization.objects.filter(kind=OrgKind.BRANCH,
                                                parent__name="基准测试银行").order_by("path"))
    mediators = {c.pk: list(User.objects.filter(organization=c).values_list("pk", flat=True))
                 for c in committees}
    policy = PolicyVersion.objects.filter(organization=prefecture).order_by("-version").first()
    assert policy is not None  # noqa: S101 - published with the prefecture above
    return prefecture, committees, branches, mediators, policy


def _claim(rng: random.Random) -> Decimal:
    """A lognormal claim: median about 180,000 yuan, mean about 700,000 (S6's average)."""
    value = math.exp(rng.gauss(math.log(180_000), 1.65))
    return Decimal(f"{min(max(value, 2_000), 500_000_000):.2f}")


def _after(day: dt.date, rng: random.Random, low: int, high: int) -> dt.date:
    return day + dt.timedelta(days=rng.randint(low, high))


def _rows(count: int, seed: int, start_seq: int) -> Iterator[tuple[Dispute, DisputeFigures]]:
    prefecture, committees, branches, mediators, policy = _world()
    del prefecture
    rng = random.Random(seed)
    today = clock.today()
    first = today - dt.timedelta(days=365 * YEARS)
    saving_rate, saving_minimum = DEFAULT_POLICY.lawyer_fee_rate, DEFAULT_POLICY.lawyer_fee_minimum
    for n in range(count):
        k = rng.randrange(len(committees))
        committee, branch = committees[k], branches[k]
        received = first + dt.timedelta(days=rng.randrange(365 * YEARS))
        claim = _claim(rng)
        dtype = rng.choices(TYPES, TYPE_WEIGHTS)[0]
        seq = start_seq + n
        number = f"（{received.year}）基准{committee.pk}-{seq}号"
        f = DisputeFigures(committee=committee, node_path=committee.path,
                           channel=rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0].value,
                           dispute_type=dtype.value, institution=branch,
                           mediator_id=rng.choice(mediators[committee.pk]),
                           claim_fen=to_fen(claim), received_on=received, seq=1,
                           distressed=dtype is DisputeType.ENTERPRISE_LOAN or rng.random() < 0.04)
        state = State.RECEIVED
        if rng.random() < 0.02:
            f.outcome, f.declined_on, state = Outcome.DECLINED.value, _after(received, rng, 0, 3), \
                State.DECLINED
        else:
            f.accepted_on = _after(received, rng, 0, 3)
            f.invited_on = _after(f.accepted_on, rng, 0, 2)
            if rng.random() < 0.85:
                f.contacted_on = _after(f.invited_on, rng, 0, 5)
                if rng.random() < 0.9:
                    f.engaged_on = _after(f.contacted_on, rng, 0, 5)
            f.deadline = _after(f.accepted_on, rng, 9, 21)
            concluded = _after(f.accepted_on, rng, 2, 26)
            state = State.MEDIATING
            if concluded <= today and rng.random() < 0.97:
                f.concluded_on = concluded
                f.working_days = (concluded - f.accepted_on).days * 5 // 7
                f.within_deadline = concluded <= f.deadline
                roll = rng.random()
                if roll < 0.875 and f.engaged_on:
                    f.outcome, f.agreed_on, state = Outcome.SETTLED.value, concluded, State.AGREED
                    f.agreed_fen = f.claim_fen * rng.randint(70, 100) // 100
                    f.saved_fen = to_fen(fees.litigation_saving(
                        claim, lawyer_fee_rate=saving_rate,
                        lawyer_fee_minimum=saving_minimum).total)
                elif roll < 0.965:
                    f.outcome, state = Outcome.FAILED.value, State.TRANSFERRED
                    if not f.contacted_on:
                        f.outcome = Outcome.UNREACHABLE.value
                else:
                    f.outcome, state = Outcome.WITHDRAWN.value, State.WITHDRAWN
        if f.outcome == Outcome.SETTLED.value and f.concluded_on is not None:
            if rng.random() < 0.59 and (day := _after(f.concluded_on, rng, 5, 25)) <= today:
                f.confirmed_on, state = day, State.PERFORMING
            elif rng.random() < 0.3:
                state = State.PERFORMING
            if state is State.PERFORMING:
                f.performing_on = f.confirmed_on or _after(f.concluded_on, rng, 1, 5)
                end = _after(f.performing_on, rng, 30, 720)
                if end <= today:
                    if rng.random() < 0.88:
                        f.performed_on, state = end, State.PERFORMED
                        if rng.random() < 0.2 and (fix := _after(end, rng, 5, 60)) <= today:
                            f.credit_repaired_on = fix
                    else:
                        f.defaulted_on, state = end, State.DEFAULTED
                        if f.confirmed_on and rng.random() < 0.5 and \
                                (applied := _after(end, rng, 5, 90)) <= today:
                            f.enforcement_on, state = applied, State.ENFORCEMENT
        dispute = Dispute(number=number, committee=committee, year=received.year, seq=seq,
                          channel=f.channel, dispute_type=dtype.value, institution=branch,
                          state=state.value, track=Track.SIMPLE.value, claim_as_of=received,
                          principal=claim, policy_version=policy, received_on=received,
                          deadline=f.deadline if state is State.MEDIATING else None,
                          non_litigation_notice_served=True)
        yield dispute, f


def bench_seed(cases: int, *, seed: int = 2026) -> int:
    """Add ``cases`` synthetic disputes with their figures; return how many there are now
    under the benchmark prefecture. Run again to add more (a different range of numbers)."""
    with transaction.atomic():
        _world()
    start = Dispute.objects.filter(number__contains="基准").count() + 1
    batch: list[tuple[Dispute, DisputeFigures]] = []
    for pair in _rows(cases, seed + start, start):
        batch.append(pair)
        if len(batch) == BATCH:
            _write(batch)
            batch = []
    if batch:
        _write(batch)
    return Dispute.objects.filter(number__contains="基准").count()


def _write(batch: list[tuple[Dispute, DisputeFigures]]) -> None:
    with transaction.atomic():
        made = Dispute.objects.bulk_create([d for d, _f in batch])
        for dispute, (_d, f) in zip(made, batch, strict=True):
            f.dispute = dispute
        DisputeFigures.objects.bulk_create([f for _d, f in batch])
