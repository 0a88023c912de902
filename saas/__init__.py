"""Quorum: the Flask platform."""

import os
from pathlib import Path

from flask import Flask

from saas import config

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None, instance_path: str | None = None) -> Flask:
    """The application. ``instance_path`` (or QUORUM_INSTANCE_PATH) holds the embedded database, files,
    outbox and generated secrets; it defaults to instance/ in the checkout."""
    app = Flask(
        __name__,
        instance_path=instance_path or os.environ.get("QUORUM_INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates" / "web"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(config.flask_settings(config.load(Path(app.instance_path), overrides)))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from saas.areas import import_modules
    from saas.extensions import api, babel, csrf, db, login_manager, migrate
    from saas.platform import errors, inputs, security, web

    inputs.init_app(app)  # first: the blueprints' <int:…> rules take its converter
    import_modules("models")
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale)
    login_manager.init_app(app)
    api.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    web.init_app(app)

    _register_blueprints(app)
    _connect_signals()
    from saas import cli

    cli.register(app)
    return app


def _connect_signals() -> None:
    """What one area does when another's record changes: the group's agreement goes on to the next member
    once a member's signature request closes."""
    from saas.groupement.agreement_signing import carry_on
    from saas.signing.book import request_closed

    request_closed.connect(carry_on)


def _register_blueprints(app: Flask) -> None:
    from saas.admin.views import bp as admin_views
    from saas.documents.annotation_api import blp as annotations_api
    from saas.documents.annotation_views import bp as annotation_views
    from saas.documents.annotation_views import notes_bp as annotation_notes
    from saas.documents.api import blp as documents_api
    from saas.documents.export_api import blp as document_exports_api
    from saas.documents.export_views import bp as document_exports_views
    from saas.documents.viewer_views import bp as documents_viewer
    from saas.documents.views import bp as documents_views
    from saas.extensions import api
    from saas.groupement.agreement_api import blp as groupement_agreement_api
    from saas.groupement.agreement_views import bp as groupement_agreement_views
    from saas.groupement.api import blp as groupement_api
    from saas.groupement.contract_api import blp as groupement_contracts_api
    from saas.groupement.contract_views import bp as groupement_contract_views
    from saas.groupement.device_api import blp as groupement_devices_api
    from saas.groupement.device_views import bp as groupement_device_views
    from saas.groupement.statement_api import blp as groupement_statements_api
    from saas.groupement.statement_views import bp as groupement_statement_views
    from saas.groupement.views import bp as groupement_views
    from saas.identity.api import blp as identity_api
    from saas.identity.views import bp as identity_views
    from saas.mail.views import bp as mail_views
    from saas.platform.views import bp as platform_views
    from saas.signing.api import blp as signing_api
    from saas.signing.book_api import blp as signature_book_api
    from saas.signing.book_views import book_bp as signature_book_inbox
    from saas.signing.book_views import bp as signature_book_views
    from saas.signing.views import bp as signing_views
    from saas.sittings.api import blp as sittings_api
    from saas.sittings.attendance_link_views import bp as attendance_link_views
    from saas.sittings.convocation_api import blp as convocations_api
    from saas.sittings.convocation_views import bp as convocation_views
    from saas.sittings.proof_views import bp as proof_views
    from saas.sittings.views import bp as sittings_views
    from saas.sittings.views import inbox_bp as sittings_inbox
    from saas.tenancy.api import blp as tenancy_api
    from saas.tenancy.views import bp as tenancy_views

    web = (
        platform_views,
        identity_views,
        tenancy_views,
        admin_views,
        mail_views,
        sittings_views,
        sittings_inbox,
        proof_views,
        convocation_views,
        attendance_link_views,
        documents_views,
        documents_viewer,
        signing_views,
        groupement_views,
        groupement_agreement_views,
        groupement_contract_views,
        groupement_device_views,
        groupement_statement_views,
        signature_book_views,
        signature_book_inbox,
    )
    web += (document_exports_views,)
    web += (annotation_views, annotation_notes)
    for blueprint in web:
        app.register_blueprint(blueprint)
    apis = (identity_api, tenancy_api, sittings_api, convocations_api, documents_api, signing_api, groupement_api)
    apis += (groupement_agreement_api, groupement_contracts_api, groupement_devices_api, groupement_statements_api)
    apis += (signature_book_api,)
    apis += (document_exports_api,)
    apis += (annotations_api,)
    for blueprint in apis:
        api.register_blueprint(blueprint)
