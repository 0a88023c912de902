"""Publishing on the portal: a signed deliberation once (a second time gives the same row), never an unsigned one,
nor a closed-session item, nor without the statement about personal data; minutes once signed; a list of
deliberations; no route or operation takes anything offline."""

import json

import pytest
import sqlalchemy as sa

from saas.audit.models import AuditEvent
from saas.core.database import TenantContext, context
from saas.portal import operations as portal
from saas.portal.models import Publication, PublicationKind
from saas.storage.operations import read_all


def in_city(session, council, person=None):
    return context(session, TenantContext(tenant_id=council.tenant.id, person_id=person.id if person else None))


def test_a_signed_deliberation_is_published_once_with_its_signed_pdf(session, council, signed_act):
    secretariat = council.city.secretariat
    with in_city(session, council, secretariat):
        publication, made = portal.publish_deliberation(signed_act, actor=secretariat, personal_data_checked=True)
        again, made_again = portal.publish_deliberation(signed_act, actor=secretariat, personal_data_checked=True)
        signed = portal.acts.signed_request(signed_act).current_blob
        assert made and not made_again and again.id == publication.id
        assert session.execute(sa.select(sa.func.count()).select_from(Publication)).scalar_one() == 1
        assert publication.kind == PublicationKind.DELIBERATION and publication.number == signed_act.number
        assert publication.blob_id == signed.id and publication.sha256 == signed.sha256
        assert publication.document_version_id == signed_act.document_version_id
        assert publication.published_by_id == secretariat.id and publication.published_at is not None
        assert publication.subject_code == "8.5" and publication.decided_on == signed_act.decided_on
        assert read_all(publication.blob).startswith(b"%PDF")
        events = session.execute(sa.select(AuditEvent).where(AuditEvent.action == "publication.published")).scalars()
        assert [json.loads(event.data)["sha256"] for event in events] == [signed.sha256]


def test_an_unsigned_deliberation_is_refused(session, council, held):
    with in_city(session, council, council.city.secretariat):
        with pytest.raises(portal.PortalError, match="une fois signée"):
            portal.publish_deliberation(held, actor=council.city.secretariat, personal_data_checked=True)
        assert session.execute(sa.select(Publication)).first() is None


def test_a_closed_session_item_is_never_published(session, council, signed_act):
    with in_city(session, council, council.city.secretariat):
        council.item.confidential = True
        session.flush()
        with pytest.raises(portal.PortalError, match="huis clos"):
            portal.publish_deliberation(signed_act, actor=council.city.secretariat, personal_data_checked=True)
        assert session.execute(sa.select(Publication)).first() is None


def test_without_the_statement_on_personal_data_nothing_is_published(session, council, signed_act):
    with in_city(session, council, council.city.secretariat):
        with pytest.raises(portal.PortalError, match="L312-1-2") as refused:
            portal.publish_deliberation(signed_act, actor=council.city.secretariat, personal_data_checked=False)
        assert refused.value.field == "personal_data_checked"
        assert session.execute(sa.select(Publication)).first() is None


def test_nothing_unpublishes(app):
    """No route deletes or withdraws a publication, and the operations offer none."""
    for rule in app.url_map.iter_rules():
        if "publication" in rule.rule or "/actes" in rule.rule:
            assert not {"DELETE", "PUT", "PATCH"} & set(rule.methods), rule.rule
    assert not [name for name in vars(portal) if name.startswith(("unpublish", "withdraw", "delete", "remove"))]


def test_searchable_text_ignores_accents_case_and_control_characters():
    assert portal.searchable("Équipement  NUMÉRIQUE\x00", None, "2026-044") == "equipement numerique 2026-044"


def test_not_even_the_application_role_deletes_a_publication(tmp_path):
    """What was put online stays online: on PostgreSQL the application's role has no DELETE on the table
    (rls.NEVER_DELETED, revoked by every migration that grants); SQLite has no privileges, and no route
    deletes (the test above)."""
    import psycopg

    from saas.tenancy import rls
    from tests import services
    from tests.fixtures.instances import fresh_app, production, role_connection

    assert "publication" in rls.NEVER_DELETED
    with fresh_app(tmp_path, "publication_kept") as app:
        if not production():
            return
        with role_connection(app.config["TEST_DATABASE_NAME"], services.APP_ROLE) as connection:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute("DELETE FROM publication")
            connection.rollback()
            connection.execute("SELECT count(*) FROM publication")  # reading stays allowed
