"""Who sees what of a portal. The public pages need no login: anyone reads what a collectivity published, and
only that — a collectivity that does not exist and a document not published both answer 404, alike. The
transaction then sees the collectivity's rows only (the ORM filter and row-level security), and the pages read
publications alone. Publishing is for the assembly's secretariat and the admins: the loaders of ``saas.acts``
(``load_managed_act``, ``load_managed_sitting``) decide, 404 for anyone else."""

import re

import sqlalchemy as sa
from flask import abort, g

from saas.acts.minutes.access import load_managed_sitting
from saas.acts.minutes.models import DeliberationList, Minutes
from saas.core.database import TenantContext, set_context
from saas.core.extensions import db
from saas.identity.models import Person
from saas.portal.models import Publication
from saas.tenancy.models import Tenant

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


def enter_portal(slug: str) -> Tenant:
    """The collectivity of a public portal (404 for an unknown one, and for what cannot be a slug: a NUL byte
    never reaches the database), its rows only from now on."""
    if not SLUG.fullmatch(slug):
        abort(404)
    tenant = db.session.execute(sa.select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
    if tenant is None:
        abort(404)
    set_context(db.session, TenantContext(tenant_id=tenant.id))
    g.tenant = tenant
    return tenant


def load_publication(tenant: Tenant, publication_id: int) -> Publication:
    """A publication of this collectivity; 404 otherwise, like a missing one."""
    publication = db.session.get(Publication, publication_id)
    if publication is None or publication.tenant_id != tenant.id:
        abort(404)
    return publication


def load_managed_minutes(tenant: Tenant, minutes_id: int, person: Person) -> Minutes:
    """Minutes of a sitting the caller manages; 404 otherwise."""
    minutes = db.session.get(Minutes, minutes_id)
    if minutes is None or minutes.tenant_id != tenant.id:
        abort(404)
    load_managed_sitting(tenant, minutes.sitting_id, person)
    return minutes


def load_managed_list(tenant: Tenant, list_id: int, person: Person) -> DeliberationList:
    """A version of the list of deliberations of a sitting the caller manages; 404 otherwise."""
    listing = db.session.get(DeliberationList, list_id)
    if listing is None or listing.tenant_id != tenant.id:
        abort(404)
    load_managed_sitting(tenant, listing.sitting_id, person)
    return listing
