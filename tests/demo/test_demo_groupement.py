"""The demo group: its agreement, contract and lots, calendar, one device per elected member (the member
of the City and the Region included), a few in stock, one lost, and a period's statements; idempotent."""

import sqlalchemy as sa

from saas import ROOT
from saas.audit.models import AuditEvent
from saas.core.database import SYSTEM, context
from saas.demo import collectivities as demo
from saas.demo.groupement import seed_purchasing
from saas.groupement import operations
from saas.groupement.agreement import operations as agreement_signing
from saas.groupement.devices import operations as devices
from saas.groupement.models import Device, DeviceStatus, Statement
from saas.groupement.statements import operations as statements
from saas.identity import operations as identity
from saas.signing.book import operations as book
from saas.tenancy.models import Tenant
from saas.tenancy.operations import load_tenant_files
from saas.workflow.definitions import load_folder

COUNTED = (Device, Statement, AuditEvent)


def counts(session) -> tuple[int, ...]:
    return tuple(session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one() for model in COUNTED)


def test_the_demo_group_and_its_saving(session):
    with context(session, SYSTEM):
        load_tenant_files(ROOT / "tenants")
        load_folder(ROOT / "workflows")  # as `quorum demo` does
        demo.seed()
        tenants = {t.slug: t for t in session.execute(sa.select(Tenant)).scalars()}
        seed_purchasing(tenants)
        first = counts(session)
        seed_purchasing(tenants)
        assert counts(session) == first

        group = operations.current_group()
        assert group.coordinator.slug == "region-franche-comte" and group.agreement_blob_id is not None
        assert all(m.agreement_signed_on for m in operations.memberships(group))  # on paper, in 2013
        (signing,) = agreement_signing.signings(group)  # and now electronically, in turn
        assert [s.status for s in signing.signers] == ["signed", "signed", "pending", "waiting"]
        mayor = identity.person_by_email(demo.demo_email("Hélène", "Marchand"))
        assert signing.signers[2].person_id == mayor.id
        assert any(entry.title.startswith("Convention constitutive") for entry in book.book_for(mayor))
        people = devices.group_members(group)
        held = {d.person_id for d in devices.devices(group) if d.status == DeviceStatus.ASSIGNED}
        assert {p.person_id for p in people} <= held
        statuses = [d.status for d in devices.devices(group)]
        assert statuses.count(DeviceStatus.LOST) == 1 and statuses.count(DeviceStatus.IN_STOCK) >= 3

        # Julien Garnier sits at the City, the Agglomeration and the Region: one device
        julien = identity.person_by_email(demo.demo_email("Julien", "Garnier"))
        member = next(p for p in people if p.person_id == julien.id)
        assert {tenants["besancon"].id, tenants["region-franche-comte"].id} <= set(member.mandates)
        assert (
            session.execute(
                sa.select(sa.func.count()).where(Device.person_id == julien.id, Device.status == DeviceStatus.ASSIGNED)
            ).scalar_one()
            == 1
        )
        saving = devices.savings(group)
        assert saving.devices_avoided == saving.mandates - saving.members > 0

        statement = statements.statements(group)[0]
        assert statement.period == "2014" and len(statements.totals(statement)) == 4
        assert sum(statements.totals(statement).values()) == sum(
            cents for _, cents in statements.invoiced_items(statement.contract, statement.includes_equipment)
        )
