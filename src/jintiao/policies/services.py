"""Writes of policy versions: each one validated by the domain before it is stored."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max

from jintiao.domain.policy import Policy
from jintiao.orgs.models import Organization
from jintiao.policies.models import PolicyVersion


@transaction.atomic
def policy_publish(*, organization: Organization, policy: Policy, valid_from: dt.date,
                   source: str = "") -> PolicyVersion:
    """Store ``policy`` as the next version of ``organization``'s rules.

    The previous open-ended version is closed the day the new one starts.
    """
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    last = PolicyVersion.objects.filter(organization=organization).aggregate(m=Max("version"))
    version = (last["m"] or 0) + 1
    PolicyVersion.objects.filter(organization=organization, valid_to__isnull=True,
                                 valid_from__lt=valid_from).update(valid_to=valid_from)
    stored = policy.replace(version=version, valid_from=valid_from, valid_to=None)
    return PolicyVersion.objects.create(
        organization=organization, version=version, valid_from=valid_from,
        data=stored.to_dict(), source=source,
    )
