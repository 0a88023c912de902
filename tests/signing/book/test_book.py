"""The signature book: order between signers, sole control, the book across collectivities, refusal."""

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from saas.core.database import SYSTEM, TenantContext, context
from saas.mail.models import OutboundMail
from saas.signing import validation
from saas.signing.book import operations as book
from saas.signing.book.models import RequestStatus, StepStatus
from saas.signing.operations import SigningRefused
from saas.storage.operations import read_all
from tests.fixtures.pdfs import deliberation_pdf
from tests.fixtures.signing import fresh_code, new_request, sign_as
from tests.fixtures.verifiers import pdfsig, qpdf_check


def _current_file(session, request, folder):
    with context(session, SYSTEM):
        path = folder / "current.pdf"
        path.write_bytes(read_all(request.current_blob))
    return path


def test_president_then_secretary_both_valid_in_pdfsig_and_in_the_report(session, city, tmp_path, audit_events):
    request = new_request(session, city)
    original = (city.version.blob_id, city.version.sha256)
    assert [s.status for s in request.steps] == [StepStatus.PENDING, StepStatus.WAITING]
    assert [e.request_id for e in book.book_for(city.secretary)] == []  # not before the Mayor has signed

    sign_as(session, city, request, city.mayor)
    assert [e.request_id for e in book.book_for(city.mayor)] == []
    assert [e.request_id for e in book.book_for(city.secretary)] == [request.id]
    sign_as(session, city, request, city.secretary)

    assert request.status == RequestStatus.SIGNED and request.closed_at is not None
    signed = _current_file(session, request, tmp_path)
    out = pdfsig(signed)
    assert out.count("Signature is Valid") == 2, out
    assert qpdf_check(signed).returncode == 0
    with context(session, TenantContext(tenant_id=city.tenant.id)):
        report = validation.validate(city.tenant, signed, "deliberation.pdf")
    assert [s.signer for s in report.signatures] == ["Hélène Marchand", "Julien Garnier"]
    assert report.ok and all(s.timestamp and s.timestamp.valid for s in report.signatures)
    assert report.signatures[-1].changes == [] and report.signatures[-1].unchanged
    assert (city.version.blob_id, city.version.sha256) == original  # the document version is never modified
    events = [data["position"] for _, data in audit_events(city.tenant, "signature_step.signed")]
    assert events == [1, 2]


def test_signing_needs_a_fresh_code_and_a_code_serves_once(session, city):
    request = new_request(session, city)
    for code in (None, "", "000000"):
        with pytest.raises(SigningRefused, match="Code de vérification"):
            sign_as(session, city, request, city.mayor, code=code)
    assert request.steps[0].status == StepStatus.PENDING
    code = fresh_code(city.mayor)
    sign_as(session, city, request, city.mayor, code=code)
    second = new_request(session, city, title="Délibération n° 45")
    with pytest.raises(SigningRefused, match="déjà utilisé"):
        sign_as(session, city, second, city.mayor, code=code)  # the same code again: a replay
    assert second.steps[0].status == StepStatus.PENDING and second.current_blob_id == second.prepared_blob_id


def test_only_the_signer_whose_turn_it_is_may_sign(session, city):
    request = new_request(session, city)
    for person in (city.secretary, city.member, city.secretariat):
        with pytest.raises(book.BookError, match="n'attend pas votre signature"):
            sign_as(session, city, request, person, code="123456")


def test_one_book_across_collectivities_and_nothing_where_no_mandate(
    session, city, create_tenant, give_mandate, give_grant, create_person
):
    agglo = create_tenant(name="Grand Besançon Métropole")
    mandate = give_mandate(city.mayor, agglo)
    agglo_secretariat = create_person()
    give_grant(agglo_secretariat, agglo)
    first = new_request(session, city)
    with context(session, TenantContext(tenant_id=agglo.id, person_id=agglo_secretariat.id)):
        pdf = io.BytesIO(deliberation_pdf(agglo.name, 7, "Adhésion au groupement", ["Adopté."]))
        second = book.request_signatures(
            agglo,
            title="Délibération n° 7",
            signers=[book.Signer(city.mayor, "Vice-présidente")],
            actor=agglo_secretariat,
            upload=(pdf, "d7.pdf"),
        )
    entries = book.book_for(city.mayor)
    assert [(e.tenant_name, e.request_id, e.role) for e in entries] == [
        ("Ville de Besançon", first.id, "Maire, président de séance"),
        ("Grand Besançon Métropole", second.id, "Vice-présidente"),
    ]
    with context(session, SYSTEM):  # her mandate at the Agglomeration ends: its requests leave her book
        mandate.end_date = date.today() - timedelta(days=1)
        session.flush()
    assert [e.request_id for e in book.book_for(city.mayor)] == [first.id]
    with pytest.raises(book.BookError, match="en fonction"):
        with context(session, TenantContext(tenant_id=agglo.id, person_id=city.mayor.id)):
            book.sign(second, city.mayor, fresh_code(city.mayor))


def test_refusal_needs_a_reason_and_tells_the_requester_once(session, city, audit_events):
    request = new_request(session, city)
    with context(session, TenantContext(tenant_id=city.tenant.id, person_id=city.mayor.id)):
        for reason in (None, "", "   "):
            with pytest.raises(book.BookError, match="Indiquez le motif du refus."):
                book.refuse(request, city.mayor, reason)
        assert request.status == RequestStatus.PENDING
        book.refuse(request, city.mayor, "Le montant de la subvention est erroné.")
        with pytest.raises(book.BookError, match="n'attend plus de signature"):
            book.refuse(request, city.mayor, "Encore")
    assert request.status == RequestStatus.REFUSED
    assert [s.status for s in request.steps] == [StepStatus.REFUSED, StepStatus.CANCELLED]
    with context(session, SYSTEM):
        mails = session.execute(
            sa.select(OutboundMail).where(OutboundMail.key.like(f"signature-request:{request.id}:refused"))
        ).scalars().all()  # fmt: skip
    assert len(mails) == 1 and mails[0].to_address == city.secretariat.email
    assert "Le montant de la subvention est erroné." in mails[0].body_text
    assert audit_events(city.tenant, "signature_step.refused")[0][1]["reason"].startswith("Le montant")
    assert book.book_for(city.secretary) == []
