"""Persons, invitations, mandates and grants: who sits where, and who may do what in a tenant."""

import dataclasses
import hashlib
from datetime import date

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from saas.audit.operations import record
from saas.core.extensions import db
from saas.core.urls import external_url
from saas.identity.models import GrantKind, Mandate, MandateRole, Person, TenantGrant
from saas.mail.operations import queue_mail
from saas.tenancy.models import Assembly, PoliticalGroup, Tenant

SET_PASSWORD_DAYS = 7


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


def person_by_email(email: str) -> Person | None:
    return db.session.execute(sa.select(Person).where(Person.email == normalize_email(email))).scalar_one_or_none()


# --- Invitations and mandates ---------------------------------------------------------------------


@dataclasses.dataclass
class MandateRequest:
    email: str
    first_name: str
    last_name: str
    assembly: Assembly
    role: MandateRole = MandateRole.MEMBER
    start_date: date = dataclasses.field(default_factory=date.today)
    end_date: date | None = None
    political_group: PoliticalGroup | None = None


def set_password_token(person: Person) -> str:
    """A link token that stops working once the password changes, or after a week."""
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="set-password")
    return serializer.dumps({"p": person.id, "h": sha256(person.password_hash or "")})


def person_for_set_password_token(token: str) -> Person | None:
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="set-password")
    try:
        payload = serializer.loads(token, max_age=SET_PASSWORD_DAYS * 24 * 3600)
    except BadSignature:
        return None
    person = db.session.get(Person, payload["p"])
    if person is None or not person.is_active or payload["h"] != sha256(person.password_hash or ""):
        return None
    return person


def give_mandate(tenant: Tenant, request: MandateRequest, actor: Person | None) -> Mandate:
    """Give a mandate to the person with this e-mail, creating the account only if none exists.

    A known person is told of the new mandate; a new one receives an invitation with a set-password
    link. Either way there is one Person per e-mail across the platform.
    """
    if request.assembly.tenant_id != tenant.id:
        raise ValueError("assembly of another tenant")
    person = person_by_email(request.email)
    created = person is None
    if created:
        person = Person(
            email=normalize_email(request.email),
            first_name=request.first_name.strip(),
            last_name=request.last_name.strip(),
        )
        db.session.add(person)
        db.session.flush()
        record("person.created", tenant_id=tenant.id, actor_id=actor.id if actor else None, obj=person)
    mandate = Mandate(
        tenant_id=tenant.id,
        person=person,
        assembly=request.assembly,
        role=request.role,
        start_date=request.start_date,
        end_date=request.end_date,
        political_group=request.political_group,
    )
    db.session.add(mandate)
    db.session.flush()
    record(
        "mandate.created",
        tenant_id=tenant.id,
        actor_id=actor.id if actor else None,
        obj=mandate,
        data={"person_id": person.id, "assembly_id": request.assembly.id, "role": request.role.value},
    )
    if created:
        link = external_url(f"/password/set/{set_password_token(person)}")
        queue_mail(
            f"invitation:mandate:{mandate.id}",
            to=person.email,
            subject=f"Invitation à Quorum — {tenant.name}",
            body=(
                f"Bonjour {person.full_name},\n\n{tenant.name} vous invite à rejoindre Quorum pour votre mandat :"
                f" {request.assembly.name}.\n\n"
                f"Choisissez votre mot de passe (lien valable {SET_PASSWORD_DAYS} jours) :\n"
                f"{link}\n"
            ),
            tenant_id=tenant.id,
        )
    else:
        queue_mail(
            f"mandate-notice:mandate:{mandate.id}",
            to=person.email,
            subject=f"Nouveau mandat dans Quorum — {tenant.name}",
            body=(
                f"Bonjour {person.full_name},\n\n{tenant.name} a ajouté un mandat à votre compte Quorum :"
                f" {request.assembly.name}.\nIl apparaît dans « Mes mandats » avec vos autres mandats,"
                f" sous le même identifiant : {person.email}.\n\n{external_url('/')}\n"
            ),
            tenant_id=tenant.id,
        )
    return mandate


def give_grant(
    person: Person, tenant: Tenant, kind: GrantKind, *, assembly: Assembly | None, actor: Person | None
) -> TenantGrant:
    """Make ``person`` admin of ``tenant``, or secretary of one of its assemblies (idempotent)."""
    if kind == GrantKind.DRAFTER:
        raise ValueError("a drafter grant names a service: saas.reports.operations.give_drafter_grant gives it")
    if (kind == GrantKind.SECRETARY) != (assembly is not None):
        raise ValueError("a secretary grant names one assembly; an admin grant names none")
    if assembly is not None and assembly.tenant_id != tenant.id:
        raise ValueError("assembly of another tenant")
    existing = db.session.execute(
        sa.select(TenantGrant).where(
            TenantGrant.tenant_id == tenant.id,
            TenantGrant.person_id == person.id,
            TenantGrant.kind == kind,
            TenantGrant.assembly_id == assembly.id if assembly else TenantGrant.assembly_id.is_(None),
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    grant = TenantGrant(tenant_id=tenant.id, person=person, kind=kind, assembly=assembly)
    db.session.add(grant)
    db.session.flush()
    record(
        "grant.created",
        tenant_id=tenant.id,
        actor_id=actor.id if actor else None,
        obj=grant,
        data={"person_id": person.id, "kind": kind.value, "assembly_id": assembly.id if assembly else None},
    )
    return grant


def remove_grant(grant: TenantGrant, actor: Person) -> None:
    """Grants are rights, not council records: removing one deletes it, and the audit keeps the trace."""
    record(
        "grant.removed",
        tenant_id=grant.tenant_id,
        actor_id=actor.id,
        obj=grant,
        data={"person_id": grant.person_id, "kind": grant.kind.value, "assembly_id": grant.assembly_id},
    )
    db.session.delete(grant)
    db.session.flush()
