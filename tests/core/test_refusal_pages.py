"""The one refusal handler answers what a view's refusal page returns: a rendered form with the refusal's
status, a response (a redirect after a flash) or a ``(body, status)`` tuple as it is."""

import pytest
from flask import Blueprint, flash, get_flashed_messages, redirect

from saas import create_app
from saas.core.errors import DomainError, on_refusal

bp = Blueprint("refusal_pages", __name__)


class Refused(DomainError):
    status = 409


@bp.get("/refusal/form")
def form():
    on_refusal(lambda error: f"<form>{error.message}</form>")
    raise Refused("Déjà fait.")


@bp.get("/refusal/redirect")
def flashed():
    def page(error):
        flash(error.message, "error")
        return redirect("/refusal/flashes")

    on_refusal(page)
    raise Refused("Déjà fait.")


@bp.get("/refusal/flashes")
def flashes():
    return " | ".join(get_flashed_messages())


@bp.get("/refusal/tuple")
def pair():
    on_refusal(lambda error: ({"message": error.message}, 418))
    raise Refused("Déjà fait.")


@pytest.fixture
def client(tmp_path):
    app = create_app(
        {"SECRET_KEY": "test-secret", "TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'test.db'}"},
        instance_path=str(tmp_path),
    )
    app.register_blueprint(bp)
    return app.test_client()


def test_a_rendered_form_takes_the_refusal_status(client):
    response = client.get("/refusal/form")
    assert response.status_code == 409
    assert response.get_data(as_text=True) == "<form>Déjà fait.</form>"


def test_a_redirect_after_a_flash_goes_out_as_it_is(client):
    response = client.get("/refusal/redirect")
    assert response.status_code == 302
    assert response.headers["Location"] == "/refusal/flashes"
    assert client.get("/refusal/flashes").get_data(as_text=True) == "Déjà fait."


def test_a_body_and_status_go_out_as_they_are(client):
    response = client.get("/refusal/tuple")
    assert response.status_code == 418
    assert response.get_json() == {"message": "Déjà fait."}
