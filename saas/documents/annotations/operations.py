"""Annotations: create, change, delete, list for sync, share and answer; and "Mes notes".

Who sees an annotation is one SQL condition (``visible_to``): its author always; the named people, the
members of the author's political group in the document's assembly, or the assembly's members, as its
sharing says. Access to the document itself (closed-session items…) is the caller's check, made before.
Every change names the revision it was made on: a stale one raises ``AnnotationConflict`` with the
current record, and the mapper's version counter catches two writers racing on the same revision.
Deletion is soft, so a device in sync learns of it. Operations flush, never commit.
"""

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from saas.core.database import TenantContext, context, utcnow
from saas.core.errors import DomainError
from saas.core.extensions import db
from saas.core.inputs import is_integer
from saas.documents.annotations.anchoring import page_sizes
from saas.documents.annotations.models import Annotation, AnnotationKind, AnnotationShare, SharingScope
from saas.documents.models import Document, DocumentVersion
from saas.documents.operations import latest_sitting
from saas.identity.access import can_access_tenant
from saas.identity.models import Mandate, Person
from saas.sittings.models import AgendaItem, Sitting
from saas.tenancy.models import Tenant

PALETTE = ("#ffd400", "#ff6b6b", "#4dabf7", "#51cf66", "#b197fc", "#222222")
MAX_BODY = 10_000
MAX_QUOTE = 5_000
MAX_RECTS = 500
MAX_INK_POINTS = 20_000
#: a sync cursor looks this far back, so a change committed just after a poll read its time is not missed
SYNC_OVERLAP = timedelta(seconds=2)
MOTIVATIONS = {
    AnnotationKind.HIGHLIGHT: "highlighting",
    AnnotationKind.NOTE: "commenting",
    AnnotationKind.INK: "drawing",
    AnnotationKind.TEXT: "describing",
}
EDITABLE = ("page", "color", "rects", "ink", "body", "quote", "position", "sharing")


class AnnotationError(DomainError):
    """Refused input: a French message and, per field, what is wrong (HTTP 422)."""


class AnnotationConflict(DomainError):
    """The annotation changed since the revision the caller read (HTTP 409); answered with the current record
    (``answers.conflict``)."""

    status = 409

    def __init__(self, current: Annotation):
        super().__init__(CONFLICT)
        self.current = current


INVALID = "L'annotation n'est pas valide : voyez le détail par champ."
CONFLICT = "Cette annotation a été modifiée entre-temps (sur un autre appareil ?) : voici la version actuelle."


# --- Who sees what --------------------------------------------------------------------------------


def _in_office(assembly_id):
    """Mandates in the assembly that run today."""
    today = date.today()
    return sa.and_(
        Mandate.assembly_id == assembly_id,
        Mandate.in_office_on(today),
    )


def _current_mandate(person_id: int, assembly_id, political_group_id=None):
    condition = sa.and_(Mandate.person_id == person_id, _in_office(assembly_id))
    if political_group_id is not None:
        condition = sa.and_(condition, Mandate.political_group_id == political_group_id)
    return sa.exists().where(condition)


def visible_to(person_id: int):
    """The SQL condition "``person_id`` may read this annotation" (the document's own rules aside)."""
    return sa.or_(
        Annotation.person_id == person_id,
        sa.and_(
            Annotation.sharing_scope == SharingScope.PEOPLE,
            sa.exists().where(AnnotationShare.annotation_id == Annotation.id, AnnotationShare.person_id == person_id),
        ),
        sa.and_(
            Annotation.sharing_scope == SharingScope.GROUP,
            _current_mandate(person_id, Annotation.assembly_id, Annotation.political_group_id),
        ),
        sa.and_(Annotation.sharing_scope == SharingScope.ASSEMBLY, _current_mandate(person_id, Annotation.assembly_id)),
    )


def find_visible(annotation_id: int, person: Person) -> Annotation | None:
    """The annotation if ``person`` may read it and it is not deleted; None otherwise (answer 404)."""
    return db.session.execute(
        sa.select(Annotation).where(
            Annotation.id == annotation_id, Annotation.deleted_at.is_(None), visible_to(person.id)
        )
    ).scalar_one_or_none()


@dataclass(frozen=True)
class Changes:
    annotations: list[Annotation]
    orphaned: list[Annotation]
    deleted: list[int]
    cursor: str


def parse_cursor(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError:
        raise AnnotationError("Le paramètre « since » doit être le curseur reçu ou une date ISO 8601.") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def changes(document: Document, person: Person, since: datetime | None = None) -> Changes:
    """What ``person`` sees on the document's current version; with ``since``, only what changed after."""
    now = utcnow()
    query = (
        sa.select(Annotation)
        .options(selectinload(Annotation.author), selectinload(Annotation.shared_with))
        .where(
            Annotation.document_id == document.id,
            Annotation.document_version_id == document.current_version.id,
            visible_to(person.id),
        )
        .order_by(Annotation.id)
    )
    if since is None:
        query = query.where(Annotation.deleted_at.is_(None))
    else:
        query = query.where(Annotation.updated_at > since)
    rows = list(db.session.execute(query).scalars())
    latest = max([now - SYNC_OVERLAP, since or now - SYNC_OVERLAP, *(row.updated_at for row in rows)])
    return Changes(
        annotations=[row for row in rows if row.deleted_at is None and not row.orphaned],
        orphaned=[row for row in rows if row.deleted_at is None and row.orphaned],
        deleted=[row.id for row in rows if row.deleted_at is not None],
        cursor=latest.isoformat().replace("+00:00", "Z"),
    )


# --- Input ----------------------------------------------------------------------------------------


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _inside(points, size) -> bool:
    width, height = size
    return all(0 <= x <= width and 0 <= y <= height for x, y in points)


def _rects(value, size, errors) -> list:
    if not isinstance(value, list) or len(value) > MAX_RECTS:
        errors["rects"] = f"Une liste d'au plus {MAX_RECTS} rectangles [x1, y1, x2, y2] est attendue."
        return []
    if not all(isinstance(r, list) and len(r) == 4 and all(_number(v) for v in r) for r in value):
        errors["rects"] = "Chaque rectangle est une liste de quatre nombres [x1, y1, x2, y2], en points PDF."
        return []
    if size and not _inside([(r[0], r[1]) for r in value] + [(r[2], r[3]) for r in value], size):
        errors["rects"] = "Un rectangle sort de la page."
    return [[float(v) for v in r] for r in value]


def _ink(value, size, errors) -> list:
    valid = isinstance(value, list) and all(
        isinstance(stroke, list)
        and stroke
        and all(isinstance(p, list) and len(p) == 2 and all(_number(v) for v in p) for p in stroke)
        for stroke in value
    )
    if not valid:
        errors["ink"] = "Le tracé est une liste de traits, chacun une liste de points [x, y] en points PDF."
        return []
    if sum(len(stroke) for stroke in value) > MAX_INK_POINTS:
        errors["ink"] = f"Le tracé compte plus de {MAX_INK_POINTS} points."
    elif size and not _inside([p for stroke in value for p in stroke], size):
        errors["ink"] = "Le tracé sort de la page."
    return [[[float(x), float(y)] for x, y in stroke] for stroke in value]


def _quote(value, errors) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("exact"), str) or not value["exact"].strip():
        errors["quote"] = "La citation est un objet {exact, prefix, suffix} dont « exact » n'est pas vide."
        return None
    quote = {key: value.get(key) or "" for key in ("exact", "prefix", "suffix")}
    if not all(isinstance(v, str) for v in quote.values()) or sum(map(len, quote.values())) > MAX_QUOTE:
        errors["quote"] = f"La citation est faite de textes de {MAX_QUOTE} caractères au plus en tout."
    return quote


def _position(value, errors) -> dict | None:
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or not all(is_integer(value.get(k), minimum=0) for k in ("start", "end"))
        or not 0 <= value["start"] <= value["end"]
    ):
        errors["position"] = "La position est un objet {start, end} d'entiers, avec 0 ≤ start ≤ end."
        return None
    return {"start": value["start"], "end": value["end"]}


@dataclass
class Sharing:
    scope: SharingScope
    people: list[int]
    political_group_id: int | None = None


def assembly_of(document: Document) -> int:
    """The assembly whose members read ``document`` together (sharing "with the assembly"): that of the
    latest sitting its report is placed on, else the report's own assembly."""
    sitting = latest_sitting(document.report)
    return sitting.assembly_id if sitting is not None else document.report.assembly_id


def _sharing(value, author: Person, document: Document, errors) -> Sharing | None:
    value = value or {"scope": "private"}
    try:
        scope = SharingScope(value.get("scope") if isinstance(value, dict) else None)
    except ValueError:
        errors["sharing"] = "Le partage est « private », « people », « group » ou « assembly »."
        return None
    people = value.get("people") or []
    assembly_id = assembly_of(document)
    if scope == SharingScope.PEOPLE:
        if not isinstance(people, list) or not people or not all(is_integer(p) for p in people):
            errors["sharing"] = "Nommez au moins une personne (liste d'identifiants) avec qui partager."
            return None
        people = sorted(set(people) - {author.id})
        seated = set(
            db.session.execute(
                sa.select(Mandate.person_id).where(Mandate.person_id.in_(people), _in_office(assembly_id))
            ).scalars()
        )
        if not people or seated != set(people):
            errors["sharing"] = "On ne partage qu'avec des membres en exercice de l'assemblée de ce document."
            return None
        return Sharing(scope, people)
    if scope == SharingScope.GROUP:
        group_id = _group_of(author.id, assembly_id)
        if group_id is None:
            errors["sharing"] = "Vous n'appartenez à aucun groupe politique dans cette assemblée."
            return None
        return Sharing(scope, [], group_id)
    return Sharing(scope, [])


def _group_of(person_id: int, assembly_id: int) -> int | None:
    return db.session.execute(
        sa.select(Mandate.political_group_id)
        .where(Mandate.person_id == person_id, Mandate.political_group_id.is_not(None), _in_office(assembly_id))
        .order_by(Mandate.start_date.desc())
        .limit(1)
    ).scalar_one_or_none()


def _clean(data: dict, kind: AnnotationKind, version: DocumentVersion, author: Person, document, errors) -> dict:
    """The fields given in ``data``, checked; what is wrong goes to ``errors`` (field -> French message)."""
    clean = {}
    page = data.get("page")
    if "page" in data:
        if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= version.page_count:
            errors["page"] = f"La page va de 1 à {version.page_count}."
            page = None
        clean["page"] = page
    if "color" in data:
        if data["color"] not in PALETTE:
            errors["color"] = "Couleur inconnue : choisissez l'une de " + ", ".join(PALETTE) + "."
        clean["color"] = data["color"]
    geometry = {"rects": data.get("rects"), "ink": data.get("ink")}
    needs_size = page and any(geometry.values())
    size = page_sizes(version)[page - 1] if needs_size else None
    if "rects" in data:
        clean["rects"] = _rects(data["rects"] or [], size, errors)
    if "ink" in data:
        clean["ink"] = _ink(data["ink"] or [], size, errors)
    if "body" in data:
        body = data["body"] if data["body"] is not None else ""
        if not isinstance(body, str):
            errors["body"] = "Le texte de la note est une chaîne de caractères."
        elif len(body) > MAX_BODY:
            errors["body"] = f"Le texte d'une note ne peut dépasser {MAX_BODY} caractères (ici {len(body)})."
        clean["body"] = body if isinstance(body, str) else ""
    if "quote" in data:
        clean["quote"] = _quote(data["quote"], errors)
    if "position" in data:
        clean["position"] = _position(data["position"], errors)
    if "sharing" in data:
        clean["sharing"] = _sharing(data["sharing"], author, document, errors)
    return clean


def _check_shape(kind: AnnotationKind, values: dict, errors: dict) -> None:
    """What each kind needs: a highlight its rectangles, a note or text box one, ink its strokes."""
    if errors:
        return
    rects, ink = values.get("rects") or [], values.get("ink") or []
    if kind == AnnotationKind.HIGHLIGHT and not rects:
        errors["rects"] = "Un surlignage a au moins un rectangle (un par ligne)."
    elif kind in (AnnotationKind.NOTE, AnnotationKind.TEXT) and len(rects) != 1:
        errors["rects"] = "Une note ou une zone de texte a exactement un rectangle."
    elif kind == AnnotationKind.INK and not ink:
        errors["ink"] = "Un tracé a au moins un trait."
    if kind != AnnotationKind.INK and ink:
        errors["ink"] = "Seul un tracé (kind « ink ») a des traits."


def _refuse_unknown(data, allowed) -> None:
    if not isinstance(data, dict):
        raise AnnotationError("Le corps de la requête doit être un objet JSON.")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise AnnotationError(INVALID, errors={name: "Champ inconnu." for name in unknown})


# --- Actions --------------------------------------------------------------------------------------


def create(document: Document, author: Person, data: dict) -> Annotation:
    """A new annotation on the document's current version, or an answer (``reply_to``) to one ``author``
    may read. Raises AnnotationError; nothing is written then."""
    _refuse_unknown(data, (*EDITABLE, "kind", "reply_to"))
    if data.get("reply_to") is not None:
        return _reply(document, author, data)
    try:
        kind = AnnotationKind(data.get("kind"))
    except ValueError:
        raise AnnotationError(
            INVALID, errors={"kind": "Type d'annotation inconnu : « highlight », « note », « ink » ou « text »."}
        ) from None
    version = document.current_version
    errors: dict = {}
    values = _clean({"rects": [], "ink": [], "body": "", **data}, kind, version, author, document, errors)
    for name in ("page", "color"):
        if name not in data:
            errors[name] = "Champ obligatoire."
    _check_shape(kind, values, errors)
    if errors:
        raise AnnotationError(INVALID, errors=errors)
    sharing = values.pop("sharing", None) or Sharing(SharingScope.PRIVATE, [])
    annotation = Annotation(
        tenant_id=document.tenant_id,
        person_id=author.id,
        document_id=document.id,
        document_version_id=version.id,
        assembly_id=assembly_of(document),
        kind=kind,
        **values,
    )
    _apply_sharing(annotation, sharing)
    db.session.add(annotation)
    db.session.flush()
    return annotation


def _reply(document: Document, author: Person, data: dict) -> Annotation:
    if not is_integer(data["reply_to"]):
        raise AnnotationError(INVALID, errors={"reply_to": "L'identifiant de l'annotation à laquelle vous répondez."})
    parent = find_visible(data["reply_to"], author)
    if parent is not None and parent.reply_to_id is not None:
        parent = find_visible(parent.reply_to_id, author)
    if parent is None or parent.document_id != document.id:
        raise AnnotationError(
            INVALID, errors={"reply_to": "Annotation inconnue sur ce document, ou que vous ne voyez pas."}
        )
    errors: dict = {}
    if data.get("kind", "note") != "note":
        errors["kind"] = "Une réponse est une note."
    body = data.get("body")
    if not isinstance(body, str) or not body.strip():
        errors["body"] = "Écrivez votre réponse."
    elif len(body) > MAX_BODY:
        errors["body"] = f"Le texte d'une note ne peut dépasser {MAX_BODY} caractères (ici {len(body)})."
    if errors:
        raise AnnotationError(INVALID, errors=errors)
    reply = Annotation(
        tenant_id=parent.tenant_id,
        person_id=author.id,
        document_id=parent.document_id,
        document_version_id=parent.document_version_id,
        assembly_id=parent.assembly_id,
        page=parent.page,
        kind=AnnotationKind.NOTE,
        color=parent.color,
        rects=[],
        ink=[],
        body=body,
        reply_to_id=parent.id,
        orphaned=parent.orphaned,
        orphaned_from=parent.orphaned_from,
    )
    # the answer reaches those who read the annotation, its author included
    people = sorted(({s.person_id for s in parent.shared_with} | {parent.person_id}) - {author.id})
    _apply_sharing(reply, Sharing(parent.sharing_scope, people, parent.political_group_id))
    db.session.add(reply)
    db.session.flush()
    return reply


def _apply_sharing(annotation: Annotation, sharing: Sharing) -> None:
    annotation.sharing_scope = sharing.scope
    annotation.political_group_id = sharing.political_group_id
    wanted = set(sharing.people) if sharing.scope == SharingScope.PEOPLE else set()
    annotation.shared_with = [s for s in annotation.shared_with if s.person_id in wanted] + [
        AnnotationShare(tenant_id=annotation.tenant_id, person_id=person_id)
        for person_id in sorted(wanted - {s.person_id for s in annotation.shared_with})
    ]


def _check_revision(annotation: Annotation, revision) -> None:
    if not is_integer(revision, minimum=0):
        raise AnnotationError(INVALID, errors={"revision": "Indiquez la révision lue (« revision »)."})
    if revision != annotation.revision:
        raise AnnotationConflict(annotation)


def _flush_or_conflict(annotation: Annotation) -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except StaleDataError:
        current = db.session.get(Annotation, annotation.id, populate_existing=True)
        raise AnnotationConflict(current) from None


def update(annotation: Annotation, author: Person, data: dict) -> Annotation:
    """Change the author's annotation, made on revision ``data["revision"]``."""
    _refuse_unknown(data, (*EDITABLE, "kind", "revision"))
    _check_revision(annotation, data.get("revision"))
    if "kind" in data and data["kind"] != annotation.kind.value:
        raise AnnotationError(INVALID, errors={"kind": "Le type d'une annotation ne change pas."})
    document = db.session.get(Document, annotation.document_id)
    version = db.session.get(DocumentVersion, annotation.document_version_id)
    errors: dict = {}
    given = {name: data[name] for name in EDITABLE if name in data}
    if annotation.reply_to_id is not None and set(given) - {"body"}:
        raise AnnotationError(INVALID, errors={"reply_to": "D'une réponse, seul le texte change."})
    # coordinates are checked against the page they will be on
    page = given.get("page", annotation.page)
    for name in ("rects", "ink"):
        if "page" in given and name not in given:
            given[name] = getattr(annotation, name)
    values = _clean({**given, "page": page}, annotation.kind, version, author, document, errors)
    if "page" not in data:
        values.pop("page", None)
    if annotation.reply_to_id is None:
        _check_shape(annotation.kind, {"rects": annotation.rects, "ink": annotation.ink, **values}, errors)
    if errors:
        raise AnnotationError(INVALID, errors=errors)
    sharing = values.pop("sharing", None)
    with db.session.no_autoflush:  # one UPDATE, hence one revision, whatever changes
        for name, value in values.items():
            setattr(annotation, name, value)
        if sharing is not None:
            _apply_sharing(annotation, sharing)
        annotation.updated_at = utcnow()
    _flush_or_conflict(annotation)
    return annotation


def delete(annotation: Annotation, author: Person, revision) -> None:
    """Soft delete: devices in sync see its id among the deleted."""
    _check_revision(annotation, revision)
    annotation.deleted_at = annotation.updated_at = utcnow()
    _flush_or_conflict(annotation)


# --- Records --------------------------------------------------------------------------------------


def records(annotations: list[Annotation], viewer: Person) -> list[dict]:
    """The flattened records of the contract (docs/annotations.md), with their W3C form."""
    if not annotations:
        return []
    versions = {
        version_id: (number, sha256)
        for version_id, number, sha256 in db.session.execute(
            sa.select(DocumentVersion.id, DocumentVersion.number, DocumentVersion.sha256).where(
                DocumentVersion.id.in_({a.document_version_id for a in annotations})
            )
        )
    }
    return [_record(a, viewer, *versions[a.document_version_id]) for a in annotations]


def record(annotation: Annotation, viewer: Person) -> dict:
    return records([annotation], viewer)[0]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _record(a: Annotation, viewer: Person, version_number: int, sha256: str) -> dict:
    sharing = {"scope": a.sharing_scope.value, "people": [s.person_id for s in a.shared_with]}
    result = {
        "id": a.id,
        "revision": a.revision,
        "document_id": a.document_id,
        "version_number": version_number,
        "page": a.page,
        "kind": a.kind.value,
        "color": a.color,
        "rects": a.rects,
        "ink": a.ink,
        "body": a.body,
        "quote": a.quote,
        "position": a.position,
        "sharing": sharing,
        "reply_to": a.reply_to_id,
        "author": {"id": a.person_id, "name": a.author.full_name},
        "mine": a.person_id == viewer.id,
        "orphaned": a.orphaned,
        "orphaned_from": a.orphaned_from,
        "created_at": _stamp(a.created_at),
        "updated_at": _stamp(a.updated_at),
    }
    result["w3c"] = _w3c(a, sha256)
    return result


def _w3c(a: Annotation, sha256: str) -> dict:
    selectors = [
        {"type": "FragmentSelector", "conformsTo": "http://tools.ietf.org/rfc/rfc3778", "value": f"page={a.page}"}
    ]
    if a.quote:
        selectors.append({"type": "TextQuoteSelector", **a.quote})
    if a.position:
        selectors.append({"type": "TextPositionSelector", **a.position})
    body = []
    if a.body:
        purpose = "replying" if a.reply_to_id else "commenting"
        body.append({"type": "TextualBody", "value": a.body, "format": "text/plain", "purpose": purpose})
    target = {"source": f"urn:sha256:{sha256}", "selector": selectors}
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": f"urn:quorum:annotation:{a.id}",
        "type": "Annotation",
        "motivation": "replying" if a.reply_to_id else MOTIVATIONS[a.kind],
        "creator": {"type": "Person", "id": f"urn:quorum:person:{a.person_id}", "name": a.author.full_name},
        "created": _stamp(a.created_at),
        "modified": _stamp(a.updated_at),
        "body": body,
        "target": f"urn:quorum:annotation:{a.reply_to_id}" if a.reply_to_id else target,
        "stylesheet": {"type": "CssStylesheet", "value": f".q {{ color: {a.color} }}"},
    }


# --- Mes notes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    record: dict
    tenant_slug: str
    tenant_name: str
    #: None when the person no longer has access to the collectivity
    document_title: str | None
    sitting_starts_at: datetime | None


def _searchable(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def my_notes(person: Person, search: str | None = None) -> list[Note]:
    """The person's own annotations in every collectivity, newest first; ``search`` looks in the text and
    the quote (ignoring case and accents). Crosses tenants only through the person's own rows, then
    enters each collectivity where they still have access to name the documents (like the inbox)."""
    person = db.session.get(Person, person.id)
    with context(db.session, TenantContext(person_id=person.id)):
        mine = list(
            db.session.execute(
                sa.select(Annotation)
                .options(selectinload(Annotation.author))
                .where(Annotation.person_id == person.id, Annotation.deleted_at.is_(None))
                .order_by(Annotation.updated_at.desc(), Annotation.id.desc())
            ).scalars()
        )
        if search and search.strip():
            wanted = _searchable(search.strip())
            mine = [a for a in mine if wanted in _searchable(a.body + " " + ((a.quote or {}).get("exact") or ""))]
    by_tenant = defaultdict(list)
    for annotation in mine:
        by_tenant[annotation.tenant_id].append(annotation)
    notes = []
    for tenant_id, annotations in by_tenant.items():
        tenant = db.session.get(Tenant, tenant_id)
        if not can_access_tenant(person, tenant):
            continue
        with context(db.session, TenantContext(tenant_id=tenant_id, person_id=person.id)):
            places = _places({a.document_id for a in annotations})
            for annotation, data in zip(annotations, records(annotations, person), strict=True):
                title, starts_at = places.get(annotation.document_id, (None, None))
                notes.append(Note(data, tenant.slug, tenant.name, title, starts_at))
    return sorted(notes, key=lambda note: (note.record["updated_at"], note.record["id"]), reverse=True)


def _places(document_ids: set[int]) -> dict[int, tuple[str, datetime | None]]:
    """Each document's title and the date of the latest sitting its report is placed on (None: none yet)."""
    rows = db.session.execute(
        sa.select(Document.id, Document.title, sa.func.max(Sitting.starts_at))
        .outerjoin(AgendaItem, sa.and_(AgendaItem.report_id == Document.report_id, AgendaItem.withdrawn_at.is_(None)))
        .outerjoin(Sitting, Sitting.id == AgendaItem.sitting_id)
        .where(Document.id.in_(document_ids))
        .group_by(Document.id, Document.title)
    ).all()
    return {document_id: (title, starts_at) for document_id, title, starts_at in rows}
