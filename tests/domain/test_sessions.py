"""What a session's meeting link may be: a web address, never a script or another scheme."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain.errors import ErrorCode
from jintiao.domain.sessions import (
    MeetingLinkInvalid,
    SessionChange,
    SessionChangeRefused,
    SessionStatus,
    may_change,
    meeting_link,
    require_change,
    shown_link,
)

GOOD = [
    "https://meeting.tencent.com/dm/AbC123",
    "http://192.168.1.10:8080/room/7",
    "HTTPS://VC.EXAMPLE.CN/j/88?pwd=x#top",
    "  https://zoom.example.com/j/1  ",
]
BAD = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    "  javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://files.example.com/a",
    "//evil.example.com/x",
    "meeting.tencent.com/dm/1",
    "https://",
    "https:///only/a/path",
    "https:\\\\evil.example.com",
    "https://exa mple.com/x",
    "https://example.com/\njavascript:alert(1)",
    "https://zoom.example.com@evil.example.com/",
    "https://" + "a" * 500 + ".com",
]


@pytest.mark.parametrize("link", GOOD)
def test_a_web_address_is_a_meeting_link(link):
    assert meeting_link(link) == link.strip()
    assert shown_link(link.strip()) == link.strip()


@pytest.mark.parametrize("link", BAD)
def test_anything_but_a_web_address_is_refused_and_never_shown(link):
    with pytest.raises(MeetingLinkInvalid) as refused:
        meeting_link(link)
    assert refused.value.code == ErrorCode.MEETING_LINK_INVALID
    assert shown_link(link) == ""


def test_no_link_is_no_link():
    assert meeting_link("   ") == ""
    assert shown_link("") == ""


@given(st.text(max_size=80))
def test_what_is_shown_is_a_web_address_or_nothing(text):
    shown = shown_link(text)
    assert shown == "" or shown.lower().startswith(("http://", "https://"))
    assert not any(c.isspace() or ord(c) < 32 for c in shown)
    try:
        stored = meeting_link(text)
    except MeetingLinkInvalid:
        assert shown == ""
    else:
        assert shown_link(stored) == stored


@given(st.sampled_from(["javascript", "data", "vbscript", "JAVASCRIPT", "jAvAsCrIpT"]),
       st.text(max_size=40))
def test_a_script_is_never_shown_whatever_follows(scheme, rest):
    assert shown_link(f"{scheme}:{rest}") == ""


@pytest.mark.parametrize(("status", "allowed"), [
    (SessionStatus.SCHEDULED, {SessionChange.CANCEL, SessionChange.RESCHEDULE,
                               SessionChange.RECORD}),
    (SessionStatus.HELD, {SessionChange.CORRECT}),
    (SessionStatus.CANCELLED, set()),
])
def test_what_each_status_allows(status, allowed):
    for change in SessionChange:
        assert may_change(status, change) is (change in allowed)
        if change in allowed:
            require_change(status, change)
        else:
            with pytest.raises(SessionChangeRefused) as refused:
                require_change(status, change)
            assert refused.value.code == ErrorCode.SESSION_CHANGE_REFUSED
            assert refused.value.details == {"status": status.value, "change": change.value}


@pytest.mark.parametrize(("status", "change", "why"), [
    (SessionStatus.HELD, SessionChange.CANCEL, "已举行并记录笔录，不能取消"),
    (SessionStatus.CANCELLED, SessionChange.RESCHEDULE, "已取消，不能改期"),
    (SessionStatus.SCHEDULED, SessionChange.CORRECT, "尚未记录笔录"),
    (SessionStatus.HELD, SessionChange.RECORD, "请更正笔录"),
])
def test_a_refusal_says_why_in_chinese(status, change, why):
    with pytest.raises(SessionChangeRefused, match=why):
        require_change(status, change)
