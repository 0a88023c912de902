"""Demo purchasing group: the four founding collectivities, their agreement, the contract and its lots,
the founding calendar, one device per elected member (a few in stock, one lost) and a period's statements.

The agreement goes round for electronic signature: the presidents of the Agglomeration and the Department
have signed it for real (PAdES, their second factor), the Mayor has it in her signature book, and the
President of the Region signs last. The paper signatures of 2013 stay recorded on the memberships until
the round is complete.

Idempotent like the rest of the demo: the group, memberships, contract, lots, devices (by serial) and the
statement (by contract and period) are looked up before anything is created, so a second run adds
nothing. Everything goes through the real operations, with their checks and audit events.
"""

import io
from datetime import date

import sqlalchemy as sa

from saas.core.extensions import db
from saas.core.printing import html_to_pdf
from saas.demo.people import demo_email
from saas.demo.signing import ensure_totp, fresh_code
from saas.groupement import operations
from saas.groupement.agreement import operations as agreement_signing
from saas.groupement.devices import operations as devices
from saas.groupement.models import Contract, Device, DeviceStatus, MilestoneStatus, SharingKey, Statement
from saas.groupement.statements import operations as statements
from saas.identity.models import Person
from saas.signing.book import operations as book
from saas.signing.book.models import SignatureRequest
from saas.tenancy.models import Tenant

GROUP_NAME = "Groupement de commandes — équipement numérique des élus"
#: joining deliberations (fictitious references; the City's is report n° 44 of the founding text)
JOINING = {
    "region-franche-comte": ("Délibération du Conseil régional n° 13-CR-118", date(2013, 6, 28)),
    "besancon": ("Délibération n° 44 du Conseil municipal", date(2013, 7, 8)),
    "grand-besancon": ("Délibération du Conseil communautaire n° 2013-07-31", date(2013, 7, 11)),
    "doubs": ("Délibération de la Commission permanente n° 13-CP-207", date(2013, 9, 2)),
}
SIGNATORIES = {
    "region-franche-comte": "la présidente du Conseil régional",
    "besancon": "le maire",
    "grand-besancon": "le président de la Communauté d'agglomération",
    "doubs": "le président du Conseil départemental",
}
#: who signs the agreement electronically for each member, in this order, and how many have signed already
ELECTRONIC_SIGNATORIES = {
    "grand-besancon": (("Sandrine", "Henry"), "Présidente de la Communauté d'agglomération"),
    "doubs": (("Brigitte", "Pernot"), "Présidente du Conseil départemental"),
    "besancon": (("Hélène", "Marchand"), "Maire"),
    "region-franche-comte": (("Catherine", "Renaud"), "Présidente du Conseil régional"),
}
ALREADY_SIGNED = 2
#: actual dates of the founding calendar's steps; the pilot is still running (so the console shows an alert)
DONE_ON = {
    1: date(2013, 9, 27),
    2: date(2013, 9, 6),
    3: date(2013, 9, 18),
    4: date(2013, 10, 31),
    5: date(2013, 11, 28),
}
CONTRACT = {
    "reference": "2013-RFC-TIC-01",
    "title": "Équipement numérique des élus et plateforme de dématérialisation des séances",
    "supplier": "Tablettes & Services SAS (fictif)",
    "awarded_on": date(2013, 11, 28),
    "start_date": date(2014, 1, 1),
    "end_date": date(2017, 12, 31),
}
LOTS = (
    {
        "number": 1,
        "title": "Tablettes et accessoires",
        "units": 80,
        "equipment_cents": 5_432_100,
        "licences_cents_per_year": 0,
        "support_cents_per_year": 480_000,
    },
    {
        "number": 2,
        "title": "Logiciel de gestion des séances (licences)",
        "units": 80,
        "equipment_cents": 0,
        "licences_cents_per_year": 1_250_000,
        "support_cents_per_year": 300_001,
    },
)
MODEL = "Tablette 10 pouces, 64 Go, 4G"
STOCK = 4
PERIOD = "2014"


def _agreement_pdf(group_name: str, tenants: list[Tenant]) -> bytes:
    members = "".join(f"<li>{t.name}</li>" for t in tenants)
    return html_to_pdf(
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>Convention constitutive</title></head>"
        "<body style='font-family: DejaVu Sans, sans-serif'>"
        f"<h1>Convention constitutive</h1><p>{group_name}</p>"
        "<p>Entre les collectivités suivantes, un groupement de commandes est constitué en application des articles"
        f" L2113-6 à L2113-8 du Code de la commande publique :</p><ul>{members}</ul>"
        "<p>La Région de Franche-Comté en est le coordonnateur. Chaque membre adhère par délibération de son"
        " assemblée ; il peut se retirer dans les conditions financières prévues à l'article 9. Les frais sont"
        " répartis selon la clé fixée à l'article 7.</p><p><em>Document de démonstration (fictif).</em></p>"
        "</body></html>"
    )


def seed_purchasing(tenants: dict[str, Tenant]) -> None:
    """Runs in the SYSTEM context after the people and sittings; no commit."""
    group = operations.current_group() or operations.create_group(
        GROUP_NAME, tenants["region-franche-comte"], *JOINING["region-franche-comte"], actor=None
    )
    joined = {m.tenant_id for m in operations.memberships(group)}
    for slug, (reference, joined_on) in JOINING.items():
        if tenants[slug].id not in joined:
            operations.join(group, tenants[slug], reference, joined_on, actor=None)
    people = devices.group_members(group)
    for membership in operations.memberships(group):
        slug = membership.tenant.slug
        if membership.agreement_signed_on is None and slug in SIGNATORIES:
            seats = sum(1 for p in people if membership.tenant_id in p.mandates)
            operations.update_membership(
                membership,
                seats=seats,
                agreement_signed_on=JOINING[slug][1],
                agreement_signed_by=SIGNATORIES[slug],
                actor=None,
            )
    if group.agreement_blob_id is None:
        pdf = _agreement_pdf(group.name, [tenants[slug] for slug in JOINING])
        operations.upload_agreement(group, io.BytesIO(pdf), "convention-constitutive.pdf", actor=None)
    if not agreement_signing.signings(group):
        _agreement_round(group, tenants)
    for milestone in operations.milestones(group):
        if milestone.status == MilestoneStatus.PLANNED and milestone.position in DONE_ON:
            operations.update_milestone(
                milestone,
                planned_date=milestone.planned_date,
                status=MilestoneStatus.DONE,
                actual_date=DONE_ON[milestone.position],
                actor=None,
            )
        elif milestone.status == MilestoneStatus.PLANNED:
            operations.update_milestone(
                milestone,
                planned_date=milestone.planned_date,
                status=MilestoneStatus.IN_PROGRESS,
                actual_date=None,
                actor=None,
            )
    contract = _contract(group)
    _devices(group, contract, people)
    if (
        db.session.execute(
            sa.select(Statement.id).where(Statement.contract_id == contract.id, Statement.period == PERIOD)
        ).first()
        is None
    ):
        statements.issue(group, contract, PERIOD, SharingKey.EQUIPPED_MEMBERS, True, actor=None)
    db.session.flush()


def _agreement_round(group, tenants: dict[str, Tenant]) -> None:
    """The agreement in every member's signature book in turn; the first two sign it with a fresh code."""

    members = {m.tenant_id: m for m in operations.memberships(group)}
    signatories = []
    for slug, (name, role) in ELECTRONIC_SIGNATORIES.items():
        person = db.session.execute(sa.select(Person).where(Person.email == demo_email(*name))).scalar_one()
        ensure_totp(person)
        signatories.append(agreement_signing.Signatory(members[tenants[slug].id], person, role))
    signing = agreement_signing.start(group, signatories, actor=None)
    for signer in signing.signers[:ALREADY_SIGNED]:
        book.sign(db.session.get(SignatureRequest, signer.request_id), signer.person, fresh_code(signer.person))


def _contract(group) -> Contract:
    contract = db.session.execute(
        sa.select(Contract).where(Contract.group_id == group.id, Contract.reference == CONTRACT["reference"])
    ).scalar_one_or_none()
    if contract is None:
        contract = operations.save_contract(group, CONTRACT, actor=None)
    numbers = {lot.number for lot in contract.lots}
    for lot in LOTS:
        if lot["number"] not in numbers:
            operations.save_lot(contract, lot, actor=None)
    db.session.refresh(contract)
    return contract


def _device(group, serial: str, lot) -> Device:
    existing = db.session.execute(sa.select(Device).where(Device.serial == serial)).scalar_one_or_none()
    return existing or devices.add_device(group, serial, MODEL, lot, actor=None)


def _devices(group, contract: Contract, people: list[devices.GroupMember]) -> None:
    """One device per elected member (whatever their mandates), one declared lost, a few in stock."""
    tablets = next(lot for lot in contract.lots if lot.number == 1)
    persons = {p.person_id: db.session.get(Person, p.person_id) for p in people}
    if people:
        lost = _device(group, "DEMO-TAB-PERDUE-1", tablets)
        if lost.status == DeviceStatus.IN_STOCK:
            devices.assign(lost, persons[people[0].person_id], actor=None)
            devices.declare_lost(lost, actor=None)
    for member in people:
        device = _device(group, f"DEMO-TAB-{member.person_id:05d}", tablets)
        if device.status == DeviceStatus.IN_STOCK and devices.device_of(persons[member.person_id]) is None:
            devices.assign(device, persons[member.person_id], actor=None)
    for n in range(1, STOCK + 1):
        _device(group, f"DEMO-TAB-STOCK-{n}", tablets)
