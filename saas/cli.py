"""The ``quorum`` command: Flask's CLI group with Quorum's own commands (``flask --app saas`` works too)."""

import getpass
import sys
from pathlib import Path

import click
import waitress
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from saas import ROOT, create_app
from saas.audit.operations import verify_all
from saas.core.areas import modules
from saas.core.database import SYSTEM, commit, set_context
from saas.core.extensions import db
from saas.demo import collectivities as demo_data
from saas.identity import authentication, operations
from saas.identity.models import Person
from saas.jobs.queues import MAINTENANCE_INTERVAL, QUEUES, prepare_worker, redis_connection
from saas.tenancy.models import Tenant
from saas.tenancy.operations import TenantFileError, export_tenant_file, load_tenant_files
from saas.workflow.definitions import load_folder


def _system_session():
    set_context(db.session, SYSTEM)


def register(app) -> None:
    """Add Quorum's commands to ``flask --app saas`` (and so to ``quorum``)."""
    for command in (demo, serve, worker, tenants, operator, audit):
        app.cli.add_command(command)
    for module in modules("cli"):
        for command in module.COMMANDS:
            app.cli.add_command(command)


@click.group(cls=FlaskGroup, create_app=create_app)
def main():
    """Quorum: council dossiers for French collectivities."""


@click.command()
@click.option("--reset", is_flag=True, help="Start again from an empty demo database.")
@click.option("--no-serve", is_flag=True, help="Seed the demo data and stop.")
@with_appcontext
def demo(reset: bool, no_serve: bool):
    """Create the embedded database, load tenants/ and workflows/, seed demo data, and serve on 127.0.0.1."""
    from flask_migrate import upgrade

    if reset:
        db.drop_all()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade()
    _system_session()

    load_tenant_files(ROOT / "tenants")
    load_folder(ROOT / "workflows")
    logins = demo_data.seed()
    commit(db.session)
    demo_data.sign_held_acts()
    commit(db.session)
    port = current_app.config["PORT"]
    click.echo(f"\nQuorum runs at http://127.0.0.1:{port}/\n")
    click.echo(demo_data.describe_logins(logins))
    if not no_serve:
        _serve()


@click.command()
@with_appcontext
def serve():
    """Serve on 127.0.0.1:QUORUM_PORT (production: gunicorn, see deploy/)."""
    _serve()


def _serve() -> None:
    """Waitress, a pure-Python WSGI server: a fixed pool of request threads (``SERVE_THREADS``) however many
    browsers are connected, so that a council opening its dossiers at the same moment is served in turn
    instead of by hundreds of threads fighting for the interpreter and the embedded database's lock."""
    waitress.serve(
        current_app._get_current_object(),
        host="127.0.0.1",
        port=current_app.config["PORT"],
        threads=current_app.config["SERVE_THREADS"],
        connection_limit=1000,
        channel_timeout=300,
        ident="Quorum",
    )


@click.command()
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.argument("queues", nargs=-1)
@with_appcontext
def worker(burst: bool, queues: tuple[str, ...]):
    """Run an RQ worker (with its scheduler) on the named queues, all by default."""
    from rq import Queue, Worker

    if not current_app.config["REDIS_URL"]:
        raise click.ClickException("QUORUM_REDIS_URL is not set: jobs run inline, there is nothing to work on.")
    unknown = set(queues) - set(QUEUES)
    if unknown:
        raise click.ClickException(f"unknown queues: {', '.join(sorted(unknown))}")
    connection = redis_connection()
    names = queues or QUEUES
    prepare_worker(current_app._get_current_object())
    worker_queues = [Queue(name, connection=connection) for name in names]
    Worker(worker_queues, connection=connection, maintenance_interval=MAINTENANCE_INTERVAL).work(
        burst=burst, with_scheduler=True
    )


@click.group()
def tenants():
    """Collectivities."""


@tenants.command("load")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def tenants_load(folder: Path):
    """Create or update the collectivities described in FOLDER/*.toml (idempotent)."""

    _system_session()
    try:
        report = load_tenant_files(folder)
    except TenantFileError as error:
        raise click.ClickException(str(error)) from error
    commit(db.session)
    for outcome in ("created", "updated", "unchanged"):
        for slug in getattr(report, outcome):
            click.echo(f"{outcome:9} {slug}")


@tenants.command("export")
@click.argument("slug")
@with_appcontext
def tenants_export(slug: str):
    """Print the collectivity SLUG in the tenants/*.toml format (what `tenants load` reads back)."""
    import sqlalchemy as sa

    _system_session()
    tenant = db.session.execute(sa.select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
    if tenant is None:
        raise click.ClickException(f"no collectivity {slug!r}")
    click.echo(export_tenant_file(tenant), nl=False)


@click.group()
def operator():
    """Platform operators."""


@operator.command("create")
@click.argument("email")
@click.option("--first-name", default="Opérateur")
@click.option("--last-name", default="Quorum")
@with_appcontext
def operator_create(email: str, first_name: str, last_name: str):
    """Create an operator: asks for a password, then enrols a TOTP second factor."""

    _system_session()
    if operations.person_by_email(email) is not None:
        raise click.ClickException(f"{email} already has an account.")
    person = Person(
        email=operations.normalize_email(email), first_name=first_name, last_name=last_name, is_operator=True
    )
    db.session.add(person)
    db.session.flush()
    password = (
        getpass.getpass("Mot de passe (12 caractères au moins) : ")
        if sys.stdin.isatty()
        else sys.stdin.readline().rstrip("\n")
    )
    try:
        authentication.set_password(person, password)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    secret = authentication.new_totp_secret()
    click.echo(
        f"Ajoutez ce compte à votre application TOTP :\n  {authentication.totp_uri(person, secret)}\n  clé : {secret}"
    )
    code = input("Code à 6 chiffres : ") if sys.stdin.isatty() else sys.stdin.readline().strip()
    if not authentication.enroll_totp(person, secret, code):
        raise click.ClickException("Code incorrect : rien n'a été créé.")
    commit(db.session)
    click.echo(f"Opérateur {person.email} créé.")


@click.group()
def audit():
    """Audit trail."""


@audit.command("verify")
@with_appcontext
def audit_verify():
    """Check every audit hash chain; name the first altered, missing or reordered event."""

    reports = verify_all()
    for report in reports:
        state = "intact" if report.intact else f"BROKEN: {report.problem}"
        click.echo(f"{report.chain}: {report.events} events, {state}")
    if not all(report.intact for report in reports):
        sys.exit(1)
    click.echo("All audit chains are intact.")
