"""The public portal, anonymously: the list, an act's page, its signed PDF byte for byte with its SHA-256, the
search by each criterion with paging, the Atom feed (parsed), 404s alike for an unknown collectivity and an act
not published, nothing of another collectivity, and hostile input on the search answered 4xx or empty, never 500."""

import hashlib
from datetime import UTC, date, datetime
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest

from saas.core.database import TenantContext, context
from saas.portal import operations as portal
from saas.storage.operations import read_all
from tests.fixtures.pdfs import clean_pdf
from tests.fixtures.publications import place_publication
from tests.fixtures.web import login, text, without_csrf

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def published(session, council, signed_act):
    secretariat = council.city.secretariat
    with context(session, TenantContext(tenant_id=council.tenant.id, person_id=secretariat.id)):
        publication, _ = portal.publish_deliberation(signed_act, actor=secretariat, personal_data_checked=True)
        data = read_all(publication.blob)
    return publication, data


@pytest.fixture
def other(session, create_tenant, create_sitting, tmp_path):
    """Another collectivity with a publication of its own."""
    tenant = create_tenant(slug="autre-ville", name="Ville Voisine")
    sitting = create_sitting(tenant)
    pdf = clean_pdf(tmp_path / "autre.pdf").read_bytes()
    publication = place_publication(session, tenant, sitting, pdf, number="2027-777", title="Acte de la Voisine")
    return tenant, publication


def portal_url(council) -> str:
    return f"/{council.tenant.slug}/actes"


def test_the_list_and_the_act_are_public(client, council, published):
    publication, _ = published
    page = client.get(portal_url(council))
    assert page.status_code == 200
    body = text(page)
    assert f"Délibération n° {publication.number}" in body and publication.title in body
    assert "1 document publié" in body and "Mis en ligne le" in body
    act = client.get(f"{portal_url(council)}/{publication.id}")
    assert act.status_code == 200
    shown = text(act)
    assert publication.sha256 in shown and "lundi 15 mars 2027" in shown and "8.5" in shown
    # put online at a UTC moment, shown in the City's time zone with its offset
    local = publication.published_at.astimezone(ZoneInfo(council.tenant.timezone))
    assert local.strftime("%d/%m/%Y %H:%M:%S") in shown


def test_the_signed_pdf_is_served_byte_for_byte(client, council, published):
    publication, data = published
    response = client.get(f"{portal_url(council)}/{publication.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.data == data and hashlib.sha256(response.data).hexdigest() == publication.sha256


def test_unknown_collectivity_and_unpublished_act_answer_404_alike(client, council, held, published, other):
    publication, _ = published
    _, foreign = other
    unknown_tenant = client.get(f"/nulle-part/actes/{publication.id}")
    not_published = client.get(f"{portal_url(council)}/{publication.id + 1000}")
    of_another = client.get(f"{portal_url(council)}/{foreign.id}")
    assert unknown_tenant.status_code == not_published.status_code == of_another.status_code == 404
    assert without_csrf(unknown_tenant) == without_csrf(not_published) == without_csrf(of_another)
    assert client.get(f"{portal_url(council)}/{foreign.id}/pdf").status_code == 404
    assert client.get("/nulle-part/actes").status_code == 404
    assert client.get("/nulle-part/actes/flux.atom").status_code == 404


def test_nothing_of_another_collectivity_is_shown(client, council, published, other):
    tenant, foreign = other
    mine = client.get(portal_url(council)).get_data(as_text=True)
    assert "Acte de la Voisine" not in mine and "2027-777" not in mine
    feed = client.get(f"{portal_url(council)}/flux.atom").get_data(as_text=True)
    assert "Voisine" not in feed
    theirs = client.get(f"/{tenant.slug}/actes").get_data(as_text=True)
    assert "Acte de la Voisine" in theirs and published[0].title not in theirs


def _found(client, council, **args) -> str:
    response = client.get(portal_url(council), query_string=args)
    assert response.status_code == 200, (args, response.status_code)
    return text(response)


def test_search_by_each_criterion(client, session, council, published):
    publication, _ = published
    with context(session, TenantContext(tenant_id=council.tenant.id)):
        pdf = read_all(publication.blob)
    place_publication(
        session,
        council.tenant,
        council.sitting,
        pdf,
        number="2026-012",
        title="Subvention à l'association sportive",
        subject_code="7.5",
        decided_on=date(2026, 6, 1),
    )
    number = publication.number
    assert number in _found(client, council, numero=number) and "2026-012" not in _found(client, council, numero=number)
    assert "1 document trouvé" in _found(client, council, numero="2026-012")
    assert "Aucun document ne correspond" in _found(client, council, numero="1999-1")
    # words: every word, without accents nor case
    assert "1 document trouvé" in _found(client, council, mots="EQUIPEMENT numerique")
    assert "1 document trouvé" in _found(client, council, mots="sportive")
    assert "Aucun document" in _found(client, council, mots="équipement sportive")
    assert "Aucun document" in _found(client, council, mots="100%_")
    # date of decision, a range
    assert "1 document trouvé" in _found(client, council, du="2027-01-01")
    assert "1 document trouvé" in _found(client, council, au="2026-12-31")
    assert "2 documents trouvés" in _found(client, council, du="2026-06-01", au="2027-03-15")
    assert "Aucun document" in _found(client, council, du="2027-03-16")
    # subject code: the code and the codes under it
    assert "1 document trouvé" in _found(client, council, matiere="8")
    assert "1 document trouvé" in _found(client, council, matiere="8.5")
    assert "1 document trouvé" in _found(client, council, matiere="7.5")
    assert "Aucun document" in _found(client, council, matiere="8.1")
    assert "2 documents trouvés" in _found(client, council, type="deliberation")
    assert "Aucun document" in _found(client, council, type="minutes")


def test_paging(client, session, council, tmp_path):
    pdf = clean_pdf(tmp_path / "p.pdf").read_bytes()
    for n in range(45):
        place_publication(
            session,
            council.tenant,
            council.sitting,
            pdf,
            number=f"2027-{n:03d}",
            title=f"Acte {n}",
            published_at=datetime(2027, 3, 20, 9, n, tzinfo=UTC),
        )
    first = _found(client, council)
    assert "45 documents publiés · page 1 sur 3" in first and "Acte 44" in first and "Acte 24" not in first
    third = _found(client, council, page=3)
    assert "Acte 4 " in third + " " and "Acte 5 " not in third + " " and "Page précédente" in third
    beyond = _found(client, council, page=50)
    assert "au-delà de la dernière" in beyond


@pytest.mark.parametrize(
    "query",
    [
        "page=99999999999999999999999",
        "page=0",
        "page=-1",
        "page=abc",
        "du=2026-13-45",
        "au=pas-une-date",
        "du=2027-03-20&au=2027-03-01",
        "matiere=%27%3B+DROP+TABLE",
        "numero=%00",
        "mots=%00%01",
        "mots=" + "a" * 5000,
        "type=secret",
    ],
)
def test_hostile_search_input_is_a_clear_400(client, council, query):
    response = client.get(f"{portal_url(council)}?{query}")
    assert response.status_code == 400, query
    assert "La recherche n'a pas pu être faite" in text(response)


@pytest.mark.parametrize(
    "query", ["mots=%ff%fe%fd", "mots=%E2%80%AE%F0%9F%98%80", "mots=%25%25", "numero=_", "page=10000"]
)
def test_odd_but_valid_search_input_gives_empty_results(client, council, query):
    """Broken UTF-8 is kept as the text it is (Werkzeug leaves invalid escapes undecoded): nothing matches."""
    response = client.get(f"{portal_url(council)}?{query}")
    assert response.status_code == 200, query
    assert "La collectivité n'a encore rien publié" in text(response) or "Aucun document" in text(response)


def test_the_atom_feed_parses(client, council, published):
    publication, _ = published
    response = client.get(f"{portal_url(council)}/flux.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ElementTree.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    (entry,) = feed.findall(f"{ATOM}entry")
    for required in ("id", "title", "updated"):
        assert entry.find(f"{ATOM}{required}").text, required
    assert publication.number in entry.find(f"{ATOM}title").text
    datetime.fromisoformat(entry.find(f"{ATOM}updated").text.replace("Z", "+00:00"))
    links = {link.get("rel"): link.get("href") for link in entry.findall(f"{ATOM}link")}
    assert links["alternate"].endswith(f"/actes/{publication.id}")
    assert links["enclosure"].endswith(f"/actes/{publication.id}/pdf")
    assert publication.sha256 in entry.find(f"{ATOM}summary").text


def test_an_empty_portal_and_feed(client, council):
    assert "La collectivité n'a encore rien publié" in text(client.get(portal_url(council)))
    feed = ElementTree.fromstring(client.get(f"{portal_url(council)}/flux.atom").data)
    assert feed.findall(f"{ATOM}entry") == [] and feed.find(f"{ATOM}updated").text


def test_the_portal_url_is_the_portals_alone(app):
    """``/<collectivité>/actes`` takes no other route's URL: the portal's rules are the only ones of that shape."""
    adapter = app.url_map.bind("localhost")
    assert adapter.match("/besancon/actes")[0] == "portal.index"
    assert adapter.match("/besancon/actes/12")[0] == "portal.publication"
    assert adapter.match("/besancon/actes/flux.atom")[0] == "portal.feed"
    others = [rule.rule for rule in app.url_map.iter_rules() if rule.rule.endswith("/actes")]
    assert others == ["/<tenant_slug>/actes"]


def test_a_logged_in_member_sees_the_same_public_page(client, council, published):
    anonymous = text(client.get(portal_url(council)))
    login(client, council.city.member)
    assert text(client.get(portal_url(council))).count(published[0].title) == anonymous.count(published[0].title)
