"""What the desk records for the mediation: a party's consent is dated within the dispute."""

from __future__ import annotations

import datetime as dt

import pytest

from jintiao import clock
from jintiao.domain.errors import ErrorCode
from jintiao.mediation.models import Consent
from jintiao.mediation.services import MediationInvalid, consent_record


def record(desk, dispute, given_on):
    return consent_record(actor=desk.mediator, dispute_id=dispute.pk,
                          party_row_id=dispute.party_rows.first().pk, how="书面同意",
                          given_on=given_on)


class TestConsentDate:
    def test_a_consent_dated_tomorrow_is_refused_as_a_date_to_come(self, desk, mediating):
        tomorrow = clock.today() + dt.timedelta(days=1)
        with pytest.raises(MediationInvalid) as err:
            record(desk, mediating, tomorrow)
        assert err.value.code == ErrorCode.DATE_IN_FUTURE
        assert err.value.message == f"同意日期不能晚于今天（所填为{tomorrow.isoformat()}）"
        assert not Consent.objects.exists()

    def test_a_consent_dated_before_the_dispute_was_received_is_refused(self, desk, mediating):
        """A consent to extend this mediation cannot predate the file (a mistyped year)."""
        before = mediating.received_on - dt.timedelta(days=1)
        with pytest.raises(MediationInvalid) as err:
            record(desk, mediating, before)
        assert err.value.code == ErrorCode.DATE_TOO_EARLY
        assert err.value.message == (f"同意日期{before.isoformat()}不能早于收案日期"
                                     f"（{mediating.received_on.isoformat()}）")
        assert err.value.details["field"] == "given_on"
        assert not Consent.objects.exists()

    def test_a_consent_given_on_the_day_of_receipt_is_recorded(self, desk, mediating):
        made = record(desk, mediating, mediating.received_on)
        assert made.given_on == mediating.received_on
