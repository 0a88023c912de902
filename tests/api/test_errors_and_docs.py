"""One JSON error shape for every API error, and a description of every /api/v1 route."""

import re

from flask_smorest.error_handler import ErrorSchema

from saas.identity import authentication
from saas.identity.models import GrantKind
from tests.fixtures.people import PASSWORD
from tests.fixtures.web import bearer

TOKENS = "/api/v1/auth/tokens"


def assert_api_error(response, code: int) -> dict:
    """The documented error payload (flask-smorest's ErrorSchema), with a message, and nothing else."""
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert ErrorSchema().load(body) == body  # no field the schema does not document, right types
    assert body["code"] == code and body["status"] and body["message"].strip()
    return body


def test_malformed_json_is_a_json_400(client):
    response = client.post(TOKENS, data='{"email": "a@b.fr", ', content_type="application/json")
    body = assert_api_error(response, 400)
    assert body["message"] == "La requête est mal formée."
    assert "json" in body["errors"]


def test_a_body_over_the_limit_is_a_json_413_that_says_the_limit(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    body = b'{"email": "' + b"a" * (3 * 1024 * 1024) + b'"}'
    response = client.post(TOKENS, data=body, content_type="application/json")
    assert assert_api_error(response, 413)["message"] == "Le contenu envoyé dépasse la limite de 2 Mo."


def test_each_api_error_has_the_one_shape(app, client, session, monkeypatch, create_person, create_tenant, give_grant):
    person = create_person()
    headers = bearer(person)
    admin = create_person()
    give_grant(admin, create_tenant(), GrantKind.TENANT_ADMIN)

    assert_api_error(client.get("/api/v1/me"), 401)
    assert_api_error(client.post(TOKENS, json={"email": admin.email, "password": PASSWORD}), 403)
    assert_api_error(client.get("/api/v1/no-such-route", headers=headers), 404)
    not_allowed = client.put("/api/v1/me", headers=headers)
    assert_api_error(not_allowed, 405)
    assert set(not_allowed.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    invalid = assert_api_error(client.post(TOKENS, json={}), 422)
    assert invalid["errors"]["json"]["email"] == ["Ce champ est obligatoire."]
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_HOUR", 0)
    assert_api_error(client.post(TOKENS, json={"email": person.email, "password": PASSWORD}), 429)


def test_an_unexpected_failure_is_a_json_500_that_leaks_nothing(app, client, monkeypatch, create_person):
    """A fault injected where one can happen (the token insert), exceptions handled as in production."""
    person = create_person()

    def failing_insert(*args, **kwargs):
        raise RuntimeError("database exploded: secret detail")

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setattr(authentication, "create_token", failing_insert)
    response = client.post(TOKENS, json={"email": person.email, "password": PASSWORD})
    body = assert_api_error(response, 500)
    assert body["message"] == "Une erreur interne est survenue. Elle a été enregistrée."
    assert "secret detail" not in response.get_data(as_text=True)


def test_pages_outside_the_api_keep_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def _api_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routes |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_openapi_describes_every_api_route_and_the_bearer_scheme(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    documented = {(path, method) for path, item in spec["paths"].items() for method in item if method != "parameters"}
    routes = _api_routes(app)
    assert len(routes) >= 7
    assert routes - documented == set()
    assert documented - routes == set()
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    assert spec["security"] == [{"bearerAuth": []}]
    public = {(path, method) for path, method in documented if spec["paths"][path][method].get("security") == []}
    assert public == {
        ("/api/v1/auth/tokens", "post"),
        ("/api/v1/openapi.json", "get"),
        ("/api/v1/docs", "get"),
        ("/api/v1/tenants/{tenant_slug}/opendata/deliberations.csv", "get"),
    }
    for path, method in documented:
        assert spec["paths"][path][method]["summary"], f"{method} {path} has no summary"


def test_the_routes_the_spec_calls_public_are_the_only_ones_without_a_token(app, client):
    """The spec's security requirements match what the server enforces."""
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            url = re.sub(r"\{\w+\}", "1", path)
            response = client.open(url, method=method.upper(), json={} if method == "post" else None)
            if operation.get("security") == []:
                assert response.status_code != 401, f"{method} {path}"
            else:
                assert_api_error(response, 401)


def test_docs_page_lists_every_operation_without_scripts(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    page = response.get_data(as_text=True)
    assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=", page, re.IGNORECASE)
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert f"<code>{method.upper()} {path}</code>" in page
            assert operation["summary"].replace("'", "&#39;") in page
            for status in operation["responses"]:
                assert f"<td>{status}</td>" in page
    for name in ("tenant_slug", "assembly_id", "token_id", "TokenRequest", "Me", "AssemblyAdmin"):
        assert f"<code>{name}</code>" in page or f"<caption>{name}</caption>" in page


def test_a_bearer_token_needs_no_csrf_token(app, client, create_person):
    """API blueprints are CSRF-exempt: the API takes no cookie, so a cross-site form cannot use it."""
    assert app.config["WTF_CSRF_ENABLED"]
    person = create_person()
    headers = bearer(person)
    [token] = client.get(TOKENS, headers=headers).get_json()
    assert client.delete(f"{TOKENS}/{token['id']}", headers=headers).status_code == 204
    assert client.post(TOKENS, json={"email": person.email, "password": PASSWORD}).status_code == 201
