"""What the URLs of the cost statements name: a statement and one of the members it has lines for."""

from flask_smorest import abort

from saas.core.extensions import db
from saas.groupement.console import NOT_VISIBLE, load
from saas.groupement.models import Membership, PurchasingGroup, Statement
from saas.groupement.statements import operations as statements


def load_member_statement(statement_id: int, membership_id: int) -> tuple[PurchasingGroup, Statement, Membership]:
    """A statement and a member it has lines for; 404 for a member of no line, as for a missing one."""
    group, statement = load(Statement, statement_id)
    membership = db.session.get(Membership, membership_id)
    if (
        membership is None
        or membership.group_id != group.id
        or not statements.member_lines(statement, membership.tenant_id)
    ):
        abort(404, message=NOT_VISIBLE)
    return group, statement, membership
