"""The French words of the report pages: a report's state, where a step stands (a task's state and an
action's words are the circuit's: saas.workflow.labels)."""

from flask_babel import lazy_gettext as _l

from saas.reports.models import ReportStatus

REPORT_STATUS_LABELS = {
    ReportStatus.DRAFT: _l("Brouillon"),
    ReportStatus.IN_CIRCUIT: _l("En cours de validation"),
    ReportStatus.REFUSED: _l("Refusé, à reprendre"),
    ReportStatus.READY: _l("Validé"),
}
#: where a step of the circuit stands
STEP_STATE_LABELS = {
    "done": _l("terminée"),
    "current": _l("en cours"),
    "to_come": _l("à venir"),
    "refused": _l("refusée"),
    "skipped": _l("passée (validation d'urgence)"),
}
