"""The signature book on the web: "Mon parapheur" across collectivities, a document's page (download, sign
with a second-factor code, refuse with a reason, comment), batch signing with its progress, and the
secretariat's screens to put documents in the book (a sitting's documents, or an uploaded PDF).

Thin views: read the form (``forms.py``), load what the URL names (404 if missing, another tenant's, or not
the caller's to see), call the operations of ``saas.signing.book.operations`` (which hold every rule), commit
once. A refusal is shown on the form that caused it, under its field, with status 422: each view names that
page with ``on_refusal`` and the one refusal handler (``saas.core.errors``) rolls back and answers it — or,
for a wrong second-factor code, commits it first, so that it counts towards the code throttle, as at login.
"""

from datetime import date
from itertools import groupby

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from saas.core.database import commit
from saas.core.errors import on_refusal, show_on
from saas.core.extensions import db
from saas.identity.models import Person, TenantGrant
from saas.identity.web import tenant_blueprint
from saas.signing.book import batches as book_batches
from saas.signing.book import operations as book
from saas.signing.book.access import candidate_signers, load_batch, load_request, signers_from
from saas.signing.book.forms import BatchForm, CommentForm, RefusalForm, SignForm, SittingRequestForm, UploadRequestForm
from saas.signing.book.models import RequestStatus, SignatureRequest, StepStatus
from saas.signing.models import ItemStatus
from saas.sittings.access import load_sitting
from saas.sittings.models import Sitting
from saas.sittings.presentation import BADGE_COLOURS
from saas.storage.http import send_blob
from saas.tenancy.models import Tenant

bp = tenant_blueprint("signature_book", __name__)
book_bp = Blueprint("signature_book_inbox", __name__)

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


def _book_page(refusal: tuple[int, str] | None = None, ticked: frozenset[int] = frozenset()):
    """The book ("Mon parapheur"); after a refused batch, its message above the form of that collectivity,
    and the documents that were ticked ticked again."""
    entries = sorted(
        book.book_for(current_user), key=lambda e: (e.tenant_name, e.tenant_id, e.requested_at, e.request_id)
    )
    by_tenant = [list(group) for _, group in groupby(entries, key=lambda entry: entry.tenant_id)]
    return render_template("signing/book.html", by_tenant=by_tenant, batch_refusal=refusal, ticked=ticked)


@book_bp.get("/parapheur")
@login_required
def my_book():
    return _book_page()


# --- A document of the book -----------------------------------------------------------------------


def _request_page(signature_request: SignatureRequest, **forms):
    me = current_user
    mine = book.step_of(signature_request, me)
    comment_form = forms.get("comment_form") or CommentForm(formdata=None, comment=mine.comment if mine else "")
    return render_template(
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
        sign_form=forms.get("sign_form") or SignForm(formdata=None),
        refusal_form=forms.get("refusal_form") or RefusalForm(formdata=None),
        comment_form=comment_form,
        refusal=forms.get("refusal"),
    )


def _refused_on(signature_request: SignatureRequest, name: str, form, field: str) -> None:
    """A refusal of this action is shown on its form, under its field (the one handler answers it)."""
    on_refusal(lambda error: _request_page(signature_request, **{name: show_on(form, error, field)}))


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
    form = SignForm()
    _refused_on(signature_request, "sign_form", form, "code")
    book.sign(signature_request, current_user, form.code.data)  # a wrong code is kept: it counts (throttle)
    return _done(signature_request, _("Document signé."))


@bp.post("/parapheur/<int:request_id>/refuser")
def refuse(request_id: int):
    signature_request = load_request(g.tenant, request_id, current_user)
    form = RefusalForm()
    _refused_on(signature_request, "refusal_form", form, "reason")
    book.refuse(signature_request, current_user, form.reason.data)
    return _done(signature_request, _("Signature refusée ; le secrétariat en est informé."))


@bp.post("/parapheur/<int:request_id>/commenter")
def comment(request_id: int):
    signature_request = load_request(g.tenant, request_id, current_user)
    form = CommentForm()
    _refused_on(signature_request, "comment_form", form, "comment")
    book.comment(signature_request, current_user, form.comment.data)
    return _done(signature_request, _("Commentaire enregistré."))


@bp.post("/parapheur/<int:request_id>/retirer")
def cancel(request_id: int):
    signature_request = load_request(g.tenant, request_id, current_user)
    if signature_request.requested_by_id != current_user.id and not book.manages(current_user, signature_request):
        abort(404)
    on_refusal(lambda error: _request_page(signature_request, refusal=error.message))
    book.cancel(signature_request, current_user)
    return _done(signature_request, _("Document retiré du parapheur."))


# --- Batches --------------------------------------------------------------------------------------


@bp.post("/parapheur/lot")
def sign_batch():
    form = BatchForm()
    on_refusal(lambda error: _book_page((g.tenant.id, error.message), frozenset(form.request.data or [])))
    if form.request.invalid:
        abort(404)
    requests_ = [load_request(g.tenant, number, current_user) for number in sorted(set(form.request.data))]
    batch = book_batches.sign_batch(g.tenant, current_user, requests_, form.code.data)
    commit(db.session)
    return redirect(url_for(".batch_page", batch_id=batch.id))


@bp.get("/parapheur/lots/<int:batch_id>")
def batch_page(batch_id: int):
    batch = load_batch(g.tenant, batch_id, current_user)
    return render_template(
        "signing/book_batch.html", tenant=g.tenant, batch=batch, rows=book_batches.batch_steps(batch)
    )


# --- The secretariat: putting documents in the book -----------------------------------------------


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


def _request_form_page(form, sitting: Sitting | None = None):
    page = render_template(
        "signing/book_new.html",
        tenant=g.tenant,
        sitting=sitting,
        form=form,
        requests_=book.requests_of(g.tenant, sitting) if sitting is not None else [],
    )
    return page, 422 if request.method == "POST" else 200


@bp.route("/parapheur/nouvelle", methods=["GET", "POST"])
def new_request():
    if not book.may_request(current_user, g.tenant):
        abort(404)
    candidates = candidate_signers(g.tenant)
    form = UploadRequestForm()
    form.set_candidates(candidates)
    if request.method == "GET":
        form.set_rows(book.proposed_signers(None, date.today()))
    if form.validate_on_submit():
        on_refusal(lambda error: _request_form_page(show_on(form, error))[0])
        created = book.request_signatures(
            g.tenant,
            title=form.title.data,
            signers=signers_from(form.rows(), candidates),
            actor=current_user,
            upload=(form.file.data.stream, form.file.data.filename),
        )
        return _done(created, _("Document placé dans le parapheur."))
    return _request_form_page(form)


@bp.route("/s/<int:sitting_id>/signatures", methods=["GET", "POST"])
def sitting_requests(sitting_id: int):
    sitting = load_sitting_to_request(g.tenant, sitting_id, current_user)
    candidates = candidate_signers(g.tenant)
    form = SittingRequestForm()
    form.set_candidates(candidates)
    form.set_versions(book.sitting_versions(sitting))
    if request.method == "GET":
        form.set_rows(book.proposed_signers(sitting, date.today()))
    if form.validate_on_submit():
        on_refusal(lambda error: _request_form_page(show_on(form, error), sitting)[0])
        signers = signers_from(form.rows(), candidates)
        created = book.request_sitting_signatures(g.tenant, sitting, form.chosen(), signers, current_user)
        commit(db.session)
        flash(_("%(n)s document(s) placé(s) dans le parapheur.", n=len(created)), "success")
        return redirect(url_for(".sitting_requests", sitting_id=sitting.id))
    return _request_form_page(form, sitting)
