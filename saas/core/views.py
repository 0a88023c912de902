import sqlalchemy as sa
from flask import Blueprint

from saas.core.extensions import db

bp = Blueprint("platform", __name__)


@bp.get("/healthz")
def healthz():
    """Liveness and database reachability, for load balancers and `quorum demo` users."""
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
