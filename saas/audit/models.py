from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.database import Base, utcnow

PLATFORM_CHAIN = "platform"


def chain_key(tenant_id: int | None) -> str:
    return PLATFORM_CHAIN if tenant_id is None else f"tenant:{tenant_id}"


class AuditEvent(Base):
    """An append-only event in a SHA-256 hash chain: one chain per tenant, one for the platform.

    On PostgreSQL a trigger rejects UPDATE and DELETE; row-level security shows a tenant only its chain.
    """

    __tablename__ = "audit_event"
    __table_args__ = (sa.UniqueConstraint("chain", "seq"), sa.Index("ix_audit_event_tenant_id_at", "tenant_id", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "platform" or "tenant:<id>"
    chain: Mapped[str] = mapped_column(sa.String(32))
    #: position in the chain, from 1, without gaps
    seq: Mapped[int] = mapped_column()
    #: the collectivity concerned; empty for platform events (logins, tokens)
    tenant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tenant.id"))
    #: who acted; empty for the system
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    #: dotted verb, e.g. "login.failed", "mandate.created"
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str | None] = mapped_column(sa.String(64))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    #: details, as canonical JSON
    data: Mapped[str] = mapped_column(sa.Text, default="{}")
    #: hash of the previous event of the chain (64 zeros for the first)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    #: SHA-256 over prev_hash and this event's fields
    hash: Mapped[str] = mapped_column(sa.String(64))


class AuditChainHead(Base):
    """The last sequence number and hash of each chain; locked while appending, so appends are serial.

    It also lets verification notice events removed from the end of a chain.
    """

    __tablename__ = "audit_chain_head"

    chain: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    seq: Mapped[int] = mapped_column()
    hash: Mapped[str] = mapped_column(sa.String(64))
