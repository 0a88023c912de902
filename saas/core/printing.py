"""Printable documents: Jinja templates of templates/documents/ rendered to PDF/A with WeasyPrint."""

import functools

import jinja2
import weasyprint

from saas.core import display
from saas.core.config import ROOT

DOCUMENTS_TEMPLATES = ROOT / "templates" / "documents"


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(DOCUMENTS_TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    environment.filters.update(display.documents_filters())
    return environment


def render_html(template: str, **context) -> str:
    return _environment().get_template(template).render(**context)


def html_to_pdf(html: str) -> bytes:
    """PDF/A-3b, with resources (images, CSS) resolved beside the templates."""
    return weasyprint.HTML(string=html, base_url=str(DOCUMENTS_TEMPLATES)).write_pdf(pdf_variant="pdf/a-3b")


def render_pdf(template: str, **context) -> bytes:
    """The PDF/A-3b rendering of ``templates/documents/<template>``."""
    return html_to_pdf(render_html(template, **context))
