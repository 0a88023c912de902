"""An item decided at the sitting becomes an act, once: its number, its text with the founding text's formula, its
PDF/A (as the report's "deliberation" document), its signature by the president and the sitting's appointed
secretary through the circuit for acts (pdfsig: valid), its corrections and its certified extract."""

import io
import subprocess
from datetime import UTC, datetime

import pikepdf
import pytest
import sqlalchemy as sa

from saas.acts import operations as acts
from saas.acts import printing
from saas.acts.models import Deliberation
from saas.audit.models import AuditEvent
from saas.core.database import TenantContext, context
from saas.documents.models import DocumentKind
from saas.documents.operations import DocumentError, add_document, replace_document
from saas.signing.book import files as book_files
from saas.signing.book.models import RequestStatus, SignatureRequest
from saas.sittings.outcomes import BallotType, Outcome, item_decided
from saas.storage.operations import read_all
from saas.workflow import signatures
from saas.workflow.definitions import WorkflowError
from saas.workflow.models import RunState
from tests.fixtures.pdfs import clean_pdf
from tests.fixtures.signing import sign_as
from tests.fixtures.verifiers import pdfsig

FORMULA = (
    "Après en avoir délibéré et sur avis favorable unanime de la Commission n° 1, le Conseil Municipal, à "
    "l'unanimité des suffrages exprimés, décide d'adopter les propositions du Rapporteur."
)


def in_city(session, council, person=None):
    return context(session, TenantContext(tenant_id=council.tenant.id, person_id=person.id if person else None))


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "act.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, timeout=60).stdout
    return " ".join(text.split())


def made(session, council, outcome) -> Deliberation:
    with in_city(session, council):
        act = acts.create_deliberation(council.item, outcome)
        return acts.generate_pdf(act)


def test_the_adopted_item_becomes_act_2027_001_with_the_founding_formula(session, council, outcome_of, tmp_path):
    act = made(session, council, outcome_of(council.item.id))
    assert (act.number, act.year, act.sequence, act.item_position) == ("2027-001", 2027, 1, 1)
    assert act.decided_on.isoformat() == "2027-03-15" and act.subject_code == "8.5"
    assert act.outcome == Outcome.ADOPTED and act.outcome_snapshot["votes_for"] == 42
    assert FORMULA in act.text
    with in_city(session, council):
        pdf = read_all(act.document_version.blob)
        document = act.document_version.document
        assert document.kind == DocumentKind.DELIBERATION and document.report_id == council.report.id
        # the circuit for acts signs the act, not the draft
        assert signatures.main_document(council.report).id == document.id
    text = text_of(pdf, tmp_path)
    for expected in (
        FORMULA,
        "Délibération n° 2027-001",
        "1 - Equipement numérique - Dématérialisation des documents et procédures",
        "séance du lundi 15 mars 2027 à 18h00",
        "Membres en exercice : 55 — présents : 40 — représentés : 2",
        "quorum atteint (article L2121-17 du CGCT)",
        "Le Président de séance",
        "Le Secrétaire de séance",
        "Hélène Marchand",
        "Julien Garnier",
    ):
        assert expected in text
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        metadata = opened.open_metadata()
        assert metadata.get("pdfaid:part") == "3" and metadata.get("pdfaid:conformance") == "B"


def test_the_votes_signal_delivered_twice_makes_one_act(app, session, council, outcome_of):
    outcome = outcome_of(council.item.id)
    with in_city(session, council):
        item_decided.send(council.item, outcome=outcome)
        item_decided.send(council.item, outcome=outcome)
        rows = session.execute(sa.select(Deliberation)).scalars().all()
        assert [act.number for act in rows] == ["2027-001"]
        events = session.execute(sa.select(AuditEvent).where(AuditEvent.action == "act.created")).scalars().all()
        assert len(events) == 1
        assert acts.create_deliberation(council.item, outcome).id == rows[0].id


def test_a_rejected_project_is_a_deliberation_of_rejection(session, council, outcome_of, tmp_path):
    outcome = outcome_of(
        council.item.id,
        outcome=Outcome.REJECTED,
        ballot_type=BallotType.NAMED,
        votes_for=10,
        votes_against=30,
        abstentions=2,
        names_against=("Anne Martin", "Paul Durand"),
        names_abstaining=("Luc Petit", "Zoé Noir"),
        not_taking_part=("Marc Blanc",),
    )
    act = made(session, council, outcome)
    assert act.outcome == Outcome.REJECTED
    with in_city(session, council):
        text = text_of(read_all(act.document_version.blob), tmp_path)
    assert (
        "le Conseil Municipal, au scrutin public, par 10 voix pour, 30 voix contre et 2 abstentions, décide de ne pas "
        "adopter les propositions du Rapporteur." in text
    )
    assert "Marc Blanc ne prend pas part au vote." in text
    assert "Ont voté contre : Anne Martin et Paul Durand." in text
    assert "Abstentions : Luc Petit et Zoé Noir." in text
    assert "Mode de scrutin au scrutin public" in text and "Résultat rejeté" in text


def test_prend_acte_is_recorded_by_an_act(session, council, outcome_of):
    act = made(session, council, outcome_of(council.item.id, outcome=Outcome.NOTED, ballot_type=None, votes_for=0))
    assert act.outcome == Outcome.NOTED
    assert "le Conseil Municipal prend acte de la communication du Rapporteur." in act.text


@pytest.mark.parametrize("outcome", [Outcome.POSTPONED, Outcome.WITHDRAWN])
def test_a_postponed_or_withdrawn_item_makes_no_act(session, council, outcome_of, outcome):
    decided = outcome_of(council.item.id, outcome=outcome, ballot_type=None, votes_for=0, reason="quorum non atteint")
    with in_city(session, council):
        assert acts.create_deliberation(council.item, decided) is None
        assert session.execute(sa.select(Deliberation)).first() is None


def test_an_outcome_of_another_item_is_refused(session, council, outcome_of):
    with in_city(session, council), pytest.raises(acts.ActError, match="pas celui de ce point"):
        acts.create_deliberation(council.item, outcome_of(council.item.id + 1))


def test_the_committee_opinion_of_the_circuit_wins_over_the_agenda_phrase(session, council, outcome_of):
    with in_city(session, council):
        council.item.committee_opinion = None
        act = acts.create_deliberation(council.item, outcome_of(council.item.id))
    assert act.text.split("\n\n")[1].startswith("Après en avoir délibéré, le Conseil Municipal, à l'unanimité")


def test_the_pdf_is_made_once(session, council, outcome_of):
    act = made(session, council, outcome_of(council.item.id))
    version = act.document_version_id
    with in_city(session, council):
        assert acts.generate_pdf(act).document_version_id == version
        assert len(act.document_version.document.versions) == 1


def test_nobody_uploads_or_replaces_a_deliberation(session, council, outcome_of, tmp_path):
    act = made(session, council, outcome_of(council.item.id))
    pdf = clean_pdf(tmp_path / "x.pdf").read_bytes()
    with in_city(session, council):
        with pytest.raises(DocumentError, match="Type de document inconnu"):
            add_document(council.report, "deliberation", "Fausse", io.BytesIO(pdf), "x.pdf", None)
        with pytest.raises(DocumentError, match="nouvel acte"):
            replace_document(act.document_version.document, io.BytesIO(pdf), "x.pdf", None)


def test_signed_by_the_president_then_the_sittings_secretary_and_pdfsig_says_valid(
    session, council, outcome_of, tmp_path
):
    city = council.city
    act = made(session, council, outcome_of(council.item.id))
    with in_city(session, council, city.secretariat):
        run = acts.start_signing(act, city.secretariat)
        assert acts.signing_run(act).id == run.id
        with pytest.raises(WorkflowError, match="déjà en cours"):
            acts.start_signing(act, city.secretariat)
    with in_city(session, council):
        (first,) = session.execute(sa.select(SignatureRequest)).scalars().all()
    assert first.document_version_id == act.document_version_id
    sign_as(session, city, first, city.mayor)
    with in_city(session, council):
        _, second = session.execute(sa.select(SignatureRequest).order_by(SignatureRequest.id)).scalars().all()
    # the secretary the assembly appointed at the opening, not the holder of the role's mandate (city.member)
    assert [step.person_id for step in second.steps] == [city.secretary.id]
    sign_as(session, city, second, city.secretary)
    assert second.status == RequestStatus.SIGNED and run.state == RunState.COMPLETED
    with in_city(session, council), book_files.workspace() as folder:
        signed = book_files.write_blob(second.current_blob, folder / "acte.pdf")
        report = pdfsig(signed)
        text = text_of(signed.read_bytes(), tmp_path)
    assert report.count("Signature is Valid") == 2, report
    assert FORMULA in text


def test_before_a_secretary_is_appointed_the_role_is_asked(session, council, outcome_of):
    city = council.city
    with in_city(session, council):
        council.sitting.secretary_id = None
        session.flush()
    act = made(session, council, outcome_of(council.item.id))
    with in_city(session, council, city.secretariat):
        run = acts.start_signing(act, city.secretariat)
    sign_as(session, city, session.execute(sa.select(SignatureRequest)).scalar_one(), city.mayor)
    with in_city(session, council):
        second = session.execute(sa.select(SignatureRequest).order_by(SignatureRequest.id.desc())).scalars().first()
    assert [step.person_id for step in second.steps] == [city.member.id] and run.state == RunState.RUNNING


def test_a_correction_is_a_new_act_and_the_first_stays_as_it_was(session, council, outcome_of, tmp_path):
    city = council.city
    first = made(session, council, outcome_of(council.item.id))
    text, version = first.text, first.document_version_id
    corrected = outcome_of(council.item.id, votes_for=41, abstentions=1)
    with in_city(session, council, city.secretariat):
        with pytest.raises(acts.ActError, match="motif"):
            acts.correct_deliberation(first, "   ", actor=city.secretariat)
        second = acts.correct_deliberation(
            first, "Erreur matérielle : une abstention", actor=city.secretariat, outcome=corrected
        )
        acts.generate_pdf(second)
        assert (second.number, second.corrects_id, second.correction_reason) == (
            "2027-002",
            first.id,
            "Erreur matérielle : une abstention",
        )
        assert first.corrected_at is not None and first.text == text and first.document_version_id == version
        assert "(1 abstention)" in second.text
        # the correction is the new version of the act's document: the circuit signs it, the first stays
        document = second.document_version.document
        assert [v.id for v in document.versions] == [version, second.document_version_id]
        assert signatures.main_document(council.report).current_version.id == second.document_version_id
        assert [act.number for act in acts.chain(first)] == ["2027-001", "2027-002"]
        with pytest.raises(acts.ActError, match="déjà été corrigée"):
            acts.correct_deliberation(first, "encore", actor=city.secretariat)
        with pytest.raises(acts.ActError, match="rectificatif"):
            acts.start_signing(first, city.secretariat)
        pdf_text = text_of(read_all(second.document_version.blob), tmp_path)
    assert "Acte rectificatif de la délibération n° 2027-001. Motif : Erreur matérielle : une abstention" in pdf_text


def test_no_correction_while_the_act_is_being_signed(session, council, outcome_of):
    city = council.city
    act = made(session, council, outcome_of(council.item.id))
    with in_city(session, council, city.secretariat):
        acts.start_signing(act, city.secretariat)
        with pytest.raises(acts.ActError, match="en cours de signature"):
            acts.correct_deliberation(act, "Erreur", actor=city.secretariat)


def test_the_certified_extract(session, council, outcome_of, tmp_path):
    act = made(session, council, outcome_of(council.item.id))
    with in_city(session, council):
        pdf = printing.extract_pdf(act, certified_on=datetime(2027, 3, 20, 9, 0, tzinfo=UTC))
    text = text_of(pdf, tmp_path)
    for expected in (
        "EXTRAIT DU REGISTRE DES DÉLIBÉRATIONS",
        "Délibération n° 2027-001",
        FORMULA,
        "Pour extrait conforme,",
        "Certifié conforme au registre, le 20 mars 2027",
        "Hélène Marchand, président",
    ):
        assert expected in text


def test_a_collectivitys_own_template(session, council, outcome_of, tmp_path, monkeypatch):
    folder = tmp_path / "templates"
    (folder / council.tenant.slug).mkdir(parents=True)
    (folder / council.tenant.slug / "deliberation.html").write_text(
        '{% extends "default/deliberation.html" %}{% block header %}<p>Mairie de Besançon — en-tête propre</p>'
        "{% endblock %}",
        encoding="utf-8",
    )
    monkeypatch.setattr(printing, "TENANT_TEMPLATES", folder)
    act = made(session, council, outcome_of(council.item.id))
    with in_city(session, council):
        text = text_of(read_all(act.document_version.blob), tmp_path)
        assert printing.template_source(council.tenant, "deliberation.html").endswith(
            f"{council.tenant.slug}/deliberation.html"
        )
    assert "Mairie de Besançon — en-tête propre" in text and FORMULA in text


def test_hostile_names_are_printed_as_text(session, council, outcome_of, tmp_path):
    hostile = '<script>alert("x")</script> Zoé\u202e'
    act = made(
        session,
        council,
        outcome_of(council.item.id, ballot_type=BallotType.NAMED, votes_against=1, names_against=(hostile,)),
    )
    with in_city(session, council):
        text = text_of(read_all(act.document_version.blob), tmp_path)
    assert '<script>alert("x")</script>' in text
