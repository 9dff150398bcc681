"""The failure package's documents (调解不成移送材料): the element-style complaint and answer
and the evidence index, each built from the package's JSON content
(:func:`jintiao.mediation.services.failure_package.content_of`) so that the Word file, the
PDF and the data the court's system reads cannot say different things.

The complaint and answer lay their elements out as the SPC's element-style model texts do
(法〔2024〕46号, revised by 法〔2025〕82号): the parties' particulars, then 诉讼请求和依据,
约定管辖和诉讼保全 and 事实与理由 element by element, a blank where the case holds nothing —
with what goes there beside it — and the source of every value given. The answer puts, for
each of the same elements, 有无异议 and the reasons; the points the debtor confirmed in the
record of undisputed facts read 无异议（认可）.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jintiao.documents.blocks import Block, Doc, Heading, Para, Signatures, Table
from jintiao.documents.texts import day
from jintiao.domain.particulars import IdType
from jintiao.domain.pleadings import FREE_IN_ANSWER

VERSIONS = {"element_complaint": "2026.2", "element_answer": "2026.2",
            "evidence_index": "2026.1"}

_SECTIONS = (("claims", "诉讼请求和依据"), ("forum", "约定管辖和诉讼保全"),
             ("facts", "事实与理由"))
BLANK = ""


def _particulars(p: Mapping[str, Any], role_label: str) -> Table:
    """A party's particulars as the model text's table asks them: a person by name, sex,
    birth date, ethnicity, work, domicile, habitual residence, document and number, phone;
    an entity by name, domicile, legal representative and title, credit code, phone."""
    id_type = p.get("id_type") or ("resident_id" if p["kind"] == "person" else "uscc")
    # the document's name (居民身份证, found in review: not 公民身份号码, the number's)
    document = IdType(id_type).label if id_type in IdType.__members__.values() else ""
    if p["kind"] == "person":
        rows = [("姓名", p["name"]), ("性别", p.get("sex") or ""),
                ("出生日期", day(p.get("birth_date"))), ("民族", p.get("ethnicity") or ""),
                ("工作单位、职务", p.get("occupation") or ""),
                ("住所地（户籍所在地）", p.get("address") or ""),
                ("经常居住地", p.get("residence") or ""),
                ("证件类型", document), ("证件号码", p.get("id_number") or ""),
                ("联系电话", p.get("phone") or "")]
    else:
        rep = p.get("representative") or {}
        rows = [("名称", p["name"]), ("住所地（主要办事机构所在地）", p.get("address") or ""),
                (rep.get("role") or "法定代表人", rep.get("name") or ""),
                ("职务", rep.get("title") or ""), ("统一社会信用代码", p.get("id_number") or ""),
                ("联系电话", p.get("phone") or "")]
    served = p.get("service_address")
    if served:
        rows.append(("送达地址（已签署送达地址确认书）",
                     served["postal_address"] + (f"，收件人{served['recipient']}"
                                                 if served.get("recipient") else "")))
        rows.append(("是否接受电子送达", "是" if served.get("e_service") else "否"))
    else:
        rows.append(("送达地址", ""))
    agents = "；".join(f"{a['name']}（{a['relation']}，{a['authority']}）"
                      for a in p.get("agents") or [])
    rows.append(("委托诉讼代理人", f"有：{agents}" if agents else "无"))
    return Table((role_label, "内容"), tuple(rows))


def _element_rows(elements: Sequence[Mapping[str, Any]], section: str
                  ) -> tuple[tuple[str, ...], ...]:
    rows = []
    n = 0
    for e in elements:
        if e["section"] != section:
            continue
        n += 1
        note = (f"来源：{e['source']}" if e["value"]
                else f"待原告填写{('：' + e['hint']) if e.get('hint') else ''}")
        rows.append((str(n), e["label"], e["value"] or BLANK, note))
    return tuple(rows)


def _footer(c: Mapping[str, Any]) -> str:
    package = c["package"]
    return (f"调解不成移送材料第{package['version']}版 · {package['committee']}依据调解记录预填 · "
            f"纠纷编号{c['dispute']['number']}")


def _explain(c: Mapping[str, Any], who: str) -> Para:
    return Para(f"说明：本文书按最高人民法院、司法部、中华全国律师协会发布的要素式示范文本制作"
                f"（{c['complaint']['source']}），由{c['package']['committee']}依据调解记录预先"
                f"填写。已填写的要素均注明来源；空白要素为案件记录中没有的内容，由{who}核对、"
                "填写后签名或者盖章提交人民法院。")


def complaint(c: Mapping[str, Any]) -> Doc:
    """民事起诉状（金融借款合同纠纷 / 信用卡纠纷）, element by element."""
    plaintiffs = [p for p in c["parties"] if p["role"] == "plaintiff"]
    defendants = [p for p in c["parties"] if p["role"] == "defendant"]
    blocks: list[Block] = [_explain(c, "原告"), Heading("当事人信息")]
    blocks += [_particulars(p, "原告") for p in plaintiffs]
    blocks += [_particulars(p, "被告" if p["case_role"] == "debtor" else "被告（担保人）")
               for p in defendants]
    elements = c["complaint"]["elements"]
    for key, title in _SECTIONS:
        rows = _element_rows(elements, key)
        if rows:
            blocks += [Heading(title), Table(("序号", "要素", "内容", "说明"), rows)]
    court = c["dispute"].get("court") or ""
    blocks += [Para("此致", indent=False), Para(court or "人民法院", indent=False),
               Signatures(tuple((f"具状人：{p['name']}", "（签字、盖章）", "年  月  日")
                                for p in plaintiffs))]
    return Doc("element_complaint", c["complaint"]["title"], VERSIONS["element_complaint"],
               tuple(blocks), footer=_footer(c))


def answer(c: Mapping[str, Any]) -> Doc:
    """民事答辩状（金融借款合同纠纷 / 信用卡纠纷）: for each element of the complaint 有无异议
    and why; 无异议（认可） where the debtor confirmed it in writing."""
    respondents = [p for p in c["parties"] if p["case_role"] == "debtor"]
    blocks: list[Block] = [_explain(c, "答辩人"),
                           Para("案号：", indent=False), Heading("答辩人信息")]
    blocks += [_particulars(p, "答辩人") for p in respondents]
    a = c["answer"]
    if not a["debtor_confirmed"]:
        blocks.append(Para("答辩人尚未书面确认无争议事实，以下各项均由答辩人填写。"))
    titles = {"claims": "答辩事项和依据（对原告诉讼请求的确认或者异议）",
              "facts": "事实和理由（对起诉状事实与理由的确认或者异议）"}
    for key, title in titles.items():  # the model answer has no 约定管辖和诉讼保全 part
        rows: list[tuple[str, ...]] = []
        for e in a["elements"]:
            if e["section"] != key:
                continue
            confirmed = e["position"] == "confirmed"
            free = e["key"] in FREE_IN_ANSWER  # written in, not ticked
            rows.append((str(len(rows) + 1), e["label"],
                         "无异议（认可）" if confirmed else ("—" if free else "无□　有□"),
                         e["note"] if confirmed else ""))
        if rows:
            blocks += [Heading(title), Table(("序号", "要素", "有无异议", "事实和理由"),
                                             tuple(rows))]
    facts = c["undisputed_facts"]["facts"]
    if facts:
        blocks.append(Heading("经书面确认的无争议事实"))
        blocks += [Para(f"{f['no']}. {f['text']}") for f in facts]
    court = c["dispute"].get("court") or ""
    blocks += [Para("此致", indent=False), Para(court or "人民法院", indent=False),
               Signatures(tuple((f"答辩人：{p['name']}", "（签字、盖章）", "年  月  日")
                                for p in respondents))]
    return Doc("element_answer", a["title"], VERSIONS["element_answer"], tuple(blocks),
               footer=_footer(c))


def evidence_index(c: Mapping[str, Any]) -> Doc:
    """证据目录: number, name, source, what it proves, pages, and each file's SHA-256, as
    the court's filing takes a party's evidence list."""
    def names(role: str) -> str:
        return "、".join(p["name"] for p in c["parties"] if p["role"] == role)

    blocks: list[Block] = [
        Para(f"案由：{c['dispute']['matter']}", indent=False),
        Para(f"原告：{names('plaintiff')}　被告：{names('defendant')}", indent=False),
        Para(f"调解组织：{c['mediation']['committee']}　纠纷编号：{c['dispute']['number']}",
             indent=False)]
    items = c["evidence"]
    if items:
        blocks.append(Table(
            ("序号", "证据名称", "证据来源", "证明事项", "页数", "文件摘要（SHA-256）"),
            tuple((str(i["no"]), i["name"], i["source"], i["proves"] or BLANK,
                   str(i["pages"]) if i["pages"] else "", i["file"]["sha256"][:16] + "…")
                  for i in items)))
        blocks.append(Para("每份证据的文件随本目录移送；文件的完整摘要见移送材料数据文件，法院可据以"
                           "核对文件未被改动。证明事项空白的，由原告填写。"))
    else:
        blocks.append(Para("调解中未收存可移送的证据材料。"))
    blocks.append(Signatures(((f"制作单位：{c['package']['committee']}", "（印章）",
                               day(c["package"]["generated_at"][:10])),)))
    return Doc("evidence_index", "证据目录", VERSIONS["evidence_index"], tuple(blocks),
               footer=_footer(c))
