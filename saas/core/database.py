"""Declarative base, column types and the tenant context shared by every model.

Two of the three isolation guards live here: the automatic ORM filter on tenant-owned models, and the
per-transaction PostgreSQL settings (``quorum.tenant_id``, ``quorum.person_id``) that the row-level
security policies read. The third guard, access checks, lives in each handler.
"""

import contextlib
import dataclasses
import sqlite3
import threading
from contextvars import ContextVar
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    mapped_column,
    scoped_session,
)
from werkzeug.exceptions import ServiceUnavailable

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, whatever the database keeps."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    registry = sa.orm.registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION), type_annotation_map={datetime: UTCDateTime()}
    )


class TenantScoped:
    """Any row that belongs to one collectivity; use one of the two subclasses below."""

    #: the collectivity that owns this row
    tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenant.id"))


class TenantOwned(TenantScoped):
    """A row only its collectivity sees: filtered by the ORM and by row-level security."""


class PersonOwned(TenantScoped):
    """A tenant-owned row that its person may also read from any tenant (the inbox crossing)."""

    #: the person this row is about; they may read it across tenants
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)


@dataclasses.dataclass(frozen=True)
class TenantContext:
    """What the current transaction may see: one tenant, the caller's own rows, or everything (system)."""

    tenant_id: int | None = None
    person_id: int | None = None
    system: bool = False


NO_ACCESS = TenantContext()
SYSTEM = TenantContext(system=True)


def _resolve(session: Session | scoped_session) -> Session:
    return session() if isinstance(session, scoped_session) else session


def current_context(session: Session) -> TenantContext:
    session = _resolve(session)
    return session.info.get("tenant_context", NO_ACCESS)


def set_context(session: Session, context: TenantContext) -> None:
    """Switch what ``session`` may see, now and in every later transaction of it."""
    session = _resolve(session)
    session.info["tenant_context"] = context
    if session.in_transaction():
        _push_settings(session.connection(), context)


@contextlib.contextmanager
def context(session: Session, ctx: TenantContext):
    previous = current_context(session)
    set_context(session, ctx)
    try:
        yield
    finally:
        set_context(session, previous)


def _push_settings(connection: sa.Connection, ctx: TenantContext) -> None:
    if connection.dialect.name != "postgresql":
        return
    connection.execute(
        sa.text(
            "SELECT set_config('quorum.tenant_id', :tenant, true),"
            " set_config('quorum.person_id', :person, true),"
            " set_config('quorum.system', :system, true)"
        ),
        {
            "tenant": "" if ctx.tenant_id is None else str(ctx.tenant_id),
            "person": "" if ctx.person_id is None else str(ctx.person_id),
            "system": "on" if ctx.system else "off",
        },
    )


#: how long a SQLite writer waits for another one before giving up
SQLITE_BUSY_TIMEOUT_MS = 30_000


@event.listens_for(sa.Engine, "connect")
def _sqlite_leaves_transactions_to_sqlalchemy(dbapi_connection, connection_record) -> None:
    """pysqlite's own transaction handling breaks SAVEPOINT and transactional DDL: turn it off and
    let the "begin" hook below emit BEGIN (SQLAlchemy's documented recipe). Write-ahead logging lets
    readers go on while one writer writes; the busy timeout makes writers queue instead of failing."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")  # first: the next one may wait
        dbapi_connection.execute("PRAGMA journal_mode=WAL")


#: set inside ``write_apart``: the transaction about to begin is a page load's write
_writing_apart: ContextVar[bool] = ContextVar("writing_apart", default=False)


def reads_only() -> bool:
    """A page load (GET, HEAD): its transaction reads; what it must write goes through ``write_apart``."""
    return has_request_context() and request.method in ("GET", "HEAD") and not _writing_apart.get()


@event.listens_for(sa.Engine, "begin")
def _sqlite_begin(connection: sa.Connection) -> None:
    """A transaction that may write takes SQLite's write lock at once (BEGIN IMMEDIATE), so concurrent
    writers wait for each other; a deferred one that read first and then wants to write would be refused
    at once ("database is locked"). Page loads (GET, HEAD) stay deferred: they read, so they never wait."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN" if reads_only() else "BEGIN IMMEDIATE")


@contextlib.contextmanager
def write_apart(session: Session | scoped_session):
    """The one way a page load writes (the legal proof of a first reading, a session's or a token's last use).

    In a GET or HEAD the block runs in a short transaction of its own, begun for writing, committed when the
    block ends: the page's read transaction is ended first (it has written nothing), so the write queues for
    SQLite's lock like any other writer instead of being refused, and the page reads on in a new transaction.
    A writer that still cannot have the lock after the busy timeout gets 503 (try again), never a 500.
    Elsewhere (POST…) the request's own transaction writes: the block joins it, committed with the rest at
    the end of the handler.
    """
    session = _resolve(session)
    if not reads_only():
        yield
        return
    session.rollback()
    with _queued_for_sqlite(session), _writing_apart_block():
        try:
            yield
            commit(session)
        except sa.exc.OperationalError as error:
            session.rollback()
            if isinstance(error.orig, sqlite3.OperationalError) and "locked" in str(error.orig):
                raise ServiceUnavailable() from error
            raise
        except BaseException:
            session.rollback()
            raise


#: the page loads of this process that write to a SQLite file wait their turn here, woken one by one, rather
#: than all polling the file's lock in SQLite's busy handler (which serves no queue: with fifty members
#: opening the sitting at once, one of them could wait past the busy timeout)
_sqlite_page_writes = threading.Lock()


@contextlib.contextmanager
def _queued_for_sqlite(session: Session):
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    if not _sqlite_page_writes.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
        raise ServiceUnavailable()
    try:
        yield
    finally:
        _sqlite_page_writes.release()


@contextlib.contextmanager
def _writing_apart_block():
    token = _writing_apart.set(True)
    try:
        yield
    finally:
        _writing_apart.reset(token)


@event.listens_for(Session, "after_begin")
def _settings_for_new_transaction(session: Session, transaction, connection: sa.Connection) -> None:
    _push_settings(connection, current_context(session))


@event.listens_for(Session, "do_orm_execute")
def _filter_by_tenant(state: ORMExecuteState) -> None:
    ctx = current_context(state.session)
    if ctx.system or state.execution_options.get("include_all_tenants"):
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    tenant_id, person_id = ctx.tenant_id, ctx.person_id
    # propagate_to_loaders=False: an object's later lazy loads pass through here again and take the context
    # of that moment, not the one it was loaded under (a collectivity loaded for a person-only context would
    # otherwise keep "no tenant" for its assemblies, and show none)
    state.statement = state.statement.options(
        sa.orm.with_loader_criteria(
            TenantOwned, lambda cls: cls.tenant_id == tenant_id, include_aliases=True, propagate_to_loaders=False
        ),
        sa.orm.with_loader_criteria(
            PersonOwned,
            lambda cls: sa.or_(cls.tenant_id == tenant_id, cls.person_id == person_id),
            include_aliases=True,
            propagate_to_loaders=False,
        ),
    )


def after_commit(session: Session, callback) -> None:
    """Run ``callback`` once the current transaction has committed (mail, jobs); dropped on rollback."""
    session = _resolve(session)
    session.info.setdefault("after_commit", []).append(callback)


@event.listens_for(Session, "after_rollback")
def _drop_side_effects(session: Session) -> None:
    session.info.pop("after_commit", None)


def commit(session: Session) -> None:
    """The one commit point of a request or job: commit, then release the side effects it queued."""
    session = _resolve(session)
    callbacks = session.info.pop("after_commit", [])
    session.commit()
    for callback in callbacks:
        callback()
