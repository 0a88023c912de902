"""Security headers on every response."""

from flask import Flask

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
#: the document viewer's page (saas/documents/viewer/views.py): PDF.js parses the file in a same-origin worker.
#: Nothing else is loosened: no 'unsafe-eval' (the viewer turns PDF.js's eval off), no 'wasm-unsafe-eval' (its
#: image decoders then use their JavaScript versions, tested on a JPEG 2000 scan)
VIEWER_CONTENT_SECURITY_POLICY = f"{CONTENT_SECURITY_POLICY}; worker-src 'self'"


def init_app(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        if app.config["HTTPS"]:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response
