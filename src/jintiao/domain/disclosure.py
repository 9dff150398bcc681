"""Showing a party's full identity number or mobile to someone who needs it: what may be
asked for, and the reason that must come with the request.

Screens and the API keep numbers masked. A role that needs one in full (the desk checking
an identity card, the court reviewing an application) asks for it, for one party, with a
reason chosen from a list and a few words of its own; the request is on the dispute's
timeline and in the supervisors' list of who saw whose data — never the number itself
(《个人信息保护法》 Art. 6, the minimum necessary; Art. 51, access controls and a trace).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from jintiao.domain.errors import DomainError, ErrorCode

# what may be shown in full, and its name in words
FIELDS = {"id_number": "证件号码", "phone": "手机号码"}

# why: each reason a role that may see a number has for it
REASONS = {
    "verify_identity": "核验当事人身份",
    "contact_or_serve": "联系当事人或送达文书",
    "prepare_documents": "制作或核对法律文书",
    "court_review": "司法确认立案或审查",
    "other": "其他",
}

NOTE_MIN, NOTE_MAX = 4, 200
# this many digits in the note, in any script and however spaced ("138 0013 8000"), look
# like a number typed into it: the note is on the timeline for good, and a number must never be
NOTE_DIGITS_MAX = 6
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


class RevealInvalid(DomainError):
    code = ErrorCode.REVEAL_INVALID


@dataclass(frozen=True)
class RevealRequest:
    """A checked request: the fields in their declared order, the reason's code, its note."""

    fields: tuple[str, ...]
    reason: str
    note: str

    @property
    def labels(self) -> list[str]:
        return [FIELDS[f] for f in self.fields]

    @property
    def reason_label(self) -> str:
        return REASONS[self.reason]


def reveal_request(fields: Iterable[str], reason: str, note: str) -> RevealRequest:
    """Check what is asked for and why.

    :raises RevealInvalid: no field or an unknown one, a reason not on the list, a note
        shorter than four characters or longer than 200, holding invisible characters or
        something that looks like a number (``field`` names which)
    """
    asked = set(fields)
    unknown = sorted(asked - set(FIELDS))
    if unknown or not asked:
        raise RevealInvalid("请选择要查看的证件号码或手机号码", "choose the id number or the phone",
                            field="fields")
    if reason not in REASONS:
        raise RevealInvalid("请从列表中选择查看理由", "choose a reason from the list",
                            field="reason")
    note = " ".join(note.split())
    if any(unicodedata.category(c) in _REFUSED_CATEGORIES for c in note):
        raise RevealInvalid("说明含有不可见的字符", "the note holds invisible characters",
                            field="note")
    if len(note) < NOTE_MIN:
        raise RevealInvalid(f"请具体说明为何需要完整号码（至少{NOTE_MIN}个字）",
                            f"say why, in at least {NOTE_MIN} characters", field="note")
    if len(note) > NOTE_MAX:
        raise RevealInvalid(f"说明不能超过{NOTE_MAX}个字", f"at most {NOTE_MAX} characters",
                            field="note")
    if sum(ch.isdigit() for ch in note) >= NOTE_DIGITS_MAX:
        raise RevealInvalid("说明中请勿填写证件号码、手机号码等号码",
                            "keep numbers out of the note", field="note")
    return RevealRequest(tuple(f for f in FIELDS if f in asked), reason, note)
