"""The register API: read by year, export a sitting and a year, download; members read only; others 404;
hostile bodies and years 422 and nothing written."""

import sqlalchemy as sa

from saas.acts.register.models import RegisterExport
from saas.core.database import SYSTEM, context
from tests.acts.register.records import hold
from tests.fixtures.web import bearer

JSON = {"Content-Type": "application/json"}


def _exports(session) -> int:
    with context(session, SYSTEM):
        return session.execute(sa.select(sa.func.count()).select_from(RegisterExport)).scalar_one()


def test_the_secretariat_reads_and_exports(client, session, council):
    act = hold(session, council)
    headers = bearer(council.city.secretariat)
    slug = council.tenant.slug
    register = f"/api/v1/tenants/{slug}/assemblies/{council.sitting.assembly_id}/register"
    read = client.get(register + "?year=2027", headers=headers)
    assert read.status_code == 200
    assert read.json["sittings"][0]["acts"][0]["number"] == act.number
    assert read.json["sittings"][0]["acts"][0]["position"] == 1
    sitting_exports = f"/api/v1/tenants/{slug}/sittings/{council.sitting.id}/register-exports"
    assert client.get(sitting_exports + "/pdf", headers=headers).status_code == 404
    made = client.post(sitting_exports, headers=headers)
    assert made.status_code == 201 and made.json["signature"] == "au parapheur"
    assert client.get(sitting_exports + "/pdf", headers=headers).data.startswith(b"%PDF")
    year = client.post(register + "/exports", json={"year": 2027}, headers=headers)
    assert year.status_code == 201 and year.json["scope"] == "year"
    assert client.get(register + "/2027/pdf", headers=headers).data.startswith(b"%PDF")
    assert _exports(session) == 2


def test_hostile_input(client, session, council):
    hold(session, council)
    headers = bearer(council.city.secretariat)
    register = f"/api/v1/tenants/{council.tenant.slug}/assemblies/{council.sitting.assembly_id}/register"
    for year in ("abc", "99999", "-1", "2147483648"):
        assert client.get(f"{register}?year={year}", headers=headers).status_code == 422, year
    for body in ({}, {"year": "2027"}, {"year": None}, {"year": 1800}, {"year": 2027, "x": 1}, [], 2027):
        assert client.post(register + "/exports", json=body, headers=headers).status_code == 422, body
    assert client.post(register + "/exports", data="{", headers=headers | JSON).status_code == 422
    empty = client.post(register + "/exports", json={"year": 2030}, headers=headers)
    assert empty.status_code == 422 and "Aucune séance close en 2030" in empty.json["message"]
    assert client.get(register + "/1/pdf", headers=headers).status_code == 404
    other = f"/api/v1/tenants/{council.tenant.slug}/assemblies/2147483648/register"
    assert client.get(other, headers=headers).status_code == 404
    assert _exports(session) == 0


def test_members_read_only_others_404(client, session, council, create_person):
    hold(session, council)
    slug = council.tenant.slug
    register = f"/api/v1/tenants/{slug}/assemblies/{council.sitting.assembly_id}/register"
    member = bearer(council.city.member)
    assert client.get(register, headers=member).status_code == 200
    assert client.post(register + "/exports", json={"year": 2027}, headers=member).status_code == 404
    url = f"/api/v1/tenants/{slug}/sittings/{council.sitting.id}/register-exports"
    assert client.post(url, headers=member).status_code == 404
    assert client.get(register, headers=bearer(create_person())).status_code == 404
    assert _exports(session) == 0
