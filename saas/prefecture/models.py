"""The transmission of an act to the prefecture: one open at a time per act, from the package prepared by Quorum
(``prepared``) to what the prefecture answered.

Only ``prepared`` is reached by the preparation (``operations.prepare``); the connector to the tiers de
télétransmission (issue 14, item 2) moves a transmission on: ``sent`` once the tiers took the package,
``acknowledged`` with the prefecture's ``IDActe`` and ``DateReception`` (the récépissé), ``rejected`` with the
reason the tiers or the prefecture gave, ``cancelled`` when the collectivity withdrew it. A rejected or cancelled
transmission is closed: the act may be prepared again, as a new transmission; the rows stay (council records).
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.acts.models import Deliberation
from saas.core.database import Base, TenantOwned, utcnow
from saas.identity.models import Person
from saas.storage.models import Blob
from saas.tenancy.models import enum_column


class TransmissionStatus(enum.StrEnum):
    PREPARED = "prepared"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


#: the statuses of a transmission still under way or done: an act has at most one such transmission
OPEN_STATUSES = (TransmissionStatus.PREPARED, TransmissionStatus.SENT, TransmissionStatus.ACKNOWLEDGED)
_OPEN = "status IN ('prepared', 'sent', 'acknowledged')"

STATUS_LABELS = {
    TransmissionStatus.PREPARED: "préparée, pas encore envoyée",
    TransmissionStatus.SENT: "envoyée, en attente de l'accusé de réception",
    TransmissionStatus.ACKNOWLEDGED: "reçue par la préfecture",
    TransmissionStatus.REJECTED: "refusée",
    TransmissionStatus.CANCELLED: "annulée",
}


class Transmission(TenantOwned, Base):
    """One @ctes package of an act for the prefecture, stored encrypted, and what became of it."""

    __tablename__ = "transmission"
    __table_args__ = (
        sa.Index("ix_transmission_tenant_id_act_id", "tenant_id", "act_id"),
        # one open transmission per act: preparing twice (two clicks, two requests at once) returns the first
        sa.Index(
            "uq_transmission_open_act",
            "act_id",
            unique=True,
            sqlite_where=sa.text(_OPEN),
            postgresql_where=sa.text(_OPEN),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    act_id: Mapped[int] = mapped_column(sa.ForeignKey("deliberation.id"))
    status: Mapped[TransmissionStatus] = enum_column(TransmissionStatus, default=TransmissionStatus.PREPARED)
    #: the tar.gz (envelope, message, signed act, annexes), stored encrypted; its SHA-256 is the blob's
    blob_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_blob.id"), index=True)
    #: SHA-256 (hex) and size of the tar.gz
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    #: the package's name, S²LOW style: "QRM-EACT--212500565--20260715-44.tar.gz"
    package_name: Mapped[str] = mapped_column(sa.String(120))
    #: the envelope's and the message's names inside it
    envelope_name: Mapped[str] = mapped_column(sa.String(120))
    message_name: Mapped[str] = mapped_column(sa.String(120))
    #: what the message says, as sent: NumeroInterne, CodeNatureActe, the subject code, Objet, the
    #: classification's version, the files with their SHA-256 (JSON, read by the pages and the API)
    fields: Mapped[dict] = mapped_column(sa.JSON)
    prepared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    prepared_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: set by the connector (item 2): when the status last changed
    status_changed_at: Mapped[datetime | None] = mapped_column()
    #: set by the connector: the prefecture's identifier of the act ("025-212500565-20130715-44-DE")
    id_acte: Mapped[str | None] = mapped_column(sa.String(60))
    #: set by the connector: DateReception of the acknowledgement (the récépissé préfectoral)
    received_on: Mapped[date | None] = mapped_column()
    #: set by the connector: why the tiers or the prefecture rejected it, as they said it
    reason: Mapped[str | None] = mapped_column(sa.Text)

    act: Mapped[Deliberation] = relationship()
    blob: Mapped[Blob] = relationship()
    prepared_by: Mapped[Person | None] = relationship()
