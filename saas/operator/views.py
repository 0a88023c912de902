"""The operator's outbox: every mail the platform queued, as rows and as the message actually sent.

Mail can carry set-password links, so only operators see it; for anyone else the pages do not exist.
"""

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from saas.core.extensions import db
from saas.core.inputs import MAX_INTEGER
from saas.identity.access import has_platform_role
from saas.mail.backends import outbox_dir
from saas.mail.models import OutboundMail
from saas.tenancy.models import Tenant

bp = Blueprint("mail", __name__, url_prefix="/operator")
PER_PAGE = 50


@bp.before_request
@login_required
def operators_only():
    """404, not 403: the outbox does not exist for whoever may not read it."""
    if not has_platform_role(current_user, "operator"):
        abort(404)


@bp.get("/outbox")
def outbox():
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= MAX_INTEGER:  # past it, OFFSET fails in the database
        abort(404)
    total = db.session.execute(sa.select(sa.func.count()).select_from(OutboundMail)).scalar_one()
    mails = db.session.execute(
        sa.select(OutboundMail, Tenant.name)
        .outerjoin(Tenant, Tenant.id == OutboundMail.tenant_id)
        .order_by(OutboundMail.created_at.desc(), OutboundMail.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    if page > 1 and not mails:
        abort(404)
    pages = max(1, -(-total // PER_PAGE))
    return render_template("mail/outbox.html", mails=mails, page=page, pages=pages, total=total)


@bp.get("/outbox/<int:mail_id>")
def outbox_mail(mail_id: int):
    mail = db.session.get(OutboundMail, mail_id)
    if mail is None:
        abort(404)
    tenant = db.session.get(Tenant, mail.tenant_id) if mail.tenant_id else None
    eml = outbox_dir() / f"{mail.id:08d}.eml"
    raw = eml.read_text(errors="replace") if eml.is_file() else None
    return render_template("mail/outbox_mail.html", mail=mail, tenant=tenant, raw=raw)
