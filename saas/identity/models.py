import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.core.database import Base, PersonOwned, utcnow
from saas.tenancy.models import Assembly, PoliticalGroup, Tenant, enum_column


class MandateRole(enum.StrEnum):
    MEMBER = "member"
    PRESIDENT = "president"
    SECRETARY_OF_SITTING = "secretary_of_sitting"
    STAFF = "staff"
    GUEST = "guest"


#: the roles of an assembly's elected members, who sit and vote (staff and guests do neither)
MEMBER_ROLES = (MandateRole.MEMBER, MandateRole.PRESIDENT, MandateRole.SECRETARY_OF_SITTING)


class GrantKind(enum.StrEnum):
    TENANT_ADMIN = "tenant_admin"
    SECRETARY = "secretary"
    #: drafts reports in one service of the collectivity (saas.reports.operations.give_drafter_grant)
    DRAFTER = "drafter"
    #: may validate a report at once, ending its circuit ("validation en urgence")
    URGENT_VALIDATOR = "urgent_validator"


class Person(UserMixin, Base):
    """One human being, one login, whatever the number of mandates and collectivities."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: login, unique platform-wide, kept lower-case
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    #: argon2id hash; empty until the invited person sets a password
    password_hash: Mapped[str | None] = mapped_column(sa.String(200))
    #: TOTP shared secret, sealed with the master key; empty when no second factor is enrolled
    totp_secret_sealed: Mapped[str | None] = mapped_column(sa.String(300))
    #: last TOTP time step accepted, so that a code is used once
    totp_last_step: Mapped[int | None] = mapped_column()
    #: interface language ("fr" or "en")
    locale: Mapped[str] = mapped_column(sa.String(5), default="fr")
    #: a disabled account cannot log in and its sessions and tokens are revoked
    is_active: Mapped[bool] = mapped_column(default=True)
    #: platform operator (runs the platform)
    is_operator: Mapped[bool] = mapped_column(default=False)
    #: coordinator of the purchasing group's shared contract
    is_coordinator: Mapped[bool] = mapped_column(default=False)
    #: the collectivity a person with mandates in several counts for in cost sharing; empty: 1/k each
    primary_tenant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tenant.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    mandates: Mapped[list["Mandate"]] = relationship(back_populates="person", order_by="Mandate.id")
    grants: Mapped[list["TenantGrant"]] = relationship(back_populates="person", order_by="TenantGrant.id")

    def get_id(self) -> str | None:
        """Flask-Login keeps the login session's key in the cookie, not the person's id."""
        return getattr(self, "session_key", None)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def has_totp(self) -> bool:
        return self.totp_secret_sealed is not None


class Mandate(PersonOwned, Base):
    """A person's seat in an assembly: role, dates and political group."""

    __tablename__ = "mandate"
    __table_args__ = (
        sa.Index("ix_mandate_tenant_id_assembly_id", "tenant_id", "assembly_id"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(sa.ForeignKey("assembly.id"))
    role: Mapped[MandateRole] = enum_column(MandateRole, default=MandateRole.MEMBER)
    #: first day of the mandate
    start_date: Mapped[date] = mapped_column()
    #: last day of the mandate; empty while it runs
    end_date: Mapped[date | None] = mapped_column()
    political_group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("political_group.id"))

    person: Mapped[Person] = relationship(back_populates="mandates")
    assembly: Mapped[Assembly] = relationship()
    tenant: Mapped[Tenant] = relationship()
    political_group: Mapped[PoliticalGroup | None] = relationship()

    @hybrid_method
    def in_office_on(self, on: date) -> bool:
        """Whether the mandate runs on day ``on``; in a query, the same test as SQL (the one place it is written)."""
        return self.start_date <= on and (self.end_date is None or on <= self.end_date)

    @in_office_on.expression
    def in_office_on(cls, on: date):
        return sa.and_(cls.start_date <= on, sa.or_(cls.end_date.is_(None), cls.end_date >= on))


class TenantGrant(PersonOwned, Base):
    """A right inside one collectivity: administer it, act as secretary of one of its assemblies, draft reports
    in one of its services, or validate reports urgently."""

    __tablename__ = "tenant_grant"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "person_id", "kind", "assembly_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[GrantKind] = enum_column(GrantKind)
    #: the assembly a secretary serves; empty for a tenant admin
    assembly_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assembly.id"))
    #: the service (saas.reports.models.Service) a drafter drafts in; empty for the other kinds
    service_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service.id"))

    person: Mapped[Person] = relationship(back_populates="grants")
    tenant: Mapped[Tenant] = relationship()
    assembly: Mapped[Assembly | None] = relationship()


class LoginSession(Base):
    """A server-side login session: the cookie holds only its random key, so it can be revoked."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the random key kept in the session cookie
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    #: the second factor has been checked in this session
    mfa_verified: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))

    person: Mapped[Person] = relationship()


class AccessToken(Base):
    """A personal access token for an API client (the tablet app); only its hash is kept."""

    __tablename__ = "access_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    #: label chosen by the person, e.g. "Tablette"
    name: Mapped[str] = mapped_column(sa.String(100))
    #: SHA-256 of the token
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: first characters of the token, to recognise it in the list
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    person: Mapped[Person] = relationship()


class LoginFailure(Base):
    """A failed login, counted to throttle guessing (see identity.operations.check_throttle)."""

    __tablename__ = "login_failure"
    __table_args__ = (sa.Index("ix_login_failure_account_key_at", "account_key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the e-mail tried, known account or not
    account_key: Mapped[str] = mapped_column(sa.String(64))
    #: SHA-256 of the device cookie of a browser that once logged in to this account, if presented
    device_key: Mapped[str | None] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AccountUnlock(Base):
    """A link mailed to a person locked out by failed logins: following it lifts the lock, once, for a short
    while after it was sent (identity.authentication.request_unlock)."""

    __tablename__ = "account_unlock"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    #: SHA-256 of the random token in the link
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when the link was followed; a used link is refused
    used_at: Mapped[datetime | None] = mapped_column()

    person: Mapped[Person] = relationship()
