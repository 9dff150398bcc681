"""The outbox names what each text was for in words: the platform's own texts by their
purpose, a template's text by the template's purpose, an unknown one as stored."""

from __future__ import annotations

import pytest

from jintiao.outreach.models import MessageTemplate
from jintiao.outreach.selectors import SYSTEM_PURPOSES, purpose_label


@pytest.mark.parametrize(("stored", "shown"), [
    ("portal_sign_in", "当事人端登录验证码"),
    ("agreement_signing", "协议签署验证码"),
    ("performance_reminder", "履行提醒"),
    ("outreach:notice", "文书送达"),
    ("outreach:invitation", "调解邀请"),
    ("outreach:unheard-of", "outreach:unheard-of"),
    ("something_new", "something_new"),
])
def test_a_purpose_in_words(stored, shown):
    assert purpose_label(stored) == shown


def test_every_template_purpose_has_words():
    for kind in MessageTemplate.Purpose:
        assert purpose_label(f"outreach:{kind.value}") == kind.label


def test_the_platforms_own_purposes_are_the_ones_its_code_sends():
    """Each purpose the code passes to the SMS backend is one the outbox can name."""
    import pathlib
    import re

    src = pathlib.Path(__file__).parents[2] / "src" / "jintiao"
    sent = set()
    for path in src.rglob("*.py"):
        sent |= set(re.findall(r'purpose="([a-z_]+)"', path.read_text(encoding="utf-8")))
    sent -= {"waive_confirmation", "remediate"}  # consents' purposes, not texts'
    assert sent <= set(SYSTEM_PURPOSES), sent - set(SYSTEM_PURPOSES)
