"""The tenant's embedded PKI: generated once, keys sealed, one CA per tenant, certificates fit for use."""

import pytest
import sqlalchemy as sa
from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID

from saas.trust import pki
from saas.trust.models import CertificateKind, TenantCertificate


def test_ca_and_tsa_are_generated_once_per_tenant(session, create_tenant, in_tenant):
    tenant = create_tenant()
    with in_tenant(tenant):
        ca, tsa = pki.ensure_tenant_pki(tenant)
        again_ca, again_tsa = pki.ensure_tenant_pki(tenant)
        rows = session.scalars(sa.select(TenantCertificate).where(TenantCertificate.tenant_id == tenant.id)).all()
    assert (ca.created, tsa.created) == (True, True)
    assert (again_ca.created, again_tsa.created) == (False, False)
    assert again_ca.certificate == ca.certificate and again_tsa.certificate == tsa.certificate
    assert sorted(row.kind for row in rows) == [CertificateKind.CA, CertificateKind.TSA]


def test_private_keys_are_never_stored_in_clear(session, create_tenant, in_tenant, create_person):
    tenant = create_tenant()
    with in_tenant(tenant):
        pki.ensure_tenant_pki(tenant)
        pki.issue_signer_certificate(tenant, create_person())
        session.flush()
        stored = session.execute(sa.text("SELECT kind, sealed_key, certificate_pem FROM tenant_certificate")).all()
    assert sorted(kind for kind, _, _ in stored) == ["ca", "signer", "tsa"]
    for _, sealed, certificate in stored:
        assert "PRIVATE KEY" not in sealed and "BEGIN" not in sealed
        assert "PRIVATE KEY" not in certificate


def test_a_sealed_key_only_opens_in_its_own_row(session, create_tenant, in_tenant):
    first, second = create_tenant(), create_tenant()
    with in_tenant(first):
        sealed = pki.tenant_ca(first).row.sealed_key
    with in_tenant(second):
        row = pki.tenant_ca(second).row
        row.sealed_key = sealed  # a key copied into another tenant's row does not open there
        with pytest.raises(InvalidTag):
            pki._unseal(row)


def test_two_tenants_have_different_cas_labelled_not_qualified(create_tenant, in_tenant):
    first, second = create_tenant(name="Ville de Besançon"), create_tenant(name="Grand Besançon Métropole")
    with in_tenant(first):
        first_ca = pki.tenant_ca(first).certificate
    with in_tenant(second):
        second_ca = pki.tenant_ca(second).certificate
    assert first_ca.public_key().public_numbers() != second_ca.public_key().public_numbers()
    assert first_ca.subject != second_ca.subject
    for certificate, name in ((first_ca, "Ville de Besançon"), (second_ca, "Grand Besançon Métropole")):
        assert certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == name
        unit = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value
        assert "NON QUALIFIÉ" in unit
        assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_tsa_certificate_is_issued_by_the_ca_for_time_stamping_only(create_tenant, in_tenant):
    tenant = create_tenant()
    with in_tenant(tenant):
        ca, tsa = pki.ensure_tenant_pki(tenant)
    tsa.certificate.verify_directly_issued_by(ca.certificate)
    usage = tsa.certificate.extensions.get_extension_for_oid(ExtensionOID.EXTENDED_KEY_USAGE)
    assert usage.critical and list(usage.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert not tsa.certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert "NON QUALIFIÉ" in tsa.certificate.subject.rfc4514_string()


def test_signer_certificate_per_person(create_tenant, in_tenant, create_person):
    tenant = create_tenant()
    mayor = create_person(first_name="Anne", last_name="Vignot", email="mayor@example.org")
    secretary = create_person()
    with in_tenant(tenant):
        signer = pki.issue_signer_certificate(tenant, mayor)
        same = pki.issue_signer_certificate(tenant, mayor)
        other = pki.issue_signer_certificate(tenant, secretary)
        ca = pki.tenant_ca(tenant)
    assert same.certificate == signer.certificate and not same.created
    assert other.certificate.public_key().public_numbers() != signer.certificate.public_key().public_numbers()
    certificate = signer.certificate
    certificate.verify_directly_issued_by(ca.certificate)
    assert signer.row.person_id == mayor.id and signer.row.kind == CertificateKind.SIGNER
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Anne Vignot"
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    extended = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(extended) == {pki.DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION}
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.RFC822Name) == ["mayor@example.org"]


def test_keys_of_a_tenant_are_refused_from_another_tenant(create_tenant, in_tenant):
    first, second = create_tenant(), create_tenant()
    with in_tenant(first):
        pki.tenant_ca(first)
    with in_tenant(second), pytest.raises(pki.PKIError, match="pas accessibles"):
        pki.tenant_ca(first)


def test_pki_init_command(app, session, create_tenant):
    tenant = create_tenant(slug="ville-test")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["pki", "init", "ville-test"])
    assert first.exit_code == 0, first.output
    assert first.output.count("créé ") == 2 and "SHA-256" in first.output
    second = runner.invoke(args=["pki", "init", "ville-test"])
    assert second.exit_code == 0 and second.output.count("existant") == 2
    count = session.scalar(sa.select(sa.func.count()).select_from(TenantCertificate).filter_by(tenant_id=tenant.id))
    assert count == 2
    unknown = runner.invoke(args=["pki", "init", "nulle-part"])
    assert unknown.exit_code != 0 and "Aucune collectivité « nulle-part »" in unknown.output


def test_rows_of_another_tenant_are_invisible_even_to_raw_sql(session, create_tenant, in_tenant):
    """The ORM filter in both columns, and PostgreSQL row-level security in the production one."""
    first, second = create_tenant(), create_tenant()
    with in_tenant(first):
        pki.ensure_tenant_pki(first)
        session.flush()
    with in_tenant(second):
        assert session.scalars(sa.select(TenantCertificate)).all() == []
        if session.get_bind().dialect.name == "postgresql":
            assert session.execute(sa.text("SELECT count(*) FROM tenant_certificate")).scalar() == 0


def _blank_pdf() -> bytes:
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter

    writer = PdfFileWriter()
    box = generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)])
    page = generic.DictionaryObject({generic.pdf_name("/Type"): generic.pdf_name("/Page")})
    page[generic.pdf_name("/MediaBox")] = box
    writer.insert_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pyhanko_signs_with_a_signer_certificate_and_validates_it(create_tenant, in_tenant, create_person):
    """The signer certificate passes pyHanko's default signer checks (digitalSignature, nonRepudiation)."""
    import asyncio
    import io

    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    tenant = create_tenant()
    with in_tenant(tenant):
        signer = pki.issue_signer_certificate(tenant, create_person())
        ca = pki.tenant_ca(tenant)

    def asn1(certificate):
        return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))

    key = signer.private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pdf_signer = signers.SimpleSigner(
        signing_cert=asn1(signer.certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(key),
        cert_registry=SimpleCertificateStore.from_certs([asn1(ca.certificate)]),
    )
    signed = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(_blank_pdf())),
        signers.PdfSignatureMetadata(field_name="Signature1"),
        signer=pdf_signer,
    )
    embedded = PdfFileReader(signed).embedded_signatures[0]
    context = ValidationContext(trust_roots=[asn1(ca.certificate)])
    status = asyncio.run(async_validate_pdf_signature(embedded, context))
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()


def test_long_accented_names_fit_the_certificate_limits(session, create_tenant):
    """X.520 caps names at 64 bytes: the Agglomeration's accented name must still give a CA and a TSA."""
    from saas.core.database import SYSTEM, context
    from saas.trust import pki

    tenant = create_tenant(name="Communauté d'Agglomération du Grand Besançon, établissement éèàç")
    with context(session, SYSTEM):
        ca, tsa = pki.tenant_ca(tenant), pki.tenant_tsa(tenant)
    assert "Besançon" in ca.certificate.subject.rfc4514_string()
    assert tsa.certificate.issuer == ca.certificate.subject


def test_a_signer_whose_address_has_accents_gets_a_certificate_without_the_address(
    create_tenant, in_tenant, create_person
):
    tenant = create_tenant()
    person = create_person(email="hélène.marchand@example.org")
    with in_tenant(tenant):
        certificate = pki.issue_signer_certificate(tenant, person).certificate
    with pytest.raises(x509.ExtensionNotFound):
        certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
