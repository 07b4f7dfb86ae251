"""Enveloped XML-DSig signatures on compliance reports: sign with a key and certificate, check them."""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from bimcheck.errors import InputError, refuse_device

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

DSIG_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#"
SIGNATURE_TAG = f"{{{DSIG_NAMESPACE}}}Signature"
# An encrypted key's passphrase comes from the environment, never the command line (where
# every user of the machine can read it in the process list).
PASSPHRASE_VARIABLE = "BIMCHECK_SIGN_PASSPHRASE"


def _read(path: str | Path, what: str) -> bytes:
    p = Path(path)
    refuse_device(p)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(p, f"{what} file does not exist") from None
    except IsADirectoryError:
        raise InputError(p, f"is a directory, not a {what} file") from None
    except OSError as exc:
        raise InputError(p, f"cannot read {what} file: {exc.strerror or exc}") from None


def load_key(path: str | Path) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    """A PEM private key (RSA or EC); an encrypted one is opened with $BIMCHECK_SIGN_PASSPHRASE."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    data = _read(path, "private key")
    secret = os.environ.get(PASSPHRASE_VARIABLE)
    try:
        key = serialization.load_pem_private_key(data, None if secret is None else secret.encode("utf-8"))
    except TypeError:
        problem = f"the private key is encrypted: set {PASSPHRASE_VARIABLE} to its passphrase"
        if secret is not None:
            problem = "the private key is not encrypted: unset " + PASSPHRASE_VARIABLE
        raise InputError(path, problem) from None
    except ValueError as exc:
        raise InputError(path, f"not a usable PEM private key ({exc})") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise InputError(path, f"unsupported key type {type(key).__name__}: use an RSA or EC key")
    return key


def load_certificates(path: str | Path) -> list[x509.Certificate]:
    """Every PEM X.509 certificate in a file (at least one)."""
    from cryptography import x509

    data = _read(path, "certificate")
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise InputError(path, "not a PEM X.509 certificate") from None
    return certificates


def fingerprint(certificate: x509.Certificate) -> str:
    from cryptography.hazmat.primitives import hashes

    return certificate.fingerprint(hashes.SHA256()).hex()


def _public_bytes(key: PublicKeyTypes) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def sign(data: bytes, key_path: str | Path, cert_path: str | Path) -> bytes:
    """Add an enveloped signature over the whole document (Reference URI ""), certificate embedded."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from signxml.algorithms import SignatureMethod
    from signxml.signer import XMLSigner

    key = load_key(key_path)
    certificate = load_certificates(cert_path)[0]
    if _public_bytes(certificate.public_key()) != _public_bytes(key.public_key()):
        raise InputError(cert_path, f"the certificate does not belong to the private key {key_path}")
    method = SignatureMethod.ECDSA_SHA256 if isinstance(key, ec.EllipticCurvePrivateKey) else None
    signer = XMLSigner(signature_algorithm=method) if method else XMLSigner()
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
    signed = signer.sign(root, key=key, cert=[pem])
    return bytes(etree.tostring(signed, xml_declaration=True, encoding="UTF-8")) + b"\n"


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """What a report's signature shows: whether it holds, by which certificate, and trust."""

    valid: bool
    problem: str | None = None
    subject: str | None = None
    issuer: str | None = None
    fingerprint: str | None = None
    not_before: datetime | None = None
    not_after: datetime | None = None
    trusted: bool | None = None  # None: no --trust given, so identity is not established
    signed: etree._Element | None = None  # the content the signature covers, for comparison


def find_signature(root: etree._Element) -> etree._Element | None:
    return root.find(SIGNATURE_TAG)


def embedded_certificate(signature: etree._Element) -> x509.Certificate | None:
    from cryptography import x509

    node = signature.find(
        f"{{{DSIG_NAMESPACE}}}KeyInfo/{{{DSIG_NAMESPACE}}}X509Data/{{{DSIG_NAMESPACE}}}X509Certificate"
    )
    if node is None or not (node.text or "").strip():
        return None
    try:
        return x509.load_der_x509_certificate(base64.b64decode("".join((node.text or "").split())))
    except (ValueError, binascii.Error):
        return None


def check(
    data: bytes, root: etree._Element, at: datetime | None, trusted: Sequence[x509.Certificate] = ()
) -> SignatureCheck:
    """Check the enveloped signature of an already safely parsed report.

    The signature is verified against the certificate it carries, at time `at` (when the
    report says it was made), so an expired certificate does not void an old report. That
    proves the report is unchanged since signing, not who signed it: only when `trusted`
    certificates are given is the signer's certificate required to be one of them (or issued
    directly by one).
    """
    from signxml.exceptions import InvalidInput, SignXMLException
    from signxml.verifier import SignatureConfiguration, XMLVerifier

    signatures = root.findall(f".//{SIGNATURE_TAG}")
    if len(signatures) != 1 or signatures[0].getparent() is not root:
        return SignatureCheck(False, "expected exactly one signature, as the report element's last child")
    certificate = embedded_certificate(signatures[0])
    if certificate is None:
        return SignatureCheck(False, "the signature carries no readable X.509 certificate")
    described = SignatureCheck(
        valid=False,
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        fingerprint=fingerprint(certificate),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )
    reference = signatures[0].findall(f"{{{DSIG_NAMESPACE}}}SignedInfo/{{{DSIG_NAMESPACE}}}Reference")
    transforms = {
        t.get("Algorithm") for r in reference for t in r.iterfind(f".//{{{DSIG_NAMESPACE}}}Transform")
    }
    # The whole document (URI ""), with no transform that could leave a part of it unsigned.
    if [r.get("URI") for r in reference] != [""] or not transforms <= _WHOLE_DOCUMENT_TRANSFORMS:
        return replace(described, problem="the signature does not cover the whole report")
    config = SignatureConfiguration(location="./", verification_time=at or datetime.now(UTC))
    try:
        result = XMLVerifier().verify(data, x509_cert=certificate, expect_config=config)
    except (InvalidInput, SignXMLException) as exc:
        return replace(described, problem=_explain(exc))
    signed = getattr(result, "signed_xml", None)
    if signed is None or signed.tag != root.tag:
        return replace(described, problem="the signature does not cover the whole report")
    trust = None if not trusted else any(_trusts(anchor, certificate) for anchor in trusted)
    return replace(described, valid=True, trusted=trust, signed=signed)


_WHOLE_DOCUMENT_TRANSFORMS = {
    "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
    "http://www.w3.org/2006/12/xml-c14n11",
    "http://www.w3.org/2006/12/xml-c14n11#WithComments",
    "http://www.w3.org/2001/10/xml-exc-c14n#",
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
}


def _trusts(anchor: x509.Certificate, certificate: x509.Certificate) -> bool:
    """The certificate is the trusted one, or was issued directly by it."""
    from cryptography.exceptions import InvalidSignature

    if fingerprint(anchor) == fingerprint(certificate):
        return True
    try:
        certificate.verify_directly_issued_by(anchor)
    except (ValueError, TypeError, InvalidSignature):  # another issuer, key type or signature
        return False
    return True


def _explain(exc: Exception) -> str:
    message = " ".join(str(exc).split())
    if "Digest mismatch" in message:
        return "the signed content was changed after signing (digest mismatch)"
    if "Signature verification failed" in message or "Signature mismatch" in message:
        return "the signature value does not match the signed information (signature or its header edited)"
    if "valid at validation time" in message or "expired" in message or "not yet valid" in message:
        return f"the certificate was not valid when the report says it was made: {message}"
    return f"the signature cannot be verified: {message}"
