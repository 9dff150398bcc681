"""Documents write dates as Chinese documents do — 2026年11月12日 in the text (GB/T 9704),
二〇二六年十一月十四日 at the foot of the court's ruling (the court-document drafting rules)
— and the non-acceptance notice speaks to every party, not only the one who applied."""

from __future__ import annotations

import re

from jintiao import clock
from jintiao.documents.models import Document
from jintiao.domain.dates import in_chinese, written
from jintiao.domain.lifecycle import Action
from jintiao.mediation.services import action_apply, notice_generate
from tests.factories import flat, intake
from tests.helpers import CHARGES_SINCE, accept_plan, agree, confirm

ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def test_the_agreement_and_the_ruling_write_their_dates_in_words(desk, mediating):
    accept_plan(desk, mediating, flat(12))
    agreement = agree(desk, mediating, CHARGES_SINCE)
    app = confirm(desk, mediating)

    text = agreement.document.html
    first = agreement.content["terms"]["schedule"][0]["due_on"]
    assert f"自{written(first)}起" in text
    assert f"截至{written(agreement.content['claim']['as_of'])}" in text
    ruled = Document.objects.get(dispute=mediating, kind="ruling")
    assert app.status == "confirmed"
    assert "审判员" in ruled.html
    assert in_chinese(ruled.created_at.astimezone(clock.TZ).date()) in ruled.html
    # no ISO date left in either text — but the e-signatures' moments, date and time
    for html in (text, ruled.html):
        plain = STAMP.sub("", re.sub(r"<[^>]+>", " ", html))
        assert not ISO.search(plain), ISO.search(plain)


def test_the_non_acceptance_notice_speaks_to_every_party(world):
    dispute = intake(actor=world.clerk, committee=world.committee)
    action_apply(actor=world.clerk, dispute_id=dispute.pk, action=Action.DECLINE,
                 expected_version=1, reason="该纠纷已由人民法院立案受理")

    doc = notice_generate(actor=world.clerk, dispute_id=dispute.pk,
                          kind="non_acceptance_notice")

    assert "您提交的" not in doc.html  # the debtor never applied
    assert "决定不予受理。理由：该纠纷已由人民法院立案受理" in doc.html
    # the court has it: its procedure, not a suit, is the way on
    assert "请当事人按照受理机关的通知参加相应程序" in doc.html
    assert "诉讼、仲裁等途径" not in doc.html
    assert written(doc.created_at.date()) in doc.html


def test_the_session_record_follows_the_ministrys_format(desk, mediating):
    """人民调解记录 (MOJ 人民调解文书格式, 2010): the matter, the rights told, what was said,
    "以上记录经核对无误", and who signs — the parties present, the mediators, the recorder."""
    import datetime as dt

    from jintiao.mediation.services import session_record, session_schedule

    rows = list(mediating.party_rows.order_by("pk"))
    session = session_schedule(actor=desk.mediator, dispute_id=mediating.pk, mode="phone",
                               starts_at=clock.now() - dt.timedelta(hours=1),
                               party_row_ids=[r.pk for r in rows])
    session_record(actor=desk.mediator, session_id=session.pk, record="双方陈述意见。",
                   attended={r.pk: True for r in rows})

    html = Document.objects.get(dispute=mediating, kind="session_record").html
    assert "人民调解记录" in html
    assert f"事由：{mediating.get_dispute_type_display()}" in html
    assert "告知当事人人民调解的性质、原则和效力" in html
    assert html.index("双方陈述意见") < html.index("以上记录经核对无误")
    for row in rows:
        assert f"当事人：{row.party.name}" in html
    assert f"调解员：{desk.mediator}" in html
    assert f"记录人：{desk.mediator}" in html
    assert written(session.starts_at.astimezone(clock.TZ).date()) in html


def test_the_agreement_bears_the_title_the_format_gives_it(desk, mediating):
    accept_plan(desk, mediating, flat(12))
    agreement = agree(desk, mediating, CHARGES_SINCE)
    assert agreement.document.title == "人民调解协议书"


def test_the_rights_and_duties_notice_tells_what_the_law_says(world, mediating):
    """人民调解当事人权利义务告知书 (MOJ format): the law's words, each party's line to sign."""
    doc = notice_generate(actor=world.clerk, dispute_id=mediating.pk, kind="rights_notice")

    assert doc.title == "人民调解当事人权利义务告知书"
    assert "选择或者接受人民调解员" in doc.html
    assert "如实陈述纠纷事实" in doc.html
    assert "不收取任何费用" in doc.html
    for row in mediating.party_rows.filter(role__in=["creditor", "debtor"]):
        assert f"当事人：{row.party.name}" in doc.html
    assert written(doc.created_at.astimezone(clock.TZ).date()) in doc.html


def test_a_declined_dispute_is_told_no_rights_in_mediation(world):
    import pytest

    from jintiao.mediation.services import MediationInvalid

    dispute = intake(actor=world.clerk, committee=world.committee)
    action_apply(actor=world.clerk, dispute_id=dispute.pk, action=Action.DECLINE,
                 expected_version=1, reason="不属于受理范围")
    with pytest.raises(MediationInvalid, match="不再告知"):
        notice_generate(actor=world.clerk, dispute_id=dispute.pk, kind="rights_notice")


def test_the_desk_makes_it_from_the_dispute_page_and_the_party_reads_it(client, desk, mediating):
    from django.test import Client
    from django.urls import reverse

    from tests.portal.helpers import debtor_of, party_sign_in

    staff = Client()
    staff.force_login(desk.mediator)
    page = staff.get(f"/disputes/{mediating.pk}/").content.decode()
    assert 'value="rights_notice"' in page
    staff.post(f"/disputes/{mediating.pk}/notices/", {"kind": "rights_notice"})
    doc = Document.objects.get(dispute=mediating, kind="rights_notice")

    client.force_login(party_sign_in(debtor_of(mediating)))
    read = client.get(reverse("portal:document", args=[doc.pk])).content.decode()
    assert "当事人在人民调解活动中享有下列权利" in read


def test_a_party_with_a_masked_number_is_given_the_year_of_birth_only():
    """Regression: beside 520103********1234 a full birth date gave back the hidden digits."""
    from jintiao.documents.texts import _party_line

    person = {"role_label": "债务人", "name": "张三", "kind": "person", "sex": "男",
              "birth_date": "1985-03-02", "id_masked": "520103********1234",
              "id_type": "resident_id"}
    assert "1985年生" in _party_line(person)
    assert "3月2日" not in _party_line(person)
    full = _party_line({**person, "id_number": "520103198503021234"})
    assert "1985年3月2日出生" in full
