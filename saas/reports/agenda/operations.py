"""Which reports a sitting's agenda may take (the page and the API share it)."""

import sqlalchemy as sa

from saas.core.extensions import db
from saas.reports.models import Report, ReportStatus
from saas.sittings.models import AgendaItem, Sitting


def placeable(sitting: Sitting) -> list[Report]:
    """Reports the sitting's agenda may take: ready ones of its assembly, submitted or ready ones aimed at
    another assembly (a committee examines them first); not already on this agenda."""
    on_agenda = sa.select(AgendaItem.report_id).where(
        AgendaItem.sitting_id == sitting.id, AgendaItem.withdrawn_at.is_(None), AgendaItem.report_id.is_not(None)
    )
    own = sa.and_(Report.assembly_id == sitting.assembly_id, Report.status == ReportStatus.READY)
    other = sa.and_(
        Report.assembly_id != sitting.assembly_id, Report.status.in_([ReportStatus.IN_CIRCUIT, ReportStatus.READY])
    )
    return list(
        db.session.execute(
            sa.select(Report)
            .where(Report.tenant_id == sitting.tenant_id, sa.or_(own, other), Report.id.not_in(on_agenda))
            .order_by(Report.id)
        ).scalars()
    )
