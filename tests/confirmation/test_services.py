"""The judicial confirmation: the application within thirty days of the agreement taking
effect, to the court where the committee sits or that delegated the dispute; the court's
acceptance and its ruling."""

from __future__ import annotations

import datetime as dt

import pytest

from jintiao import clock
from jintiao.confirmation.services import (
    ConfirmationInvalid,
    ConfirmationWindowClosed,
    confirmation_accept,
    confirmation_apply,
    confirmation_decide,
)
from jintiao.disputes.access import PermissionDenied, RecordNotFound
from jintiao.domain.lifecycle import State
from tests.factories import flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree, apply


def test_the_window_to_apply_closes_thirty_days_after_effect(desk, mediating):
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    mediating.refresh_from_db()
    with pytest.raises(ConfirmationInvalid, match=r"不是调解组织所在地|委派"):
        confirmation_apply(actor=desk.mediator, dispute_id=mediating.pk,
                           expected_version=mediating.version, court_id=desk.other_court.pk)
    later = clock.now() + dt.timedelta(days=45)
    with clock.pinned(later), pytest.raises(ConfirmationWindowClosed, match="期限已于"):
        confirmation_apply(actor=desk.mediator, dispute_id=mediating.pk,
                           expected_version=mediating.version, court_id=desk.court.pk)
    apply(desk, mediating)
    mediating.refresh_from_db()
    app = confirmation_apply(actor=desk.mediator, dispute_id=mediating.pk,
                             expected_version=mediating.version, court_id=desk.court.pk)
    with pytest.raises(RecordNotFound):  # another court's judge does not see it
        confirmation_accept(actor=desk.other_judge, application_id=app.pk)
    with pytest.raises(PermissionDenied):  # the mediator sees it but is not the court
        confirmation_accept(actor=desk.mediator, application_id=app.pk)
    accepted = confirmation_accept(actor=desk.judge, application_id=app.pk)
    # the court's own code (法院代字), not its division code: （2026）黔2601民特1号
    assert accepted.case_number == f"（{clock.today().year}）黔2601民特1号"
    mediating.refresh_from_db()
    with pytest.raises(ConfirmationInvalid, match="尚未认定"):
        confirmation_decide(actor=desk.judge, application_id=app.pk,
                            expected_version=mediating.version, confirm=True, attested=[])
    with pytest.raises(ConfirmationInvalid, match="理由"):
        confirmation_decide(actor=desk.judge, application_id=app.pk,
                            expected_version=mediating.version, confirm=False, attested=[])
    rejected = confirmation_decide(actor=desk.judge, application_id=app.pk,
                                   expected_version=mediating.version, confirm=False,
                                   attested=[], reasons="当事人到庭陈述并非自愿签署。")
    mediating.refresh_from_db()
    assert mediating.state == State.CONFIRMATION_REJECTED
    assert rejected.ruling_document.title == "民事裁定书"


def test_a_court_without_a_code_on_record_cannot_number_a_case(desk, mediating):
    """Regression: the number was built from the division code, （2026）522601民特1号,
    where a court writes （2026）黔2601民特1号; a court with no code now says so."""
    from jintiao.confirmation.models import CaseCounter
    from jintiao.orgs.models import Organization
    from tests.factories import flat
    from tests.helpers import CHARGES_SINCE, accept_plan, agree

    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    apply(desk, mediating)
    mediating.refresh_from_db()
    app = confirmation_apply(actor=desk.mediator, dispute_id=mediating.pk,
                             expected_version=mediating.version, court_id=desk.court.pk)
    Organization.objects.filter(pk=desk.court.pk).update(court_code="")

    with pytest.raises(ConfirmationInvalid, match="未登记法院代字"):
        confirmation_accept(actor=desk.judge, application_id=app.pk)
    assert not CaseCounter.objects.filter(court=desk.court).exists()
    app.refresh_from_db()
    assert app.case_number == ""
