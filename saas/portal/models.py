"""A publication: one document of a collectivity put online on its public portal (L2131-1, R2131-1).

A publication is never deleted nor changed: it keeps the exact file put online (the signed PDF, by its blob and
SHA-256), when and by whom. Nothing takes it offline automatically; the application's database role may not
delete its rows (migration 0027). Its ``key`` names what was published ("deliberation:12"), so publishing twice
gives the same row.
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.acts.models import Deliberation
from saas.core.database import Base, TenantOwned, utcnow
from saas.identity.models import Person
from saas.sittings.models import Sitting
from saas.storage.models import Blob
from saas.tenancy.models import Tenant, enum_column


class PublicationKind(enum.StrEnum):
    #: a signed deliberation (saas.acts)
    DELIBERATION = "deliberation"
    #: signed minutes of a sitting (procès-verbal, L2121-15)
    MINUTES = "minutes"
    #: a version of a sitting's list of deliberations (L2121-25)
    DELIBERATION_LIST = "deliberation_list"


KIND_LABELS = {
    PublicationKind.DELIBERATION: "Délibération",
    PublicationKind.MINUTES: "Procès-verbal",
    PublicationKind.DELIBERATION_LIST: "Liste des délibérations",
}


class Publication(TenantOwned, Base):
    """A document on the collectivity's public portal, as it was put online."""

    __tablename__ = "publication"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "key"),
        sa.Index("ix_publication_tenant_id_published_at", "tenant_id", "published_at"),
        sa.Index("ix_publication_tenant_id_decided_on", "tenant_id", "decided_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: what was published, once: "deliberation:<id>", "minutes:<id>", "deliberation_list:<id>"
    key: Mapped[str] = mapped_column(sa.String(60))
    kind: Mapped[PublicationKind] = enum_column(PublicationKind)
    #: the sitting the document comes from
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sitting.id"), index=True)
    #: the deliberation published (kind deliberation)
    deliberation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deliberation.id"), index=True)
    #: the minutes published (kind minutes)
    minutes_id: Mapped[int | None] = mapped_column(sa.ForeignKey("minutes.id"), index=True)
    #: the version of the list of deliberations published (kind deliberation_list)
    deliberation_list_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deliberation_list.id"), index=True)
    #: the act's number ("2026-044"); empty for minutes and lists
    number: Mapped[str | None] = mapped_column(sa.String(60))
    #: the title shown, as it was when published
    title: Mapped[str] = mapped_column(sa.String(500))
    #: @ctes subject code (matière) of a deliberation, e.g. "8.5"
    subject_code: Mapped[str | None] = mapped_column(sa.String(5))
    #: the day of the decision (the sitting's day, in the collectivity's time zone)
    decided_on: Mapped[date] = mapped_column()
    #: the deliberation's document version the signed PDF was made from (kind deliberation)
    document_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document_version.id"))
    #: the signed PDF put online, served byte for byte
    blob_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_blob.id"))
    #: SHA-256 of that PDF, hexadecimal (shown to the public, who may check the file they download)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    #: the name the download gets
    filename: Mapped[str] = mapped_column(sa.String(255))
    #: the title, number and subject code in lower case without accents, for the search by words
    search_text: Mapped[str] = mapped_column(sa.String(700))
    #: the publisher stated the file holds no personal data the law withholds from publication (CRPA L312-1-2)
    personal_data_checked: Mapped[bool] = mapped_column(default=False)
    #: when it was put online (UTC; shown in the collectivity's time zone)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: who put it online (empty for the demo's seed)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))

    tenant: Mapped[Tenant] = relationship()
    sitting: Mapped[Sitting] = relationship()
    deliberation: Mapped[Deliberation | None] = relationship()
    blob: Mapped[Blob] = relationship()
    published_by: Mapped[Person | None] = relationship()
