from flask import current_app, has_request_context, request


def external_url(path: str) -> str:
    """An absolute URL for mails: PUBLIC_URL if set, else the current request's host, else loopback."""
    base = current_app.config["PUBLIC_URL"]
    if not base and has_request_context():
        base = request.host_url
    if not base:
        base = f"http://127.0.0.1:{current_app.config['PORT']}"
    return base.rstrip("/") + path
