"""Every change the mediation workbench makes: one function per change, each in one
transaction with the dispute row locked, each appending its timeline event; split by what
it changes (see each module). Interfaces import from here.

Events never carry private content: a caucus note's event says which side spoke, not what
was said; a blind bound's event says that a side entered one, not its figures.
"""

from jintiao.mediation.services.actions import action_apply, dispute_triage
from jintiao.mediation.services.blind_offers import blind_bound_enter
from jintiao.mediation.services.common import (
    ApprovalRequired,
    MediationDeadlinePassed,
    MediationInvalid,
    require_plan_dates,
)
from jintiao.mediation.services.failure import (
    facts_code_send,
    facts_sign,
    undisputed_facts_confirm,
    undisputed_facts_record,
)
from jintiao.mediation.services.failure_package import (
    FAILURE_PACKAGE_STATES,
    failure_package_generate,
    shared_evidence,
    ties_offered,
)
from jintiao.mediation.services.hardship import (
    pause_decide,
    pause_end,
    pause_request,
    pause_review,
    pauses_expire,
)
from jintiao.mediation.services.joint import (
    joint_create,
    joint_plan,
    joint_plan_propose,
    joint_session_schedule,
)
from jintiao.mediation.services.offers import (
    MAX_MENU_ITEMS,
    MenuBeyondAuthority,
    MenuStale,
    approval_decide,
    approval_request,
    menu_offers_put,
    menu_publish,
    offer_accept,
    offer_propose,
    offer_reject,
    offer_withdraw,
)
from jintiao.mediation.services.paperwork import notice_generate
from jintiao.mediation.services.records import budget_declare, consent_record, evaluation_record
from jintiao.mediation.services.sessions import (
    attachment_add,
    caucus_note_add,
    session_cancel,
    session_record,
    session_record_correct,
    session_reschedule,
    session_schedule,
)
from jintiao.mediation.services.team import mediators_change, recusal_decide, recusal_request

__all__ = [
    "FAILURE_PACKAGE_STATES",
    "MAX_MENU_ITEMS",
    "ApprovalRequired",
    "MediationDeadlinePassed",
    "MediationInvalid",
    "MenuBeyondAuthority",
    "MenuStale",
    "action_apply",
    "approval_decide",
    "approval_request",
    "attachment_add",
    "blind_bound_enter",
    "budget_declare",
    "caucus_note_add",
    "consent_record",
    "dispute_triage",
    "evaluation_record",
    "facts_code_send",
    "facts_sign",
    "failure_package_generate",
    "joint_create",
    "joint_plan",
    "joint_plan_propose",
    "joint_session_schedule",
    "mediators_change",
    "menu_offers_put",
    "menu_publish",
    "notice_generate",
    "offer_accept",
    "offer_propose",
    "offer_reject",
    "offer_withdraw",
    "pause_decide",
    "pause_end",
    "pause_request",
    "pause_review",
    "pauses_expire",
    "recusal_decide",
    "recusal_request",
    "require_plan_dates",
    "session_cancel",
    "session_record",
    "session_record_correct",
    "session_reschedule",
    "session_schedule",
    "shared_evidence",
    "ties_offered",
    "undisputed_facts_confirm",
    "undisputed_facts_record",
]
