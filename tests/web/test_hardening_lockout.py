"""Sign-in throttling (issue 18): after five failures for one account, or from one address,
the workbench, the admin and the party portal refuse even the right password or code for
the cool-off, on a page in Chinese that says how long to wait and whom to call (429); the
wait over, it works again; a success forgives the account's own failures and nobody
else's. Attempts are rows in the database, so every worker and host counts the same."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client, RequestFactory

from jintiao.messaging.selectors import outbox_code
from jintiao.parties.models import PartyAccount
from jintiao.portal.models import SignInCode
from jintiao.web.lockout import client_ip
from tests.factories import UserFactory, resident_id
from tests.portal.helpers import debtor_of, id_of, phone_of
from tests.web.test_accessibility import english

pytestmark = pytest.mark.django_db

PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' password


def sign_in(path: str, username: str, password: str, ip: str = "198.51.100.1"):
    return Client(REMOTE_ADDR=ip).post(path, {"username": username, "password": password})


def signed_in(response) -> bool:
    return response.status_code == 302


def wait_out_the_cool_off(minutes: int = 16) -> None:
    """The attempts' time moved back, as if ``minutes`` had passed."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=minutes))


def assert_lockout_page(response, *, contact: str) -> None:
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    html = response.content.decode()
    assert "登录已暂停" in html
    assert "15分钟后再试" in html
    assert contact in html
    assert english(html) == []


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_five_wrong_passwords_and_the_right_one_is_refused_until_the_wait_is_over(path):
    user = UserFactory()
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    for n in range(4):
        assert sign_in(path, user.username, f"wrong-{n}").status_code == 200  # the form again
    assert_lockout_page(sign_in(path, user.username, "wrong-4"), contact="本单位的系统管理员")
    assert_lockout_page(sign_in(path, user.username, PASSWORD), contact="本单位的系统管理员")
    wait_out_the_cool_off(14)
    assert not signed_in(sign_in(path, user.username, PASSWORD))  # each try restarts the wait
    wait_out_the_cool_off()
    assert signed_in(sign_in(path, user.username, PASSWORD))


def test_a_success_forgives_the_account_s_failures():
    user = UserFactory()
    for _ in range(2):
        for n in range(4):
            sign_in("/login/", user.username, f"wrong-{n}")
        assert signed_in(sign_in("/login/", user.username, PASSWORD))
    assert not AccessAttempt.objects.filter(username=user.username).exists()


def test_the_account_is_locked_whichever_addresses_the_guesses_come_from():
    user, other = UserFactory(), UserFactory()
    for n in range(5):
        sign_in("/login/", user.username, "wrong", ip=f"203.0.113.{n + 1}")
    assert sign_in("/login/", user.username, PASSWORD, ip="203.0.113.99").status_code == 429
    assert signed_in(sign_in("/login/", other.username, PASSWORD, ip="203.0.113.99"))


def test_one_address_is_locked_whichever_accounts_it_guesses():
    users = [UserFactory() for _ in range(6)]
    for user in users[:5]:
        sign_in("/login/", user.username, "wrong", ip="203.0.113.7")
    assert sign_in("/login/", users[5].username, PASSWORD, ip="203.0.113.7").status_code == 429
    assert signed_in(sign_in("/login/", users[5].username, PASSWORD, ip="203.0.113.8"))


def test_signing_in_to_one_s_own_account_does_not_wipe_the_guesses_at_another():
    """Axes' own handler clears every failure from the address on a success; then a few
    guesses and one sign-in to one's own account, over and over, would never lock anyone."""
    mine, theirs = UserFactory(), UserFactory()
    for _ in range(2):
        for n in range(2):
            sign_in("/login/", theirs.username, f"guess-{n}", ip="203.0.113.50")
        assert signed_in(sign_in("/login/", mine.username, PASSWORD, ip="203.0.113.50"))
    sign_in("/login/", theirs.username, "guess-5", ip="203.0.113.51")
    assert sign_in("/login/", theirs.username, PASSWORD, ip="203.0.113.52").status_code == 429


def test_the_lockout_counts_the_address_the_proxy_saw(settings):
    """Behind the platform's proxy every request comes from the proxy: the address counted
    is the one the proxy appended, not one the client wrote into the header itself."""
    request = RequestFactory().post("/login/", REMOTE_ADDR="10.0.0.2",
                                    HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert client_ip(request) == "10.0.0.2"
    settings.BEHIND_PROXY = True
    settings.FORWARDED_ALLOW_IPS = frozenset({"10.0.0.2"})
    assert client_ip(request) == "203.0.113.9"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


def test_a_forwarded_address_from_anyone_but_the_proxy_is_not_believed(settings):
    """A host that reaches the application's port directly cannot spread its failures over
    addresses it makes up."""
    settings.BEHIND_PROXY = True
    settings.FORWARDED_ALLOW_IPS = frozenset({"10.0.0.2"})
    request = RequestFactory().post("/login/", REMOTE_ADDR="10.0.0.77",
                                    HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(request) == "10.0.0.77"
    settings.FORWARDED_ALLOW_IPS = frozenset({"*"})
    assert client_ip(request) == "203.0.113.9"


def test_a_direct_client_cannot_claim_https_or_an_address(settings):
    """Through the middleware: the headers of a request not from the proxy are dropped, so
    Django's HTTPS check and the lockout see the request as it came."""
    from django.http import HttpResponse

    from jintiao.web.proxy import ForwardedOnlyFromProxy

    settings.BEHIND_PROXY = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.FORWARDED_ALLOW_IPS = frozenset({"10.0.0.2"})
    seen = {}

    def view(request):
        seen.update(secure=request.is_secure(), ip=client_ip(request))
        return HttpResponse()

    middleware = ForwardedOnlyFromProxy(view)
    headers = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    middleware(RequestFactory().get("/", REMOTE_ADDR="10.0.0.77", **headers))
    assert seen == {"secure": False, "ip": "10.0.0.77"}
    middleware(RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", **headers))
    assert seen == {"secure": True, "ip": "203.0.113.9"}
    settings.BEHIND_PROXY = False
    middleware(RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", **headers))
    assert seen["ip"] == "10.0.0.2"


def test_the_attempts_record_keeps_no_password():
    user = UserFactory()
    sign_in("/login/", user.username, "wrong-secret")
    attempt = AccessAttempt.objects.get()
    assert "wrong-secret" not in attempt.post_data


# --- the party portal: wrong codes and identity numbers


class Portal:
    """A phone signing in to the portal from one address: a fresh code each time (the
    minute between codes waited out), then the code and an identity number."""

    def __init__(self, party, ip: str = "198.51.100.20", *, phone: str = "") -> None:
        self.party, self.client = party, Client(REMOTE_ADDR=ip)
        self.phone = phone or phone_of(party)

    def code(self) -> str:
        SignInCode.objects.update(sent_at=F("sent_at") - dt.timedelta(minutes=2))
        self.client.post("/p/login/", {"step": "code", "phone": self.phone})
        code = outbox_code(self.phone)
        assert code is not None
        return code

    def verify(self, *, id_number: str = "", code: str = ""):
        return self.client.post("/p/login/", {
            "step": "verify", "phone": self.phone, "code": code or self.code(),
            "id_number": id_number or id_of(self.party), "consent": "on"})


@pytest.fixture
def portal_limits(settings):
    settings.PORTAL_CODES_PER_HOUR = settings.PORTAL_CODES_PER_DAY = 100


def test_five_wrong_identity_numbers_lock_the_number_out_of_the_portal(cases, portal_limits):
    phone = Portal(debtor_of(cases[0]))
    for n in range(4):
        page = phone.verify(id_number=resident_id(900 + n))
        assert "验证码或身份证号码不正确" in page.content.decode()
    assert_lockout_page(phone.verify(id_number=resident_id(904)),
                        contact="受理您纠纷的调解委员会")
    refused = phone.verify()  # a fresh code and the right identity number
    assert_lockout_page(refused, contact="受理您纠纷的调解委员会")
    assert "当事人端" in refused.content.decode()  # the portal's own look
    assert not PartyAccount.objects.exists()
    wait_out_the_cool_off()
    assert phone.verify().status_code == 302
    assert PartyAccount.objects.get().party == debtor_of(cases[0])
    assert not AccessAttempt.objects.exists()  # the number's failures forgiven


def test_a_locked_number_is_texted_no_code(cases, portal_limits):
    phone = Portal(debtor_of(cases[0]))
    for n in range(5):
        phone.verify(id_number=resident_id(900 + n))
    texts = SignInCode.objects.count()
    SignInCode.objects.update(sent_at=F("sent_at") - dt.timedelta(minutes=2))
    assert phone.client.post("/p/login/", {"step": "code", "phone": phone_of(
        debtor_of(cases[0]))}).status_code == 429
    assert SignInCode.objects.count() == texts


def test_the_portal_locks_the_number_across_addresses_and_the_address_across_numbers(
        cases, portal_limits):
    debtor = debtor_of(cases[0])
    for n in range(5):
        Portal(debtor, ip=f"203.0.113.{n + 1}").verify(id_number=resident_id(900 + n))
    assert Portal(debtor, ip="203.0.113.99").verify().status_code == 429
    wait_out_the_cool_off()
    for n in range(5):  # one address trying another number with codes made up
        Portal(debtor, ip="203.0.113.7", phone="13900000077").verify(code=f"{n:06d}")
    assert Portal(debtor, ip="203.0.113.7").verify().status_code == 429
    assert Portal(debtor, ip="203.0.113.8").verify().status_code == 302


def test_the_record_of_portal_attempts_names_no_number_code_or_identity(cases, portal_limits):
    debtor = debtor_of(cases[0])
    Portal(debtor).verify(id_number=resident_id(900), code="123456")
    attempt = AccessAttempt.objects.get()
    assert attempt.username.startswith("portal:")
    for secret in (phone_of(debtor), resident_id(900), "123456"):
        assert secret not in attempt.username + attempt.post_data + attempt.get_data


def test_a_party_signing_in_keeps_the_count_of_a_staff_account_failing_there(
        cases, portal_limits):
    staff = UserFactory()
    for n in range(4):
        sign_in("/login/", staff.username, f"wrong-{n}", ip="198.51.100.20")
    assert Portal(debtor_of(cases[0])).verify().status_code == 302
    assert AccessAttempt.objects.filter(username=staff.username).exists()
