"""The board of a sitting's reports, for its secretariat: every report aimed at the sitting, where its circuit
stands and whether it keeps the legal notice day — en retard, à risque, dans les temps — worst first.

Reached by the secretaries of the sitting's assembly and the collectivity's admins; 404 for anyone else.
"""

from flask import abort, g, render_template
from flask_login import current_user

from saas.identity.web import tenant_blueprint
from saas.sittings.access import load_sitting
from saas.sittings.notice import latest_sending_time
from saas.workflow import planning

bp = tenant_blueprint("workflow_board", __name__)


@bp.get("/s/<int:sitting_id>/rapports")
def sitting_reports(sitting_id: int):
    sitting, manager = load_sitting(g.tenant, sitting_id, current_user)
    if not manager:
        abort(404)
    return render_template(
        "workflow/board/sitting_reports.html",
        tenant=g.tenant,
        sitting=sitting,
        rows=planning.board(g.tenant, sitting),
        sending=latest_sending_time(g.tenant, sitting),
        today=g.tenant.today(),
    )
