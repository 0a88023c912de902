from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.core.database import Base, utcnow


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
    #: what the mail is for when something must follow its delivery (e.g. "convocation": the delivery is
    #: recorded as proof); see saas.mail.jobs.after_delivery. Empty for ordinary mail.
    purpose: Mapped[str | None] = mapped_column(sa.String(50))
    #: ids that the follow-up needs, e.g. {"sitting_id": 3, "person_id": 7}
    ref: Mapped[dict | None] = mapped_column(sa.JSON)

    attachments: Mapped[list["MailAttachment"]] = relationship(order_by="MailAttachment.position")


class MailAttachment(Base):
    """A file attached to a queued mail; its bytes stay in the (encrypted, content-addressed) store, so a
    convocation PDF sent to 80 members is stored once, and the mail row stays small."""

    __tablename__ = "mail_attachment"
    __table_args__ = (sa.UniqueConstraint("mail_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mail_id: Mapped[int] = mapped_column(sa.ForeignKey("outbound_mail.id"))
    #: order in the message, from 1
    position: Mapped[int] = mapped_column()
    filename: Mapped[str] = mapped_column(sa.String(255))
    #: MIME type, e.g. "application/pdf" or "text/calendar; method=REQUEST"
    content_type: Mapped[str] = mapped_column(sa.String(100))
    blob_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_blob.id"), index=True)
