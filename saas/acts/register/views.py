"""The register of the deliberations (R2121-9) of an assembly: by year, each held sitting with its acts in date
order, their order number in the sitting and the sitting's closing page (opened, closed, president, secretary);
the exports per sitting and per year (PDF, put into the signature book) with their signature state. Members
read; the secretariat asks for exports."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from saas.acts.register import access, forms
from saas.acts.register import operations as registers
from saas.core.database import commit
from saas.core.errors import on_refusal
from saas.core.extensions import db
from saas.identity.web import tenant_blueprint
from saas.signing.book.models import RequestStatus
from saas.storage.http import send_blob

bp = tenant_blueprint("register", __name__)


def signature_label(export) -> str:
    request_ = export.request
    if request_ is None:
        return _("non mis à la signature")
    if request_.status == RequestStatus.SIGNED:
        return _("signé")
    if request_.status.value in ("refused", "cancelled", "withdrawn"):
        return _("signature interrompue")
    return _("au parapheur")


def _year(years: list[int]) -> int:
    text = request.args.get("annee", "")
    if not text:
        return years[0]
    if not text.isdigit() or not registers.FIRST_YEAR <= int(text) <= registers.LAST_YEAR:
        abort(404)
    return int(text)


def _flashed(assembly_id: int, year: int | None = None):
    def shown(error):
        flash(str(error), "error")
        return redirect(url_for(".register", assembly_id=assembly_id, annee=year))

    return shown


@bp.get("/assemblees/<int:assembly_id>/registre")
def register(assembly_id: int):
    assembly, manager = access.load_register(g.tenant, assembly_id, current_user)
    years = registers.years_of(assembly, g.tenant.today())
    year = _year(years)
    sittings = [
        (sitting, registers.record_of(sitting), registers.exports_of(assembly, sitting=sitting))
        for sitting in registers.held_sittings(assembly, year)
    ]
    return render_template(
        "acts/register/register.html",
        tenant=g.tenant,
        assembly=assembly,
        manager=manager,
        year=year,
        years=years,
        sittings=sittings,
        year_exports=registers.exports_of(assembly, year=year),
        signature_label=signature_label,
        action_form=forms.ActionForm(),
        year_form=forms.YearForm(year=year),
    )


@bp.post("/s/<int:sitting_id>/registre/export")
def export_sitting(sitting_id: int):
    sitting, manager = access.load_held_sitting(g.tenant, sitting_id, current_user)
    if not manager:
        abort(404)
    on_refusal(_flashed(sitting.assembly_id))
    form = forms.ActionForm()
    if not form.validate_on_submit():
        abort(400)
    export = registers.export_sitting(sitting, current_user)
    commit(db.session)
    flash(_("Registre de la séance exporté (%(count)d actes) et mis au parapheur.", count=export.acts), "success")
    return redirect(url_for(".register", assembly_id=sitting.assembly_id, annee=registers.sitting_day(sitting).year))


@bp.post("/assemblees/<int:assembly_id>/registre/export")
def export_year(assembly_id: int):
    assembly = access.load_managed_register(g.tenant, assembly_id, current_user)
    form = forms.YearForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(" ".join(str(m) for messages in form.errors.values() for m in messages), "error")
        return redirect(url_for(".register", assembly_id=assembly.id))
    on_refusal(_flashed(assembly.id, form.year.data))
    export = registers.export_year(assembly, form.year.data, current_user)
    commit(db.session)
    flash(
        _(
            "Registre de l'année %(year)d exporté (%(count)d actes) et mis au parapheur.",
            year=form.year.data,
            count=export.acts,
        ),
        "success",
    )
    return redirect(url_for(".register", assembly_id=assembly.id, annee=form.year.data))


@bp.get("/s/<int:sitting_id>/registre/pdf")
def sitting_pdf(sitting_id: int):
    sitting, _manager = access.load_held_sitting(g.tenant, sitting_id, current_user)
    export = access.latest_export(sitting.assembly, sitting=sitting)
    blob, _signed = registers.export_file(export)
    return send_blob(blob, f"registre-seance-{sitting.id}.pdf", "application/pdf", inline=True)


@bp.get("/assemblees/<int:assembly_id>/registre/<int:number>/pdf")
def year_pdf(assembly_id: int, number: int):
    assembly, _manager = access.load_register(g.tenant, assembly_id, current_user)
    export = access.latest_export(assembly, year=number)
    blob, _signed = registers.export_file(export)
    return send_blob(blob, f"registre-{number}.pdf", "application/pdf", inline=True)
