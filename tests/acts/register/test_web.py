"""The register page of an assembly: the acts of each held sitting in order with their order number and the
closing page; the secretariat exports a sitting or a year (put into the signature book) and downloads it;
members read only; others 404; hostile input refused with a clear 4xx and nothing written."""

import sqlalchemy as sa

from saas.acts.register.models import RegisterExport
from saas.core.database import SYSTEM, context
from tests.acts.register.records import hold
from tests.fixtures.web import csrf_token, login


def _exports(session) -> int:
    with context(session, SYSTEM):
        return session.execute(sa.select(sa.func.count()).select_from(RegisterExport)).scalar_one()


def test_the_secretariat_reads_exports_and_downloads(client, session, council):
    act = hold(session, council)
    login(client, council.city.secretariat)
    slug, assembly_id = council.tenant.slug, council.sitting.assembly_id
    url = f"/t/{slug}/assemblees/{assembly_id}/registre?annee=2027"
    page = client.get(url)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and act.number in body and "Clôture" in body
    assert "Exporter et mettre à la signature" in body
    token = csrf_token(client, url)
    sitting_pdf = f"/t/{slug}/s/{council.sitting.id}/registre/pdf"
    assert client.get(sitting_pdf).status_code == 404  # nothing exported yet
    done = client.post(f"/t/{slug}/s/{council.sitting.id}/registre/export", data={"csrf_token": token})
    assert done.status_code == 302 and _exports(session) == 1
    pdf = client.get(sitting_pdf)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    year = client.post(
        f"/t/{slug}/assemblees/{assembly_id}/registre/export", data={"csrf_token": token, "year": "2027"}
    )
    assert year.status_code == 302 and _exports(session) == 2
    assert client.get(f"/t/{slug}/assemblees/{assembly_id}/registre/2027/pdf").data.startswith(b"%PDF")
    assert "au parapheur" in client.get(url).get_data(as_text=True)


def test_hostile_input_is_refused(client, session, council):
    hold(session, council)
    login(client, council.city.secretariat)
    slug, assembly_id = council.tenant.slug, council.sitting.assembly_id
    base = f"/t/{slug}/assemblees/{assembly_id}/registre"
    token = csrf_token(client, base + "?annee=2027")
    for year in ("abc", "99999", "-1", "2147483648", "%ff%fe"):
        assert client.get(f"{base}?annee={year}").status_code == 404, year
    for year in ("1800", "abc", "", "2" * 40):
        answer = client.post(f"{base}/export", data={"csrf_token": token, "year": year}, follow_redirects=True)
        assert answer.status_code == 200, year
    empty = client.post(f"{base}/export", data={"csrf_token": token, "year": "2030"}, follow_redirects=True)
    assert "Aucune séance close en 2030" in empty.get_data(as_text=True)
    assert client.post(f"{base}/export", data={"year": "2027"}).status_code == 400  # no CSRF token
    assert client.get(f"{base}/1/pdf").status_code == 404
    assert client.get(f"/t/{slug}/assemblees/2147483648/registre").status_code == 404
    assert client.post(f"/t/{slug}/s/2147483648/registre/export", data={"csrf_token": token}).status_code == 404
    assert _exports(session) == 0


def test_members_read_only_and_others_get_404(client, session, council, create_person):
    act = hold(session, council)
    slug, assembly_id = council.tenant.slug, council.sitting.assembly_id
    url = f"/t/{slug}/assemblees/{assembly_id}/registre?annee=2027"
    login(client, council.city.member)
    body = client.get(url).get_data(as_text=True)
    assert act.number in body and "Exporter" not in body
    token = csrf_token(client, url)
    assert (
        client.post(f"/t/{slug}/s/{council.sitting.id}/registre/export", data={"csrf_token": token}).status_code == 404
    )
    assert (
        client.post(f"/t/{slug}/assemblees/{assembly_id}/registre/export", data={"csrf_token": token, "year": "2027"})
    ).status_code == 404
    login(client, create_person())
    assert client.get(url).status_code == 404
    assert _exports(session) == 0


def test_the_sitting_page_links_to_minutes_list_and_register(client, session, council):
    hold(session, council)
    login(client, council.city.secretariat)
    body = client.get(f"/t/{council.tenant.slug}/s/{council.sitting.id}").get_data(as_text=True)
    assert "data-minutes-link" in body and "data-list-link" in body and "data-register-link" in body
