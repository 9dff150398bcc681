"""Idle sessions end (issue 18): staff after ``JINTIAO_SESSION_IDLE_HOURS`` (8) without a
request, parties on the portal after ``JINTIAO_PORTAL_IDLE_MINUTES`` (30); every request
moves the end on, so someone at work is never signed out. Sessions live in the database and
expire on Django's clock, which the tests move forward."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from jintiao.messaging.selectors import outbox_code
from tests.factories import UserFactory
from tests.portal.helpers import debtor_of, id_of, phone_of

pytestmark = pytest.mark.django_db

PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' password


@contextmanager
def later(**elapsed: float):
    """Django's clock (sessions' expiry) ``elapsed`` from now."""
    at = timezone.now() + dt.timedelta(**elapsed)
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def at_work(client: Client, path: str) -> bool:
    return client.get(path).status_code == 200


def test_staff_sessions_end_after_eight_idle_hours_and_not_while_working(world):
    client = Client()
    response = client.post("/login/", {"username": world.clerk.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[django_settings.SESSION_COOKIE_NAME]["max-age"] == 8 * 3600
    with later(hours=7, minutes=50):
        assert at_work(client, "/")  # and the end moves to 15:50 from now
    with later(hours=15, minutes=40):
        assert at_work(client, "/")  # a working day and a half, never idle for eight hours
    with later(hours=23, minutes=41):
        response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_idle_limit_is_a_setting(settings, world):
    settings.SESSION_COOKIE_AGE = 3600
    client = Client()
    client.post("/login/", {"username": world.clerk.username, "password": PASSWORD})
    with later(minutes=61):
        assert client.get("/").status_code == 302


def party_session(cases) -> Client:
    debtor = debtor_of(cases[0])
    client = Client()
    client.post("/p/login/", {"step": "code", "phone": phone_of(debtor)})
    response = client.post("/p/login/", {
        "step": "verify", "phone": phone_of(debtor), "code": outbox_code(phone_of(debtor)),
        "id_number": id_of(debtor), "consent": "on"})
    assert response.status_code == 302
    assert response.cookies[django_settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60
    return client


def test_a_party_s_session_ends_after_thirty_idle_minutes(cases):
    client = party_session(cases)
    with later(minutes=25):
        assert at_work(client, "/p/")
    with later(minutes=50):
        assert at_work(client, "/p/")  # active: 25 minutes since the last page
    with later(minutes=81):
        response = client.get("/p/")
    assert response.status_code == 302
    assert response["Location"] == "/p/login/"


def test_the_portal_s_idle_limit_is_a_setting(settings, cases):
    settings.PORTAL_IDLE_MINUTES = 5
    debtor = debtor_of(cases[0])
    client = Client()
    client.post("/p/login/", {"step": "code", "phone": phone_of(debtor)})
    client.post("/p/login/", {"step": "verify", "phone": phone_of(debtor),
                              "code": outbox_code(phone_of(debtor)),
                              "id_number": id_of(debtor)})
    with later(minutes=4):
        assert at_work(client, "/p/")
    with later(minutes=10):
        assert client.get("/p/").status_code == 302


def test_staff_are_not_held_to_the_portal_s_limit(world):
    client = Client()
    client.force_login(UserFactory(organization=world.committee, roles=["mediator"]))
    with later(hours=2):
        assert at_work(client, "/")


def test_a_session_is_saved_again_once_a_minute_not_on_every_request(world):
    """The load benchmark found an UPDATE and a commit per page view from saving every
    session on every request; the end moves on at most once a minute instead."""
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.post("/login/", {"username": world.clerk.username, "password": PASSWORD})

    def session_writes() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert at_work(client, "/")
        return sum(1 for q in seen.captured_queries
                   if q["sql"].startswith("UPDATE") and Session._meta.db_table in q["sql"])

    with later(seconds=5):
        first = session_writes()
    with later(seconds=20):
        assert session_writes() == 0
    with later(seconds=70):
        assert session_writes() == 1
    assert first == 1  # the first request after signing in starts the minute
