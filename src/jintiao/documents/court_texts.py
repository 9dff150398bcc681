"""The court's documents besides the ruling (:func:`jintiao.documents.texts.ruling`), in the
SPC's formats: the court's name on the line above the document's (``Doc.issuer``), the
case number below, the body's dates in Arabic numerals and the closing date in Chinese
numerals with the court's seal over it (《人民法院民事裁判文书制作规范》, 法〔2016〕221号)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jintiao.documents.blocks import Block, Doc, Para, Signatures
from jintiao.documents.texts import day
from jintiao.domain.dates import in_chinese

VERSIONS = {"court_acceptance_notice": "2026.1"}


def acceptance_notice(c: Mapping[str, Any]) -> Doc:
    """受理通知书 of a case to confirm a mediation agreement (确认调解协议案件), as the SPC's
    《民事诉讼文书样式》(2016) gives it for the special procedure and 《最高人民法院关于人民
    调解协议司法确认程序的若干规定》(法释〔2011〕5号) Art. 4 requires it (the court that
    accepts an application numbers the case and serves a notice of acceptance): the court
    and the document's name on two lines, the （year）code民特N号 number, the applicants
    addressed together, "你们申请确认……调解协议一案，本院已于……立案受理", who reviews it
    (a single judge, CPL special procedure), by when the court rules, what the applicants
    must do and may do (the Interpretation of the CPL Arts. 356–357), that false mediation
    is punished, that no fee is charged (《诉讼费用交纳办法》 Art. 8), 特此通知, the date in
    Chinese numerals and the court's seal.

    ``judge``: the judge named to review it, "" when not yet named (the notice says that
    the applicants will be told)."""
    names = "、".join(p["name"] for p in c["parties"])
    judge = (f"由审判员{c['judge']}独任审查" if c.get("judge")
             else "由审判员一人独任审查，承办审判员确定后另行告知")
    blocks: list[Block] = [
        Para(f"{names}：", indent=False),
        Para(f"你们申请确认于{day(c['effective_on'])}经{c['committee']}主持调解达成的"
             f"{c['agreement_number']}调解协议一案，本院已于{day(c['accepted_on'])}立案受理。"
             "现将有关事项通知如下："),
        Para(f"一、本案依照《中华人民共和国民事诉讼法》规定的特别程序审查，{judge}。"),
        Para(f"二、本院将于{day(c['decide_by'])}前审查完毕，作出是否确认调解协议效力的裁定；"
             "有特殊情况需要延长的，依法延长。"),
        Para("三、本院审查时将通知你们共同到场核实有关情况，并可以要求你们限期补充陈述或者补充"
             "证明材料；你们无正当理由未在限期内补充陈述、补充证明材料或者拒不接受询问的，本院"
             "可以按撤回申请处理（《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》"
             "第三百五十六条、第三百五十七条）。"),
        Para("四、在本院作出裁定前，你们可以撤回申请。"),
        Para("五、你们应当如实陈述、提交真实的材料。当事人恶意串通，企图通过调解、申请司法确认"
             "侵害国家利益、社会公共利益或者他人合法权益的，本院将驳回申请，并依法予以罚款、"
             "拘留；构成犯罪的，依法追究刑事责任。"),
        Para("六、确认调解协议案件不交纳案件受理费（《诉讼费用交纳办法》第八条）。"),
        Para("特此通知。"),
        Signatures((("", "", in_chinese(c["accepted_on"])), ("", "", "（院印）")))]
    return Doc("court_acceptance_notice", "受理通知书", VERSIONS["court_acceptance_notice"],
               tuple(blocks), number=c["case_number"], issuer=c["court"])
