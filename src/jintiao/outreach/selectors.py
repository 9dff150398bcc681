"""Reads of the outreach records: a party's contacts, where reaching them stands, what was
served on whom, and the supervisors' report of contacts per mediator and institution."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet

from jintiao import clock
from jintiao.agreements import selectors as agreements
from jintiao.agreements.models import Agreement
from jintiao.disputes.access import (
    Standing,
    dispute_visible_to,
    may_supervise,
    supervises_everything,
)
from jintiao.disputes.models import Dispute, DisputeParty, Statement
from jintiao.documents.models import RECORDS_KEPT, Document, Kind
from jintiao.domain import events
from jintiao.domain.events import Audience
from jintiao.domain.outreach import (
    Attempt,
    ContactChannel,
    ContactOutcome,
    ReachStage,
    ServiceChannel,
    ServiceResult,
    counts_as_served,
    reach_stage,
)
from jintiao.domain.policy import Policy
from jintiao.mediation import selectors as mediation
from jintiao.mediation.models import Offer, Session
from jintiao.messaging.models import OutboxMessage
from jintiao.orgs.models import Organization, User
from jintiao.outreach.models import AlternateContact, ContactAttempt, MessageTemplate, Service
from jintiao.parties.crypto import lookup_hash
from jintiao.parties.models import Party, PartyAccount
from jintiao.timeline.models import Event


def events_seen_by(standing: Standing) -> QuerySet[Event]:
    """The dispute's timeline as the viewer may read it, by each type's audience: the
    desk's events (outreach, the supervisors' spot checks) only for those who read the
    contact log; to anyone else only the types declared for everyone who sees the dispute."""
    rows = standing.dispute.events.select_related("actor").order_by("seq")
    if standing.may_read_outreach():
        return rows
    return rows.filter(type__in=sorted(events.types_for(Audience.DISPUTE)))


def outbound_times(party: Party, since: dt.datetime) -> list[dt.datetime]:
    """The party's outbound contacts since ``since``, from every dispute and committee —
    the cap protects the person, not one mediator's count; paper service of a document is
    no collection contact and is not counted."""
    return [at.astimezone(clock.TZ) for at in ContactAttempt.objects.filter(
        party=party, inbound=False, legal_service=False, at__gte=since)
        .values_list("at", flat=True)]


def contacts_of(dispute: Dispute) -> QuerySet[ContactAttempt]:
    return (ContactAttempt.objects.filter(dispute=dispute)
            .select_related("party", "actor", "template", "verification").order_by("-at", "-pk"))


def alternate_mobiles_of(dispute: Dispute) -> QuerySet[AlternateContact]:
    """The usable alternate mobiles of the dispute's debtor-side parties (for a text)."""
    debtors = dispute.party_rows.exclude(role="creditor").values("party_id")
    return (AlternateContact.objects.filter(party_id__in=debtors, usable=True,
                                            kind=AlternateContact.Kind.MOBILE)
            .select_related("party").order_by("party_id", "-added_at"))


def alternates_by_party(dispute: Dispute) -> dict[int, list[AlternateContact]]:
    """Every alternate contact of the dispute's parties, by party, in one query."""
    found: dict[int, list[AlternateContact]] = defaultdict(list)
    for a in AlternateContact.objects.filter(
            party_id__in=dispute.party_rows.values("party_id")).order_by("-usable", "-added_at"):
        found[a.party_id].append(a)
    return found


@dataclass(frozen=True)
class Reach:
    """Where reaching one party of a dispute stands."""

    row: DisputeParty
    stage: ReachStage
    attempts: int
    served: int
    portal: bool


def reach_of(dispute: Dispute) -> list[Reach]:
    """Per debtor-side party: the "cannot reach" stage by the dispute's policy, how many
    attempts, how many documents served, whether they use the portal."""
    policy = mediation.policy_of(dispute)
    rows = [r for r in dispute.party_rows.select_related("party").order_by("pk")
            if r.role != "creditor"]
    attempts: dict[int, list[Attempt]] = defaultdict(list)
    for c in ContactAttempt.objects.filter(dispute=dispute, inbound=False):
        attempts[c.party_id].append(Attempt(c.at.astimezone(clock.TZ).date(),
                                            ContactChannel(c.channel),
                                            ContactOutcome(c.outcome)))
    inbound = set(ContactAttempt.objects.filter(dispute=dispute, inbound=True)
                  .values_list("party_id", flat=True))
    served: dict[int, int] = defaultdict(int)
    for party_id in Service.objects.filter(dispute=dispute, served=True).values_list(
            "party_id", flat=True):
        served[party_id] += 1
    accounts = set(PartyAccount.objects.filter(party__in=[r.party for r in rows])
                   .values_list("party_id", flat=True))
    out = []
    for r in rows:
        stage = (ReachStage.REACHED if r.party_id in inbound or r.party_id in accounts
                 else reach_stage(attempts[r.party_id],
                                  failed_needed=policy.unreachable_failed_attempts,
                                  days_needed=policy.unreachable_days))
        out.append(Reach(r, stage, len(attempts[r.party_id]), served[r.party_id],
                         r.party_id in accounts))
    return out


def services_of(dispute: Dispute) -> QuerySet[Service]:
    return (Service.objects.filter(dispute=dispute)
            .select_related("party", "actor").order_by("at", "pk"))


@dataclass(frozen=True)
class Servable:
    """Something the desk may serve on a party, and the words the party reads."""

    subject: str
    title: str
    document: Document | None


# Documents the parties are served (the bank's enforcement application goes through court;
# the committee's own records stay with it).
SERVED_KINDS = tuple(k for k in Kind
                     if k is not Kind.ENFORCEMENT_APPLICATION and k not in RECORDS_KEPT)


def servables(dispute: Dispute) -> list[Servable]:
    """What can be served now: the dispute's documents for the parties, sessions to come,
    plans open on the table (shared ones only) and the agreement waiting for signatures."""
    out = [Servable(f"document:{d.pk}", d.title, d)
           for d in Document.objects.filter(dispute=dispute, kind__in=SERVED_KINDS)
           .order_by("seq")]
    for session in mediation.sessions_of(dispute).filter(status=Session.Status.SCHEDULED,
                                                         starts_at__gte=clock.now()):
        at = session.starts_at.astimezone(clock.TZ).strftime("%Y-%m-%d %H:%M")
        moved = f".{session.reschedules}" if session.reschedules else ""  # a new time: anew
        out.append(Servable(f"session:{session.pk}{moved}",
                            f"调解通知（第{session.seq}次，{at}，{session.get_mode_display()}）",
                            None))
    out += [Servable(f"offer:{o.pk}", f"调解方案{o.seq}（{o.label or o.get_by_display()}）", None)
            for o in Offer.objects.filter(dispute=dispute, side="",
                                          status=Offer.Status.OPEN).order_by("seq")]
    draft = agreements.current(dispute)
    if draft is not None and draft.status == Agreement.Status.DRAFT:
        out.append(Servable(f"agreement:{draft.pk}", f"调解协议（第{draft.version}版）待签署",
                            None))
    return out


def servable(dispute: Dispute, subject: str) -> Servable | None:
    return next((s for s in servables(dispute) if s.subject == subject), None)


def e_service_consented(party: Party, dispute: Dispute | None = None) -> bool:
    """Whether electronic service binds ``party``: in ``dispute``, the 送达地址确认书 it
    signed there decides (consent given or withheld); else the consent given when its
    portal account was opened (CPL Art. 90)."""
    if dispute is not None:
        confirmed = (Statement.objects.filter(
            party_row__dispute=dispute, party_row__party=party,
            kind=Statement.Kind.SERVICE_ADDRESS, signed_at__isnull=False)
            .order_by("-signed_at", "-pk").first())
        if confirmed is not None:
            return bool(confirmed.content.get("e_service"))
    return PartyAccount.objects.filter(party=party,
                                       e_service_consented_at__isnull=False).exists()


def is_served(channel: ServiceChannel, result: ServiceResult, party: Party,
              dispute: Dispute, *, consented: bool | None = None) -> bool:
    """The policy's verdict on one attempt; ``consented`` is the reader's own consent when a
    representative opened it (else the party's)."""
    agreed = e_service_consented(party, dispute) if consented is None else consented
    return counts_as_served(channel, result, consented_electronic=agreed,
                            electronic_counts_on=mediation.policy_of(dispute)
                            .electronic_service_counts_on)


def templates_of(committees: list[Organization]) -> QuerySet[MessageTemplate]:
    return (MessageTemplate.objects.filter(committee__in=committees)
            .select_related("committee", "created_by", "approved_by")
            .order_by("committee__path", "status", "name"))


def templates_for(dispute: Dispute) -> QuerySet[MessageTemplate]:
    """The committee's approved texts (a committee inherits none: each vets its own)."""
    return MessageTemplate.objects.filter(committee=dispute.committee,
                                          status=MessageTemplate.Status.APPROVED).order_by("name")


@dataclass(frozen=True)
class ContactRow:
    """One line of the supervisors' contact report."""

    name: str
    attempts: int
    reached: int
    parties: int
    busiest_day: int  # most outbound contacts of one person on one day
    over_cap: int  # contacts beyond a daily or 7-day cap (recorded after the fact)
    late: int  # outbound contacts outside the policy's hours (should be none)


def contact_report(viewer: User, since: dt.date, until: dt.date
                   ) -> tuple[list[ContactRow], list[ContactRow]]:
    """Outbound contacts per mediator and per institution over the viewer's disputes,
    ``since`` to ``until`` inclusive, with the figures that flag collection patterns. The
    caps are judged per person across every dispute and desk (as the rule is), the 7-day
    window reaching back before ``since``."""
    if not may_supervise(viewer):
        return [], []
    rows = list(ContactAttempt.objects.filter(  # paper service is no collection contact
        dispute__in=dispute_visible_to(viewer), inbound=False, legal_service=False,
        at__date__gte=since - dt.timedelta(days=6), at__date__lte=until)
        .select_related("actor", "dispute__institution", "dispute__policy_version"))
    policies = _policies(rows)
    beyond = _beyond_caps(rows, policies)
    shown = [c for c in rows if c.at.astimezone(clock.TZ).date() >= since]
    by_actor: dict[str, list[ContactAttempt]] = defaultdict(list)
    by_institution: dict[str, list[ContactAttempt]] = defaultdict(list)
    for c in shown:
        by_actor[str(c.actor)].append(c)
        by_institution[str(c.dispute.institution or "—")].append(c)
    return _rows(by_actor, beyond, policies), _rows(by_institution, beyond, policies)


def _policies(rows: list[ContactAttempt]) -> dict[int, Policy]:
    """Each policy version the rows were accepted under, parsed once."""
    return {c.dispute.policy_version_id: mediation.policy_of(c.dispute)
            for c in {c.dispute.policy_version_id: c for c in rows}.values()}


def _beyond_caps(rows: list[ContactAttempt], policies: dict[int, Policy]) -> set[int]:
    """The contacts that were one too many for their person that day or that week."""
    by_party: dict[int, list[ContactAttempt]] = defaultdict(list)
    for c in rows:
        by_party[c.party_id].append(c)
    beyond: set[int] = set()
    for contacts in by_party.values():
        contacts.sort(key=lambda c: (c.at, c.pk))
        for i, c in enumerate(contacts):
            policy = policies[c.dispute.policy_version_id]
            day = c.at.astimezone(clock.TZ).date()
            earlier = [e.at.astimezone(clock.TZ).date() for e in contacts[:i]]
            if (sum(1 for d in earlier if d == day) >= policy.contact_max_per_day
                    or sum(1 for d in earlier if day - dt.timedelta(days=6) <= d <= day)
                    >= policy.contact_max_per_week):
                beyond.add(c.pk)
    return beyond


def _rows(groups: dict[str, list[ContactAttempt]], beyond: set[int],
          policies: dict[int, Policy]) -> list[ContactRow]:
    out = []
    for name, items in sorted(groups.items()):
        per_day: dict[tuple[int, dt.date], int] = defaultdict(int)
        late = 0
        for c in items:
            local = c.at.astimezone(clock.TZ)
            per_day[(c.party_id, local.date())] += 1
            policy = policies[c.dispute.policy_version_id]
            if not policy.contact_day_starts_hour <= local.hour < policy.contact_day_ends_hour:
                late += 1
        out.append(ContactRow(name, len(items),
                              sum(1 for c in items if ContactOutcome(c.outcome).reached_person),
                              len({c.party_id for c in items}), max(per_day.values()),
                              sum(1 for c in items if c.pk in beyond), late))
    return out


# What the platform's own texts are for, in words (a template's text is "outreach:" and
# the template's purpose, the committee's wording of it).
SYSTEM_PURPOSES = {
    "portal_sign_in": "当事人端登录验证码",
    "portal_application": "网上调解申请的验证码与办理结果",
    "agreement_signing": "协议签署验证码",
    "statement_signing": "送达地址确认书、司法确认申请书、无争议事实确认书签署验证码",
    "performance_reminder": "履行提醒",
    "email": "电子邮件",
    "menu": "标准还款方案",  # a verification code's purpose
    "outreach:menu": "标准还款方案",  # the text's, in the outbox
}
OUTREACH = "outreach:"


def purpose_label(purpose: str) -> str:
    """A text's purpose as a person reads it; one the platform does not know is shown as
    stored rather than hidden."""
    if purpose.startswith(OUTREACH):
        kind = purpose.removeprefix(OUTREACH)
        if kind in MessageTemplate.Purpose.values:
            return str(MessageTemplate.Purpose(kind).label)
    return SYSTEM_PURPOSES.get(purpose, purpose)


def outbox_for(viewer: User) -> QuerySet[OutboxMessage]:
    """The texts kept in the outbox that ``viewer`` may read, newest first: every one for an
    administrator; otherwise (the demo's stand-in for phones) those sent to the viewer's own
    mobile and to parties of disputes the viewer sees."""
    rows = OutboxMessage.objects.order_by("-created_at", "-pk")
    if supervises_everything(viewer):
        return rows
    phones = {lookup_hash(viewer.mobile)} if viewer.mobile else set()
    phones |= set(Party.objects.filter(dispute_rows__dispute__in=dispute_visible_to(viewer))
                  .exclude(phone_hash="").values_list("phone_hash", flat=True))
    return rows.filter(to_hash__in=phones)
