"""The signature book on the web: "Mon parapheur" across collectivities, a document's page (download, sign
with a second-factor code, refuse with a reason, comment), batch signing with its progress, and the
secretariat's screens to put documents in the book (a sitting's documents, or an uploaded PDF).

Thin views: load what the URL names (404 if missing, another tenant's, or not the caller's to see),
call the operations of ``saas.signing.book.operations`` (which hold every rule), commit once. A refusal is shown on
the page that caused it with status 422. A wrong second-factor code is committed before it is shown, so
that it counts towards the code throttle, as at login.
"""

from datetime import date
from itertools import groupby

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from saas.core.database import commit
from saas.core.extensions import db
from saas.core.inputs import parse_id
from saas.documents.models import Document, DocumentVersion
from saas.documents.operations import documents_of
from saas.identity.models import Mandate, MandateRole, Person, TenantGrant
from saas.identity.web import tenant_blueprint
from saas.signing.book import batches as book_batches
from saas.signing.book import operations as book
from saas.signing.book.access import candidate_signers, load_batch, load_request, signers_from
from saas.signing.book.models import RequestStatus, SignatureRequest, StepStatus
from saas.signing.models import ItemStatus
from saas.signing.operations import SigningRefused
from saas.sittings.access import load_sitting
from saas.sittings.models import Sitting
from saas.sittings.operations import active_items
from saas.sittings.presentation import BADGE_COLOURS
from saas.storage.http import send_blob
from saas.tenancy.models import Tenant

bp = tenant_blueprint("signature_book", __name__)
book_bp = Blueprint("signature_book_inbox", __name__)

#: signer rows offered on a request form
SIGNER_ROWS = 3
REQUEST_LABELS = {
    RequestStatus.PENDING: "en attente de signature",
    RequestStatus.SIGNED: "signé",
    RequestStatus.REFUSED: "refusé",
    RequestStatus.CANCELLED: "retiré",
}
STEP_LABELS = {
    StepStatus.WAITING: "attend les signatures précédentes",
    StepStatus.PENDING: "à signer",
    StepStatus.SIGNED: "a signé",
    StepStatus.REFUSED: "a refusé",
    StepStatus.CANCELLED: "sans objet",
}
ITEM_LABELS = {
    ItemStatus.PENDING: "en attente",
    ItemStatus.SIGNED: "signé",
    ItemStatus.ALREADY_SIGNED: "déjà signé",
    ItemStatus.FAILED: "échec",
}


@bp.context_processor
@book_bp.context_processor
def labels():
    return {
        "request_labels": REQUEST_LABELS,
        "step_labels": STEP_LABELS,
        "item_labels": ITEM_LABELS,
        "badge_colours": BADGE_COLOURS,
        "book_secretariats": secretariats,
    }


def secretariats() -> list[Tenant]:
    """The collectivities whose follow-up the sub-navigation links to: on a collectivity's page, that one if
    the caller may put its documents to signature; on "Mon parapheur", every one where they hold a grant."""
    if "tenant" in g:
        return [g.tenant] if book.may_request(current_user, g.tenant) else []
    return list(
        db.session.execute(
            sa.select(Tenant)
            .where(Tenant.id.in_(sa.select(TenantGrant.tenant_id).where(TenantGrant.person_id == current_user.id)))
            .order_by(Tenant.name)
        ).scalars()
    )


# --- Shared with the API --------------------------------------------------------------------------


def load_sitting_to_request(tenant: Tenant, sitting_id: int, person: Person) -> Sitting:
    sitting, _manager = load_sitting(tenant, sitting_id, person)
    if not book.may_request(person, tenant, sitting):
        abort(404)
    return sitting


# --- Mon parapheur --------------------------------------------------------------------------------


@book_bp.get("/parapheur")
@login_required
def my_book():
    entries = sorted(
        book.book_for(current_user), key=lambda e: (e.tenant_name, e.tenant_id, e.requested_at, e.request_id)
    )
    by_tenant = [list(group) for _, group in groupby(entries, key=lambda entry: entry.tenant_id)]
    return render_template("signing/book.html", by_tenant=by_tenant)


# --- A document of the book -----------------------------------------------------------------------


def _request_page(signature_request: SignatureRequest, status: int = 200, refusal: str | None = None):
    me = current_user
    mine = book.step_of(signature_request, me)
    page = render_template(
        "signing/book_request.html",
        tenant=g.tenant,
        request_=signature_request,
        my_step=mine,
        my_turn=signature_request.status == RequestStatus.PENDING
        and mine is not None
        and mine.status == StepStatus.PENDING,
        may_comment=signature_request.status == RequestStatus.PENDING
        and mine is not None
        and mine.status in book.REACHED,
        may_cancel=signature_request.status == RequestStatus.PENDING
        and (signature_request.requested_by_id == me.id or book.manages(me, signature_request)),
        refusal=refusal,
    )
    return page, status


@bp.get("/parapheur/<int:request_id>")
def request_page(request_id: int):
    return _request_page(load_request(g.tenant, request_id, current_user))


@bp.get("/parapheur/<int:request_id>/fichier")
def request_file(request_id: int):
    signature_request = load_request(g.tenant, request_id, current_user)
    return send_blob(signature_request.current_blob, signature_request.filename, "application/pdf", inline=True)


def _done(signature_request: SignatureRequest, message: str):
    commit(db.session)
    flash(message, "success")
    return redirect(url_for(".request_page", request_id=signature_request.id))


@bp.post("/parapheur/<int:request_id>/signer")
def sign(request_id: int):
    signature_request = load_request(g.tenant, request_id, current_user)
    try:
        book.sign(signature_request, current_user, request.form.get("code"))
    except SigningRefused as refused:
        commit(db.session)  # a wrong code counts towards the throttle
        return _request_page(signature_request, 422, str(refused))
    except book.BookError as error:
        db.session.rollback()
        return _request_page(load_request(g.tenant, request_id, current_user), 422, error.message)
    return _done(signature_request, _("Document signé."))


@bp.post("/parapheur/<int:request_id>/refuser")
def refuse(request_id: int):
    signature_request = load_request(g.tenant, request_id, current_user)
    try:
        book.refuse(signature_request, current_user, request.form.get("reason"))
    except book.BookError as error:
        return _request_page(signature_request, 422, error.message)
    return _done(signature_request, _("Signature refusée ; le secrétariat en est informé."))


@bp.post("/parapheur/<int:request_id>/commenter")
def comment(request_id: int):
    signature_request = load_request(g.tenant, request_id, current_user)
    try:
        book.comment(signature_request, current_user, request.form.get("comment"))
    except book.BookError as error:
        return _request_page(signature_request, 422, error.message)
    return _done(signature_request, _("Commentaire enregistré."))


@bp.post("/parapheur/<int:request_id>/retirer")
def cancel(request_id: int):
    signature_request = load_request(g.tenant, request_id, current_user)
    if signature_request.requested_by_id != current_user.id and not book.manages(current_user, signature_request):
        abort(404)
    try:
        book.cancel(signature_request, current_user)
    except book.BookError as error:
        return _request_page(signature_request, 422, error.message)
    return _done(signature_request, _("Document retiré du parapheur."))


# --- Batches --------------------------------------------------------------------------------------


def _requests_named(tenant: Tenant, ids: list[str]) -> list[SignatureRequest]:
    """The requests ticked, each one the caller may see in this collectivity (404 otherwise)."""
    try:
        numbers = sorted({parse_id(value) for value in ids})
    except ValueError:
        abort(404)
    return [load_request(tenant, number, current_user) for number in numbers]


@bp.post("/parapheur/lot")
def sign_batch():
    requests_ = _requests_named(g.tenant, request.form.getlist("request"))
    try:
        batch = book_batches.sign_batch(g.tenant, current_user, requests_, request.form.get("code"))
    except SigningRefused as refused:
        commit(db.session)
        flash(str(refused), "error")
        return redirect(url_for("signature_book_inbox.my_book"))
    except book.BookError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("signature_book_inbox.my_book"))
    commit(db.session)
    return redirect(url_for(".batch_page", batch_id=batch.id))


@bp.get("/parapheur/lots/<int:batch_id>")
def batch_page(batch_id: int):
    batch = load_batch(g.tenant, batch_id, current_user)
    return render_template(
        "signing/book_batch.html", tenant=g.tenant, batch=batch, rows=book_batches.batch_steps(batch)
    )


# --- The secretariat: putting documents in the book -----------------------------------------------


def _signer_rows() -> list[tuple[int | None, str]]:
    rows = []
    for n in range(1, SIGNER_ROWS + 1):
        value = request.form.get(f"signer-{n}", "")
        rows.append((int(value) if value.isdigit() else None, request.form.get(f"role-{n}", "")))
    return rows


def _default_rows(tenant: Tenant, sitting: Sitting | None) -> list[tuple[int | None, str]]:
    """The president of the sitting's assembly, then its secretary of the sitting, when known."""
    rows: list[tuple[int | None, str]] = [(None, _("Président de séance")), (None, _("Secrétaire de séance"))]
    if sitting is not None:
        for index, role in enumerate((MandateRole.PRESIDENT, MandateRole.SECRETARY_OF_SITTING)):
            person_id = db.session.execute(
                sa.select(Mandate.person_id)
                .where(Mandate.assembly_id == sitting.assembly_id, Mandate.role == role)
                .where(sa.or_(Mandate.end_date.is_(None), Mandate.end_date >= date.today()))
                .order_by(Mandate.start_date.desc())
            ).scalar()
            rows[index] = (person_id, rows[index][1])
    return rows + [(None, "")] * (SIGNER_ROWS - len(rows))


@bp.get("/parapheur/demandes")
def requests_list():
    if not book.may_request(current_user, g.tenant):
        abort(404)
    sittings = db.session.execute(
        sa.select(Sitting).where(Sitting.tenant_id == g.tenant.id).order_by(Sitting.starts_at.desc()).limit(20)
    ).scalars()
    visible = [sitting for sitting in sittings if book.may_request(current_user, g.tenant, sitting)]
    return render_template(
        "signing/book_requests.html", tenant=g.tenant, requests_=book.requests_of(g.tenant), sittings=visible
    )


@bp.route("/parapheur/nouvelle", methods=["GET", "POST"])
def new_request():
    if not book.may_request(current_user, g.tenant):
        abort(404)
    candidates = candidate_signers(g.tenant)
    rows, refusal = _default_rows(g.tenant, None), None
    if request.method == "POST":
        rows = _signer_rows()
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise book.BookError("Joignez le fichier PDF.")
            created = book.request_signatures(
                g.tenant,
                title=request.form.get("title"),
                signers=signers_from(rows, candidates),
                actor=current_user,
                upload=(upload.stream, upload.filename),
            )
        except book.BookError as error:
            db.session.rollback()
            refusal = error.message
        else:
            return _done(created, _("Document placé dans le parapheur."))
    page = render_template(
        "signing/book_new.html", tenant=g.tenant, sitting=None, candidates=candidates, rows=rows, refusal=refusal,
        versions=[], title=request.form.get("title", ""),
    )  # fmt: skip
    return page, 422 if refusal else 200


def _sitting_versions(sitting: Sitting) -> list[tuple[object, Document, DocumentVersion]]:
    return [
        (item, document, document.current_version)
        for item in active_items(sitting)
        for document in documents_of(item)
        if not document.withdrawn
    ]


@bp.route("/s/<int:sitting_id>/signatures", methods=["GET", "POST"])
def sitting_requests(sitting_id: int):
    sitting = load_sitting_to_request(g.tenant, sitting_id, current_user)
    candidates = candidate_signers(g.tenant)
    versions = _sitting_versions(sitting)
    rows, refusal = _default_rows(g.tenant, sitting), None
    if request.method == "POST":
        rows = _signer_rows()
        chosen = {int(value) for value in request.form.getlist("version") if value.isdigit()}
        try:
            signers = signers_from(rows, candidates)
            picked = [(item, document, version) for item, document, version in versions if version.id in chosen]
            if not picked:
                raise book.BookError("Cochez au moins un document à faire signer.")
            for item, document, version in picked:
                book.request_signatures(
                    g.tenant,
                    title=f"{item.position}. {item.title} — {document.title}",
                    signers=signers,
                    actor=current_user,
                    version=version,
                )
        except book.BookError as error:
            db.session.rollback()
            refusal = error.message
        else:
            commit(db.session)
            flash(_("%(n)s document(s) placé(s) dans le parapheur.", n=len(picked)), "success")
            return redirect(url_for(".sitting_requests", sitting_id=sitting.id))
    page = render_template(
        "signing/book_new.html", tenant=g.tenant, sitting=sitting, candidates=candidates, rows=rows,
        refusal=refusal, versions=versions, requests_=book.requests_of(g.tenant, sitting), title="",
    )  # fmt: skip
    return page, 422 if refusal else 200
