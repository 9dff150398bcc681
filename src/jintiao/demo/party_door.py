"""The demo's party door and hardship (issue 21 §1, §3), written through the services: a
person's application for mediation waiting in Kaili's queue, and DEMO-P1 paused while its
debtor is in hospital."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jintiao import clock
from jintiao.disputes.models import Dispute
from jintiao.mediation import services as mediation
from jintiao.messaging.selectors import outbox_code
from jintiao.orgs.models import Organization, User
from jintiao.portal import applications
from jintiao.portal.services import sign_in_code_send

APPLICANT = "13985550188"
# a fictional resident of Kaili (520103 is a Guiyang prefix used across the demo's numbers)
APPLICANT_ID = "52010319880512002X"
CONTRACT = b"%PDF-1.4\n% demo: the loan contract as photographed\n%%EOF\n"


def party_door(committee: Organization, personas: dict[str, User], today: dt.date) -> None:
    """An application on the portal a day ago, and the hardship pause of DEMO-P1."""
    _application(committee, today)
    _pause(personas, today)


def _application(committee: Organization, today: dt.date) -> None:
    at = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(20, 15), clock.TZ)
    with clock.pinned(at):
        sign_in_code_send(phone=APPLICANT, applying=True)
        code = outbox_code(APPLICANT)
        if code is None:  # a real gateway: the demo cannot read the applicant's phone
            return
        applications.application_submit(code=code, given=applications.Applying(
            committee_id=committee.pk, name="石某某", id_number=APPLICANT_ID,
            phone=APPLICANT, address="贵州省凯里市鸭塘街道某村二组", side="debtor",
            other_name="某小额贷款有限公司", institution_id=None,
            dispute_type="consumer_loan", amount=Decimal("18600.00"),
            facts="2024年在网上借款2万元，因务工收入减少逾期，对方多次电话催收并联系家人。",
            requests="请求核实欠款金额，停止骚扰式催收，分期偿还本金。",
            consent_e_service=True), files=[applications.Upload("借款合同截图.pdf", CONTRACT)])


def _pause(personas: dict[str, User], today: dt.date) -> None:
    dispute = Dispute.objects.get(external_ref="DEMO-P1")
    at = dt.datetime.combine(today - dt.timedelta(days=2), dt.time(10, 30), clock.TZ)
    with clock.pinned(at):
        asked = mediation.pause_request(
            actor=personas["mediator"], dispute_id=dispute.pk, ground="illness",
            evidence="凯里市第一人民医院住院证明及诊断证明（已核对原件）", days=45)
    with clock.pinned(at + dt.timedelta(hours=3)):
        mediation.pause_decide(actor=personas["director"], dispute_id=dispute.pk,
                               pause_id=asked.pk, approve=True, reason="材料属实，同意暂停")
