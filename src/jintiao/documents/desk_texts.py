"""The committee's own forms (人民调解文书格式): the application, the intake register, the
inquiry record, the notice that mediation has ended, the follow-up record, the receipt of
service and the power of attorney a party fills in — one builder per kind, from plain data,
each with its template version (a change of wording bumps it).

Dates are written as a committee's documents write them, 2026年11月12日 (GB/T 9704-2012
§7.3.5.5, :func:`jintiao.documents.texts.day`); a party's particulars as
:func:`jintiao.documents.texts._parties` prints them. A line left for the hand is
``BLANK``; a date to write, ``DATE``; a box to tick, □."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from jintiao.documents.blocks import Block, Doc, Heading, Para, Signatures, Table
from jintiao.documents.texts import _and, _parties, day, words, yuan
from jintiao.domain.representation import RELATION_LABELS

VERSIONS = {
    "mediation_application": "2026.1", "intake_register": "2026.1",
    "inquiry_record": "2026.1", "termination_notice": "2026.2",
    "follow_up_record": "2026.1", "service_receipt": "2026.1",
    "power_of_attorney": "2026.2",
}
BLANK = "________"
DATE = "年  月  日"

# A reason for not accepting a dispute that says a court, an arbitral body or an authority
# already has it (人民调解工作若干规定 Art. 22 (2): 已经受理或者解决的): the notice then points
# to that body's procedure rather than to a suit.
_ELSEWHERE = re.compile(r"(法院|仲裁|公安|行政机关|有关机关|有关部门)"
                        r".{0,10}(受理|立案|审理|处理|裁决|判决)|已.{0,6}(起诉|诉讼|仲裁)")


def elsewhere(reason: str) -> bool:
    """Whether a non-acceptance ``reason`` says another body already has the dispute."""
    return bool(_ELSEWHERE.search(reason))


def _rows(pairs: Sequence[tuple[str, str]]) -> Table:
    """A form's fields as a two-column table (项目, 内容), as the Ministry's forms lay them."""
    return Table(("项目", "内容"), tuple((k, v or BLANK) for k, v in pairs))


def mediation_application(c: Mapping[str, Any]) -> Doc:
    """人民调解申请书 (MOJ 人民调解文书格式, 2010): 申请人 and 被申请人 with their
    particulars, the dispute's facts and what is asked of the committee (申请事项), 此致 the
    committee, the applicant's signature or seal and the date of application.

    ``applicants`` and ``respondents``: party dicts (:func:`texts._parties`)."""
    applicants = [{**p, "role_label": "申请人"} for p in c["applicants"]]
    respondents = [{**p, "role_label": "被申请人"} for p in c["respondents"]]
    claim = (f"争议金额{yuan(c['total'])}（大写：{words(c['total'])}），计算至"
             f"{day(c['as_of'])}。" if c.get("total") else "")
    blocks: list[Block] = [
        *_parties(applicants), *_parties(respondents),
        Heading("纠纷事实"),
        Para(f"{c['summary'] or c['matter']}。{claim}".replace("。。", "。")),
        Heading("申请事项"),
        Para(f"请求{c['committee']}依照《中华人民共和国人民调解法》的规定，对申请人与被申请人之间的"
             f"{c['matter']}进行调解。申请人自愿接受人民调解，保证如实陈述纠纷事实，"
             "所提交的材料真实、合法。"),
        Para("此致"), Para(c["committee"], indent=False),
        Signatures(tuple((f"申请人：{p['name']}", "（签名或者盖章）", day(c["applied_on"]))
                         for p in applicants))]
    return Doc("mediation_application", "人民调解申请书", VERSIONS["mediation_application"],
               tuple(blocks), number=c.get("number", ""))


def intake_register(c: Mapping[str, Any]) -> Doc:
    """人民调解受理登记表 (MOJ 人民调解文书格式, 2010): the number, the date the dispute was
    received, where it came from (申请, 移送, 委派…), the parties, the dispute in brief, the
    decision to accept it and its date, who registered it, and the committee's seal."""
    blocks: list[Block] = [
        _rows((("编号", c["number"]), ("登记日期", day(c["received_on"])),
               ("纠纷来源", c["source"]), ("纠纷类型", c["matter"]),
               ("争议金额", f"{yuan(c['total'])}（计算至{day(c['as_of'])}）"),
               ("受理日期", day(c.get("accepted_on"))))),
        Heading("当事人基本情况"), *_parties(c["parties"]),
        Heading("纠纷简要情况"), Para(c["summary"] or BLANK),
        Heading("受理意见"),
        Para(f"经审查，该纠纷属于{c['committee']}受理范围，当事人"
             f"{'已' if c.get('told') else '应'}被告知人民调解的性质、原则、效力及当事人的"
             f"权利义务，本委员会决定受理，受理日期为{day(c.get('accepted_on')) or BLANK}。"),
        Signatures(((f"登记人：{c['registrar']}", "（签名）", day(c["received_on"])),
                    (f"受理人：{c.get('acceptor') or BLANK}", "（签名）",
                     day(c.get("accepted_on")) or DATE),
                    (c["committee"], "（印章）", day(c.get("accepted_on")) or DATE)))]
    return Doc("intake_register", "人民调解受理登记表", VERSIONS["intake_register"],
               tuple(blocks), number=c["number"])


def inquiry_record(c: Mapping[str, Any]) -> Doc:
    """人民调解调查记录 (MOJ 人民调解文书格式, 2010), made out for the mediator to take to an
    inquiry: the matter, when and where, who inquires and who records, who is asked (with
    their particulars), who else is present, what was asked and answered, "以上记录经本人
    核对无误", and the signatures of the person asked, the inquirer and the recorder."""
    blocks: list[Block] = [
        _rows((("编号", c["number"]), ("事由", c["matter"]), ("时间", ""), ("地点", ""),
               ("调查人", c.get("mediators", "")), ("记录人", ""),
               ("被调查人", ""), ("在场人", ""))),
        Para(f"当事人：{_and(c['names'])}。", indent=False),
        Para("调查人已告知被调查人：调查人的身份和调查事项；被调查人应当如实提供情况，"
             "对所知悉的当事人隐私和个人信息，本委员会依法予以保密。"),
        Heading("调查内容"),
        *(Para(f"{line}{BLANK * 5}", indent=False)
          for line in ("问：", "答：", "问：", "答：", "问：", "答：")),
        Para("以上记录经本人核对无误。"),
        Signatures((("被调查人：", "（签名）", DATE), ("调查人：", "（签名）", DATE),
                    ("记录人：", "（签名）", DATE)))]
    return Doc("inquiry_record", "人民调解调查记录", VERSIONS["inquiry_record"], tuple(blocks),
               number=c["number"])


def termination_notice(c: Mapping[str, Any]) -> Doc:
    """调解终结告知书: mediation has ended without an agreement (People's Mediation Law
    Art. 26: the committee ends it and tells the parties that they may protect their rights
    through arbitration, an authority or the courts). It says when the dispute was accepted,
    who mediated, why and when mediation ended, and the way on: a dispute a court sent
    (``court``; ``sent``: 委派, 委托 or 邀请; ``procedure``: what the court does next) or
    one transferred to a court goes back into that court's procedure; any
    other may be taken to court or, under an arbitration agreement, to arbitration. Then
    what the law keeps of the mediation: concessions are no evidence against a party (SPC
    Interpretation of the CPL Art. 107), the undisputed facts recorded, limitation running
    anew (Civil Code Art. 195)."""
    mediators = f"，指派调解员{c['mediators']}主持调解" if c.get("mediators") else ""
    blocks: list[Block] = [
        Para(f"{c['to']}：", indent=False),
        Para(f"关于{c['creditors']}与{c['debtors']}的{c['matter']}，"
             f"{c['committee']}于{day(c['accepted_on'])}受理{mediators}。因{c['reason']}，"
             f"本委员会依照《中华人民共和国人民调解法》{c.get('articles', '第二十六条')}的规定，于"
             f"{day(c['ended_on'])}终止调解。"),
        Para("现将有关事项告知如下："),
    ]
    n = 0

    def item(text: str) -> None:
        nonlocal n
        n += 1
        blocks.append(Para(f"{'一二三四五六'[n - 1]}、{text}"))

    if c.get("court"):
        sent = (f"本纠纷系{c['court']}{c['sent']}本委员会调解的纠纷。" if c.get("sent")
                else "")
        item(f"{sent}调解终止后，本委员会将调解情况{'及无争议事实记载表' if c.get('facts') else ''}"
             f"送交{c['court']}，由该院依法{c['procedure']}，纠纷回到人民法院的诉讼程序；"
             f"请当事人按照{c['court']}的通知参加诉讼。")
    else:
        item("当事人可以依法通过仲裁、行政、司法等途径维护自己的权利：可以向有管辖权的人民法院"
             "提起诉讼；当事人之间订有仲裁协议的，可以依照仲裁协议申请仲裁。")
    if c.get("facts"):
        item("调解中双方均无异议的事实已记载于无争议事实记载表，经当事人确认，在后续诉讼中"
             "当事人无需对其举证，但涉及国家利益、社会公共利益和他人合法权益的除外。")
    item("在调解中当事人为达成调解协议作出妥协而认可的事实，不得在后续的诉讼中作为对其不利"
         "的根据，但法律另有规定或者当事人均同意的除外（《最高人民法院关于适用〈中华人民共和国"
         "民事诉讼法〉的解释》第一百零七条）。")
    item("当事人向人民调解委员会请求调解的，诉讼时效中断；诉讼时效期间自调解终止之日起重新"
         "计算（《中华人民共和国民法典》第一百九十五条），请当事人及时主张权利。")
    blocks += [Para("特此告知。"), Signatures(((c["committee"], "（印章）", day(c["on"])),))]
    return Doc("termination_notice", "调解终结告知书", VERSIONS["termination_notice"],
               tuple(blocks), number=c["number"])


def follow_up_record(c: Mapping[str, Any]) -> Doc:
    """人民调解回访记录 (MOJ 人民调解文书格式, 2010): the dispute and its agreement, when the
    visit was made, by whom and how, whom it visited, how the agreement is being performed,
    what was found and the party's opinion, and the visitor's signature (and the party's,
    on a visit in person). A visit not yet recorded leaves its lines to fill in by hand."""
    visit = c.get("visit") or {}
    blocks: list[Block] = [
        _rows((("编号", c["number"]), ("纠纷类型", c["matter"]),
               ("调解协议", f"{c['agreement_number']}，{day(c['effective_on'])}生效"
                          if c.get("effective_on") else c["agreement_number"]),
               ("回访时间", visit.get("at", "")), ("回访方式", visit.get("method", "")),
               ("回访人", visit.get("by", "")), ("被回访人", _and(c["names"])))),
        Heading("协议履行情况"), Para(c["performance"]),
        Heading("回访情况"), Para(visit.get("note") or BLANK * 4),
        Heading("当事人意见"), Para(visit.get("opinion") or BLANK * 4),
        Signatures(((f"回访人：{visit.get('by', '')}", "（签名）", visit.get("on") or DATE),
                    ("被回访人：", "（签名）", DATE)))]
    return Doc("follow_up_record", "人民调解回访记录", VERSIONS["follow_up_record"],
               tuple(blocks), number=c["number"])


def service_receipt(c: Mapping[str, Any]) -> Doc:
    """送达回证 for a document served on paper or in person, one for each addressee, laid
    out as the courts' form (送达回证, 各类案件通用) which a committee's service follows: the
    matter and number, the document and how many copies, the addressee and the place of
    service, the manner (ticked), the addressee's signature or seal and the date received,
    who received it for them and why, remarks (refused, left at the place, witnesses), who
    issued it and who served it; and what the law says a receipt proves (the CPL Arts. 87
    and 89, which the committee's service follows)."""
    blocks: list[Block] = []
    for a in c["addressees"]:
        blocks += [
            Heading(f"受送达人：{a['name']}"),
            _rows((("案由", c["matter"]), ("编号", c["number"]),
                   ("送达文书名称和件数", f"{c['title']}  一份"),
                   ("受送达人", a["name"]), ("送达地点", a.get("address", "")),
                   ("送达方式", "□直接送达　□留置送达　□邮寄送达　□委托送达"),
                   ("受送达人签名或者盖章", f"　　　　　　　　{DATE}"),
                   ("代收人及代收理由", f"　　　　　　　　{DATE}"),
                   ("备考", "（拒绝签收的，写明拒收事由、留置的地点和日期，见证人签名或者盖章）"),
                   ("签发人", c.get("issuer", "")), ("送达人", "")))]
    blocks += [
        Para("说明：受送达人在送达回证上记明收到日期，签名或者盖章；受送达人在送达回证上的签收"
             "日期为送达日期。受送达人是自然人的，本人不在时交其同住的成年家属签收；受送达人或者"
             "其同住成年家属拒绝接收的，送达人可以邀请有关基层组织或者所在单位的代表到场，说明"
             "情况，在送达回证上记明拒收事由和日期，由送达人、见证人签名或者盖章，把文书留在受"
             "送达人的住所，即视为送达（参照《中华人民共和国民事诉讼法》第八十七条至第八十九条）。"),
        Signatures(((c["committee"], "（印章）", day(c["on"])),))]
    return Doc("service_receipt", "送达回证", VERSIONS["service_receipt"], tuple(blocks),
               number=c["number"])


# The special powers a party may give (CPL 2023 Art. 62: admitting, waiving or changing a
# claim and settling need a special authority), in the order a mediation goes on.
SPECIAL_POWERS = ("代为承认、放弃、变更调解请求", "代为进行和解，达成调解协议并签署调解协议书",
                  "代为申请司法确认，签署司法确认申请书", "代为签收调解文书和法律文书",
                  "代为申请强制执行")


def power_of_attorney(c: Mapping[str, Any]) -> Doc:
    """授权委托书 for a party to fill in and sign, in the form of the SPC's 《民事诉讼文书
    样式》(2016), 当事人参考文书 授权委托书, as People's Mediation and the judicial
    confirmation use it (CPL 2023 Arts. 61 and 62; 最高人民法院关于人民调解协议司法确认程序
    的若干规定 Art. 3): 委托人 with their particulars, 受托人 with lines to fill and who they
    are to the party, the matter, the authority — general, or special with the special
    powers listed to tick — how long it lasts, and the signatures. One for each party."""
    relations = "　".join(f"□{label}" for label in RELATION_LABELS.values())
    blocks: list[Block] = []
    for p in c["parties"]:
        blocks += [
            Heading(f"委托人：{p['name']}（{p['role_label']}）"),
            *_parties([{**p, "role_label": "委托人", "representatives": []}]),
            Para(f"受托人：姓名{BLANK}，性别{BLANK}，公民身份号码{BLANK}，工作单位及职务"
                 f"{BLANK}，联系电话{BLANK}。", indent=False),
            Para(f"受托人身份：{relations}", indent=False),
            Para(f"现委托上列受托人在{c['committee']}受理的{c['number']}{c['creditors']}与"
                 f"{c['debtors']}{c['matter']}中，作为我方的委托代理人。"),
            Para(f"委托事项：代为参加{c['committee']}主持的人民调解，陈述意见，提交、查阅和接收"
                 "材料。", indent=False),
            Para("代理权限：□一般授权　□特别授权", indent=False),
            Para("特别授权的，受托人可以（请逐项勾选）："
                 + "；".join(f"□{s}" for s in SPECIAL_POWERS) + "。", indent=False),
            Para("一般授权的受托人不得代为承认、放弃、变更请求或者达成调解协议（《中华人民共和国"
                 "民事诉讼法》第六十二条）。", indent=False),
            Para(f"委托期限：自{DATE}起至{DATE}止；未写明的，至本纠纷人民调解及司法确认程序终结"
                 "之日止。", indent=False),
            Signatures(((f"委托人：{p['name']}", "（签名或者盖章）", DATE),
                        ("受托人：", "（签名）", DATE)))]
    return Doc("power_of_attorney", "授权委托书", VERSIONS["power_of_attorney"], tuple(blocks),
               number=c["number"])
