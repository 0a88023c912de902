"""The validation page: any member of the collectivity uploads a signed PDF and reads its report (HTML or
PDF). The file is not kept; a bad file (not a PDF, no signature) re-renders the form with the reason."""

from flask import g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from saas.identity.web import tenant_blueprint
from saas.signing.reports import report_for_upload, report_pdf
from saas.signing.validation import ValidationError

bp = tenant_blueprint("signing", __name__)


class ValidationForm(FlaskForm):
    file = FileField(_l("PDF signé"), validators=[FileRequired(_l("Joignez le PDF signé à vérifier."))])


@bp.get("/signatures/validate")
def validation_form():
    return render_template("signing/validation.html", form=ValidationForm(), report=None, error=None)


@bp.post("/signatures/validate")
def validate():
    form = ValidationForm()
    if not form.validate_on_submit():
        error = " ".join(str(m) for messages in form.errors.values() for m in messages)
        return render_template("signing/validation.html", form=form, report=None, error=error), 422
    try:
        report = report_for_upload(g.tenant, form.file.data)
    except ValidationError as error:
        return render_template("signing/validation.html", form=form, report=None, error=str(error)), 422
    if request.form.get("format") == "pdf":
        headers = {"Content-Disposition": 'attachment; filename="rapport-verification.pdf"'}
        return report_pdf(report), 200, {"Content-Type": "application/pdf", **headers}
    return render_template("signing/validation.html", form=form, report=report, error=None)
