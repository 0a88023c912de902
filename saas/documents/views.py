"""Documents on the web: the secretariat uploads and replaces, members read and download; the board book.

The access rules are the API's own (saas/documents/api.py ``item_or_404`` / ``document_or_404``),
imported rather than copied so both doors answer the same 404s. Upload forms are checked for access
before the request body is read, so a caller without the right never makes the server receive a file.
A refusal (not a PDF, damaged, encrypted, too large…) is shown on a page of its own with the French
reason and status 422 or 413: each upload names that page with ``on_refusal``, and the one refusal handler
(``saas.core.errors``) rolls the transaction back first, so nothing is left behind.
"""

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from saas.core import display
from saas.core.database import commit
from saas.core.errors import on_refusal
from saas.core.extensions import db
from saas.documents import operations
from saas.documents.access import (
    document_or_404,
    item_or_404,
    may_change,
    report_or_404,
    seen_placement,
    sits_in_closed_session,
)
from saas.documents.board_book.operations import (
    STATUS_LABELS,
    BoardBookStatus,
    contains_confidential,
    find_board_book,
    request_board_book,
)
from saas.documents.intake.check import PdfCheckFailed
from saas.documents.models import KIND_LABELS, UPLOADED_KINDS
from saas.documents.readings import note_download
from saas.identity.web import tenant_blueprint
from saas.sittings.access import load_sitting
from saas.sittings.presentation import labels as sitting_labels
from saas.storage.http import send_blob

bp = tenant_blueprint("documents", __name__)

KIND_CHOICES = [(kind.value, KIND_LABELS[kind].capitalize()) for kind in UPLOADED_KINDS]
MISSING_FILE = _l("Joignez le fichier PDF.")


class UploadForm(FlaskForm):
    #: checked by operations.add_document (French refusal for an unknown kind)
    kind = StringField(_l("Type"), validators=[InputRequired(_l("Choisissez le type de document."))])
    title = StringField(
        _l("Titre"), validators=[InputRequired(_l("Le titre du document est obligatoire.")), Length(max=300)]
    )
    file = FileField(_l("Fichier PDF"), validators=[FileRequired(MISSING_FILE)])


class ReplaceForm(FlaskForm):
    note = TextAreaField(_l("Motif du remplacement"), validators=[Optional(), Length(max=5000)])
    file = FileField(_l("Fichier PDF"), validators=[FileRequired(MISSING_FILE)])


def human_size(size: int) -> str:
    """File size: "850 o", "12,4 Ko", "3,1 Mo" (saas.core.display)."""
    return display.format_size(size)


@bp.app_context_processor
def documents_on_pages():
    """What the sitting page needs for documents and its board book, computed only when called; plus the
    sittings labels, so the page renders the same when another area's route shows it (a refused form)."""
    return sitting_labels() | {
        "item_documents": lambda item: [d for d in operations.documents_of(item.report) if not d.withdrawn],
        "board_book_of": find_board_book,
        "document_kind_labels": KIND_LABELS,
        "document_kind_choices": KIND_CHOICES,
        "board_book_labels": STATUS_LABELS,
        "human_size": human_size,
        "documents_open": lambda sitting: sitting.status not in operations.FROZEN,
        "board_book_visible": _may_read_book,
    }


def _refused(message: str, code: int, back: str):
    """The refusal page (a refusal of the domain comes here after the handler's rollback: no row, no stored
    object)."""
    return render_template("documents/refused.html", code=code, message=message, back=back), code


def _form_refusal(form: FlaskForm) -> str:
    messages = [str(m) for errors in form.errors.values() for m in errors]
    return " ".join(messages) or _("Le formulaire n'est pas valide ; rechargez la page et réessayez.")


def _after_change(back: str, message: str, version=None):
    commit(db.session)
    flash(message, "success")
    if version is not None and version.removed_active_content:
        removed = ", ".join(removal["label"] for removal in version.removed_active_content)
        flash(_("Retiré du fichier avant publication : %(removed)s.", removed=removed), "warning")
    return redirect(back)


def _upload_error(error: Exception, back: str):
    if isinstance(error, operations.DocumentTooLarge):
        return _refused(error.message, 413, back)
    if isinstance(error, PdfCheckFailed):
        return _refused(error.message, 503, back)
    return _refused(error.message, 422, back)


@bp.post("/items/<int:item_id>/documents")
def upload(item_id: int):
    item = item_or_404(g.tenant.slug, item_id, manage=True)
    back = url_for("sittings.sitting", sitting_id=item.sitting_id)
    form = UploadForm()
    if not form.validate_on_submit():
        return _refused(_form_refusal(form), 422, back)
    on_refusal(lambda error: _upload_error(error, back))
    document = operations.add_item_document(
        item, form.kind.data, form.title.data, form.file.data.stream, form.file.data.filename, current_user
    )
    message = _("Document ajouté au point %(n)s.", n=item.position)
    return _after_change(back, message, document.current_version)


@bp.post("/rapports/<int:report_id>/documents")
def upload_to_report(report_id: int):
    report = report_or_404(g.tenant.slug, report_id, manage=True)
    back = url_for(".report_documents", report_id=report.id)
    form = UploadForm()
    if not form.validate_on_submit():
        return _refused(_form_refusal(form), 422, back)
    on_refusal(lambda error: _upload_error(error, back))
    document = operations.add_document(
        report, form.kind.data, form.title.data, form.file.data.stream, form.file.data.filename, current_user
    )
    message = _("Document « %(title)s » ajouté au rapport.", title=document.title)
    return _after_change(back, message, document.current_version)


@bp.get("/rapports/<int:report_id>/documents")
def report_documents(report_id: int):
    """A report's documents, before and after it reaches an agenda; the upload form for who may change it."""
    report = report_or_404(g.tenant.slug, report_id)
    frozen = any(item.sitting.status in operations.FROZEN for item in operations.placed_items(report))
    return render_template(
        "documents/report_documents.html",
        tenant=g.tenant,
        report=report,
        documents=[d for d in operations.documents_of(report) if not d.withdrawn],
        may_upload=may_change(report) and not frozen,
        form=UploadForm(),
        summary_note_required=operations.summary_note_required(g.tenant),
    )


@bp.post("/documents/<int:document_id>/versions")
def replace(document_id: int):
    document = document_or_404(g.tenant.slug, document_id, manage=True)
    back = url_for(".history", document_id=document.id)
    form = ReplaceForm()
    if not form.validate_on_submit():
        return _refused(_form_refusal(form), 422, back)
    on_refusal(lambda error: _upload_error(error, back))
    version = operations.replace_document(
        document, form.file.data.stream, form.file.data.filename, current_user, form.note.data
    )
    message = _("Version %(n)s de « %(title)s » déposée.", n=version.number, title=document.title)
    return _after_change(url_for(".history", document_id=document.id), message, version)


def _visible_sitting(sitting_id: int):
    """The sitting as the sitting page shows it (404 for a draft to members, another tenant's…)."""
    return load_sitting(g.tenant, sitting_id, current_user)


@bp.get("/documents/<int:document_id>")
def history(document_id: int):
    document = document_or_404(g.tenant.slug, document_id)
    placement = seen_placement(document.report)
    return render_template(
        "documents/history.html",
        tenant=g.tenant,
        placement=placement,
        document=document,
        may_replace=may_change(document.report)
        and not document.withdrawn
        and not any(item.sitting.status in operations.FROZEN for item in operations.placed_items(document.report)),
        form=ReplaceForm(),
        kind_labels=KIND_LABELS,
        human_size=human_size,
    )


@bp.get("/documents/<int:document_id>/versions/<int:number>/file")
def download(document_id: int, number: int):
    document = document_or_404(g.tenant.slug, document_id)
    version = next((v for v in document.versions if v.number == number), None)
    if version is None:
        abort(404)
    note_download(current_user, version)
    return send_blob(version.blob, version.filename, "application/pdf", inline=True)


# --- Board book -----------------------------------------------------------------------------------


def _may_read_book(sitting, manager: bool) -> bool:
    """Whoever sees the sitting page, except that a book holding a closed-session item is only for those
    who may read closed-session items (not guests)."""
    return manager or not contains_confidential(sitting) or sits_in_closed_session(g.tenant, sitting.assembly)


def _book_reader(sitting_id: int):
    """(sitting, manager) if the caller may read the sitting's board book, else 404."""
    sitting, manager = _visible_sitting(sitting_id)
    if not _may_read_book(sitting, manager):
        abort(404)
    return sitting, manager


@bp.get("/s/<int:sitting_id>/board-book")
def board_book_status(sitting_id: int):
    sitting, manager = _book_reader(sitting_id)
    book = find_board_book(sitting)
    return render_template(
        "documents/board_book.html",
        tenant=g.tenant,
        sitting=sitting,
        book=book,
        manager=manager,
        labels=STATUS_LABELS,
        form=FlaskForm(),
    )


@bp.post("/s/<int:sitting_id>/board-book")
def board_book_request(sitting_id: int):
    sitting, manager = _visible_sitting(sitting_id)
    if not manager:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    request_board_book(sitting)
    commit(db.session)
    flash(_("Le recueil est demandé ; il est constitué en arrière-plan."), "success")
    return redirect(url_for(".board_book_status", sitting_id=sitting.id))


@bp.get("/s/<int:sitting_id>/board-book.pdf")
def board_book_file(sitting_id: int):
    sitting, _manager = _book_reader(sitting_id)
    book = find_board_book(sitting)
    if book is None or book.status != BoardBookStatus.READY or book.blob is None:
        abort(404)
    name = f"recueil-{sitting.assembly.name}-{sitting.starts_at:%Y-%m-%d}.pdf"
    return send_blob(book.blob, operations.clean_filename(name), "application/pdf", inline=True)
