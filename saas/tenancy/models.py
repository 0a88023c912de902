import enum
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.core.database import Base, TenantOwned


class TenantKind(enum.StrEnum):
    COMMUNE = "commune"
    EPCI = "epci"
    DEPARTEMENT = "departement"
    REGION = "region"
    SYNDICAT = "syndicat"


class AssemblyKind(enum.StrEnum):
    COUNCIL = "council"
    BUREAU = "bureau"
    STANDING_COMMITTEE = "standing_committee"
    COMMITTEE = "committee"


class PoliticalGroupKind(enum.StrEnum):
    MAJORITY = "majority"
    OPPOSITION = "opposition"
    OTHER = "other"


def enum_column(enum_cls: type[enum.StrEnum], **kwargs):
    """A portable string column constrained to the enum's values (no native PostgreSQL enum)."""
    return mapped_column(
        sa.Enum(enum_cls, native_enum=False, values_callable=lambda e: [m.value for m in e], length=32),
        **kwargs,
    )


class Tenant(Base):
    """A collectivity. Its public identity is readable by anyone; everything it owns is not."""

    __tablename__ = "tenant"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the collectivity's name in URLs (/t/<slug>/…), stable
    slug: Mapped[str] = mapped_column(sa.String(63), unique=True)
    #: official name, e.g. "Ville de Besançon"
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[TenantKind] = enum_column(TenantKind)
    #: SIREN of the collectivity (9 digits)
    siren: Mapped[str] = mapped_column(sa.String(9))
    #: SIRET of its main establishment (14 digits), used in open data exports
    siret: Mapped[str | None] = mapped_column(sa.String(14))
    #: legal population (INSEE), which decides several CGCT rules for communes
    population: Mapped[int] = mapped_column()
    #: IANA time zone of the sittings
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Paris")
    #: coordinator of the purchasing group (the Region)
    is_coordinator: Mapped[bool] = mapped_column(default=False)
    #: members must use a second factor too (admins, secretaries always must)
    require_mfa_for_members: Mapped[bool] = mapped_column(default=False)
    #: @ctes envelope (saas.prefecture): the département of the prefecture that controls the acts, 3 characters
    #: ("025", "02A", "974")
    actes_departement: Mapped[str | None] = mapped_column(sa.String(3))
    #: @ctes envelope: the arrondissement (one digit, "1" for the prefecture's own)
    actes_arrondissement: Mapped[str | None] = mapped_column(sa.String(1))
    #: @ctes envelope: the nature of the collectivity as the tiers de télétransmission codes it ("31" commune…)
    actes_nature: Mapped[str | None] = mapped_column(sa.String(2))
    #: @ctes envelope: the collectivity's mailbox for the prefecture's returns (with the preparer's own address)
    actes_email: Mapped[str | None] = mapped_column(sa.String(254))

    assemblies: Mapped[list["Assembly"]] = relationship(back_populates="tenant", order_by="Assembly.id")

    def today(self) -> date:
        """The day it is now in the collectivity (its time zone), not on the server: deadlines, delegations
        and mandates in office are counted in its days."""
        return datetime.now(ZoneInfo(self.timezone)).date()


class Assembly(TenantOwned, Base):
    """A deliberating body of a collectivity: council, bureau, standing committee, committee."""

    __tablename__ = "assembly"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "key"),
        sa.Index("ix_assembly_tenant_id_id", "tenant_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stable identifier inside the tenant file (tenants/*.toml), e.g. "conseil-municipal"
    key: Mapped[str] = mapped_column(sa.String(63))
    #: name shown to members, e.g. "Conseil municipal", "Commission n° 1"
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[AssemblyKind] = enum_column(AssemblyKind)
    #: number of seats in office (effectif légal), the base of the quorum
    seats: Mapped[int | None] = mapped_column()
    #: archived assemblies stay readable but take no new sittings
    archived: Mapped[bool] = mapped_column(default=False)

    tenant: Mapped[Tenant] = relationship(back_populates="assemblies")


class PoliticalGroup(TenantOwned, Base):
    """A political group (majority, opposition) of a collectivity."""

    __tablename__ = "political_group"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "name"),
        sa.Index("ix_political_group_tenant_id_id", "tenant_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[PoliticalGroupKind] = enum_column(PoliticalGroupKind, default=PoliticalGroupKind.OTHER)
