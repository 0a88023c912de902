"""The register exported per sitting and per year, signed in the book (pdfsig); the list of deliberations and
its mails to an EPCI's outside councillors (one per person, even when sent twice)."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from saas.acts.minutes import jobs
from saas.acts.minutes import operations as minutes_ops
from saas.acts.register import operations as register
from saas.core.database import SYSTEM, TenantContext, context
from saas.mail.models import OutboundMail
from saas.storage.operations import read_all
from saas.tenancy.models import TenantKind
from tests.acts.register.records import hold, pdf_text
from tests.fixtures.signing import sign_as
from tests.fixtures.verifiers import pdfsig


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_sitting_and_year_exports_signed_and_valid(session, council, tmp_path):
    hold(session, council)
    city = council.city
    with context(session, TenantContext(tenant_id=council.tenant.id, person_id=city.secretariat.id)):
        export = register.export_sitting(council.sitting, city.secretariat)
        yearly = register.export_year(council.sitting.assembly, 2027, city.secretariat)
        assert [s.person_id for s in export.request.steps] == [city.mayor.id, city.secretary.id]
        assert [s.person_id for s in yearly.request.steps] == [city.mayor.id]
        with pytest.raises(register.RegisterError, match="Aucune séance close en 2026"):
            register.export_year(council.sitting.assembly, 2026, city.secretariat)
        with pytest.raises(register.RegisterError, match="entre"):
            register.export_year(council.sitting.assembly, 99999, city.secretariat)
    sign_as(session, city, export.request, city.mayor)
    sign_as(session, city, export.request, city.secretary)
    with context(session, TenantContext(tenant_id=council.tenant.id)):
        blob, signed = register.export_file(export)
        data = read_all(blob)
    assert signed
    path = tmp_path / "registre.pdf"
    path.write_bytes(data)
    assert pdfsig(path).count("Signature is Valid") == 2
    text = flat(pdf_text(data, tmp_path))
    assert "Délibération n° 2027-001" in text and "N° d'ordre dans la séance : 1" in text
    assert "Clôture de la séance du lundi 15 mars 2027" in text and "Membre présent Élu 0" in text


def test_the_list_and_its_mails_to_outside_councillors_once_each(session, council, tmp_path):
    hold(session, council)
    city = council.city
    with context(session, SYSTEM):
        council.tenant.kind = TenantKind.EPCI
        session.flush()
    with context(session, TenantContext(tenant_id=council.tenant.id, person_id=city.secretariat.id)):
        listing = minutes_ops.generate_list(council.sitting, actor=city.secretariat)
        assert listing.version == 1 and listing.online_due_on == date(2027, 3, 22)
        assert listing.councillors_due_on == date(2027, 4, 15)
        text = flat(pdf_text(read_all(listing.blob), tmp_path))
        assert "2027-001" in text and "Adopté" in text and "unanimité" in text
        with pytest.raises(minutes_ops.MinutesError, match="Aucun conseiller"):
            minutes_ops.send_to_councillors(listing, actor=city.secretariat)
        added = minutes_ops.import_councillors(
            council.tenant,
            "nom;email;commune\nAnne Roy;anne@example.org;Chalezeule\nLuc Vidal;luc@example.org;Thise\n",
            actor=city.secretariat,
        )
        assert added == (2, 0)
        assert minutes_ops.import_councillors(
            council.tenant, "Anne Roy;anne@example.org;Chalezeule", actor=city.secretariat
        ) == (0, 1)
        with pytest.raises(minutes_ops.MinutesError, match="Ligne 1"):
            minutes_ops.import_councillors(council.tenant, "X;pas-une-adresse;Y", actor=city.secretariat)
        assert minutes_ops.send_to_councillors(listing, actor=city.secretariat) == 2
        jobs.mail_list(listing.id)
        jobs.mail_list(listing.id)  # run twice
        mails = session.execute(sa.select(OutboundMail).where(OutboundMail.key.like("deliberation-list:%"))).scalars()
        assert sorted(mail.to_address for mail in mails) == ["anne@example.org", "luc@example.org"]
        assert minutes_ops.generate_list(council.sitting, actor=city.secretariat).version == 2


def test_a_commune_sends_no_list_to_councillors(session, council):
    hold(session, council)
    with context(session, TenantContext(tenant_id=council.tenant.id)):
        listing = minutes_ops.generate_list(council.sitting, actor=council.city.secretariat)
        assert listing.councillors_due_on is None
        with pytest.raises(minutes_ops.MinutesError, match="L5211-40-2"):
            minutes_ops.send_to_councillors(listing, actor=council.city.secretariat)
