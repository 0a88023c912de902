"""Documents: uploaded PDFs, checked in a sandboxed process and cleaned of active content before publication."""

from saas.documents.intake.check import (
    DEFAULT_LIMITS,
    CheckLimits,
    PdfCheckFailed,
    PdfRejected,
    PdfReport,
    Removal,
    check_pdf,
)

__all__ = ["DEFAULT_LIMITS", "CheckLimits", "PdfCheckFailed", "PdfRejected", "PdfReport", "Removal", "check_pdf"]
