"""Every route of the signature book, walked as a collectivity's admin with another collectivity's ids:
404 for every method, like a missing id; the book and "my signatures" show nothing of the other one.
(The platform-wide walk, tests/test_isolation_routes.py, needs request_id and batch_id added to its world.)"""

import io
import re
from datetime import timedelta

import pytest

from saas.database import SYSTEM, TenantContext, context, utcnow
from saas.identity.models import GrantKind
from saas.platform.demo_signing import deliberation_pdf
from saas.signing import book
from saas.signing.models import SigningAuthorisation, SigningBatch
from tests.helpers import bearer, login
from tests.sittings.conftest import create_sitting, in_tenant  # noqa: F401 (fixtures)

BOOK_ENDPOINTS = ("signature_book.", "signature_book_api.", "signature_book_inbox.")


@pytest.fixture
def two_tenants(session, storage, create_tenant, create_person, give_mandate, give_grant, create_sitting):  # noqa: F811
    alpha = create_tenant(slug="alpha-book")
    beta = create_tenant(slug="beta-book", name="Collectivité Bêta")
    caller = create_person()
    give_mandate(caller, alpha)
    give_grant(caller, alpha, GrantKind.TENANT_ADMIN)
    signer, secretariat = create_person(), create_person()
    give_mandate(signer, beta)
    give_grant(secretariat, beta)
    sitting = create_sitting(beta)
    with context(session, TenantContext(tenant_id=beta.id, person_id=secretariat.id)):
        pdf = io.BytesIO(deliberation_pdf(beta.name, 1, "Secret Bêta", ["Adopté."]))
        request = book.request_signatures(
            beta, title="Délibération secrète Bêta", signers=[book.Signer(signer, "Président")],
            actor=secretariat, upload=(pdf, "beta.pdf"), sitting=sitting,
        )  # fmt: skip
    with context(session, SYSTEM):
        authorisation = SigningAuthorisation(
            tenant_id=beta.id, person_id=signer.id, documents=["0" * 64], expires_at=utcnow() + timedelta(minutes=5)
        )
        session.add(authorisation)
        session.flush()
        batch = SigningBatch(
            tenant_id=beta.id, person_id=signer.id, authorisation_id=authorisation.id, role="Président", level="B-T"
        )
        session.add(batch)
        session.flush()
    ids = {"tenant_slug": beta.slug, "request_id": request.id, "batch_id": batch.id, "sitting_id": sitting.id}
    return caller, ids, alpha.slug


def test_book_routes_answer_404_with_ids_of_another_collectivity(app, client, two_tenants):
    caller, ids, own_slug = two_tenants
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        login(client, caller)
        headers = bearer(caller)
        checked = 0
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith(BOOK_ENDPOINTS) or not rule.arguments:
                continue
            values = {name: ids[name] for name in rule.arguments}
            urls = [rule.build(values)[1], rule.build({**values, "tenant_slug": own_slug})[1]]
            for url in urls if len(rule.arguments) > 1 else urls[:1]:
                api = url.startswith("/api/")
                for method in sorted(set(rule.methods) - {"HEAD", "OPTIONS"}):
                    response = client.open(url, method=method, headers=headers if api else {}, json={} if api else None)
                    assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
                    checked += 1
        assert checked >= 25
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_the_book_shows_nothing_of_another_collectivity(client, two_tenants):
    caller, _, _ = two_tenants
    login(client, caller)
    for url, headers in (("/parapheur", {}), ("/api/v1/me/signatures", bearer(caller))):
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        assert not re.search("Bêta", response.get_data(as_text=True)), url
