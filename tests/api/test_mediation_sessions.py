"""Sessions over the API: the same answers as the service and the page — a link that is
not a web address refused, cancel, reschedule and record correction with their refusals,
every mediator who came in the attendance, and the typed shape of a session."""

from __future__ import annotations

import datetime as dt

import pytest

from jintiao import clock
from jintiao.mediation.models import RecordVersion, Session
from jintiao.mediation.services import session_record, session_schedule
from tests.api.client import Api

AN_HOUR = dt.timedelta(hours=1)
SCRIPT = "javascript:alert(document.cookie)"


def schedule(desk, dispute, *, at=None, link="https://meeting.example.com/j/1"):
    return session_schedule(actor=desk.mediator, dispute_id=dispute.pk,
                            mode=Session.Mode.ONLINE,
                            starts_at=at or clock.now() + dt.timedelta(days=1),
                            party_row_ids=list(dispute.party_rows.values_list("pk", flat=True)),
                            online_link=link)


def held(desk, dispute, text="第一稿"):
    session = schedule(desk, dispute, at=clock.now() - AN_HOUR)
    return session_record(actor=desk.mediator, session_id=session.pk, record=text,
                          attended={})


def iso(at: dt.datetime) -> str:
    return at.astimezone(clock.TZ).isoformat()


class TestMeetingLink:
    def test_a_script_is_refused_with_its_code(self, desk, mediating):
        response = Api(desk.mediator).post(f"/disputes/{mediating.pk}/sessions", {
            "mode": "online", "starts_at": iso(clock.now() + AN_HOUR), "online_link": SCRIPT})

        assert response.status_code == 400
        assert response.json()["code"] == "meeting_link_invalid"
        assert "http" in response.json()["message"]
        assert not mediating.sessions.exists()

    def test_a_stored_script_is_never_handed_on(self, desk, mediating):
        session = schedule(desk, mediating)
        Session.objects.filter(pk=session.pk).update(online_link=SCRIPT)

        listed = Api(desk.agent).get(f"/disputes/{mediating.pk}/sessions").json()

        assert listed[0]["online_link"] == ""


class TestCancel:
    def test_a_session_is_cancelled_with_its_reason(self, desk, mediating):
        session = schedule(desk, mediating)

        response = Api(desk.mediator).post(f"/sessions/{session.pk}/cancel",
                                           {"reason": "债务人住院"})

        assert response.status_code == 200
        body = response.json()
        assert (body["status"], body["status_label"]) == ("cancelled", "已取消")
        assert body["cancel_reason"] == "债务人住院"
        assert body["cancelled_at"] is not None

    def test_a_held_session_is_a_conflict(self, desk, mediating):
        session = held(desk, mediating)
        response = Api(desk.mediator).post(f"/sessions/{session.pk}/cancel", {"reason": "误"})
        assert response.status_code == 409
        assert response.json()["code"] == "session_change_refused"
        assert response.json()["details"] == {"status": "held", "change": "cancel"}

    def test_no_reason_is_a_422(self, desk, mediating):
        session = schedule(desk, mediating)
        response = Api(desk.mediator).post(f"/sessions/{session.pk}/cancel", {"reason": " "})
        assert response.status_code == 422


class TestReschedule:
    def test_a_session_moves_and_keeps_what_is_not_given(self, desk, mediating):
        session = schedule(desk, mediating)
        later = (clock.now() + dt.timedelta(days=4)).replace(microsecond=0)

        response = Api(desk.mediator).post(f"/sessions/{session.pk}/reschedule",
                                           {"starts_at": iso(later)})

        assert response.status_code == 200
        body = response.json()
        assert dt.datetime.fromisoformat(body["starts_at"]) == later
        assert body["online_link"] == "https://meeting.example.com/j/1"
        assert body["reschedules"] == 1

    @pytest.mark.parametrize(("body", "status", "code"), [
        ({"starts_at": "PAST"}, 400, "mediation_invalid"),
        ({"starts_at": "LATER", "online_link": SCRIPT}, 400, "meeting_link_invalid"),
        ({"starts_at": "2030-01-01T10:00:00"}, 400, "mediation_invalid"),  # no zone
    ])
    def test_a_refused_move_says_why_and_changes_nothing(self, desk, mediating, body, status,
                                                         code):
        session = schedule(desk, mediating)
        times = {"PAST": iso(clock.now() - AN_HOUR),
                 "LATER": iso(clock.now() + dt.timedelta(days=2))}
        body = {k: times.get(v, v) for k, v in body.items()}

        response = Api(desk.mediator).post(f"/sessions/{session.pk}/reschedule", body)

        assert response.status_code == status
        assert response.json()["code"] == code
        session.refresh_from_db()
        assert session.reschedules == 0

    def test_a_held_session_is_a_conflict(self, desk, mediating):
        session = held(desk, mediating)
        response = Api(desk.mediator).post(f"/sessions/{session.pk}/reschedule",
                                           {"starts_at": iso(clock.now() + AN_HOUR)})
        assert response.status_code == 409
        assert response.json()["code"] == "session_change_refused"


class TestCorrectRecord:
    def test_a_correction_keeps_the_old_text(self, desk, mediating):
        session = held(desk, mediating, "同意分12期")

        response = Api(desk.director).post(f"/sessions/{session.pk}/record/corrections",
                                           {"record": "同意分24期", "reason": "期数笔误"})

        assert response.status_code == 201
        body = response.json()
        assert (body["record"], body["record_version"]) == ("同意分24期", 2)
        assert body["recorded_by"] == str(desk.director)
        [old] = body["record_versions"]
        assert (old["version"], old["text"], old["reason"]) == (1, "同意分12期", "期数笔误")
        assert (old["written_by"], old["corrected_by"]) == (str(desk.mediator),
                                                            str(desk.director))

    def test_a_record_never_saved_is_a_conflict(self, desk, mediating):
        session = schedule(desk, mediating)
        response = Api(desk.mediator).post(f"/sessions/{session.pk}/record/corrections",
                                           {"record": "补写", "reason": "补写"})
        assert response.status_code == 409
        assert response.json()["code"] == "session_change_refused"
        assert not RecordVersion.objects.exists()


class TestWhoTookPart:
    def test_the_recorder_is_present_and_someone_off_the_team_is_refused(self, desk,
                                                                        mediating):
        session = schedule(desk, mediating, at=clock.now() - AN_HOUR)
        refused = Api(desk.mediator).post(f"/sessions/{session.pk}/record", {
            "record": "记录", "staff_attended": {str(desk.agent.pk): True}})
        assert refused.status_code == 400
        assert refused.json()["code"] == "mediation_invalid"

        response = Api(desk.mediator).post(f"/sessions/{session.pk}/record",
                                           {"record": "记录"})

        staff = [a for a in response.json()["attendance"] if a["user_id"]]
        assert staff == [{"party_row_id": None, "user_id": desk.mediator.pk,
                          "name": str(desk.mediator), "attended": True}]


@pytest.mark.parametrize(("path", "body"), [
    ("cancel", {"reason": "理由"}),
    ("reschedule", {"starts_at": "2030-01-01T10:00:00+08:00"}),
    ("record/corrections", {"record": "笔录", "reason": "理由"}),
])
@pytest.mark.parametrize(("persona", "status"), [
    ("other_clerk", 404), ("other_agent", 404), ("agent", 403), ("judge", 403),
    ("supervisor", 403)])
def test_only_the_desk_changes_a_session(desk, mediating, path, body, persona, status):
    session = schedule(desk, mediating)
    events = mediating.events.count()

    response = Api(getattr(desk, persona)).post(f"/sessions/{session.pk}/{path}", body)

    assert response.status_code == status, response.content.decode()
    assert mediating.events.count() == events


def test_the_schema_names_every_session_operation_with_a_typed_answer(desk):
    schema = Api(desk.mediator).get("/openapi.json").json()
    operations = {op["operationId"]: op for item in schema["paths"].values()
                  for op in item.values()}
    for name in ("session_cancel", "session_reschedule", "session_record_correct",
                 "session_record", "session_schedule", "sessions_list"):
        answer = next(r for code, r in operations[name]["responses"].items()
                      if code.startswith("2"))
        shape = answer["content"]["application/json"]["schema"]
        assert "SessionOut" in str(shape), name
