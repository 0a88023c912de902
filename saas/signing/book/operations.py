"""The signature book (parapheur): documents signed by several people in order, one queue per signer.

A secretary requests signatures on a document version of a sitting (or an uploaded PDF): its file is copied,
every signature field is prepared at once (``pades.prepare_fields``), and the steps are numbered. Only the
first step is pending; each signature makes the next one pending, so a signer never sees a request before
the previous signers have signed. Signing goes through the signing core (``saas.signing.operations``): a
fresh second factor becomes a single-use authorisation, the signed file becomes the request's current file,
and the document version it came from is never touched. A batch (the deliberations of a sitting) asks the
second factor once and signs in a job (``book_batches``). The PDF work is in ``book_files``.

``book_for(person)`` crosses collectivities like the inbox: it reads the person's own steps (person-owned),
then, in each collectivity where the person holds a current mandate or grant, that tenant's requests in
that tenant's context — never the system context. Operations flush and audit; they never commit.

A request may also be opened on a PDF whose fields are already prepared (``request_prepared``), for a
document signed in turn by several collectivities (the purchasing group's agreement). ``request_closed`` is
sent, inside the transaction, when a request is signed by all, refused or cancelled; its receivers carry
on what the request was part of.
"""

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from blinker import Namespace
from sqlalchemy.orm import selectinload

from saas.audit.operations import record
from saas.core.database import TenantContext, context, utcnow
from saas.core.errors import DomainError
from saas.core.extensions import db
from saas.core.urls import external_url
from saas.documents.models import Document, DocumentVersion
from saas.documents.operations import documents_of, latest_sitting
from saas.identity.access import can_access_tenant, can_manage
from saas.identity.models import Mandate, MandateRole, Person
from saas.mail.operations import queue_mail
from saas.signing import operations as signing
from saas.signing import pades
from saas.signing.book import files as book_files
from saas.signing.book.models import RequestStatus, SignatureRequest, SignatureStep, StepStatus
from saas.signing.models import ItemStatus, SigningBatchItem
from saas.sittings.models import AgendaItem, Sitting
from saas.sittings.operations import active_items
from saas.storage.models import Blob
from saas.tenancy.models import Tenant
from saas.trust import keys
from saas.trust.timestamps import TimestampError

MAX_SIGNERS = 6
#: sent with the request when it is signed by all, refused or cancelled (same transaction, after the flush)
request_closed = Namespace().signal("signature-request-closed")
#: steps that have reached their signer: the signer may open the request
REACHED = (StepStatus.PENDING, StepStatus.SIGNED, StepStatus.REFUSED)


class BookError(DomainError):
    """A refusal shown to the user as is (French)."""


@dataclasses.dataclass(frozen=True)
class Signer:
    person: Person
    #: what the stamp says, e.g. "Président", "Secrétaire de séance"
    role: str


# --- Who may do what ------------------------------------------------------------------------------


def _assembly_of(request: SignatureRequest):
    return db.session.get(Sitting, request.sitting_id).assembly if request.sitting_id else None


def may_request(person: Person, tenant: Tenant, sitting: Sitting | None = None) -> bool:
    """The tenant's admins, and the secretaries (of the sitting's assembly, for a sitting's documents)."""
    return can_manage(person, "secretary", tenant, sitting.assembly if sitting else None)


def manages(person: Person, request: SignatureRequest) -> bool:
    return can_manage(person, "secretary", _tenant(request), _assembly_of(request))


def _tenant(request: SignatureRequest) -> Tenant:
    return db.session.get(Tenant, request.tenant_id)


def step_of(request: SignatureRequest, person: Person) -> SignatureStep | None:
    """The person's step in the request (a person signs a request once)."""
    return next((step for step in request.steps if step.person_id == person.id), None)


def may_see(person: Person, request: SignatureRequest) -> bool:
    """Managers of the request, its requester, and signers once their turn has come (not before)."""
    if request.requested_by_id == person.id or manages(person, request):
        return True
    step = step_of(request, person)
    return step is not None and step.status in REACHED


def current_step(request: SignatureRequest) -> SignatureStep | None:
    return next((step for step in request.steps if step.status == StepStatus.PENDING), None)


def turn_of(request: SignatureRequest, person: Person) -> SignatureStep:
    step = current_step(request)
    if request.status != RequestStatus.PENDING or step is None:
        raise BookError(f"« {request.title} » n'attend plus de signature.")
    if step.person_id != person.id:
        raise BookError(f"« {request.title} » n'attend pas votre signature maintenant.")
    if not can_access_tenant(person, _tenant(request)):
        raise BookError("Seul un élu ou un agent en fonction dans la collectivité peut signer.")
    return step


def in_flight(step: SignatureStep) -> bool:
    """Whether a batch is signing this step right now."""
    if step.batch_item_id is None:
        return False
    item = db.session.get(SigningBatchItem, step.batch_item_id)
    return item is not None and item.status == ItemStatus.PENDING


def locked(request: SignatureRequest) -> SignatureRequest:
    """The request and its steps re-read under a row lock on the request: two signers (or a signer and a
    job) never act at once, and neither acts on what it read before the other committed."""
    request = db.session.execute(
        sa.select(SignatureRequest)
        .where(SignatureRequest.id == request.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    db.session.execute(
        sa.select(SignatureStep).where(SignatureStep.request_id == request.id).execution_options(populate_existing=True)
    ).all()
    return request


# --- Requesting -----------------------------------------------------------------------------------


def _clean_text(value: str | None, label: str, limit: int) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise BookError(f"{label} est obligatoire.")
    if len(value) > limit:
        raise BookError(f"{label} ne peut dépasser {limit} caractères.")
    return value


def _check_signers(tenant: Tenant, signers: Sequence[Signer]) -> list[Signer]:
    if not signers:
        raise BookError("Choisissez au moins un signataire.")
    if len(signers) > MAX_SIGNERS:
        raise BookError(f"Un document peut avoir au plus {MAX_SIGNERS} signataires.")
    if len({signer.person.id for signer in signers}) != len(signers):
        raise BookError("Une même personne ne peut signer deux fois le même document.")
    checked = []
    for signer in signers:
        if not can_access_tenant(signer.person, tenant):
            raise BookError(f"{signer.person.full_name} n'a ni mandat ni fonction en cours dans la collectivité.")
        checked.append(Signer(signer.person, _clean_text(signer.role, "La qualité du signataire", 200)))
    return checked


def request_signatures(
    tenant: Tenant,
    *,
    title: str,
    signers: Sequence[Signer],
    actor: Person,
    version: DocumentVersion | None = None,
    upload: tuple[BinaryIO, str] | None = None,
    sitting: Sitting | None = None,
    spare_fields: int = 0,
    after: SignatureRequest | None = None,
) -> SignatureRequest:
    """A request on a document version (its file is copied; the version stays as it is) or on an uploaded
    PDF (checked like any document), with every signature field prepared before the first signature.

    ``spare_fields`` prepares that many more empty fields, for people who will sign the result later in a
    request ``after`` this one: such a request starts from the signed file of ``after`` (on the same
    version) and its signers fill the fields left empty, so that every signature is on one file."""
    title = _clean_text(title, "Le titre", 300)
    signers = _check_signers(tenant, signers)
    if (version is None) == (upload is None):
        raise BookError("Choisissez un document à faire signer.")
    if after is not None:
        return _request_after(tenant, title, signers, actor, version, after)
    if version is not None:
        if version.tenant_id != tenant.id:
            raise BookError("Ce document n'appartient pas à la collectivité.")
        sitting = latest_sitting(version.document.report)
        filename = version.filename
    else:
        filename = book_files.uploaded_name(upload[1])
    if sitting is not None and sitting.tenant_id != tenant.id:
        raise BookError("Cette séance n'appartient pas à la collectivité.")
    with book_files.workspace() as folder:
        try:
            if version is not None:
                source = book_files.write_blob(version.blob, folder / "source.pdf")
            else:
                source = book_files.receive(upload[0], folder)
            specs = book_files.plan_fields(source, len(signers) + spare_fields)
            pades.prepare_fields(source, folder / "prepared.pdf", specs)
        except pades.PadesError as error:
            raise BookError(str(error)) from error
        prepared = book_files.store_file(tenant.id, folder / "prepared.pdf")
    names = [spec.name for spec in specs[: len(signers)]]
    return _open_request(tenant, title, filename, prepared, signers, names, actor, version, sitting)


def _request_after(
    tenant: Tenant,
    title: str,
    signers: Sequence[Signer],
    actor: Person | None,
    version: DocumentVersion | None,
    after: SignatureRequest,
) -> SignatureRequest:
    """The next signers of a version signed by all of ``after``: its signed file, its empty fields."""
    if (
        after.tenant_id != tenant.id
        or after.status != RequestStatus.SIGNED
        or after.document_version_id != (version.id if version else None)
    ):
        raise BookError("La signature ne peut reprendre que sur un document signé de la même version.")
    with book_files.workspace() as folder:
        signed = book_files.write_blob(after.current_blob, folder / "signed.pdf")
        try:
            empty = [field.name for field in pades.signature_fields(signed) if not field.signed]
        except pades.PadesError as error:
            raise BookError(str(error)) from error
    if len(empty) < len(signers):
        raise BookError("Le document signé n'a plus assez d'emplacements de signature libres.")
    sitting = latest_sitting(version.document.report)
    return _open_request(
        tenant,
        title,
        after.filename,
        after.current_blob,
        signers,
        empty[: len(signers)],
        actor,
        version,
        sitting if sitting is not None and sitting.tenant_id == tenant.id else None,
    )


def proposed_signers(sitting: Sitting | None, on: date) -> list[tuple[int | None, str]]:
    """The signer rows a request form starts with: the president of the sitting's assembly, then its
    secretary of the sitting, each the one in office on ``on`` (no one when there is no sitting)."""
    rows: list[tuple[int | None, str]] = [(None, "Président de séance"), (None, "Secrétaire de séance")]
    if sitting is None:
        return rows
    for index, role in enumerate((MandateRole.PRESIDENT, MandateRole.SECRETARY_OF_SITTING)):
        person_id = db.session.execute(
            sa.select(Mandate.person_id)
            .where(Mandate.assembly_id == sitting.assembly_id, Mandate.role == role, Mandate.in_office_on(on))
            .order_by(Mandate.start_date.desc())
            .limit(1)
        ).scalar()
        rows[index] = (person_id, rows[index][1])
    return rows


def sitting_versions(sitting: Sitting) -> list[tuple[AgendaItem, Document, DocumentVersion]]:
    """What of a sitting may be put to signature: the current version of each document not withdrawn, in
    the order of the agenda."""
    return [
        (item, document, document.current_version)
        for item in active_items(sitting)
        for document in documents_of(item.report)
        if not document.withdrawn
    ]


def request_sitting_signatures(
    tenant: Tenant, sitting: Sitting, chosen: set[int], signers: Sequence[Signer], actor: Person
) -> list[SignatureRequest]:
    """One request per document version ``chosen`` among the sitting's, each titled by its agenda item."""
    picked = [
        (item, document, version) for item, document, version in sitting_versions(sitting) if version.id in chosen
    ]
    if not picked:
        raise BookError("Cochez au moins un document à faire signer.", field="version")
    return [
        request_signatures(
            tenant,
            title=f"{item.position}. {item.title} — {document.title}",
            signers=signers,
            actor=actor,
            version=version,
        )
        for item, document, version in picked
    ]


def request_prepared(
    tenant: Tenant, *, title: str, filename: str, pdf: Path, signers: Sequence[tuple[Signer, str]], actor: Person | None
) -> SignatureRequest:
    """A request on a PDF whose signature fields are already prepared, each signer filling the empty field
    named with them: a document that goes from one collectivity to the next keeps the fields prepared once.
    Without ``actor`` the request is the platform's (no requester is told of a refusal)."""
    title = _clean_text(title, "Le titre", 300)
    checked = _check_signers(tenant, [signer for signer, _ in signers])
    names = [name for _, name in signers]
    try:
        empty = {field.name for field in pades.signature_fields(pdf) if not field.signed}
    except pades.PadesError as error:
        raise BookError(str(error)) from error
    if not set(names) <= empty or len(set(names)) != len(names):
        raise BookError("Le document n'a pas d'emplacement de signature libre pour chaque signataire.")
    prepared = book_files.store_file(tenant.id, pdf)
    return _open_request(tenant, title, filename, prepared, checked, names, actor)


def _open_request(
    tenant: Tenant,
    title: str,
    filename: str,
    prepared: Blob,
    signers: Sequence[Signer],
    field_names: Sequence[str],
    actor: Person | None,
    version: DocumentVersion | None = None,
    sitting: Sitting | None = None,
) -> SignatureRequest:
    """The request's rows, its audit event, and the first signer told: only the first step is pending."""
    request = SignatureRequest(
        tenant_id=tenant.id,
        title=title,
        filename=filename,
        document_version_id=version.id if version else None,
        sitting_id=sitting.id if sitting else None,
        prepared_blob_id=prepared.id,
        current_blob_id=prepared.id,
        requested_by_id=actor.id if actor else None,
    )
    for position, (signer, field_name) in enumerate(zip(signers, field_names, strict=True), start=1):
        request.steps.append(
            SignatureStep(
                tenant_id=tenant.id,
                person_id=signer.person.id,
                position=position,
                role=signer.role,
                field_name=field_name,
                status=StepStatus.PENDING if position == 1 else StepStatus.WAITING,
            )
        )
    db.session.add(request)
    db.session.flush()
    record(
        "signature_request.created",
        tenant_id=tenant.id,
        actor_id=actor.id if actor else None,
        obj=request,
        data={
            "title": title,
            "document_version_id": request.document_version_id,
            "sha256": prepared.sha256,
            "signers": [{"person_id": s.person.id, "role": s.role} for s in signers],
        },
    )
    _notify_turn(request, request.steps[0])
    return request


# --- Signing, refusing, commenting ----------------------------------------------------------------


def sign(request: SignatureRequest, person: Person, otp_code: str | None, level=pades.Level.B_T) -> SignatureStep:
    """The person's signature, now, after a fresh second factor. Raises BookError or SigningRefused."""
    request = locked(request)
    step = turn_of(request, person)
    if in_flight(step):
        raise BookError(f"« {request.title} » est en cours de signature dans un lot : attendez la fin du lot.")
    tenant = _tenant(request)
    blob = request.current_blob
    authorisation = signing.authorise_signing(tenant, person, otp_code, [blob.sha256])
    with book_files.workspace() as folder:
        source, signed = book_files.write_blob(blob, folder / "current.pdf"), folder / "signed.pdf"
        try:
            signing.sign_file(
                authorisation, person, tenant, source, signed, field=step.field_name, role=step.role, level=level
            )
        except (pades.PadesError, keys.SignerKeyError, TimestampError) as error:
            raise BookError(str(error)) from error
        result = book_files.store_file(tenant.id, signed)
    record_signature(request, step, result, actor=person)
    return step


def record_signature(request: SignatureRequest, step: SignatureStep, result: Blob, actor: Person | None) -> None:
    now = utcnow()
    step.status, step.signed_at = StepStatus.SIGNED, now
    request.current_blob = result
    following = next((s for s in request.steps if s.position > step.position), None)
    if following is None:
        request.status, request.closed_at = RequestStatus.SIGNED, now
    else:
        following.status = StepStatus.PENDING
    db.session.flush()
    record(
        "signature_step.signed",
        tenant_id=request.tenant_id,
        actor_id=actor.id if actor else step.person_id,
        obj=step,
        data={"request_id": request.id, "position": step.position, "role": step.role, "sha256": result.sha256},
    )
    if following is not None:
        _notify_turn(request, following)
    else:
        request_closed.send(request)


def refuse(request: SignatureRequest, person: Person, reason: str | None) -> SignatureStep:
    """The signer refuses, with a reason (required): the request stops, the requester is told once."""
    request = locked(request)
    step = turn_of(request, person)
    reason = (reason or "").strip()
    if not reason:
        raise BookError("Indiquez le motif du refus.")
    if len(reason) > 5000:
        raise BookError("Le motif du refus ne peut dépasser 5 000 caractères.")
    now = utcnow()
    step.status, step.refused_at, step.reason = StepStatus.REFUSED, now, reason
    request.status, request.closed_at = RequestStatus.REFUSED, now
    for later in request.steps:
        if later.status == StepStatus.WAITING:
            later.status = StepStatus.CANCELLED
    db.session.flush()
    record(
        "signature_step.refused",
        tenant_id=request.tenant_id,
        actor_id=person.id,
        obj=step,
        data={"request_id": request.id, "position": step.position, "reason": reason},
    )
    _notify_refusal(request, step)
    request_closed.send(request)
    return step


def comment(request: SignatureRequest, person: Person, text: str | None) -> SignatureStep:
    """The signer's remark on the request (replaces their previous one); audited."""
    step = step_of(request, person)
    if step is None or step.status not in REACHED:
        raise BookError("Seuls les signataires dont le tour est venu peuvent commenter ce document.")
    if request.status != RequestStatus.PENDING:
        raise BookError("Ce document n'attend plus de signature : il ne peut plus être commenté.")
    step.comment = _clean_comment(text)
    db.session.flush()
    record(
        "signature_step.commented",
        tenant_id=request.tenant_id,
        actor_id=person.id,
        obj=step,
        data={"request_id": request.id, "position": step.position, "comment": step.comment},
    )
    return step


def _clean_comment(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise BookError("Le commentaire est vide.")
    if len(text) > 5000:
        raise BookError("Le commentaire ne peut dépasser 5 000 caractères.")
    return text


def cancel(request: SignatureRequest, actor: Person) -> SignatureRequest:
    """The requester or a manager withdraws a request that is still awaiting signatures."""
    request = locked(request)
    if request.status != RequestStatus.PENDING:
        raise BookError("Ce document n'attend plus de signature : il ne peut plus être retiré du parapheur.")
    request.status, request.closed_at = RequestStatus.CANCELLED, utcnow()
    for step in request.steps:
        if step.status in (StepStatus.PENDING, StepStatus.WAITING):
            step.status = StepStatus.CANCELLED
    db.session.flush()
    record("signature_request.cancelled", tenant_id=request.tenant_id, actor_id=actor.id, obj=request)
    request_closed.send(request)
    return request


# --- Notifications --------------------------------------------------------------------------------


def request_url(request: SignatureRequest) -> str:
    """The request's page, absolute (mails); a literal path because jobs build it with no request."""
    return external_url(f"/t/{_tenant(request).slug}/parapheur/{request.id}")


def _notify_turn(request: SignatureRequest, step: SignatureStep) -> None:
    person, tenant = db.session.get(Person, step.person_id), _tenant(request)
    queue_mail(
        f"signature-request:{request.id}:turn:{step.position}",
        to=person.email,
        subject=f"À signer : {request.title} ({tenant.name})",
        body=(
            f"Bonjour {person.full_name},\n\n"
            f"Le document « {request.title} » de {tenant.name} attend votre signature en qualité de "
            f"{step.role}.\n\nIl est dans votre parapheur : {request_url(request)}\n\n"
            "La signature vous demandera le code de votre application d'authentification.\n"
        ),
        tenant_id=tenant.id,
    )


def _notify_refusal(request: SignatureRequest, step: SignatureStep) -> None:
    """Tell the requester, once per request (a unique mail key), why the signature was refused."""
    if request.requested_by_id is None:
        return
    requester, signer = db.session.get(Person, request.requested_by_id), db.session.get(Person, step.person_id)
    tenant = _tenant(request)
    queue_mail(
        f"signature-request:{request.id}:refused",
        to=requester.email,
        subject=f"Signature refusée : {request.title} ({tenant.name})",
        body=(
            f"Bonjour {requester.full_name},\n\n"
            f"{signer.full_name} ({step.role}) a refusé de signer « {request.title} ».\n\n"
            f"Motif : {step.reason}\n\nLe document : {request_url(request)}\n"
        ),
        tenant_id=tenant.id,
    )


# --- The book: everything awaiting my signature, across my collectivities -------------------------


@dataclasses.dataclass(frozen=True)
class BookEntry:
    tenant_id: int
    tenant_slug: str
    tenant_name: str
    #: the collectivity's time zone: the book spans collectivities, each row is shown in its own
    time_zone: str
    request_id: int
    title: str
    role: str
    position: int
    signers: int
    sitting_id: int | None
    requested_at: datetime
    #: remarks of the signers, as (name, comment)
    comments: tuple[tuple[str, str], ...]
    #: who has signed already, as (name, when)
    signed: tuple[tuple[str, datetime], ...] = ()


def book_for(person: Person) -> list[BookEntry]:
    """Every request whose turn is the person's now, in every collectivity where they hold a current
    mandate or grant; oldest first."""
    with context(db.session, TenantContext(person_id=person.id)):
        tenant_ids = set(
            db.session.execute(
                sa.select(SignatureStep.tenant_id).where(
                    SignatureStep.person_id == person.id, SignatureStep.status == StepStatus.PENDING
                )
            ).scalars()
        )
    entries = []
    for tenant in db.session.execute(sa.select(Tenant).where(Tenant.id.in_(tenant_ids))).scalars():
        if not can_access_tenant(person, tenant):
            continue
        with context(db.session, TenantContext(tenant_id=tenant.id, person_id=person.id)):
            entries += _tenant_entries(person, tenant)
    return sorted(entries, key=lambda entry: (entry.requested_at, entry.tenant_id, entry.request_id))


def _tenant_entries(person: Person, tenant: Tenant) -> list[BookEntry]:
    rows = db.session.execute(
        sa.select(SignatureRequest, SignatureStep)
        .join(SignatureStep, SignatureStep.request_id == SignatureRequest.id)
        .where(
            SignatureRequest.tenant_id == tenant.id,
            SignatureRequest.status == RequestStatus.PENDING,
            SignatureStep.person_id == person.id,
            SignatureStep.status == StepStatus.PENDING,
        )
        .options(selectinload(SignatureRequest.steps).selectinload(SignatureStep.person))
    ).all()
    return [
        BookEntry(
            tenant_id=tenant.id,
            tenant_slug=tenant.slug,
            tenant_name=tenant.name,
            time_zone=tenant.timezone,
            request_id=request.id,
            title=request.title,
            role=step.role,
            position=step.position,
            signers=len(request.steps),
            sitting_id=request.sitting_id,
            requested_at=request.created_at,
            comments=tuple((s.person.full_name, s.comment) for s in request.steps if s.comment),
            signed=tuple((s.person.full_name, s.signed_at) for s in request.steps if s.signed_at),
        )
        for request, step in rows
    ]


def requests_of(tenant: Tenant, sitting: Sitting | None = None) -> list[SignatureRequest]:
    """The tenant's requests (of one sitting, if given), newest first: the secretariat's follow-up."""
    statement = sa.select(SignatureRequest).where(SignatureRequest.tenant_id == tenant.id)
    if sitting is not None:
        statement = statement.where(SignatureRequest.sitting_id == sitting.id)
    return list(db.session.execute(statement.order_by(SignatureRequest.id.desc())).scalars())
