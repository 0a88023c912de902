"""``quorum workflows load <folder>`` (the shipped templates), ``quorum workflows adopt <tenant> <key>…``,
``quorum workflows remind`` (reminders of late tasks, now) and ``quorum workflows schedule`` (the same every
hour, through RQ's cron scheduler)."""

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from saas.core.database import SYSTEM, commit, set_context
from saas.core.extensions import db
from saas.jobs.queues import execute, redis_connection, registered_job
from saas.tenancy.models import Tenant
from saas.workflow import jobs
from saas.workflow.definitions import WorkflowError, adopt_template, load_folder

#: how often the reminder job is enqueued in production (a collectivity's late tasks are reminded within
#: the hour after its midnight; the mails' unique keys make every run after the first send nothing)
REMIND_EVERY = 3600


@click.group()
def workflows():
    """Validation circuits."""


@workflows.command("load")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def workflows_load(folder: Path):
    """Load FOLDER/*.toml as the platform's circuit templates (idempotent: an unchanged file changes nothing)."""
    set_context(db.session, SYSTEM)
    try:
        report = load_folder(folder)
    except WorkflowError as error:
        raise click.ClickException(error.message) from error
    commit(db.session)
    for outcome in ("created", "updated", "unchanged"):
        for key in getattr(report, outcome):
            click.echo(f"{outcome:9} {key}")


@workflows.command("adopt")
@click.argument("slug")
@click.argument("keys", nargs=-1, required=True)
@with_appcontext
def workflows_adopt(slug: str, keys: tuple[str, ...]):
    """Give collectivity SLUG its own copy of the templates KEYS (a copy already made is kept as it is)."""
    set_context(db.session, SYSTEM)
    tenant = db.session.execute(sa.select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
    if tenant is None:
        raise click.ClickException(f"Aucune collectivité « {slug} ».")
    try:
        for key in keys:
            definition = adopt_template(tenant, key, actor=None)
            click.echo(f"{slug}: {definition.key}")
    except WorkflowError as error:
        raise click.ClickException(error.message) from error
    commit(db.session)


@workflows.command("remind")
@with_appcontext
def workflows_remind():
    """Send one reminder per late task and due date, now (idempotent: run again, it sends nothing more).
    Without Redis, run it from cron (e.g. every hour); with Redis, ``quorum workflows schedule`` does it."""
    set_context(db.session, SYSTEM)
    sent = jobs.remind_late_tasks()
    commit(db.session)
    click.echo(f"{sent} relance(s) envoyée(s)")


def reminder_scheduler(connection):
    """RQ's cron scheduler (RQ 3, ``rq.cron``) with the reminder job registered every ``REMIND_EVERY``
    seconds on its queue, where ``quorum worker`` runs it like any job."""
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=connection, name="quorum-workflows")
    registered = registered_job(jobs.REMIND)
    scheduler.register(
        execute,
        registered.queue,
        args=(jobs.REMIND, None, []),
        interval=REMIND_EVERY,
        job_timeout=registered.timeout,
        ttl=registered.ttl,
        name="workflow-reminders",
    )
    return scheduler


@workflows.command("schedule")
@with_appcontext
def workflows_schedule():
    """Enqueue the reminders of late tasks every hour (and once at start) until stopped: RQ's cron
    scheduler, one process beside ``quorum worker``. A second copy only makes the job run twice, harmlessly."""
    if not current_app.config["REDIS_URL"]:
        raise click.ClickException(
            "QUORUM_REDIS_URL is not set: without Redis, run « quorum workflows remind » from cron instead."
        )
    reminder_scheduler(redis_connection()).start()


COMMANDS = (workflows,)
