"""A purchasing group of four collectivities (the Region coordinates), its coordinator, elected members
(one of them at the City and the Region), a City admin, and a collectivity outside the group."""

import dataclasses
from datetime import date

import pytest

from saas.core.database import SYSTEM, context
from saas.groupement import operations
from saas.groupement.models import PurchasingGroup
from saas.identity.models import GrantKind, Person
from saas.tenancy.models import Tenant, TenantKind


@dataclasses.dataclass
class GroupWorld:
    group: PurchasingGroup
    region: Tenant
    city: Tenant
    agglo: Tenant
    doubs: Tenant
    outsider_tenant: Tenant
    coordinator: Person
    #: elected at the City and at the Region
    both: Person
    city_member: Person
    region_member: Person
    agglo_member: Person
    doubs_member: Person
    city_admin: Person
    outsider: Person

    @property
    def members(self) -> list[Tenant]:
        return [self.region, self.city, self.agglo, self.doubs]


@pytest.fixture
def world(session, create_tenant, create_person, give_mandate, give_grant) -> GroupWorld:
    region = create_tenant(kind=TenantKind.REGION, population=1_180_000, is_coordinator=True, name="Région test")
    city = create_tenant(kind=TenantKind.COMMUNE, population=116_000, name="Ville test")
    agglo = create_tenant(kind=TenantKind.EPCI, population=190_000, name="Agglomération test")
    doubs = create_tenant(kind=TenantKind.DEPARTEMENT, population=540_000, name="Département test")
    outsider_tenant = create_tenant(name="Commune hors groupement")
    coordinator = create_person(first_name="Régis", last_name="Coordonnateur", is_coordinator=True)
    both, city_member, region_member, agglo_member, doubs_member, city_admin, outsider = (
        create_person(last_name=name)
        for name in ("Deuxmandats", "Ville", "Region", "Agglo", "Doubs", "Adminville", "Dehors")
    )
    give_mandate(both, city)
    give_mandate(both, region)
    give_mandate(city_member, city)
    give_mandate(region_member, region)
    give_mandate(agglo_member, agglo)
    give_mandate(doubs_member, doubs)
    give_mandate(city_admin, city)
    give_grant(city_admin, city, GrantKind.TENANT_ADMIN)
    give_mandate(outsider, outsider_tenant)
    with context(session, SYSTEM):
        group = operations.create_group("Groupement test", region, "Délibération R-1", date(2013, 6, 28), actor=None)
        for n, tenant in enumerate((city, agglo, doubs), start=1):
            operations.join(group, tenant, f"Délibération {n}", date(2013, 7, n), actor=None, seats=10)
        session.flush()
    return GroupWorld(
        group, region, city, agglo, doubs, outsider_tenant, coordinator,
        both, city_member, region_member, agglo_member, doubs_member, city_admin, outsider,
    )  # fmt: skip
