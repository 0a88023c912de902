"""The register, the minutes and the list of deliberations as rendered: what their text says (pdftotext)."""

import re

import pikepdf

from saas.acts.minutes.documents import deliberation_list_pdf, minutes_pdf
from saas.acts.register import record as phrases
from saas.acts.register.documents import register_pdf
from tests.acts.register.records import outcome, pdf_text, sitting_record


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_minutes_state_presence_quorum_results_and_names(app, tmp_path):
    with app.app_context():
        data = minutes_pdf(sitting_record(), article="L2121-15", status_label=None, approval=None)
    text = flat(pdf_text(data, tmp_path))
    assert "Procès-verbal de la séance du lundi 15 mars 2027" in text
    assert "Ouverture 18h05" in text and "Clôture 20h10" in text
    assert "Présents (4) : Hélène Marchand, Julien Garnier, Karim Benali, Claire Dubois" in text
    assert "Représentés (1) : Sophie Lambert par Julien Garnier" in text
    assert "Absents (1) : Marc Petit" in text
    assert "quorum atteint (article L2121-17 du CGCT)" in text
    assert "Adopté à l'unanimité des suffrages exprimés (5 voix pour, 0 contre, 0 abstention), à main levée" in text
    assert (
        "Adopté à la majorité des suffrages exprimés (3 voix pour, 1 contre, 1 abstention), au scrutin public" in text
    )
    assert "Contre : Claire Dubois" in text and "Abstention : Karim Benali" in text
    assert "Pour : Hélène Marchand, Julien Garnier, Sophie Lambert" in text
    assert "Reporté : quorum non atteint (article L2121-17 du CGCT)" in text
    assert "Départ de Claire Dubois" in text and "Départ de Karim Benali" in text
    assert "M. Benali demande le coût." in text and "Pas de débat rapporté." in text
    assert "Délibération n° 2027-044" in text and "Avis favorable unanime de la Commission n° 1" in text
    assert "La séance est levée à 20h10." in text


def test_the_register_has_each_act_with_its_order_number_and_a_closing_page(app, tmp_path):
    with app.app_context():
        data = register_pdf(
            [sitting_record()],
            title="Registre — séance du 15 mars 2027",
            tenant_name="Ville de Besançon",
            assembly_name="Conseil municipal",
            time_zone="Europe/Paris",
            signers=["le président de séance", "le secrétaire de séance"],
        )
    text = flat(pdf_text(data, tmp_path))
    assert "Délibération n° 2027-044 — Équipement numérique des élus" in text
    assert "N° d'ordre dans la séance : 2" in text
    assert "Clôture de la séance du lundi 15 mars 2027" in text
    assert "2027-044, 2027-045" in text
    for name in ("Hélène Marchand", "Julien Garnier", "Karim Benali", "Claire Dubois"):
        assert f"Membre présent {name}" in text
    assert "Président de séance Hélène Marchand" in text and "Secrétaire de séance Julien Garnier" in text
    assert "Représentés : Sophie Lambert (par Julien Garnier)" in text
    path = tmp_path / "register.pdf"
    path.write_bytes(data)
    with pikepdf.open(path) as pdf:
        assert "pdfaid" in str(pdf.open_metadata())  # PDF/A identification


def test_the_list_of_deliberations_gives_number_title_and_result(app, tmp_path):
    with app.app_context():
        data = deliberation_list_pdf(
            sitting_record(), version=1, generated="16/03/2027", article="L2121-25", due="22/03/2027",
            councillors_article=None,
        )  # fmt: skip
    text = flat(pdf_text(data, tmp_path))
    assert "Liste des délibérations examinées" in text
    assert "2027-044" in text and "Équipement numérique des élus" in text and "Plan local d'urbanisme" in text
    assert "Reporté" in text and "au plus tard le 22/03/2027" in text


def test_result_phrases():
    assert phrases.result_phrase(outcome(1, votes=(2, 2, 0), casting_vote=True)).startswith(
        "Adopté à la majorité des suffrages exprimés (2 voix pour, 2 contre, 0 abstention), la voix du président"
    )
    from saas.sittings.outcomes import Outcome

    assert phrases.result_phrase(outcome(1, result=Outcome.REJECTED, votes=(1, 3, 1))).startswith("Rejeté (1 voix")
    assert phrases.result_phrase(outcome(1, result=Outcome.NOTED, ballot=None, votes=(0, 0, 0))) == (
        "L'assemblée en prend acte"
    )
    named = outcome(1, ballot="named", votes=(9, 0, 0))
    assert phrases.named_votes(named)["for"] == []  # names that do not add up to the votes for are not stated
