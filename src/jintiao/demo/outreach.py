"""The demo's outreach: every committee's vetted texts, and the contacts, texts and service
that reached the parties of S2 and DEMO-M1 — through the real services, at their times."""

from __future__ import annotations

import datetime as dt

from jintiao import clock
from jintiao.disputes.models import Dispute
from jintiao.mediation.services import notice_generate
from jintiao.orgs.models import Organization, User
from jintiao.outreach.models import MessageTemplate
from jintiao.outreach.services import (
    contact_record,
    message_send,
    notice_serve,
    template_approve,
    template_create,
)
from jintiao.parties.crypto import decrypt
from jintiao.parties.models import Party

TEMPLATES = (
    ("调解邀请", "invitation",
     "{姓名}您好，{调委会}已受理您与金融机构的纠纷（{纠纷编号}）。调解免费、自愿，"
     "可登录{链接}查看通知和方案，或等待调解员{调解员}来电。"),
    ("调解时间通知", "session",
     "{姓名}您好，您的纠纷{纠纷编号}定于{调解时间}调解，详情请登录{链接}查看。"),
    ("签署提示", "signing",
     "{姓名}您好，纠纷{纠纷编号}的调解协议已拟好，请登录{链接}阅读，确认无误后在线签署。"),
    ("一般联系", "general",
     "{姓名}您好，调解员{调解员}就纠纷{纠纷编号}与您联系未果，请登录{链接}查看或回电调委会。"),
)


def seed_templates(committee: Organization, drafter: User, director: User,
                   at: dt.datetime) -> None:
    """The committee's four vetted texts, drafted by its clerk and approved by its director."""
    with clock.pinned(at):
        for name, purpose, body in TEMPLATES:
            made = template_create(actor=drafter, committee_id=committee.pk, name=name,
                                   purpose=purpose, body=body)
            template_approve(actor=director, template_id=made.pk)


def _template(dispute: Dispute, purpose: str) -> int:
    return MessageTemplate.objects.get(committee=dispute.committee, purpose=purpose).pk


def reach_debtors(dispute: Dispute, mediator: User, at: dt.datetime,
                  step: dt.timedelta = dt.timedelta(minutes=2)) -> None:
    """The mediator texts each debtor the invitation, serves the options notice by text and
    reaches them by phone, ``step`` apart from ``at`` (a working hour)."""
    debtors = [r.party for r in dispute.party_rows.select_related("party").order_by("pk")
               if r.role == "debtor"]
    with clock.pinned(at):
        notice = notice_generate(actor=mediator, dispute_id=dispute.pk, kind="options_notice")
    for n, party in enumerate(debtors):
        with clock.pinned(at + step * (2 * n + 1)):
            message_send(actor=mediator, dispute_id=dispute.pk, party_id=party.pk,
                         template_id=_template(dispute, "invitation"))
            notice_serve(actor=mediator, dispute_id=dispute.pk, party_id=party.pk,
                         subject=f"document:{notice.pk}", channel="sms")
        with clock.pinned(at + step * (2 * n + 2)):
            contact_record(actor=mediator, dispute_id=dispute.pk, party_id=party.pk,
                           channel="call", outcome="reached", to=party.phone_masked,
                           note="告知调解程序、免费自愿及当事人端登录方式，对方同意参加调解。")


def portal_logins() -> list[tuple[str, str, str, str]]:
    """The demo's parties one can sign in as on the portal: name, dispute, mobile, ID."""
    out = []
    for ref in ("S2", "DEMO-M1"):
        dispute = Dispute.objects.filter(external_ref=ref).first()
        if dispute is None:
            continue
        row = dispute.party_rows.filter(role="debtor").select_related("party").order_by("pk") \
            .first()
        if row is None:
            continue
        party: Party = row.party
        out.append((party.name, ref, decrypt(party.phone_cipher), decrypt(party.id_cipher)))
    return out
