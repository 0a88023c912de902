"""The SCDL « Délibérations » file, anonymously from the portal and the API: the header and order of the Table
Schema, valid for frictionless, its cross-checks, the act's votes, the prefecture's identifier and date, the
portal's URL; only deliberations published with a level-2 subject code, only the collectivity's own, every one
exactly once across batches; a collectivity without a SIRET or unknown answers 404."""

import csv
import io
from datetime import date

import pytest
from frictionless import Resource, Schema

from saas.core.database import SYSTEM, TenantContext, context
from saas.portal import operations as portal
from saas.portal.models import PublicationKind
from saas.portal.opendata import scdl
from saas.prefecture import operations as prefecture
from saas.prefecture.models import TransmissionStatus
from tests.fixtures.pdfs import clean_pdf
from tests.fixtures.publications import place_publication

SIRET = "21250056500013"


def read(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def check_scdl(data: bytes, tmp_path) -> None:
    """frictionless against the Table Schema, then the cross-checks of formats.md the schema cannot say."""
    path = tmp_path / "deliberations.csv"
    path.write_bytes(data)
    schema = Schema.from_descriptor(scdl.table_schema())
    report = Resource(path=path.name, basepath=str(tmp_path), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert header == scdl.columns() == [
        "COLL_NOM", "COLL_SIRET", "DELIB_ID", "DELIB_DATE", "DELIB_MATIERE_CODE", "DELIB_MATIERE_NOM",
        "DELIB_OBJET", "BUDGET_ANNEE", "BUDGET_NOM", "PREF_ID", "PREF_DATE", "VOTE_EFFECTIF", "VOTE_REEL",
        "VOTE_POUR", "VOTE_CONTRE", "VOTE_ABSTENTION", "DELIB_URL",
    ]  # fmt: skip
    for row in (dict(zip(header, values, strict=True)) for values in rows):
        votes = [row[name] for name in ("VOTE_EFFECTIF", "VOTE_REEL", "VOTE_POUR", "VOTE_CONTRE", "VOTE_ABSTENTION")]
        assert all(votes) or not any(votes), row
        if all(votes):
            effectif, reel, pour, contre, abstention = map(int, votes)
            assert pour + contre + abstention == reel <= effectif, row
        if row["PREF_DATE"]:
            assert row["PREF_DATE"] >= row["DELIB_DATE"], row


@pytest.fixture
def published(session, council, signed_act):
    """The City's signed act, published and acknowledged by the prefecture."""
    with context(session, SYSTEM):
        tenant = council.tenant
        tenant.siret = SIRET
        tenant.actes_departement, tenant.actes_arrondissement = "025", "1"
        tenant.actes_nature, tenant.actes_email = "31", "actes@besancon.example.org"
        session.flush()
    secretariat = council.city.secretariat
    with context(session, TenantContext(tenant_id=council.tenant.id, person_id=secretariat.id)):
        publication, _ = portal.publish_deliberation(signed_act, actor=secretariat, personal_data_checked=True)
        transmission, _ = prefecture.prepare(signed_act, secretariat)
        transmission.status, transmission.received_on = TransmissionStatus.ACKNOWLEDGED, signed_act.decided_on
        transmission.id_acte = f"025-{council.tenant.siren}-{signed_act.decided_on:%Y%m%d}-44-DE"
        session.flush()
    return publication


def test_the_file_of_a_published_deliberation(client, council, signed_act, published, tmp_path):
    response = client.get(f"/{council.tenant.slug}/donnees/deliberations.csv")
    [row] = read(response)
    assert response.headers["Content-Disposition"] == f'attachment; filename="{council.tenant.siren}_deliberations.csv"'
    check_scdl(response.get_data(), tmp_path)
    assert (row["COLL_NOM"], row["COLL_SIRET"]) == (council.tenant.name, SIRET)
    assert (row["DELIB_ID"], row["DELIB_DATE"]) == (signed_act.number, signed_act.decided_on.isoformat())
    assert (row["DELIB_MATIERE_CODE"], row["DELIB_MATIERE_NOM"]) == (
        "8.5",
        "Politique de la ville - habitat - logement",
    )
    assert row["DELIB_OBJET"] == signed_act.title
    assert row["PREF_ID"].endswith("-44-DE") and row["PREF_DATE"] == signed_act.decided_on.isoformat()
    outcome = signed_act.outcome_snapshot
    assert int(row["VOTE_POUR"]) == outcome["votes_for"] and int(row["VOTE_CONTRE"]) == outcome["votes_against"]
    assert int(row["VOTE_EFFECTIF"]) == outcome["presence"]["in_office"]
    assert row["DELIB_URL"] == f"http://localhost/{council.tenant.slug}/actes/{published.id}"
    assert client.get(row["DELIB_URL"].removeprefix("http://localhost")).status_code == 200
    api = client.get(f"/api/v1/tenants/{council.tenant.slug}/opendata/deliberations.csv")
    assert api.status_code == 200 and api.get_data() == response.get_data()  # anonymous, no token
    schema = client.get(f"/{council.tenant.slug}/donnees/deliberations.schema.json")
    assert schema.get_json()["fields"][0]["name"] == "COLL_NOM"
    assert "Données ouvertes" in client.get(f"/{council.tenant.slug}/actes").get_data(as_text=True)


def test_only_the_collectivitys_deliberations_with_a_subject_each_once_across_batches(
    client, session, council, create_tenant, create_sitting, tmp_path, monkeypatch
):
    with context(session, SYSTEM):
        council.tenant.siret = SIRET
        session.flush()
    pdf = clean_pdf(tmp_path / "acte.pdf").read_bytes()
    day = date(2027, 3, 15)
    for n in range(7):  # the same day: the keyset goes on by id
        place_publication(session, council.tenant, council.sitting, pdf, number=f"2027-{n:03d}", decided_on=day)
    place_publication(session, council.tenant, council.sitting, pdf, number="2027-100", subject_code=None)
    place_publication(session, council.tenant, council.sitting, pdf, number="2027-101", subject_code="8")
    place_publication(
        session, council.tenant, council.sitting, pdf, number=None, kind=PublicationKind.MINUTES, title="Procès-verbal"
    )
    neighbour = create_tenant(slug="autre-ville", name="Ville Voisine", siret="99999999900013")
    place_publication(session, neighbour, create_sitting(neighbour), pdf, number="2027-777", title="Acte voisin")
    monkeypatch.setattr(scdl, "BATCH", 3)
    response = client.get(f"/{council.tenant.slug}/donnees/deliberations.csv")
    rows = read(response)
    assert [row["DELIB_ID"] for row in rows] == [f"2027-{n:03d}" for n in range(7)]
    assert all(row["VOTE_POUR"] == "" and row["PREF_ID"] == "" for row in rows)  # placed: no act, no transmission
    check_scdl(response.get_data(), tmp_path)
    assert [row["DELIB_ID"] for row in read(client.get("/autre-ville/donnees/deliberations.csv"))] == ["2027-777"]


def test_without_a_siret_or_a_collectivity_there_is_no_file(client, council, create_tenant):
    create_tenant(slug="sans-siret")
    for url in (
        "/sans-siret/donnees/deliberations.csv",
        "/api/v1/tenants/sans-siret/opendata/deliberations.csv",
        "/inconnue/donnees/deliberations.csv",
        "/api/v1/tenants/inconnue/opendata/deliberations.csv",
        "/%C3%A9%00x/donnees/deliberations.csv",
        "/%C3%A9%00x/actes",
        "/api/v1/tenants/%00/opendata/deliberations.csv",
    ):
        assert client.get(url).status_code == 404, url
    assert "SIRET" in client.get("/sans-siret/donnees/deliberations.csv").get_data(as_text=True)
    assert "SIRET" in client.get("/api/v1/tenants/sans-siret/opendata/deliberations.csv").get_json()["message"]
