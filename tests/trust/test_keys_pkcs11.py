"""Production keys: a PKCS#12 file (sealed) and a key on a SoftHSM2 PKCS#11 token, each signing for real."""

import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from saas.core.database import SYSTEM, context
from saas.signing import validation
from saas.trust import keys, pki
from saas.trust.models import SignerKey
from tests.fixtures.signed import prepared, sign
from tests.fixtures.verifiers import pdfsig

PIN = "4321"
SOFTHSM_MODULES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")


def certificate_for(tenant, public_key, name: str) -> x509.Certificate:
    """A signing certificate for ``public_key`` issued by the tenant's CA (as an RGS** CA would issue one)."""
    ca = pki.tenant_ca(tenant)
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca.certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([pki.DOCUMENT_SIGNING]), critical=False)
        .sign(ca.private_key, hashes.SHA256())
    )


def test_pkcs12_key_signs_and_is_stored_sealed(tmp_path, session, create_tenant, create_person, in_tenant):
    tenant, mayor = create_tenant(), create_person(first_name="Anne", last_name="Vignot")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with in_tenant(tenant):
        certificate = certificate_for(tenant, key.public_key(), "Anne Vignot (RGS test)")
        data = pkcs12.serialize_key_and_certificates(
            b"maire", key, certificate, None, serialization.BestAvailableEncryption(b"phrase secrete")
        )
        with pytest.raises(keys.SignerKeyError, match="phrase de passe incorrecte"):
            keys.import_pkcs12(tenant, mayor, data, "mauvaise")
        row = keys.import_pkcs12(tenant, mayor, data, "phrase secrete")
        assert isinstance(keys.signer_for(tenant, mayor), keys.PKCS12Signer)
        signed = sign(tenant, mayor, prepared(tmp_path), tmp_path / "signed.pdf", "maire")
        report = validation.validate(tenant, signed, "signed.pdf")
        stored = session.execute(sa.text("SELECT sealed_pkcs12, sealed_secret FROM signer_key")).one()
        replacing = keys.import_pkcs12(tenant, mayor, data, "phrase secrete")
        assert row.replaced_at is not None and replacing.replaced_at is None
    (signature,) = report.signatures
    assert signature.ok and signature.signer == "Anne Vignot (RGS test)" and not signature.not_qualified
    assert "Signature is Valid" in pdfsig(signed)
    assert "phrase secrete" not in stored.sealed_secret and data[:64] not in stored.sealed_pkcs12.encode()


@pytest.fixture(scope="module")
def softhsm(tmp_path_factory):
    """A SoftHSM2 token in a temporary folder (SOFTHSM2_CONF), initialised with a user PIN."""
    module = next((path for path in SOFTHSM_MODULES if Path(path).exists()), None)
    assert module and shutil.which("softhsm2-util"), "SoftHSM2 is not installed (Debian package softhsm2)"
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    config = folder / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(config)
    try:
        subprocess.run(
            ["softhsm2-util", "--init-token", "--free", "--label", "quorum-test", "--pin", PIN, "--so-pin", "123456"],
            check=True,
            capture_output=True,
        )
        yield module
    finally:
        if previous is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = previous


def _key_on_token(module: str, tenant, label: str, name: str) -> None:
    """Generate an RSA key inside the token and store beside it a certificate of the tenant's CA."""
    import pkcs11
    from pkcs11 import Attribute
    from pkcs11.util.x509 import decode_x509_certificate

    token = pkcs11.lib(module).get_token(token_label="quorum-test")
    with token.open(rw=True, user_pin=PIN) as session:
        public, _ = session.generate_keypair(pkcs11.KeyType.RSA, 2048, label=label, id=label.encode(), store=True)
        numbers = rsa.RSAPublicNumbers(
            int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big"), int.from_bytes(public[Attribute.MODULUS], "big")
        )
        certificate = certificate_for(tenant, numbers.public_key(), name)
        template = decode_x509_certificate(certificate.public_bytes(serialization.Encoding.DER))
        session.create_object(template | {Attribute.TOKEN: True, Attribute.LABEL: label, Attribute.ID: label.encode()})


def test_pkcs11_key_on_softhsm_signs(tmp_path, session, create_tenant, create_person, in_tenant, softhsm):
    tenant, mayor = create_tenant(name="Ville de Besançon"), create_person(first_name="Anne", last_name="Vignot")
    with in_tenant(tenant):
        _key_on_token(softhsm, tenant, "maire", "Anne Vignot (jeton)")
        with pytest.raises(keys.SignerKeyError, match="n'a pas de clé privée"):
            keys.configure_pkcs11(tenant, mayor, softhsm, "quorum-test", "absente", PIN)
        with pytest.raises(keys.SignerKeyError, match="n'a pas pu être ouvert"):
            keys.configure_pkcs11(tenant, mayor, softhsm, "quorum-test", "maire", "0000")
        row = keys.configure_pkcs11(tenant, mayor, softhsm, "quorum-test", "maire", PIN)
        assert PIN not in row.sealed_secret
        signer = keys.signer_for(tenant, mayor)
        assert isinstance(signer, keys.PKCS11Signer) and signer.certificate.subject.rfc4514_string() == row.subject
        pdf = prepared(tmp_path)
        first = sign(tenant, mayor, pdf, tmp_path / "first.pdf", "maire")
        second = sign(tenant, create_person(), first, tmp_path / "both.pdf", "secretaire", role="Secrétaire")
        report = validation.validate(tenant, second, "both.pdf")
    assert report.ok and report.signatures[0].signer == "Anne Vignot (jeton)"
    assert report.signatures[0].level == "B-T"
    assert pdfsig(second).count("Signature is Valid") == 2


def test_signing_cli_configures_keys_and_trust(app, tmp_path, session, create_tenant, create_person, softhsm):
    tenant = create_tenant(slug="ville-cli")
    mayor = create_person(email="maire@example.org")
    with context(session, SYSTEM):
        _key_on_token(softhsm, tenant, "maire-cli", "Maire (jeton)")
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        data = pkcs12.serialize_key_and_certificates(
            b"x", key, certificate_for(tenant, key.public_key(), "Maire (fichier)"), None, serialization.NoEncryption()
        )
        ca_pem = pki.tenant_ca(tenant).pem
    (tmp_path / "maire.p12").write_bytes(data)
    (tmp_path / "ca.pem").write_bytes(ca_pem)
    (tmp_path / "leaf.pem").write_bytes(b"not a certificate")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["signing", "import-pkcs12", "ville-cli", "maire@example.org", str(tmp_path / "maire.p12")], input="\n"
    )
    assert result.exit_code == 0 and "Maire (fichier)" in result.output, result.output
    result = runner.invoke(
        args=["signing", "configure-pkcs11", "ville-cli", "maire@example.org"]
        + ["--module", softhsm, "--token", "quorum-test", "--key", "maire-cli", "--pin", PIN]
    )
    assert result.exit_code == 0 and "Maire (jeton)" in result.output, result.output
    assert runner.invoke(args=["signing", "trust", "ville-cli", str(tmp_path / "ca.pem")]).exit_code == 0
    refused = runner.invoke(args=["signing", "trust", "ville-cli", str(tmp_path / "leaf.pem")])
    assert refused.exit_code != 0 and "PEM valide" in refused.output
    unknown = runner.invoke(
        args=["signing", "import-pkcs12", "nulle-part", "x@example.org", str(tmp_path / "maire.p12")], input="\n"
    )
    assert unknown.exit_code != 0 and "Aucune collectivité" in unknown.output
    with context(session, SYSTEM):
        rows = session.scalars(sa.select(SignerKey).where(SignerKey.tenant_id == tenant.id).order_by(SignerKey.id))
        assert [(row.source, row.replaced_at is None, row.person_id) for row in rows] == [
            ("pkcs12", False, mayor.id),
            ("pkcs11", True, mayor.id),
        ]
