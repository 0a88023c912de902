"""The operator's outbox pages: operators only (404 for everyone else), newest first, escaped."""

import pytest

from saas.mail.operations import queue_mail
from saas.operator.views import PER_PAGE
from tests.fixtures.web import login


@pytest.fixture
def operator(create_person):
    return create_person(is_operator=True)


@pytest.fixture
def hostile_mail(session):
    mail = queue_mail(
        "test:hostile",
        to="victime@example.org",
        subject="<script>alert(1)</script> Convocation",
        body="Lien : <a href='https://evil.example'>ici</a>",
        tenant_id=None,
    )
    session.flush()
    return mail


def test_operator_sees_the_list_and_one_mail_escaped(client, session, operator, hostile_mail):
    login(client, operator)
    listing = client.get("/operator/outbox")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert "victime@example.org" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    page = client.get(f"/operator/outbox/{hostile_mail.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "test:hostile" in html and "victime@example.org" in html
    assert "<script>alert(1)</script>" not in html and "<a href='https://evil.example'>" not in html
    assert "&lt;a href=" in html


def test_newest_first_and_paginated_by_50(client, session, operator):
    for n in range(PER_PAGE + 1):
        queue_mail(
            f"test:page:{n}",
            to=f"n{n}@example.org",
            subject=f"Courriel numéro {n:03d}",
            body="-",
            tenant_id=None,
        )
    session.flush()
    login(client, operator)
    first = client.get("/operator/outbox").get_data(as_text=True)
    assert first.index("Courriel numéro 050") < first.index("Courriel numéro 049")
    assert "Courriel numéro 000" not in first
    second = client.get("/operator/outbox?page=2")
    assert second.status_code == 200
    assert "Courriel numéro 000" in second.get_data(as_text=True)
    assert client.get("/operator/outbox?page=999").status_code == 404
    assert client.get("/operator/outbox?page=0").status_code == 404


def test_missing_mail_is_404(client, session, operator):
    login(client, operator)
    assert client.get("/operator/outbox/999999").status_code == 404


def test_everyone_else_gets_404(client, session, create_person, give_grant, create_tenant, hostile_mail):
    tenant = create_tenant()
    admin, coordinator = create_person(), create_person(is_coordinator=True)
    give_grant(admin, tenant)
    for person in (admin, coordinator, create_person()):
        login(client, person)
        assert client.get("/operator/outbox").status_code == 404
        assert client.get(f"/operator/outbox/{hostile_mail.id}").status_code == 404


def test_anonymous_is_sent_to_login(client, session, hostile_mail):
    response = client.get(f"/operator/outbox/{hostile_mail.id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
