"""The printed act and its certified extract: templates/documents/deliberation.html and
deliberation_extract.html, rendered PDF/A by WeasyPrint (``saas.core.printing.html_to_pdf``).

Each collectivity may have its own templates: ``tenants/templates/<slug>/deliberation.html`` (and
``deliberation_extract.html``) replaces the default when it exists. A collectivity's template may extend the
default one and change only its blocks: ``{% extends "default/deliberation.html" %}``. These files are part
of the installation, reviewed like the tenant files beside them (docs/acts.md).
"""

import functools
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import sqlalchemy as sa

from saas.acts import formulas
from saas.acts.snapshots import outcome_from_json
from saas.core import display
from saas.core.config import ROOT
from saas.core.extensions import db
from saas.core.printing import DOCUMENTS_TEMPLATES, html_to_pdf
from saas.identity.models import Mandate, MandateRole, Person
from saas.sittings.outcomes import BALLOT_LABELS, OUTCOME_LABELS
from saas.tenancy.models import Tenant

#: where a collectivity's own templates live: tenants/templates/<slug>/
TENANT_TEMPLATES = ROOT / "tenants" / "templates"
TEMPLATES = ("deliberation.html", "deliberation_extract.html")


def zone(tenant: Tenant) -> ZoneInfo:
    return ZoneInfo(tenant.timezone or display.DEFAULT_TIME_ZONE)


@functools.cache
def _environment(folder: Path | None) -> jinja2.Environment:
    defaults = jinja2.FileSystemLoader(DOCUMENTS_TEMPLATES)
    loaders = [jinja2.FileSystemLoader(folder)] if folder is not None else []
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader([*loaders, defaults, jinja2.PrefixLoader({"default": defaults})]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters.update(display.documents_filters())
    return environment


def tenant_folder(tenant: Tenant) -> Path | None:
    """The collectivity's own template folder, if it has one."""
    folder = TENANT_TEMPLATES / tenant.slug
    return folder if folder.is_dir() else None


def template_source(tenant: Tenant, template: str) -> str:
    """ "tenants/templates/besancon/deliberation.html" or "templates/documents/deliberation.html"."""
    folder = tenant_folder(tenant)
    if folder is not None and (folder / template).is_file():
        return str((folder / template).relative_to(ROOT))
    return str((DOCUMENTS_TEMPLATES / template).relative_to(ROOT))


def render(collectivity: Tenant, template: str, **context) -> str:
    return _environment(tenant_folder(collectivity)).get_template(template).render(**context)


def president_of(act) -> Person | None:
    """The president of the assembly on the day of the act (its mandate of president)."""
    mandate = db.session.execute(
        sa.select(Mandate)
        .where(
            Mandate.tenant_id == act.tenant_id,
            Mandate.assembly_id == act.sitting.assembly_id,
            Mandate.role == MandateRole.PRESIDENT,
            Mandate.in_office_on(act.decided_on),
        )
        .order_by(Mandate.id)
        .limit(1)
    ).scalar_one_or_none()
    return mandate.person if mandate is not None else None


def context_of(act) -> dict:
    """What the templates receive."""
    sitting, tenant = act.sitting, act.sitting.tenant
    outcome = outcome_from_json(act.outcome_snapshot)
    presence = outcome.presence
    present = len(presence.present) + len(presence.remote) + len(presence.replaced)
    rapporteur = act.agenda_item.rapporteur or act.report.rapporteur
    return {
        "act": act,
        "tenant": tenant,
        "sitting": sitting,
        "assembly": sitting.assembly,
        "assembly_phrase": formulas.capitalised(formulas.sitting_assembly(sitting)),
        "when": display.format_datetime(sitting.starts_at, "full", tenant=tenant, locale=display.DOCUMENT_LOCALE),
        "decided_on": display.format_date(act.decided_on, "long", locale=display.DOCUMENT_LOCALE),
        "outcome": outcome,
        "outcome_label": OUTCOME_LABELS[outcome.outcome],
        "ballot_label": BALLOT_LABELS.get(outcome.ballot_type) if outcome.ballot_type else None,
        "presence_line": formulas.presence_line(present, len(presence.represented), presence.in_office),
        "quorum_line": formulas.quorum_line(
            presence.quorum_required,
            presence.quorum_present,
            presence.quorum_reached,
            presence.quorum_article,
            presence.quorum_waived,
        ),
        "paragraphs": act.text.split("\n\n"),
        "rapporteur": rapporteur.full_name if rapporteur else None,
        "president": president_of(act),
        "secretary": sitting.secretary,
        "corrects": act.corrects,
    }


def deliberation_pdf(act) -> bytes:
    return html_to_pdf(render(act.sitting.tenant, "deliberation.html", **context_of(act)))


def extract_pdf(act, *, certified_on: datetime, transmitted: str | None = None) -> bytes:
    """The certified extract of the register for ``act`` ("pour extrait conforme")."""
    tenant = act.sitting.tenant
    context = context_of(act) | {
        "certified_on": display.format_date(certified_on.astimezone(zone(tenant)), "long", locale="fr"),
        "transmitted": transmitted,
    }
    return html_to_pdf(render(tenant, "deliberation_extract.html", **context))
