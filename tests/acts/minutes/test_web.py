"""The minutes page and the list of deliberations page of a held sitting: the secretariat and the secretary of
the sitting write the debates, mark ready, take back; members read only; others 404; hostile input refused with
a clear 4xx and nothing written."""

import sqlalchemy as sa

from saas.acts.minutes import operations as minutes_ops
from saas.acts.minutes.models import DeliberationList, MinutesDebate, MinutesStatus
from saas.core.database import SYSTEM, TenantContext, context
from tests.acts.register.records import hold
from tests.fixtures.web import csrf_token, login


def _base(council):
    return f"/t/{council.tenant.slug}/s/{council.sitting.id}"


def _debates(session, council):
    with context(session, SYSTEM):
        return {row.agenda_item_id: row.text for row in session.execute(sa.select(MinutesDebate)).scalars()}


def test_the_secretariat_writes_the_debates_and_marks_ready(client, session, council):
    hold(session, council)
    login(client, council.city.secretariat)
    base = _base(council)
    page = client.get(f"{base}/proces-verbal")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Procès-verbal de la séance" in body and "Prêt pour approbation" in body
    assert "Hélène" in body or "Présents" in body
    token = csrf_token(client, f"{base}/proces-verbal")
    saved = client.post(
        f"{base}/proces-verbal/points/{council.item.id}", data={"csrf_token": token, "text": "Mme X demande le coût."}
    )
    assert saved.status_code == 302
    assert _debates(session, council) == {council.item.id: "Mme X demande le coût."}
    assert "Mme X demande le coût." in client.get(f"{base}/proces-verbal").get_data(as_text=True)
    assert client.post(f"{base}/proces-verbal/pret", data={"csrf_token": token}).status_code == 302
    with context(session, TenantContext(tenant_id=council.tenant.id)):
        assert minutes_ops.minutes_of(council.sitting).status == MinutesStatus.READY
    again = client.post(f"{base}/proces-verbal/pret", data={"csrf_token": token}, follow_redirects=True)
    assert "déjà prêt" in again.get_data(as_text=True)  # the refusal on top of the page
    assert client.post(f"{base}/proces-verbal/brouillon", data={"csrf_token": token}).status_code == 302
    with context(session, TenantContext(tenant_id=council.tenant.id)):
        assert minutes_ops.minutes_of(council.sitting).status == MinutesStatus.DRAFT
    pdf = client.get(f"{base}/proces-verbal/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # online before approval: refused on the page
    online = client.post(
        f"{base}/proces-verbal/en-ligne", data={"csrf_token": token, "online_on": "2027-03-16"}, follow_redirects=True
    )
    assert "une fois approuvé" in online.get_data(as_text=True)


def test_hostile_input_is_refused_and_nothing_written(client, session, council):
    hold(session, council)
    login(client, council.city.secretariat)
    base = _base(council)
    token = csrf_token(client, f"{base}/proces-verbal")
    url = f"{base}/proces-verbal/points/{council.item.id}"
    huge = client.post(url, data={"csrf_token": token, "text": "x" * 60_000}, follow_redirects=True)
    assert huge.status_code == 200 and "50" in huge.get_data(as_text=True)
    control = client.post(url, data={"csrf_token": token, "text": "a\x00b"}, follow_redirects=True)
    assert "caractères de contrôle" in control.get_data(as_text=True)
    broken = client.post(
        url, data=b"csrf_token=" + token.encode() + b"&text=%ff%fe", content_type="application/x-www-form-urlencoded"
    )
    assert broken.status_code in (302, 400)
    assert client.post(url, data={"text": "sans jeton"}).status_code == 400
    assert client.post(f"{base}/proces-verbal/points/2147483648", data={"csrf_token": token}).status_code == 404
    assert client.get(f"/t/{council.tenant.slug}/s/2147483648/proces-verbal").status_code == 404
    assert client.get(f"{base}/liste-des-deliberations/2147483648/pdf").status_code == 404
    bad_day = client.post(
        f"{base}/proces-verbal/en-ligne", data={"csrf_token": token, "online_on": "pas une date"}, follow_redirects=True
    )
    assert bad_day.status_code in (200, 404)
    written = _debates(session, council).get(council.item.id, "")
    assert "x" * 100 not in written and "\x00" not in written  # the refused texts were not written
    written.encode("utf-8")  # whatever the broken bytes became, it is valid text


def test_the_list_is_generated_and_downloaded(client, session, council):
    hold(session, council)
    login(client, council.city.secretariat)
    base = _base(council)
    page = client.get(f"{base}/liste-des-deliberations")
    assert page.status_code == 200 and "Établir la liste" in page.get_data(as_text=True)
    token = csrf_token(client, f"{base}/liste-des-deliberations")
    assert client.post(f"{base}/liste-des-deliberations", data={"csrf_token": token}).status_code == 302
    body = client.get(f"{base}/liste-des-deliberations").get_data(as_text=True)
    assert "Version 1 (PDF)" in body
    pdf = client.get(f"{base}/liste-des-deliberations/1/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # the fixture's sitting is in 2027: a day after it is in the future, refused on the page, nothing written
    online = client.post(
        f"{base}/liste-des-deliberations/1/en-ligne",
        data={"csrf_token": token, "online_on": "2027-03-16"},
        follow_redirects=True,
    )
    assert "dans le futur" in online.get_data(as_text=True)
    with context(session, SYSTEM):
        assert session.execute(sa.select(DeliberationList)).scalar_one().online_on is None
    # a commune sends nothing to municipal councillors: refused with the article
    sent = client.post(f"{base}/liste-des-deliberations/1/envoi", data={"csrf_token": token}, follow_redirects=True)
    assert "L5211-40-2" in sent.get_data(as_text=True)


def test_members_read_only_and_others_get_404(client, session, council, create_person):
    hold(session, council)
    base = _base(council)
    login(client, council.city.member)
    page = client.get(f"{base}/proces-verbal")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Prêt pour approbation" not in body and "Enregistrer la teneur" not in body
    assert client.get(f"{base}/liste-des-deliberations").status_code == 200
    token = csrf_token(client, f"{base}/proces-verbal")
    for url in (
        f"{base}/proces-verbal/pret",
        f"{base}/proces-verbal/points/{council.item.id}",
        f"{base}/liste-des-deliberations",
    ):
        assert client.post(url, data={"csrf_token": token, "text": "x"}).status_code == 404, url
    stranger = create_person()
    login(client, stranger)
    assert client.get(f"{base}/proces-verbal").status_code == 404
    assert client.get(f"{base}/liste-des-deliberations").status_code == 404
    with context(session, SYSTEM):
        assert session.execute(sa.select(sa.func.count()).select_from(DeliberationList)).scalar_one() == 0


def test_the_secretary_of_the_sitting_writes(client, session, council):
    hold(session, council)
    login(client, council.city.secretary)
    base = _base(council)
    body = client.get(f"{base}/proces-verbal").get_data(as_text=True)
    assert "Enregistrer la teneur des débats" in body
    token = csrf_token(client, f"{base}/proces-verbal")
    client.post(f"{base}/proces-verbal/points/{council.item.id}", data={"csrf_token": token, "text": "Débat."})
    assert _debates(session, council) == {council.item.id: "Débat."}


def test_an_epci_manages_its_municipal_councillors(client, session, council):
    from saas.acts.minutes.models import OutsideCouncillor
    from saas.tenancy.models import TenantKind

    hold(session, council)
    with context(session, SYSTEM):
        council.tenant.kind = TenantKind.EPCI
        session.flush()
    login(client, council.city.secretariat)
    base = f"{_base(council)}/liste-des-deliberations"
    page = client.get(base).get_data(as_text=True)
    assert "Conseillers municipaux des communes membres" in page and "data-add-councillor" in page
    token = csrf_token(client, base)
    added = client.post(
        f"{base}/conseillers",
        data={"csrf_token": token, "full_name": "Anne Roy", "email": "anne@roche.example", "commune": "Roche"},
    )
    assert added.status_code == 302
    pasted = client.post(
        f"{base}/conseillers/import",
        data={"csrf_token": token, "text": "Nom;adresse;commune\nPaul Mas;paul@thise.example;Thise"},
        follow_redirects=True,
    )
    assert "1 conseillers ajoutés" in pasted.get_data(as_text=True)
    wrong = client.post(f"{base}/conseillers/import", data={"csrf_token": token, "text": "a;b"}, follow_redirects=True)
    assert "Ligne 1" in wrong.get_data(as_text=True)
    with context(session, SYSTEM):
        people = session.execute(sa.select(OutsideCouncillor).order_by(OutsideCouncillor.id)).scalars().all()
        assert [person.email for person in people] == ["anne@roche.example", "paul@thise.example"]
        first = people[0].id
    assert client.post(f"{base}/conseillers/{first}/archive", data={"csrf_token": token}).status_code == 302
    assert client.post(f"{base}/conseillers/{first}/archive", data={"csrf_token": token}).status_code == 404
    assert client.post(f"{base}/conseillers/2147483648/archive", data={"csrf_token": token}).status_code == 404
    client.post(base, data={"csrf_token": token})
    sent = client.post(f"{base}/1/envoi", data={"csrf_token": token}, follow_redirects=True)
    assert "Liste adressée à 1 conseillers municipaux" in sent.get_data(as_text=True)


def test_a_commune_has_no_councillor_routes(client, session, council):
    hold(session, council)
    login(client, council.city.secretariat)
    base = f"{_base(council)}/liste-des-deliberations"
    token = csrf_token(client, base)
    data = {"csrf_token": token, "full_name": "A", "email": "a@b.example", "commune": "C"}
    assert client.post(f"{base}/conseillers", data=data).status_code == 404
