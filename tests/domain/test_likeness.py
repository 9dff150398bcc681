"""Which agreements a judge may read as one: the same institution, dispute type and plan
shape, whatever the amounts."""

from __future__ import annotations

from jintiao.domain import likeness


def _terms(instalments=12, waivers=(("利息", False),), method="等额本金", accel=2,
           amount="1000.00"):
    return {"method_label": method, "acceleration_missed": accel,
            "schedule": [{"number": n, "payment": amount} for n in range(1, instalments + 1)],
            "waivers": [{"part": "interest", "label": label, "amount": amount,
                         "conditional": conditional} for label, conditional in waivers]}


def _shape(institution="某银行", dispute_type="信用卡纠纷", **terms):
    return likeness.shape_of(institution=institution, dispute_type=dispute_type,
                             terms=_terms(**terms))


class TestShape:
    def test_amounts_do_not_matter(self):
        assert _shape(amount="1000.00") == _shape(amount="98765.43")

    def test_the_institution_the_dispute_type_and_the_plan_do(self):
        base = _shape()
        assert base != _shape(institution="某农商银行")
        assert base != _shape(dispute_type="消费贷款纠纷")
        assert base != _shape(instalments=24)
        assert base != _shape(waivers=())
        assert base != _shape(waivers=(("利息", True),))
        assert base != _shape(method="等额本息")
        assert base != _shape(accel=3)

    def test_waivers_compare_as_a_set(self):
        both = (("利息", False), ("罚息", True))
        assert _shape(waivers=both) == _shape(waivers=tuple(reversed(both)))

    def test_label_names_the_shape_in_words(self):
        assert _shape(waivers=(("罚息", True),)).label == (
            "某银行 · 信用卡纠纷 · 等额本金 · 12期 · 减免罚息（附条件）")
        assert _shape(waivers=()).label.endswith("无减免")

    def test_tolerates_missing_terms(self):
        shape = likeness.shape_of(institution="", dispute_type="", terms={})
        assert shape.instalments == 0
        assert shape.waivers == ()


class TestGroup:
    def test_largest_group_first_each_in_the_order_given(self):
        items = [("a", 12), ("b", 24), ("c", 12), ("d", 6), ("e", 24), ("f", 12)]

        groups = likeness.group(items, lambda i: _shape(instalments=i[1]))

        assert [[i[0] for i in g.items] for g in groups] == [["a", "c", "f"], ["b", "e"],
                                                            ["d"]]
        assert [g.count for g in groups] == [3, 2, 1]
        assert [g.count for g in likeness.alike(groups)] == [3, 2]

    def test_ties_keep_the_first_items_place(self):
        groups = likeness.group([("x", 6), ("y", 12)], lambda i: _shape(instalments=i[1]))
        assert [g.items[0][0] for g in groups] == ["x", "y"]

    def test_nothing_to_group(self):
        assert likeness.group([], lambda i: _shape()) == []
