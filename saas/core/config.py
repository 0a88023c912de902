"""Configuration, read once at start: defaults, then ``instance/quorum.toml``, then ``QUORUM_*`` variables.

Every setting is listed in ``DEFAULTS`` with its meaning; ``docs/configuration.md`` is the user's copy.
The defaults are the embedded column of the design: SQLite, inline jobs, local files, mail outbox.
"""

import json
import os
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_PREFIX = "QUORUM_"

#: name -> (default, meaning). ``None`` defaults are derived from the instance folder in ``load``.
SETTINGS: dict[str, tuple[object, str]] = {
    "SECRET_KEY": (None, "signs session cookies and CSRF tokens; generated once into instance/ when unset"),
    "MASTER_KEY": (None, "wraps per-tenant data keys (base64, 32 bytes); generated into instance/ when unset"),
    "DATABASE_URL": (None, "SQLAlchemy URL the application connects with (PostgreSQL: a non-owner role)"),
    "DATABASE_OWNER_URL": ("", "URL used by `quorum db upgrade` (PostgreSQL: the owner of the tables)"),
    "DATABASE_APP_ROLE": ("", "PostgreSQL role granted data access by migrations (the non-owner app role)"),
    "REDIS_URL": ("", "Redis URL; empty runs jobs inline in the request that released them"),
    "STORAGE_URL": ("", "empty: encrypted files under instance/files; s3://bucket for an S3 store"),
    "S3_ENDPOINT": ("", "S3 endpoint host:port (MinIO in production)"),
    "S3_ACCESS_KEY": ("", "S3 access key"),
    "S3_SECRET_KEY": ("", "S3 secret key"),
    "S3_SECURE": (True, "use HTTPS to reach the S3 endpoint"),
    "MAIL_BACKEND": ("outbox", "outbox (files under instance/outbox, shown to operators) or smtp"),
    "MAIL_FROM": ("Quorum <no-reply@quorum.localhost>", "sender address of every mail"),
    "SMTP_HOST": ("127.0.0.1", "SMTP server host"),
    "SMTP_PORT": (25, "SMTP server port"),
    "SMTP_USERNAME": ("", "SMTP login, if the server asks for one"),
    "SMTP_PASSWORD": ("", "SMTP password"),
    "SMTP_STARTTLS": (False, "upgrade the SMTP connection with STARTTLS"),
    "PUBLIC_URL": ("", "external base URL used in mails (e.g. https://quorum.example.fr)"),
    "PORT": (5000, "port `quorum demo` and `quorum serve` listen on (127.0.0.1)"),
    "SERVE_THREADS": (8, "request threads of `quorum serve` (more connections wait their turn)"),
    "SESSION_IDLE_MINUTES": (30, "a login session ends after this much inactivity"),
    "SESSION_MAX_HOURS": (12, "a login session ends this long after login, active or not"),
    "LOGIN_FAILURES_PER_HOUR": (100, "failed logins per account and hour before further tries are refused"),
    "MAX_REQUEST_MB": (150, "largest request body accepted (413 beyond)"),
    "HTTPS": (False, "served behind HTTPS: secure cookies and HSTS"),
    "BABEL_DEFAULT_LOCALE": ("fr", "interface language when the person has not chosen one"),
    "BABEL_DEFAULT_TIMEZONE": ("Europe/Paris", "time zone of pages that name no collectivity (each has its own)"),
}


def _coerce(raw: str, default: object) -> object:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    return raw


def load(instance_path: Path, overrides: dict | None = None) -> dict:
    """Return the settings: defaults <- instance/quorum.toml <- QUORUM_* environment <- overrides."""
    values = {name: default for name, (default, _) in SETTINGS.items()}
    toml_file = instance_path / "quorum.toml"
    if toml_file.exists():
        with toml_file.open("rb") as fh:
            from_file = {key.upper(): value for key, value in tomllib.load(fh).items()}
        unknown = set(from_file) - set(SETTINGS)
        if unknown:
            raise ValueError(f"unknown settings in {toml_file}: {', '.join(sorted(unknown))}")
        values.update(from_file)
    for name, (default, _) in SETTINGS.items():
        if ENV_PREFIX + name in os.environ:
            values[name] = _coerce(os.environ[ENV_PREFIX + name], default)
    values.update(overrides or {})

    if not values["DATABASE_URL"]:
        values["DATABASE_URL"] = f"sqlite:///{instance_path / 'quorum.db'}"
    for name in ("SECRET_KEY", "MASTER_KEY"):
        if not values[name]:
            values[name] = _instance_secret(instance_path, name)
    return values


def _instance_secret(instance_path: Path, name: str) -> str:
    """A secret generated once per installation, kept in instance/secrets.json (never committed)."""
    import base64
    import secrets

    path = instance_path / "secrets.json"
    stored = json.loads(path.read_text()) if path.exists() else {}
    if name not in stored:
        stored[name] = base64.b64encode(secrets.token_bytes(32)).decode()
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored))
        path.chmod(0o600)
    return stored[name]


def engine_options(url: str) -> dict:
    """An embedded SQLite file costs nothing per connection: every request thread gets one at once (writers
    then queue on the file's lock, see saas.core.database). A server database keeps SQLAlchemy's bounded pool;
    a request that cannot have a connection in time is answered 503."""
    return {"pool_size": 10, "max_overflow": -1} if url.startswith("sqlite") else {}


def flask_settings(values: dict) -> dict:
    """Translate Quorum settings into the keys Flask and its extensions read."""
    return {
        **values,
        "SQLALCHEMY_DATABASE_URI": values["DATABASE_URL"],
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(values["DATABASE_URL"]),
        "MAX_CONTENT_LENGTH": int(values["MAX_REQUEST_MB"]) * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": bool(values["HTTPS"]),
        # The login's idle and longest durations are checked on the server (identity.authentication); the
        # cookie is written only when the session changes, so that a poll answered after a page that showed a
        # flash message cannot bring the message back with its older cookie.
        "PERMANENT_SESSION_LIFETIME": int(values["SESSION_MAX_HOURS"]) * 3600,
        "SESSION_REFRESH_EACH_REQUEST": False,
        "REMEMBER_COOKIE_DURATION": 0,
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parents[1] / "translations"),
        "API_TITLE": "Quorum API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }
