"""Every route of the URL map, walked as tenant A's admin (web) and member (API) with tenant B's ids.

A route with ids answers 404 for every method, exactly like a missing id. A route without ids must be
public (listed below, with the reason) or show only the caller's own data: its page must not contain
any of tenant B's names. A new route whose ids this test does not know how to build, or a new route
without ids that is not listed, fails ``test_every_route_is_covered`` — see
``test_an_uncovered_route_is_reported`` for that guard at work.
"""

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask

from saas.acts import operations as acts
from saas.acts.minutes.models import OutsideCouncillor
from saas.audit.operations import record
from saas.core.database import SYSTEM, context, utcnow
from saas.documents.annotations.models import Annotation
from saas.documents.operations import add_item_document
from saas.identity import authentication
from saas.identity.models import GrantKind, LoginSession
from saas.mail.operations import queue_mail
from saas.reports import operations as reports
from saas.signing.book import operations as book
from saas.signing.models import SigningAuthorisation, SigningBatch
from saas.sittings import operations as sittings
from saas.workflow import operations as engine
from saas.workflow.definitions import create_definition
from saas.workflow.models import Delegation
from tests.fixtures.outcomes import outcome_for
from tests.fixtures.pdfs import clean_pdf
from tests.fixtures.publications import place_publication
from tests.fixtures.web import bearer, login, without_csrf

#: routes anyone may reach, and why
PUBLIC_ENDPOINTS = {
    "static": "CSS and scripts",
    "platform.healthz": "load balancer probe, no data",
    "identity.login": "the login form",
    "identity.login_otp": "second step of the login form, bound to the pending login in the cookie",
    "identity.logout": "ends the caller's own session",
    "identity.set_password": "the signed link of an invitation",
    "identity.request_unlock": "asks for an unlock link by mail; the same answer for any address",
    "identity.unlock": "the single-use link of an unlock mail; the token is the credential",
    "attendance_link.answer": "the signed attendance link of a convocation mail; the token is the credential",
    "api-docs.openapi_json": "the API description",
    "identity_api.api_docs": "the API description, readable",
    "identity_api.TokensCollection": "POST exchanges credentials for a token; GET lists the caller's own tokens",
    # the public portal of each collectivity: what it published, to anyone (walked anonymously below)
    "portal.index": "a collectivity's public portal: the list of what it published",
    "portal.publication": "a published document's public page",
    "portal.pdf": "a published document's signed PDF",
    "portal.feed": "the Atom feed of what a collectivity published",
    "opendata.deliberations": "a collectivity's SCDL file of the deliberations it published",
    "opendata.deliberations_schema": "the Table Schema of the SCDL file, the same for every collectivity",
    "opendata_api.deliberations": "the SCDL file of the deliberations a collectivity published, through the API",
}
#: routes without ids that show or change the caller's own data only (checked: no trace of tenant B)
OWN_DATA_ENDPOINTS = {
    "identity.home",
    "identity.account",
    "identity.set_locale",
    "identity.enroll_mfa",
    "identity.remove_mfa",
    "identity.create_token",
    "identity.set_primary_tenant",
    "identity_api.me",
    "sittings_inbox.my_sittings",
    "sittings_api.my_sittings",
    "signature_book_inbox.my_book",
    "signature_book_api.my_signatures",
    "annotation_notes.my_notes",
    "annotations_api.my_annotations",
    "workflow_inbox.my_tasks",
    "workflow_tasks_api.my_tasks",
}
#: platform routes for operators only (checked: 404 for anyone else)
OPERATOR_ENDPOINTS = {
    "mail.outbox",
    # the purchasing group console: coordinator and operators only
    *(f"groupement.{name}" for name in ("home", "create_group", "members", "join_member", "provision_member")),
    *(f"groupement_agreement.{name}" for name in ("agreement", "upload", "agreement_file", "start_signing")),
    *(f"groupement_contracts.{name}" for name in ("contracts", "create_contract", "milestones")),
    *(f"groupement_devices.{name}" for name in ("devices_list", "create_device")),
    *(f"groupement_statements.{name}" for name in ("usage", "statements_list", "create_statement", "paper")),
    *(f"groupement_api.{name}" for name in ("get_group", "list_members", "provision_member")),
    *(f"groupement_agreement_api.{name}" for name in (
        "get_agreement", "put_agreement", "list_signatories", "list_signings", "start_signing",
    )),
    *(f"groupement_contracts_api.{name}" for name in ("list_contracts", "create_contract", "list_milestones")),
    *(f"groupement_devices_api.{name}" for name in ("list_devices", "create_device", "get_savings")),
    *(f"groupement_statements_api.{name}" for name in ("get_usage", "get_paper", "list_statements", "issue_statement")),
}  # fmt: skip

SECRET_NAMES_OF_B = ("Collectivité Bêta", "Assemblée secrète Bêta", "Groupe Bêta", "beta-member@example.org")


def uncovered_routes(app: Flask, id_arguments: set[str]) -> list[str]:
    problems = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        unknown = set(rule.arguments) - id_arguments
        if unknown:
            problems.append(f"{rule.rule}: no tenant-B value for {sorted(unknown)}")
        elif not rule.arguments and rule.endpoint not in OWN_DATA_ENDPOINTS | OPERATOR_ENDPOINTS:
            problems.append(f"{rule.rule} ({rule.endpoint}): list it in PUBLIC_ENDPOINTS or OWN_DATA_ENDPOINTS")
    return problems


@pytest.fixture
def world(session, tmp_path, create_tenant, create_person, give_mandate, give_grant):
    """Tenant A with its admin-member, tenant B with one of everything."""
    a = create_tenant(slug="alpha", siret="10000000100013")  # the SCDL file needs a SIRET
    b = create_tenant(slug="beta", name="Collectivité Bêta", siret="20000000200013")
    caller = create_person(email="alpha-admin@example.org")
    give_mandate(caller, a)
    give_grant(caller, a, GrantKind.TENANT_ADMIN)
    beta_member = create_person(email="beta-member@example.org")
    with context(session, SYSTEM):
        beta_assembly = b.assemblies[0]
        beta_assembly.name = "Assemblée secrète Bêta"
        from saas.tenancy.models import PoliticalGroup

        group = session.query(PoliticalGroup).filter_by(tenant_id=b.id).one()
        group.name = "Groupe Bêta"
        mandate = give_mandate(beta_member, b, start_date=date(2026, 1, 1))
        grant = give_grant(beta_member, b, GrantKind.SECRETARY, assembly=beta_assembly)
        token, _ = authentication.create_token(beta_member, "tablette")
        authentication.open_session(beta_member, mfa_verified=True, ip=None, user_agent="x")
        login_session = session.query(LoginSession).filter_by(person_id=beta_member.id).one()
        mail = queue_mail("isolation:beta", to=beta_member.email, subject="Bêta", body="…", tenant_id=b.id)
        event = record("test.event", tenant_id=b.id, obj=b)
        beta_sitting = sittings.create_sitting(
            b, beta_assembly, starts_at=datetime(2027, 3, 15, 17, tzinfo=UTC), place="Salle Bêta", actor=None
        )
        beta_item = sittings.add_item(beta_sitting, title="Point Bêta", actor=None)
        pdf = io.BytesIO(clean_pdf(tmp_path / "beta.pdf").read_bytes())
        beta_document = add_item_document(beta_item, "report", "Rapport Bêta", pdf, "r.pdf", None)
        beta_annotation = Annotation(
            tenant_id=b.id,
            person_id=beta_member.id,
            document_id=beta_document.id,
            document_version_id=beta_document.current_version.id,
            assembly_id=beta_assembly.id,
            page=1,
            kind="note",
            color="#ffd400",
            rects=[[10, 10, 30, 30]],
            body="Note Bêta",
        )
        session.add(beta_annotation)
        session.flush()
        beta_request = book.request_signatures(
            b,
            title="Délibération Bêta",
            signers=[book.Signer(beta_member, "Président")],
            actor=beta_member,
            version=beta_document.current_version,
        )
        authorisation = SigningAuthorisation(
            tenant_id=b.id, person_id=beta_member.id, documents=["0" * 64], expires_at=utcnow() + timedelta(minutes=5)
        )
        session.add(authorisation)
        session.flush()
        beta_batch = SigningBatch(
            tenant_id=b.id, person_id=beta_member.id, authorisation_id=authorisation.id, role="Président", level="B-T"
        )
        session.add(beta_batch)
        session.flush()
        beta_circuit = create_definition(
            b,
            {
                "key": "circuit-beta",
                "name": "Circuit Bêta",
                "applies_to": "reports",
                "assembly_kind": "council",
                "steps": [{"key": "visa-beta", "name": "Visa Bêta", "kind": "approval", "who": {"kind": "drafter"}}],
            },
            actor=None,
        )
        # a delegation of B whose delegate is, of all people, the caller from A: still 404 for them
        beta_delegation = Delegation(
            tenant_id=b.id,
            person_id=beta_member.id,
            delegate_id=caller.id,
            starts_on=date(2026, 1, 1),
            ends_on=date(2099, 12, 31),
        )
        session.add(beta_delegation)
        session.flush()
        beta_service = reports.create_service(b, "Service Bêta", head=None, actor=None)
        reports.give_drafter_grant(beta_member, beta_service, actor=None)
        beta_report = reports.create_report(
            beta_member,
            beta_service,
            reports.ReportFields(title="Rapport Bêta", subject_code="7.1", assembly=beta_assembly),
        )
        beta_run = engine.submit(beta_report, beta_member)
        beta_task = engine.tasks_of(beta_run)[0]
        beta_act = acts.create_deliberation(beta_item, outcome_for(beta_item.id))
        beta_councillor = OutsideCouncillor(
            tenant_id=b.id, full_name="Conseiller Bêta", email="conseiller@beta.example", commune="Bêta-Ville"
        )
        session.add(beta_councillor)
        session.flush()
    beta_publication = place_publication(session, b, beta_sitting, pdf.getvalue(), title="Publication Bêta")
    ids = {
        "tenant_slug": b.slug,
        "slug": b.slug,
        "assembly_id": beta_assembly.id,
        "group_id": group.id,
        "mandate_id": mandate.id,
        "grant_id": grant.id,
        "person_id": beta_member.id,
        "token_id": token.id,
        "session_id": login_session.id,
        "mail_id": mail.id,
        "event_id": event.id,
        "sitting_id": beta_sitting.id,
        "item_id": beta_item.id,
        "document_id": beta_document.id,
        "report_id": beta_document.report_id,
        "service_id": beta_document.report.service_id,
        "number": 1,
        "request_id": beta_request.id,
        "batch_id": beta_batch.id,
        "annotation_id": beta_annotation.id,
        "definition_id": beta_circuit.id,
        "delegation_id": beta_delegation.id,
        "step_key": "visa-beta",
        "task_id": beta_task.id,
        "act_id": beta_act.id,
        "councillor_id": beta_councillor.id,
        "publication_id": beta_publication.id,
        # purchasing group objects are platform-level: any id, the caller is not the coordinator
        "membership_id": 1,
        "contract_id": 1,
        "lot_id": 1,
        "milestone_id": 1,
        "device_id": 1,
        "statement_id": 1,
        "signing_id": 1,
    }
    return {"caller": caller, "ids": ids, "own_slug": a.slug}


ID_ARGUMENTS = {
    "tenant_slug", "slug", "assembly_id", "group_id", "mandate_id", "grant_id", "person_id", "token_id",
    "session_id", "mail_id", "event_id", "sitting_id", "item_id",
    "document_id", "report_id", "service_id", "number", "request_id", "batch_id", "annotation_id", "definition_id",
    "step_key", "task_id",
    "membership_id", "contract_id", "lot_id", "milestone_id", "device_id", "statement_id", "signing_id",
    "delegation_id", "act_id", "councillor_id", "publication_id",
}  # fmt: skip


def test_every_route_is_covered(app):
    assert uncovered_routes(app, ID_ARGUMENTS) == []


def test_an_uncovered_route_is_reported(app):
    """The guard itself: a new route nobody told this test about makes the walk fail."""
    from saas import create_app

    fresh = create_app(dict(app.config), instance_path=app.instance_path)
    fresh.add_url_rule("/t/<tenant_slug>/ballots/<int:ballot_id>", "new_area.ballot", lambda **kw: "")
    fresh.add_url_rule("/inbox", "new_area.inbox", lambda: "")
    problems = uncovered_routes(fresh, ID_ARGUMENTS)
    assert any("ballot_id" in problem for problem in problems)
    assert any("new_area.inbox" in problem for problem in problems)


def _methods(rule) -> list[str]:
    return sorted(set(rule.methods) - {"HEAD", "OPTIONS"})


def _urls_with_ids_of_b(rule, world) -> list[str]:
    """The route with tenant B's ids; and, when it names objects, with A's slug and B's objects."""
    ids = world["ids"]
    urls = [rule.build({name: ids[name] for name in rule.arguments})[1]]
    if "tenant_slug" in rule.arguments and len(rule.arguments) > 1:
        urls.append(rule.build({**{name: ids[name] for name in rule.arguments}, "tenant_slug": world["own_slug"]})[1])
    return urls


def test_routes_with_ids_of_another_tenant_answer_404(app, client, world):
    app.config["WTF_CSRF_ENABLED"] = False  # access is what is tested here; CSRF has its own tests
    try:
        login(client, world["caller"])
        api_headers = bearer(world["caller"])
        checked = 0
        for rule in app.url_map.iter_rules():
            if rule.endpoint in PUBLIC_ENDPOINTS or not rule.arguments:
                continue
            for url in _urls_with_ids_of_b(rule, world):
                api = url.startswith("/api/")
                for method in _methods(rule):
                    response = client.open(
                        url, method=method, headers=api_headers if api else {}, json={} if api else None
                    )
                    assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
                    checked += 1
        assert checked > 0
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_operator_routes_answer_404_to_others(client, world):
    login(client, world["caller"])
    api_headers = bearer(world["caller"])
    for endpoint in OPERATOR_ENDPOINTS:
        rule = next(r for r in client.application.url_map.iter_rules() if r.endpoint == endpoint)
        api = rule.rule.startswith("/api/")
        for method in _methods(rule) if api else ["GET"]:  # a web POST without its CSRF token is a 400
            response = client.open(
                rule.rule, method=method, headers=api_headers if api else {}, json={} if api else None
            )
            assert response.status_code == 404, f"{method} {rule.rule}"


def test_routes_without_ids_show_nothing_of_another_tenant(app, client, world):
    login(client, world["caller"])
    api_headers = bearer(world["caller"])
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in OWN_DATA_ENDPOINTS or "GET" not in rule.methods:
            continue
        response = client.get(rule.rule, headers=api_headers if rule.rule.startswith("/api/") else {})
        assert response.status_code in (200, 302), f"GET {rule.rule} answered {response.status_code}"
        body = response.get_data(as_text=True)
        for name in SECRET_NAMES_OF_B:
            assert not re.search(re.escape(name), body), f"GET {rule.rule} shows {name!r} of tenant B"


def test_the_portal_shows_anonymously_only_what_each_collectivity_published(app, client, world, session):
    """Every public portal route, anonymously: A's portal with B's publication answers 404 like a missing one,
    B's unpublished act and sitting are nowhere, and nothing of B is on A's pages."""
    ids, own = world["ids"], world["own_slug"]
    public = ("portal.", "opendata.", "opendata_api.")
    portal_rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith(public)]
    assert {rule.endpoint for rule in portal_rules} == {
        "portal.index",
        "portal.publication",
        "portal.pdf",
        "portal.feed",
        "opendata.deliberations",
        "opendata.deliberations_schema",
        "opendata_api.deliberations",
    }
    for rule in portal_rules:
        values = {name: ids[name] for name in rule.arguments} | {"tenant_slug": own}
        url = rule.build(values)[1]
        response = client.get(url)
        if "publication_id" in rule.arguments:
            assert response.status_code == 404, url
            missing = client.get(rule.build(values | {"publication_id": 2_000_000_000})[1])
            assert missing.status_code == 404 and without_csrf(missing) == without_csrf(response)
        else:
            assert response.status_code == 200, url
            body = response.get_data(as_text=True)
            for name in (*SECRET_NAMES_OF_B, "Publication Bêta", "Point Bêta"):
                assert name not in body, f"GET {url} shows {name!r} of tenant B"
        assert response.status_code != 302  # the portal never sends to the login page
    beta = client.get(f"/{ids['tenant_slug']}/actes").get_data(as_text=True)
    assert "Publication Bêta" in beta and "Point Bêta" not in beta  # B's act was never published
    beta_scdl = client.get(f"/{ids['tenant_slug']}/donnees/deliberations.csv").get_data(as_text=True)
    assert "Publication Bêta" in beta_scdl and "Point Bêta" not in beta_scdl
