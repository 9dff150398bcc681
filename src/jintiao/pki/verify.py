"""Check a PDF's signatures as any verifier would: pyHanko's validator against this
deployment's trust roots (its own root and the top of each imported chain), offline.

``intact``: the signed bytes still hash to the digest that was signed — any change to the
document after signing breaks it. ``valid``: the signature over that digest checks with the
certificate's key. ``trusted``: the certificate chains to a root this deployment trusts.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from jintiao.pki.signing import off_the_loop
from jintiao.pki.store import trust_roots

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignatureCheck:
    """One signature of a PDF, as checked."""

    field: str
    signer: str  # the certificate's common name: the organisation
    serial: str  # the certificate's serial number, hexadecimal
    issuer: str
    intact: bool
    valid: bool
    trusted: bool
    whole_file: bool  # nothing was added to the file after this signature
    signed_at: dt.datetime | None  # the signer's claimed time (no timestamp authority)
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted


def _cn(name: asn1_x509.Name) -> str:
    return str(name.native.get("common_name", name.human_friendly))


def pdf_signatures(pdf: bytes,
                   roots: Iterable[x509.Certificate] | None = None) -> list[SignatureCheck]:
    """Every signature in ``pdf``, checked against ``roots`` (default: this deployment's).
    A file that cannot be read as a PDF has none."""
    anchors = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
               for c in (trust_roots() if roots is None else roots)]
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError) as exc:
        logger.warning("PKI: cannot read the PDF's signatures: %s", exc)
        return []
    checks = []
    for sig in embedded:
        context = ValidationContext(trust_roots=anchors, allow_fetching=False,
                                    revocation_mode="soft-fail")
        try:
            status = off_the_loop(validate_pdf_signature, sig, context)
        except Exception as exc:  # a damaged signature is a finding, not a crash
            logger.warning("PKI: signature %s cannot be validated: %s", sig.field_name, exc)
            checks.append(SignatureCheck(sig.field_name, "", "", "", False, False, False,
                                         False, None, str(exc)))
            continue
        cert = status.signing_cert
        checks.append(SignatureCheck(
            field=sig.field_name, signer=_cn(cert.subject),
            serial=f"{cert.serial_number:X}", issuer=_cn(cert.issuer),
            intact=status.intact, valid=status.valid, trusted=status.trusted,
            whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
            signed_at=status.signer_reported_dt))
    return checks
