"""``quorum pki init <tenant>``, ``quorum evidence verify <zip>`` and ``quorum signing …`` (keys, trust).

Each area's cli.py lists its commands in ``COMMANDS``; saas/cli.py registers them by the list of areas.
"""

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from saas.core import display
from saas.core.database import SYSTEM, commit, set_context
from saas.core.extensions import db
from saas.identity.models import Person
from saas.tenancy.models import Tenant
from saas.trust import pki as tenant_pki
from saas.trust.anchors import TrustError, set_trust_anchors
from saas.trust.evidence import EvidenceError, verify_evidence_zip
from saas.trust.keys import SignerKeyError
from saas.trust.keys import configure_pkcs11 as do_configure
from saas.trust.keys import import_pkcs12 as do_import


@click.group()
def pki():
    """The tenants' embedded (not qualified) PKI."""


@pki.command("init")
@click.argument("slug")
@with_appcontext
def pki_init(slug: str):
    """Create the CA and the timestamp authority of collectivity SLUG (does nothing if they exist)."""

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


@click.group()
def signing():
    """Signers' production keys (PKCS#12, PKCS#11) and the trust anchors of validation reports."""


def _tenant_and_person(slug: str, email: str | None):

    set_context(db.session, SYSTEM)
    tenant = db.session.scalars(sa.select(Tenant).where(Tenant.slug == slug)).first()
    if tenant is None:
        raise click.ClickException(f"Aucune collectivité « {slug} ».")
    person = None
    if email is not None:
        person = db.session.scalars(sa.select(Person).where(sa.func.lower(Person.email) == email.lower())).first()
        if person is None:
            raise click.ClickException(f"Aucune personne « {email} ».")
    return tenant, person


@signing.command("import-pkcs12")
@click.argument("slug")
@click.argument("email")
@click.argument("pkcs12_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--passphrase", envvar="QUORUM_PKCS12_PASSPHRASE", prompt="Phrase de passe", hide_input=True, default="")
@with_appcontext
def import_pkcs12(slug: str, email: str, pkcs12_file: Path, passphrase: str):
    """Make PKCS12_FILE (e.g. an RGS** certificate) the signing key of EMAIL in collectivity SLUG."""

    tenant, person = _tenant_and_person(slug, email)
    try:
        row = do_import(tenant, person, pkcs12_file.read_bytes(), passphrase or None)
    except SignerKeyError as error:
        raise click.ClickException(str(error)) from error
    commit(db.session)
    until = display.format_date(row.not_after, tenant=tenant, locale=display.DOCUMENT_LOCALE)
    click.echo(f"PKCS#12 importé pour {person.email} : {row.subject} (jusqu'au {until})")


@signing.command("configure-pkcs11")
@click.argument("slug")
@click.argument("email")
@click.option("--module", required=True, help="Chemin du module PKCS#11 (.so) du jeton ou du HSM.")
@click.option("--token", required=True, help="Libellé du jeton.")
@click.option("--key", "key_label", required=True, help="Libellé de la clé (et de son certificat).")
@click.option("--pin", envvar="QUORUM_PKCS11_PIN", prompt="Code PIN", hide_input=True)
@with_appcontext
def configure_pkcs11(slug: str, email: str, module: str, token: str, key_label: str, pin: str):
    """Make the key KEY of a PKCS#11 token the signing key of EMAIL in collectivity SLUG (the token is
    opened now with the PIN, and the certificate of the same label is read)."""

    tenant, person = _tenant_and_person(slug, email)
    try:
        row = do_configure(tenant, person, module, token, key_label, pin)
    except SignerKeyError as error:
        raise click.ClickException(str(error)) from error
    commit(db.session)
    until = display.format_date(row.not_after, tenant=tenant, locale=display.DOCUMENT_LOCALE)
    click.echo(f"Jeton PKCS#11 configuré pour {person.email} : {row.subject} (jusqu'au {until})")


@signing.command("trust")
@click.argument("slug")
@click.argument("pem_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@with_appcontext
def trust_anchors(slug: str, pem_file: Path | None):
    """Set the trust anchors (PEM, CA certificates) of SLUG's validation reports; without PEM_FILE, only
    the collectivity's own CA and timestamp authority remain trusted."""

    tenant, _ = _tenant_and_person(slug, None)
    try:
        set_trust_anchors(tenant, pem_file.read_text() if pem_file else None)
    except TrustError as error:
        raise click.ClickException(str(error)) from error
    commit(db.session)
    click.echo("Ancres de confiance enregistrées." if pem_file else "Ancres de confiance supplémentaires retirées.")


COMMANDS = (pki, evidence, signing)
