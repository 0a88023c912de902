"""Devices: inventory, one device per person, remote lock when lost, and the saving it makes.

A device goes to a person, never to a mandate: a member of the City and of the Region has one tablet.
The saving is counted over the elected members of the active member collectivities: their current
mandates minus the persons holding them is the number of devices the group did not buy.
"""

import dataclasses
from datetime import date

import sqlalchemy as sa

from saas.audit.operations import record
from saas.core.database import SYSTEM, context, utcnow
from saas.core.extensions import db
from saas.groupement.models import Device, DeviceStatus, Lot, PurchasingGroup
from saas.groupement.operations import PurchasingError, active_memberships
from saas.identity.authentication import revoke_all_access
from saas.identity.models import Mandate, MandateRole, Person

#: mandates of elected members (staff and guests hold no seat and get no device from the group)
ELECTED_ROLES = (MandateRole.MEMBER, MandateRole.PRESIDENT, MandateRole.SECRETARY_OF_SITTING)

#: the status changes the console offers (assigning and declaring lost have their own functions)
STATUS_CHANGES = {
    DeviceStatus.ASSIGNED: {DeviceStatus.RETURNED},
    DeviceStatus.LOST: {DeviceStatus.WIPED},
    DeviceStatus.RETURNED: {DeviceStatus.IN_STOCK, DeviceStatus.WIPED},
    DeviceStatus.WIPED: {DeviceStatus.IN_STOCK},
    DeviceStatus.IN_STOCK: set(),
}


def devices(group: PurchasingGroup) -> list[Device]:
    return list(
        db.session.execute(
            sa.select(Device).where(Device.group_id == group.id).order_by(Device.status, Device.serial)
        ).scalars()
    )


def add_device(group: PurchasingGroup, serial: str, model: str, lot: Lot | None, actor: Person | None) -> Device:
    serial = serial.strip()
    if not serial:
        raise PurchasingError("Le numéro de série est obligatoire.", "serial")
    if db.session.execute(sa.select(Device.id).where(Device.serial == serial)).first() is not None:
        raise PurchasingError("Un équipement porte déjà ce numéro de série.", "serial")
    if lot is not None and lot.contract.group_id != group.id:
        raise PurchasingError("Ce lot n'est pas un lot du groupement.", "lot")
    device = Device(group_id=group.id, serial=serial, model=model.strip(), lot=lot)
    db.session.add(device)
    db.session.flush()
    record("purchasing.device.added", actor_id=actor.id if actor else None, obj=device, data={"serial": serial})
    return device


def device_of(person: Person) -> Device | None:
    return db.session.execute(
        sa.select(Device).where(Device.person_id == person.id, Device.status == DeviceStatus.ASSIGNED)
    ).scalar_one_or_none()


def assign(device: Device, person: Person, actor: Person | None) -> None:
    """Give a device in stock to a person who has none: one device per person, whatever their mandates."""
    if device.status != DeviceStatus.IN_STOCK:
        raise PurchasingError("Seul un équipement en stock peut être attribué.", "person")
    current = device_of(person)
    if current is not None:
        raise PurchasingError(
            f"{person.full_name} a déjà un équipement (n° {current.serial}) : un seul par personne,"
            " quel que soit le nombre de mandats.",
            "person",
        )
    try:
        with db.session.begin_nested():
            device.status, device.person_id, device.status_changed_at = DeviceStatus.ASSIGNED, person.id, utcnow()
            db.session.flush()
    except sa.exc.IntegrityError as error:  # a concurrent assignment won the race: the index refused ours
        db.session.refresh(device)
        raise PurchasingError(f"{person.full_name} a déjà un équipement : un seul par personne.", "person") from error
    record(
        "purchasing.device.assigned",
        actor_id=actor.id if actor else None,
        obj=device,
        data={"serial": device.serial, "person_id": person.id},
    )


def declare_lost(device: Device, actor: Person | None) -> tuple[int, int]:
    """Remote lock: every session and token of the holder is revoked at once (the platform cannot tell
    which browser is the tablet); they log in again on the replacement. Returns the revoked counts."""
    if device.status not in (DeviceStatus.ASSIGNED, DeviceStatus.IN_STOCK):
        raise PurchasingError("Cet équipement est déjà déclaré perdu, effacé ou rendu.")
    holder = device.person if device.status == DeviceStatus.ASSIGNED else None
    device.status, device.status_changed_at = DeviceStatus.LOST, utcnow()
    db.session.flush()
    revoked = revoke_all_access(holder, "device.lost") if holder is not None else (0, 0)
    record(
        "purchasing.device.lost",
        actor_id=actor.id if actor else None,
        obj=device,
        data={"serial": device.serial, "person_id": device.person_id, "sessions": revoked[0], "tokens": revoked[1]},
    )
    return revoked


def change_status(device: Device, status: DeviceStatus, actor: Person | None) -> None:
    """Returned by its holder, wiped, back in stock (a device back in stock has no holder)."""
    if status not in STATUS_CHANGES[device.status]:
        raise PurchasingError("Ce changement d'état n'est pas possible pour cet équipement.", "status")
    device.status, device.status_changed_at = status, utcnow()
    if status == DeviceStatus.IN_STOCK:
        device.person_id = None
    db.session.flush()
    record(
        "purchasing.device.status",
        actor_id=actor.id if actor else None,
        obj=device,
        data={"serial": device.serial, "status": status.value},
    )


# --- Members across the collectivities, and the saving -------------------------------------------


@dataclasses.dataclass(frozen=True)
class GroupMember:
    """An elected member as the console sees them: a name and where they sit, nothing of their work."""

    person_id: int
    full_name: str
    #: member collectivity id -> number of current elected mandates there
    mandates: dict[int, int]
    primary_tenant_id: int | None

    @property
    def mandate_count(self) -> int:
        return sum(self.mandates.values())


def group_members(group: PurchasingGroup, on: date | None = None) -> list[GroupMember]:
    """Persons with a current elected mandate in an active member collectivity.

    Mandates are tenant-owned: they are read here as the system, and only names and counts leave.
    """
    on = on or date.today()
    tenant_ids = [m.tenant_id for m in active_memberships(group, on)]
    if not tenant_ids:
        return []
    with context(db.session, SYSTEM):
        rows = db.session.execute(
            sa.select(
                Person.id,
                Person.first_name,
                Person.last_name,
                Person.primary_tenant_id,
                Mandate.tenant_id,
                sa.func.count(),
            )
            .join(Mandate, Mandate.person_id == Person.id)
            .where(
                Mandate.tenant_id.in_(tenant_ids),
                Mandate.role.in_(ELECTED_ROLES),
                Mandate.in_office_on(on),
            )
            .group_by(Person.id, Person.first_name, Person.last_name, Person.primary_tenant_id, Mandate.tenant_id)
        ).all()
    members: dict[int, GroupMember] = {}
    for person_id, first_name, last_name, primary, tenant_id, count in rows:
        member = members.setdefault(person_id, GroupMember(person_id, f"{first_name} {last_name}", {}, primary))
        member.mandates[tenant_id] = count
    return sorted(members.values(), key=lambda m: (m.full_name.split(" ", 1)[-1], m.full_name))


@dataclasses.dataclass(frozen=True)
class Savings:
    #: distinct persons with a current elected mandate in the member collectivities
    members: int
    #: their current elected mandates
    mandates: int
    #: devices assigned (to anyone)
    devices_assigned: int
    #: devices of the group in stock
    devices_in_stock: int
    #: persons with mandates in two collectivities or more
    members_in_several: int

    @property
    def devices_avoided(self) -> int:
        """One device per mandate would have cost this many more devices than one per person."""
        return self.mandates - self.members


def savings(group: PurchasingGroup, on: date | None = None) -> Savings:
    members = group_members(group, on)
    counts = dict(
        db.session.execute(
            sa.select(Device.status, sa.func.count()).where(Device.group_id == group.id).group_by(Device.status)
        ).all()
    )
    return Savings(
        members=len(members),
        mandates=sum(m.mandate_count for m in members),
        devices_assigned=counts.get(DeviceStatus.ASSIGNED, 0),
        devices_in_stock=counts.get(DeviceStatus.IN_STOCK, 0),
        members_in_several=sum(1 for m in members if len(m.mandates) > 1),
    )
