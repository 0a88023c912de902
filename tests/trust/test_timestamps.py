"""RFC 3161 timestamps: the built-in authority and a remote one, each checked by OpenSSL and by Quorum."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from saas.trust import pki, timestamps
from saas.trust.models import SigningSettings
from saas.trust.timestamps import TimestampClient, TimestampError, verify_timestamp
from tests import services
from tests.fixtures.verifiers import openssl_verify

MANIFEST = b'{"sitting": 44, "files": [{"sha256": "ab12", "size": 1024}]}'


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def test_built_in_timestamp_verifies_with_openssl_and_quorum(tmp_path, create_tenant, in_tenant):
    tenant = create_tenant()
    with in_tenant(tenant):
        token = timestamps.timestamp(tenant, MANIFEST)
        ca, tsa = pki.ensure_tenant_pki(tenant)
        roots = timestamps.trust_roots(tenant)
    result = openssl_verify(tmp_path, MANIFEST, token, ca.pem, tsa.pem)
    assert "Verification: OK" in result.stdout, result.stderr
    info = verify_timestamp(token, MANIFEST, roots)
    assert abs(info.gen_time - datetime.now(UTC)) < timedelta(minutes=1)
    assert info.tsa_name.startswith("Horodatage ") and info.hash_algorithm == "sha256"
    assert info.policy == timestamps.BUILT_IN_POLICY and info.serial > 0


def test_one_changed_byte_fails_both_verifiers(tmp_path, create_tenant, in_tenant):
    tenant = create_tenant()
    with in_tenant(tenant):
        token = timestamps.timestamp(tenant, MANIFEST)
        ca, tsa = pki.ensure_tenant_pki(tenant)
        roots = timestamps.trust_roots(tenant)
    tampered = _flip(MANIFEST, 10)
    result = openssl_verify(tmp_path, tampered, token, ca.pem, tsa.pem)
    assert result.returncode != 0 and "Verification: OK" not in result.stdout
    assert "message imprint mismatch" in result.stdout + result.stderr
    with pytest.raises(TimestampError, match="ont été modifiées"):
        verify_timestamp(token, tampered, roots)


def test_a_tampered_token_fails(tmp_path, create_tenant, in_tenant):
    tenant = create_tenant()
    with in_tenant(tenant):
        token = timestamps.timestamp(tenant, MANIFEST)
        ca, tsa = pki.ensure_tenant_pki(tenant)
        roots = timestamps.trust_roots(tenant)
    broken = _flip(token, len(token) - 20)  # inside the signature value of the signer info
    result = openssl_verify(tmp_path, MANIFEST, broken, ca.pem, tsa.pem)
    assert "Verification: OK" not in result.stdout
    with pytest.raises(TimestampError):
        verify_timestamp(broken, MANIFEST, roots)
    with pytest.raises(TimestampError, match="illisible"):
        verify_timestamp(b"not a token", MANIFEST, roots)


def test_another_tenants_ca_does_not_vouch_for_the_token(tmp_path, create_tenant, in_tenant):
    first, second = create_tenant(), create_tenant()
    with in_tenant(first):
        token = timestamps.timestamp(first, MANIFEST)
        tsa = pki.tenant_tsa(first)
    with in_tenant(second):
        other = pki.tenant_ca(second)
    result = openssl_verify(tmp_path, MANIFEST, token, other.pem, tsa.pem)
    assert "Verification: OK" not in result.stdout
    with pytest.raises(TimestampError, match="aucune autorité de confiance"):
        verify_timestamp(token, MANIFEST, [other.certificate])


def test_external_tsa_served_by_certomancer(tmp_path, external_tsa):
    token = TimestampClient(external_tsa.url).stamp(MANIFEST)
    root = x509.load_pem_x509_certificate(external_tsa.root_pem.encode())
    info = verify_timestamp(token, MANIFEST, [root])
    assert info.tsa_name == "TSA externe" and info.policy != timestamps.BUILT_IN_POLICY
    tsa_pem = b"".join(c.public_bytes(Encoding.PEM) for c in timestamps.signer_certificates(token))
    result = openssl_verify(tmp_path, MANIFEST, token, external_tsa.root_pem.encode(), tsa_pem)
    assert "Verification: OK" in result.stdout, result.stderr
    with pytest.raises(TimestampError):
        verify_timestamp(token, _flip(MANIFEST, 0), [root])


def test_tenant_configured_tsa_url_is_used(session, create_tenant, in_tenant, external_tsa):
    tenant = create_tenant()
    with in_tenant(tenant):
        timestamps.set_tsa(tenant, external_tsa.url, external_tsa.root_pem)
        token = timestamps.timestamp(tenant, MANIFEST)
        info = verify_timestamp(token, MANIFEST, timestamps.trust_roots(tenant))
        timestamps.set_tsa(tenant, None)
        built_in = verify_timestamp(timestamps.timestamp(tenant, MANIFEST), MANIFEST, timestamps.trust_roots(tenant))
    assert info.tsa_name == "TSA externe"
    assert built_in.tsa_name.startswith("Horodatage ")


def test_unreachable_tsa_gives_a_french_error():
    url = f"http://127.0.0.1:{services.free_port()}/tsa"
    with pytest.raises(TimestampError, match="n'a pas répondu correctement"):
        TimestampClient(url, timeout=3).stamp(MANIFEST)


def test_invalid_tsa_settings_are_refused_and_nothing_is_saved(session, create_tenant, in_tenant):
    tenant = create_tenant()
    with in_tenant(tenant):
        with pytest.raises(TimestampError, match="Adresse d'autorité d'horodatage invalide"):
            timestamps.set_tsa(tenant, "ftp://tsa.example.org", "x")
        with pytest.raises(TimestampError, match="certificat racine"):
            timestamps.set_tsa(tenant, "https://tsa.example.org/tsa", None)
        with pytest.raises(TimestampError, match="PEM valide"):
            timestamps.set_tsa(tenant, "https://tsa.example.org/tsa", "-----BEGIN CERTIFICATE-----\nxx\n")
        assert session.scalar(sa.select(sa.func.count()).select_from(SigningSettings)) == 0
