"""Tables of saas.documents.access."""

from datetime import date

import sqlalchemy as sa
from flask_login import current_user
from flask_smorest import abort

from saas.core.extensions import db
from saas.documents.models import Document
from saas.identity.access import can_access_assembly, can_manage, enter_tenant
from saas.identity.models import Mandate, MandateRole
from saas.sittings.models import AgendaItem

NOT_VISIBLE = "Point, document ou version inconnu, ou auquel vous n'avez pas accès."


def sits_in_closed_session(tenant, assembly) -> bool:
    """Closed-session items are for members and staff (and those who prepare sittings), not guests."""
    if can_manage(current_user, "secretary", tenant, assembly):
        return True
    mandates = db.session.execute(
        sa.select(Mandate).where(
            Mandate.person_id == current_user.id,
            Mandate.assembly_id == assembly.id,
            Mandate.role != MandateRole.GUEST,
        )
    ).scalars()
    return any(mandate.in_office_on(date.today()) for mandate in mandates)


def item_or_404(tenant_slug: str, item_id: int, manage: bool = False) -> AgendaItem:
    tenant = enter_tenant(tenant_slug, current_user)
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.tenant_id != tenant.id:
        abort(404, message=NOT_VISIBLE)
    assembly = item.sitting.assembly
    if manage:
        allowed = can_manage(current_user, "secretary", tenant, assembly)
    else:
        allowed = can_access_assembly(current_user, assembly) and (
            not item.confidential or sits_in_closed_session(tenant, assembly)
        )
    if not allowed:
        abort(404, message=NOT_VISIBLE)
    return item


def document_or_404(tenant_slug: str, document_id: int, manage: bool = False) -> Document:
    tenant = enter_tenant(tenant_slug, current_user)
    document = db.session.get(Document, document_id)
    if document is None or document.tenant_id != tenant.id:
        abort(404, message=NOT_VISIBLE)
    item_or_404(tenant_slug, document.agenda_item_id, manage=manage)
    return document
