"""Reads of disputes, always scoped to who is asking through :mod:`jintiao.disputes.access`
(which also holds the one query of what a user may see)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import Combinable, OrderBy

from jintiao import clock, search
from jintiao.disputes.access import TEAM_ROLES, Standing, dispute_visible_to
from jintiao.disputes.models import (
    CLAIM_FIELDS,
    Channel,
    Dispute,
    DisputeParty,
    DisputeType,
    PartyRole,
)
from jintiao.domain import identity, lifecycle, periods
from jintiao.domain.lifecycle import Action, State
from jintiao.domain.policy import DEFAULT_POLICY, Policy
from jintiao.orgs.models import Organization, User
from jintiao.orgs.selectors import user_roles
from jintiao.parties import crypto
from jintiao.policies.selectors import PolicyMissing, policy_for, working_calendar

# The orders a list may be read in: key → label; "-key" is the other way.
SORTS: dict[str, str] = {
    "-received": "收案日期（新→旧）", "received": "收案日期（旧→新）",
    "deadline": "期限（近→远）", "-deadline": "期限（远→近）",
    "number": "编号（小→大）", "-number": "编号（大→小）",
    "-amount": "标的额（大→小）", "amount": "标的额（小→大）",
    "state": "状态（按流程先后）", "-state": "状态（按流程倒序）",
}
DEFAULT_SORT = "-received"


def sort_of(asked: str | None) -> str:
    """The order a list is read in: the key asked for when it is one of :data:`SORTS`,
    otherwise (unknown, misspelt, empty) the newest received first."""
    return asked if asked in SORTS else DEFAULT_SORT


def _ordered(rows: QuerySet[Dispute], sort: str) -> QuerySet[Dispute]:
    """``rows`` in the order of a :data:`SORTS` key, ties by id the same way; an undated
    deadline last either way."""
    key = sort.lstrip("-")
    down = sort.startswith("-")
    if key == "amount":
        total: Combinable = F(CLAIM_FIELDS[0])
        for part in CLAIM_FIELDS[1:]:
            total = total + F(part)
        rows = rows.annotate(claim_total=total)
    elif key == "state":
        rows = rows.annotate(state_rank=Case(
            *(When(state=s.value, then=Value(n)) for n, s in enumerate(State)),
            default=Value(len(State)), output_field=IntegerField()))
    field = {"received": "received_on", "deadline": "deadline", "number": "number",
             "amount": "claim_total", "state": "state_rank"}[key]
    # only a deadline may be missing: the other keys are ordered plainly, so that an index
    # on (key, id) serves either way (PostgreSQL reads it backwards for newest first)
    nulls = {"nulls_last": True} if key == "deadline" else {}
    first: OrderBy = F(field).desc(**nulls) if down else F(field).asc(**nulls)
    return rows.order_by(first, F("pk").desc() if down else F("pk").asc())


def dispute_list(
    viewer: User, *, state: str | None = None, dispute_type: str | None = None,
    channel: str | None = None, committee_id: int | None = None,
    institution_id: int | None = None, overdue_on: dt.date | None = None,
    due_between: tuple[dt.date, dt.date] | None = None, mine: bool = False,
    text: str | None = None, sort: str | None = None,
) -> QuerySet[Dispute]:
    """Return the viewer's disputes filtered as the list pages and the API ask, in the order
    of ``sort`` (a :data:`SORTS` key; newest received first otherwise), with what a list row
    shows already joined.

    ``mine`` keeps the disputes waiting on one of the viewer's roles (their work queue);
    ``due_between`` those whose deadline falls in the two dates, both included.
    """
    rows = dispute_visible_to(viewer, nodes_read=True)
    if mine:
        rows = rows.filter(state__in=lifecycle.states_waiting_on(user_roles(viewer)))
    if due_between is not None:
        rows = rows.filter(deadline__gte=due_between[0], deadline__lte=due_between[1])
    if state:
        rows = rows.filter(state=state)
    if dispute_type:
        rows = rows.filter(dispute_type=dispute_type)
    if channel:
        rows = rows.filter(channel=channel)
    if committee_id is not None:
        rows = rows.filter(committee_id=committee_id)
    if institution_id is not None:
        rows = rows.filter(institution_id=institution_id)
    if overdue_on is not None:
        rows = rows.filter(deadline__lt=overdue_on)
    if text and text.strip():
        rows = rows.filter(pk__in=matching_text(text.strip()))
    return _ordered(rows.select_related("committee", "institution", "court")
                    .prefetch_related(Prefetch("party_rows", DisputeParty.objects
                                               .select_related("party"))),
                    sort_of(sort))


def matching_text(text: str) -> QuerySet[Any]:
    """The ids of disputes a search box's ``text`` finds, each part on an index (issue 19
    §1): a whole ID number or mobile by its keyed hash; a dispute's number and the bank's
    reference exactly, or by a fragment of three characters or more (trigrams); a party's
    name by its start (a one- or two-character name or surname) or a fragment; the
    summary by a fragment. One union of ids, so that PostgreSQL reads each index once and
    joins the few found, instead of testing every visible dispute against each."""
    found: list[QuerySet[Any]] = [Dispute.objects.filter(number=text).values("pk"),
                                  Dispute.objects.filter(external_ref=text).values("pk")]
    parties = [Q(party__name__startswith=text)]
    checked = identity.identify(text, on=clock.today())
    if checked.valid:
        digest = crypto.lookup_hash(checked.number)
        parties.append(Q(party__phone_hash=digest) if checked.kind is identity.IdKind.MOBILE
                       else Q(party__id_hash=digest))
    if len(text) >= search.TRIGRAM:
        found += [Dispute.objects.filter(number__ilike=text).values("pk"),
                  Dispute.objects.filter(external_ref__ilike=text).values("pk"),
                  Dispute.objects.filter(summary__ilike=text).values("pk")]
        parties.append(Q(party__name__ilike=text))
    found += [DisputeParty.objects.filter(where).values("dispute_id") for where in parties]
    return found[0].union(*found[1:])


def as_list_rows(rows: QuerySet[Dispute]) -> QuerySet[Dispute]:
    """``rows`` (of :func:`dispute_list`) reading only what a workbench row shows: the
    debtors' names, not every party's whole record (its ciphers and hashes), and the
    committee's and institution's names. A page of 50 rows built 350 model objects it did
    not show (bench/bench_load.py)."""
    debtors = (DisputeParty.objects.filter(role=PartyRole.DEBTOR).select_related("party")
               .only("id", "dispute_id", "role", "party_id", "party__id", "party__name"))
    return (rows.select_related(None).select_related("committee", "institution")
            .only(*LIST_ROW_FIELDS, "committee__id", "committee__name", "institution__id",
                  "institution__name")
            .prefetch_related(None).prefetch_related(Prefetch("party_rows", debtors)))


# what a workbench row reads of a dispute (web.views.disputes._rows) and what orders it
LIST_ROW_FIELDS = ("id", "number", "state", "dispute_type", "committee_id", "institution_id",
                   "deadline", "deadline_provisional", "received_on", "version", *CLAIM_FIELDS)


def with_team(rows: QuerySet[Dispute], viewer: User) -> QuerySet[Dispute]:
    """``rows`` (of :func:`dispute_list`) as the API's list reads them: each dispute in full,
    its parties read in one go by the API as plain values, its organisations attached by
    :func:`with_organizations` once the page is read (joined, they were three model
    instances a row), and its mediators joined only for a viewer who could be one of them
    (only they are on a team; the others' standing never reads it)."""
    rows = rows.select_related(None).prefetch_related(None)
    return rows.prefetch_related("mediator_rows") if user_roles(viewer) & TEAM_ROLES else rows


# what a list's standing and shape read of an organisation (its scope lists are JSON)
ORGANIZATION_LISTED = ("pk", "name", "kind", "path")


def with_organizations(disputes: list[Dispute]) -> list[Dispute]:
    """Attach each dispute's committee, institution and court, read once for the page (a
    page names a few organisations many times), with the fields a list's standing and rows
    read; return ``disputes``."""
    ids = {i for d in disputes for i in (d.committee_id, d.institution_id, d.court_id) if i}
    found = Organization.objects.only(*ORGANIZATION_LISTED).in_bulk(ids)
    for d in disputes:
        d.committee = found[d.committee_id]
        d.institution = found.get(d.institution_id) if d.institution_id else None
        d.court = found.get(d.court_id) if d.court_id else None
    return disputes


@dataclass(frozen=True)
class DuplicateFlag:
    """The open dispute this one looked like when it was filed: its number and id when the
    viewer may open it, else only the committee it was filed at."""

    number: str
    dispute_id: int | None
    committee: str


def probable_duplicate_seen_by(viewer: User, dispute: Dispute) -> DuplicateFlag | None:
    """What the viewer is told of the dispute flagged as this one's probable duplicate."""
    other_id = dispute.probable_duplicate_of_id
    if other_id is None:
        return None
    other = Dispute.objects.select_related("committee").get(pk=other_id)
    if dispute_visible_to(viewer).filter(pk=other_id).exists():
        return DuplicateFlag(other.number, other.pk, other.committee.name)
    return DuplicateFlag("", None, other.committee.name)


@dataclass(frozen=True)
class ActionOffer:
    """An action the viewer may take now, with what it requires in words, and of that what
    the viewer's own confirmation (本人确认) may establish and the data does not already."""

    value: str
    label: str
    guards: tuple[str, ...]
    attestable: tuple[str, ...] = ()


def actions_open_to(standing: Standing) -> list[ActionOffer]:
    """List the actions the viewer's roles in this dispute may take from its state, in the
    table's order.

    Guards are listed, not evaluated: the service says which one is missing when taken.
    Actions that follow from records (sealing the agreement, a ruling, payments) are taken
    where those records are made, not here.
    """
    state = standing.state
    offers: dict[Action, set[str]] = {}
    for role in sorted(standing.roles):
        for action in lifecycle.available_actions(state, role):
            if lifecycle.taken_through_records(action):
                continue
            guards = offers.setdefault(action, set())
            guards.update(lifecycle.GUARD_LABELS[g] for t in lifecycle.transitions_for(action)
                          if role in t.roles and state in t.sources for g in t.guards)
    on_record = {"non_litigation_notice_served"} if standing.dispute.non_litigation_notice_served \
        else set()
    return [ActionOffer(a.value, a.label, tuple(sorted(g)),
                        tuple(lifecycle.GUARD_LABELS[guard]
                              for guard in lifecycle.attestable_guards(a)
                              if guard not in on_record))
            for a, g in offers.items()]


def policy_of_viewer(viewer: User, on: dt.date) -> Policy:
    """The policy in force at the viewer's node; the default where none is published (a bank's
    tree usually has none of its own)."""
    if viewer.organization is None:
        return DEFAULT_POLICY
    try:
        return policy_for(viewer.organization, on=on)[1]
    except PolicyMissing:
        return DEFAULT_POLICY


def due_soon_until(viewer: User, today: dt.date) -> dt.date:
    """The last day counted as due soon: today plus the policy's warning lead."""
    lead = policy_of_viewer(viewer, today).deadline_warning_lead
    return periods.deadline(today, lead, working_calendar()).due_on


@dataclass(frozen=True)
class Workbench:
    """What a user's home page shows: their queue, what is due soon, what is overdue."""

    today: dt.date
    due_until: dt.date
    queue: QuerySet[Dispute]
    due_soon: QuerySet[Dispute]
    overdue: QuerySet[Dispute]
    by_state: list[tuple[State, int]]
    queue_states: frozenset[State]


def workbench_for(viewer: User, today: dt.date) -> Workbench:
    """Gather the home page of ``viewer``: each list soonest deadline first, undated last."""
    soonest = (F("deadline").asc(nulls_last=True), "received_on", "pk")
    due_until = due_soon_until(viewer, today)
    counts = dict(dispute_visible_to(viewer).order_by().values_list("state")
                  .annotate(n=Count("pk")))
    return Workbench(
        today=today, due_until=due_until,
        queue=dispute_list(viewer, mine=True).order_by(*soonest),
        due_soon=dispute_list(viewer, due_between=(today, due_until)).order_by(*soonest),
        overdue=dispute_list(viewer, overdue_on=today).order_by(*soonest),
        by_state=[(state, counts[state.value]) for state in State if counts.get(state.value)],
        queue_states=lifecycle.states_waiting_on(user_roles(viewer)),
    )


def scope_problems(committee: Organization, dispute_type: str, channel: str) -> list[str]:
    """Why a dispute falls outside what the committee takes (empty when within scope): a
    committee's scope is the dispute types and channels it accepts, empty meaning any."""
    problems = []
    if committee.accepted_types and dispute_type not in committee.accepted_types:
        problems.append(f"{committee}不受理{DisputeType(dispute_type).label}")
    if committee.accepted_channels and channel not in committee.accepted_channels:
        problems.append(f"{committee}不受理经“{Channel(channel).label}”渠道来的纠纷")
    return problems


def filter_choices(viewer: User) -> dict[str, QuerySet[Organization]]:
    """The committees and institutions a list filter may offer: only those of disputes the
    viewer can see, so a filter never names a committee that is not theirs.

    Both come from one read of the distinct (committee, institution) pairs, which the
    index on the two answers without the table: two semi-joins over every visible dispute
    cost a supervisor of 100,000 disputes more than the rest of the list page. Even that
    read is some 40 ms at 100,000, so the pairs are kept in the cache for
    ``LIST_CHOICES_SECONDS`` under the visibility query itself (a viewer who sees other
    disputes asks another query): a new institution may join the choices that much late."""
    pairs = (dispute_visible_to(viewer, nodes_read=True).order_by()
             .values_list("committee_id", "institution_id").distinct())
    committees, institutions = _pairs_cached(pairs)
    orgs = Organization.objects.order_by("path")
    return {"committees": orgs.filter(pk__in=committees),
            "institutions": orgs.filter(pk__in=institutions)}


def _pairs_cached(pairs: QuerySet[Any, tuple[int, int | None]]) -> tuple[list[int], list[int]]:
    seconds = settings.LIST_CHOICES_SECONDS
    try:
        sql, params = pairs.query.sql_with_params()
    except EmptyResultSet:  # the viewer sees nothing: no committee or node below them
        return [], []
    key = "jintiao:list-choices:" + hashlib.sha256(
        repr((sql, [str(p) for p in params])).encode()).hexdigest()
    found: tuple[list[int], list[int]] | None = (_cache_call(cache.get, key) if seconds
                                                  else None)
    if found is not None:
        return found
    committees: set[int] = set()
    institutions: set[int] = set()
    for committee, institution in pairs:
        committees.add(committee)
        if institution is not None:
            institutions.add(institution)
    answer = (sorted(committees), sorted(institutions))
    if seconds:
        _cache_call(cache.set, key, answer, seconds)
    return answer


def _cache_call(method: Any, *args: Any) -> Any:
    """A cache that is down (Redis restarting) costs the read it would have saved, never
    the page."""
    try:
        return method(*args)
    except Exception:  # any backend's failure means the same: read instead
        return None
