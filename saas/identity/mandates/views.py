"""Tenant pages: a collectivity's home and an assembly page; and the mandates a person holds anywhere.

Mandates are the person's own rows, readable from any tenant; the assemblies and political groups they
name belong to each tenant and are read in that tenant's context, one tenant at a time, so that the
ORM filter and row-level security never have to be bypassed.
"""

from datetime import date

import sqlalchemy as sa
from flask import g, render_template
from flask_login import current_user

from saas.core.extensions import db
from saas.identity.access import can_access_assembly, can_manage, get_assembly_or_404
from saas.identity.mandates.labels import NOTICE_COUNTING_LABELS, QUORUM_RULE_LABELS, labels
from saas.identity.mandates.operations import current_seats, group_by_tenant, members_in_office
from saas.identity.web import tenant_blueprint
from saas.tenancy.legal_rules import tenant_rules
from saas.tenancy.models import Assembly

bp = tenant_blueprint("tenancy", __name__)


@bp.get("/")
def home():
    """The assemblies of this collectivity the caller may open, with their role where they sit."""
    roles = {s.assembly_id: s.role for s in current_seats(current_user) if s.tenant.id == g.tenant.id}
    assemblies = db.session.execute(
        sa.select(Assembly).where(Assembly.tenant_id == g.tenant.id).order_by(Assembly.archived, Assembly.name)
    ).scalars()
    visible = [a for a in assemblies if a.id in roles or can_access_assembly(current_user, a)]
    return render_template("tenancy/home.html", tenant=g.tenant, assemblies=visible, roles=roles, **labels())


@bp.get("/a/<int:assembly_id>")
def assembly(assembly_id: int):
    """An assembly: its legal rules, its current members, and a switcher to the caller's other seats."""
    assembly = get_assembly_or_404(assembly_id, current_user)
    try:
        rules = tenant_rules(g.tenant)
    except LookupError:
        rules = None
    members = members_in_office(assembly, date.today())
    others = [s for s in current_seats(current_user) if s.assembly_id != assembly.id]
    return render_template(
        "tenancy/assembly.html",
        tenant=g.tenant,
        assembly=assembly,
        is_secretary=can_manage(current_user, "secretary", g.tenant, assembly),
        rules=rules,
        quorum_rule_labels=QUORUM_RULE_LABELS,
        notice_counting_labels=NOTICE_COUNTING_LABELS,
        members=members,
        others=group_by_tenant(others),
        **labels(),
    )
