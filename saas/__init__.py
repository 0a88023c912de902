"""Quorum: the Flask platform."""

import os
from pathlib import Path

from flask import Flask

from saas.core import config

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

    # imported here, not at the top: every ``import saas.<area>`` runs this package's __init__ first, so
    # importing the areas at its top would make each of them import the whole application
    from saas.core import display, errors, inputs, security
    from saas.core.areas import import_modules
    from saas.core.extensions import api, babel, csrf, db, login_manager, migrate
    from saas.identity import web

    inputs.init_app(app)  # first: the blueprints' <int:…> rules take its converter
    import_modules("models")
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale, timezone_selector=display.select_time_zone)
    login_manager.init_app(app)
    api.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    web.init_app(app)
    display.init_app(app)

    _register_blueprints(app)
    _connect_signals()
    from saas import cli

    cli.register(app)
    return app


def _connect_signals() -> None:
    """What one area does when another's record changes: the group's agreement goes on to the next member
    once a member's signature request closes, and a circuit's signature step once its request does; a new
    document version moves the annotations, asks for the board book again and tells the report's running
    circuit; the circuits' people read the documents they are asked about; a report placed on an agenda quotes
    its committee's opinion; an item decided at the sitting becomes an act, and the adopted approval of minutes
    approves them; minutes signed in the book are signed; a new sitting is offered the minutes waiting for their
    approval, and a closed sitting's list of deliberations is drawn. Connected here, so the area that sends never
    imports the one that listens."""
    from saas.acts.minutes import operations as minutes
    from saas.acts.operations import on_item_decided
    from saas.documents.annotations.anchoring import follow_new_version
    from saas.documents.board_book.operations import inputs_changed
    from saas.documents.operations import version_added
    from saas.groupement.agreement.operations import carry_on
    from saas.reports.operations import quote_opinions_from
    from saas.signing.book.operations import request_closed
    from saas.sittings.operations import sitting_created
    from saas.sittings.outcomes import item_decided, sitting_closed
    from saas.workflow.access import register_readers
    from saas.workflow.operations import documents_changed, signature_closed
    from saas.workflow.reports.opinions import agenda_phrase

    request_closed.connect(carry_on)
    request_closed.connect(signature_closed)
    version_added.connect(follow_new_version)
    version_added.connect(inputs_changed)
    version_added.connect(documents_changed)
    register_readers()
    quote_opinions_from(agenda_phrase)
    item_decided.connect(on_item_decided)
    item_decided.connect(minutes.on_item_decided)
    request_closed.connect(minutes.signature_closed)
    sitting_created.connect(minutes.on_sitting_created)
    sitting_closed.connect(minutes.on_sitting_closed)


def _register_blueprints(app: Flask) -> None:
    """Every blueprint declared in a ``views.py`` (the web) or an ``api.py`` (the JSON API) of an area."""
    from flask import Blueprint
    from flask_smorest import Blueprint as ApiBlueprint

    from saas.core.areas import modules
    from saas.core.extensions import api

    for kind in ("views", "api"):
        for module in modules(kind):
            for value in vars(module).values():
                if isinstance(value, Blueprint) and value.import_name == module.__name__:
                    (api if isinstance(value, ApiBlueprint) else app).register_blueprint(value)
