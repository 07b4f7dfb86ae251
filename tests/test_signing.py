"""Signed compliance reports: keys and self-signed certificates are made here, at test time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from typer.testing import CliRunner

from bimcheck.cli import app
from bimcheck.errors import InputError
from bimcheck.reporters import signing
from bimcheck.reporters.xml_report import render_bytes, schema
from tests.sample_run import sample_run

CREATED = datetime(2025, 3, 14, 10, 0, tzinfo=UTC)  # sample_run's timestamp


@dataclass(frozen=True)
class Signer:
    key: Path
    cert: Path
    certificate: x509.Certificate


def make_signer(
    directory: Path,
    name: str = "Anbudsgivare AB",
    *,
    kind: str = "rsa",
    valid_from: datetime = datetime(2024, 1, 1, tzinfo=UTC),
    days: int = 3650,
    issuer: tuple[x509.Certificate, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey] | None = None,
    passphrase: bytes | None = None,
) -> Signer:
    """A private key and an X.509 certificate for it, self-signed unless an issuer is given."""
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    key = ec.generate_private_key(ec.SECP256R1()) if kind == "ec" else rsa.generate_private_key(65537, 2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer_name, signing_key = (subject, key) if issuer is None else (issuer[0].subject, issuer[1])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_from + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
        .sign(signing_key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    slug = name.split()[0].lower()
    key_path, cert_path = directory / f"{slug}-key.pem", directory / f"{slug}-cert.pem"
    encryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    )
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return Signer(key_path, cert_path, certificate)


def private_key(signer: Signer) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(signer.key.read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    return key


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> Signer:
    return make_signer(tmp_path_factory.mktemp("keys"))


def signed_sample(signer: Signer) -> bytes:
    return render_bytes(sample_run(), str(signer.key), str(signer.cert))


def check(data: bytes, trusted: list[x509.Certificate] | None = None) -> signing.SignatureCheck:
    return signing.check(data, etree.fromstring(data), CREATED, trusted or [])


def test_a_signed_report_still_validates_against_the_xsd_and_its_signature_holds(signer: Signer) -> None:
    data = signed_sample(signer)
    root = etree.fromstring(data)
    assert schema().validate(root), schema().error_log
    assert root[-1].tag == signing.SIGNATURE_TAG  # enveloped, the report element's last child
    result = check(data)
    assert result.valid, result.problem
    assert result.subject == "CN=Anbudsgivare AB"
    assert result.fingerprint == signing.fingerprint(signer.certificate)
    assert result.trusted is None  # integrity only: nobody said whose certificate to expect


def test_the_signature_covers_the_whole_report(signer: Signer) -> None:
    root = etree.fromstring(signed_sample(signer))
    references = root.findall(f"{{{signing.DSIG_NAMESPACE}}}Signature//{{{signing.DSIG_NAMESPACE}}}Reference")
    assert [r.get("URI") for r in references] == [""]


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (b'status="fail" kind="scored"', b'status="pass" kind="scored"', "changed after signing"),
        (b"<Observed>2.35 m</Observed>", b"<Observed>2.45 m</Observed>", "changed after signing"),
        (b'created="2025-03-14T10:00:00Z"', b'created="2025-03-15T10:00:00Z"', "changed after signing"),
        (b"Rumsh\xc3\xb6jd", b"Rumsh\xc3\xa4jd", "changed after signing"),  # one character
    ],
)
def test_one_changed_character_breaks_the_signature(
    signer: Signer, old: bytes, new: bytes, problem: str
) -> None:
    data = signed_sample(signer)
    assert old in data
    result = check(data.replace(old, new, 1))
    assert not result.valid
    assert problem in (result.problem or "")
    assert result.subject == "CN=Anbudsgivare AB"  # still says who claimed to sign it


def test_an_edited_signature_value_is_named(signer: Signer) -> None:
    data = signed_sample(signer)
    start = data.index(b"<ds:SignatureValue>") + len(b"<ds:SignatureValue>")
    flipped = data[:start] + (b"B" if data[start : start + 1] != b"B" else b"C") + data[start + 1 :]
    result = check(flipped)
    assert not result.valid
    assert "signature value does not match" in (result.problem or "")


def test_a_swapped_certificate_does_not_verify(signer: Signer, tmp_path: Path) -> None:
    other = make_signer(tmp_path, "Mallory AB")
    data = signed_sample(signer)
    ours = signer.certificate.public_bytes(serialization.Encoding.DER)
    theirs = other.certificate.public_bytes(serialization.Encoding.DER)
    import base64

    def b64(der: bytes) -> bytes:
        text = base64.b64encode(der)
        return b"\n".join(text[i : i + 64] for i in range(0, len(text), 64)) + b"\n"

    assert b64(ours) in data
    result = check(data.replace(b64(ours), b64(theirs)))
    assert not result.valid


def test_an_elliptic_curve_key_signs_too(tmp_path: Path) -> None:
    ec_signer = make_signer(tmp_path, "Kurva AB", kind="ec")
    result = check(signed_sample(ec_signer))
    assert result.valid, result.problem


def test_trust_pins_the_signer_or_its_direct_issuer(signer: Signer, tmp_path: Path) -> None:
    data = signed_sample(signer)
    assert check(data, [signer.certificate]).trusted is True
    stranger = make_signer(tmp_path, "Okänd AB")
    assert check(data, [stranger.certificate]).trusted is False
    ca = make_signer(tmp_path, "Beställarens CA")
    issued = make_signer(tmp_path, "Leverantör AB", issuer=(ca.certificate, private_key(ca)))
    issued_data = signed_sample(issued)
    assert check(issued_data, [ca.certificate]).trusted is True
    assert check(issued_data, [stranger.certificate]).trusted is False


def test_an_expired_certificate_still_verifies_a_report_made_while_it_was_valid(tmp_path: Path) -> None:
    old = make_signer(tmp_path, "Gammal AB", valid_from=datetime(2025, 1, 1, tzinfo=UTC), days=180)
    data = signed_sample(old)  # the sample says it was made on 2025-03-14, inside the validity
    assert check(data).valid
    late = signing.check(data, etree.fromstring(data), datetime(2026, 1, 1, tzinfo=UTC), [])
    assert not late.valid
    assert "not valid when the report says it was made" in (late.problem or "")


def test_signing_refuses_a_certificate_of_another_key(signer: Signer, tmp_path: Path) -> None:
    other = make_signer(tmp_path, "Annan AB")
    with pytest.raises(InputError, match="does not belong to the private key"):
        render_bytes(sample_run(), str(signer.key), str(other.cert))


def test_an_encrypted_key_needs_its_passphrase_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = make_signer(tmp_path, "Låst AB", passphrase=b"hemligt")
    monkeypatch.delenv(signing.PASSPHRASE_VARIABLE, raising=False)
    with pytest.raises(InputError, match=signing.PASSPHRASE_VARIABLE):
        render_bytes(sample_run(), str(locked.key), str(locked.cert))
    monkeypatch.setenv(signing.PASSPHRASE_VARIABLE, "hemligt")
    assert check(render_bytes(sample_run(), str(locked.key), str(locked.cert))).valid


@pytest.mark.parametrize(
    ("which", "content", "problem"),
    [
        ("key", None, "private key file does not exist"),
        ("key", b"not a key", "not a usable PEM private key"),
        ("cert", None, "certificate file does not exist"),
        ("cert", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "not a PEM X.509"),
    ],
)
def test_bad_keys_and_certificates_are_one_line_errors_and_nothing_is_written(
    signer: Signer, tmp_path: Path, which: str, content: bytes | None, problem: str
) -> None:
    bad = tmp_path / f"bad-{which}.pem"
    if content is not None:
        bad.write_bytes(content)
    key, cert = (bad, signer.cert) if which == "key" else (signer.key, bad)
    run_json = tmp_path / "run.json"
    from bimcheck.reporters.json_report import render as render_json

    run_json.write_text(render_json(sample_run()), encoding="utf-8")
    out = tmp_path / "out" / "r.xml"
    result = CliRunner().invoke(
        app, ["report", str(run_json), "-o", f"xml:{out}", "--sign-key", str(key), "--sign-cert", str(cert)]
    )
    assert result.exit_code == 2
    assert result.stderr == f"bimcheck: error: {bad}: {problem}" + result.stderr.split(problem, 1)[1]
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_report_signs_a_saved_json_run(signer: Signer, tmp_path: Path) -> None:
    from bimcheck.reporters.json_report import render as render_json

    run_json = tmp_path / "run.json"
    run_json.write_text(render_json(sample_run()), encoding="utf-8")
    out = tmp_path / "r.xml"
    result = CliRunner().invoke(
        app,
        [
            "report",
            str(run_json),
            "-o",
            f"xml:{out}",
            "--sign-key",
            str(signer.key),
            "--sign-cert",
            str(signer.cert),
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert check(out.read_bytes()).valid


def test_a_signature_with_an_extra_transform_is_not_taken_as_covering_the_report(signer: Signer) -> None:
    data = signed_sample(signer)
    enveloped = b'<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
    assert enveloped in data
    xpath = b'<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"/>'
    result = check(data.replace(enveloped, enveloped + xpath, 1))
    assert not result.valid
    assert result.problem == "the signature does not cover the whole report"


def test_two_signatures_are_refused(signer: Signer) -> None:
    data = signed_sample(signer)
    start = data.index(b"<ds:Signature ")
    end = data.index(b"</ds:Signature>") + len(b"</ds:Signature>")
    doubled = data[:end] + data[start:end] + data[end:]
    result = check(doubled)
    assert not result.valid
    assert "exactly one signature" in (result.problem or "")
