"""The portal's pages. Public, without login (``/<collectivité>/actes``): the list of what the collectivity
published with its search, one document's page (number, date, title, subject, put online on, SHA-256), its signed
PDF byte for byte, and the Atom feed of the latest. For the secretariat (``/t/<collectivité>/…``): the « Publier
sur le portail » buttons of the deliberation, minutes and list pages (``templates/web/portal/_publish.html``)."""

from datetime import UTC, datetime
from xml.etree import ElementTree

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from saas.acts import access as acts_access
from saas.acts.minutes import access as minutes_access
from saas.acts.minutes import operations as minutes_ops
from saas.core import display
from saas.core.database import commit
from saas.core.errors import on_refusal
from saas.core.extensions import db
from saas.identity.web import tenant_blueprint
from saas.portal import access, enforceability, forms, search
from saas.portal import operations as portal
from saas.portal.models import KIND_LABELS, Publication
from saas.storage.http import send_blob

bp = Blueprint("portal", __name__, url_prefix="/<tenant_slug>/actes")
publishing = tenant_blueprint("portal_publishing", __name__)

ATOM = "http://www.w3.org/2005/Atom"


@bp.url_value_preprocessor
def pop_tenant_slug(endpoint, values):
    g.tenant_slug = values.pop("tenant_slug")


@bp.url_defaults
def add_tenant_slug(endpoint, values):
    if "tenant_slug" not in values and "tenant" in g:
        values["tenant_slug"] = g.tenant.slug


@bp.before_request
def enter():
    access.enter_portal(g.tenant_slug)


@bp.get("")
def index():
    form = forms.SearchForm(request.args)
    valid = form.validate()
    results = search.search(g.tenant, form.criteria()) if valid else None
    return (
        render_template(
            "portal/index.html",
            tenant=g.tenant,
            form=form,
            results=results,
            kinds=KIND_LABELS,
            searching=valid and form.criteria().any,
            page_args={key: value for key, value in request.args.items() if key != "page"},
        ),
        200 if valid else 400,
    )


@bp.get("/<int:publication_id>")
def publication(publication_id: int):
    item = access.load_publication(g.tenant, publication_id)
    enforceable = enforceability.of_act(item.deliberation) if item.deliberation is not None else None
    return render_template(
        "portal/publication.html", tenant=g.tenant, item=item, kinds=KIND_LABELS, enforceability=enforceable
    )


@bp.get("/<int:publication_id>/pdf")
def pdf(publication_id: int):
    item = access.load_publication(g.tenant, publication_id)
    return send_blob(item.blob, item.filename, "application/pdf", inline=True)


def _feed(items: list[Publication]) -> bytes:
    ElementTree.register_namespace("", ATOM)

    def add(parent, tag, text=None, **attributes):
        element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        if text is not None:
            element.text = text
        return element

    def stamp(moment: datetime) -> str:
        return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")

    feed = ElementTree.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "fr"})
    home = url_for(".index", _external=True)
    add(feed, "id", home)
    add(feed, "title", _("Actes publiés — %(name)s", name=g.tenant.name))
    add(feed, "updated", stamp(items[0].published_at) if items else "2000-01-01T00:00:00Z")
    add(feed, "link", rel="self", type="application/atom+xml", href=url_for(".feed", _external=True))
    add(feed, "link", rel="alternate", type="text/html", href=home)
    author = add(feed, "author")
    add(author, "name", g.tenant.name)
    for item in items:
        entry = add(feed, "entry")
        page = url_for(".publication", publication_id=item.id, _external=True)
        add(entry, "id", page)
        label = KIND_LABELS[item.kind] + (f" n° {item.number}" if item.number else "")
        add(entry, "title", f"{label} — {item.title}")
        add(entry, "updated", stamp(item.published_at))
        add(entry, "published", stamp(item.published_at))
        add(entry, "link", rel="alternate", type="text/html", href=page)
        add(
            entry,
            "link",
            rel="enclosure",
            type="application/pdf",
            href=url_for(".pdf", publication_id=item.id, _external=True),
            length=str(item.blob.size),
        )
        if item.subject_code:
            add(entry, "category", term=item.subject_code, label=_("Matière %(code)s", code=item.subject_code))
        add(
            entry,
            "summary",
            _("Mis en ligne le %(day)s. SHA-256 du PDF signé : %(sha)s", day=_day(item), sha=item.sha256),
        )
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)


def _day(item: Publication) -> str:
    return display.format_datetime(item.published_at, "long", tenant=g.tenant, locale="fr")


@bp.get("/flux.atom")
def feed():
    return Response(_feed(search.latest(g.tenant)), mimetype="application/atom+xml")


# --- Publishing (the secretariat) --------------------------------------------------------------------------------


@publishing.app_context_processor
def publication_helpers():
    def portal_publication(key: str) -> Publication | None:
        tenant = g.get("tenant")
        return portal.publication_of(tenant.id, key) if tenant is not None else None

    return {
        "portal_publication": portal_publication,
        "portal_publish_form": forms.PublishForm,
        "act_enforceability": enforceability.of_act,
    }


def _publish_form() -> bool:
    form = forms.PublishForm()
    if not form.validate_on_submit():
        abort(400)
    return form.personal_data_checked.data


def _done(publication: Publication, made: bool, back: str):
    if made:
        flash(_("Publié sur le portail de la collectivité."), "success")
    else:
        flash(_("Déjà publié sur le portail : rien n'a changé."), "info")
    return redirect(back)


def _flashed(back: str):
    def shown(error):
        flash(str(error), "error")
        return redirect(back)

    return shown


@publishing.post("/deliberations/<int:act_id>/publication")
def publish_deliberation(act_id: int):
    act = acts_access.load_managed_act(g.tenant, act_id, current_user)
    back = url_for("acts.act", act_id=act.id)
    checked = _publish_form()
    on_refusal(_flashed(back))
    publication, made = portal.publish_deliberation(act, actor=current_user, personal_data_checked=checked)
    commit(db.session)
    return _done(publication, made, back)


@publishing.post("/s/<int:sitting_id>/proces-verbal/publication")
def publish_minutes(sitting_id: int):
    sitting = minutes_access.load_managed_sitting(g.tenant, sitting_id, current_user)
    minutes = minutes_ops.minutes_of(sitting)
    if minutes is None:
        abort(404)
    back = url_for("minutes.minutes", sitting_id=sitting.id)
    checked = _publish_form()
    on_refusal(_flashed(back))
    publication, made = portal.publish_minutes(minutes, actor=current_user, personal_data_checked=checked)
    commit(db.session)
    return _done(publication, made, back)


@publishing.post("/s/<int:sitting_id>/liste-des-deliberations/<int:number>/publication")
def publish_list(sitting_id: int, number: int):
    sitting = minutes_access.load_managed_sitting(g.tenant, sitting_id, current_user)
    listing = minutes_access.load_list(sitting, number)
    back = url_for("minutes.deliberation_list", sitting_id=sitting.id)
    checked = _publish_form()
    on_refusal(_flashed(back))
    publication, made = portal.publish_list(listing, actor=current_user, personal_data_checked=checked)
    commit(db.session)
    return _done(publication, made, back)
