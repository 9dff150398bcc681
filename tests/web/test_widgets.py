"""QuickSelect writes exactly what Django's Select template writes: the dispute list's
menus, in every state they are shown in."""

from __future__ import annotations

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from jintiao.web.forms.disputes import DisputeFilterForm
from jintiao.web.forms.widgets import QuickSelect

pytestmark = pytest.mark.django_db


def django_select(field: forms.BoundField) -> str:
    """The same field rendered by Django's own Select and its templates."""
    widget = forms.Select(attrs=field.field.widget.attrs, choices=field.field.widget.choices)
    widget.is_required = field.field.widget.is_required
    return field.as_widget(widget=widget)


@pytest.mark.parametrize("data", [
    None, {}, {"state": "mediating", "sort": "-amount"}, {"state": "no-such-state"},
    {"committee": "x", "institution": "99999999", "dispute_type": "credit_card"},
])
def test_each_menu_of_the_list_is_what_djangos_template_writes(world, cases, data):
    from jintiao.disputes.selectors import filter_choices

    form = DisputeFilterForm(data, **filter_choices(world.supervisor))
    form.is_valid()
    menus = [f for f in form if isinstance(f.field.widget, QuickSelect)]
    assert [f.name for f in menus] == ["state", "dispute_type", "channel", "committee",
                                       "institution", "sort"]
    for field in menus:
        assert str(field) == django_select(field), field.name


@given(label=st.text(max_size=20), value=st.text(max_size=10),
       chosen=st.one_of(st.none(), st.text(max_size=10)))
def test_any_label_and_value_are_escaped_as_the_template_escapes_them(label, value, chosen):
    groups = [(value, label), ("组", [("a", "<b>甲</b>"), ('"', "'")])]
    quick = QuickSelect(attrs={"data-x": '"><script>', "disabled": True, "hidden": False},
                        choices=groups)
    plain = forms.Select(attrs=quick.attrs, choices=groups)
    assert quick.render("f", chosen, {"id": "id_f"}) == plain.render("f", chosen, {"id": "id_f"})
