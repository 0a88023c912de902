"""Publishing on the public portal: a signed deliberation, signed minutes or a list of deliberations is put online
as the exact signed file, with its SHA-256, the time and who did it. Plain functions: they flush and audit, never
commit.

Once: each publish function first locks the row of what it publishes, then looks for its publication by key, so a
second click (or two at the same moment) gives the row made; the unique key stops anything that would slip past.
Never published (refused in French, before anything is written): what is not signed yet, a corrected act (its
correcting act is published instead), an item examined in closed session (huis clos) — and the minutes or the list
of a sitting that had one, since they name it —, and a file whose publisher does not state that it holds no
personal data the law withholds from publication (CRPA L312-1-2). Nothing is unpublished: there is no operation
for it.
"""

import unicodedata

import sqlalchemy as sa

from saas.acts import operations as acts
from saas.acts.minutes import operations as minutes_ops
from saas.acts.minutes.models import DeliberationList, Minutes, MinutesStatus
from saas.acts.models import Deliberation
from saas.audit.operations import record
from saas.core import display
from saas.core.errors import DomainError
from saas.core.extensions import db
from saas.identity.models import Person
from saas.portal.models import Publication, PublicationKind
from saas.sittings import operations as sittings
from saas.sittings.models import AgendaItem, Sitting
from saas.storage.models import Blob

#: CRPA L312-1-2: a document holding personal data is published only once they are hidden, unless the law says
#: otherwise; the publisher states it, per file
PERSONAL_DATA_ARTICLE = "article L312-1-2 du code des relations entre le public et l'administration"
CLOSED_SESSION = (
    "Un point examiné à huis clos n'est jamais publié sur le portail : le public n'assistait pas à la séance."
)


class PortalError(DomainError):
    """A refusal to publish, shown as is (French)."""


def searchable(*texts: str | None) -> str:
    """The texts in lower case, without accents nor control characters, one space between words: what the search
    by words compares (the same on SQLite and PostgreSQL)."""
    joined = " ".join(text for text in texts if text)
    decomposed = unicodedata.normalize("NFKD", joined)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c)[0] != "C")
    return " ".join(kept.casefold().split())


def publication_of(tenant_id: int, key: str) -> Publication | None:
    return db.session.execute(
        sa.select(Publication).where(Publication.tenant_id == tenant_id, Publication.key == key)
    ).scalar_one_or_none()


def closed_session_items(sitting: Sitting) -> list[AgendaItem]:
    """The sitting's items examined in closed session (not withdrawn)."""
    return list(
        db.session.execute(
            sa.select(AgendaItem).where(
                AgendaItem.sitting_id == sitting.id,
                AgendaItem.confidential.is_(True),
                AgendaItem.withdrawn_at.is_(None),
            )
        ).scalars()
    )


def _require_statement(personal_data_checked: bool) -> None:
    if personal_data_checked is not True:
        raise PortalError(
            "Confirmez que le document ne comporte aucune donnée personnelle dont la loi interdit la diffusion "
            f"({PERSONAL_DATA_ARTICLE}) : sinon, il n'est pas publié.",
            field="personal_data_checked",
        )


def _lock(model, row_id: int):
    return db.session.execute(
        sa.select(model).where(model.id == row_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _sitting_title(what: str, sitting: Sitting) -> str:
    day = display.format_date(sittings.sitting_day(sitting), "long", locale="fr")
    return f"{what} de la séance du {day} — {sitting.assembly.name}"


def _publish(
    key: str,
    kind: PublicationKind,
    sitting: Sitting,
    blob: Blob,
    *,
    actor: Person | None,
    title: str,
    filename: str,
    number: str | None = None,
    subject_code: str | None = None,
    **links,
) -> tuple[Publication, bool]:
    existing = publication_of(sitting.tenant_id, key)
    if existing is not None:
        return existing, False
    publication = Publication(
        tenant_id=sitting.tenant_id,
        key=key,
        kind=kind,
        sitting_id=sitting.id,
        number=number,
        title=title[:500],
        subject_code=subject_code,
        decided_on=sittings.sitting_day(sitting),
        blob_id=blob.id,
        sha256=blob.sha256,
        filename=filename,
        search_text=searchable(number, subject_code, title)[:700],
        personal_data_checked=True,
        published_by_id=actor.id if actor is not None else None,
        **links,
    )
    db.session.add(publication)
    db.session.flush()
    record(
        "publication.published",
        tenant_id=publication.tenant_id,
        actor_id=publication.published_by_id,
        obj=publication,
        data={"key": key, "kind": kind.value, "sha256": blob.sha256, "number": number},
    )
    return publication, True


def publish_deliberation(
    act: Deliberation, *, actor: Person | None, personal_data_checked: bool
) -> tuple[Publication, bool]:
    """(publication, made now) of a deliberation signed by all its signers."""
    act = _lock(Deliberation, act.id)
    existing = publication_of(act.tenant_id, f"deliberation:{act.id}")
    if existing is not None:
        return existing, False
    if act.agenda_item.confidential:
        raise PortalError(CLOSED_SESSION)
    if not acts.is_current(act):
        raise PortalError("Cette délibération a été corrigée : c'est l'acte rectificatif qui se publie.")
    signed = acts.signed_request(act)
    if not acts.signed_completely(act) or signed is None:
        raise PortalError(
            "La délibération se publie une fois signée par le président et le secrétaire de séance "
            "(article L2121-23 du CGCT)."
        )
    _require_statement(personal_data_checked)
    return _publish(
        f"deliberation:{act.id}",
        PublicationKind.DELIBERATION,
        act.sitting,
        signed.current_blob,
        actor=actor,
        title=act.title,
        filename=f"deliberation-{act.number}.pdf",
        number=act.number,
        subject_code=act.subject_code,
        deliberation_id=act.id,
        document_version_id=act.document_version_id,
    )


def _refuse_closed_session(sitting: Sitting, what: str) -> None:
    if closed_session_items(sitting):
        raise PortalError(
            f"{what} de cette séance cite un point examiné à huis clos : il n'est pas publié sur le portail. "
            "Publiez ses délibérations une à une."
        )


def publish_minutes(minutes: Minutes, *, actor: Person | None, personal_data_checked: bool) -> tuple[Publication, bool]:
    """(publication, made now) of minutes approved and signed (L2121-15); their « mis en ligne le » is set to
    today when not set yet."""
    minutes = _lock(Minutes, minutes.id)
    existing = publication_of(minutes.tenant_id, f"minutes:{minutes.id}")
    if existing is not None:
        return existing, False
    blob, signed = minutes_ops.minutes_file(minutes) if minutes.status == MinutesStatus.SIGNED else (None, False)
    if blob is None or not signed:
        raise PortalError(
            "Le procès-verbal se publie une fois approuvé et signé par le président et le secrétaire de séance "
            "(article L2121-15 du CGCT)."
        )
    sitting = minutes.sitting
    _refuse_closed_session(sitting, "Le procès-verbal")
    _require_statement(personal_data_checked)
    publication, made = _publish(
        f"minutes:{minutes.id}",
        PublicationKind.MINUTES,
        sitting,
        blob,
        actor=actor,
        title=_sitting_title("Procès-verbal", sitting),
        filename=f"proces-verbal-{sittings.sitting_day(sitting).isoformat()}.pdf",
        minutes_id=minutes.id,
    )
    today = sitting.tenant.today()
    approved_on = display.local(minutes.approved_at, sitting.tenant).date() if minutes.approved_at else None
    if actor is not None and minutes.online_on is None and approved_on is not None and approved_on <= today:
        minutes_ops.record_minutes_online(minutes, today, actor=actor)
    return publication, made


def publish_list(listing: DeliberationList, *, actor: Person | None, personal_data_checked: bool):
    """(publication, made now) of a version of a sitting's list of deliberations (L2121-25); its « mis en ligne
    le » is set."""
    listing = _lock(DeliberationList, listing.id)
    existing = publication_of(listing.tenant_id, f"deliberation_list:{listing.id}")
    if existing is not None:
        return existing, False
    sitting = listing.sitting
    _refuse_closed_session(sitting, "La liste des délibérations")
    _require_statement(personal_data_checked)
    suffix = f" (version {listing.version})" if listing.version > 1 else ""
    publication, made = _publish(
        f"deliberation_list:{listing.id}",
        PublicationKind.DELIBERATION_LIST,
        sitting,
        listing.blob,
        actor=actor,
        title=_sitting_title("Liste des délibérations", sitting) + suffix,
        filename=f"liste-des-deliberations-{sittings.sitting_day(sitting).isoformat()}-v{listing.version}.pdf",
        deliberation_list_id=listing.id,
    )
    today = sitting.tenant.today()
    if actor is not None and listing.online_on is None and sittings.sitting_day(sitting) <= today:
        minutes_ops.record_list_online(listing, today, actor=actor)
    return publication, made
