"""The queues, the ``job`` decorator, and how a job is released and run.

Jobs receive ids and the tenant id, never ORM objects. They are released only after the transaction
that asked for them commits. Without Redis (the embedded default) they run inline, in the same session,
right after that commit, and a failure is raised. With Redis they go to RQ and ``quorum worker`` runs them.
Every job must be idempotent: it may run more than once.
"""

import dataclasses
import logging
import os
from collections.abc import Callable

from flask import current_app

from saas.core.database import SYSTEM, TenantContext, after_commit, commit, context
from saas.core.extensions import db

QUEUES = ("mail", "documents", "signing", "default")
#: a job that fails, or whose worker was killed, is run again after these delays (seconds); jobs are idempotent
RETRY_INTERVALS = [10, 60, 300]
#: how often a worker looks for jobs abandoned by a dead worker (RQ's default: 10 minutes). A running job's
#: worker renews its claim every 30 s for 90 s; once a claim lapses, the next look retries the job.
MAINTENANCE_INTERVAL = 60

log = logging.getLogger(__name__)
_registry: dict[str, "Job"] = {}


@dataclasses.dataclass
class Job:
    func: Callable
    queue: str
    timeout: int
    ttl: int

    @property
    def name(self) -> str:
        return f"{self.func.__module__}.{self.func.__qualname__}"

    def __call__(self, *args, **kwargs):
        return self.func(*args, **kwargs)

    def delay(self, *args: int | str, tenant_id: int | None, job_id: str | None = None) -> None:
        """Run after the current transaction commits. ``tenant_id`` None means a platform job."""
        after_commit(db.session, lambda: _release(self, args, tenant_id, job_id))


def enqueue(name: str, *args: int | str, tenant_id: int | None, job_id: str | None = None) -> None:
    """Run the job registered as ``name`` after the current transaction commits. Operations enqueue by
    name, so only an area's ``jobs.py`` imports its operations, never the other way round."""
    registered = registered_job(name)
    after_commit(db.session, lambda: _release(registered, args, tenant_id, job_id))


def registered_job(name: str) -> "Job":
    """The job registered as ``name``; an unknown name is an error, never a silent no-op."""
    import_job_modules()
    try:
        return _registry[name]
    except KeyError:
        raise KeyError(f"no job registered as {name!r}") from None


def job(queue: str = "default", timeout: int = 300, ttl: int = 24 * 3600):
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}; declare it in saas.jobs.queues.QUEUES")

    def register(func: Callable) -> Job:
        registered = Job(func, queue, timeout, ttl)
        _registry[registered.name] = registered
        return registered

    return register


def redis_connection():
    from redis import Redis

    return Redis.from_url(current_app.config["REDIS_URL"])


def _release(registered: Job, args: tuple, tenant_id: int | None, job_id: str | None) -> None:
    if not current_app.config["REDIS_URL"]:
        run(registered.name, tenant_id, args)
        return
    from rq import Queue, Retry

    Queue(registered.queue, connection=redis_connection()).enqueue(
        execute,
        registered.name,
        tenant_id,
        list(args),
        job_id=job_id,
        job_timeout=registered.timeout,
        ttl=registered.ttl,
        failure_ttl=7 * 24 * 3600,
        retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
    )


def run(name: str, tenant_id: int | None, args) -> None:
    """Run a job in the current application context, in its tenant's context, and commit once."""
    registered = registered_job(name)
    ctx = SYSTEM if tenant_id is None else TenantContext(tenant_id=tenant_id)
    try:
        with context(db.session, ctx):
            registered(*args)
            commit(db.session)
    except Exception:
        db.session.rollback()
        log.exception("job %s failed (tenant %s, args %s)", name, tenant_id, args)
        raise


_worker_app = None


def prepare_worker(app) -> None:
    """Called once by ``quorum worker`` before it forks a work horse per job: each horse starts with the
    application and the job modules ready instead of building them again (≈ 0.25 s a job), and opens its
    own database connections (a connection is never shared across a fork)."""
    global _worker_app
    _worker_app = app
    with app.app_context():
        import_job_modules()
    os.register_at_fork(after_in_child=_forget_inherited_connections)


def _forget_inherited_connections() -> None:
    with _worker_app.app_context():
        db.engine.dispose(close=False)


def execute(name: str, tenant_id: int | None, args: list) -> None:
    """Entry point of RQ work horses: the worker's application (or one built here), then the job."""
    global _worker_app
    if _worker_app is None:
        # the one upward import (a named exception of the layers contract): a work horse started without
        # ``quorum worker`` has no application yet and builds one
        from saas import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        run(name, tenant_id, args)


def import_job_modules() -> None:
    from saas.core.areas import import_modules  # core.areas lists the areas, whose jobs import this module

    import_modules("jobs")
