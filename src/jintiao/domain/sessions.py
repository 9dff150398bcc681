"""Rules of a mediation session that need no database: what a meeting link may be, and
which change a session in each status allows (cancel, reschedule, record, correct).

A meeting link is typed by a mediator and opened by parties on the portal, so it is the
one piece of a session that runs in someone else's browser: only a web address is kept,
and only a web address is ever rendered as a link (rows stored before this rule included).
"""

from __future__ import annotations

import re
from enum import StrEnum
from urllib.parse import urlsplit

from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.lifecycle import TransitionRefused

MAX_LINK_CHARS = 500
_HOST = re.compile(r"^[0-9A-Za-z\-._~%\[\]:]+$")  # a host name, an IPv4 or [IPv6], a port


class MeetingLinkInvalid(DomainError):
    """A meeting link that is not a web (http or https) address."""

    code = ErrorCode.MEETING_LINK_INVALID


class SessionChangeRefused(TransitionRefused):
    """The session is not where this change can be made (a held session is not
    cancelled, a cancelled one not rescheduled, a record never saved is not corrected)."""

    code = ErrorCode.SESSION_CHANGE_REFUSED


def _web_address(text: str) -> bool:
    if not text or len(text) > MAX_LINK_CHARS:
        return False
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 or c == "\\" for c in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:  # an unbalanced [IPv6] bracket
        return False
    return (parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
            and "@" not in parts.netloc  # https://meeting.example.com@evil.example.com
            and bool(_HOST.match(parts.netloc)) and bool(parts.hostname))


def meeting_link(text: str) -> str:
    """The link as stored: the typed text without surrounding blanks, "" for none.

    :raises MeetingLinkInvalid: anything but an ``http://`` or ``https://`` address with a
        host — a ``javascript:`` or ``data:`` link would run in the reader's browser
    """
    link = text.strip()
    if not link:
        return ""
    if len(link) > MAX_LINK_CHARS:
        raise MeetingLinkInvalid(f"会议链接不得超过{MAX_LINK_CHARS}个字符",
                                 "the meeting link is too long")
    if not _web_address(link):
        raise MeetingLinkInvalid("会议链接须为以 http:// 或 https:// 开头的网址",
                                 "a meeting link is an http(s) address", link=link[:60])
    return link


def shown_link(stored: str) -> str:
    """The stored link if it may be rendered as a link, else "" (shown as no link)."""
    return stored if _web_address(stored) else ""


class SessionStatus(StrEnum):
    """Where a session stands."""

    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"scheduled": "已安排", "held": "已举行", "cancelled": "已取消"}[self.value]


class SessionChange(StrEnum):
    """What can be done to a session once it is scheduled."""

    CANCEL = "cancel"
    RESCHEDULE = "reschedule"
    RECORD = "record"
    CORRECT = "correct"

    @property
    def label(self) -> str:
        return {"cancel": "取消", "reschedule": "改期", "record": "记录笔录",
                "correct": "更正笔录"}[self.value]


# A session to come may be cancelled, moved or (once it began) recorded; a held one has a
# record that may only be corrected; a cancelled one is kept as it was.
ALLOWED: dict[SessionStatus, frozenset[SessionChange]] = {
    SessionStatus.SCHEDULED: frozenset({SessionChange.CANCEL, SessionChange.RESCHEDULE,
                                        SessionChange.RECORD}),
    SessionStatus.HELD: frozenset({SessionChange.CORRECT}),
    SessionStatus.CANCELLED: frozenset(),
}
_WHY = {
    (SessionStatus.HELD, SessionChange.CANCEL): "该次调解已举行并记录笔录，不能取消",
    (SessionStatus.HELD, SessionChange.RESCHEDULE):
        "该次调解已举行，不能改期；如需再次调解，请另行安排",
    (SessionStatus.HELD, SessionChange.RECORD):
        "该次调解已记录笔录，笔录不能改写；如有错误，请更正笔录（原笔录将保留）",
    (SessionStatus.CANCELLED, SessionChange.CANCEL): "该次调解已取消",
    (SessionStatus.CANCELLED, SessionChange.RESCHEDULE): "该次调解已取消，不能改期；请重新安排",
    (SessionStatus.CANCELLED, SessionChange.RECORD): "该次调解已取消，不能记录笔录",
    (SessionStatus.CANCELLED, SessionChange.CORRECT): "该次调解已取消，没有可更正的笔录",
    (SessionStatus.SCHEDULED, SessionChange.CORRECT): "该次调解尚未记录笔录，没有可更正的笔录",
}


def may_change(status: str, change: SessionChange) -> bool:
    return change in ALLOWED[SessionStatus(status)]


def require_change(status: str, change: SessionChange) -> None:
    """:raises SessionChangeRefused: ``change`` is not possible in ``status``"""
    if not may_change(status, change):
        now = SessionStatus(status)
        raise SessionChangeRefused(_WHY[(now, change)],
                                   f"cannot {change.value} a {now.value} session",
                                   status=now.value, change=change.value)
