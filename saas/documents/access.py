"""Who may read a document, and who may change it: the one rule behind the pages, the API and the viewer.

A document belongs to a report. Its readers are whoever may see the report (its drafter, its rapporteur,
the collectivity's admins and secretaries, and whoever a circuit asks to act on it: ``saas.workflow``
registers that check here, being above this area) and the members of every convened sitting the report is
placed on (a closed-session item only for members and staff; a sitting in preparation only for its
secretariat, as its page).
"""

from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from flask_login import current_user
from flask_smorest import abort

from saas.core.extensions import db
from saas.documents.models import Document
from saas.documents.operations import placed_items
from saas.identity.access import can_access_assembly, can_manage, enter_tenant
from saas.identity.models import Mandate, MandateRole, Person
from saas.reports import access as report_access
from saas.reports.models import Report, ReportStatus
from saas.sittings.models import AgendaItem, SittingStatus
from saas.tenancy.models import Tenant

NOT_VISIBLE = "Point, document ou version inconnu, ou auquel vous n'avez pas accès."

#: checks from the areas above (a person holding a task on the report…): each says "this person may read"
_other_readers: list[Callable[[Person, Report], bool]] = []


def also_readable_by(check: Callable[[Person, Report], bool]) -> None:
    """Let ``check(person, report)`` grant reading a report's documents (the circuits' validators); a check
    given twice (an application built again) counts once."""
    if check not in _other_readers:
        _other_readers.append(check)


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


def _item_visible(item: AgendaItem) -> bool:
    sitting = item.sitting
    tenant = sitting.tenant
    assembly = sitting.assembly
    if can_manage(current_user, "secretary", tenant, assembly):
        return True
    if sitting.status == SittingStatus.DRAFT or not can_access_assembly(current_user, assembly):
        return False  # a sitting in preparation is its secretariat's own, as its page is (load_sitting)
    return not item.confidential or sits_in_closed_session(tenant, assembly)


def seen_placement(report: Report) -> AgendaItem | None:
    """The latest placement of ``report`` the caller may see (the sitting its document pages point back
    to, whose members share annotations); None when it is on no agenda the caller sees."""
    return next((item for item in placed_items(report) if _item_visible(item)), None)


def may_change(report: Report) -> bool:
    """The collectivity's admins; the drafter until the report is ready; the secretariat of the report's
    assembly or of a sitting it is placed on. Operations refuse what a closed sitting forbids."""
    tenant = db.session.get(Tenant, report.tenant_id)
    if can_manage(current_user, "admin", tenant):
        return True
    if report.drafter_id == current_user.id and report.status != ReportStatus.READY:
        return True
    assemblies = [report.assembly, *(item.sitting.assembly for item in placed_items(report))]
    return any(can_manage(current_user, "secretary", tenant, assembly) for assembly in assemblies)


def may_read(report: Report) -> bool:
    if report_access.can_see(current_user, report) or may_change(report):
        return True
    if any(check(current_user, report) for check in _other_readers):
        return True
    return seen_placement(report) is not None


def item_or_404(tenant_slug: str, item_id: int, manage: bool = False) -> AgendaItem:
    tenant = enter_tenant(tenant_slug, current_user)
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.tenant_id != tenant.id:
        abort(404, message=NOT_VISIBLE)
    assembly = item.sitting.assembly
    allowed = can_manage(current_user, "secretary", tenant, assembly) if manage else _item_visible(item)
    if not allowed:
        abort(404, message=NOT_VISIBLE)
    return item


def report_or_404(tenant_slug: str, report_id: int, manage: bool = False) -> Report:
    tenant = enter_tenant(tenant_slug, current_user)
    report = db.session.get(Report, report_id)
    if report is None or report.tenant_id != tenant.id or not (may_change(report) if manage else may_read(report)):
        abort(404, message=NOT_VISIBLE)
    return report


def document_or_404(tenant_slug: str, document_id: int, manage: bool = False) -> Document:
    tenant = enter_tenant(tenant_slug, current_user)
    document = db.session.get(Document, document_id)
    if document is None or document.tenant_id != tenant.id:
        abort(404, message=NOT_VISIBLE)
    report_or_404(tenant_slug, document.report_id, manage=manage)
    return document
