"""Visibility: who sees which dispute, by role × organisation node (DESIGN.md §1)."""

from __future__ import annotations

import pytest

from jintiao.disputes.access import DisputeNotFound, dispute_get_for, dispute_visible_to
from tests.factories import intake

# persona → (sees ours, sees theirs)
MATRIX = {
    "clerk": (True, False),
    "director": (True, False),
    "mediator": (True, False),
    "other_mediator": (False, False),  # same committee, not assigned
    "agent": (True, False),  # the branch's own dispute
    "hq_agent": (True, False),  # the bank sees its branches'
    "other_agent": (False, True),
    "judge": (True, False),
    "other_judge": (False, True),
    "supervisor": (True, True),  # the prefecture sees both counties
    "county_supervisor": (False, True),
    "other_clerk": (False, True),
}


@pytest.mark.parametrize(("persona", "expected"), list(MATRIX.items()))
def test_each_role_sees_exactly_its_own(world, cases, persona, expected):
    ours, theirs = cases
    viewer = getattr(world, persona)
    visible = set(dispute_visible_to(viewer).values_list("pk", flat=True))
    assert (ours.pk in visible, theirs.pk in visible) == expected
    for dispute, sees in zip((ours, theirs), expected, strict=True):
        if sees:
            assert dispute_get_for(viewer, dispute.pk).pk == dispute.pk
        else:
            with pytest.raises(DisputeNotFound) as err:
                dispute_get_for(viewer, dispute.pk)
            # hidden and missing look the same
            with pytest.raises(DisputeNotFound) as missing:
                dispute_get_for(viewer, 10**9)
            assert err.value.message == missing.value.message


def test_a_user_without_a_node_sees_nothing(world, cases):
    from jintiao.domain.lifecycle import Role
    from tests.factories import UserFactory
    nobody = UserFactory(organization=None, roles=[Role.MEDIATOR])
    assert not dispute_visible_to(nobody).exists()


def test_the_list_query_does_not_grow_with_the_number_of_disputes(world, cases,
                                                                  django_assert_max_num_queries):
    for _ in range(5):
        intake(actor=world.clerk, committee=world.committee)
    with django_assert_max_num_queries(3):
        rows = list(dispute_visible_to(world.supervisor).select_related("committee"))
    assert len(rows) == 7
