"""The group, its members and agreement, its contracts and lots, its calendar, and new members.

Plain functions: they build or change rows, flush, write an audit event on the platform chain (the
group is no one tenant's), and never commit. Refusals raise ``PurchasingError`` with a French message.
"""

import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa

from saas.audit.operations import record
from saas.core.database import SYSTEM, TenantContext, context, utcnow
from saas.core.errors import DomainError
from saas.core.extensions import db
from saas.core.urls import external_url
from saas.documents.intake.check import PdfRejected, check_pdf
from saas.groupement.models import (
    AgreementSigning,
    Contract,
    Lot,
    Membership,
    Milestone,
    MilestoneStatus,
    PurchasingGroup,
    SigningStatus,
)
from saas.identity import operations as identity
from saas.identity.access import has_platform_role
from saas.identity.models import GrantKind, Person
from saas.mail.operations import queue_mail
from saas.storage.operations import read_all, store
from saas.tenancy.models import Assembly, AssemblyKind, Tenant, TenantKind
from saas.tenancy.operations import TenantFileError, check_tenant_values

#: the procurement calendar of the founding text (deliberation n° 44): (title, planned start, planned date)
FOUNDING_CALENDAR = (
    ("Rédaction du cahier des charges par les collectivités", date(2013, 6, 1), date(2013, 9, 30)),
    ("Date limite de délibération des assemblées pour la création du groupement", None, date(2013, 9, 6)),
    ("Lancement de l'appel d'offres", None, date(2013, 9, 16)),
    ("Remise des offres", None, date(2013, 10, 31)),
    ("Choix du titulaire", None, date(2013, 11, 29)),
    ("Installation, mise en place de manière expérimentale", date(2013, 12, 1), date(2014, 2, 28)),
)


class PurchasingError(DomainError):
    """A refused action; ``message`` is French and shown as it is."""


def may_use_console(person: Person) -> bool:
    """The coordinator of the shared contract, and operators; nobody else even sees the console."""
    return has_platform_role(person, "coordinator") or has_platform_role(person, "operator")


def current_group() -> PurchasingGroup | None:
    """The installation's purchasing group (there is one: the platform is the group's)."""
    return db.session.execute(sa.select(PurchasingGroup).order_by(PurchasingGroup.id).limit(1)).scalar_one_or_none()


def coordinator_tenants() -> list[Tenant]:
    return list(db.session.execute(sa.select(Tenant).where(Tenant.is_coordinator).order_by(Tenant.name)).scalars())


def signing_in_progress(group: PurchasingGroup) -> AgreementSigning | None:
    """The agreement's signature round under way, if any (at most one: a partial unique index)."""
    return db.session.execute(
        sa.select(AgreementSigning).where(
            AgreementSigning.group_id == group.id, AgreementSigning.status == SigningStatus.IN_PROGRESS
        )
    ).scalar_one_or_none()


def refuse_while_signing(group: PurchasingGroup, what: str) -> None:
    """The members and the agreement stay as they are while the agreement goes round for signature. The
    group's row is locked first, so a round starting and a member joining (say) cannot cross."""
    db.session.execute(sa.select(PurchasingGroup.id).where(PurchasingGroup.id == group.id).with_for_update())
    if signing_in_progress(group) is not None:
        raise PurchasingError(f"La convention est en cours de signature : annulez cette signature avant {what}.")


def audit(action: str, actor: Person | None, obj, **data) -> None:
    record(f"purchasing.{action}", actor_id=actor.id if actor else None, obj=obj, data=data)


# --- The group and its members --------------------------------------------------------------------


def create_group(
    name: str, coordinator: Tenant, joining_reference: str, joined_on: date, actor: Person | None
) -> PurchasingGroup:
    """Create the group with its coordinator as first member and the founding calendar as milestones."""
    if current_group() is not None:
        raise PurchasingError("Le groupement existe déjà.")
    if not coordinator.is_coordinator:
        raise PurchasingError("Cette collectivité n'est pas désignée comme coordonnatrice.", "coordinator")
    group = PurchasingGroup(name=name.strip(), coordinator=coordinator)
    db.session.add(group)
    db.session.flush()
    audit("group.created", actor, group, coordinator_tenant_id=coordinator.id)
    join(group, coordinator, joining_reference, joined_on, actor=actor)
    for position, (title, start, planned) in enumerate(FOUNDING_CALENDAR, start=1):
        db.session.add(
            Milestone(group_id=group.id, position=position, title=title, planned_start=start, planned_date=planned)
        )
    db.session.flush()
    return group


def memberships(group: PurchasingGroup) -> list[Membership]:
    return list(
        db.session.execute(
            sa.select(Membership).join(Tenant).where(Membership.group_id == group.id).order_by(Tenant.name)
        ).scalars()
    )


def active_memberships(group: PurchasingGroup, on: date | None = None) -> list[Membership]:
    on = on or date.today()
    return [m for m in memberships(group) if m.is_active(on)]


def join(
    group: PurchasingGroup,
    tenant: Tenant,
    joining_reference: str,
    joined_on: date | None,
    actor: Person | None,
    seats: int = 0,
) -> Membership:
    """A collectivity joins the group: its assembly's deliberation (reference and date) is required."""
    if not (joining_reference or "").strip() or joined_on is None:
        raise PurchasingError(
            "L'adhésion exige la délibération de l'assemblée : sa référence et sa date.", "joining_reference"
        )
    if seats < 0:
        raise PurchasingError("Le nombre de licences ne peut pas être négatif.", "seats")
    refuse_while_signing(group, "d'enregistrer une adhésion")
    existing = db.session.execute(
        sa.select(Membership).where(Membership.group_id == group.id, Membership.tenant_id == tenant.id)
    ).scalar_one_or_none()
    if existing is not None:
        raise PurchasingError(f"{tenant.name} est déjà membre du groupement.", "tenant")
    membership = Membership(
        group=group, tenant=tenant, joining_reference=joining_reference.strip(), joined_on=joined_on, seats=seats
    )
    db.session.add(membership)
    db.session.flush()
    audit("member.joined", actor, membership, tenant_id=tenant.id, reference=membership.joining_reference)
    return membership


def update_membership(
    membership: Membership,
    *,
    seats: int,
    agreement_signed_on: date | None,
    agreement_signed_by: str | None,
    actor: Person | None,
) -> None:
    """Licences, and the group agreement's signature as recorded by the coordinator (date and signatory)."""
    if seats < 0:
        raise PurchasingError("Le nombre de licences ne peut pas être négatif.", "seats")
    signed_by = (agreement_signed_by or "").strip() or None
    if (agreement_signed_on is None) != (signed_by is None):
        raise PurchasingError(
            "Pour la signature de la convention, indiquez à la fois la date et le nom du signataire.",
            "agreement_signed_on",
        )
    membership.seats = seats
    membership.agreement_signed_on, membership.agreement_signed_by = agreement_signed_on, signed_by
    db.session.flush()
    audit("member.updated", actor, membership, seats=seats, signed_on=agreement_signed_on, signed_by=signed_by)


def withdraw(membership: Membership, on: date, effect: str, amount_cents: int | None, actor: Person | None) -> None:
    """Withdrawal under the agreement's clause: last day, financial effect (text, and amount if any)."""
    if membership.withdrawn_on is not None:
        raise PurchasingError("Ce membre s'est déjà retiré du groupement.", "withdrawn_on")
    if on < membership.joined_on:
        raise PurchasingError("Le retrait ne peut pas précéder l'adhésion.", "withdrawn_on")
    if not (effect or "").strip():
        raise PurchasingError("Indiquez l'effet financier du retrait prévu par la convention.", "withdrawal_effect")
    if membership.tenant_id == membership.group.coordinator_tenant_id:
        raise PurchasingError("Le coordonnateur ne peut pas se retirer : désignez d'abord un autre coordonnateur.")
    refuse_while_signing(membership.group, "d'enregistrer un retrait")
    membership.withdrawn_on, membership.withdrawal_effect = on, effect.strip()
    membership.withdrawal_amount_cents = amount_cents
    db.session.flush()
    audit("member.withdrew", actor, membership, on=on, amount_cents=amount_cents)


# --- The group agreement (convention constitutive) ------------------------------------------------


def upload_agreement(group: PurchasingGroup, stream: BinaryIO, filename: str, actor: Person | None) -> None:
    """Check the PDF like any council document, then store it with the coordinator's key."""
    refuse_while_signing(group, "de déposer une nouvelle convention")
    with tempfile.TemporaryDirectory(prefix="quorum-agreement-") as folder:
        source, checked = Path(folder) / "source.pdf", Path(folder) / "checked.pdf"
        with source.open("wb") as handle:
            shutil.copyfileobj(stream, handle)
        try:
            check_pdf(source, checked)
        except PdfRejected as rejected:
            raise PurchasingError(rejected.message, "file") from rejected
        with context(db.session, TenantContext(tenant_id=group.coordinator_tenant_id)), checked.open("rb") as handle:
            blob = store(group.coordinator_tenant_id, handle)
    group.agreement_blob_id = blob.id
    group.agreement_filename = (Path(filename or "").name or "convention-constitutive.pdf")[:255]
    group.agreement_uploaded_at = utcnow()
    db.session.flush()
    audit("agreement.uploaded", actor, group, sha256=blob.sha256, filename=group.agreement_filename)


def agreement_bytes(group: PurchasingGroup) -> bytes | None:
    if group.agreement_blob_id is None:
        return None
    with context(db.session, TenantContext(tenant_id=group.coordinator_tenant_id)):
        return read_all(group.agreement_blob)


# --- Contracts and lots ---------------------------------------------------------------------------


def contracts(group: PurchasingGroup) -> list[Contract]:
    return list(
        db.session.execute(
            sa.select(Contract).where(Contract.group_id == group.id).order_by(Contract.start_date, Contract.id)
        ).scalars()
    )


def save_contract(group: PurchasingGroup, values: dict, actor: Person | None, contract: Contract | None = None):
    """Create (or update) a contract from reference, title, supplier, awarded_on, start_date, end_date."""
    if values.get("end_date") and values["end_date"] < values["start_date"]:
        raise PurchasingError("La fin du marché précède son début.", "end_date")
    clash = db.session.execute(
        sa.select(Contract.id).where(
            Contract.group_id == group.id,
            Contract.reference == values["reference"].strip(),
            Contract.id != (contract.id if contract else -1),
        )
    ).first()
    if clash is not None:
        raise PurchasingError("Un marché du groupement porte déjà ce numéro.", "reference")
    created = contract is None
    if created:
        contract = Contract(group_id=group.id)
        db.session.add(contract)
    for key in ("reference", "title", "supplier"):
        setattr(contract, key, values[key].strip())
    contract.awarded_on, contract.start_date, contract.end_date = (
        values.get("awarded_on"),
        values["start_date"],
        values.get("end_date"),
    )
    db.session.flush()
    audit("contract.created" if created else "contract.updated", actor, contract, reference=contract.reference)
    return contract


LOT_AMOUNTS = ("units", "equipment_cents", "licences_cents_per_year", "support_cents_per_year")


def save_lot(contract: Contract, values: dict, actor: Person | None, lot: Lot | None = None) -> Lot:
    """Create (or update) a lot: number, title, units and amounts in whole cents."""
    for key in LOT_AMOUNTS:
        value = values[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise PurchasingError("Les quantités et montants sont des nombres entiers positifs (centimes).", key)
    clash = db.session.execute(
        sa.select(Lot.id).where(
            Lot.contract_id == contract.id, Lot.number == values["number"], Lot.id != (lot.id if lot else -1)
        )
    ).first()
    if clash is not None:
        raise PurchasingError(f"Le marché a déjà un lot n° {values['number']}.", "number")
    created = lot is None
    if created:
        lot = Lot(contract=contract)
        db.session.add(lot)
    lot.number, lot.title = values["number"], values["title"].strip()
    for key in LOT_AMOUNTS:
        setattr(lot, key, values[key])
    db.session.flush()
    audit("lot.created" if created else "lot.updated", actor, lot, **{key: values[key] for key in LOT_AMOUNTS})
    return lot


# --- Milestones -----------------------------------------------------------------------------------


def milestones(group: PurchasingGroup) -> list[Milestone]:
    return list(
        db.session.execute(
            sa.select(Milestone).where(Milestone.group_id == group.id).order_by(Milestone.position)
        ).scalars()
    )


def update_milestone(
    milestone: Milestone,
    *,
    planned_date: date,
    status: MilestoneStatus,
    actual_date: date | None,
    actor: Person | None,
) -> None:
    """Reschedule or report a step; a step is done on a date, and only a done step has one."""
    if (status == MilestoneStatus.DONE) != (actual_date is not None):
        raise PurchasingError("Une étape terminée a une date de réalisation, et elle seule.", "actual_date")
    if milestone.planned_start and planned_date < milestone.planned_start:
        raise PurchasingError("L'échéance précède le début prévu de l'étape.", "planned_date")
    milestone.planned_date, milestone.status, milestone.actual_date = planned_date, status, actual_date
    db.session.flush()
    audit("milestone.updated", actor, milestone, status=status.value, planned=planned_date, actual=actual_date)


# --- New member collectivities --------------------------------------------------------------------

#: the first assembly of a provisioned collectivity, by kind (its default settings)
FIRST_ASSEMBLY = {
    TenantKind.SYNDICAT: ("comite-syndical", "Comité syndical"),
    TenantKind.COMMUNE: ("conseil-municipal", "Conseil municipal"),
    TenantKind.EPCI: ("conseil-communautaire", "Conseil communautaire"),
    TenantKind.DEPARTEMENT: ("conseil-departemental", "Conseil départemental"),
    TenantKind.REGION: ("conseil-regional", "Conseil régional"),
}


def provision_member(group: PurchasingGroup, values: dict, actor: Person | None) -> Membership:
    """Create a new member collectivity with its first assembly, invite its administrator, and join it.

    ``values``: slug, name, kind, siren, population, admin_email, admin_first_name, admin_last_name,
    joining_reference, joined_on, seats. The tenant is created as a tenant file would create it (the
    same checks, see ``saas.tenancy.operations``), so it can be exported and re-imported.
    """

    if db.session.execute(sa.select(Tenant.id).where(Tenant.slug == values["slug"])).first() is not None:
        raise PurchasingError("Une collectivité porte déjà cet identifiant.", "slug")
    kind = TenantKind(values["kind"])
    key, assembly_name = FIRST_ASSEMBLY[kind]
    spec = {
        "slug": values["slug"],
        "name": values["name"].strip(),
        "kind": kind.value,
        "siren": values["siren"],
        "population": values["population"],
        "assemblies": [{"key": key, "name": assembly_name, "kind": AssemblyKind.COUNCIL.value}],
    }
    try:
        check_tenant_values(values["slug"], spec)
    except TenantFileError as error:
        raise PurchasingError(str(error).split(": ", 1)[-1]) from error
    tenant = Tenant(slug=spec["slug"], name=spec["name"], kind=kind, siren=spec["siren"], population=spec["population"])
    db.session.add(tenant)
    db.session.flush()
    with context(db.session, SYSTEM):
        db.session.add(Assembly(tenant_id=tenant.id, key=key, name=assembly_name, kind=AssemblyKind.COUNCIL))
        record("tenant.created", tenant_id=tenant.id, actor_id=actor.id if actor else None, obj=tenant)
        _invite_admin(tenant, values, actor)
    return join(group, tenant, values["joining_reference"], values["joined_on"], actor, seats=values.get("seats", 0))


def _invite_admin(tenant: Tenant, values: dict, actor: Person | None) -> None:
    """The administrator gets the tenant admin grant; a new account also gets a set-password link."""
    person = identity.person_by_email(values["admin_email"])
    created = person is None
    if created:
        person = Person(
            email=identity.normalize_email(values["admin_email"]),
            first_name=values["admin_first_name"].strip(),
            last_name=values["admin_last_name"].strip(),
        )
        db.session.add(person)
        db.session.flush()
        record("person.created", tenant_id=tenant.id, actor_id=actor.id if actor else None, obj=person)
    grant = identity.give_grant(person, tenant, GrantKind.TENANT_ADMIN, assembly=None, actor=actor)
    if created:
        link = external_url(f"/password/set/{identity.set_password_token(person)}")
        body = (
            f"Bonjour {person.full_name},\n\n{tenant.name} rejoint Quorum, la plateforme du groupement de commandes."
            f" Vous en êtes l'administrateur ou l'administratrice.\n\nChoisissez votre mot de passe (lien valable"
            f" {identity.SET_PASSWORD_DAYS} jours) :\n{link}\n\nÀ la première connexion, Quorum vous demandera"
            " d'activer la double authentification.\n"
        )
    else:
        body = (
            f"Bonjour {person.full_name},\n\nVous administrez désormais {tenant.name} dans Quorum, avec votre compte"
            f" habituel ({person.email}).\n\n{external_url('/')}\n"
        )
    queue_mail(
        f"invitation:grant:{grant.id}",
        to=person.email,
        subject=f"Administration de {tenant.name} dans Quorum",
        body=body,
        tenant_id=tenant.id,
    )
