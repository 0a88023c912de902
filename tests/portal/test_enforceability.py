"""Enforceability (L2131-1): the law's list as data (every kind of collectivity has its rule, deliberations are
listed, "autres" are not), and a deliberation's state computed from its publication and the prefecture's
acknowledgement — the later of the two days —, shown on the act's page, on the portal and in the API, 404 for
another collectivity's act."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from saas.core.database import SYSTEM, TenantContext, context
from saas.portal import enforceability
from saas.portal import operations as portal
from saas.prefecture import operations as prefecture
from saas.prefecture.models import TransmissionStatus
from saas.prefecture.obligations import obligation
from saas.tenancy.models import TenantKind
from tests.fixtures.web import bearer, login, text


def test_the_law_lists_deliberations_for_every_kind_of_collectivity():
    for kind in TenantKind:
        assert obligation(kind, 1).transmission_required
        assert not obligation(kind, 6).transmission_required
    commune = obligation(TenantKind.COMMUNE, 1)
    assert (commune.enforceability_article, commune.transmission_article) == ("L2131-1", "L2131-2")
    assert obligation(TenantKind.DEPARTEMENT, 1).enforceability_article == "L3131-1"
    assert obligation(TenantKind.REGION, 1).transmission_article == "L4141-2"
    assert obligation(TenantKind.EPCI, 1).enforceability_article == "L5211-3"


def test_an_act_not_listed_is_enforceable_on_publication_alone():
    state = enforceability.Enforceability(date(2026, 7, 20), False, None, None, "L2131-1", "L2131-2")
    assert state.since == date(2026, 7, 20) and state.missing == ()
    assert state.sentence() == "Exécutoire depuis le 20 juillet 2026 (article L2131-1 du CGCT)."


def _city(session, council, person=None):
    return context(session, TenantContext(tenant_id=council.tenant.id, person_id=person.id if person else None))


@pytest.fixture
def transmitted(session, council, signed_act):
    """The signed act prepared for the prefecture (the City's @ctes identity set)."""
    with context(session, SYSTEM):
        tenant = council.tenant
        tenant.actes_departement, tenant.actes_arrondissement = "025", "1"
        tenant.actes_nature, tenant.actes_email = "31", "actes@besancon.example.org"
        session.flush()
    with _city(session, council, council.city.secretariat):
        transmission, _ = prefecture.prepare(signed_act, council.city.secretariat)
    return transmission


def _acknowledge(session, council, transmission, received_on: date) -> None:
    """What the connector to the tiers de télétransmission records on the prefecture's ARActe."""
    with _city(session, council):
        transmission.status = TransmissionStatus.ACKNOWLEDGED
        transmission.id_acte = f"025-{council.tenant.siren}-{received_on:%Y%m%d}-44-DE"
        transmission.received_on = received_on
        session.flush()


def _publish(session, council, act, at: datetime):
    with _city(session, council, council.city.secretariat):
        publication, _ = portal.publish_deliberation(act, actor=council.city.secretariat, personal_data_checked=True)
        publication.published_at = at
        session.flush()
    return publication


def test_a_deliberation_is_enforceable_once_published_and_acknowledged(session, council, signed_act, transmitted):
    with _city(session, council):
        state = enforceability.of_act(signed_act)
        assert state.transmission_required and state.since is None
        assert state.missing == ("publication", "transmission")
        assert "il manque sa publication et l'accusé de réception de la préfecture" in state.sentence()
    # published on the 20th at 23:30 in Paris (21:30 UTC): the 20th counts, in the collectivity's days
    _publish(session, council, signed_act, datetime(2026, 7, 20, 21, 30, tzinfo=UTC))
    with _city(session, council):
        state = enforceability.of_act(signed_act)
        assert state.published_on == date(2026, 7, 20) and state.missing == ("transmission",)
    _acknowledge(session, council, transmitted, date(2026, 7, 22))
    with _city(session, council):
        state = enforceability.of_act(signed_act)
        assert state.since == date(2026, 7, 22) and state.id_acte.endswith("-44-DE")
        assert state.sentence() == "Exécutoire depuis le 22 juillet 2026 (article L2131-1 du CGCT)."
        transmitted.received_on = date(2026, 7, 15)  # received before it was published: the publication's day
        session.flush()
        assert enforceability.of_act(signed_act).since == date(2026, 7, 20)


def test_a_rejected_transmission_leaves_the_act_unenforceable(session, council, signed_act, transmitted):
    _publish(session, council, signed_act, datetime(2026, 7, 20, 8, tzinfo=UTC))
    with _city(session, council):
        transmitted.status, transmitted.reason = TransmissionStatus.REJECTED, "Classification inconnue"
        transmitted.received_on = date(2026, 7, 21)
        session.flush()
        assert enforceability.of_act(signed_act).missing == ("transmission",)


def test_the_act_page_the_portal_and_the_api_say_it(client, session, council, signed_act, transmitted, create_tenant):
    login(client, council.city.secretariat)
    act_page = client.get(f"/t/{council.tenant.slug}/deliberations/{signed_act.id}")
    assert "pas encore exécutoire" in text(act_page) and "il manque sa publication" in text(act_page)
    publication = _publish(session, council, signed_act, datetime(2026, 7, 20, 8, tzinfo=UTC))
    _acknowledge(session, council, transmitted, date(2026, 7, 22))
    act_page = client.get(f"/t/{council.tenant.slug}/deliberations/{signed_act.id}")
    assert 'data-enforceable="yes"' in act_page.get_data(as_text=True)
    assert "Exécutoire depuis le 22 juillet 2026" in text(act_page)

    public = client.get(f"/{council.tenant.slug}/actes/{publication.id}")
    assert public.status_code == 200
    assert "Récépissé préfectoral du 22 juillet 2026" in text(public)
    assert transmitted.id_acte in text(public) and "Exécutoire depuis le 22 juillet 2026" in text(public)

    headers = bearer(council.city.mayor)
    url = f"/api/v1/tenants/{council.tenant.slug}/deliberations/{signed_act.id}/enforceability"
    answer = client.get(url, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["enforceable"] is True and body["since"] == "2026-07-22" and body["missing"] == []
    assert body["received_on"] == "2026-07-22" and body["published_on"] == "2026-07-20"
    assert client.get(url.replace(f"/{signed_act.id}/", "/999999999/"), headers=headers).status_code == 404

    other = create_tenant(slug="autre-ville", name="Ville Voisine")
    assert client.get(url.replace(council.tenant.slug, other.slug), headers=headers).status_code == 404
    with context(session, SYSTEM):
        assert session.execute(sa.select(sa.func.count()).select_from(type(transmitted))).scalar_one() == 1
