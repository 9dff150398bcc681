"""Sign a PDF for an organisation: PAdES baseline B-B with SHA-256, its seal as the
visible appearance on the last page.

B-B carries no trusted timestamp: the platform reaches no time-stamping authority (no
network). The signing time is the signer's claim; the timeline's hash chain records when
the document was made independently of it.

Speed matters: the test suite and a busy desk make thousands of PDFs. The key, the
certificate chain and the seal picture are loaded once per process; the space for the
signature is reserved from the chain's size rather than by signing twice.
"""

from __future__ import annotations

import asyncio
import functools
import io
import threading
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any, TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from jintiao.orgs.models import Organization, OrgKind
from jintiao.pki.seal import RED, seal_image
from jintiao.pki.store import Credential, org_credential

T = TypeVar("T")
# page geometry in PDF points, in Decimal as the PDF writes its numbers (pyHanko's
# FloatObject is a Decimal): no binary fractions between the page's box and the seal's
MM = Decimal(72) / Decimal("25.4")
A4 = (Decimal("595.28"), Decimal("841.89"))
# documents/render.py: GB/T 9704 margins — right 26 mm, bottom 35 mm; the page number sits
# in the bottom margin, centred, so a seal above the bottom margin on the right never
# covers it. 42 mm is the usual diameter of an organisation's seal.
SEAL_MM, RIGHT_MM, BOTTOM_MM, GAP_MM = 42, 26, 35, 3
FIELD = "JinTiaoSeal"
# what each kind of organisation's seal is for: a committee's documents carry its
# mediation seal (调解专用章); a court's seal carries its name alone
PURPOSE = {OrgKind.COMMITTEE: "调解专用章"}


def seal_box(page: tuple[Decimal, Decimal] = A4) -> tuple[int, int, int, int]:
    """Where the seal goes on a page (PDF points, origin bottom left): over the last lines
    at the right edge of the text block, just above the bottom margin."""
    width, _height = page
    right = width - RIGHT_MM * MM
    bottom = (BOTTOM_MM + GAP_MM) * MM
    return (round(right - SEAL_MM * MM), round(bottom), round(right),
            round(bottom + SEAL_MM * MM))


def _der(cert: object) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)  # type: ignore[attr-defined, no-any-return]


_signers: dict[tuple[str, int], tuple[signers.SimpleSigner, int]] = {}
_lock = threading.Lock()


def _signer(found: Credential) -> tuple[signers.SimpleSigner, int]:
    """pyHanko's signer for a credential, and the bytes its signature needs, kept per
    process while the key file is unchanged."""
    cached = _signers.get((str(found.path), found.stamp))
    if cached is not None:
        return cached
    key = asn1_keys.PrivateKeyInfo.load(found.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    chain = [asn1_x509.Certificate.load(_der(c)) for c in found.chain]
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(_der(found.cert)), signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs(chain))  # type: ignore[no-untyped-call]
    # the CMS holds the certificates, the signed attributes and the signature: reserve
    # their size with room to spare (an RSA chain from a licensed CA is a few KB)
    reserve = 4096 + 2 * sum(len(_der(c)) for c in (found.cert, *found.chain))
    with _lock:
        _signers[(str(found.path), found.stamp)] = (signer, reserve)
    return signer, reserve


@functools.lru_cache(maxsize=128)
def _seal_planes(name: str, purpose: str) -> tuple[int, bytes, bytes]:
    """The seal's size and its colour and shape planes, compressed once per process."""
    image = seal_image(name, purpose)
    return (image.width, zlib.compress(bytes(RED) * image.width * image.height),
            zlib.compress(image.getchannel("A").tobytes()))


class SealImage(PdfImage):
    """pyHanko's image of the seal, written from planes compressed once rather than once
    per signature (a tenth of a signature's time)."""

    def __init__(self, name: str, purpose: str) -> None:
        super().__init__(seal_image(name, purpose))
        self.planes = _seal_planes(name, purpose)

    @property
    def image_ref(self) -> generic.IndirectObject:
        assert self.writer is not None  # noqa: S101 - pyHanko sets it before rendering
        ref = self._image_ref
        if ref is None or ref.get_pdf_handler() is not self.writer:  # type: ignore[no-untyped-call]
            ref = self._image_ref = self._write()
        return ref

    def _write(self) -> generic.IndirectObject:
        assert self.writer is not None  # noqa: S101 - see image_ref
        side, colour, shape = self.planes
        number: Any = generic.NumberObject  # an int subclass pyHanko leaves untyped

        def plane(space: str, data: bytes) -> generic.StreamObject:
            return generic.StreamObject({
                generic.pdf_name("/Type"): generic.pdf_name("/XObject"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Image"),
                generic.pdf_name("/Width"): number(side),
                generic.pdf_name("/Height"): number(side),
                generic.pdf_name("/ColorSpace"): generic.pdf_name(space),
                generic.pdf_name("/BitsPerComponent"): number(8),
                generic.pdf_name("/Filter"): generic.pdf_name("/FlateDecode"),
            }, encoded_data=data)

        image = plane("/DeviceRGB", colour)
        image[generic.pdf_name("/SMask")] = self.writer.add_object(plane("/DeviceGray", shape))
        return self.writer.add_object(image)


def _style(name: str, purpose: str) -> StaticStampStyle:
    """The seal as the field's appearance; new per signature (pyHanko ties the image to
    the file it writes), over planes made once per organisation."""
    return StaticStampStyle(
        background=SealImage(name, purpose), border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(0, 0, 0, 0)))


def _page_size(writer: IncrementalPdfFileWriter, index: int) -> tuple[Decimal, Decimal]:
    page, _resources = writer.find_page_for_modification(index)  # type: ignore[no-untyped-call]
    box = page.get_object().get("/MediaBox")
    if box is None:
        return A4
    x0, y0, x1, y1 = (Decimal(v) for v in box)  # NumberObject is an int, FloatObject a Decimal
    return x1 - x0, y1 - y0


def sign_pdf(pdf: bytes, org: Organization, *, reason: str, location: str = "",
             field: str = FIELD, page: int = -1) -> bytes:
    """``pdf`` signed by ``org`` with its seal on the last page (or ``page``), as a new
    revision: the bytes before it are unchanged, and any change after signing is detectable.

    :raises PkiError: ``org`` has no key and none can be made (see
        :func:`jintiao.pki.store.org_credential`)
    """
    return sign_pdf_as(pdf, org, reason=reason, location=location, field=field, page=page)[0]


def sign_pdf_as(pdf: bytes, org: Organization, *, reason: str, location: str = "",
                field: str = FIELD, page: int = -1) -> tuple[bytes, Credential]:
    """:func:`sign_pdf`, and the certificate it signed with (for the record)."""
    found = org_credential(org)
    assert found is not None  # noqa: S101 - issue=True makes one or raises
    signer, reserve = _signer(found)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=field, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason, location=location or None, name=org.name)
    pdf_signer = signers.PdfSigner(
        meta, signer, stamp_style=_style(org.name, PURPOSE.get(OrgKind(org.kind), "")),
        new_field_spec=fields.SigFieldSpec(field, on_page=page,
                                           box=seal_box(_page_size(writer, page))))
    out = io.BytesIO()
    off_the_loop(pdf_signer.sign_pdf, writer, output=out, bytes_reserved=reserve)
    return out.getvalue(), found


def off_the_loop(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``call(*args, **kwargs)``, on a thread of its own when this one runs an event loop.

    pyHanko's synchronous API (signing, validating) calls ``asyncio.run``, which refuses to
    run inside a running loop (an async server, Playwright's sync API in the browser
    tests)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: no event loop in this thread
        return call(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call, *args, **kwargs).result()
