"""Writes of policy versions: each one validated by the domain before it is stored.

An administrator publishes a new version of a node's rules (DESIGN.md §3, issue 21 §5):
every value with its legal source and the version's validity dates, checked by the domain
(:func:`jintiao.domain.policy.revise`, :func:`~jintiao.domain.policy.sources_for`,
:func:`~jintiao.domain.policy.window_check`), shown as a difference from the version in
force (:func:`policy_draft`, which writes nothing) and then stored (:func:`policy_publish`).
A version found wrong before it starts is withdrawn (:func:`policy_withdraw`). Web, API,
CLI and the demo go through these functions; who may publish for which node is
:func:`jintiao.orgs.selectors.may_publish_policy`'s.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from jintiao import clock
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.policy import (
    DEFAULT_POLICY,
    SOURCES,
    Policy,
    PolicyChange,
    PolicyInvalid,
    Window,
    changed_fields,
    diff,
    revise,
    sources_for,
    window_check,
)
from jintiao.orgs.models import Organization, OrgKind, User
from jintiao.orgs.selectors import POLICY_KINDS, may_publish_policy
from jintiao.policies.models import PolicyVersion
from jintiao.policies.selectors import PolicyMissing, policy_for

SOURCE_TEXT_MAX = 500


class PolicyNotYours(DomainError):
    """The user may not publish rules for this node (not its administrator)."""

    code = ErrorCode.PERMISSION_DENIED


@dataclass(frozen=True)
class Draft:
    """A new version as it would be stored, and what it changes.

    ``base`` is the version in force at the node on ``valid_from`` (its own or inherited
    from a node above; ``None`` when no node has one and the defaults apply), ``closes`` the
    node's own version whose window the new one ends."""

    organization: Organization
    version: int
    policy: Policy
    sources: dict[str, str]
    source: str
    base: PolicyVersion | None
    base_policy: Policy
    changes: tuple[PolicyChange, ...]
    closes: PolicyVersion | None

    @property
    def value_changes(self) -> tuple[PolicyChange, ...]:
        return tuple(c for c in self.changes if c.value_changed)

    @property
    def fingerprint(self) -> str:
        """What the administrator saw in the preview — the version it would be, the version
        it builds on and the one it closes, every change — so that publishing can refuse a
        preview another publication has made stale."""
        seen = {"version": self.version, "base": self.base.pk if self.base else None,
                "closes": self.closes.pk if self.closes else None,
                "closes_to": str(self.closes.valid_to) if self.closes else None,
                "changes": [dataclasses.asdict(c) for c in self.changes]}
        canonical = json.dumps(seen, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


class PolicyPreviewStale(DomainError):
    """Another version was published at the node (or above it) after the preview."""

    code = ErrorCode.CONFLICT


def _base(organization: Organization, on: dt.date
          ) -> tuple[PolicyVersion | None, Policy, Mapping[str, str]]:
    try:
        row, policy = policy_for(organization, on=on)
    except PolicyMissing:
        return None, DEFAULT_POLICY, SOURCES
    return row, policy, {**SOURCES, **(row.sources or {})}


def _source_text(source: str) -> str:
    text = (source or "").strip()
    if len(text) > SOURCE_TEXT_MAX or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise PolicyInvalid(f"本版本的发布依据不得超过{SOURCE_TEXT_MAX}字，且不能含控制字符",
                            "the version's source is too long or has control characters",
                            field="source")
    return text


def policy_draft(*, organization: Organization, valid_from: dt.date,
                 valid_to: dt.date | None = None, values: Mapping[str, Any] | None = None,
                 policy: Policy | None = None, name: str | None = None,
                 sources: Mapping[str, Any] | None = None, source: str = "",
                 actor: User | None = None) -> Draft:
    """Check a new version of ``organization``'s rules and return it with its difference
    from the version in force there on ``valid_from``; nothing is written (the preview).

    The values are ``values`` (rule → value in :meth:`Policy.to_dict` form, the others as
    the version in force has them) or a whole ``policy`` (the operator's set-up). An
    ``actor`` is an administrator publishing: they must administer the node, the version
    may not start before today and must change something; without one (seeding, replaying
    a past) a past start is allowed.

    :raises PolicyNotYours: ``actor`` does not administer ``organization``
    :raises PolicyInvalid: the node holds no rules; a value out of its domain, a changed
        value without a source, a source too long (naming the field)
    :raises PolicyWindowInvalid: backwards dates, a start before today, an overlap
    """
    if organization.kind not in POLICY_KINDS:
        kinds = "、".join(str(OrgKind(k).label) for k in POLICY_KINDS)
        raise PolicyInvalid(f"“{organization}”不是可以配置规则的单位（{kinds}）",
                            "rules are set on leading groups, committees and centres",
                            field="organization")
    if actor is not None and not may_publish_policy(actor, organization):
        raise PolicyNotYours(f"您不是“{organization}”或其上级单位的管理员，不能发布其规则",
                             "not an administrator of this node", organization=organization.pk)
    today = clock.today() if actor is not None else None
    every = list(PolicyVersion.objects.filter(organization=organization).order_by("version"))
    own = [v for v in every if v.withdrawn_at is None]
    ends = window_check(valid_from, valid_to, today=today,
                        earlier=[Window(v.version, v.valid_from, v.valid_to) for v in own])
    closes = next((v for v in own if ends is not None and v.version == ends.version), None)
    base, base_policy, base_sources = _base(organization, valid_from)
    if policy is None:
        policy = revise(base_policy, values or {})
    elif values:
        policy = revise(policy, values)
    version = max((v.version for v in every), default=0) + 1  # a withdrawn one's number too
    changes: dict[str, Any] = {"version": version, "valid_from": valid_from, "valid_to": valid_to}
    if name is not None:
        changes["name"] = name.strip()
    stored = policy.replace(**changes)
    changed = changed_fields(base_policy, stored)
    kept = sources_for(sources or {}, base=base_sources, changed=changed)
    found = diff(base_policy, stored, old_sources=base_sources, new_sources=kept)
    if actor is not None and not found and stored.name == base_policy.name:
        raise PolicyInvalid("新版本与现行规则完全相同（数值和依据均未修改），无需发布",
                            "the new version changes nothing", field="values")
    return Draft(organization, version, stored, kept, _source_text(source), base, base_policy,
                 found, closes)


@transaction.atomic
def policy_publish(*, organization: Organization, valid_from: dt.date,
                   policy: Policy | None = None, values: Mapping[str, Any] | None = None,
                   name: str | None = None, valid_to: dt.date | None = None,
                   sources: Mapping[str, Any] | None = None, source: str = "",
                   actor: User | None = None, previewed: str = "") -> PolicyVersion:
    """Store a new version of ``organization``'s rules, checked as :func:`policy_draft`
    checks it, and end the node's version it supersedes the day it starts. ``previewed``
    (the preview's :attr:`Draft.fingerprint`) refuses a version whose difference is no
    longer the one the administrator saw.

    Disputes keep the version they were received under (``Dispute.policy_version``); only
    those received from ``valid_from`` on get the new one. The row records who published
    it and when, the difference the publisher saw and the window it closed.

    :raises PolicyNotYours, PolicyInvalid, PolicyWindowInvalid: as :func:`policy_draft`;
        nothing is written
    :raises PolicyPreviewStale: ``previewed`` no longer matches (nothing is written)
    """
    # one publisher of a node at a time: the version number and the windows are read here
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    draft = policy_draft(organization=organization, valid_from=valid_from, valid_to=valid_to,
                         values=values, policy=policy, name=name, sources=sources,
                         source=source, actor=actor)
    if previewed and previewed != draft.fingerprint:
        raise PolicyPreviewStale(
            "预览之后，本单位或上级单位的规则已有新的发布，与现行规则的差异已经改变；"
            "请重新预览核对后再发布", "the preview is stale: preview again")
    closed = draft.closes
    if closed is not None:
        PolicyVersion.objects.filter(pk=closed.pk).update(valid_to=valid_from)
    return PolicyVersion.objects.create(
        organization=organization, version=draft.version, valid_from=valid_from,
        valid_to=valid_to, data=draft.policy.to_dict(), source=draft.source,
        sources=draft.sources, published_by=actor, published_at=clock.now(),
        changes=[dataclasses.asdict(c) for c in draft.changes],
        closes=closed.version if closed else None,
        closed_valid_to=closed.valid_to if closed else None,
    )



class PolicyWithdrawRefused(DomainError):
    """A version that has taken effect, or is not the node's latest, cannot be withdrawn."""

    code = ErrorCode.POLICY_WINDOW_INVALID


@transaction.atomic
def policy_withdraw(*, actor: User, version: PolicyVersion, reason: str) -> PolicyVersion:
    """Withdraw a version before it takes effect (a mistake found in time): it stays on
    record, marked with who withdrew it, when and why, and applies to nothing; the version
    it would have ended runs on as it did before (its old end restored).

    Only a version that has not started is withdrawn: from its first day disputes may be
    received under it and keep it. Only the node's latest, so that versions still follow
    one another without a gap.

    :raises PolicyNotYours: ``actor`` does not administer the version's node
    :raises PolicyWithdrawRefused: started already, withdrawn already, or not the latest
    :raises PolicyInvalid: no reason, or one too long
    """
    Organization.objects.select_for_update().filter(pk=version.organization_id).first()
    row = PolicyVersion.objects.select_related("organization").get(pk=version.pk)
    node = row.organization
    if not may_publish_policy(actor, node):
        raise PolicyNotYours(f"您不是“{node}”或其上级单位的管理员，不能撤回其规则",
                             "not an administrator of this node", organization=node.pk)
    today = clock.today()
    if row.withdrawn_at is not None:
        raise PolicyWithdrawRefused(f"第{row.version}版已撤回", "already withdrawn",
                                    version=row.version)
    if row.valid_from <= today:
        raise PolicyWithdrawRefused(
            f"第{row.version}版已于{row.valid_from}生效，不能撤回：此后收案的纠纷适用该版本；"
            "如需更改，请发布新版本", "a version in force cannot be withdrawn",
            version=row.version)
    later = (PolicyVersion.objects.filter(organization=node, version__gt=row.version,
                                          withdrawn_at__isnull=True)
             .order_by("version").first())
    if later is not None:
        raise PolicyWithdrawRefused(f"请先撤回本单位第{later.version}版",
                                    "withdraw the later version first", version=later.version)
    why = (reason or "").strip()
    if not why or len(why) > 200 or any(ord(c) < 32 for c in why):
        raise PolicyInvalid("请填写撤回理由（200字以内）", "a reason of at most 200 characters",
                            field="reason")
    if row.closes is not None:
        PolicyVersion.objects.filter(organization=node, version=row.closes,
                                     valid_to=row.valid_from).update(valid_to=row.closed_valid_to)
    row.withdrawn_at, row.withdrawn_by, row.withdrawn_reason = clock.now(), actor, why
    row.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    return row
