"""The supervisors' trace of personal data: every reveal and every file with full
particulars taken, on the disputes they supervise, in the period asked, in words."""

from __future__ import annotations

import datetime as dt

from jintiao import clock
from jintiao.disputes.models import DisputeRepresentative
from jintiao.disputes.particulars import representative_scan_read
from jintiao.disputes.reveal import party_reveal
from jintiao.domain.representation import Authority
from jintiao.supervision import selectors
from tests.portal.helpers import appoint_representative


def test_reveals_and_files_read_are_listed_newest_first_in_words(world, cases):
    ours, theirs = cases
    debtor = ours.party_rows.get(role="debtor")
    party_reveal(actor=world.clerk, dispute_id=ours.pk, party_row_id=debtor.pk,
                 fields=["id_number"], reason="other", note="核对重名当事人")
    appoint_representative(world, ours, Authority.GENERAL)
    representative_scan_read(actor=world.clerk,
                             representative=DisputeRepresentative.objects.get())
    other = theirs.party_rows.get(role="debtor")
    party_reveal(actor=world.other_clerk, dispute_id=theirs.pk, party_row_id=other.pk,
                 fields=["phone"], reason="contact_or_serve", note="电话通知调解")
    today = clock.today()
    rows = selectors.access_rows(selectors.personal_data_access(world.supervisor, today,
                                                                today))
    assert [(r.number, r.kind) for r in rows] == [
        (theirs.number, "查看当事人完整号码"),
        (ours.number, "查阅载有当事人身份信息的文书"),
        (ours.number, "查看当事人完整号码")]
    scan, revealed = rows[1], rows[2]
    assert scan.what == "授权委托书扫描件（代理人赵某）"
    assert scan.why == ""
    assert (revealed.actor, revealed.whose, revealed.what, revealed.why) == (
        str(world.clerk), debtor.party.name, "证件号码", "其他（核对重名当事人）")
    assert revealed.actor_org == world.committee.name


def test_each_supervisor_reads_their_own_disputes_in_the_period(world, cases):
    ours, _theirs = cases
    party_reveal(actor=world.clerk, dispute_id=ours.pk,
                 party_row_id=ours.party_rows.get(role="debtor").pk, fields=["phone"],
                 reason="contact_or_serve", note="电话通知调解")
    today = clock.today()
    assert selectors.personal_data_access(world.director, today, today).count() == 1
    assert not selectors.personal_data_access(world.county_supervisor, today, today).exists()
    assert not selectors.personal_data_access(world.mediator, today, today).exists()
    yesterday = today - dt.timedelta(days=1)
    assert not selectors.personal_data_access(world.supervisor, yesterday, yesterday).exists()
