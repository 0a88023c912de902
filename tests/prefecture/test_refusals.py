"""Everything invalid is refused before anything is written: a French error naming the field (422 on the API),
no transmission row, no stored file, no object in the storage backend."""

import pytest
import sqlalchemy as sa

from saas.acts import operations as deliberations
from saas.core.database import SYSTEM, TenantContext, commit, context
from saas.prefecture import package
from saas.prefecture.models import Transmission
from saas.storage.backends import backend
from saas.storage.models import Blob
from tests.fixtures.web import bearer


def _written(session):
    with context(session, SYSTEM):
        rows = session.execute(sa.select(sa.func.count()).select_from(Transmission)).scalar_one()
        blobs = session.execute(sa.select(sa.func.count()).select_from(Blob)).scalar_one()
    return rows, blobs, len(list(backend().keys()))


def _refused(client, session, world, field: str, message: str):
    before = _written(session)
    url = f"/api/v1/tenants/{world.tenant.slug}/deliberations/{world.act.id}/transmission"
    answer = client.post(url, headers=bearer(world.city.secretariat))
    assert answer.status_code == 422, answer.json
    assert answer.json["message"].startswith(message), answer.json["message"]
    assert answer.json["errors"]["json"] == {field: [answer.json["message"]]}
    assert _written(session) == before
    assert client.get(url, headers=bearer(world.city.secretariat)).status_code == 404


def _change(session, **values):
    with context(session, SYSTEM):
        for obj, name, value in values.values():
            setattr(obj, name, value)
        session.flush()


def test_an_unsigned_act_is_refused(client, session, act):
    _refused(client, session, act, "Document", "Document : la délibération n'est pas signée")


@pytest.mark.parametrize(
    ("attribute", "value", "field", "message"),
    [
        ("subject_code", "9.9", "CodeMatiere", "CodeMatiere : la classification du 2019-08-29 n'a pas le code 9.9."),
        ("subject_code", None, "CodeMatiere", "CodeMatiere : la délibération n'a pas de code matière @ctes"),
        ("title", "x" * 500, "Objet", "Objet : 1 à 499 caractères (l'objet de l'acte en a 500)."),
        ("title", " \n\t ", "Objet", "Objet : 1 à 499 caractères (l'objet de l'acte en a 0)."),
        ("title", "Objet\x07 sonore", "Objet", "Objet : il contient un caractère de contrôle"),
        (
            "number",
            "2027-0001-SUPPLÉMENT",
            "NumeroInterne",
            "NumeroInterne : le numéro de l'acte « 2027-0001-SUPPLÉMENT »",
        ),
    ],
)
def test_what_the_act_says_is_checked(client, session, signed_act, attribute, value, field, message):
    _change(session, one=(signed_act.act, attribute, value))
    _refused(client, session, signed_act, field, message)


@pytest.mark.parametrize(
    ("attribute", "value", "field", "message"),
    [
        ("actes_departement", None, "Departement", "Departement : la collectivité n'a pas de code département"),
        ("actes_departement", "25", "Departement", "Departement : « 25 » n'est pas un code département"),
        ("actes_arrondissement", None, "Arrondissement", "Arrondissement : la collectivité n'a pas d'arrondissement"),
        ("actes_nature", "99", "Nature", "Nature : la nature de la collectivité pour la télétransmission"),
        ("actes_email", "pas-une-adresse", "Email", "AdressesRetour : « pas-une-adresse »"),
    ],
)
def test_the_collectivitys_identity_is_checked(client, session, signed_act, attribute, value, field, message):
    _change(session, one=(signed_act.tenant, attribute, value))
    _refused(client, session, signed_act, field, message)


def test_files_beyond_150_mb_are_refused(client, session, signed_act, monkeypatch):
    """The bound is lowered around the fixture's small files (a 150 MB PDF is the benchmark's, bench/)."""
    assert package.MAX_BYTES == 150 * 1024 * 1024
    with context(session, TenantContext(tenant_id=signed_act.tenant.id)):
        size = deliberations.signed_request(signed_act.act).current_blob.size
    monkeypatch.setattr(package, "MAX_BYTES", size - 1)
    _refused(client, session, signed_act, "Document", "Document : le PDF signé fait")
    monkeypatch.setattr(package, "MAX_BYTES", size + 10)
    _refused(client, session, signed_act, "Annexes", "Annexes : avec l'annexe « Plan de financement »")


def test_a_corrected_act_is_not_transmitted(client, session, signed_act):
    with context(session, TenantContext(tenant_id=signed_act.tenant.id, person_id=signed_act.city.secretariat.id)):
        correction = deliberations.correct_deliberation(
            signed_act.act, "Erreur matérielle", actor=signed_act.city.secretariat
        )
        deliberations.generate_pdf(correction)
        commit(session)  # the correction's job (its PDF, its signing run) runs now, not at the refusal's commit
    _refused(client, session, signed_act, "Document", "Document : cette délibération a été corrigée")


def test_only_those_who_manage_the_act_prepare_it(client, session, signed_act):
    url = f"/api/v1/tenants/{signed_act.tenant.slug}/deliberations/{signed_act.act.id}/transmission"
    member = signed_act.city.member
    for method in ("POST", "GET"):
        assert client.open(url, method=method, headers=bearer(member)).status_code == 404
    assert client.get(url + "/package", headers=bearer(member)).status_code == 404
    assert client.post(url.replace(str(signed_act.act.id), "2147483648"), headers=bearer(member)).status_code == 404
    assert _written(session)[0] == 0
