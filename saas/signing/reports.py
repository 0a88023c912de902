"""Turning an uploaded PDF into a validation report, for the web page and the API alike."""

import tempfile
from pathlib import Path

from saas.core.printing import render_pdf
from saas.signing.validation import ValidationReport, validate
from saas.tenancy.models import Tenant


def report_for_upload(tenant: Tenant, upload) -> ValidationReport:
    """Validate an uploaded file (werkzeug ``FileStorage``), copied to a temporary file that is removed
    afterwards: nothing of the upload is kept. Raises ValidationError (French) for a bad file."""
    with tempfile.TemporaryDirectory(prefix="quorum-validation-") as folder:
        path = Path(folder) / "upload.pdf"
        upload.save(path)
        return validate(tenant, path, Path(upload.filename or "document.pdf").name)


def report_pdf(report: ValidationReport) -> bytes:
    return render_pdf("validation_report.html", report=report)
