"""The console's pages of the group agreement (/group/agreement…): the file, and its electronic signature by
every member in turn (``agreement_signing``). Thin views: load what the URL names (404 if missing), call
operations, commit once."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from saas.core.errors import on_refusal
from saas.core.extensions import db
from saas.groupement import forms, operations
from saas.groupement.agreement import operations as agreement_signing
from saas.groupement.agreement.operations import Signatory
from saas.groupement.console import (
    attachment,
    console_blueprint,
    done,
    form_page,
    load,
    load_group,
    me,
    refusal_on_form_page,
)
from saas.groupement.models import AgreementSigning
from saas.groupement.operations import PurchasingError
from saas.identity.models import Person
from saas.signing.reports import report_pdf

bp = console_blueprint("groupement_agreement", __name__)


@bp.get("/agreement")
def agreement():
    group = load_group()
    return render_template(
        "groupement/agreement.html",
        group=group,
        signings=agreement_signing.signings(group),
        ongoing=operations.signing_in_progress(group),
    )


@bp.route("/agreement/upload", methods=["GET", "POST"])
def upload():
    group = load_group()
    form = forms.AgreementForm()
    page = (form, _("Convention constitutive"), _("Déposer"), url_for(".agreement"))
    intro = _(
        "Le PDF est vérifié comme tout document, puis conservé chiffré. Laissez en bas de la dernière page"
        " la place des signatures (environ 8 × 2,5 cm par membre), ou des emplacements de signature vides."
    )
    refusal_on_form_page(*page, multipart=True, intro=intro)
    if form.validate_on_submit():
        operations.upload_agreement(group, form.file.data.stream, form.file.data.filename, me())
        return done(_("La convention constitutive est déposée."), ".agreement")
    return form_page(*page, multipart=True, intro=intro)


@bp.get("/agreement/file")
def agreement_file():
    group = load_group()
    content = operations.agreement_bytes(group)
    if content is None:
        abort(404)
    return attachment(content, "application/pdf", group.agreement_filename)


@bp.route("/agreement/signing", methods=["GET", "POST"])
def start_signing():
    """Who signs for each member, in which quality and order; then the first signatory's turn."""
    group = load_group()
    proposal = agreement_signing.proposal(group)
    form = forms.signatories_form(proposal)
    for membership, people, *_rest in proposal:
        if not people:
            form.form_errors.append(
                _(
                    "%(name)s n'a encore aucun élu en fonction : enregistrez ses élus avant de faire signer"
                    " la convention.",
                    name=membership.tenant.name,
                )
            )
    page = (form, _("Faire signer la convention"), _("Lancer la signature"), url_for(".agreement"))
    intro = _(
        "Chaque membre signe à son tour, depuis le parapheur de sa collectivité, avec son code de double"
        " authentification ; la convention passe au suivant dès qu'il a signé. Tous les emplacements de"
        " signature sont préparés avant la première signature."
    )
    # nothing of a refused round is kept (the handler rolls back; its stored files go with it)
    refusal_on_form_page(*page, intro=intro)
    if form.validate_on_submit():
        signing = agreement_signing.start(group, _signatories(form, proposal), me())
        return done(
            _("La convention est partie à la signature : elle est dans le parapheur du premier signataire."),
            ".signing_page",
            signing_id=signing.id,
        )
    return form_page(*page, intro=intro)


def _signatories(form, proposal) -> list[Signatory]:
    """The form's rows in the order of their ranks; a rank given twice is refused."""
    ranked = []
    for membership, *_others in proposal:
        person = db.session.get(Person, form[f"signer_{membership.id}"].data)
        if person is None:
            raise PurchasingError(_("Choisissez un signataire."), f"signer_{membership.id}")
        role = form[f"role_{membership.id}"].data
        ranked.append((form[f"rank_{membership.id}"].data, Signatory(membership, person, role)))
    if len({rank for rank, _signatory in ranked}) != len(ranked):
        raise PurchasingError(_("Chaque membre doit avoir un rang de signature différent."))
    return [signatory for _rank, signatory in sorted(ranked, key=lambda row: row[0])]


@bp.get("/agreement/signings/<int:signing_id>")
def signing_page(signing_id: int):
    group, signing = load(AgreementSigning, signing_id)
    return render_template(
        "groupement/agreement_signing.html",
        group=group,
        signing=signing,
        stalled=agreement_signing.stalled_on(signing),
    )


@bp.post("/agreement/signings/<int:signing_id>/cancel")
def cancel_signing(signing_id: int):
    signing = load(AgreementSigning, signing_id)[1]
    on_refusal(lambda error: _flashed(error, url_for(".signing_page", signing_id=signing_id)))
    agreement_signing.cancel(signing, me())
    return done(_("La signature de la convention est annulée."), ".signing_page", signing_id=signing.id)


def _flashed(error, back: str):
    """A refused button: its French reason flashed on the page it came from."""
    flash(str(error), "error")
    return redirect(back)


@bp.get("/agreement/signings/<int:signing_id>/file")
def signed_file(signing_id: int):
    group, signing = load(AgreementSigning, signing_id)
    content = agreement_signing.signed_agreement(signing)
    if content is None:
        abort(404)
    return attachment(content, "application/pdf", agreement_signing.signed_filename(group))


@bp.get("/agreement/signings/<int:signing_id>/report")
def validation_report(signing_id: int):
    """The validation report (PDF) of the agreement signed by all, each member's anchors trusted."""
    signing = load(AgreementSigning, signing_id)[1]
    report = agreement_signing.validation_report(signing)
    if report is None:
        abort(404)
    return attachment(report_pdf(report), "application/pdf", "rapport-verification-convention.pdf")
