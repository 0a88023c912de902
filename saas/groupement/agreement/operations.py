"""The group agreement signed electronically by every member, in turn, each in its own signature book.

A round (``AgreementSigning``) starts from the uploaded agreement: every member's signature field is
prepared at once (``pades.prepare_fields``, so that no later signature invalidates an earlier one) and the
prepared PDF is kept with the coordinator's key. Then one member at a time: a signature request is opened
in that member's collectivity (``book.request_prepared``) on the PDF as signed so far, stored with that
collectivity's key, for its signatory alone, who signs from their own signature book with their second
factor, like any deliberation. When the request is signed (``book.request_closed``) the signed PDF goes on
to the next member; after the last one it is stored with the coordinator's key as the signed agreement and
every membership records who signed and when. A refusal, or a member withdrawing the request from its
book, ends the round and tells the coordinator; a new round starts again from the agreement.

The console reads only this module's rows: each signatory's status is mirrored here from the member's
request, so the coordinator never opens a collectivity's signature book. Operations flush and audit on the
platform chain; they never commit.
"""

import dataclasses
import logging
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from saas.core.database import SYSTEM, TenantContext, context, utcnow
from saas.core.extensions import db
from saas.core.urls import external_url
from saas.groupement.devices import operations as devices
from saas.groupement.models import AgreementSigner, AgreementSigning, Membership, PurchasingGroup, SigningStatus
from saas.groupement.operations import PurchasingError, active_memberships, audit, refuse_while_signing
from saas.identity.models import Mandate, MandateRole, Person
from saas.mail.operations import queue_mail
from saas.signing import pades
from saas.signing.book import files as book_files
from saas.signing.book import operations as book
from saas.signing.book.models import RequestStatus, SignatureRequest, StepStatus
from saas.signing.validation import ValidationReport, validate
from saas.storage.operations import read_all
from saas.tenancy.models import Assembly, AssemblyKind, TenantKind
from saas.trust import anchors as trust

#: what the stamp says of a collectivity's signatory unless the coordinator writes otherwise
EXECUTIVE_TITLES = {
    TenantKind.COMMUNE: "Maire",
    TenantKind.EPCI: "Président de la communauté",
    TenantKind.DEPARTEMENT: "Président du conseil départemental",
    TenantKind.REGION: "Président du conseil régional",
    TenantKind.SYNDICAT: "Président du syndicat",
}
PARIS = ZoneInfo("Europe/Paris")
log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Signatory:
    """Who signs for a member, and in which quality."""

    membership: Membership
    person: Person
    role: str


# --- Reading --------------------------------------------------------------------------------------


def signings(group: PurchasingGroup) -> list[AgreementSigning]:
    """The group's rounds, newest first."""
    return list(
        db.session.execute(
            sa.select(AgreementSigning)
            .where(AgreementSigning.group_id == group.id)
            .order_by(AgreementSigning.id.desc())
        ).scalars()
    )


def signing_order(group: PurchasingGroup) -> list[Membership]:
    """The active members as proposed: the others by name, the coordinator last (it signs once all have)."""
    members = active_memberships(group)
    return sorted(members, key=lambda m: m.tenant_id == group.coordinator_tenant_id)


def candidates(group: PurchasingGroup) -> dict[int, list[devices.GroupMember]]:
    """Per active membership, the persons who may sign for it: its elected members in office."""
    people = devices.group_members(group)
    return {m.id: [p for p in people if m.tenant_id in p.mandates] for m in active_memberships(group)}


def _presidents(tenant_ids: list[int]) -> dict[int, int]:
    """Tenant id -> the person presiding its council today (the executive of every kind of collectivity)."""
    today = datetime.now(PARIS).date()
    with context(db.session, SYSTEM):
        rows = db.session.execute(
            sa.select(Mandate.tenant_id, Mandate.person_id)
            .join(Assembly, Assembly.id == Mandate.assembly_id)
            .where(
                Mandate.tenant_id.in_(tenant_ids),
                Assembly.kind == AssemblyKind.COUNCIL,
                Mandate.role == MandateRole.PRESIDENT,
                Mandate.in_office_on(today),
            )
        ).all()
    return dict(rows)


def proposal(group: PurchasingGroup) -> list[tuple[Membership, list[devices.GroupMember], int | None, str]]:
    """What the start form proposes, in the proposed order: each member, who may sign for it, the president
    of its council (if any), and the executive's title of its kind."""
    order, choices = signing_order(group), candidates(group)
    presidents = _presidents([m.tenant_id for m in order])
    return [(m, choices[m.id], presidents.get(m.tenant_id), EXECUTIVE_TITLES[m.tenant.kind]) for m in order]


def stalled_on(signing: AgreementSigning) -> AgreementSigner | None:
    """The signatory whose turn it is, if they are no longer an elected member in office of their member:
    the request has left their book, and the round waits until the coordinator cancels and starts again."""
    current = next((s for s in signing.signers if s.status == StepStatus.PENDING), None)
    if signing.status != SigningStatus.IN_PROGRESS or current is None:
        return None
    group = db.session.get(PurchasingGroup, signing.group_id)
    in_office = {p.person_id for p in candidates(group).get(current.membership_id, [])}
    return None if current.person_id in in_office else current


def signed_filename(group: PurchasingGroup) -> str:
    return f"signee-{group.agreement_filename or 'convention-constitutive.pdf'}"


def signed_agreement(signing: AgreementSigning) -> bytes | None:
    """The PDF signed by every member, once there is one."""
    if signing.signed_blob_id is None:
        return None
    group = db.session.get(PurchasingGroup, signing.group_id)
    with context(db.session, TenantContext(tenant_id=group.coordinator_tenant_id)):
        return read_all(signing.signed_blob)


def validation_report(signing: AgreementSigning) -> ValidationReport | None:
    """The validation report of the PDF signed by all, trusting what each signing member trusts (its
    embedded CA, its timestamp authority, the anchors it configured): every signature, checked offline."""
    content = signed_agreement(signing)
    if content is None:
        return None
    group = db.session.get(PurchasingGroup, signing.group_id)
    anchors = []
    for signer in signing.signers:
        with context(db.session, TenantContext(tenant_id=signer.membership.tenant_id)):
            anchors += trust.trust_anchors(signer.membership.tenant)
    with tempfile.TemporaryDirectory(prefix="quorum-agreement-") as folder:
        path = Path(folder) / "signed.pdf"
        path.write_bytes(content)
        with context(db.session, TenantContext(tenant_id=group.coordinator_tenant_id)):
            return validate(group.coordinator, path, signed_filename(group), anchors)


# --- Starting and cancelling ----------------------------------------------------------------------


def _check(group: PurchasingGroup, signatories: Sequence[Signatory]) -> list[Signatory]:
    if group.agreement_blob_id is None:
        raise PurchasingError("Déposez d'abord la convention constitutive.")
    refuse_while_signing(group, "d'en lancer une nouvelle")
    expected = {m.id for m in active_memberships(group)}
    given = [s.membership.id for s in signatories]
    if sorted(given) != sorted(expected) or any(s.membership.group_id != group.id for s in signatories):
        raise PurchasingError("Chaque membre du groupement signe la convention : désignez un signataire pour chacun.")
    choices = candidates(group)
    checked = []
    for signatory in signatories:
        tenant = signatory.membership.tenant
        if signatory.person.id not in {p.person_id for p in choices[signatory.membership.id]}:
            raise PurchasingError(
                f"{signatory.person.full_name} n'a pas de mandat d'élu en cours à {tenant.name} : "
                "choisissez l'un de ses élus.",
                "signatories",
            )
        role = " ".join((signatory.role or "").split())
        if not role:
            raise PurchasingError(f"Indiquez la qualité du signataire de {tenant.name}.", "signatories")
        if len(role) > 200:
            raise PurchasingError("La qualité du signataire ne peut dépasser 200 caractères.", "signatories")
        checked.append(dataclasses.replace(signatory, role=role))
    return checked


def start(group: PurchasingGroup, signatories: Sequence[Signatory], actor: Person | None) -> AgreementSigning:
    """A new round: every member's field prepared on the agreement, then the first signatory's turn."""
    signatories = _check(group, signatories)
    with book_files.workspace() as folder:
        with context(db.session, TenantContext(tenant_id=group.coordinator_tenant_id)):
            source = book_files.write_blob(group.agreement_blob, folder / "agreement.pdf")
            try:
                specs = book_files.plan_fields(source, len(signatories))
                pades.prepare_fields(source, folder / "prepared.pdf", specs)
            except pades.PadesError as error:
                raise PurchasingError(str(error), "file") from error
            prepared = book_files.store_file(group.coordinator_tenant_id, folder / "prepared.pdf")
        signing = AgreementSigning(
            group_id=group.id,
            agreement_blob_id=group.agreement_blob_id,
            prepared_blob_id=prepared.id,
            started_by_id=actor.id if actor else None,
        )
        for position, (signatory, spec) in enumerate(zip(signatories, specs, strict=True), start=1):
            signing.signers.append(
                AgreementSigner(
                    membership_id=signatory.membership.id,
                    position=position,
                    person_id=signatory.person.id,
                    role=signatory.role,
                    field_name=spec.name,
                )
            )
        db.session.add(signing)
        db.session.flush()
        audit(
            "agreement.signing_started",
            actor,
            signing,
            sha256=prepared.sha256,
            signers=[
                {"tenant_id": s.membership.tenant_id, "person_id": s.person.id, "role": s.role} for s in signatories
            ],
        )
        _open_turn(group, signing, signing.signers[0], folder / "prepared.pdf")
    return signing


def _locked(signing: AgreementSigning) -> AgreementSigning:
    """The round and its signers re-read under a row lock on the round. Lock order, everywhere: a member's
    request first (the signature book locks it to sign, refuse or cancel), then the round."""
    signing = db.session.execute(
        sa.select(AgreementSigning)
        .where(AgreementSigning.id == signing.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    db.session.execute(
        sa.select(AgreementSigner)
        .where(AgreementSigner.signing_id == signing.id)
        .execution_options(populate_existing=True)
    ).all()
    return signing


def cancel(signing: AgreementSigning, actor: Person) -> None:
    """The coordinator stops a round in progress: the pending request leaves the member's book. Nothing is
    written unless the round and that request are still where the coordinator saw them."""
    pending = next((s for s in signing.signers if s.status == StepStatus.PENDING and s.request_id), None)
    request = None
    if pending is not None:
        with context(db.session, TenantContext(tenant_id=pending.membership.tenant_id)):
            request = book.locked(db.session.get(SignatureRequest, pending.request_id))
    signing = _locked(signing)
    if signing.status != SigningStatus.IN_PROGRESS:
        raise PurchasingError("Cette signature de la convention n'est plus en cours.")
    current = next((s for s in signing.signers if s.status == StepStatus.PENDING), None)
    if current is not None and (request is None or current.request_id != request.id):
        raise PurchasingError("La convention vient de passer au membre suivant : rechargez la page et recommencez.")
    _close(signing, SigningStatus.CANCELLED)
    if request is not None and request.status == RequestStatus.PENDING:
        with context(db.session, TenantContext(tenant_id=pending.membership.tenant_id)):
            book.cancel(request, actor)
    audit("agreement.signing_cancelled", actor, signing)


def _close(signing: AgreementSigning, status: SigningStatus) -> None:
    signing.status, signing.closed_at = status, utcnow()
    for signer in signing.signers:
        if signer.status in (StepStatus.WAITING, StepStatus.PENDING):
            signer.status = StepStatus.CANCELLED
    db.session.flush()


# --- One member's turn, and what its signature book tells us ---------------------------------------


def _open_turn(group: PurchasingGroup, signing: AgreementSigning, signer: AgreementSigner, pdf: Path) -> None:
    """The request in the member's collectivity, on ``pdf`` (the agreement as signed so far)."""
    tenant = signer.membership.tenant
    count = len(signing.signers)
    title = f"Convention constitutive — {group.name} (signature {signer.position}/{count} : {tenant.name})"
    with context(db.session, TenantContext(tenant_id=tenant.id)):
        try:
            request = book.request_prepared(
                tenant,
                title=title[:300],
                filename=f"convention-constitutive-{tenant.slug}.pdf",
                pdf=pdf,
                signers=[(book.Signer(signer.person, signer.role), signer.field_name)],
                actor=None,
            )
        except book.BookError as error:
            raise PurchasingError(f"{tenant.name} : {error.message}") from error
    signer.request_id, signer.status = request.id, StepStatus.PENDING
    db.session.flush()


def carry_on(request: SignatureRequest, **_) -> None:
    """A member's request closed (``book.request_closed``, connected in ``saas.create_app``): mirror it, then
    hand the signed PDF on, finish the round, or end it. Runs in the signer's transaction, under the lock
    the book holds on the request; a failure undoes the signature and tells the signer why, in French."""
    signer = db.session.execute(
        sa.select(AgreementSigner).where(AgreementSigner.request_id == request.id)
    ).scalar_one_or_none()
    if signer is None:
        return
    signing = _locked(signer.signing)
    signer = next(s for s in signing.signers if s.request_id == request.id)
    step = request.steps[0]
    if signer.status == step.status:
        return  # already carried on
    signer.status, signer.signed_at, signer.refused_at, signer.reason = (
        step.status,
        step.signed_at,
        step.refused_at,
        step.reason,
    )
    db.session.flush()
    if signing.status != SigningStatus.IN_PROGRESS:
        return  # the coordinator cancelled the round: nothing goes on
    group = db.session.get(PurchasingGroup, signing.group_id)
    if request.status != RequestStatus.SIGNED:
        _close(signing, SigningStatus.REFUSED if request.status == RequestStatus.REFUSED else SigningStatus.CANCELLED)
        audit(f"agreement.signing_{signing.status}", None, signing, tenant_id=signer.membership.tenant_id)
        _tell_coordinators(group, signing, signer)
        return
    try:
        _hand_on(group, signing, signer, request)
    except Exception as error:  # storage or database trouble: the signature is not kept without its hand-on
        log.exception("agreement round %s: handing on after request %s failed", signing.id, request.id)
        raise book.BookError(
            "La convention n'a pas pu être transmise au membre suivant : votre signature n'est pas enregistrée. "
            "Réessayez dans un instant."
        ) from error


def _hand_on(group: PurchasingGroup, signing: AgreementSigning, signer: AgreementSigner, request) -> None:
    following = next((s for s in signing.signers if s.position > signer.position), None)
    if following is not None and (following.status != StepStatus.WAITING or following.request_id is not None):
        return  # handed on already
    with book_files.workspace() as folder:
        with context(db.session, TenantContext(tenant_id=request.tenant_id)):
            pdf = book_files.write_blob(request.current_blob, folder / "signed.pdf")
        if following is not None:
            try:
                _open_turn(group, signing, following, pdf)
            except PurchasingError as error:  # e.g. the next signatory left office meanwhile
                following.reason = error.message
                _close(signing, SigningStatus.CANCELLED)
                audit("agreement.signing_cancelled", None, signing, reason=error.message)
                _tell_coordinators(group, signing, following)
            return
        with context(db.session, TenantContext(tenant_id=group.coordinator_tenant_id)):
            signed = book_files.store_file(group.coordinator_tenant_id, pdf)
    signing.signed_blob_id = signed.id
    signing.status, signing.closed_at = SigningStatus.SIGNED, utcnow()
    replaced = []
    for each in signing.signers:
        member = each.membership
        if member.agreement_signed_on is not None:
            replaced.append(
                {"tenant_id": member.tenant_id, "on": member.agreement_signed_on, "by": member.agreement_signed_by}
            )
        member.agreement_signed_on = each.signed_at.astimezone(PARIS).date()
        member.agreement_signed_by = f"{each.person.full_name}, {each.role}"[:200]
    db.session.flush()
    audit("agreement.signed", None, signing, sha256=signed.sha256, replaced_records=replaced)
    _tell_coordinators(group, signing, signer)


def signing_url(signing: AgreementSigning) -> str:
    """The round's console page, absolute (mails)."""
    return external_url(f"/group/agreement/signings/{signing.id}")


def _coordinators() -> list[Person]:
    return list(db.session.execute(sa.select(Person).where(Person.is_coordinator, Person.is_active)).scalars())


def _tell_coordinators(group: PurchasingGroup, signing: AgreementSigning, signer: AgreementSigner) -> None:
    """One mail per coordinator and outcome (unique keys): signed by all, refused, or withdrawn."""
    tenant = signer.membership.tenant
    if signing.status == SigningStatus.SIGNED:
        subject = "Convention constitutive signée par tous les membres"
        news = f"La convention constitutive du {group.name} est signée électroniquement par tous les membres."
    elif signing.status == SigningStatus.REFUSED:
        subject = f"Convention constitutive : signature refusée ({tenant.name})"
        news = (
            f"{signer.person.full_name} ({signer.role}, {tenant.name}) a refusé de signer.\n\nMotif : {signer.reason}"
        )
    elif signer.request_id is None:
        subject = f"Convention constitutive : signature interrompue ({tenant.name})"
        news = f"La convention n'a pas pu être transmise à {tenant.name} : {signer.reason}"
    else:
        subject = f"Convention constitutive : signature retirée ({tenant.name})"
        news = f"{tenant.name} a retiré la convention de son parapheur avant la signature de {signer.person.full_name}."
    for person in _coordinators():
        queue_mail(
            f"purchasing-agreement:{signing.id}:{signing.status}:{person.id}",
            to=person.email,
            subject=subject,
            body=f"Bonjour {person.full_name},\n\n{news}\n\nLe suivi : {signing_url(signing)}\n",
            tenant_id=None,
        )
