"""Synthetic disputes at scale for the benchmarks (``jintiao bench seed``).

Shaped like scenario S6 — a prefecture's three years: about 87 % of concluded disputes
settled, six in ten settlements confirmed by a court, claims averaging some 700,000 yuan
with a long tail, one in twenty a distressed enterprise — and spread over 16 counties.

Each dispute is written in bulk as a real one stands, so that a list, a search or a page
over them costs what it would on a platform of that size: the bank's branch and a debtor as
its parties (the number encrypted, hashed and masked as intake keeps it), its lead mediator
once assigned, a summary, and a timeline from receipt to where it stands — hash-chained,
the dispute recording its length and head, so ``audit verify`` finds every chain intact —
and its figures row. Numbers come from the committees' counters, as intake takes them, so a
dispute filed afterwards takes the next free number. The steps after mediation are history
without records (no agreement, application or ruling behind them): their events say
``synthetic``, as the demo's own synthetic disputes do.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

from jintiao import clock
from jintiao.demo.seed import COUNTIES as DEMO_COUNTIES
from jintiao.demo.seed import GIVEN, SURNAMES
from jintiao.disputes.models import (
    Channel,
    Dispute,
    DisputeMediator,
    DisputeParty,
    DisputeType,
    PartyRole,
)
from jintiao.disputes.services import dispute_number, number_prefix, numbers_take
from jintiao.domain import events, fees, identity
from jintiao.domain.events import EventType
from jintiao.domain.figures import Outcome
from jintiao.domain.lifecycle import Action, Role, State
from jintiao.domain.money import to_fen
from jintiao.domain.policy import DEFAULT_POLICY, Track
from jintiao.orgs.models import Organization, OrgKind, User, UserRole
from jintiao.orgs.services import organization_create
from jintiao.parties import crypto
from jintiao.parties.models import Party, PartyKind
from jintiao.parties.services import PartyInput, party_check, party_get_or_create
from jintiao.policies.models import PolicyVersion
from jintiao.policies.services import policy_publish
from jintiao.supervision.models import DisputeFigures
from jintiao.supervision.month_figures import months_rebuild_all
from jintiao.timeline.hashing import GENESIS, event_hash
from jintiao.timeline.models import Event

PREFECTURE = "基准测试州金融纠纷多元化解工作领导小组"
BANK = "基准测试银行"
COUNTIES = 16
MEDIATORS_PER_COMMITTEE = 6
YEARS = 3
BATCH = 2000
TYPES = list(DisputeType)
TYPE_WEIGHTS = [40, 20, 12, 6, 10, 4, 3, 2, 1, 2]
CHANNELS = list(Channel)
CHANNEL_WEIGHTS = [30, 8, 4, 6, 10, 12, 30]
STREETS = "人民路 中山路 解放路 建设路 文化路 北京路 新华路 胜利路 和平路 团结路".split()
SUMMARIES = ("借款人因收入下降未按期还款，同意调解，请求分期偿还。",
             "逾期后经多次催收未果，金融机构申请调解，借款人对欠款金额无异议。",
             "借款人经营困难形成逾期，双方就还款期限和费息减免存在分歧。",
             "借款人因病致贫无力一次清偿，请求减免罚息并延长还款期限。")


@dataclass
class World:
    """The benchmark prefecture: per county its committee, the bank's branch with its party
    as creditor, and the desk (inactive accounts: their names stand on the timeline only)."""

    prefecture: Organization
    policy: PolicyVersion
    committees: list[Organization]
    branches: list[Organization]
    creditors: list[Party]
    clerks: list[int]
    directors: list[int]
    agents: list[int]
    mediators: dict[int, list[int]] = field(default_factory=dict)


def _code(series: str, n: int) -> str:
    first17 = f"91529900{series}{n:07d}"
    return first17 + identity.credit_code_check_char(first17)


def _staff(org: Organization, name: str, role: Role, label: str) -> None:
    user = User.objects.create(username=f"bench-{name}-{org.pk}", first_name=label,
                               organization=org, is_active=False)
    UserRole.objects.create(user=user, role=role)


def _build() -> Organization:
    prefecture = organization_create(name=PREFECTURE, kind=OrgKind.LEADING_GROUP,
                                     region_code="529900")
    policy_publish(organization=prefecture, policy=DEFAULT_POLICY,
                   valid_from=dt.date(2020, 1, 1), source="基准测试")
    bank = organization_create(name=BANK, kind=OrgKind.INSTITUTION, region_code="529900",
                               credit_code=_code("MB", 0))
    for n in range(1, COUNTIES + 1):
        code = f"5299{n:02d}"
        county = organization_create(name=f"基准县{n:02d}领导小组", kind=OrgKind.LEADING_GROUP,
                                     region_code=code, parent=prefecture)
        committee = organization_create(name=f"基准县{n:02d}金调委", kind=OrgKind.COMMITTEE,
                                        region_code=code, parent=county)
        branch = organization_create(name=f"{BANK}基准县{n:02d}支行", kind=OrgKind.BRANCH,
                                     region_code=code, parent=bank, credit_code=_code("MB", n))
        users = User.objects.bulk_create(
            [User(username=f"bench-{committee.pk}-{i}", first_name=f"基准调解员{n:02d}-{i}",
                  organization=committee, is_active=False)
             for i in range(MEDIATORS_PER_COMMITTEE)])
        UserRole.objects.bulk_create([UserRole(user=u, role=Role.MEDIATOR) for u in users])
        _staff(committee, "clerk", Role.INTAKE_CLERK, f"基准受理员{n:02d}")
        _staff(committee, "director", Role.DIRECTOR, f"基准主任{n:02d}")
        _staff(branch, "agent", Role.AGENT, f"基准经办人{n:02d}")
        party_get_or_create(PartyInput(PartyKind.ENTITY, branch.name, branch.credit_code,
                                       address=f"贵州省基准县{n:02d}人民路1号",
                                       rep_role="principal", rep_name="赵某某", rep_title="行长"))
    return prefecture


def _world() -> World:
    prefecture = Organization.objects.filter(name=PREFECTURE, parent=None).first()
    if prefecture is None:
        prefecture = _build()
    committees = list(Organization.objects.filter(kind=OrgKind.COMMITTEE,
                                                  path__startswith=prefecture.path)
                      .order_by("path"))
    branches = list(Organization.objects.filter(kind=OrgKind.BRANCH, parent__name=BANK)
                    .order_by("path"))
    creditors = {p.id_hash: p for p in Party.objects.filter(
        id_hash__in=[crypto.lookup_hash(b.credit_code) for b in branches])}
    staff = {(u.username.split("-")[1], u.organization_id): u.pk for u in User.objects.filter(
        username__regex=r"^bench-(clerk|director|agent)-")}
    policy = PolicyVersion.objects.filter(organization=prefecture).order_by("-version").first()
    assert policy is not None  # noqa: S101 - published with the prefecture above
    return World(
        prefecture=prefecture, policy=policy, committees=committees, branches=branches,
        creditors=[creditors[crypto.lookup_hash(b.credit_code)] for b in branches],
        clerks=[staff["clerk", c.pk] for c in committees],
        directors=[staff["director", c.pk] for c in committees],
        agents=[staff["agent", b.pk] for b in branches],
        mediators={c.pk: list(User.objects.filter(organization=c, role_rows__role=Role.MEDIATOR)
                              .order_by("pk").values_list("pk", flat=True))
                   for c in committees})


def _claim(rng: random.Random) -> Decimal:
    """A lognormal claim: median about 180,000 yuan, mean about 700,000 (S6's average)."""
    value = math.exp(rng.gauss(math.log(180_000), 1.65))
    return Decimal(f"{min(max(value, 2_000), 500_000_000):.2f}")


def _after(day: dt.date, rng: random.Random, low: int, high: int) -> dt.date:
    return day + dt.timedelta(days=rng.randint(low, high))


def _debtor(seq: int, rng: random.Random, county: int, today: dt.date) -> Party:
    """A debtor with a valid resident ID number that no other debtor has (the number spells
    ``seq``: birthday, region, sequence digits 500–999, above those of the demo's 300), kept
    as intake keeps it."""
    birthday, rest = seq % 15000, seq // 15000
    region = DEMO_COUNTIES[rest % len(DEMO_COUNTIES)][1]
    born = dt.date(1960, 1, 1) + dt.timedelta(days=birthday)
    first17 = f"{region}{born:%Y%m%d}{500 + (rest // len(DEMO_COUNTIES)) % 500:03d}"
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    checked = party_check(PartyInput(
        PartyKind.PERSON, name, first17 + identity.resident_id_check_char(first17),
        phone=f"137{seq:08d}",
        address=f"贵州省基准县{county:02d}{rng.choice(STREETS)}{rng.randint(1, 300)}号"), on=today)
    # as parties.services.party_get_or_create writes a new party
    return Party(kind=checked.kind, name=checked.name, id_hash=crypto.lookup_hash(checked.number),
                 id_cipher=crypto.encrypt(checked.number), id_masked=checked.masked,
                 phone_hash=crypto.lookup_hash(checked.phone),
                 phone_cipher=crypto.encrypt(checked.phone),
                 phone_masked=identity.mask_mobile(checked.phone), address=checked.address,
                 **checked.particulars)


@dataclass
class Step:
    """One event of a synthetic timeline, before its place in the chain is known."""

    type: EventType
    actor: int | None
    day: dt.date
    before: str
    after: str
    params: dict[str, Any]
    meta: dict[str, Any]


@dataclass
class Synthetic:
    dispute: Dispute
    figures: DisputeFigures
    debtor: Party
    creditor: Party
    lead: int | None
    steps: list[Step]


def _history(f: DisputeFigures, state: State, k: int, world: World,
             dispute: Dispute) -> list[Step]:
    """The timeline that leads from receipt to ``state`` on the figures' dates: who acted
    in which role, as the services record it; the court's steps without a judge's account
    and the scheduled jobs' without any (the system's)."""
    clerk, director, agent = world.clerks[k], world.directors[k], world.agents[k]
    steps = [Step(events.DISPUTE_RECEIVED, clerk, dispute.received_on, "", State.RECEIVED.value,
                  {"channel": dispute.channel, "dispute_type": dispute.dispute_type,
                   "claim_total": str(dispute.principal), "external_ref": "",
                   "notice_served": True, "out_of_scope": []},
                  {"number": dispute.number, "policy_version": world.policy.pk})]
    at = State.RECEIVED

    def act(action: Action, day: dt.date | None, actor: int | None, role: Role, to: State,
            **params: Any) -> None:
        nonlocal at
        assert day is not None  # noqa: S101 - every step's date is set with its state
        steps.append(Step(events.for_action(action), actor, day, at.value, to.value,
                          {"action": action.value, "role": role.value, **params,
                           "synthetic": True},
                          {"deadline": f.deadline.isoformat() if to is State.MEDIATING
                           and f.deadline else None, "provisional": False, "reasons": []}))
        at = to

    if state is State.RECEIVED:
        return steps
    if state is State.DECLINED:
        act(Action.DECLINE, f.declined_on, clerk, Role.INTAKE_CLERK, State.DECLINED,
            reason="不属于本委员会受理范围")
        return steps
    act(Action.ACCEPT, f.accepted_on, clerk, Role.INTAKE_CLERK, State.ACCEPTED)
    act(Action.ASSIGN, f.accepted_on, director, Role.DIRECTOR, State.MEDIATING,
        track=Track.SIMPLE.value, mediators=[f.mediator_id])
    if f.outcome == Outcome.WITHDRAWN.value:
        act(Action.WITHDRAW, f.concluded_on, director, Role.DIRECTOR, State.WITHDRAWN,
            attested=["withdrawal_by_applicant"])
    elif f.outcome in (Outcome.FAILED.value, Outcome.UNREACHABLE.value):
        act(Action.FAIL, f.concluded_on, director, Role.DIRECTOR, State.FAILED,
            reason="双方对还款期限分歧较大，调解不成")
        act(Action.TRANSFER, f.concluded_on, director, Role.DIRECTOR, State.TRANSFERRED)
    elif f.outcome == Outcome.SETTLED.value:
        act(Action.AGREE, f.concluded_on, director, Role.DIRECTOR, State.AGREED)
        if f.confirmed_on and f.concluded_on:
            halfway = f.concluded_on + (f.confirmed_on - f.concluded_on) / 2
            act(Action.APPLY_CONFIRMATION, halfway, director, Role.DIRECTOR,
                State.CONFIRMATION_PENDING)
            act(Action.CONFIRM, f.confirmed_on, None, Role.JUDGE, State.PERFORMING)
        elif f.performing_on:
            act(Action.PERFORM_WITHOUT_CONFIRMATION, f.performing_on, director, Role.DIRECTOR,
                State.PERFORMING)
        if f.performed_on:
            act(Action.COMPLETE, f.performed_on, None, Role.SYSTEM, State.PERFORMED)
        elif f.defaulted_on:
            act(Action.DEFAULT, f.defaulted_on, None, Role.SYSTEM, State.DEFAULTED)
            if f.enforcement_on:
                act(Action.APPLY_ENFORCEMENT, f.enforcement_on, agent, Role.AGENT,
                    State.ENFORCEMENT)
    assert at is state, (at, state)  # noqa: S101 - the history ends where the dispute stands
    return steps


def _rows(world: World, count: int, seed: int, start_serial: int) -> Iterator[Synthetic]:
    rng = random.Random(seed)
    today = clock.today()
    first = today - dt.timedelta(days=365 * YEARS)
    saving_rate, saving_minimum = DEFAULT_POLICY.lawyer_fee_rate, DEFAULT_POLICY.lawyer_fee_minimum
    for n in range(count):
        k = rng.randrange(len(world.committees))
        committee, branch = world.committees[k], world.branches[k]
        received = first + dt.timedelta(days=rng.randrange(365 * YEARS))
        claim = _claim(rng)
        dtype = rng.choices(TYPES, TYPE_WEIGHTS)[0]
        serial = start_serial + n
        f = DisputeFigures(committee=committee, node_path=committee.path,
                           channel=rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0].value,
                           dispute_type=dtype.value, institution=branch,
                           mediator_id=rng.choice(world.mediators[committee.pk]),
                           claim_fen=to_fen(claim), received_on=received, seq=1,
                           distressed=dtype is DisputeType.ENTERPRISE_LOAN or rng.random() < 0.04)
        state = State.RECEIVED
        decided = _after(received, rng, 0, 3)
        if decided > today:  # nothing has happened after today: still to be accepted
            pass
        elif rng.random() < 0.02:
            f.outcome, f.declined_on, state = Outcome.DECLINED.value, decided, State.DECLINED
        else:
            f.accepted_on = decided
            f.invited_on = min(_after(f.accepted_on, rng, 0, 2), today)
            if rng.random() < 0.85:
                f.contacted_on = min(_after(f.invited_on, rng, 0, 5), today)
                if rng.random() < 0.9:
                    f.engaged_on = min(_after(f.contacted_on, rng, 0, 5), today)
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
                f.performing_on = f.confirmed_on or min(_after(f.concluded_on, rng, 1, 5), today)
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
        assigned = state not in (State.RECEIVED, State.DECLINED)
        if not assigned:
            f.mediator_id = None
        # numbered from the committee's counter when its batch is written (_number)
        dispute = Dispute(number="", committee=committee, year=received.year, seq=0,
                          channel=f.channel, dispute_type=dtype.value, institution=branch,
                          state=state.value, track=Track.SIMPLE.value if assigned else "",
                          claim_as_of=received - dt.timedelta(days=1), principal=claim,
                          policy_version=world.policy, received_on=received,
                          summary=f"{dtype.label}：{rng.choice(SUMMARIES)}",
                          deadline=f.deadline if state is State.MEDIATING else None,
                          non_litigation_notice_served=True)
        steps = _history(f, state, k, world, dispute)
        dispute.version = len(steps)
        f.seq = len(steps)
        yield Synthetic(dispute, f, _debtor(serial, rng, k + 1, today), world.creditors[k],
                        f.mediator_id, steps)


def _instants(steps: list[Step], rng: random.Random, now: dt.datetime) -> list[dt.datetime]:
    """An office-hours instant on each step's day, each later than the one before and none
    to come."""
    out: list[dt.datetime] = []
    for step in steps:
        at = dt.datetime.combine(step.day, dt.time(9), clock.TZ) + dt.timedelta(
            minutes=rng.randrange(0, 8 * 60))
        if out and at <= out[-1]:
            at = out[-1] + dt.timedelta(minutes=rng.randint(5, 90))
        at = min(at, now - dt.timedelta(minutes=len(steps) - len(out)))
        if out and at <= out[-1]:
            at = out[-1] + dt.timedelta(seconds=1)
        out.append(at)
    return out


def synthetic_disputes() -> QuerySet[Dispute]:
    """The disputes of the benchmark prefecture's committees (none before the first seed)."""
    prefecture = Organization.objects.filter(name=PREFECTURE, parent=None).first()
    if prefecture is None:
        return Dispute.objects.none()
    return Dispute.objects.filter(committee__path__startswith=prefecture.path)


def bench_seed(cases: int, *, seed: int = 2026) -> int:
    """Add ``cases`` synthetic disputes with their parties, timelines and figures; return how
    many there are now under the benchmark prefecture. Run again to add more (a different
    range of numbers)."""
    with transaction.atomic():
        world = _world()
    start = synthetic_disputes().count() + 1
    rng = random.Random(seed + start + 1)
    now = clock.now()
    batch: list[Synthetic] = []
    for row in _rows(world, cases, seed + start, start):
        batch.append(row)
        if len(batch) == BATCH:
            _write(batch, rng, now)
            batch = []
    if batch:
        _write(batch, rng, now)
    # the figures rows were written here, not folded from the backlog: the months follow
    months_rebuild_all()
    return synthetic_disputes().count()


def _number(batch: list[Synthetic]) -> None:
    """Number the batch's disputes from their committees' counters, a block per committee
    and year, as intake numbers one (the counter is the one source of numbers, so a dispute
    filed after the seed takes the next free one), and name the number on each receipt."""
    groups: dict[tuple[int, int], list[Synthetic]] = {}
    for s in batch:
        groups.setdefault((s.dispute.committee_id, s.dispute.year), []).append(s)
    for (_committee, year), rows in sorted(groups.items()):
        committee = rows[0].dispute.committee
        prefix = number_prefix(committee)
        for s, seq in zip(rows, numbers_take(committee, year, len(rows)), strict=True):
            s.dispute.seq, s.dispute.number = seq, dispute_number(prefix, year, seq)
            s.steps[0].meta["number"] = s.dispute.number


def _write(batch: list[Synthetic], rng: random.Random, now: dt.datetime) -> None:
    with transaction.atomic():
        _number(batch)
        Party.objects.bulk_create([s.debtor for s in batch])
        made = Dispute.objects.bulk_create([s.dispute for s in batch])
        DisputeParty.objects.bulk_create(
            [DisputeParty(dispute=d, party=party, role=role)
             for d, s in zip(made, batch, strict=True)
             for party, role in ((s.creditor, PartyRole.CREDITOR), (s.debtor, PartyRole.DEBTOR))])
        DisputeMediator.objects.bulk_create(
            [DisputeMediator(dispute=d, user_id=s.lead, lead=True)
             for d, s in zip(made, batch, strict=True) if s.lead is not None])
        chained: list[Event] = []
        for d, s in zip(made, batch, strict=True):
            prev = GENESIS
            for seq, (step, at) in enumerate(zip(s.steps, _instants(s.steps, rng, now),
                                                 strict=True), start=1):
                stored = step.type.type
                digest = event_hash(dispute_id=d.pk, seq=seq, type=stored, actor_id=step.actor,
                                    at=at, state_before=step.before, state_after=step.after,
                                    params=step.params, meta=step.meta, prev_hash=prev)
                chained.append(Event(dispute=d, seq=seq, type=stored, actor_id=step.actor,
                                     at=at, state_before=step.before, state_after=step.after,
                                     params=step.params, meta=step.meta, prev_hash=prev,
                                     hash=digest))
                prev = digest
            d.events_seq, d.events_head = len(s.steps), prev
            s.figures.dispute = d
        Event.objects.bulk_create(chained)
        # one short statement a dispute, sent together (bulk_update's CASE over hundreds of
        # rows cost two thirds of a millisecond a dispute)
        table = connection.ops.quote_name(Dispute._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET events_seq = %s, events_head = %s WHERE id = %s",  # noqa: S608 - the model's own table name
                [(d.events_seq, d.events_head, d.pk) for d in made])
        DisputeFigures.objects.bulk_create([s.figures for s in batch])
