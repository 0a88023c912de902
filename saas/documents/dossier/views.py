"""My annotated dossier on the web: the sitting's documents I may read, with my annotations drawn in.

Who sees the sitting page may export: the agenda is the page's own (closed-session items only for those who
read them), and only the caller's own annotations are drawn (saas/documents/dossier/operations.py).
"""

from flask import g
from flask_login import current_user

from saas.documents.dossier.operations import send_annotated_dossier
from saas.identity.web import tenant_blueprint
from saas.sittings.access import load_sitting, visible_items

bp = tenant_blueprint("document_exports", __name__)


@bp.get("/s/<int:sitting_id>/dossier-annote.pdf")
def annotated_dossier(sitting_id: int):
    sitting, manager = load_sitting(g.tenant, sitting_id, current_user)
    return send_annotated_dossier(sitting, visible_items(sitting, current_user, manager), current_user)
