"""The documents' words: one builder per kind, from plain data, each with its template
version. A change of wording bumps the version, so a stored document says which wording
it carries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from jintiao.clock import TZ
from jintiao.documents.blocks import Block, Doc, Heading, Para, Signatures, Table
from jintiao.domain.dates import in_chinese, written
from jintiao.domain.money import amount_in_words, format_amount

VERSIONS = {
    "options_notice": "2026.1", "acceptance_notice": "2026.4",
    "non_acceptance_notice": "2026.4", "session_record": "2026.3", "agreement": "2026.4",
    "confirmation_application": "2026.3", "ruling": "2026.4", "undisputed_facts": "2026.2",
    "enforcement_application": "2026.4", "credit_repair_letter": "2026.3",
    "rights_notice": "2026.1",
}


def day(value: str | None) -> str:
    """A stored ISO date as the documents write it, 2026年11月12日 (GB/T 9704-2012 §7.3.5.5;
    the court-document drafting rules for a court's body text); "" for none."""
    return written(value) if value else ""


def yuan(value: str | Decimal) -> str:
    return f"{format_amount(Decimal(value))}元"


def words(value: str | Decimal) -> str:
    return amount_in_words(Decimal(value), prefix=True)


def _amount_rows(rows: Sequence[Sequence[str]], total: str) -> tuple[tuple[str, ...], ...]:
    return (*((label, format_amount(Decimal(v))) for label, v in rows),
            ("合计", format_amount(Decimal(total))))


# What a number is called on a document, by the party's document type.
_NUMBER_LABELS = {"resident_id": "公民身份号码", "hmt_permit": "港澳台居民居住证号码",
                  "foreign_pr": "外国人永久居留身份证号码", "uscc": "统一社会信用代码"}


def _party_line(p: Mapping[str, Any]) -> str:
    """One party as 《人民法院民事裁判文书制作规范》§3 writes it: a person by name, sex, birth
    date, ethnicity, occupation and domicile (现住 where the habitual residence differs); an
    entity by name and domicile; then the number — in full where the filing carries it
    (``id_number``), masked otherwise."""
    person = p["kind"] == "person"
    parts = [f"{p['role_label']}：{p['name']}"]
    if person:
        # the birth date in full only beside the number in full: beside a masked number
        # it would give back the digits the mask hides (GB 11643 digits 7–14)
        born = p.get("birth_date") or ""
        parts += [p.get("sex") or "",
                  (f"{day(born)}出生" if p.get("id_number") else f"{born[:4]}年生")
                  if born else "",
                  p.get("ethnicity") or "", p.get("occupation") or ""]
    if p.get("address"):
        parts.append(f"住{p['address']}" if person else f"住所地{p['address']}")
    if person and p.get("residence"):
        parts.append(f"现住{p['residence']}")
    line = "，".join(x for x in parts if x) + "。"
    number = p.get("id_number") or p.get("id_masked")
    if number:
        label = _NUMBER_LABELS.get(p.get("id_type") or "",
                                   "公民身份号码" if person else "统一社会信用代码")
        line += f"{label}：{number}。"
    return line


def _parties(parties: Sequence[Mapping[str, Any]]) -> list[Block]:
    out: list[Block] = []
    for p in parties:
        out.append(Para(_party_line(p), indent=False))
        if p.get("rep_name"):
            out.append(Para(f"{p.get('rep_role') or '法定代表人'}：{p['rep_name']}"
                            + (f"，{p['rep_title']}" if p.get("rep_title") else "") + "。",
                            indent=False))
        for r in p.get("representatives", []):
            out.append(Para(f"委托代理人：{r['name']}，{r['relation']}，{r['authority']}。",
                            indent=False))
    return out


def _terms(c: Mapping[str, Any]) -> tuple[list[Block], int]:
    """The agreement's terms as it states them — the debt acknowledged, each waiver, the
    plan with its dated schedule, how to pay, the order payments are applied in and the
    acceleration clause — and the last number used: the agreement and the ruling that
    confirms it write the same words."""
    t = c["terms"]
    claim = c["claim"]
    blocks: list[Block] = []
    n = 1
    blocks.append(Para(f"{n}. 各方确认，截至{day(claim['as_of'])}，债务人尚欠债权人款项合计"
                       f"{yuan(claim['total'])}（大写：{words(claim['total'])}）。"))
    for w in t["waivers"]:
        n += 1
        cond = "（附条件减免，见下文违约条款）" if w["conditional"] else ""
        blocks.append(Para(f"{n}. 债权人同意减免{w['label']}{yuan(w['amount'])}{cond}。"))
    for p in t.get("pauses", []):
        n += 1
        blocks.append(Para(f"{n}. 债权人同意，纾困暂停期间（{day(p['starts_on'])}至"
                           f"{day(p['ends_on'])}）不计收利息、罚息、复利和违约金。"))
    n += 1
    rate = Decimal(t["annual_rate"])
    rate_text = f"按年利率{rate * 100:.2f}%计收利息" if rate else "不再计收利息"
    blocks.append(Para(
        f"{n}. 债务人向债权人偿还{yuan(t['total'])}（大写：{t['total_in_words']}），"
        f"{rate_text}，{t['method_label']}，共{len(t['schedule'])}期，"
        f"自{day(t['schedule'][0]['due_on'])}起至{day(t['schedule'][-1]['due_on'])}止，"
        f"每期还款日及金额如下："))
    blocks.append(Table(
        ("期次", "还款日", "本金", "利息", "欠息及费用", "应还金额"),
        tuple((r["label"], day(r["due_on"]), format_amount(Decimal(r["principal"])),
               format_amount(Decimal(r["interest"])), format_amount(Decimal(r["arrears"])),
               format_amount(Decimal(r["payment"]))) for r in t["schedule"]),
        numeric=(2, 3, 4, 5)))
    n += 1
    blocks.append(Para(f"{n}. 履行方式：{t['performance_manner']}"))
    n += 1
    blocks.append(Para(f"{n}. 债务人每期所还款项，依次冲抵欠息及费用、利息、本金。"))
    n += 1
    accel = (f"{n}. 债务人如连续{t['acceleration_missed']}期未按期足额还款，"
             "剩余全部未付款项立即到期，债权人可就全部未付款项申请强制执行。")
    if t.get("revival_clause"):
        accel += t["revival_clause"]
    blocks.append(Para(accel))
    if c.get("joint"):
        more, n = _joint_terms(c["joint"], n)
        blocks += more
    return blocks, n


def _joint_terms(j: Mapping[str, Any], n: int) -> tuple[list[Block], int]:
    """A joint mediation's member agreement (issue 21 §2): the other disputes mediated with
    it, and that a default here accelerates only this creditor's claim; in the "one
    agreement" form, every other creditor's schedule as that creditor accepted it."""
    others = j["others"]
    n += 1
    listed = "、".join(f"{o['creditor']}（{o['number']}）" for o in others)
    blocks: list[Block] = [Para(
        f"{n}. 本协议系{j['committee']}对债务人与各债权人之间纠纷联合调解的组成部分，"
        f"一并调解的还有债务人与{listed}之间的纠纷，债务人的还款能力统一测算、分配。"
        "各债权人的还款计划各自独立履行：债务人对其他债权人的履行情况不影响本协议，"
        "本协议项下的违约及加速到期仅及于本协议约定的款项。")]
    if j.get("form") == "one":
        for o in others:
            if not o.get("schedule"):
                continue
            n += 1
            rows = o["schedule"]
            blocks.append(Para(
                f"{n}. 联合调解中，债务人向{o['creditor']}偿还{yuan(o['total'])}，"
                f"{o['method_label']}，共{len(rows)}期，自{day(rows[0]['due_on'])}起至"
                f"{day(rows[-1]['due_on'])}止，每期还款日及金额如下（列明债务人的全部还款安排；"
                "各债权人仅就本方的还款计划享有权利）："))
            blocks.append(Table(
                ("期次", "还款日", "本金", "利息", "欠息及费用", "应还金额"),
                tuple((r["label"], day(r["due_on"]), format_amount(Decimal(r["principal"])),
                       format_amount(Decimal(r["interest"])),
                       format_amount(Decimal(r["arrears"])),
                       format_amount(Decimal(r["payment"]))) for r in rows),
                numeric=(2, 3, 4, 5)))
    return blocks, n


def agreement(c: Mapping[str, Any], *, signatures: Sequence[tuple[str, str, str]] = ()) -> Doc:
    """调解协议书 with every content People's Mediation Law Art. 29 asks for."""
    claim = c["claim"]
    blocks: list[Block] = [Heading("一、当事人基本情况"), *_parties(c["parties"])]
    blocks += [Heading("二、纠纷主要事实、争议事项及各方责任"), Para(c["facts"])]
    if c.get("responsibility"):
        blocks.append(Para(c["responsibility"]))
    blocks.append(Table(("项目", "金额（元）"),
                        _amount_rows(claim["parts"], claim["total"]), numeric=(1,)))
    blocks.append(Heading("三、调解协议内容"))
    terms, n = _terms(c)
    blocks += terms
    n += 1
    blocks.append(Para(f"{n}. 各方承诺自本协议生效之日起三十日内共同向有管辖权的人民法院"
                       f"{('（' + c['court'] + '）') if c.get('court') else ''}申请司法确认，"
                       "并如实提供相关材料。"))
    if c.get("other_terms"):
        n += 1
        blocks.append(Para(f"{n}. {c['other_terms']}"))
    n += 1
    blocks.append(Para(f"{n}. 本协议经各方当事人签名或盖章、调解员签名并加盖{c['committee']}"
                       "印章后生效（《中华人民共和国人民调解法》第二十九条）。本协议以电子方式签署，"
                       "各方当事人各执一份，调解委员会留存一份。"))
    lines = list(signatures) or [(f"{p['role_label']}：{p['name']}", "（签名）", "年  月  日")
                                 for p in c["parties"]] + [
        (f"调解员：{'、'.join(c['mediators'])}", "（签名）", "年  月  日"),
        (c["committee"], "（印章）", "年  月  日")]
    blocks += [Heading("签署"), Signatures(tuple(lines))]
    # the title the Ministry of Justice's 人民调解文书格式 (2010) gives it
    return Doc("agreement", "人民调解协议书", VERSIONS["agreement"], tuple(blocks),
               number=c["number"],
               footer=f"第{c['version']}版 协议内容摘要（SHA-256）：{c['digest']}")


def _service_line(a: Mapping[str, Any]) -> str:
    """An applicant's address for service as its 送达地址确认书 gives it."""
    parts = [f"送达地址：{a['postal_address']}"]
    if a.get("recipient"):
        parts.append(f"代收人：{a['recipient']}")
    if a.get("phone"):
        parts.append(f"手机：{a['phone']}")
    if a.get("email"):
        parts.append(f"电子邮箱：{a['email']}")
    parts.append("同意电子送达" if a.get("e_service") else "不同意电子送达")
    return "；".join(parts) + "。"


def _signed_how(s: Mapping[str, Any] | None) -> tuple[str, str]:
    if not s:
        return "（签名）", "年  月  日"
    when = ""
    if s.get("at"):
        local = dt.datetime.fromisoformat(s["at"]).astimezone(TZ)
        when = f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    if s.get("how") == "desk":
        return "当面签署（纸面签名存卷）", when
    return f"手机验证码电子签名（签署内容摘要{str(s.get('digest', ''))[:16]}）", when


def _sentence(text: str) -> str:
    """``text`` ending as a sentence does, so that several read one after another."""
    text = text.strip()
    return text if not text or text[-1] in "。！？；.!?;" else text + "。"


def confirmation_application(c: Mapping[str, Any]) -> Doc:
    """申请书（申请司法确认调解协议用）, SPC 《民事诉讼文书样式》(2016): the applicants' full
    particulars each with the address for service they confirmed (法释〔2011〕5号 Art. 3), the
    request, the facts and reasons with the format's fixed undertaking against collusion and
    evasion of law, the attachments, 此致 the court, and every applicant's signature
    (CPL Art. 205: filed jointly). With ``agreements``, the one application of a joint
    mediation: each applicant once, every agreement listed in the request and attached."""
    addresses = {int(k): v for k, v in (c.get("addresses") or {}).items()}
    signatures = {int(k): v for k, v in (c.get("signatures") or {}).items()}
    applicants: list[Block] = []
    for p in c["parties"]:
        applicants += _parties([p])
        if p["row"] in addresses:
            applicants.append(Para(_service_line(addresses[p["row"]]), indent=False))
    undertaking = c.get("undertaking") or (
        "申请人出于解决纠纷的目的自愿达成协议，没有恶意串通、规避法律的行为；如果因为该协议内容"
        "而给他人造成损害的，愿意承担相应的民事责任和其他法律责任。")
    joined = c.get("agreements") or []
    if joined:  # a joint mediation's one application (INTERP 352 allows several agreements)
        request: list[Block] = [Para(f"请求确认申请人经{c['committee']}联合调解分别达成的"
                                     "下列调解协议有效：")]
        request += [Para(f"{i}. {a['creditor']}与{a['debtor']}于{day(a['effective_on'])}达成的"
                         f"{a['number']}调解协议{'。' if i == len(joined) else '；'}",
                         indent=False)
                    for i, a in enumerate(joined, 1)]
        facts = "".join(f"{a['number']}：{_sentence(a['facts'])}" for a in joined)
        reasons = (f"{facts}经{c['committee']}联合调解，在债务人同一还款能力范围内统筹各债权人的"
                   "还款安排，申请人自愿分别达成上述调解协议；各协议独立履行，一份协议的违约不影响"
                   "其他协议。上述协议不违反法律强制性规定，不损害国家利益、社会公共利益和他人合法权益。")
        attached = "；".join(f"调解协议书{a['number']}（协议内容摘要SHA-256：{a['digest']}）"
                            for a in joined)
        annex = (f"附：1. {attached}；2. 调解组织主持调解的证明；3. 各申请人身份证明、资格证明；"
                 "4. 各申请人送达地址确认书。")
    else:
        request = [Para(f"请求确认申请人于{day(c['effective_on'])}经{c['committee']}主持调解达成的"
                        f"调解协议（{c['agreement_number']}）有效。")]
        reasons = (f"{c['facts']}经{c['committee']}调解，申请人自愿达成调解协议。"
                   "该协议不违反法律强制性规定，不损害国家利益、社会公共利益和他人合法权益。")
        annex = (f"附：1. 调解协议书（协议内容摘要SHA-256：{c['digest']}）；2. 调解组织主持调解的"
                 "证明；3. 各申请人身份证明、资格证明；4. 各申请人送达地址确认书。")
    blocks: list[Block] = [Heading("申请人"), *applicants,
        Heading("请求事项"), *request,
        Heading("事实和理由"),
        Para(reasons),
        Para(undertaking),
        Para(annex, indent=False),
        Para(f"此致\n{c['court']}", indent=False),
        Signatures(tuple((f"申请人：{p['name']}", *_signed_how(signatures.get(p["row"])))
                         for p in c["parties"]))]
    return Doc("confirmation_application", "司法确认申请书",
               VERSIONS["confirmation_application"], tuple(blocks))


def _and(names: Sequence[str]) -> str:
    """甲与乙; 甲、乙与丙: a list of parties as a sentence names them."""
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + "与" + names[-1]


def ruling(c: Mapping[str, Any]) -> Doc:
    """民事裁定书 confirming the agreement valid, or rejecting the application (CPL 206).

    Follows the SPC's 《民事诉讼文书样式》(2016) for a confirmation case and the drafting
    rules (《人民法院民事裁判文书制作规范》, 法〔2016〕221号): the court's name and the
    document's name on two lines, the case number, the applicants, when they applied and
    when the court accepted, the agreement's content as agreed, the court's reasoning, the
    legal basis, the ruling, the judge, the closing date in Chinese numerals, the court's
    seal, "本件与原本核对无异" and the clerk."""
    confirmed = c["confirmed"]
    names = _and([f"申请人{p['name']}" for p in c["parties"]])
    # each applicant's full particulars, as the drafting rules' §3 writes them (the role in
    # this case is 申请人, whichever side of the debt they were on)
    blocks: list[Block] = _parties([{**p, "role_label": "申请人"} for p in c["parties"]])
    blocks.append(Para(f"{names}于{day(c['applied_on'])}向本院申请司法确认调解协议，本院于"
                       f"{day(c['accepted_on'])}立案后依法进行了审查，现已审查终结。"))
    if c.get("terms"):  # the agreement's content, as the parties agreed it
        blocks.append(Para(f"{names}于{day(c['effective_on'])}经{c['committee']}主持调解，"
                           f"达成{c['agreement_number']}调解协议，内容如下："))
        blocks += _terms(c)[0]
    blocks.append(Para(f"本院经审查认为：{c['reasons']}"))
    if confirmed:
        blocks.append(Para("依照《中华人民共和国民事诉讼法》第二百零五条、第二百零六条规定，"
                           "裁定如下："))
        blocks.append(Para(f"{names}于{day(c['effective_on'])}经{c['committee']}主持调解达成的"
                           f"{c['agreement_number']}调解协议有效。", bold=True))
        blocks.append(Para("当事人应当按照调解协议的约定自觉履行义务。一方当事人拒绝履行或者"
                           "未全部履行的，对方当事人可以向人民法院申请执行。"))
    else:
        blocks.append(Para("依照《中华人民共和国民事诉讼法》第二百零六条、《最高人民法院关于适用"
                           "〈中华人民共和国民事诉讼法〉的解释》第三百五十八条规定，裁定如下："))
        blocks.append(Para("驳回申请人的司法确认申请。", bold=True))
        blocks.append(Para("当事人可以通过调解方式变更原调解协议或者达成新的调解协议，"
                           "也可以向人民法院提起诉讼。"))
    blocks.append(Para("本裁定自即日起发生法律效力。"))
    # the closing date in Chinese numerals, the seal over it, the certified-copy line and
    # the clerk below (the drafting rules); an empty clerk leaves the line to sign
    blocks.append(Signatures((("", "", f"审判员　{c['judge']}"),
                              ("", "", in_chinese(c["decided_on"])),
                              ("", "", "（院印）"),
                              ("本件与原本核对无异", "", ""),
                              ("", "", f"书记员　{c.get('clerk', '')}"))))
    return Doc("ruling", "民事裁定书", VERSIONS["ruling"], tuple(blocks),
               number=c["case_number"], issuer=c["court"])


def undisputed_facts(c: Mapping[str, Any]) -> Doc:
    """无争议事实记载表 after a failed mediation (ONLINE Arts. 21–22)."""
    blocks: list[Block] = [Heading("当事人"), *_parties(c["parties"]), Heading("调解情况"),
        Para(f"{c['committee']}于{day(c['started_on'])}开始调解，{day(c['ended_on'])}"
             f"{c.get('how_ended', '调解不成')}，调解终结。原因：{c['reason']}")]
    blocks.append(Heading("双方均无异议的事实"))
    blocks += [Para(f"{i}. {f}") for i, f in enumerate(c["facts"], 1)]
    if c.get("disputed"):
        blocks += [Heading("仍有争议的事项"), Para(c["disputed"])]
    blocks.append(Para("上述无争议事实经双方当事人书面确认，在后续诉讼中当事人无需对其举证"
                       "（但涉及国家利益、社会公共利益和他人合法权益的除外）。为达成调解协议作出"
                       "的让步，不得在后续诉讼中作为对其不利的根据。"))
    lines = [(f"{p['role_label']}：{p['name']}", p.get("confirmed", ""),
              day(p.get("confirmed_on"))) for p in c["parties"]]
    lines.append((f"调解员：{c['mediator']}", "", day(c["ended_on"])))
    blocks.append(Signatures(tuple(lines)))
    return Doc("undisputed_facts", "无争议事实记载表", VERSIONS["undisputed_facts"],
               tuple(blocks), number=c["number"])


def _late_workings(c: Mapping[str, Any]) -> list[Block]:
    """The doubled interest's computation list (计算清单), stretch by stretch: the principal
    unpaid, from the day after which it runs to the day it ends, the days, and what each
    stretch adds before the one rounding to the fen (法释〔2014〕8号第一条). Nothing when the
    context carries no stretches (an application prepared before the list was kept)."""
    rows = c.get("late_rows") or []
    if not rows or not c.get("late_rate"):
        return []
    rate = f"{Decimal(c['late_rate']) * 10000:.2f}"
    total = sum((Decimal(r["interest"]) for r in rows), Decimal(0))
    return [
        Para(f"迟延履行期间的加倍部分债务利息计算清单（未还本金 × 日万分之{rate} × 天数，天数自"
             "起算日次日起计至截止日；各段相加后四舍五入到分；利息、罚息等不计入基数）："),
        Table(("期次", "起算日", "截止日", "天数", "本金（元）", "利息（元）"),
              (*((str(r["number"]), day(r["from"]), day(r["to"]), str(r["days"]),
                  format_amount(Decimal(r["base"])), f"{Decimal(r['interest']):,.4f}")
                 for r in rows),
               ("合计", "", "", "", "", f"{total:,.4f}")),
              numeric=(3, 4, 5))]


def enforcement_application(c: Mapping[str, Any]) -> Doc:
    """申请执行书 with the exact amount outstanding (CPL Arts. 250, 264), in the form of the
    SPC's 《民事诉讼文书样式》(2016), 当事人参考文书 申请执行书: 申请执行人 and 被执行人 with
    their particulars, the ground for enforcement (执行依据) by its case number, 执行请求,
    事实和理由, 此致 the court, the documents attached (附：执行依据副本…), and the
    applicant's signature or seal with the date.

    ``ruling_on``, ``effective_on`` and ``matter`` (the dispute's type) are optional: the
    introduction names what it is given."""
    creditors = [{**p, "role_label": "申请执行人"} for p in c["creditors"]]
    debtors = [{**p, "role_label": "被执行人"} for p in c["debtors"]]
    them = "、".join(p["name"] for p in creditors)
    against = "、".join(p["name"] for p in debtors)
    ruling = c.get("ruling_number", "")
    agreed = (f"经{c['committee']}主持调解，于{day(c['effective_on'])}达成调解协议"
              if c.get("effective_on") else f"经{c['committee']}主持调解达成调解协议")
    if ruling:
        basis = f"{c['court']}{ruling}民事裁定书"
        ruled_on = f"于{day(c['ruling_on'])}" if c.get("ruling_on") else ""
        intro = (f"申请执行人{them}与被执行人{against}{c.get('matter', '金融借款合同纠纷')}一案，"
                 f"{agreed}，{c['court']}{ruled_on}作出{ruling}民事裁定书，确认该调解协议有效，"
                 "该裁定已经发生法律效力。被执行人未按照调解协议的约定履行给付义务，"
                 "特依法申请强制执行。")
        grounds = f"执行依据：{basis}（确认{c['committee']}主持达成的调解协议有效）。"
    else:
        basis = ""
        intro = (f"申请执行人{them}与被执行人{against}{c.get('matter', '金融借款合同纠纷')}一案，"
                 f"{agreed}。该调解协议尚未经人民法院司法确认。")
        grounds = (f"执行依据：{c['committee']}主持达成的调解协议（尚未经司法确认；"
                   "须经人民法院确认有效或者取得其他生效法律文书后，方可申请强制执行）。")
    requests: list[Block] = [
        Para("执行请求：", indent=False),
        Para(f"1. 被执行人{against}向申请执行人{them}支付{yuan(c['total'])}"
             f"（大写：{words(c['total'])}），计算至{day(c['as_of'])}，明细如下："),
        Table(("项目", "金额（元）"), _amount_rows(c["rows"], c["total"]), numeric=(1,)),
        *_late_workings(c)]
    n = 1
    if c.get("late_rate"):
        n += 1
        requests.append(Para(
            f"{n}. 被执行人加倍支付迟延履行期间的债务利息，加倍部分按日万分之"
            f"{Decimal(c['late_rate']) * 10000:.2f}计算至实际履行之日止"
            "（民事诉讼法第二百六十四条）。"))
    n += 1
    requests.append(Para(f"{n}. 本案执行费用由被执行人负担。"))
    attached = [f"执行依据{basis}副本一份（附生效证明）" if basis else "调解协议书副本一份",
                *(["调解协议书副本一份"] if basis else []),
                "申请执行人的身份证明（营业执照副本、法定代表人身份证明书或者居民身份证复印件）",
                "被执行人的财产线索（如有）"]
    blocks: list[Block] = [
        *_parties(creditors), *_parties(debtors),
        Para(intro),
        Para(grounds, indent=False),
        *requests,
        Para("事实和理由：", indent=False),
        Para(f"被执行人自{day(c['first_missed'])}起连续{c['missed']}期未按协议足额还款，已于"
             f"{day(c['accelerated_on'])}触发协议约定的加速到期条款，剩余款项全部到期。"
             f"被执行人已还款{yuan(c['paid'])}，尚欠上述款项未付。"),
        Para(f"申请执行期限：最后一期履行期限届满之日（{day(c['last_due'])}）起二年，至"
             f"{day(c['last_day'])}止（民事诉讼法第二百五十条）。"),
        Para("此致"), Para(c["court"], indent=False),
        Para("附：" + "；".join(f"{i}. {a}" for i, a in enumerate(attached, 1)) + "。",
             indent=False),
        Signatures(tuple((f"申请执行人：{p['name']}", "（签名或者盖章）", day(c["prepared_on"]))
                         for p in creditors))]
    return Doc("enforcement_application", "申请执行书", VERSIONS["enforcement_application"],
               tuple(blocks))


def credit_repair_letter(c: Mapping[str, Any]) -> Doc:
    """征信修复函: the institution is asked to correct the debtor's credit record. ``paid``
    is what the debtor paid in all; ``surplus``, the part beyond the agreement, is money
    the institution refunds."""
    surplus = Decimal(c.get("surplus") or "0")
    refund = (f"其中超出协议约定金额{yuan(surplus)}，应退还{c['debtor']}。" if surplus > 0
              else "")
    blocks: list[Block] = [
        Para(f"{c['institution']}：", indent=False),
        Para(f"{c['debtor']}与贵单位金融借款纠纷一案，经{c['committee']}调解达成调解协议"
             f"（{c['agreement_number']}）{c.get('ruling_text', '')}。"
             f"截至{day(c['completed_on'])}，"
             f"{c['debtor']}已按协议履行完毕，共还款{yuan(c['paid'])}"
             f"（大写：{words(c['paid'])}）。{refund}"),
        Para("根据《征信业管理条例》及相关规定，请贵单位核实后，按照协议约定及履行情况向金融信用"
             "信息基础数据库报送更新信息，对因本纠纷产生的逾期记录依法予以更正或标注已结清，"
             "并将处理结果函告本委员会。"),
        Para("特此函告。", indent=False),
        Signatures(((c["committee"], "（印章）", day(c["completed_on"])),))]
    return Doc("credit_repair_letter", "征信修复函", VERSIONS["credit_repair_letter"],
               tuple(blocks), number=c["number"])


def rights_notice(c: Mapping[str, Any]) -> Doc:
    """人民调解当事人权利义务告知书 (MOJ 人民调解文书格式, 2010): what the committee is, its
    principles and the effect of an agreement, the parties' rights and duties — the words
    of the People's Mediation Law Arts. 3, 4, 23, 24, 31 and 33 — and each party's line to
    acknowledge it."""
    blocks: list[Block] = [
        Para(f"{c['to']}：", indent=False),
        Para("根据《中华人民共和国人民调解法》的规定，现将人民调解委员会的性质、调解原则和"
             "调解协议的效力，以及当事人在调解活动中享有的权利和承担的义务告知如下："),
        Para(f"一、{c['committee']}是依法设立的调解民间纠纷的群众性组织。人民调解委员会调解"
             "民间纠纷，不收取任何费用（第四条）。"),
        Para("二、人民调解委员会调解民间纠纷，遵循下列原则：（一）在当事人自愿、平等的基础上"
             "进行调解；（二）不违背法律、法规和国家政策；（三）尊重当事人的权利，不得因调解而"
             "阻止当事人依法通过仲裁、行政、司法等途径维护自己的权利（第三条）。"),
        Para("三、经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行"
             "（第三十一条）。双方当事人认为有必要的，可以自调解协议生效之日起三十日内共同向"
             "人民法院申请司法确认；人民法院依法确认调解协议有效，一方当事人拒绝履行或者未全部"
             "履行的，对方当事人可以向人民法院申请强制执行（第三十三条）。"),
        Para("四、当事人在人民调解活动中享有下列权利：（一）选择或者接受人民调解员；（二）接受"
             "调解、拒绝调解或者要求终止调解；（三）要求调解公开进行或者不公开进行；（四）自主"
             "表达意愿、自愿达成调解协议（第二十三条）。"),
        Para("五、当事人在人民调解活动中履行下列义务：（一）如实陈述纠纷事实；（二）遵守调解现场"
             "秩序，尊重人民调解员；（三）尊重对方当事人行使权利（第二十四条）。"),
        Para("以上内容本人已阅知。", indent=False),
        Signatures((*((f"当事人：{name}", "（签名）", "年  月  日") for name in c["names"]),
                    (c["committee"], "（印章）", day(c["on"]))))]
    return Doc("rights_notice", "人民调解当事人权利义务告知书", VERSIONS["rights_notice"],
               tuple(blocks), number=c.get("number", ""))


def notice(kind: str, c: Mapping[str, Any]) -> Doc:
    """告知书 and the acceptance and non-acceptance notices."""
    if kind == "rights_notice":
        return rights_notice(c)
    if kind == "options_notice":
        title = "非诉讼纠纷解决方式告知书"
        body = [f"{c['to']}：",
                "您与对方的金融纠纷，除诉讼外，还可以通过人民调解、行业调解、商事调解、"
                "中立评估等非诉讼方式解决。人民调解不收取任何费用（《人民调解法》第四条）；"
                "调解达成的协议可以共同申请人民法院司法确认，确认后具有强制执行效力；"
                "司法确认不收取费用。",
                "调解遵循自愿、平等原则，您可以选择或者接受调解员，可以拒绝调解或者要求终止调解，"
                "不影响您通过诉讼等途径维护权利。请警惕冒充调解组织的诈骗或催收信息，"
                f"可通过{c['committee']}核实。"]
    elif kind == "acceptance_notice":
        title = "受理通知书"
        # to every party: "您与{creditor}" would tell the creditor it disputes with itself
        body = [f"{c['to']}：", f"关于{c['other']}与{c['debtors']}的金融纠纷，"
                f"本委员会已于{day(c['on'])}受理，将指派调解员在规定期限内主持调解。"]
    else:
        title = "不予受理通知书"
        # addressed to every party, not only the one who applied; the way on depends on
        # whether another body already has the dispute: then its procedure, not a new suit
        way = ("该纠纷已由人民法院、仲裁机构或者其他有关机关受理或者处理，请当事人按照受理机关"
               "的通知参加相应程序。" if c.get("elsewhere")
               else "本决定不影响当事人依法通过诉讼、仲裁等途径维护自身权益。")
        body = [f"{c['to']}：", f"关于{c['other']}与{c['debtors']}的金融纠纷，"
                f"本委员会经审查，决定不予受理。理由：{c['reason']}", way]
    blocks: list[Block] = [Para(body[0], indent=False), *(Para(x) for x in body[1:]),
                           Signatures(((c["committee"], "（印章）", day(c["on"])),))]
    return Doc(kind, title, VERSIONS[kind], tuple(blocks), number=c.get("number", ""))


def session_record(c: Mapping[str, Any]) -> Doc:
    """人民调解记录 of one session, as the Ministry of Justice's 人民调解文书格式 (2010) lays
    it out: the matter (事由), when, where and how, who mediated and who recorded, who
    attended, that the parties were told their rights and duties, what was said, "以上记录
    经核对无误", and the signatures of those present, the mediators and the recorder."""
    blocks: list[Block] = [
        *([Para(f"事由：{c['matter']}", indent=False)] if c.get("matter") else []),
        Para(f"时间：{c['at']}　地点：{c['place']}　方式：{c['mode']}", indent=False),
        Para(f"调解员：{c['mediators']}　记录人：{c['recorder']}", indent=False),
        Para(f"到场人员：{c['present']}", indent=False),
        *([Para(c["correction"], indent=False)] if c.get("correction") else []),
        Para("调解员已告知当事人人民调解的性质、原则和效力，以及当事人在调解活动中享有的权利和"
             "承担的义务（《中华人民共和国人民调解法》第二十三条、第二十四条）。"),
        Heading("调解经过"), *(Para(line) for line in c["record"].splitlines() if line.strip()),
        Para("以上记录经核对无误。")]
    signers = [("当事人", n) for n in c["signers"]]
    signers += [("调解员", n) for n in c.get("mediator_signers", ())]
    if c.get("recorder"):
        signers.append(("记录人", c["recorder"]))
    blocks.append(Signatures(tuple((f"{role}：{name}", "（签名）", "") for role, name in signers)))
    return Doc("session_record", "人民调解记录", VERSIONS["session_record"], tuple(blocks),
               number=c.get("number", ""))
