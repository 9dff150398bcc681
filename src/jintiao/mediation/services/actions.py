"""The one door for lifecycle actions from every interface, and triage through it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction

from jintiao.disputes.access import dispute_get_for
from jintiao.disputes.models import Dispute
from jintiao.disputes.services import dispute_apply_action, dispute_lock
from jintiao.domain.lifecycle import Action
from jintiao.domain.policy import Track
from jintiao.mediation import selectors
from jintiao.mediation.models import Consent, Offer, UndisputedFacts
from jintiao.mediation.services.common import MediationInvalid
from jintiao.mediation.services.failure import facts_document
from jintiao.mediation.services.failure_package import package_on_transfer
from jintiao.mediation.services.hardship import period_set_while_paused
from jintiao.orgs.models import User

# --- lifecycle actions, with the facts the workbench keeps ---

@transaction.atomic
def action_apply(*, actor: User, dispute_id: int, action: Action, expected_version: int,
                 reason: str = "", track: Track | None = None, mediators: Sequence[User] = (),
                 notice_served: bool = False, attested: Iterable[str] = (),
                 details: dict[str, Any] | None = None) -> Dispute:
    """Apply a lifecycle action, establishing from the workbench's records the guards the
    actor cannot simply attest: a team free of conflicts and recusals (assignment), every
    party's recorded consent and an extension left under the policy (extension), both
    sides' recorded consent to resume mediation or to perform without confirmation, the
    undisputed facts recorded and confirmed (transfer, with their document). Going back to
    mediation after a rejected confirmation withdraws the plan the court would not confirm.

    :raises DisputeNotFound: missing or not visible to ``actor``
    :raises DisputeConflict: the dispute changed since ``expected_version``
    :raises TransitionRefused: the lifecycle refuses it; ``details['missing']`` says why
    """
    action = Action(action)
    dispute = dispute_lock(actor, dispute_id, expected_version)
    established: set[str] = set()
    if action is Action.ASSIGN and mediators and not selectors.conflicts(dispute,
                                                                         list(mediators)):
        established.add("mediator_without_conflict")
    consents: list[int] = []
    if action is Action.EXTEND:
        consents = selectors.consents_to_extend(dispute)
        if consents:
            established.add("parties_consent")
        if selectors.extensions_left(dispute):
            established.add("within_extension_limit")
    purpose = {Action.REMEDIATE: ("remediate", "parties_consent"),
               Action.PERFORM_WITHOUT_CONFIRMATION: ("waive_confirmation",
                                                     "parties_waive_confirmation")}.get(action)
    if purpose is not None:
        consents = selectors.consents_for(dispute, purpose[0])
        if consents:
            established.add(purpose[1])
    if action is Action.TRANSFER and selectors.facts_complete(dispute):
        established.add("undisputed_facts_recorded")
    if action is Action.EXTEND and selectors.pause_running(dispute) is not None:
        raise MediationInvalid(
            "纾困暂停期间调解期限停止计算，无需延长；暂停结束、期限恢复计算后再办理",
            "the period stands still during a hardship pause", field="action")
    withdrawn: list[int] = []
    if action is Action.REMEDIATE:  # back to mediation: the rejected plan is off the table
        withdrawn = list(Offer.objects.filter(dispute=dispute, status=Offer.Status.ACCEPTED)
                         .values_list("seq", flat=True))
    done = dispute_apply_action(
        actor=actor, dispute_id=dispute_id, action=action, expected_version=expected_version,
        reason=reason, track=track, mediators=mediators, notice_served=notice_served,
        attested=attested, established=established,
        details={**(details or {}), **({"consents": consents} if consents else {}),
                 **({"withdrawn_offers": withdrawn} if withdrawn else {})})
    period_set_while_paused(done)
    if consents:  # a consent is used once
        Consent.objects.filter(pk__in=consents).update(used=True)
    if withdrawn:
        Offer.objects.filter(dispute=dispute, status=Offer.Status.ACCEPTED).update(
            status=Offer.Status.WITHDRAWN)
    if action is Action.REMEDIATE:  # a later failure records its own facts
        UndisputedFacts.objects.filter(dispute=dispute).delete()
    if action is Action.TRANSFER:  # the document once the transfer is allowed
        facts_document(actor, done)
        package_on_transfer(actor, done)  # and the package for the court's fast track
    return done


# --- triage and assignment ---

def dispute_triage(*, actor: User, dispute_id: int, expected_version: int,
                   facts_disputed: bool, evaluation_requested: bool = False,
                   track: Track | None = None, reason: str = "") -> Dispute:
    """The director confirms the policy's suggested track, or overrides it with a reason.

    :raises MediationInvalid: an override without a reason
    :raises TransitionRefused: not in the accepted state, or not the director
    """
    seen = dispute_get_for(actor, dispute_id)
    suggestion = selectors.triage_suggestion(seen, facts_disputed=facts_disputed,
                                             evaluation_requested=evaluation_requested)
    chosen = Track(track) if track else suggestion.track
    overridden = chosen is not suggestion.track
    if overridden and not reason.strip():
        raise MediationInvalid(
            f"不采用建议的“{suggestion.track.label}”须写明理由",
            "overriding the suggested track needs a reason", suggested=suggestion.track)
    return action_apply(
        actor=actor, dispute_id=dispute_id, action=Action.TRIAGE,
        expected_version=expected_version, track=chosen, reason=reason.strip(),
        details={"suggested": suggestion.track.value, "why": list(suggestion.reasons),
                 "facts_disputed": bool(facts_disputed),
                 "evaluation_requested": bool(evaluation_requested), "overridden": overridden})
