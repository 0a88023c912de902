"""The document viewer: PDF.js reads the current version through the range-capable download route and the
annotation tools talk to the JSON routes of saas/documents/annotations/views.py (session cookie + CSRF header).

Access is the download route's own rule (``document_or_404``), so whoever may download the document may read
it here, and everyone else gets the same 404. The sitting shown (and whose members the annotations may be
shared with) is the latest one the report is placed on that the reader sees; before any, none.
"""

from flask import g, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from saas.core.security import VIEWER_CONTENT_SECURITY_POLICY
from saas.documents.access import document_or_404, seen_placement
from saas.identity.web import tenant_blueprint
from saas.sittings.operations import colleagues, current_mandate

bp = tenant_blueprint("documents_viewer", __name__)

#: the contract's palette (the server refuses any other colour)
PALETTE = ("#ffd400", "#ff6b6b", "#4dabf7", "#51cf66", "#b197fc", "#222222")


def labels() -> dict:
    """The French words of the viewer's scripts (static/viewer/), translated like the templates."""
    return {
        "page": _("Page %(n)s", n="%(n)s"),
        "pageShort": _("p. %(n)s", n="%(n)s"),
        "goToPage": _("Aller à la page %(n)s", n="%(n)s"),
        "oldPage": _("Ancienne page %(page)s (version %(version)s) :", page="%(page)s", version="%(version)s"),
        "by": _("par %(name)s", name="%(name)s"),
        "foundOn": _("Trouvé page %(n)s", n="%(n)s"),
        "notFound": _("Aucun résultat"),
        "kinds": {
            "highlight": _("Surlignage"),
            "note": _("Note"),
            "ink": _("Dessin"),
            "text": _("Zone de texte"),
        },
        "newKinds": {
            "highlight": _("Nouveau surlignage"),
            "note": _("Nouvelle note"),
            "ink": _("Nouveau dessin"),
            "text": _("Nouvelle zone de texte"),
        },
        "scopes": {
            "private": _("privée"),
            "people": _("partagée avec des collègues"),
            "group": _("partagée avec le groupe"),
            "assembly": _("partagée avec l’assemblée"),
        },
        "comment": _("Commentaire"),
        "text": _("Texte"),
        "colour": _("couleur"),
        "selectFirst": _("Sélectionnez d’abord du texte dans le document."),
        "onePage": _("Sélectionnez du texte sur une seule page pour le surligner."),
        "saved": _("Annotation enregistrée."),
        "deleted": _("Annotation supprimée."),
        "deletedElsewhere": _("Cette annotation a été supprimée depuis un autre appareil."),
        "confirmDelete": _("Supprimer cette annotation ?"),
        "conflict": _("Cette annotation a été modifiée ailleurs."),
        "online": _("Annotations synchronisées."),
        "offline": _("Connexion perdue : nouvel essai dans quelques secondes."),
        "serverError": _("L’enregistrement a échoué ; réessayez."),
        "renderError": _("Une page n’a pas pu être affichée"),
        "loadError": _("Le document n’a pas pu être chargé"),
    }


@bp.get("/documents/<int:document_id>/lire")
def read(document_id: int):
    document = document_or_404(g.tenant.slug, document_id)
    placement = seen_placement(document.report)
    sitting = placement.sitting if placement is not None else None
    version = document.current_version
    mandate = current_mandate(current_user.id, sitting) if sitting is not None else None
    settings = {
        "pdfUrl": url_for("documents.download", document_id=document.id, number=version.number),
        "workerUrl": url_for("static", filename="vendor/pdfjs/pdf.worker.min.mjs"),
        "standardFontDataUrl": url_for("static", filename="vendor/pdfjs/standard_fonts/"),
        "cMapUrl": url_for("static", filename="vendor/pdfjs/cmaps/"),
        "wasmUrl": url_for("static", filename="vendor/pdfjs/wasm/"),
        "annotationsUrl": url_for("annotations.list_annotations", document_id=document.id),
        "annotationUrl": url_for("annotations.update_annotation", annotation_id=0).removesuffix("0"),
        "csrfToken": generate_csrf(),
        "labels": labels(),
        "palette": PALETTE,
    }
    page = render_template(
        "documents/viewer.html",
        tenant=g.tenant,
        sitting=sitting,
        document=document,
        version=version,
        settings=settings,
        group=mandate.political_group if mandate else None,
        colleagues=colleagues(sitting, exclude=current_user.id) if sitting is not None else [],
    )
    return page, {"Content-Security-Policy": VIEWER_CONTENT_SECURITY_POLICY}
