"""Reading failure packages (调解不成移送材料) and their published JSON Schema.

The schema is a versioned file shipped with the code (``schemas/failure-package-<major>.json``)
and served by the API, so a court's system can validate what it fetches before it dockets
it. A change that a reader of the earlier version could not read is a new major version and
a new file; the package says which version it follows (``schema_version``) and its
``$schema`` names the file.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from jintiao import clock
from jintiao.disputes.access import (
    COMMITTEE_STAFF,
    COURT_ROLES,
    RecordNotFound,
    dispute_get_for,
    dispute_visible_to,
    standing_of,
)
from jintiao.disputes.changes import record_event
from jintiao.disputes.models import Dispute
from jintiao.documents.models import FailurePackage
from jintiao.domain import events
from jintiao.domain.lifecycle import Role
from jintiao.orgs.models import User
from jintiao.orgs.selectors import user_roles

SCHEMA_VERSION = "1.0"
SCHEMA_FILE = Path(__file__).parent / "schemas" / "failure-package-1.json"
SCHEMA_ID = "https://jintiao.invalid/api/v1/schemas/failure-package.json"


@functools.cache
def schema() -> dict[str, Any]:
    """The published JSON Schema (draft 2020-12) of the package's JSON."""
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


def packages_of(dispute: Dispute) -> QuerySet[FailurePackage]:
    """A dispute's packages, newest first, with their documents joined."""
    return (FailurePackage.objects.filter(dispute=dispute)
            .select_related("complaint", "answer", "facts", "evidence", "created_by")
            .order_by("-version"))


def failure_package_get_for(viewer: User, dispute_id: int,
                            version: int | None = None) -> FailurePackage:
    """The dispute's latest package (or ``version``), for a viewer who may read it.

    :raises DisputeNotFound: the dispute is missing or hidden from ``viewer``
    :raises PermissionDenied: the viewer sees the dispute but may not read its package (the
        institution, a supervisor)
    :raises RecordNotFound: no package (of that version) yet
    """
    dispute = dispute_get_for(viewer, dispute_id)
    me = standing_of(viewer, dispute)
    me.require(type(me).may_read_failure_package, "读取调解不成移送材料")
    rows = packages_of(dispute)
    found = (rows.filter(version=version) if version is not None else rows).first()
    if found is None:
        raise RecordNotFound("尚未制作调解不成移送材料", "no failure package yet")
    return found


def failure_package_read(viewer: User, dispute_id: int,
                         version: int | None = None) -> FailurePackage:
    """The package as the court's system takes it, every party's full particulars in it:
    who took it is on the timeline (PIPL Arts. 51, 55), in a transaction of its own, as a
    document with full particulars is (:func:`jintiao.documents.integrity.document_file`).

    :raises: as :func:`failure_package_get_for`
    """
    found = failure_package_get_for(viewer, dispute_id, version)
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=found.dispute_id)
        record_event(dispute, events.RECORD_READ, viewer, clock.now(),
                     {"package": found.pk, "kind": "failure_package", "format": "json",
                      "title": f"调解不成移送材料第{found.version}版"})
    return found


# who may read a package somewhere (Standing.may_read_failure_package decides per dispute)
READERS = COMMITTEE_STAFF | COURT_ROLES | {Role.MEDIATOR}


def failure_packages_after(viewer: User, after: int = 0, limit: int = 50
                           ) -> list[FailurePackage]:
    """The packages made since package ``after`` (by its id, ascending) that the viewer may
    read, at most ``limit``: what a court's system polls for — each new version once, in
    the order made, so a reader that keeps the last id misses none."""
    if not user_roles(viewer) & READERS:
        return []  # a bank's officers and supervisors read none: no need to look
    rows = (FailurePackage.objects.filter(pk__gt=after,
                                          dispute__in=dispute_visible_to(viewer))
            .select_related("dispute__committee", "dispute__institution", "dispute__court")
            .order_by("pk"))
    found: list[FailurePackage] = []
    for package in rows.iterator(chunk_size=200):
        if standing_of(viewer, package.dispute).may_read_failure_package():
            found.append(package)
            if len(found) >= limit:
                break
    return found

