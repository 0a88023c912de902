"""``quorum workflows load <folder>`` (the shipped templates) and ``quorum workflows adopt <tenant> <key>…``."""

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from saas.core.database import SYSTEM, commit, set_context
from saas.core.extensions import db
from saas.tenancy.models import Tenant
from saas.workflow.definitions import WorkflowError, adopt_template, load_folder


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


COMMANDS = (workflows,)
