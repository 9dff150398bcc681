"""The demo's failure package (issue 21 §4): a consumer loan whose mediation failed, the
bank's contract and statement shared in the session, the undisputed facts recorded and
confirmed by both sides, and the package made for the court's fast track."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile

from jintiao import clock
from jintiao.demo.mediation import Interlude
from jintiao.disputes.models import Dispute
from jintiao.documents.render import html_to_pdf
from jintiao.domain import events
from jintiao.mediation import services
from jintiao.mediation.models import Attachment, Session
from jintiao.orgs.models import User

EXTERNAL_REF = "DEMO-F1"
FACTS = ("2024年3月8日双方签订个人消费借款合同，约定借款金额80,000元，借款期限36个月",
         "借款年利率为7.2%，按月等额本息还款",
         "银行于2024年3月10日发放借款80,000元",
         "借款人自2025年9月起未按期还款，至今已归还本金21,500元")
# the facts above, tied to the complaint's elements as the desk would tie them
TIES = {1: "contract", 2: "rate", 3: "disbursement", 4: "repaid"}
EVIDENCE = (("个人消费借款合同", "个人消费借款合同（摘要）", "借款金额：80,000元；期限：36个月；"
             "年利率：7.2%；还款方式：按月等额本息。"),
            ("借款借据及放款凭证", "借款借据", "放款日期：2024年3月10日；金额：80,000元。"),
            ("还款明细", "还款明细", "2024年4月至2025年8月按期还款；2025年9月起未还款。"))
# what each file proves, as the desk writes it in the evidence index
PROVES = {"个人消费借款合同.pdf": "借款合同关系成立，借款金额、期限、利率及还款方式的约定",
          "借款借据及放款凭证.pdf": "银行已按约发放借款80,000元",
          "还款明细.pdf": "借款人的还款情况及逾期的起始时间"}


def _pdf(title: str, body: str) -> bytes:
    return html_to_pdf(f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
                       f"</head><body><h1>{title}</h1><p>{body}</p></body></html>")


def evidence_interlude(mediator: User) -> Interlude:
    """The first session: both sides present, the bank's documents shared with both."""

    def run(dispute: Dispute, assigned: dt.datetime) -> None:
        rows = list(dispute.party_rows.values_list("pk", flat=True))
        at = assigned + dt.timedelta(days=2)
        with clock.pinned(assigned + dt.timedelta(hours=1)):
            session = services.session_schedule(
                actor=mediator, dispute_id=dispute.pk, mode=Session.Mode.FACE_TO_FACE,
                starts_at=at, party_row_ids=rows, place="凯里市综治中心金融纠纷调解室")
        with clock.pinned(at + dt.timedelta(minutes=50)):
            for name, title, body in EVIDENCE:
                services.attachment_add(actor=mediator, session_id=session.pk,
                                        kind=Attachment.Kind.EVIDENCE, name=f"{name}.pdf",
                                        content=ContentFile(_pdf(title, body)), side="")
            services.session_record(
                actor=mediator, session_id=session.pk, attended=dict.fromkeys(rows, True),
                record="银行出示借款合同、借据和还款明细，借款人对合同、放款和还款情况无异议；"
                       "银行要求一次性清偿，借款人只能每月还款800元，双方差距较大。")

    return run


def failure_package_demo(mediator: User) -> None:
    """After the failure: the undisputed facts recorded and confirmed by both sides the
    next working hour, and the package made (never later than now)."""
    dispute = Dispute.objects.get(external_ref=EXTERNAL_REF)
    failed = dispute.events.filter(type=events.DISPUTE_FAIL.type).order_by("-seq").first()
    start = failed.at if failed is not None else clock.now() - dt.timedelta(hours=2)
    at = min(start + dt.timedelta(hours=1), clock.now() - dt.timedelta(minutes=60))
    with clock.pinned(at):
        services.undisputed_facts_record(actor=mediator, dispute_id=dispute.pk,
                                         facts=list(FACTS), disputed="罚息、复利的计算是否过高")
    for n, row in enumerate(dispute.party_rows.order_by("pk"), 1):
        with clock.pinned(at + dt.timedelta(minutes=10 * n)):
            services.undisputed_facts_confirm(actor=mediator, dispute_id=dispute.pk,
                                              party_row_id=row.pk, how="书面签字")
    with clock.pinned(at + dt.timedelta(minutes=40)):
        services.failure_package_generate(
            actor=mediator, dispute_id=dispute.pk, fact_elements=TIES,
            evidence_notes={a.pk: PROVES.get(a.name, "")
                            for a in services.shared_evidence(dispute)})
