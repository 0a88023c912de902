"""The validation page: any member of the collectivity uploads a signed PDF and reads its report (HTML or
PDF). The file is not kept; a bad file (not a PDF, no signature) re-renders the form with the reason."""

from flask import g, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField

from saas.core.errors import on_refusal
from saas.identity.web import tenant_blueprint
from saas.signing.reports import report_for_upload, report_pdf

bp = tenant_blueprint("signing", __name__)


class ValidationForm(FlaskForm):
    file = FileField(_l("PDF signé"), validators=[FileRequired(_l("Joignez le PDF signé à vérifier."))])
    #: the button pressed: "pdf" for the report as a PDF, anything else for the page
    format = StringField(default="html")


@bp.get("/signatures/validate")
def validation_form():
    return render_template("signing/validation.html", form=ValidationForm(), report=None, error=None)


@bp.post("/signatures/validate")
def validate():
    form = ValidationForm()
    on_refusal(lambda error: render_template("signing/validation.html", form=form, report=None, error=error.message))
    if not form.validate_on_submit():
        error = " ".join(str(m) for messages in form.errors.values() for m in messages)
        return render_template("signing/validation.html", form=form, report=None, error=error), 422
    report = report_for_upload(g.tenant, form.file.data)  # a bad file: shown on the form (on_refusal)
    if form.format.data == "pdf":
        headers = {"Content-Disposition": 'attachment; filename="rapport-verification.pdf"'}
        return report_pdf(report), 200, {"Content-Type": "application/pdf", **headers}
    return render_template("signing/validation.html", form=form, report=report, error=None)
