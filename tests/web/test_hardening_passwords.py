"""Passwords (issue 18): Django's validators with at least 10 characters wherever a password
is set — the service that makes users (the demo, the CLI), the admin's forms and
``createsuperuser`` — refusing "1" and "password12" with reasons in Chinese; the demo's
documented password still passes for every demo persona."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from jintiao.demo.seed import DEMO_PASSWORD
from jintiao.domain.errors import ErrorCode
from jintiao.domain.lifecycle import Role
from jintiao.orgs.models import User
from jintiao.orgs.services import PasswordInvalid, password_check, user_create
from tests.factories import UserFactory
from tests.web.test_accessibility import english

pytestmark = pytest.mark.django_db

REFUSED = {
    "1": ["密码太短，至少需要10个字符。", "这个密码太常见了。", "密码只包含数字。"],
    "password12": ["这个密码太常见了。"],
    "1234567890": ["这个密码太常见了。", "密码只包含数字。"],
    "mediator2026": ["密码跟 用户名 太相似了。"],
}


@pytest.mark.parametrize("password", REFUSED)
def test_the_service_refuses_a_weak_password_and_makes_no_user(world, password):
    with pytest.raises(PasswordInvalid) as refused:
        user_create(username="mediator", organization=world.committee,
                    roles=[Role.MEDIATOR], password=password)
    assert refused.value.code is ErrorCode.PASSWORD_INVALID
    assert refused.value.message == "；".join(REFUSED[password])
    assert refused.value.message_en.isascii()  # the same reasons in English, for logs
    assert not User.objects.filter(username="mediator").exists()


@pytest.mark.parametrize("username", ["clerk", "director", "mediator", "agent", "approver",
                                      "approver-union", "judge", "court_clerk", "supervisor",
                                      "regulator", "admin", "mediator-001", "clerk-522601"])
def test_the_demo_password_passes_for_every_demo_persona(username):
    assert password_check(DEMO_PASSWORD, User(username=username)) is None  # no refusal


def test_a_user_without_a_password_is_still_made(world):
    """Staff who sign in some other way, and parties, have no usable password at all."""
    user = user_create(username="nopassword", organization=world.committee,
                       roles=[Role.MEDIATOR])
    assert not user.has_usable_password()


ROLES = {"role_rows-TOTAL_FORMS": "0", "role_rows-INITIAL_FORMS": "0"}  # the roles inline


@pytest.fixture
def admin_client(world):
    admin = UserFactory(organization=world.committee, roles=[Role.ADMINISTRATOR])
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(admin)
    return client


@pytest.mark.parametrize("password", ["1", "password12"])
def test_the_admin_refuses_a_weak_password_for_a_new_user(admin_client, password):
    response = admin_client.post("/admin/orgs/user/add/", {
        **ROLES, "username": "newclerk", "usable_password": "true",
        "password1": password, "password2": password})
    assert response.status_code == 200  # the form again
    html = response.content.decode()
    for reason in REFUSED[password]:
        assert reason in html
    assert not User.objects.filter(username="newclerk").exists()


def test_the_admin_takes_a_good_password_for_a_new_user(admin_client):
    response = admin_client.post("/admin/orgs/user/add/", {
        **ROLES, "username": "newclerk", "usable_password": "true",
        "password1": "黔东南调解2026!", "password2": "黔东南调解2026!"})
    assert response.status_code == 302
    assert User.objects.get(username="newclerk").check_password("黔东南调解2026!")


def test_the_admin_refuses_a_weak_password_when_one_is_changed(admin_client, world):
    response = admin_client.post(f"/admin/orgs/user/{world.clerk.pk}/password/", {
        "password1": "password12", "password2": "password12"})
    assert response.status_code == 200
    assert "这个密码太常见了。" in response.content.decode()
    world.clerk.refresh_from_db()
    assert world.clerk.check_password("pass-for-tests")


def test_the_admin_gives_every_reason_in_chinese(admin_client):
    """Django 5.2's zh-hans catalogue lacks the short password's message: ours says it."""
    response = admin_client.post("/admin/orgs/user/add/", {
        **ROLES, "username": "newclerk", "usable_password": "true", "password1": "1",
        "password2": "1"})
    errors = [e.split("</ul>")[0] for e in response.content.decode().split('class="errorlist')[1:]]
    assert len(errors) == 1
    assert "密码太短" in errors[0]
    assert english(errors[0].split(">", 1)[1]) == []


def test_createsuperuser_without_a_terminal_checks_the_password_too(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "1")
    with pytest.raises(CommandError, match="密码太短"):
        call_command("createsuperuser", interactive=False, username="root",
                     email="root@example.invalid", verbosity=0)
    assert not User.objects.filter(username="root").exists()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "黔东南调解2026!")
    call_command("createsuperuser", interactive=False, username="root",
                 email="root@example.invalid", verbosity=0)
    assert User.objects.get(username="root").is_superuser
