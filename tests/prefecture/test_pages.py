"""The "Transmission à la préfecture" section of the act's page and the admin's Télétransmission page and API:
French messages, the refusal shown on the act's page, only the secretariat and the admins see and act."""

import sqlalchemy as sa

from saas.core.database import SYSTEM, context
from saas.identity.models import GrantKind
from saas.prefecture.models import Transmission
from tests.fixtures.web import bearer, post, sign_in


def _page(client, world):
    return client.get(f"/t/{world.tenant.slug}/deliberations/{world.act.id}")


def test_the_secretariat_prepares_from_the_acts_page(client, session, signed_act):
    sign_in(client, signed_act.city.secretariat)
    page = _page(client, signed_act).get_data(as_text=True)
    assert "Transmission à la préfecture" in page and "Préparer l'envoi" in page
    assert 'data-transmission="none"' in page
    url = f"/t/{signed_act.tenant.slug}/deliberations/{signed_act.act.id}/transmission"
    done = post(client, url, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert (
        done.status_code == 200
        and "Envoi préparé : le paquet QRM-EACT--" in text
        and 'data-transmission="prepared"' in text
    )
    assert "préparée, pas encore envoyée" in text and "8.5 — Politique de la ville - habitat - logement" in text
    again = post(client, url, follow_redirects=True).get_data(as_text=True)
    assert "Cet envoi était déjà préparé" in again
    download = client.get(url + "/paquet")
    assert download.status_code == 200 and download.data[:2] == b"\x1f\x8b"
    with context(session, SYSTEM):
        assert session.execute(sa.select(sa.func.count()).select_from(Transmission)).scalar_one() == 1


def test_a_refusal_is_shown_on_the_acts_page_and_a_member_sees_no_section(client, session, act):
    sign_in(client, act.city.secretariat)
    url = f"/t/{act.tenant.slug}/deliberations/{act.act.id}/transmission"
    text = post(client, url, follow_redirects=True).get_data(as_text=True)
    assert "Envoi à la préfecture non préparé. Document : la délibération n&#39;est pas signée" in text
    sign_in(client, act.city.member)
    page = _page(client, act).get_data(as_text=True)
    assert _page(client, act).status_code == 200 and "Transmission à la préfecture" not in page
    assert post(client, url).status_code == 404
    assert client.get(url + "/paquet").status_code == 404


def test_the_admin_sets_the_collectivitys_identity(client, session, act, create_person, give_grant):
    admin = create_person(first_name="Claire", last_name="Dubois")
    give_grant(admin, act.tenant, GrantKind.TENANT_ADMIN)
    sign_in(client, admin)
    url = f"/t/{act.tenant.slug}/admin/teletransmission"
    page = client.get(url).get_data(as_text=True)
    assert "Télétransmission des actes (@ctes)" in page and 'value="025"' in page and "31 — Commune" in page
    form = {"departement": "2A", "arrondissement": "1", "nature": "21", "email": "actes@corse.example.org"}
    assert post(client, url, form).status_code == 302
    with context(session, SYSTEM):
        session.refresh(act.tenant)
        assert (act.tenant.actes_departement, act.tenant.actes_nature) == ("02A", "21")
    refused = post(client, url, form | {"departement": "ABC"})
    assert refused.status_code == 422 and "n&#39;est pas un code de département" in refused.get_data(as_text=True)
    refused = post(client, url, form | {"arrondissement": "x"})
    assert refused.status_code == 422 and "Arrondissement : un chiffre" in refused.get_data(as_text=True)

    api = f"/api/v1/tenants/{act.tenant.slug}/teletransmission"
    assert client.get(api, headers=bearer(admin)).json["departement"] == "02A"
    body = {"departement": "025", "arrondissement": "1", "nature": "31", "email": None}
    answer = client.put(api, json=body, headers=bearer(admin))
    assert answer.status_code == 200 and answer.json == {**body, "siren": act.tenant.siren}
    for bad, field in (({**body, "nature": "99"}, "nature"), ({**body, "departement": "9999"}, "departement")):
        refused = client.put(api, json=bad, headers=bearer(admin))
        assert refused.status_code == 422 and field in refused.json["errors"]["json"], refused.json
    assert client.put(api, json={**body, "other": 1}, headers=bearer(admin)).status_code == 422
    assert client.put(api, json={"departement": "025"}, headers=bearer(admin)).status_code == 422
    assert client.get(api, headers=bearer(act.city.secretariat)).status_code == 404
    assert client.put(api, json=body, headers=bearer(act.city.secretariat)).status_code == 404
