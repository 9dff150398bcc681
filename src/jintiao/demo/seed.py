"""Build the demo world. Idempotent: a second run finds the prefecture and changes nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from jintiao import clock
from jintiao.demo.failure_package import evidence_interlude, failure_package_demo
from jintiao.demo.loop import LOOP_GUARDS, JointLoop, Loop
from jintiao.demo.mediation import (
    AGENT_LIMITS,
    BANK_MENU,
    UNION_MENU,
    Interlude,
    opening_interlude,
    s1_interlude,
    s2_interlude,
    set_up_desk,
)
from jintiao.demo.outreach import seed_templates
from jintiao.demo.party_door import party_door
from jintiao.demo.supervision import draw_last_quarter
from jintiao.disputes.models import Channel, Dispute, DisputeType, PartyRole
from jintiao.disputes.services import dispute_apply_action, dispute_intake
from jintiao.domain import identity
from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.lifecycle import Action, Role
from jintiao.domain.policy import DEFAULT_POLICY, Track
from jintiao.mediation.services import action_apply
from jintiao.orgs.models import Organization, OrgKind, User
from jintiao.orgs.services import authority_grant_set, organization_create, user_create
from jintiao.parties.models import PartyKind
from jintiao.parties.services import PartyInput
from jintiao.policies.services import policy_publish
from jintiao.supervision.services import figures_refresh

PREFECTURE = "黔东南州金融纠纷多元化解工作领导小组"
DEMO_PASSWORD = "jintiao-demo"  # noqa: S105 - documented demo password, demo data only
COUNTIES = [
    ("凯里市", "522601"), ("黄平县", "522622"), ("施秉县", "522623"), ("三穗县", "522624"),
    ("镇远县", "522625"), ("岑巩县", "522626"), ("天柱县", "522627"), ("锦屏县", "522628"),
    ("剑河县", "522629"), ("台江县", "522630"), ("黎平县", "522631"), ("榕江县", "522632"),
    ("从江县", "522633"), ("雷山县", "522634"), ("麻江县", "522635"), ("丹寨县", "522636"),
]
# S5: 265 mediators, 6 full-time, 157 of them from the financial sector
MEDIATORS, FULL_TIME, FINANCIAL = 265, 6, 157
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
GIVEN = "明华建国丽娟志强秀英军伟芳敏静磊洋艳勇杰涛超霞平刚桂兰"


@dataclass
class County:
    name: str
    code: str
    group: Organization
    committee: Organization
    court: Organization
    bank_branch: Organization
    credit_union: Organization
    clerk: User
    director: User
    judge: User
    agent: User
    mediators: list[User] = field(default_factory=list)


@dataclass
class World:
    prefecture: Organization
    counties: list[County]
    personas: dict[str, User]


def _id_number(n: int, rng: random.Random) -> str:
    region = rng.choice(COUNTIES)[1]
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 15000))
    first17 = f"{region}{born:%Y%m%d}{n % 1000:03d}"
    return first17 + identity.resident_id_check_char(first17)


def _credit_code(n: int) -> str:
    first17 = f"91522600MA{n:07d}"
    return first17 + identity.credit_code_check_char(first17)


def _creditor(institution: Organization) -> tuple[PartyInput, PartyRole]:
    """The institution as the creditor party: its registered name under its code, with a
    fictional address and principal (a branch is led by its 负责人, CPL Art. 51)."""
    branch = institution.kind == "branch"
    return (PartyInput(PartyKind.ENTITY, institution.name, institution.credit_code,
                       address="贵州省凯里市营盘东路1号",
                       rep_role="principal" if branch else "legal_rep",
                       rep_name="赵某某", rep_title="行长" if branch else "理事长"),
            PartyRole.CREDITOR)


def _mobile(n: int) -> str:
    return f"139{n:08d}"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _org(name: str, kind: OrgKind, code: str, parent: Organization | None = None,
         registered: int = 0, **scope: list[str]) -> Organization:
    """A node; a bank, credit union or branch with the ``registered``-th unified social
    credit code of a series of its own (no debtor's code is ever an institution's)."""
    credit_code = ""
    if registered:
        first17 = f"91{code}MC{registered:07d}"
        credit_code = first17 + identity.credit_code_check_char(first17)
    return organization_create(name=name, kind=kind, region_code=code, parent=parent,
                               credit_code=credit_code,
                               accepted_types=scope.get("accepted_types", ()),
                               accepted_channels=scope.get("accepted_channels", ()))


def _build_tree(rng: random.Random) -> World:
    prefecture = _org(PREFECTURE, OrgKind.LEADING_GROUP, "522600")
    policy_publish(organization=prefecture, policy=DEFAULT_POLICY, valid_from=dt.date(2025, 1, 1),
                   source="示范规则：种子情景S7（黔东南实践）及DESIGN.md §3")
    operator = _org("金调通平台运营中心", OrgKind.OPERATOR, "522600")
    regulator = _org("黔东南州地方金融管理局", OrgKind.REGULATOR, "522600")
    mid_court = _org("黔东南州中级人民法院", OrgKind.COURT, "522600")
    bank = _org("某国有商业银行黔东南分行", OrgKind.INSTITUTION, "522600", registered=1)
    union = _org("黔东南州农村信用合作联社", OrgKind.INSTITUTION, "522600", registered=2)
    _org("某农村商业银行", OrgKind.INSTITUTION, "522600", registered=3)
    counties: list[County] = []
    for n, (name, code) in enumerate(COUNTIES):
        group = _org(f"{name}金融纠纷多元化解工作领导小组", OrgKind.LEADING_GROUP, code, prefecture)
        committee = _org(f"{name}金融纠纷人民调解委员会", OrgKind.COMMITTEE, code, group)
        for town in ("司法所", "派出所", "村民委员会"):
            _org(f"{name}城关镇{town}", OrgKind.TOWNSHIP, code, group)
        court = _org(f"{name}人民法院", OrgKind.COURT, code, mid_court)
        branch = _org(f"某国有商业银行{name}支行", OrgKind.BRANCH, code, bank,
                      registered=10 + 2 * n)
        cu = _org(f"{name}农村信用合作联社", OrgKind.BRANCH, code, union, registered=11 + 2 * n)
        counties.append(County(
            name, code, group, committee, court, branch, cu,
            clerk=user_create(username=f"clerk-{code}", organization=committee,
                              roles=[Role.INTAKE_CLERK], full_name=f"{name}受理员"),
            director=user_create(username=f"director-{code}", organization=committee,
                                 roles=[Role.DIRECTOR], full_name=f"{name}调委会主任"),
            judge=user_create(username=f"judge-{code}", organization=court,
                              roles=[Role.JUDGE], full_name=f"{name}法院法官"),
            agent=user_create(username=f"agent-{code}", organization=branch,
                              roles=[Role.AGENT], full_name=f"{name}支行经办人"),
        ))
    for i in range(MEDIATORS):
        county = counties[i % len(counties)]
        financial = i < FINANCIAL
        employer = (county.bank_branch if i % 2 else county.credit_union) if financial \
            else county.committee
        user = user_create(username=f"mediator-{i + 1:03d}", organization=employer,
                           roles=[Role.MEDIATOR], full_name=_name(rng) +
                           ("（专职）" if i >= MEDIATORS - FULL_TIME else ""),
                           mobile=_mobile(5000 + i))
        county.mediators.append(user)
    kaili = counties[0]
    personas = {
        "clerk": user_create(username="clerk", organization=kaili.committee,
                             roles=[Role.INTAKE_CLERK], password=DEMO_PASSWORD,
                             full_name="受理员小王"),
        "director": user_create(username="director", organization=kaili.committee,
                                roles=[Role.DIRECTOR], password=DEMO_PASSWORD,
                                full_name="调委会主任老李"),
        "mediator": user_create(username="mediator", organization=kaili.committee,
                                roles=[Role.MEDIATOR, Role.EXPERT], password=DEMO_PASSWORD,
                                full_name="调解员赵敏", mobile=_mobile(901)),
        "agent": user_create(username="agent", organization=kaili.bank_branch,
                             roles=[Role.AGENT], password=DEMO_PASSWORD,
                             full_name="支行经办人孙杰", mobile=_mobile(902)),
        "approver": user_create(username="approver", organization=bank, roles=[Role.APPROVER],
                                password=DEMO_PASSWORD, full_name="分行审批人周涛"),
        "judge": user_create(username="judge", organization=kaili.court, roles=[Role.JUDGE],
                             password=DEMO_PASSWORD, full_name="法官陈静"),
        "court_clerk": user_create(username="court_clerk", organization=kaili.court,
                                   roles=[Role.COURT_CLERK], password=DEMO_PASSWORD,
                                   full_name="书记员何芳"),
        "supervisor": user_create(username="supervisor", organization=prefecture,
                                  roles=[Role.SUPERVISOR], password=DEMO_PASSWORD,
                                  full_name="领导小组督导林平"),
        "regulator": user_create(username="regulator", organization=regulator,
                                 roles=[Role.SUPERVISOR], password=DEMO_PASSWORD,
                                 full_name="金融局督导郭伟"),
        "admin": user_create(username="admin", organization=operator,
                             roles=[Role.ADMINISTRATOR], password=DEMO_PASSWORD,
                             full_name="平台管理员"),
    }
    personas["union_approver"] = user_create(
        username="approver-union", organization=union, roles=[Role.APPROVER],
        password=DEMO_PASSWORD, full_name="州联社审批人罗敏")
    personas["admin"].is_staff = personas["admin"].is_superuser = True
    personas["admin"].save(update_fields=["is_staff", "is_superuser"])
    kaili.mediators.insert(0, personas["mediator"])
    mediators = [m for c in counties for m in c.mediators]
    set_up_desk(mediators=mediators,
                full_time=[m for m in mediators if m.first_name.endswith("（专职）")],
                agents=[c.agent for c in counties] + [personas["agent"]],
                approvers=[(personas["approver"], bank, BANK_MENU),
                           (personas["union_approver"], union, UNION_MENU)],
                persona=personas["mediator"], rng=rng)
    return World(prefecture, counties, personas)


Step = tuple[Action, Callable[[County, Dispute], dict[str, object]]]
PATHS: dict[str, list[Action]] = {
    "received": [],
    "declined": [Action.DECLINE],
    "accepted": [Action.ACCEPT],
    "mediating": [Action.ACCEPT, Action.ASSIGN],
    "withdrawn": [Action.ACCEPT, Action.ASSIGN, Action.WITHDRAW],
    "failed": [Action.ACCEPT, Action.ASSIGN, Action.FAIL],
    "transferred": [Action.ACCEPT, Action.ASSIGN, Action.FAIL, Action.TRANSFER],
    "agreed": [Action.ACCEPT, Action.ASSIGN, Action.AGREE],
    "confirmation_pending": [Action.ACCEPT, Action.ASSIGN, Action.AGREE,
                             Action.APPLY_CONFIRMATION],
    "performing": [Action.ACCEPT, Action.ASSIGN, Action.AGREE, Action.APPLY_CONFIRMATION,
                   Action.CONFIRM],
    "performed": [Action.ACCEPT, Action.ASSIGN, Action.AGREE, Action.APPLY_CONFIRMATION,
                  Action.CONFIRM, Action.COMPLETE],
    "defaulted": [Action.ACCEPT, Action.ASSIGN, Action.AGREE, Action.APPLY_CONFIRMATION,
                  Action.CONFIRM, Action.DEFAULT],
    "closed": [Action.ACCEPT, Action.ASSIGN, Action.AGREE, Action.APPLY_CONFIRMATION,
               Action.CONFIRM, Action.COMPLETE, Action.CLOSE],
}
WEIGHTS = {"received": 6, "declined": 2, "accepted": 4, "mediating": 12, "withdrawn": 2,
           "failed": 3, "transferred": 5, "agreed": 5, "confirmation_pending": 4,
           "performing": 22, "performed": 8, "defaulted": 3, "closed": 14}


# Typical days between one step and the next (drawn uniformly), so the replayed history
# looks like a committee's: a quick acceptance, weeks of mediation, months of repayment.
GAPS: dict[Action, tuple[int, int]] = {
    Action.ACCEPT: (0, 2), Action.DECLINE: (0, 3), Action.ASSIGN: (0, 2),
    Action.WITHDRAW: (1, 10), Action.FAIL: (5, 20), Action.TRANSFER: (0, 4),
    Action.AGREE: (3, 18), Action.APPLY_CONFIRMATION: (0, 8), Action.CONFIRM: (1, 12),
    Action.COMPLETE: (60, 240), Action.DEFAULT: (30, 150), Action.CLOSE: (1, 10),
}
# How long a dispute has been sitting in its final state. States with a running deadline
# draw a little past it, so some are overdue, as on any real desk; the rest any age.
LINGER: dict[str, tuple[int, int]] = {
    "received": (0, 4), "accepted": (0, 6), "mediating": (0, 26), "agreed": (0, 34),
    "confirmation_pending": (0, 18), "failed": (0, 8), "transferred": (0, 30),
    "defaulted": (0, 60),
}


def _office_hours(day: dt.date, rng: random.Random, after: dt.datetime | None,
                  step: tuple[int, int] = (5, 90)) -> dt.datetime:
    """A working-hours instant on ``day``, later than ``after`` (by ``step`` minutes when on
    the same day) and never in the future."""
    if after is not None and after.astimezone(clock.TZ).date() >= day:
        at = after + dt.timedelta(minutes=rng.randint(*step))
    else:
        at = dt.datetime.combine(day, dt.time(9), clock.TZ) + dt.timedelta(
            minutes=rng.randrange(0, 8 * 60))
    return min(at, clock.now() - dt.timedelta(minutes=1))


def plan(actions: list[Action], final: str, today: dt.date,
         rng: random.Random) -> tuple[dt.date, list[dt.date]]:
    """Choose the received date and the day of each step so the last one is in the past."""
    gaps = [rng.randint(*GAPS[a]) for a in actions]
    low, high = LINGER.get(final, (0, max(1, 365 - sum(gaps))))
    received = today - dt.timedelta(days=sum(gaps) + rng.randint(low, high))
    days, day = [], received
    for gap in gaps:
        day += dt.timedelta(days=gap)
        days.append(day)
    return received, days


def instants(days: list[dt.date], rng: random.Random, after: dt.datetime | None,
             step: tuple[int, int] = (5, 90)) -> list[dt.datetime]:
    """An office-hours instant on each day, each later than the one before."""
    out = []
    for day in days:
        after = _office_hours(day, rng, after, step)
        out.append(after)
    return out


def walk(county: County, dispute: Dispute, actions: list[Action], at: list[dt.datetime],
         rng: random.Random, mediator: User | None = None,
         interlude: Interlude | None = None, loop: Loop | None = None) -> Dispute:
    """Take ``dispute`` along ``actions`` as the people of its county would, each step at
    its instant, through the real service with the clock pinned there; ``interlude`` (the
    mediation itself) runs after the assignment, and ``loop`` carries the agreement, the
    court and performance with their real records. Without it (the synthetic disputes),
    those steps are history without records: their events say ``synthetic``."""
    for action, when in zip(actions, at, strict=True):
        actor, kwargs = _who(county, action, rng)
        if action is Action.ASSIGN and mediator is not None:
            kwargs = {**kwargs, "mediators": [mediator]}
        with clock.pinned(when):
            if loop is not None and action in LOOP_GUARDS:
                dispute = loop.step(dispute, action)
                continue
            if action in LOOP_GUARDS:
                dispute = dispute_apply_action(
                    actor=actor, dispute_id=dispute.pk, action=action,
                    expected_version=dispute.version, established=LOOP_GUARDS[action],
                    details={"synthetic": True})
                continue
            dispute = action_apply(actor=actor, dispute_id=dispute.pk, action=action,
                                   expected_version=dispute.version, **kwargs)
        if action is Action.ASSIGN and interlude is not None:
            interlude(dispute, when)
            dispute.refresh_from_db()
    return dispute


def _who(county: County, action: Action, rng: random.Random) -> tuple[User, dict[str, Any]]:
    own = [m for m in county.mediators if m.organization_id == county.committee.pk]
    table: dict[Action, tuple[User, dict[str, Any]]] = {
        Action.ACCEPT: (county.clerk, {"notice_served": True}),
        Action.DECLINE: (county.clerk, {"reason": "不属于本委员会受理范围"}),
        Action.ASSIGN: (county.director, {"track": rng.choice([Track.FAST, Track.SIMPLE,
                                                              Track.ORDINARY]),
                                          "mediators": [rng.choice(own or county.mediators)]}),
        Action.WITHDRAW: (county.director, {"attested": ["withdrawal_by_applicant"]}),
        Action.FAIL: (county.director, {"reason": "双方对还款期限分歧较大，调解不成"}),
        Action.TRANSFER: (county.director, {}),
        Action.AGREE: (county.director, {}),
        Action.APPLY_CONFIRMATION: (county.director, {}),
        Action.CONFIRM: (county.judge, {}),
        Action.COMPLETE: (county.director, {}),
        Action.DEFAULT: (county.director, {}),
        Action.CLOSE: (county.director, {"attested": ["outcome_recorded"]}),
    }
    return table[action]


@dataclass
class Filing:
    """A dispute to replay: filed at ``filed``, then walked along ``actions`` at ``at``."""

    county: County
    actor: User
    filed: dt.datetime
    intake: dict[str, Any]
    actions: list[Action]
    at: list[dt.datetime]
    mediator: User | None = None  # who is assigned; else one of the committee's own
    interlude: Interlude | None = None  # the mediation between assignment and what follows
    loop: Loop | None = None  # the agreement and the court with their records


def _scenario(county: County, actor: User, received: dt.date, actions: list[Action],
              offsets: list[int], rng: random.Random, step: tuple[int, int] = (5, 90),
              mediator: User | None = None, interlude: Interlude | None = None,
              loop: Loop | None = None, **intake: Any) -> Filing:
    """A seed dispute filed on its day, step ``i`` ``offsets[i]`` days after receipt
    (steps on one day follow each other within minutes)."""
    filed = _office_hours(received, rng, None)
    days = [received + dt.timedelta(days=n) for n in offsets]
    return Filing(county, actor, filed, {"received_on": received, **intake}, actions,
                  instants(days, rng, filed, step), mediator, interlude, loop)


def replay(filings: list[Filing], rng: random.Random) -> list[Dispute]:
    """File every dispute in the order it was received, so numbers run with the dates, and
    walk each through the real services at its own instants."""
    made = []
    for filing in sorted(filings, key=lambda f: f.filed):
        with clock.pinned(filing.filed):
            dispute = dispute_intake(actor=filing.actor, committee=filing.county.committee,
                                     **filing.intake).dispute
        made.append(walk(filing.county, dispute, filing.actions, filing.at, rng,
                         filing.mediator, filing.interlude, filing.loop))
    return made


def _scenarios(world: World, today: dt.date) -> list[Filing]:
    """S1–S4 of shared/domain/scenarios.md, in the states the sources describe, with
    histories of plausible length (S2 took one hour from mediation to confirmation)."""
    kaili, huangping = world.counties[0], world.counties[1]
    rng = random.Random(1)
    made = []
    received = today - dt.timedelta(days=40)
    personas = world.personas
    # S1's holder, and the 200,000-yuan personal credit loan overdue at the county's rural
    # credit union that the source mentions: mediated with the card (issue 21 §2)
    liu = PartyInput(PartyKind.PERSON, "刘某某", _id_number(1, rng), _mobile(1),
                     ethnicity="汉族", occupation="个体工商户",
                     address="贵州省凯里市北京东路88号2单元301室")
    union_agent = user_create(username="agent-union", organization=kaili.credit_union,
                              roles=[Role.AGENT], password=DEMO_PASSWORD,
                              full_name=f"{kaili.name}农信联社经办人", mobile=_mobile(904))
    authority_grant_set(user=union_agent, limits=dataclasses.replace(
        AGENT_LIMITS, max_term_months=60), note="农信联社经办人授权：个人贷款最长60期（演示）")
    loan_received = received - dt.timedelta(days=3)
    made.append(_scenario(
        kaili, kaili.clerk, loan_received, PATHS["mediating"], [0, 1], random.Random(11),
        mediator=personas["mediator"], channel=Channel.COURT_DELEGATED,
        dispute_type=DisputeType.CONSUMER_LOAN, institution=kaili.credit_union,
        court=kaili.court,
        external_ref="S1-B", contract_ref="GRXD-2023-0615-088", notice_served=True,
        summary="S1-B：刘某某2023年在农信联社办理个人信用贷款20万元，因经营失败逾期；农信联社起诉后，"
                "法院委派诉前调解，与其信用卡欠款（S1）合并调解，按统一的还款能力分配每月还款额，分60期偿还全部欠款。",
        claim=ClaimBreakdown(as_of=loan_received - dt.timedelta(days=1),
                             principal=Decimal("200000.00"), interest=Decimal("9800.00"),
                             penalty_interest=Decimal("2350.00")),
        parties=[_creditor(kaili.credit_union), (liu, PartyRole.DEBTOR)],
    ))
    made.append(_scenario(
        kaili, kaili.clerk, received, PATHS["performing"], [0, 1, 16, 16, 18], rng,
        mediator=personas["mediator"],
        interlude=s1_interlude(personas["mediator"], personas["agent"], personas["approver"],
                               partner_ref="S1-B", partner_agent=union_agent),
        loop=JointLoop(personas["mediator"], personas["agent"], personas["director"],
                       personas["judge"], personas["court_clerk"],
                       performance_manner="持卡人按期将每期款项存入其信用卡还款账户，以银行入账为准。",
                       charges_since_days=540, partner_ref="S1-B", partner_agent=union_agent,
                       partner_manner="借款人按期将每期款项存入其在农信联社开立的还款账户，"
                                      "以农信联社入账为准。"),
        channel=Channel.COURT_DELEGATED,
        dispute_type=DisputeType.CREDIT_CARD, institution=kaili.bank_branch, court=kaili.court,
        external_ref="S1", notice_served=True,
        summary="S1：信用卡欠款逾期，持卡人经营失败另有20万元个人信用贷款逾期；银行要求一次性清偿，"
                "持卡人请求长期分期；法院委派至综治中心诉前调解，经面对面与背对背调解，并与农信联社的"
                "贷款纠纷（S1-B）合并调解，双方同意以全部欠款250,277.13元分60期偿还，"
                "并与农信联社一并申请司法确认。",
        claim=ClaimBreakdown(as_of=received - dt.timedelta(days=1),
                             principal=Decimal("200311.62"),
                             interest=Decimal("31208.40"), penalty_interest=Decimal("12630.11"),
                             fees=Decimal("6127.00")),
        parties=[_creditor(kaili.bank_branch), (liu, PartyRole.DEBTOR)],
    ))
    received = today - dt.timedelta(days=20)
    s2_mediator = next(m for m in huangping.mediators
                       if m.organization_id == huangping.committee.pk)
    union_agent = user_create(username=f"agent-union-{huangping.code}",
                              organization=huangping.credit_union, roles=[Role.AGENT],
                              full_name=f"{huangping.name}农信社经办人", mobile=_mobile(903))
    authority_grant_set(user=union_agent, limits=AGENT_LIMITS, note="联社经办人授权（演示）")
    made.append(_scenario(
        huangping, huangping.clerk, received, PATHS["performing"], [0, 0, 0, 0, 0], rng,
        step=(8, 13), notice_served=True, mediator=s2_mediator,
        interlude=s2_interlude(s2_mediator, union_agent),
        loop=Loop(s2_mediator, union_agent, huangping.director, huangping.judge,
                  huangping.judge, performance_manner="两名借款人每期将还款存入其在联社开立的"
                  "还款账户，以联社入账为准；两人对全部债务承担连带责任。", charges_since_days=300),
        channel=Channel.COURT_DELEGATED,
        dispute_type=DisputeType.FARM_LOAN, institution=huangping.credit_union,
        court=huangping.court, external_ref="S2",
        summary="S2：县农信社起诉两名借款人追索借款本金10万元及利息；法院委派县金调委调解，"
                "联动派出所、司法所、村委会；借款人同意分期还款，经线上调解和线上司法确认，用时一小时。",
        claim=ClaimBreakdown(as_of=received - dt.timedelta(days=1), principal=Decimal("100000"),
                             interest=Decimal("8650.00")),
        parties=[_creditor(huangping.credit_union),
                 (PartyInput(PartyKind.PERSON, "吴某某", _id_number(2, rng), _mobile(2),
                             ethnicity="苗族", occupation="农民",
                             address="贵州省黄平县旧州镇某村三组12号"),
                  PartyRole.DEBTOR),
                 (PartyInput(PartyKind.PERSON, "杨某某", _id_number(3, rng), _mobile(3),
                             ethnicity="苗族", occupation="农民",
                             address="贵州省黄平县旧州镇某村三组12号",
                             residence="浙江省宁波市鄞州区某路5号"),
                  PartyRole.DEBTOR)],
    ))
    received = today - dt.timedelta(days=30)
    made.append(_scenario(
        kaili, kaili.agent, received, PATHS["agreed"], [1, 2, 24], rng,
        mediator=world.personas["mediator"],
        channel=Channel.INSTITUTION_APPLICATION,
        dispute_type=DisputeType.ENTERPRISE_LOAN, institution=kaili.bank_branch,
        court=kaili.court, external_ref="S3",
        summary="S3：超市2018年签订小微企业贷款合同300万元，到期仅归还本金1.13万元；"
                "银行适用纾困政策，延期还本付息并减免服务费，超市分期偿还本息，保住30余个就业岗位。",
        claim=ClaimBreakdown(as_of=received - dt.timedelta(days=1),
                             principal=Decimal("2434500"), interest=Decimal("62000")),
        parties=[_creditor(kaili.bank_branch),
                 (PartyInput(PartyKind.ENTITY, "凯里市某超市有限公司", _credit_code(3),
                             address="贵州省凯里市韶山南路16号", rep_name="田某某",
                             rep_title="执行董事兼总经理"),
                  PartyRole.DEBTOR)],
    ))
    received = today - dt.timedelta(days=15)
    made.append(_scenario(  # a failed mediation with its package for the court (issue 21 §4)
        kaili, kaili.agent, received, PATHS["failed"], [0, 1, 9], rng,
        mediator=personas["mediator"], interlude=evidence_interlude(personas["mediator"]),
        channel=Channel.INSTITUTION_APPLICATION, notice_served=True,
        dispute_type=DisputeType.CONSUMER_LOAN, institution=kaili.bank_branch,
        court=kaili.court, external_ref="DEMO-F1", contract_ref="XFD-2024-0308-017",
        charges_since=received - dt.timedelta(days=80),
        summary="消费贷款逾期：银行要求一次性清偿，借款人只能每月还款800元，调解不成，"
                "记载无争议事实后制作移送材料，转法院速裁。",
        claim=ClaimBreakdown(as_of=received - dt.timedelta(days=1), principal=Decimal("58500"),
                             interest=Decimal("3380.25"), penalty_interest=Decimal("912.60")),
        parties=[_creditor(kaili.bank_branch),
                 (PartyInput(PartyKind.PERSON, "杨某某", _id_number(8, rng), _mobile(8),
                             ethnicity="苗族", occupation="务工",
                             address="贵州省凯里市营盘东路12号"),
                  PartyRole.DEBTOR)],
    ))
    received = today - dt.timedelta(days=4)
    made.append(_scenario(
        kaili, kaili.agent, received, PATHS["mediating"], [0, 1], rng,
        mediator=personas["mediator"],
        interlude=opening_interlude(personas["mediator"], personas["agent"]),
        channel=Channel.INSTITUTION_APPLICATION, notice_served=True,
        dispute_type=DisputeType.CONSUMER_LOAN, institution=kaili.bank_branch,
        court=kaili.court, external_ref="DEMO-M1",
        summary="消费贷款逾期：借款人因收入下降连续逾期，银行申请调解，借款人愿意分期偿还。",
        claim=ClaimBreakdown(as_of=received - dt.timedelta(days=1), principal=Decimal("68500"),
                             interest=Decimal("5210.33"), penalty_interest=Decimal("1860.40")),
        parties=[_creditor(kaili.bank_branch),
                 (PartyInput(PartyKind.PERSON, "黄某某", _id_number(6, rng), _mobile(6),
                             ethnicity="侗族", address="贵州省凯里市宁波路6号"),
                  PartyRole.DEBTOR)],
    ))
    received = today - dt.timedelta(days=1)
    made.append(_scenario(
        kaili, kaili.clerk, received, PATHS["accepted"], [0], rng,
        channel=Channel.COURT_DELEGATED, notice_served=True,
        dispute_type=DisputeType.CREDIT_CARD, institution=kaili.bank_branch,
        court=kaili.court, external_ref="DEMO-A1",
        summary="信用卡逾期：法院委派调解，持卡人对欠款金额无异议，请求分期。",
        claim=ClaimBreakdown(as_of=received - dt.timedelta(days=1), principal=Decimal("36800"),
                             interest=Decimal("2950.18"), fees=Decimal("420")),
        parties=[_creditor(kaili.bank_branch),
                 (PartyInput(PartyKind.PERSON, "郑某", _id_number(7, rng), _mobile(7),
                             ethnicity="汉族", address="贵州省凯里市文化北路3号"),
                  PartyRole.DEBTOR)],
    ))
    received = today - dt.timedelta(days=6)
    made.append(_scenario(
        kaili, kaili.agent, received, PATHS["mediating"], [0, 1], rng,
        mediator=personas["mediator"],
        channel=Channel.INSTITUTION_APPLICATION, notice_served=True,
        dispute_type=DisputeType.CONSUMER_LOAN, institution=kaili.bank_branch,
        court=kaili.court, external_ref="DEMO-P1",
        summary="消费贷款逾期：借款人因病住院、暂无收入，调委会核实住院证明后纾困暂停调解。",
        claim=ClaimBreakdown(as_of=received - dt.timedelta(days=1), principal=Decimal("42000"),
                             interest=Decimal("3310.50"), penalty_interest=Decimal("980.20")),
        parties=[_creditor(kaili.bank_branch),
                 (PartyInput(PartyKind.PERSON, "潘某某", _id_number(8, rng), _mobile(8),
                             ethnicity="苗族", address="贵州省凯里市大十字街道某小区5栋"),
                  PartyRole.DEBTOR)],
    ))
    jinping = world.counties[7]
    received = today - dt.timedelta(days=12)
    made.append(_scenario(
        jinping, jinping.clerk, received, PATHS["mediating"], [0, 2], rng,
        channel=Channel.COURT_INVITED,
        dispute_type=DisputeType.FARM_LOAN, institution=jinping.bank_branch,
        court=jinping.court, external_ref="S4",
        summary="S4：茶叶种植加工企业2019年借款320万元，疫情期间销售不畅形成不良；"
                "县金调委与县法院介入，银行重新制定还款计划并下调利率，展期与茶叶生产周期匹配。",
        claim=ClaimBreakdown(as_of=received - dt.timedelta(days=1),
                             principal=Decimal("3200000"), interest=Decimal("96000")),
        parties=[_creditor(jinping.bank_branch),
                 (PartyInput(PartyKind.ENTITY, "锦屏县某茶业有限公司", _credit_code(5),
                             address="贵州省锦屏县三江镇某工业园2号", rep_name="龙某某",
                             rep_title="董事长"),
                  PartyRole.DEBTOR)],
    ))
    return made


def _synthetic(world: World, count: int, today: dt.date, rng: random.Random) -> list[Filing]:
    """``count`` disputes spread over states, types, channels and the past year."""
    types = list(DisputeType)
    type_weights = [40, 20, 12, 6, 10, 4, 3, 2, 1, 2]
    channels = list(Channel)
    channel_weights = [30, 8, 4, 6, 10, 12, 30]
    states = list(WEIGHTS)
    filings = []
    for n in range(count):
        county = rng.choice(world.counties)
        dispute_type = rng.choices(types, type_weights)[0]
        small = dispute_type in (DisputeType.CREDIT_CARD, DisputeType.CONSUMER_LOAN)
        principal = Decimal(rng.randrange(800_000, 30_000_000 if small else 500_000_000)) / 100
        final = rng.choices(states, [WEIGHTS[s] for s in states])[0]
        received, days = plan(PATHS[final], final, today, rng)
        creditor = county.bank_branch if n % 3 else county.credit_union
        filed = _office_hours(received, rng, None)
        intake = {
            "channel": rng.choices(channels, channel_weights)[0], "dispute_type": dispute_type,
            "institution": creditor, "court": county.court, "external_ref": f"SYN-{n:05d}",
            "received_on": received, "notice_served": rng.random() < 0.7,
            "claim": ClaimBreakdown(
                as_of=received - dt.timedelta(days=1), principal=principal,
                interest=(principal * Decimal("0.11")).quantize(Decimal("0.01")),
                penalty_interest=(principal * Decimal("0.03")).quantize(Decimal("0.01"))),
            "parties": [_creditor(creditor),
                        (PartyInput(PartyKind.PERSON, _name(rng), _id_number(1000 + n, rng),
                                    _mobile(1000 + n)), PartyRole.DEBTOR)],
        }
        filings.append(Filing(county, county.clerk, filed, intake, PATHS[final],
                              instants(days, rng, filed)))
    return filings


def load_demo(*, synthetic: int = 300, seed: int = 2026) -> dict[str, int] | None:
    """Load the demo world; return what was made, or ``None`` if it is already there."""
    if Organization.objects.filter(name=PREFECTURE, parent=None).exists():
        return None
    rng = random.Random(seed)
    today = clock.today()
    with transaction.atomic():
        world = _build_tree(rng)
        start = dt.datetime.combine(today - dt.timedelta(days=400), dt.time(9), clock.TZ)
        for county in world.counties:
            seed_templates(county.committee, county.clerk, county.director, start)
        filings = _scenarios(world, today) + _synthetic(world, synthetic, today, rng)
        replay(filings, rng)
        party_door(world.counties[0].committee, world.personas, today)
        failure_package_demo(world.personas["mediator"])
        draw_last_quarter(world.prefecture, User.objects.get(username="supervisor"), today)
        figures_refresh()  # last: every event above folded into the figures
    return {"organizations": Organization.objects.count(), "users": User.objects.count(),
            "disputes": Dispute.objects.count(), "synthetic": synthetic}
