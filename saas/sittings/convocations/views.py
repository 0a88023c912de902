"""Convening from the sitting page ("Convoquer") and the progress of the sending, for the secretariat.

Only the assembly's secretariat sees these routes; anyone else (and any other tenant) gets 404.
"""

from flask import abort, flash, g, jsonify, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from saas.core.database import commit
from saas.core.extensions import db
from saas.identity.web import tenant_blueprint
from saas.sittings import forms
from saas.sittings.convocations.access import load_managed_sitting
from saas.sittings.convocations.operations import convocation_progress, send_convocations
from saas.sittings.models import Sitting
from saas.sittings.operations import SittingError
from saas.sittings.presentation import labels
from saas.sittings.views import _refused

bp = tenant_blueprint("convocations", __name__)
#: a refusal renders the sitting page, which needs the sittings blueprint's template helpers
bp.context_processor(labels)


@bp.app_context_processor
def progress_helper():
    """Lets sittings/_convocation.html, included in a page rendered elsewhere, read the progress."""
    return {"convocation_progress": convocation_progress}


@bp.post("/s/<int:sitting_id>/convocations")
def send(sitting_id: int):
    sitting = load_managed_sitting(g.tenant, sitting_id, current_user)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    try:
        convocations = send_convocations(sitting, current_user)
    except SittingError as error:
        db.session.rollback()
        return _refused(db.session.get(Sitting, sitting_id), error.message)
    commit(db.session)
    flash(_("Convocations en cours d'envoi : %(count)d destinataires.", count=len(convocations)), "success")
    return redirect(url_for("sittings.sitting", sitting_id=sitting_id))


@bp.get("/s/<int:sitting_id>/convocations/progress")
def progress(sitting_id: int):
    sent, total = convocation_progress(load_managed_sitting(g.tenant, sitting_id, current_user))
    return jsonify(sent=sent, total=total, done=total > 0 and sent == total)
