from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from saas.database import Base, utcnow


class OutboundMail(Base):
    """One mail to send, keyed so that asking twice (a job run twice) gives one row and one mail."""

    __tablename__ = "outbound_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: what this mail is for, unique, e.g. "invitation:mandate:42"; also its Message-ID
    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    #: the collectivity it is sent for; empty for platform mail
    tenant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tenant.id"), index=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when the backend accepted it; empty while it waits
    sent_at: Mapped[datetime | None] = mapped_column()
