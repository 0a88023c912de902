"""Preparing an act's transmission to the prefecture, and the collectivity's identity in the envelope. Plain
functions: they flush and write audit events, never commit.

Exactly once: ``prepare`` locks the act's row, then looks for its open transmission and returns it if there is
one, so two clicks or two requests at the same moment make one transmission (and the unique index on an act's
open transmission stops anything that would slip past). Every refusal is raised before the package is built:
no row, no stored file.
"""

import tempfile

import sqlalchemy as sa

from saas.acts import operations as acts
from saas.acts.models import Deliberation
from saas.audit.operations import record
from saas.core.database import utcnow
from saas.core.extensions import db
from saas.documents.models import Document, DocumentKind
from saas.identity.models import Person
from saas.prefecture import package
from saas.prefecture.classification import DELIBERATION, classification
from saas.prefecture.models import OPEN_STATUSES, Transmission
from saas.storage.models import Blob
from saas.storage.operations import open_range, store
from saas.tenancy.models import Tenant


def open_transmission(act: Deliberation) -> Transmission | None:
    """The act's transmission under way or done (prepared, sent, acknowledged), if any."""
    return db.session.execute(
        sa.select(Transmission).where(Transmission.act_id == act.id, Transmission.status.in_(OPEN_STATUSES))
    ).scalar_one_or_none()


def latest_transmission(act: Deliberation) -> Transmission | None:
    """The act's latest transmission, open or closed (a rejection is shown until a new one is prepared)."""
    return db.session.execute(
        sa.select(Transmission).where(Transmission.act_id == act.id).order_by(Transmission.id.desc()).limit(1)
    ).scalar_one_or_none()


def _file(title: str, blob: Blob) -> package.PackageFile:
    def chunks():
        return open_range(blob, 0, blob.size - 1) if blob.size else iter(())

    return package.PackageFile(title=title, size=blob.size, sha256=blob.sha256, chunks=chunks)


def annexes(act: Deliberation) -> list[Document]:
    """The annexes of the act's report, in their order (withdrawn ones are not part of the act)."""
    return list(
        db.session.execute(
            sa.select(Document)
            .where(Document.report_id == act.report_id, Document.kind == DocumentKind.ANNEX, ~Document.withdrawn)
            .order_by(Document.position)
        ).scalars()
    )


def emitter(tenant: Tenant, actor: Person) -> package.Emitter:
    return package.Emitter(
        siren=tenant.siren,
        departement=tenant.actes_departement,
        arrondissement=tenant.actes_arrondissement,
        nature=tenant.actes_nature,
        referent_name=actor.full_name,
        referent_email=actor.email,
        mailbox=tenant.actes_email,
    )


def submission(act: Deliberation, actor: Person, today) -> package.Submission:
    """What the package of ``act`` holds, read from the act, its signed PDF, its report's annexes."""
    tenant = db.session.get(Tenant, act.tenant_id)
    signed = acts.signed_request(act) if acts.signed_completely(act) else None
    return package.Submission(
        decided_on=act.decided_on,
        number=act.number,
        sequence=act.sequence,
        nature=DELIBERATION,
        subject_code=act.subject_code,
        objet=act.title,
        document=_file(f"Délibération n° {act.number}", signed.current_blob) if signed is not None else None,
        annexes=tuple(_file(doc.title, doc.current_version.blob) for doc in annexes(act)),
        emitter=emitter(tenant, actor),
        prepared_on=today,
    )


def prepare(act: Deliberation, actor: Person) -> tuple[Transmission, bool]:
    """The act's package for the prefecture, prepared and stored (status ``prepared``), and True; prepared again,
    the open transmission as it is, and False. Refused in French, naming the field, before anything is written."""
    act = db.session.execute(
        sa.select(Deliberation)
        .where(Deliberation.id == act.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    existing = open_transmission(act)
    if existing is not None:
        return existing, False
    if not acts.is_current(act):
        raise package.PackageError(
            "Document : cette délibération a été corrigée : c'est l'acte rectificatif qui se transmet.",
            field="Document",
        )
    tenant = db.session.get(Tenant, act.tenant_id)
    now = utcnow()
    wanted = submission(act, actor, tenant.today())
    package.check(wanted)
    with tempfile.TemporaryFile() as spool:
        built = package.build(wanted, spool, now)
        spool.seek(0)
        blob = store(act.tenant_id, spool)
    transmission = Transmission(
        tenant_id=act.tenant_id,
        act_id=act.id,
        blob_id=blob.id,
        sha256=blob.sha256,
        size=blob.size,
        package_name=built.package_name,
        envelope_name=built.envelope_name,
        message_name=built.message_name,
        fields=built.fields,
        prepared_by_id=actor.id,
        prepared_at=now,
    )
    db.session.add(transmission)
    db.session.flush()
    record(
        "act.transmission_prepared",
        tenant_id=act.tenant_id,
        actor_id=actor.id,
        obj=transmission,
        data={
            "number": act.number,
            "act_id": act.id,
            "package": built.package_name,
            "sha256": blob.sha256,
            "files": [file["sha256"] for file in built.fields["files"]],
        },
    )
    return transmission, True


# --- The collectivity's identity in the envelope -------------------------------------------------------------


def _departement(value: str | None) -> str | None:
    value = (value or "").strip().upper()
    if not value:
        return None
    if len(value) == 2:
        value = "0" + value
    if not package.DEPARTEMENT.match(value):
        raise package.PackageError(
            f"Code département : « {value} » n'est pas un code de département (par exemple 025, 02A, 974).",
            field="departement",
        )
    return value


def set_identity(
    tenant: Tenant,
    *,
    departement: str | None,
    arrondissement: str | None,
    nature: str | None,
    email: str | None,
    actor: Person | None,
) -> Tenant:
    """Set how the collectivity is named in the @ctes envelope; an empty value clears it (the package is
    then refused until it is given again)."""
    values = {"actes_departement": _departement(departement)}
    arrondissement = (arrondissement or "").strip() or None
    if arrondissement is not None and not package.ARRONDISSEMENT.match(arrondissement):
        raise package.PackageError(
            "Arrondissement : un chiffre, 1 pour celui de la préfecture.", field="arrondissement"
        )
    nature = (nature or "").strip() or None
    if nature is not None and nature not in classification().collectivities:
        raise package.PackageError(
            f"Nature de la collectivité : « {nature} » n'est pas un code connu de la télétransmission.",
            field="nature",
        )
    email = (email or "").strip() or None
    if email is not None and (len(email) > 254 or not package.EMAIL.match(email)):
        raise package.PackageError(
            f"Adresse de retour : « {email} » n'est pas une adresse électronique.", field="email"
        )
    values |= {"actes_arrondissement": arrondissement, "actes_nature": nature, "actes_email": email}
    before = {key: getattr(tenant, key) for key in values}
    for key, value in values.items():
        setattr(tenant, key, value)
    db.session.flush()
    if before != values:
        record(
            "tenant.actes_identity_set",
            tenant_id=tenant.id,
            actor_id=actor.id if actor else None,
            obj=tenant,
            data={"before": before, "after": values},
        )
    return tenant
