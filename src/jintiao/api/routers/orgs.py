"""Organisations and the current user."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from jintiao.api.schemas import ErrorOut, MeOut, OrganizationOut, OrgRef
from jintiao.orgs.models import Organization, User
from jintiao.orgs.selectors import user_roles

router = Router(tags=["organizations"])


@router.get("/me", response={200: MeOut, 401: ErrorOut}, operation_id="me_get")
def me_get(request: HttpRequest) -> MeOut:
    user: User = request.auth  # type: ignore[attr-defined]
    org = user.organization
    return MeOut(id=user.pk, username=user.username, name=str(user),
                 organization=OrgRef(id=org.pk, name=org.name, kind=org.kind) if org else None,
                 roles=sorted(r.value for r in user_roles(user)))


@router.get("/organizations", response={200: list[OrganizationOut], 401: ErrorOut},
            operation_id="organizations_list")
def organizations_list(request: HttpRequest) -> list[Organization]:
    """The organisation tree is public within the platform: names, kinds, regions."""
    return list(Organization.objects.order_by("path"))
