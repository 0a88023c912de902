"""Fixtures: the application in the chosen column, a rolled-back database per test, and factories.

Embedded column (default): SQLite, inline jobs, mail outbox. Production column
(QUORUM_TEST_PROFILE=production): PostgreSQL through a non-owner role with row-level security, Redis
with real RQ workers, SMTP on loopback.
"""

import socket
from datetime import date

import pytest
import sqlalchemy as sa
from flask import g, request, request_started, request_tearing_down
from flask_migrate import upgrade

from saas import create_app
from saas.core.database import (
    NO_ACCESS,
    SYSTEM,
    TenantContext,
    commit,
    context,
    current_context,
    reads_only,
    set_context,
)
from saas.core.extensions import db
from saas.identity import authentication
from saas.identity import operations as identity
from saas.identity.models import GrantKind, MandateRole, Person, TenantGrant
from saas.tenancy.models import Assembly, AssemblyKind, PoliticalGroup, Tenant, TenantKind
from tests import services

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def smtp_server():
    server = services.SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def app(tmp_path_factory, smtp_server):
    instance = tmp_path_factory.mktemp("instance")
    overrides = {"SECRET_KEY": "test-secret", "LOGIN_FAILURES_PER_HOUR": 100, "TESTING": True}
    if services.profile() == "production":
        services.create_postgres_database()
        services.check_redis()
        overrides |= {
            "DATABASE_URL": services.pg_url(services.APP_ROLE),
            "DATABASE_OWNER_URL": services.pg_url(services.OWNER_ROLE),
            "DATABASE_APP_ROLE": services.APP_ROLE,
            "REDIS_URL": services.REDIS_URL,
            "MAIL_BACKEND": "smtp",
            "SMTP_PORT": smtp_server.port,
        }
    else:
        overrides["DATABASE_URL"] = f"sqlite:///{instance / 'test.db'}"
    app = create_app(overrides, instance_path=str(instance))
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def session(app):
    """A database session inside a transaction rolled back after the test; commits become savepoints.

    Flask reuses the test's application context for every test-client request, so each request is made
    to start as in production: what the test set up is committed (it is "already in the database"),
    ``g`` is empty (Flask-Login caches the caller there) and the session sees nothing until the request
    says who calls; at its end, what the request did not commit is rolled back and the test's own
    context comes back.
    """
    saved_contexts, setting_up = [], []

    def start_like_production(sender, **extra):
        for name in list(g):
            g.pop(name)
        saved_contexts.append(current_context(db.session))
        setting_up.append(True)
        try:
            commit(db.session)
        finally:
            setting_up.clear()
        set_context(db.session, NO_ACCESS)

    def page_loads_do_not_write(flushed, flush_context, instances):
        """A GET or HEAD writes only inside ``write_apart`` (issue 11, one commit point)."""
        changes = list(flushed.new) + list(flushed.dirty) + list(flushed.deleted)
        if reads_only() and not setting_up and changes:
            raise AssertionError(f"{request.method} {request.path} wrote outside write_apart: {changes}")

    def end_like_production(sender, **extra):
        db.session.rollback()
        if saved_contexts:
            set_context(db.session, saved_contexts.pop())

    with (
        app.app_context(),
        request_started.connected_to(start_like_production, app),
        request_tearing_down.connected_to(end_like_production, app),
    ):
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = sa.orm.scoped_session(
            sa.orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
        )
        set_context(db.session, SYSTEM)
        sa.event.listen(db.session, "before_flush", page_loads_do_not_write)
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app, session):
    return app.test_client()


@pytest.fixture(autouse=True)
def no_network(monkeypatch, request):
    """Only loopback connections, and no mail leaving through anything but the test SMTP server."""
    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in {"localhost", "::1"} or host.startswith("/")
        ):
            raise RuntimeError(f"test tried to reach {address}: only loopback is allowed")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


# --- Factories ------------------------------------------------------------------------------------

_counter = iter(range(1, 10**9))


@pytest.fixture
def create_tenant(session):
    def create(
        slug: str | None = None, kind: TenantKind = TenantKind.COMMUNE, population: int = 10000, **values
    ) -> Tenant:
        n = next(_counter)
        with context(session, SYSTEM):
            tenant = Tenant(
                slug=slug or f"tenant-{n}",
                name=values.pop("name", f"Collectivité {n}"),
                kind=kind,
                siren=f"{n:09d}",
                population=population,
                **values,
            )
            session.add(tenant)
            session.flush()
            session.add(
                Assembly(tenant_id=tenant.id, key="conseil", name="Conseil", kind=AssemblyKind.COUNCIL, seats=33)
            )
            session.add(PoliticalGroup(tenant_id=tenant.id, name="Majorité"))
            session.flush()
        return tenant

    return create


@pytest.fixture
def create_person(session):
    def create(email: str | None = None, password: str | None = PASSWORD, **values) -> Person:
        n = next(_counter)
        with context(session, SYSTEM):
            person = Person(
                email=email or f"person{n}@example.org",
                first_name=values.pop("first_name", "Prénom"),
                last_name=values.pop("last_name", f"Nom{n}"),
                **values,
            )
            if password:
                person.password_hash = authentication.password_hasher.hash(password)
            session.add(person)
            session.flush()
        return person

    return create


@pytest.fixture
def give_mandate(session):
    def give(person: Person, tenant: Tenant, assembly: Assembly | None = None, role=MandateRole.MEMBER, **values):
        with context(session, SYSTEM):
            assembly = assembly or tenant.assemblies[0]
            request = identity.MandateRequest(
                email=person.email,
                first_name=person.first_name,
                last_name=person.last_name,
                assembly=assembly,
                role=role,
                start_date=values.pop("start_date", date(2026, 1, 1)),
                **values,
            )
            return identity.give_mandate(tenant, request, actor=None)

    return give


@pytest.fixture
def give_grant(session):
    def give(person: Person, tenant: Tenant, kind: GrantKind = GrantKind.TENANT_ADMIN, assembly=None) -> TenantGrant:
        with context(session, SYSTEM):
            grant = identity.give_grant(person, tenant, kind, assembly=assembly, actor=None)
        return grant

    return give


@pytest.fixture
def member_context(session):
    """Run a block as ``person`` inside ``tenant`` (or with no tenant), as a request would."""

    def enter(person: Person, tenant: Tenant | None = None):
        return context(session, TenantContext(tenant_id=tenant.id if tenant else None, person_id=person.id))

    return enter
