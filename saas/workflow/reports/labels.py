"""The French words of the report pages and the API's descriptions: a report's state, a task's, an action's."""

from flask_babel import lazy_gettext as _l

from saas.reports.models import ReportStatus
from saas.workflow.models import TaskState

REPORT_STATUS_LABELS = {
    ReportStatus.DRAFT: _l("Brouillon"),
    ReportStatus.IN_CIRCUIT: _l("En cours de validation"),
    ReportStatus.REFUSED: _l("Refusé, à reprendre"),
    ReportStatus.READY: _l("Validé"),
}
TASK_STATE_LABELS = {
    TaskState.OPEN: _l("à traiter"),
    TaskState.WAITING: _l("attend l'avis demandé"),
    TaskState.APPROVED: _l("fait"),
    TaskState.REFUSED: _l("refusé"),
    TaskState.SENT_BACK: _l("renvoyé à une étape précédente"),
    TaskState.INFORMED: _l("informé"),
    TaskState.CANCELLED: _l("sans suite"),
}
#: what each recorded action says in the history
ACTION_LABELS = {
    "submit": _l("Soumis au circuit"),
    "approve": _l("Validé"),
    "refuse": _l("Refusé"),
    "send_back": _l("Renvoyé à une étape précédente"),
    "insert": _l("Avis demandé à une autre personne"),
    "give_opinion": _l("Avis rendu"),
    "validate_urgently": _l("Validé en urgence"),
}
#: where a step of the circuit stands
STEP_STATE_LABELS = {
    "done": _l("terminée"),
    "current": _l("en cours"),
    "to_come": _l("à venir"),
    "refused": _l("refusée"),
    "skipped": _l("passée (validation d'urgence)"),
}
