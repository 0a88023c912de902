"""Who is calling: the session cookie (browsers) or a bearer token (API clients), and in which language."""

from flask import Blueprint, Flask, g, redirect, request, session, url_for
from flask_login import current_user
from flask_smorest import Blueprint as ApiBlueprint

from saas.core.database import TenantContext, set_context
from saas.core.errors import is_api_request, json_error
from saas.core.extensions import api, csrf, db, login_manager
from saas.core.rest import SECURITY_SCHEME
from saas.identity import authentication
from saas.identity.access import enter_tenant
from saas.identity.models import Person

LOCALES = ("fr", "en")
#: endpoints a person who must enrol a second factor may still reach
MFA_ENROLLMENT_ENDPOINTS = {"identity.enroll_mfa", "identity.logout", "static", "platform.healthz"}


def select_locale() -> str:
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    return request.accept_languages.best_match(LOCALES) or "fr"


@login_manager.user_loader
def load_person_from_session(session_key: str) -> Person | None:
    if is_api_request():
        return None  # the API takes bearer tokens only, so a cookie can never ride a cross-site request
    login = authentication.find_session(session_key)
    if login is None:
        return None
    person = login.person
    person.login_session, person.session_key = login, session_key
    return person


@login_manager.request_loader
def load_person_from_token(req) -> Person | None:
    header = req.headers.get("Authorization", "")
    if not is_api_request() or not header.startswith("Bearer "):
        return None
    return authentication.person_for_token(header.removeprefix("Bearer ").strip())


@login_manager.unauthorized_handler
def unauthorized():
    if is_api_request():
        return json_error(401, "Authentification requise : envoyez l'en-tête « Authorization: Bearer <jeton> ».")
    return redirect(url_for("identity.login", next=request.full_path if request.method == "GET" else None))


def init_app(app: Flask) -> None:
    login_manager.login_view = "identity.login"
    login_manager.session_protection = None  # sessions are server-side rows, revoked there

    @app.before_request
    def enter_person():
        if not current_user.is_authenticated:
            return None
        set_context(db.session, TenantContext(person_id=current_user.id))
        login = getattr(current_user, "login_session", None)
        if (
            login is not None
            and not login.mfa_verified
            and request.endpoint not in MFA_ENROLLMENT_ENDPOINTS
            and authentication.mfa_required(current_user)
        ):
            return redirect(url_for("identity.enroll_mfa"))
        if not session.permanent:  # setting it again would mark the session changed, and rewrite its cookie
            session.permanent = True
        return None


def tenant_blueprint(name: str, import_name: str, url_prefix: str = "") -> Blueprint:
    """A blueprint under /t/<tenant_slug>: login required, 404 unless the caller may see the tenant."""
    from flask_login import login_required

    bp = Blueprint(name, import_name, url_prefix="/t/<tenant_slug>" + url_prefix)

    @bp.url_value_preprocessor
    def pop_tenant_slug(endpoint, values):
        g.tenant_slug = values.pop("tenant_slug")

    @bp.url_defaults
    def add_tenant_slug(endpoint, values):
        if "tenant_slug" not in values and "tenant" in g:
            values["tenant_slug"] = g.tenant.slug

    @bp.before_request
    @login_required
    def load_tenant():
        enter_tenant(g.tenant_slug, current_user)

    return bp


def api_blueprint(blp: ApiBlueprint, public: tuple[tuple[str, str], ...] = ()) -> ApiBlueprint:
    """Exempt ``blp`` from CSRF; require a bearer token except for the ``public`` (endpoint, method)."""
    csrf.exempt(blp)
    public_calls = {(f"{blp.name}.{endpoint}", method) for endpoint, method in public}

    @blp.before_request
    def require_bearer_token():
        if current_user.is_authenticated:
            return None
        if (request.endpoint, request.method) in public_calls:
            return None
        return login_manager.unauthorized()

    blp.record_once(lambda state: _document_security(state.app))
    return blp


def _document_security(app) -> None:
    """Declare the bearer scheme, required by default, and document the spec's own route."""
    components = api.spec.components
    if SECURITY_SCHEME in components.security_schemes:
        return
    components.security_scheme(
        SECURITY_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "description": "Jeton d'accès personnel (qrm_…), créé par POST /api/v1/auth/tokens.",
        },
    )
    api.spec.options["security"] = [{SECURITY_SCHEME: []}]
    spec_endpoint = f"{api._make_doc_blueprint_name()}.openapi_json"
    api.spec.path(
        rule=next(rule for rule in app.url_map.iter_rules() if rule.endpoint == spec_endpoint),
        operations={
            "get": {
                "summary": "Document OpenAPI de l'API",
                "description": "Ce document-ci, au format OpenAPI 3 (JSON).",
                "tags": ["documentation"],
                "security": [],
                "responses": {"200": {"description": "Le document OpenAPI.", "content": {"application/json": {}}}},
            }
        },
    )
