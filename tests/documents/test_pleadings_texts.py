"""The failure package's documents say what its data says: each element in its section
with its source or, blank, what the plaintiff writes there; the answer's 认可 only where
the data admits it; an entity by its representative; every text renders to Word and PDF."""

from __future__ import annotations

import io

from docx import Document as Word

from jintiao.documents import pleadings, render


def person(**kw):
    return {"row": 2, "role": "defendant", "role_label": "被告", "case_role": "debtor",
            "kind": "person", "name": "张三", "id_type": "resident_id",
            "id_number": "522601199001011234", "phone": "13800000000", "sex": "男",
            "birth_date": "1990-01-01", "ethnicity": "苗族", "occupation": "", "address": "凯里市",
            "residence": "", "representative": None, "agents": [], "service_address": None,
            **kw}


def content(**kw):
    bank = person(row=1, role="plaintiff", role_label="原告", case_role="creditor",
                  kind="entity", name="某银行凯里支行", id_type="uscc",
                  id_number="91522601MA6DL0001X", sex="", birth_date=None, ethnicity="",
                  representative={"role": "负责人", "name": "王五", "title": "行长"})
    base = {
        "package": {"version": 3, "generated_at": "2026-12-07T10:00:00+08:00",
                    "generated_by": "调解员", "committee": "凯里市金调委"},
        "dispute": {"number": "（2026）522601金调00001号", "matter": "信用卡纠纷",
                    "court": "凯里市人民法院"},
        "mediation": {"committee": "凯里市金调委"},
        "parties": [bank, person()],
        "complaint": {"title": "民事起诉状（信用卡纠纷）", "source": "法〔2024〕46号",
                      "elements": [
                          {"key": "principal", "section": "claims", "label": "透支本金",
                           "value": "截至2026年6月30日，尚欠透支本金9,000.00元",
                           "source": "纠纷登记的债权明细", "hint": ""},
                          {"key": "card_terms", "section": "facts", "label": "信用卡合约的主要约定",
                           "value": "", "source": "", "hint": "透支额度、透支利率"}]},
        "answer": {"title": "民事答辩状（信用卡纠纷）", "debtor_confirmed": True, "elements": [
            {"key": "principal", "section": "claims", "label": "对透支本金有无异议",
             "position": "open", "facts": [], "note": ""},
            {"key": "basis", "section": "claims", "label": "答辩依据", "position": "open",
             "facts": [], "note": ""},
            {"key": "card_terms", "section": "facts", "label": "对信用卡合约的主要约定有无异议",
             "position": "confirmed", "facts": [1], "note": "见无争议事实记载表第1条"}]},
        "undisputed_facts": {"facts": [{"no": 1, "text": "信用额度50,000元",
                                        "element": "card_terms"}]},
        "evidence": [{"no": 1, "name": "领用合约", "source": "调解中提交", "proves": "",
                      "pages": 2, "file": {"sha256": "a" * 64}}],
    }
    return {**base, **kw}


def cells(doc) -> list[str]:
    word = Word(io.BytesIO(render.to_docx(doc)))
    return [c.text for t in word.tables for row in t.rows for c in row.cells]


def test_the_complaint_gives_each_value_its_source_and_each_blank_its_hint():
    doc = pleadings.complaint(content())

    found = cells(doc)
    assert "截至2026年6月30日，尚欠透支本金9,000.00元" in found
    assert "来源：纠纷登记的债权明细" in found
    assert "待原告填写：透支额度、透支利率" in found
    assert "负责人" in found  # the bank by its representative
    assert "王五" in found
    assert doc.title == "民事起诉状（信用卡纠纷）"
    assert "第3版" in doc.footer


def test_the_answer_admits_only_what_the_data_admits():
    rows = [r for b in pleadings.answer(content()).blocks if hasattr(b, "rows")
            for r in b.rows]

    assert ("1", "对透支本金有无异议", "无□　有□", "") in rows
    assert ("2", "答辩依据", "—", "") in rows  # written in, not ticked
    assert ("1", "对信用卡合约的主要约定有无异议", "无异议（认可）",
            "见无争议事实记载表第1条") in rows


def test_the_evidence_index_leaves_what_it_proves_to_the_plaintiff_and_renders():
    doc = pleadings.evidence_index(content())

    found = cells(doc)
    assert "领用合约" in found
    assert "a" * 16 + "…" in found
    assert render.to_pdf(doc).startswith(b"%PDF")
