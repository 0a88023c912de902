"""The "Transmission à la préfecture" section of a deliberation's page (``templates/web/prefecture/
_transmission.html``, included by the act's page): its state, the "Préparer l'envoi" button, the prepared
package. For those who manage the act; the refusal of a preparation is shown on the act's page, in French."""

from flask import abort, flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from saas.acts.access import load_managed_act
from saas.acts.forms import ActionForm
from saas.core.database import commit
from saas.core.errors import on_refusal
from saas.core.extensions import db
from saas.identity.access import can_manage
from saas.identity.web import tenant_blueprint
from saas.prefecture import access
from saas.prefecture import operations as prefecture
from saas.prefecture.models import STATUS_LABELS
from saas.storage.http import send_blob

bp = tenant_blueprint("prefecture", __name__)


@bp.app_context_processor
def transmission_section():
    """What the act's page shows of its transmission (the page itself belongs to saas.acts, below)."""

    def section(act):
        manager = can_manage(current_user, "secretary", g.tenant, act.sitting.assembly)
        if not manager:
            return None
        return {
            "transmission": prefecture.latest_transmission(act),
            "labels": STATUS_LABELS,
            "form": ActionForm(),
        }

    return {"transmission_section": section}


@bp.post("/deliberations/<int:act_id>/transmission")
def prepare(act_id: int):
    act = load_managed_act(g.tenant, act_id, current_user)
    if not ActionForm().validate_on_submit():
        abort(400)

    def shown(error):
        flash(_("Envoi à la préfecture non préparé. %(reason)s", reason=str(error)), "error")
        return redirect(url_for("acts.act", act_id=act_id) + "#transmission")

    on_refusal(shown)
    transmission, created = prefecture.prepare(act, current_user)
    commit(db.session)
    if created:
        flash(_("Envoi préparé : le paquet %(name)s est prêt.", name=transmission.package_name), "success")
    else:
        flash(_("Cet envoi était déjà préparé : rien n'a été refait."), "info")
    return redirect(url_for("acts.act", act_id=act.id) + "#transmission")


@bp.get("/deliberations/<int:act_id>/transmission/paquet")
def package(act_id: int):
    _act, transmission = access.load_transmission(g.tenant, act_id, current_user)
    return send_blob(transmission.blob, transmission.package_name, "application/gzip")
