"""What the coordinator's console shares, pages (/group/…) and API (/api/v1/group/…) alike: who may use it,
the objects its URLs name, and how it answers.

Every console blueprint is made here, so none can forget the access check: anyone but the coordinator and
operators gets 404 on every route, as for a missing id. Objects named in the URL are loaded before the body
is read; an object of no group, or of none at all, is 404 too. The ``message`` given to ``abort`` is what
API clients read; pages show the French page of the status.
"""

from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_smorest import Blueprint as ApiBlueprint
from flask_smorest import abort

from saas.core.database import commit
from saas.core.errors import on_refusal
from saas.core.extensions import db
from saas.groupement import forms, operations
from saas.groupement.models import Lot, PurchasingGroup
from saas.groupement.operations import PurchasingError
from saas.identity.models import Person
from saas.identity.web import api_blueprint

URL_PREFIX = "/group"
API_URL_PREFIX = "/api/v1/group"
NOT_VISIBLE = "Inconnu, ou réservé au coordonnateur du groupement."
REFUSED = "Refus : le message dit pourquoi (en français)."
FILE_DOC = {"responses": {"200": {"description": "Le fichier.", "content": {"application/pdf": {}}}}}


def coordinator_only() -> None:
    """404, not 403: the console does not exist for whoever may not use it. Runs once the caller is known
    (the login for pages, the bearer check for the API)."""
    if current_user.is_authenticated and not operations.may_use_console(current_user):
        abort(404, message=NOT_VISIBLE)


def labels() -> dict:
    """What the console's templates show of statuses, keys and amounts."""
    return {
        "milestone_statuses": forms.MILESTONE_STATUSES,
        "device_statuses": forms.DEVICE_STATUSES,
        "sharing_keys": forms.SHARING_KEYS,
        "today": date.today(),
    }


def console_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint of console pages under /group: login required, 404 for anyone but the coordinator."""
    bp = Blueprint(name, import_name, url_prefix=URL_PREFIX)
    bp.before_request(login_required(coordinator_only))
    bp.context_processor(labels)
    return bp


def console_api_blueprint(name: str, import_name: str, description: str) -> ApiBlueprint:
    """A blueprint of console API routes under /api/v1/group (its OpenAPI tag is ``name``): bearer token
    required, then 404 for anyone but the coordinator."""
    blp = api_blueprint(ApiBlueprint(name, import_name, url_prefix=API_URL_PREFIX, description=description))
    blp.before_request(coordinator_only)
    return blp


# --- The objects the URLs name --------------------------------------------------------------------


def load_group() -> PurchasingGroup:
    group = operations.current_group()
    if group is None:
        abort(404, message="Le groupement n'est pas encore créé.")
    return group


def load(model, object_id: int):
    """The group and its ``model`` row ``object_id``; 404 if there is none, or it is not the group's."""
    group = load_group()
    obj = db.session.get(model, object_id)
    owner = obj.contract.group_id if isinstance(obj, Lot) else getattr(obj, "group_id", None)
    if obj is None or owner != group.id:
        abort(404, message=NOT_VISIBLE)
    return group, obj


# --- Answers --------------------------------------------------------------------------------------


def attachment(content: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def me() -> Person:
    """The person behind ``current_user``, for the operations that keep it (pages)."""
    return current_user._get_current_object()


def form_page(form, title: str, submit: str, back: str, **context):
    """A form page; shown again after a POST, the form was refused (422)."""
    page = render_template("groupement/form.html", form=form, title=title, submit=submit, back=back, **context)
    return page, 422 if request.method == "POST" else 200


def refused(form, error: PurchasingError):
    """Show a refusal on the form: under its field if it names one, else above the form; returns the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
    return form


def refusal_on_form_page(form, title: str, submit: str, back: str, **context) -> None:
    """A refusal of this request is shown on ``form`` (``refused``), on its page (``form_page``'s
    arguments): the one refusal handler (``saas.core.errors``) rolls back and answers it, 422."""
    on_refusal(lambda error: form_page(refused(form, error), title, submit, back, **context))


def done(message: str, endpoint: str, **values):
    """Commit, say so, and go to ``endpoint`` (a page)."""
    commit(db.session)
    flash(message, "success")
    return redirect(url_for(endpoint, **values))
