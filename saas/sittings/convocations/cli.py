"""``quorum evidence export <tenant-slug> <sitting-id> <file.zip>``: the evidence package from the shell.

For the operator answering a court or the prefecture without a secretary's login: a command of the
``evidence`` group of saas.trust.cli, which the trust area registers.
"""

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from saas.core.database import SYSTEM, TenantContext, commit, set_context
from saas.core.extensions import db
from saas.sittings.convocations.evidence import evidence_zip
from saas.sittings.models import Sitting
from saas.sittings.proof import operations as proof
from saas.tenancy.models import Tenant
from saas.trust.cli import evidence

COMMANDS = ()  # its one command joins the trust area's evidence group


@evidence.command("export")
@click.argument("slug")
@click.argument("sitting_id", type=int)
@click.argument("target", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def evidence_export(slug: str, sitting_id: int, target: Path):
    """Write the evidence package of sitting SITTING_ID of collectivity SLUG to TARGET (a .zip)."""
    set_context(db.session, SYSTEM)
    tenant = db.session.scalars(sa.select(Tenant).where(Tenant.slug == slug)).first()
    if tenant is None:
        raise click.ClickException(f"Aucune collectivité « {slug} ».")
    set_context(db.session, TenantContext(tenant_id=tenant.id))
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None or sitting.tenant_id != tenant.id:
        raise click.ClickException(f"Aucune séance n° {sitting_id} pour « {slug} ».")
    try:
        package = evidence_zip(sitting)
    except proof.ProofError as error:
        raise click.ClickException(str(error)) from error
    commit(db.session)
    partial = target.with_name(target.name + ".partiel")
    partial.write_bytes(package)
    partial.replace(target)
    count = len(proof.records(sitting))
    click.echo(f"{target} : {count} preuve(s) horodatée(s). Vérification : quorum evidence verify {target}")
