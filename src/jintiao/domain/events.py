"""Every timeline event type, declared once: its stored string, its Chinese label, a
describer that puts what it carries into words, and who may read it.

The services write events only through these declarations
(:func:`jintiao.timeline.services.event_append` refuses any other type); the timeline
page, the API, the figures fold and the documents read them from here, so no page shows a
stored string and no reader guesses what a prefix means.

Naming a new type
-----------------
``<area>.<past_participle>``: dotted, lower-case ASCII letters and underscores, one dot.
The area is the app or record that changes (``payment``, ``agreement``, ``mediation``);
the second part says what happened, in the past (``recorded``, ``signed``,
``offer_made``). Declare it below with :func:`_declare` next to its area's neighbours,
give it a label a user reads, a describer, and its audience.

Strings already stored keep their spelling, even where they break the rule — they are
inside every dispute's hash chain, and renaming one would break the chains that hold it:
the lifecycle events ``dispute.<action>`` (the action's verb: ``dispute.accept``),
``outreach.contact``, ``outreach.service`` and ``mediation.caucus_note``.

Describers read only what an event holds, and never put into words a private note, a
blind bound, an address, a telephone, identity or account number, or a reference number:
the sentence reads the same to everyone the event's audience admits. They never raise: a
parameter missing or of another shape is left out of the sentence.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from jintiao.domain.confirmation import JUDGE_ONLY
from jintiao.domain.lifecycle import GUARD_LABELS, Action
from jintiao.domain.money import format_amount
from jintiao.domain.outreach import ContactChannel, ContactOutcome, ServiceChannel, ServiceResult
from jintiao.domain.policy import Track
from jintiao.domain.representation import Authority, Relation

SHANGHAI = ZoneInfo("Asia/Shanghai")  # how times are read aloud (DESIGN.md: Asia/Shanghai)
NAME = re.compile(r"[a-z][a-z_]*\.[a-z][a-z_]*")


class Audience(StrEnum):
    """Who may read an event on a dispute's timeline."""

    # everyone who may see the dispute: the committee, the institution, the court, the
    # supervisors above it
    DISPUTE = "dispute"
    # the committee's desk (its staff and the dispute's mediators), the supervisors above
    # the committee and the administrators — not the institution: who is contacted how is
    # not the creditor's business (the guard against collection in disguise), and a
    # supervisor's spot check is not the audited parties' to read
    DESK = "desk"

    @property
    def label(self) -> str:
        return {"dispute": "可查看该纠纷的所有人",
                "desk": "调委会经办人员、上级督导和系统管理员"}[self.value]


Params = Mapping[str, Any]
Describer = Callable[[Params], str]


def _nothing(params: Params) -> str:
    return ""


@dataclass(frozen=True)
class EventType:
    """One declared event type. ``type`` is the string stored on the event (and hashed)."""

    type: str
    label: str
    describer: Describer = _nothing
    audience: Audience = Audience.DISPUTE

    @property
    def area(self) -> str:
        """What the event is about: the part before the dot (``dispute``, ``reach``)."""
        return self.type.partition(".")[0]

    def describe(self, params: Params | None) -> str:
        """What the event says beyond its label, in Chinese (empty if nothing)."""
        return self.describer(params or {})

    def __str__(self) -> str:
        return self.type


class UnknownEventType(LookupError):
    """A type string no declaration holds: a programming error, never a user's."""

    def __init__(self, type: object) -> None:
        super().__init__(
            f"unregistered timeline event type {type!r}: declare it in "
            "jintiao.domain.events and write it through its constant")
        self.type = type


_REGISTRY: dict[str, EventType] = {}


def _declare(type: str, label: str, describer: Describer = _nothing,
             audience: Audience = Audience.DISPUTE) -> EventType:
    if not NAME.fullmatch(type) or type in _REGISTRY:
        raise ValueError(f"event type {type!r} is misspelt or declared twice")
    made = EventType(type, label, describer, audience)
    _REGISTRY[type] = made
    return made


def lookup(type: str) -> EventType:
    """The declaration of a stored type string.

    :raises UnknownEventType: nothing declares it
    """
    found = _REGISTRY.get(type) if isinstance(type, str) else None
    if found is None:
        raise UnknownEventType(type)
    return found


def registered(event_type: EventType | str) -> EventType:
    """``event_type`` as declared here, given its constant or its stored string.

    :raises UnknownEventType: neither the string nor the declaration is in the registry
        (a look-alike :class:`EventType` made elsewhere is not registered)
    """
    if isinstance(event_type, EventType):
        found = _REGISTRY.get(event_type.type)
        if found != event_type:
            raise UnknownEventType(event_type.type)
        return event_type
    return lookup(event_type)


def every() -> tuple[EventType, ...]:
    """Every declared type, in declaration order."""
    return tuple(_REGISTRY.values())


def types_for(audience: Audience) -> frozenset[str]:
    """The stored strings of the types ``audience`` admits."""
    return frozenset(t.type for t in _REGISTRY.values() if t.audience is audience)


# --- describing helpers: each returns "" for a value it cannot read ----------------------


def _text(params: Params, key: str) -> str:
    value = params.get(key)
    return value if isinstance(value, str) else ""


def _number(params: Params, key: str) -> int | None:
    value = params.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _word(labels: Mapping[str, str], value: object) -> str:
    return labels.get(value, "") if isinstance(value, str) else ""


def _yuan(value: object) -> str:
    try:
        return f"{format_amount(Decimal(value))}元" if isinstance(value, str) else ""
    except (InvalidOperation, ValueError, ArithmeticError):
        return ""


def _day(value: object) -> str:
    """An ISO date or date-time as ``2026-03-01`` (or ``2026-03-01 09:30``)."""
    if not isinstance(value, str) or not re.match(r"\d{4}-\d{2}-\d{2}", value):
        return ""
    return value[:16].replace("T", " ") if "T" in value else value[:10]


def _local_minute(value: object) -> str:
    """An aware ISO date-time as Beijing wall-clock time to the minute (``2026-03-01 09:30``);
    "" for anything else."""
    if not isinstance(value, str):
        return ""
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        return ""
    if at.tzinfo is None:
        return ""
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _joined(*parts: str) -> str:
    return "，".join(p for p in parts if p)


def _labels(enum: Any) -> dict[str, str]:
    return {member.value: member.label for member in enum}


SIDES = {"creditor": "债权人方", "debtor": "债务人方", "mediator": "调解员"}
MODES = {"face_to_face": "面对面", "back_to_back": "背对背", "online": "线上", "phone": "电话"}
OUTCOMES = {"overlap": "有交集，已提出建议方案", "no_overlap": "无交集",
            "needs_approval": "需上级授权"}
CONSENTS = {"extension": "同意延长调解期限", "remediate": "同意重新调解",
            "waive_confirmation": "同意不申请司法确认、直接履行"}
FOLLOW_UPS = {"phone": "电话回访", "visit": "上门回访", "online": "线上回访"}
CONTACT_CHANNELS = _labels(ContactChannel)
CONTACT_OUTCOMES = _labels(ContactOutcome)
SERVICE_CHANNELS = _labels(ServiceChannel)
SERVICE_RESULTS = _labels(ServiceResult)
REACH_CHANNELS = {**CONTACT_CHANNELS, **SERVICE_CHANNELS, "portal": "当事人端"}
TRACKS = _labels(Track)
RELATIONS = _labels(Relation)
AUTHORITIES = {Authority.GENERAL.value: "一般授权", Authority.SPECIAL.value: "特别授权"}


def _offer(params: Params) -> str:
    seq = _number(params, "offer")
    return f"方案{seq}" if seq else ""


def _session(params: Params) -> str:
    seq = _number(params, "session")
    return f"第{seq}次" if seq else ""


# --- intake and the lifecycle -------------------------------------------------------------


def _received(params: Params) -> str:
    total = _yuan(params.get("claim_total"))
    return f"申请金额{total}" if total else ""


def _representative(params: Params) -> str:
    return _joined(_word(RELATIONS, params.get("relation")),
                   _word(AUTHORITIES, params.get("authority")))


def _party_updated(params: Params) -> str:
    return _joined(_text(params, "name"), "、".join(str(x) for x in params.get("labels") or []))


def _revealed(params: Params) -> str:
    whose = _text(params, "name")
    what = "、".join(str(x) for x in params.get("labels") or [] if isinstance(x, str))
    reason, note = _text(params, "reason_label"), _text(params, "note")
    why = f"理由：{reason}" + (f"（{note}）" if note else "") if reason else ""
    return _joined(f"{whose}的{what}" if whose and what else whose or what, why)


def _lifecycle(params: Params) -> str:
    track = _word(TRACKS, params.get("track"))
    ground = "无法联系当事人" if params.get("ground") == "unreachable" else ""
    return _joined(track, ground)


DISPUTE_RECEIVED = _declare("dispute.received", "登记收案", _received)
# a dispute taken in from a person's application on the portal (issue 21 §1)
DISPUTE_FROM_APPLICATION = _declare(
    "dispute.from_application", "网上申请登记",
    lambda params: _joined(f"申请编号{_text(params, 'application')}",
                           f"附件{_number(params, 'files')}件" if params.get("files") else ""))
DISPUTE_REPRESENTATIVE_APPOINTED = _declare("dispute.representative_appointed", "登记代理人",
                                            _representative)
# which particulars were changed, never their values (the timeline is no copy of the file)
PARTY_UPDATED = _declare("party.updated", "更正当事人基本情况", _party_updated, Audience.DESK)
# who saw a party's full identity number or mobile, and why — never the number (PIPL Arts.
# 6, 51): the desk's and the supervisors' to read
PARTY_REVEALED = _declare("party.revealed", "查看当事人完整号码", _revealed, Audience.DESK)
DISPUTE_ACCEPT = _declare("dispute.accept", Action.ACCEPT.label, _lifecycle)
DISPUTE_DECLINE = _declare("dispute.decline", Action.DECLINE.label, _lifecycle)
DISPUTE_TRIAGE = _declare("dispute.triage", Action.TRIAGE.label, _lifecycle)
DISPUTE_ASSIGN = _declare("dispute.assign", Action.ASSIGN.label, _lifecycle)
DISPUTE_EXTEND = _declare("dispute.extend", Action.EXTEND.label, _lifecycle)
DISPUTE_AGREE = _declare("dispute.agree", Action.AGREE.label, _lifecycle)
DISPUTE_FAIL = _declare("dispute.fail", Action.FAIL.label, _lifecycle)
DISPUTE_WITHDRAW = _declare("dispute.withdraw", Action.WITHDRAW.label, _lifecycle)
DISPUTE_TRANSFER = _declare("dispute.transfer", Action.TRANSFER.label, _lifecycle)
DISPUTE_APPLY_CONFIRMATION = _declare("dispute.apply_confirmation",
                                      Action.APPLY_CONFIRMATION.label, _lifecycle)
DISPUTE_CONFIRM = _declare("dispute.confirm", Action.CONFIRM.label, _lifecycle)
DISPUTE_REJECT_CONFIRMATION = _declare("dispute.reject_confirmation",
                                       Action.REJECT_CONFIRMATION.label, _lifecycle)
DISPUTE_REMEDIATE = _declare("dispute.remediate", Action.REMEDIATE.label, _lifecycle)
DISPUTE_PERFORM_WITHOUT_CONFIRMATION = _declare("dispute.perform_without_confirmation",
                                                Action.PERFORM_WITHOUT_CONFIRMATION.label,
                                                _lifecycle)
DISPUTE_COMPLETE = _declare("dispute.complete", Action.COMPLETE.label, _lifecycle)
DISPUTE_DEFAULT = _declare("dispute.default", Action.DEFAULT.label, _lifecycle)
DISPUTE_CURE = _declare("dispute.cure", Action.CURE.label, _lifecycle)
DISPUTE_APPLY_ENFORCEMENT = _declare("dispute.apply_enforcement",
                                     Action.APPLY_ENFORCEMENT.label, _lifecycle)
DISPUTE_CLOSE = _declare("dispute.close", Action.CLOSE.label, _lifecycle)
DISPUTE_REVERSE_COMPLETION = _declare("dispute.reverse_completion",
                                      Action.REVERSE_COMPLETION.label, _lifecycle)

ACTIONS: Mapping[Action, EventType] = {
    action: lookup(f"dispute.{action.value}") for action in Action}


def for_action(action: Action) -> EventType:
    """The event a lifecycle action writes (``dispute.<action>``)."""
    return ACTIONS[Action(action)]


# --- the mediation workbench --------------------------------------------------------------


def _side(params: Params) -> str:
    return _word(SIDES, params.get("side"))


def _scheduled(params: Params) -> str:
    return _joined(_session(params), _word(MODES, params.get("mode")))


def _offer_made(params: Params) -> str:
    parts = [_offer(params), _word(SIDES, params.get("by"))]
    periods = _number(params, "periods")
    if params.get("side"):
        parts.append("背对背，仅该方及调解员可见")
    elif periods:
        total = _yuan(params.get("total"))
        parts.append(f"{periods}期" + (f"，合计{total}" if total else ""))
    return _joined(*parts)


def _answered(params: Params) -> str:
    both = "双方均已接受" if params.get("both") else ""
    return _joined(_offer(params), _side(params), both)


def _withdrawn(params: Params) -> str:
    return _offer(params) + ("（双方曾已接受，重新协商）" if params.get("was") == "accepted"
                             else "")


def _approval(params: Params) -> str:
    return _joined(_offer(params), "批准" if params.get("approved") else "未批准")


def _recusal(params: Params) -> str:
    return "准予回避" if params.get("granted") else "驳回申请"


def _round(params: Params) -> str:
    number = _number(params, "round")
    outcome = _word(OUTCOMES, params.get("outcome"))
    return f"第{number}轮：{outcome}" if number else outcome


def _consent(params: Params) -> str:
    return _word(CONSENTS, params.get("purpose"))


def _facts(params: Params) -> str:
    count = _number(params, "facts")
    return f"共{count}项" if count else "无无争议事实"


MEDIATION_TEAM_CHANGED = _declare("mediation.team_changed", "调整调解员")
MEDIATION_RECUSAL_REQUESTED = _declare("mediation.recusal_requested", "申请回避")
MEDIATION_RECUSAL_DECIDED = _declare("mediation.recusal_decided", "回避决定", _recusal)
MEDIATION_SESSION_SCHEDULED = _declare("mediation.session_scheduled", "安排调解", _scheduled)
MEDIATION_SESSION_HELD = _declare("mediation.session_held", "记录调解笔录", _session)


def _rescheduled(params: Params) -> str:
    to = _local_minute(params.get("to"))
    return _joined(_session(params), f"改至{to}" if to else "")


def _corrected(params: Params) -> str:
    version = _number(params, "version")
    return _joined(_session(params), f"第{version}版" if version else "")


MEDIATION_SESSION_CANCELLED = _declare("mediation.session_cancelled", "取消调解", _session)
MEDIATION_SESSION_RESCHEDULED = _declare("mediation.session_rescheduled", "调解改期",
                                         _rescheduled)
MEDIATION_RECORD_CORRECTED = _declare("mediation.record_corrected", "更正调解笔录", _corrected)
MEDIATION_CAUCUS_NOTE = _declare("mediation.caucus_note", "背对背谈话", _side)
MEDIATION_ATTACHMENT_ADDED = _declare("mediation.attachment_added", "上传附件", _session)
MEDIATION_OFFER_MADE = _declare("mediation.offer_made", "提出方案", _offer_made)
MEDIATION_OFFER_ACCEPTED = _declare("mediation.offer_accepted", "接受方案", _answered)
MEDIATION_OFFER_REJECTED = _declare("mediation.offer_rejected", "拒绝方案", _answered)
MEDIATION_OFFER_WITHDRAWN = _declare("mediation.offer_withdrawn", "撤回方案", _withdrawn)
MEDIATION_APPROVAL_REQUESTED = _declare("mediation.approval_requested", "报请上级审批", _offer)
MEDIATION_APPROVAL_DECIDED = _declare("mediation.approval_decided", "上级审批", _approval)
MEDIATION_BUDGET_DECLARED = _declare("mediation.budget_declared", "登记债务人收支")
MEDIATION_CONSENT_RECORDED = _declare("mediation.consent_recorded", "登记当事人同意", _consent)
MEDIATION_EVALUATION_RECORDED = _declare("mediation.evaluation_recorded", "出具中立评估意见",
                                         _offer)
MEDIATION_BLIND_BOUND_ENTERED = _declare("mediation.blind_bound_entered", "提交背靠背底线",
                                         _side)
MEDIATION_BLIND_ROUND_DECIDED = _declare("mediation.blind_round_decided", "背靠背报价结果",
                                         _round)
MEDIATION_FACTS_RECORDED = _declare("mediation.facts_recorded", "记载无争议事实", _facts)
MEDIATION_FACTS_CONFIRMED = _declare("mediation.facts_confirmed", "当事人确认无争议事实")

_PAUSE_GROUNDS = {"illness": "重大疾病或住院治疗", "job_loss": "失业或收入中断",
                  "disaster": "自然灾害等不可抗力", "family": "家庭重大变故"}
_PAUSE_OUTCOMES = {"expired": "期满恢复", "resumed": "提前恢复", "withdrawn": "纠纷终结"}


def _pause(params: Params) -> str:
    ground = _word(_PAUSE_GROUNDS, params.get("ground"))
    days = _number(params, "days")
    window = (f"{_text(params, 'starts_on')}至{_text(params, 'ends_on')}"
              if params.get("starts_on") else "")
    return _joined(ground, f"{days}天" if days else "", window,
                   _word(_PAUSE_OUTCOMES, params.get("outcome")),
                   f"调解期限顺延至{_text(params, 'deadline')}" if params.get("deadline") else "")


# joint mediation (issue 21 §2): the disputes joined, and each joint plan put forward
MEDIATION_JOINED = _declare(
    "mediation.joined", "纳入联合调解",
    lambda params: _joined(f"联合调解{_number(params, 'joint')}",
                           "、".join(str(n) for n in params.get("with", [])
                                    if isinstance(n, str))))
MEDIATION_JOINT_PLAN = _declare(
    "mediation.joint_plan", "提出联合调解合并方案",
    lambda params: _joined(f"每月共{_yuan(params.get('amount'))}",
                           f"本债权分得{_yuan(params.get('share'))}",
                           f"方案{_number(params, 'offer')}" if params.get("offer") else ""))

# a hardship pause (issue 21 §3): the evidence stays in the pause's record, never here
MEDIATION_PAUSE_REQUESTED = _declare("mediation.pause_requested", "申请纾困暂停", _pause)
MEDIATION_PAUSE_DECIDED = _declare(
    "mediation.pause_decided", "审批纾困暂停",
    lambda params: _joined("批准" if params.get("approved") else "不批准", _pause(params)))
MEDIATION_PAUSE_REVIEWED = _declare("mediation.pause_reviewed", "纾困暂停中期复核")
MEDIATION_PAUSE_ENDED = _declare("mediation.pause_ended", "纾困暂停结束", _pause)


def _menu_sent(params: Params) -> str:
    plans = _number(params, "plans")
    due = _day(params.get("reply_by"))
    return _joined(f"{plans}种方案" if plans else "", f"{due}前选择" if due else "")


def _menu_chosen(params: Params) -> str:
    return _joined(_offer(params), _text(params, "label"))


# a standard plan menu sent to the debtor to choose from (issue 20 §5), and the choice
MENU_SENT = _declare("menu.sent", "发送标准还款方案供债务人选择", _menu_sent)
MENU_OPENED = _declare("menu.opened", "债务人查看标准还款方案")
MENU_CHOSEN = _declare("menu.chosen", "债务人选择标准还款方案", _menu_chosen)
MENU_CLOSED = _declare("menu.closed", "标准还款方案失效（已重新发送）")


# --- reaching the parties (the desk's) -----------------------------------------------------


def _contact(params: Params) -> str:
    channel = _word(CONTACT_CHANNELS, params.get("channel"))
    outcome = _word(CONTACT_OUTCOMES, params.get("outcome"))
    happened = _day(params.get("happened"))
    return (_joined(channel, outcome) + ("（当事人主动联系）" if params.get("inbound") else "")
            + (f"（补记，发生于{happened}）" if happened else ""))


def _service(params: Params) -> str:
    served = "视为送达" if params.get("served") else ""
    return _joined(_text(params, "title"), _word(SERVICE_CHANNELS, params.get("channel")),
                   _word(SERVICE_RESULTS, params.get("result")), served)


def _reach(params: Params) -> str:
    return _word(REACH_CHANNELS, params.get("channel"))


OUTREACH_CONTACT = _declare("outreach.contact", "联系当事人", _contact, Audience.DESK)
OUTREACH_SERVICE = _declare("outreach.service", "送达", _service, Audience.DESK)
OUTREACH_CONTACT_ADDED = _declare("outreach.contact_added", "补充联系方式",
                                  audience=Audience.DESK)
OUTREACH_CONTACT_RETIRED = _declare("outreach.contact_retired", "停用联系方式",
                                    audience=Audience.DESK)
REACH_INVITED = _declare("reach.invited", "首次联系或通知", _reach, Audience.DESK)
REACH_SERVED = _declare("reach.served", "首次送达成功", _reach, Audience.DESK)
REACH_CONTACTED = _declare("reach.contacted", "首次联系上当事人", _reach, Audience.DESK)
REACH_ENGAGED = _declare("reach.engaged", "当事人参与（登录当事人端或主动联系）", _reach,
                         Audience.DESK)
# The funnel's steps, each written once per party.
REACH_STEPS: tuple[EventType, ...] = (REACH_INVITED, REACH_SERVED, REACH_CONTACTED,
                                      REACH_ENGAGED)


# --- agreement, court, performance, documents, deadlines ----------------------------------


def _drafted(params: Params) -> str:
    version = _number(params, "version")
    voided = _number(params, "voided_signatures")
    return _joined(f"第{version}版" if version else "",
                   "债务人选择标准还款方案后生成" if params.get("menu_offer") else "",
                   "原版本的签名不再有效" if voided else "")


def _code_sent(params: Params) -> str:
    capacity = _text(params, "capacity")
    return f"发给{capacity}" if capacity else ""


_STATEMENTS = {"service_address": "送达地址确认书", "joint_application": "司法确认申请书"}
_HOW = {"code": "验证码签署", "desk": "当面签署"}


def _statement(params: Params) -> str:
    return _joined(_text(params, "name"), _word(_STATEMENTS, params.get("kind")),
                   _word(_HOW, params.get("how")))


def _signed(params: Params) -> str:
    return _joined(_text(params, "capacity") + _text(params, "name"),
                   "各方均已签署" if params.get("complete") else "")


def _confirmation_accepted(params: Params) -> str:
    by = _day(params.get("decide_by"))
    return f"应于{by}前作出裁定" if by else ""


def _payment(params: Params) -> str:
    paid_on = _day(params.get("paid_on"))
    return _joined(_yuan(params.get("amount")), f"还款日期{paid_on}" if paid_on else "")


def _follow_up(params: Params) -> str:
    return _word(FOLLOW_UPS, params.get("method"))


def _follow_ups_cancelled(params: Params) -> str:
    visits = params.get("follow_ups")
    return f"{len(visits)}次回访" if isinstance(visits, list) and visits else ""


def _reminded(params: Params) -> str:
    due = _day(params.get("due_on"))
    return f"应于{due}前确认" if due else ""


def _document(params: Params) -> str:
    return _text(params, "title")


def _deadline(params: Params) -> str:
    due = _day(params.get("deadline"))
    return _joined(_text(params, "what"), f"期限{due}" if due else "")


AGREEMENT_DRAFTED = _declare("agreement.drafted", "起草调解协议", _drafted)
AGREEMENT_CODE_SENT = _declare("agreement.code_sent", "发送签署验证码", _code_sent)
AGREEMENT_SIGNED = _declare("agreement.signed", "签署调解协议", _signed)
# a party's 送达地址确认书 or joint application: who signed which, and how (never the
# address itself); where the code went is masked, as the agreement's codes are
STATEMENT_CODE_SENT = _declare("statement.code_sent", "发送文书签署验证码", _statement)
STATEMENT_SIGNED = _declare("statement.signed", "当事人签署文书", _statement)
CONFIRMATION_ACCEPTED = _declare("confirmation.accepted", "法院受理司法确认申请",
                                 _confirmation_accepted)
PAYMENT_RECORDED = _declare("payment.recorded", "登记还款", _payment)
PAYMENT_REVERSED = _declare("payment.reversed", "冲正还款", _payment)
CREDIT_REPAIR_CONFIRMED = _declare("credit_repair.confirmed", "确认征信修复")
CREDIT_REPAIR_REMINDED = _declare("credit_repair.reminded", "提醒确认征信修复", _reminded)
FOLLOW_UP_RECORDED = _declare("follow_up.recorded", "记录履行回访", _follow_up)
FOLLOW_UP_CANCELLED = _declare("follow_up.cancelled", "取消回访", _follow_ups_cancelled)
DOCUMENT_GENERATED = _declare("document.generated", "生成文书", _document)


def _package(params: Params) -> str:
    version, documents = _number(params, "version"), _number(params, "documents")
    matter = _word({"financial_loan": "金融借款合同纠纷", "credit_card": "信用卡纠纷"},
                   params.get("template"))
    return _joined(f"第{version}版" if version is not None else "", matter,
                   f"{documents}份文书及数据文件" if documents is not None else "")


# the failure package for the court's fast track (issue 21 §4): complaint, answer, record of
# undisputed facts and evidence index, and its JSON; read by the court's system (its reads
# are record.read events, as the files with full particulars are)
FAILURE_PACKAGE_GENERATED = _declare("failure_package.generated", "生成调解不成移送材料",
                                     _package)
# who took a file carrying the parties' full particulars (PIPL): the desk's and the
# supervisors' to read
RECORD_READ = _declare("record.read", "查阅载有当事人身份信息的文书",
                               _document, Audience.DESK)


# a stored document's two files and its page preview, in words
FILE_FORMATS = {"pdf": "PDF文件", "docx": "Word文件", "html": "网页版"}


def _altered(params: Params) -> str:
    fmt = FILE_FORMATS.get(_text(params, "format"), "")
    return _joined(f"{_text(params, 'title')}{fmt}",
                   _text(params, "problem") or "与存档摘要不符，已拒绝提供")


def _dossier(params: Params) -> str:
    count, pages = _number(params, "documents"), _number(params, "pages")
    return f"{count}份文书，共{pages}页" if count is not None and pages is not None else ""


# who exported the whole file, with every party's particulars in it (PIPL: a record of who
# saw personal data): the desk's and the supervisors' to read
DOSSIER_EXPORTED = _declare("dossier.exported", "导出调解卷宗", _dossier, Audience.DESK)


# the desk and the supervisors above it must act on it; the institution is told nothing
# it could read as the record being in doubt before they have looked
RECORD_ALTERED = _declare("record.altered", "发现记录被改动", _altered, Audience.DESK)
DEADLINE_PASSED = _declare("deadline.passed", "期限届满提醒", _deadline)


# --- supervision (the desk's and the supervisors') -----------------------------------------


def _drawn(params: Params) -> str:
    quarter = re.fullmatch(r"(\d{4})-Q([1-4])", _text(params, "quarter"))
    return f"{quarter[1]}年第{quarter[2]}季度" if quarter else ""


def _reviewed(params: Params) -> str:
    failed = params.get("failed")
    return "" if failed is None else ("发现问题" if failed else "未发现问题")


SPOT_CHECK_DRAWN = _declare("spot_check.drawn", "被抽中督导抽查", _drawn, Audience.DESK)
SPOT_CHECK_REVIEWED = _declare("spot_check.reviewed", "督导抽查评查", _reviewed,
                               Audience.DESK)


# What a person's word can confirm on an event (``params["attested"]``): a lifecycle guard
# (the desk's 本人确认) or a ground only a judge can attest, in words.
ATTESTED_LABELS = {**GUARD_LABELS, **{code: label for code, label, _source in JUDGE_ONLY}}


def attested_words(params: Params) -> list[str]:
    """What the actor confirmed, in words (a code the registry does not know: as stored)."""
    codes = params.get("attested")
    if not isinstance(codes, list):
        return []
    return [ATTESTED_LABELS.get(c, c) for c in codes if isinstance(c, str)]
