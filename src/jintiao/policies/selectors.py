"""Which policy applies where and when, and the working calendar in force."""

from __future__ import annotations

import datetime as dt

from jintiao.domain import calendar
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.policy import Policy
from jintiao.orgs.models import Organization
from jintiao.orgs.selectors import ancestors
from jintiao.policies.models import CalendarDay, CalendarYear, PolicyVersion


class PolicyMissing(DomainError):
    code = ErrorCode.POLICY_MISSING


def policy_for(org: Organization, *, on: dt.date) -> tuple[PolicyVersion, Policy]:
    """Return the version in force on ``on`` at ``org`` or its nearest ancestor that has one.

    :raises PolicyMissing: no node from ``org`` up to the root has a version in force
    """
    chain = ancestors(org)
    rows = (PolicyVersion.objects.filter(organization__in=chain, valid_from__lte=on)
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
