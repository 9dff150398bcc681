"""With the two variables an operator must set and DEBUG off, the defaults are secure:
``check --deploy`` has nothing to say."""

from __future__ import annotations

from pathlib import Path

from tests.deploy.conftest import production_env, run


def test_check_deploy_is_clean_with_the_documented_variables(tmp_path: Path):
    done = run(["manage", "check", "--deploy", "--fail-level", "WARNING"],
               production_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_behind_a_proxy_is_still_clean_and_trusts_its_header(tmp_path: Path):
    env = production_env(tmp_path, JINTIAO_BEHIND_PROXY="1")
    done = run(["manage", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert done.returncode == 0, done.stdout + done.stderr
    done = run(["manage", "shell", "-c", "from django.conf import settings as s;"
                "print(s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"],
               env)
    assert done.stdout.split()[-4:] == ["('HTTP_X_FORWARDED_PROTO',", "'https')", "True", "True"]


def test_plain_http_is_a_choice_the_check_reports(tmp_path: Path):
    """JINTIAO_HTTPS=0 (an intranet without certificates) turns the secure defaults off, and
    the deploy check says so instead of passing quietly."""
    done = run(["manage", "check", "--deploy", "--fail-level", "WARNING"],
               production_env(tmp_path, JINTIAO_HTTPS="0"))
    assert done.returncode != 0
    assert "SECURE_SSL_REDIRECT" in done.stdout + done.stderr


def test_a_short_secret_key_is_reported(tmp_path: Path):
    env = production_env(tmp_path)
    env["JINTIAO_SECRET_KEY"] = "short"  # noqa: S105 - a key the check must refuse
    done = run(["manage", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert done.returncode != 0
    assert "SECRET_KEY" in done.stdout + done.stderr
