"""Which policy applies where and when, and the working calendar in force."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from jintiao.domain import calendar
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.policy import EDITABLE, FIELD_LABELS, SOURCES, Policy, display, kind_of
from jintiao.orgs.models import Organization, User
from jintiao.orgs.selectors import ancestors, policy_nodes_visible_to
from jintiao.policies.models import CalendarDay, CalendarYear, PolicyVersion


class PolicyMissing(DomainError):
    code = ErrorCode.POLICY_MISSING


def policy_for(org: Organization, *, on: dt.date) -> tuple[PolicyVersion, Policy]:
    """Return the version in force on ``on`` at ``org`` or its nearest ancestor that has one.

    :raises PolicyMissing: no node from ``org`` up to the root has a version in force
    """
    chain = ancestors(org)
    rows = (PolicyVersion.objects.filter(organization__in=chain, valid_from__lte=on,
                                         withdrawn_at__isnull=True)
            .exclude(valid_to__lte=on).order_by("-version"))
    by_org: dict[int, PolicyVersion] = {}
    for row in rows:
        by_org.setdefault(row.organization_id, row)
    for node in chain:
        if node.pk in by_org:
            row = by_org[node.pk]
            return row, Policy.from_dict(row.data)
    raise PolicyMissing(f"“{org}”及其上级单位在{on}没有生效的规则配置",
                        f"no policy in force on {on} for {org} or its ancestors",
                        organization=org.pk)


def working_calendar() -> calendar.WorkingCalendar:
    """Return the official calendar with the administrators' overrides applied."""
    overrides = [calendar.DayOverride(r.day, r.working, r.note)
                 for r in CalendarDay.objects.order_by("day")]
    years = CalendarYear.objects.values_list("year", flat=True)
    return calendar.official_calendar().with_overrides(overrides, covered_years=years)


# --- reading the versions and their sources (issue 21 §5) ---

class PolicyNodeNotFound(DomainError):
    """A node that does not exist or whose rules the viewer may not read: one answer."""

    code = ErrorCode.NOT_FOUND


def policy_versions_visible_to(viewer: User, *, organization: Organization | None = None
                               ) -> QuerySet[PolicyVersion]:
    """Return the versions ``viewer`` may read (:func:`policy_nodes_visible_to`), of one
    ``organization`` if given, by node and version, with their nodes and publishers (the
    withdrawn ones too, marked: they are part of the record)."""
    rows = PolicyVersion.objects.select_related("organization", "published_by",
                                                "withdrawn_by")
    nodes = policy_nodes_visible_to(viewer)
    if nodes is not None:
        rows = rows.filter(organization__in=nodes)
    if organization is not None:
        rows = rows.filter(organization=organization)
    return rows.order_by("organization__path", "version")


def policy_node_for(viewer: User, organization_id: int) -> Organization:
    """The node whose rules ``viewer`` asks for, if they may read them.

    :raises PolicyNodeNotFound: no such node, or not one whose rules they read (one answer)
    """
    nodes = policy_nodes_visible_to(viewer)
    rows = Organization.objects.all() if nodes is None else nodes
    found = rows.filter(pk=organization_id).first()
    if found is None:
        raise PolicyNodeNotFound("单位不存在或无权查看其规则", "no such node",
                                 field="organization_id")
    return found


@dataclass(frozen=True)
class RuleValue:
    """One rule of a version: its value as stored and in words, and its source."""

    field: str
    label: str
    kind: str
    value: Any
    text: str
    source: str


def rule_values(row: PolicyVersion) -> list[RuleValue]:
    """Return every rule of a stored version with its source, in the policy's order (a
    source the row lacks is the default one of :data:`SOURCES`)."""
    policy = Policy.from_dict(row.data)
    stored = policy.to_dict()
    sources = row.sources or {}
    return [RuleValue(name, FIELD_LABELS[name], str(kind_of(name)), stored[name],
                      display(name, getattr(policy, name)),
                      sources.get(name) or SOURCES.get(name, ""))
            for name in EDITABLE]


def policies_in_force(nodes: Iterable[Organization], *, on: dt.date
                      ) -> dict[int, PolicyVersion | None]:
    """Return, for each of ``nodes``, the version in force on ``on`` there (its own or the
    nearest ancestor's, as :func:`policy_for` finds it; ``None`` for none) in one read of
    the versions, not one per node."""
    nodes = list(nodes)
    chains = {n.pk: [int(p) for p in reversed(n.path.strip("/").split("/")) if p]
              for n in nodes}
    ids = {pk for chain in chains.values() for pk in chain}
    rows = (PolicyVersion.objects.filter(organization_id__in=ids, valid_from__lte=on,
                                         withdrawn_at__isnull=True)
            .exclude(valid_to__lte=on).select_related("organization").order_by("-version"))
    by_org: dict[int, PolicyVersion] = {}
    for row in rows:
        by_org.setdefault(row.organization_id, row)
    return {pk: next((by_org[i] for i in chain if i in by_org), None)
            for pk, chain in chains.items()}


def source_of(row: PolicyVersion, field: str) -> str:
    """The legal or policy source of one rule of a stored version (a dispute's own
    ``policy_version``): the one published with it, else the default one of
    :data:`SOURCES` (empty for a field that is no rule value)."""
    return str((row.sources or {}).get(field) or SOURCES.get(field, ""))
