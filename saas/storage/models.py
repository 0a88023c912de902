from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.database import Base, TenantOwned, utcnow


class DataKey(Base, TenantOwned):
    """The collectivity's data key, which encrypts its files; stored only wrapped by the master key."""

    __tablename__ = "data_key"
    __table_args__ = (sa.UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the 256-bit key, sealed (AES-GCM) with a key derived from MASTER_KEY and bound to the tenant id
    wrapped: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Blob(Base, TenantOwned):
    """One stored file of a collectivity, addressed by the SHA-256 of its plaintext: stored once per tenant
    however many documents, versions or members refer to it."""

    __tablename__ = "stored_blob"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the plaintext, hexadecimal
    sha256: Mapped[str] = mapped_column(sa.String(64))
    #: plaintext size in bytes
    size: Mapped[int] = mapped_column(sa.BigInteger)
    #: name of the encrypted object in the backend: <tenant id>/<sha256>/<random suffix>
    object_key: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
