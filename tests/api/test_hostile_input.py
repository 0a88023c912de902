"""Requests an attacker sends, on the API and the web, to a collectivity with data: none answers 500.

Ids out of range in paths are 404 like a missing id; JSON nested too deep, or holding a lone surrogate, is
400; an integer that fits no column is 422 on its field; a body over the limit is 413 and says the limit.
The API answers with its one JSON error shape, the web with the French error page, and nothing is written.
"""

import json
import re

import pytest
from flask_smorest.error_handler import ErrorSchema

from saas.core.extensions import db
from saas.core.inputs import MAX_BIGINT, MAX_INTEGER, MAX_JSON_DEPTH, IdConverter
from saas.core.rest import MALFORMED
from saas.identity import authentication
from saas.identity import views as identity_views
from saas.identity.models import Person
from tests.fixtures.people import PASSWORD
from tests.fixtures.web import csrf_token, login

#: past SQLite's integers (2^63) and past PostgreSQL's ``integer`` columns (2^31)
OUT_OF_RANGE = (2**63, MAX_INTEGER + 1)
DEEP_ARRAYS = "[" * 5000
DEEP_OBJECTS = '{"x":' * 3000
LONE_SURROGATE = '"\\ud800"'
TOKENS = "/api/v1/auth/tokens"


def assert_json_error(response, code: int) -> dict:
    assert response.status_code == code, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert ErrorSchema().load(body) == body
    assert body["code"] == code and body["message"].strip()
    return body


def assert_error_page(response, code: int, url: str = "") -> str:
    assert response.status_code == code, (url, response.get_data(as_text=True)[:500])
    assert response.mimetype == "text/html", url
    page = response.get_data(as_text=True)
    assert f"Erreur {code}" in page and 'lang="fr"' in page and "Retour à mes mandats" in page, (url, page[:500])
    return page


def assert_refused(response, code: int, url: str):
    if url.startswith("/api/"):
        return assert_json_error(response, code)
    return assert_error_page(response, code, url)


def _url(rule, ids: dict, **values) -> str:
    arguments = {}
    for name in rule.arguments:
        if name in values:
            arguments[name] = values[name]
        elif name in ("tenant_slug", "slug"):
            arguments[name] = "besancon"
        elif isinstance(rule._converters[name], IdConverter):
            arguments[name] = ids.get(name, 1)
        else:
            arguments[name] = "x"
    return rule.build(arguments, append_unknown=False)[1]


def _methods(rule) -> list[str]:
    return sorted(set(rule.methods) - {"HEAD", "OPTIONS"})


def _int_arguments(rule) -> list[str]:
    return [name for name, converter in rule._converters.items() if isinstance(converter, IdConverter)]


def _build_unchecked(rule, ids: dict, name: str, value: int) -> str:
    """The URL with ``value`` for ``name``, which the converter would refuse to build."""
    placeholder = 987654321
    return _url(rule, ids, **{name: placeholder}).replace(str(placeholder), str(value))


# --- Ids in paths ---------------------------------------------------------------------------------


def test_every_int_route_is_a_bounded_id_in_the_openapi_document(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    parameters = [
        parameter
        for item in spec["paths"].values()
        for operation in [item, *item.values()]
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "path" and parameter["schema"].get("type") == "integer"
    ]
    assert len(parameters) > 20
    assert all(p["schema"]["minimum"] == 1 and p["schema"]["maximum"] == MAX_INTEGER for p in parameters)


def test_ids_out_of_range_answer_404_on_every_route(app, client, row_counts, besancon, signed_in):
    before = row_counts()
    checked = 0
    for rule in app.url_map.iter_rules():
        for name in _int_arguments(rule):
            for value in OUT_OF_RANGE:
                url = _build_unchecked(rule, besancon["ids"], name, value)
                api = url.startswith("/api/")
                for method in _methods(rule):
                    headers, body = (signed_in, {}) if api else ({}, None)
                    response = client.open(url, method=method, headers=headers, json=body)
                    assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
                    assert_refused(response, 404, url)
                    checked += 1
    assert checked > 200
    assert row_counts() == before


def test_the_quoted_urls_answer_404(client, besancon, signed_in):
    missing = assert_json_error(client.get("/api/v1/tenants/besancon/annotations/2147483000", headers=signed_in), 404)
    out_of_range = assert_json_error(
        client.get("/api/v1/tenants/besancon/annotations/9223372036854775808", headers=signed_in), 404
    )
    assert out_of_range == missing | {"message": out_of_range["message"]}
    assert_error_page(client.get("/t/besancon/s/9223372036854775808"), 404)
    assert_error_page(client.get("/t/besancon/s/" + "9" * 100_000), 404)


# --- JSON bodies ----------------------------------------------------------------------------------


def _body_routes(app):
    for rule in app.url_map.iter_rules():
        for method in _methods(rule):
            if method in ("POST", "PUT", "PATCH"):
                yield rule, method


@pytest.mark.parametrize("body", [DEEP_ARRAYS, DEEP_OBJECTS], ids=["arrays", "objects"])
def test_deeply_nested_json_is_a_400_on_every_route(app, client, row_counts, besancon, signed_in, body):
    app.config["WTF_CSRF_ENABLED"] = False  # the body is what is tested; CSRF has its own tests
    try:
        before = row_counts()
        routes = list(_body_routes(app))
        assert (TOKENS, "POST") in {(rule.rule, method) for rule, method in routes}
        for rule, method in routes:
            url = _url(rule, besancon["ids"])
            headers = signed_in if url.startswith("/api/") else {}
            response = client.open(url, method=method, data=body, content_type="application/json", headers=headers)
            refusal = assert_refused(response, 400, url)
            if url.startswith("/api/"):
                assert f"trop imbriqué ({MAX_JSON_DEPTH} niveaux au plus)" in refusal["message"], f"{method} {url}"
        assert row_counts() == before
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_unauthenticated_token_route_refuses_deep_json(client):
    for body in (DEEP_ARRAYS, DEEP_OBJECTS, "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)):
        assert_json_error(client.post(TOKENS, data=body, content_type="application/json"), 400)


def test_json_just_within_the_depth_limit_is_parsed(client):
    nested = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    body = '{"email": "a@b.fr", "password": "x", "name": ' + nested + "}"
    refusal = assert_json_error(client.post(TOKENS, data=body, content_type="application/json"), 422)
    assert "name" in refusal["errors"]["json"]


def test_a_lone_surrogate_as_a_password_is_a_400(client, row_counts, besancon):
    before = row_counts()
    email = json.dumps(besancon["colleague"].email)
    for password in (LONE_SURROGATE, '"abc\\udc00def"'):
        body = f'{{"email": {email}, "password": {password}}}'
        refusal = assert_json_error(client.post(TOKENS, data=body, content_type="application/json"), 400)
        assert "Unicode" in refusal["message"]
    assert row_counts() == before
    # a real pair of surrogates is one character, and an ordinary wrong password
    body = f'{{"email": {email}, "password": "\\ud83d\\ude00"}}'
    assert_json_error(client.post(TOKENS, data=body, content_type="application/json"), 401)


def test_a_lone_surrogate_in_a_login_form_is_a_form_error(client, besancon):
    """Forms are decoded by Werkzeug, which leaves undecodable bytes as they came: a wrong password."""
    token = csrf_token(client, "/login")
    email = besancon["colleague"].email.replace("@", "%40")
    for password in ("%ED%A0%80", "%FF%FE"):
        response = client.post(
            "/login",
            data=f"email={email}&password={password}&csrf_token={token}",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
        assert "Adresse e-mail ou mot de passe incorrect" in response.get_data(as_text=True)


def test_a_lone_surrogate_in_an_annotation_body_is_a_400(app, client, row_counts, besancon, signed_in):
    document_id = besancon["ids"]["document_id"]
    body = '{"kind": "note", "page": 1, "color": "#ffd400", "rects": [[10, 10, 30, 30]], "body": "\\ud800"}'
    before = row_counts()
    api = f"/api/v1/tenants/besancon/documents/{document_id}/annotations"
    refusal = assert_json_error(client.post(api, data=body, content_type="application/json", headers=signed_in), 400)
    assert "Unicode" in refusal["message"]
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        web = f"/t/besancon/documents/{document_id}/annotations"
        assert_error_page(client.post(web, data=body, content_type="application/json"), 400)
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert row_counts() == before


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_numbers_json_does_not_have_are_refused(client, besancon, signed_in, constant):
    document_id = besancon["ids"]["document_id"]
    body = '{"kind": "note", "page": 1, "color": "#ffd400", "rects": [[10, 10, 30, %s]]}'.replace("%s", constant)
    api = f"/api/v1/tenants/besancon/documents/{document_id}/annotations"
    response = client.post(api, data=body, content_type="application/json", headers=signed_in)
    assert "nombre que JSON ne connaît pas" in assert_json_error(response, 400)["message"]


def test_a_json_body_over_its_limit_is_a_413(client, besancon, signed_in):
    document_id = besancon["ids"]["document_id"]
    body = json.dumps({"kind": "note", "page": 1, "body": "a" * (1100 * 1024)})
    api = f"/api/v1/tenants/besancon/documents/{document_id}/annotations"
    refusal = assert_json_error(client.post(api, data=body, content_type="application/json", headers=signed_in), 413)
    assert "1024 Ko" in refusal["message"]


def test_a_body_over_the_request_limit_says_the_limit_on_the_web(app, client, besancon, signed_in, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 3 * 1024 * 1024 // 2)
    page = assert_error_page(client.post("/login", data={"email": "a" * (2 * 1024 * 1024)}), 413)
    assert "Le contenu envoyé dépasse la limite de 1,5 Mo." in page


# --- Integers in bodies ---------------------------------------------------------------------------


def _annotations_url(besancon) -> str:
    return f"/api/v1/tenants/besancon/documents/{besancon['ids']['document_id']}/annotations"


def _note(**values) -> dict:
    return {"kind": "note", "page": 1, "color": "#ffd400", "rects": [[10, 10, 30, 30]], "body": "Note", **values}


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_integers_out_of_range_in_bodies_are_422_on_their_field(client, row_counts, besancon, signed_in, value):
    tenant_url = "/api/v1/tenants/besancon"
    contract_id = besancon["ids"]["contract_id"]
    cases = [
        (_annotations_url(besancon), "POST", _note(reply_to=value), "reply_to"),
        (_annotations_url(besancon), "POST", _note(sharing={"scope": "people", "people": [value]}), "sharing"),
        (_annotations_url(besancon), "POST", _note(position={"start": 0, "end": value}), "position"),
        (f"{tenant_url}/annotations/{besancon['ids']['annotation_id']}", "PATCH", {"revision": value}, "revision"),
        (
            f"{tenant_url}/signature-requests",
            "POST",
            {"document_version_id": value, "title": "T", "signers": [{"person_id": 1, "role": "Maire"}]},
            "document_version_id",
        ),
        (
            f"{tenant_url}/signature-requests",
            "POST",
            {"document_version_id": 1, "title": "T", "signers": [{"person_id": value, "role": "Maire"}]},
            "signers",
        ),
        (f"{tenant_url}/signature-batches", "POST", {"request_ids": [value], "code": "123456"}, "request_ids"),
        (f"/api/v1/group/contracts/{contract_id}/lots", "POST", {"number": 1, "title": "Lot", "units": value}, "units"),
        (f"/api/v1/group/contracts/{contract_id}/lots", "POST", {"number": value, "title": "Lot"}, "number"),
        (f"{tenant_url}/sittings/{besancon['ids']['sitting_id']}/proxy", "POST", {"holder_id": value}, "holder_id"),
    ]
    before = row_counts()
    for url, method, body, field in cases:
        refusal = assert_json_error(client.open(url, method=method, json=body, headers=signed_in), 422)
        errors = refusal.get("errors", {})
        assert field in errors.get("json", errors), f"{method} {url}: {refusal}"
    assert row_counts() == before


def test_amounts_go_up_to_bigint_and_not_beyond(client, besancon, signed_in):
    url = f"/api/v1/group/contracts/{besancon['ids']['contract_id']}/lots"
    refusal = assert_json_error(
        client.post(url, json={"number": 1, "title": "Lot", "equipment_cents": MAX_BIGINT + 1}, headers=signed_in), 422
    )
    assert "equipment_cents" in refusal["errors"]["json"]
    created = client.post(url, json={"number": 1, "title": "Lot", "equipment_cents": MAX_BIGINT}, headers=signed_in)
    assert created.status_code == 201, created.get_json()


def test_every_integer_of_a_request_body_is_bounded_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    used = set()
    for item in spec["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            for media in operation["requestBody"]["content"].values():
                reference = media["schema"].get("$ref", "")
                if reference:
                    used.add(reference.rsplit("/", 1)[-1])
    pending, seen, integers = list(used), set(), []
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        stack = list(schemas[name].get("properties", {}).items())
        while stack:
            field, definition = stack.pop()
            if "$ref" in definition:
                pending.append(definition["$ref"].rsplit("/", 1)[-1])
            if definition.get("type") == "integer" or "integer" in definition.get("type", []):
                integers.append((name, field, definition))
            for key in ("items",):
                if key in definition:
                    stack.append((f"{field}[]", definition[key]))
    assert len(integers) > 10
    for name, field, definition in integers:
        assert definition.get("maximum", MAX_BIGINT + 1) <= MAX_BIGINT, f"{name}.{field} has no maximum"
        assert "minimum" in definition, f"{name}.{field} has no minimum"


# --- What the operation requires, the document says -----------------------------------------------


def test_an_annotation_posted_empty_is_refused_and_the_document_says_so(client, besancon, signed_in):
    spec = client.get("/api/v1/openapi.json").get_json()
    response = client.post(_annotations_url(besancon), json={}, headers=signed_in)
    assert_json_error(response, 422)
    operation = spec["paths"]["/api/v1/tenants/{tenant_slug}/documents/{document_id}/annotations"]["post"]
    choices = operation["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    required = [set(spec["components"]["schemas"][c["$ref"].rsplit("/", 1)[-1]].get("required", [])) for c in choices]
    assert required == [{"kind", "page", "color"}, {"reply_to", "body"}]


# --- The error handlers cannot fail ---------------------------------------------------------------


def fail_a_flush(person) -> None:
    """What a constraint or a lock timeout does: the flush fails, and the session is unusable until rolled back."""
    db.session.add(Person(email=person.email, first_name="Double", last_name="Double"))
    db.session.flush()


def test_after_a_failed_flush_the_api_answers_a_clean_json_500(app, client, monkeypatch, besancon):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setattr(authentication, "create_token", lambda person, name: fail_a_flush(person))
    body = {"email": besancon["colleague"].email, "password": PASSWORD}
    refusal = assert_json_error(client.post(TOKENS, json=body), 500)
    assert refusal["message"] == "Une erreur interne est survenue. Elle a été enregistrée."
    assert "unique" not in json.dumps(refusal).lower()


def test_after_a_failed_flush_the_web_shows_the_french_error_page(app, client, monkeypatch, besancon):
    """The page's header shows the person: loading them again after a failed flush needs the rollback first."""
    login(client, besancon["caller"])
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    monkeypatch.setattr(identity_views, "commit", lambda session: fail_a_flush(besancon["caller"]))
    page = assert_error_page(client.post("/account/locale", data={"locale": "fr"}), 500)
    assert "Une erreur interne est survenue. Elle a été enregistrée." in page
    assert besancon["caller"].last_name in page


def test_when_even_the_error_page_fails_a_plain_french_page_goes_out(app, client, monkeypatch):
    from saas.core import errors

    def broken_template(*args, **kwargs):
        raise RuntimeError("template store unavailable")

    monkeypatch.setattr(errors, "render_template", broken_template)
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Erreur 404" in response.get_data(as_text=True)
    assert "Une erreur est survenue" in response.get_data(as_text=True)


def _body_schemas(spec, operation) -> list[dict]:
    """The JSON body's schema, or each of its alternatives (``oneOf``), resolved."""
    media = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if media is None:
        return []
    schema = media["schema"]
    return [
        spec["components"]["schemas"][choice["$ref"].rsplit("/", 1)[-1]] if "$ref" in choice else choice
        for choice in schema.get("oneOf", [schema])
    ]


def test_an_empty_object_is_refused_only_where_the_document_requires_fields(app, client, besancon, signed_in):
    """A schema-valid request is one the schema accepts: where ``{}`` is refused as malformed (json_body's
    422), the schema says what is required; where the schema requires fields, ``{}`` is refused. (A refusal
    of the rules — « Aucun circuit actif pour les actes à signer. » — is the operation's, not the schema's.)"""
    spec = client.get("/api/v1/openapi.json").get_json()
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in _methods(rule):
            operation = spec["paths"][path].get(method.lower(), {})
            schemas = _body_schemas(spec, operation)
            if not schemas:
                continue
            response = client.open(_url(rule, besancon["ids"]), method=method, json={}, headers=signed_in)
            requires = all(schema.get("required") for schema in schemas)
            body = response.get_json(silent=True)
            malformed = isinstance(body, dict) and body.get("message") == MALFORMED
            if response.status_code == 422 and (malformed or requires):
                assert requires, f"{method} {path}: {{}} is schema-valid but refused: {response.get_json()}"
                checked += 1
            elif requires:
                assert response.status_code in (400, 403, 404, 422), f"{method} {path} accepted {{}}"
    assert checked > 10
