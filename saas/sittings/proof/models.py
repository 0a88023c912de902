"""Proof records of a sitting's convocation: time-stamped statements of what was sent, delivered, opened."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.database import Base, TenantOwned, utcnow
from saas.tenancy.models import enum_column


class ProofKind(enum.StrEnum):
    MANIFEST = "manifest"
    DELIVERY = "delivery"
    OPENING = "opening"
    #: a document added or replaced after sending (complément), re-notified to every recipient
    SUPPLEMENT = "supplement"
    #: a notice after the convocation (new convocation, convocation complémentaire, cancellation), sent to
    #: every recipient; its channel is "n<notice id>"
    NOTICE = "notice"


class ProofRecord(TenantOwned, Base):
    """One time-stamped statement about a sitting's convocation; never updated, never deleted."""

    __tablename__ = "proof_record"
    __table_args__ = (sa.UniqueConstraint("sitting_id", "kind", "person_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sitting.id"), index=True)
    kind: Mapped[ProofKind] = enum_column(ProofKind)
    #: the member a delivery or an opening is about; none for a manifest or a supplement (NULLs never
    #: collide, so several of them may exist)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    #: how it went ("email"), or which sending it is: "envoi" for a manifest, "v<version id>" for a
    #: supplement, "email-v<version id>" for the delivery of a supplement's mail
    channel: Mapped[str] = mapped_column(sa.String(20))
    #: the exact text that was time-stamped (canonical JSON, UTF-8)
    statement: Mapped[str] = mapped_column(sa.Text)
    #: DER RFC 3161 TimeStampResp over SHA-256(statement)
    token: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def statement_bytes(self) -> bytes:
        return self.statement.encode("utf-8")

    @property
    def file_name(self) -> str:
        """Its name in the evidence package (manifests are numbered by ``evidence_zip``)."""
        if self.kind == ProofKind.DELIVERY:
            return f"remise-{self.person_id}-{self.channel}.json"
        if self.kind == ProofKind.OPENING:
            return f"ouverture-{self.person_id}.json"
        if self.kind == ProofKind.SUPPLEMENT:
            return f"complement-{self.channel}.json"
        if self.kind == ProofKind.NOTICE:
            return f"avis-{self.channel}.json"
        return "manifeste.json"
