"""Domain errors: one base class and one registry of stable codes.

Every refusal the domain makes carries a code that never changes (the API and the CLI show
it), a Chinese message for the user and an English one for logs and mixed-language
readers. Concrete exception classes live beside the function that raises them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Stable error codes; values are snake-case and never renamed."""

    # money
    AMOUNT_INVALID = "amount_invalid"
    AMOUNT_NEGATIVE = "amount_negative"
    AMOUNT_TOO_PRECISE = "amount_too_precise"
    AMOUNT_TOO_LARGE = "amount_too_large"
    RATE_INVALID = "rate_invalid"
    # claims and interest
    CLAIM_INVALID = "claim_invalid"
    PERIOD_INVALID = "period_invalid"
    DAY_COUNT_INVALID = "day_count_invalid"
    CLAIM_NOT_POSITIVE = "claim_not_positive"
    # schedules
    PLAN_INVALID = "plan_invalid"
    PLAN_DOES_NOT_BALANCE = "plan_does_not_balance"
    RESCHEDULING_INVALID = "rescheduling_invalid"
    AFFORDABILITY_INVALID = "affordability_invalid"
    AUTHORITY_INVALID = "authority_invalid"
    OFFER_INVALID = "offer_invalid"
    EVALUATION_INVALID = "evaluation_invalid"
    MEDIATION_INVALID = "mediation_invalid"
    APPROVAL_REQUIRED = "approval_required"
    MEDIATION_DEADLINE_PASSED = "mediation_deadline_passed"
    MEETING_LINK_INVALID = "meeting_link_invalid"
    SESSION_CHANGE_REFUSED = "session_change_refused"
    BLIND_BOUND_INCOMPLETE = "blind_bound_incomplete"
    BLIND_BOUND_OUTSIDE_CLAIM = "blind_bound_outside_claim"
    MENU_BEYOND_AUTHORITY = "menu_beyond_authority"
    MENU_OFFER_INVALID = "menu_offer_invalid"
    # joint mediation: one debtor's budget shared among several creditors
    JOINT_INVALID = "joint_invalid"
    # agreement, court and performance
    AGREEMENT_INVALID = "agreement_invalid"
    SIGNATURE_INVALID = "signature_invalid"
    CONFIRMATION_INVALID = "confirmation_invalid"
    CONFIRMATION_WINDOW_CLOSED = "confirmation_window_closed"
    PERFORMANCE_INVALID = "performance_invalid"
    DOCUMENT_INVALID = "document_invalid"
    # the court's fast track: a failure package the dispute cannot have (its type, its facts)
    FAILURE_PACKAGE_REFUSED = "failure_package_refused"
    PAYMENT_EXCEEDS_OUTSTANDING = "payment_exceeds_outstanding"
    # reaching the parties
    OUTREACH_INVALID = "outreach_invalid"
    CONTACT_REFUSED = "contact_refused"
    SIGN_IN_INVALID = "sign_in_invalid"
    TEMPLATE_REFUSED = "template_refused"
    # fees
    FEE_INVALID = "fee_invalid"
    # dates and periods
    DATE_INVALID = "date_invalid"
    CALENDAR_INVALID = "calendar_invalid"
    DATE_IN_FUTURE = "date_in_future"
    DATE_TOO_EARLY = "date_too_early"
    # identity
    IDENTITY_INVALID = "identity_invalid"
    NAME_INVALID = "name_invalid"
    # lifecycle
    TRANSITION_REFUSED = "transition_refused"
    ACTION_UNKNOWN = "action_unknown"
    # policy
    POLICY_INVALID = "policy_invalid"
    POLICY_MISSING = "policy_missing"
    # a version's validity dates: backwards, starting before today, overlapping another's
    POLICY_WINDOW_INVALID = "policy_window_invalid"
    # platform
    ORGANIZATION_INVALID = "organization_invalid"
    PASSWORD_INVALID = "password_invalid"  # noqa: S105 - an error code, not a password
    PARTY_INVALID = "party_invalid"
    REPRESENTATIVE_INVALID = "representative_invalid"
    MEDIATOR_INVALID = "mediator_invalid"
    INTAKE_INVALID = "intake_invalid"
    DISPUTE_NOT_FOUND = "dispute_not_found"
    NOT_FOUND = "not_found"
    # a stored record (an agreement's content, a document's file) no longer matches the
    # digest taken when it was made: refused, never served as if it were the record
    RECORD_ALTERED = "record_altered"
    COURT_CODE_INVALID = "court_code_invalid"
    CONFLICT = "conflict"
    PERMISSION_DENIED = "permission_denied"
    COURT_REQUIRED = "court_required"
    PARTY_ON_BOTH_SIDES = "party_on_both_sides"
    PARTY_LISTED_TWICE = "party_listed_twice"
    CREDITOR_NAME_MISMATCH = "creditor_name_mismatch"
    EXTERNAL_REF_CONFLICT = "external_ref_conflict"
    BATCH_NOT_WRITTEN = "batch_not_written"  # valid, but a batch written all or nothing failed
    TOKEN_INVALID = "token_invalid"  # noqa: S105 - an error code, not a secret
    # a full identity number or phone asked for without a reason that can be recorded
    REVEAL_INVALID = "reveal_invalid"
    # supervision
    SPOT_CHECK_INVALID = "spot_check_invalid"
    # running the platform: a backup that fails its manifest, a restore into a database
    # that holds data, a key that does not fit the data or the backup
    BACKUP_INVALID = "backup_invalid"
    DATABASE_NOT_EMPTY = "database_not_empty"
    KEYS_MISMATCH = "keys_mismatch"
    # reading long lists: a cursor that was not one the list gave, an offset past the depth
    # a list pages to (go on by cursor, or narrow the list)
    CURSOR_INVALID = "cursor_invalid"
    PAGE_TOO_DEEP = "page_too_deep"
    EXPORT_INVALID = "export_invalid"
    # many disputes at once: an item or a file's row not in the shape its interface takes
    # (the API's word for that, kept for its items); a file that cannot be read as a table
    VALIDATION_ERROR = "validation_error"
    INTAKE_FILE_INVALID = "intake_file_invalid"
    # a hardship pause that cannot be asked for, granted or ended as given (issue 21 §3)
    PAUSE_INVALID = "pause_invalid"


class DomainError(ValueError):
    """A refusal by a domain rule: bad input or a rule that does not allow the request.

    Subclasses ``ValueError`` so that callers that only know "bad value" still catch it.
    """

    code: ErrorCode = ErrorCode.AMOUNT_INVALID

    def __init__(
        self,
        message: str,
        message_en: str,
        *,
        code: ErrorCode | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.message_en = message_en
        self.details = details

    def __str__(self) -> str:
        return f"{self.message} ({self.message_en})"

    def as_dict(self) -> dict[str, Any]:
        """Return the error as the API and ``--json`` output show it."""
        return {
            "code": str(self.code),
            "message": self.message,
            "message_en": self.message_en,
            "details": {k: str(v) for k, v in self.details.items()},
        }
