"""``quorum pki init <tenant>`` and ``quorum evidence verify <zip>``.

Registered by saas/cli.py's ``register()``: ``from saas.signing.cli import evidence, pki``.
"""

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from saas.database import SYSTEM, commit, set_context
from saas.extensions import db


@click.group()
def pki():
    """The tenants' embedded (not qualified) PKI."""


@pki.command("init")
@click.argument("slug")
@with_appcontext
def pki_init(slug: str):
    """Create the CA and the timestamp authority of collectivity SLUG (does nothing if they exist)."""
    from saas.signing import pki as tenant_pki
    from saas.tenancy.models import Tenant

    set_context(db.session, SYSTEM)
    tenant = db.session.scalars(sa.select(Tenant).where(Tenant.slug == slug)).first()
    if tenant is None:
        raise click.ClickException(f"Aucune collectivité « {slug} ».")
    try:
        pairs = tenant_pki.ensure_tenant_pki(tenant)
    except tenant_pki.PKIError as error:
        raise click.ClickException(str(error)) from error
    commit(db.session)
    for label, pair in zip(("AC", "Horodatage"), pairs, strict=True):
        state = "créé" if pair.created else "existant"
        click.echo(f"{label:11} {state:9} {pair.certificate.subject.rfc4514_string()}")
        click.echo(f"{'':11} SHA-256   {pair.fingerprint}")


@click.group()
def evidence():
    """Evidence packages (time-stamped manifests)."""


@evidence.command("verify")
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--ca",
    "ca_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Certificat racine de confiance (PEM) ; par défaut celui du dossier.",
)
def evidence_verify(package: Path, ca_file: Path | None):
    """Verify every manifest of the evidence package PACKAGE; exit status 1 if any fails."""
    from saas.signing.evidence import EvidenceError, verify_evidence_zip

    try:
        results = verify_evidence_zip(package.read_bytes(), ca_file.read_bytes() if ca_file else None)
    except EvidenceError as error:
        raise click.ClickException(str(error)) from error
    for result in results:
        click.echo(f"{'OK' if result.ok else 'FAILED':7} {result.name}: {result.message}")
    if ca_file is None:
        click.echo("Autorité de confiance : celle du dossier (comparez son empreinte, voir README.txt).")
    if not all(result.ok for result in results):
        sys.exit(1)
