"""The validation report on the web and in the API: members upload, read HTML, JSON or PDF; bad files refused."""

import html
import io

import pytest

from saas.core.database import commit
from saas.core.extensions import db
from saas.signing import validation
from saas.trust import anchors as trust
from saas.trust import pki
from tests.fixtures.pdfs import clean_pdf
from tests.fixtures.signed import prepared, sign
from tests.fixtures.web import bearer, csrf_token, login

URL = "/t/{slug}/signatures/validate"
API = "/api/v1/tenants/{slug}/signatures/validate"


@pytest.fixture
def signed_world(tmp_path, session, create_tenant, create_person, give_mandate, in_tenant):
    tenant = create_tenant(name="Ville de Besançon")
    mayor = create_person(first_name="Anne", last_name="Vignot")
    member = create_person()
    give_mandate(member, tenant)
    with in_tenant(tenant):
        first = sign(tenant, mayor, prepared(tmp_path), tmp_path / "first.pdf", "maire")
        both = sign(
            tenant, create_person(first_name="Paul", last_name="Secrétaire"), first, tmp_path / "b.pdf", "secretaire"
        )
    commit(db.session)
    return tenant, member, both


def _upload(path, name="deliberation.pdf"):
    return (io.BytesIO(path.read_bytes()), name)


def test_member_validates_on_the_web_html_and_pdf(client, signed_world):
    tenant, member, signed = signed_world
    login(client, member)
    url = URL.format(slug=tenant.slug)
    assert client.get(url).status_code == 200
    token = csrf_token(client, url)
    page = client.post(url, data={"csrf_token": token, "file": _upload(signed)}, content_type="multipart/form-data")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Anne Vignot" in body and "Paul Secrétaire" in body and "B-T" in body
    assert "Toutes les signatures sont valides" in body and "Horodatage Ville de Besançon" in body
    pdf = client.post(
        url,
        data={"csrf_token": token, "file": _upload(signed), "format": "pdf"},
        content_type="multipart/form-data",
    )
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")


def test_bad_files_are_refused_in_french_on_the_web(client, signed_world, tmp_path):
    tenant, member, _ = signed_world
    login(client, member)
    url = URL.format(slug=tenant.slug)
    token = csrf_token(client, url)
    cases = [
        ({"csrf_token": token}, "Joignez le PDF signé"),
        ({"csrf_token": token, "file": (io.BytesIO(b"hello"), "x.pdf")}, "n'est pas un PDF"),
        ({"csrf_token": token, "file": _upload(clean_pdf(tmp_path / "u.pdf"))}, "aucune signature"),
    ]
    for data, message in cases:
        page = client.post(url, data=data, content_type="multipart/form-data")
        assert page.status_code == 422 and message in html.unescape(page.get_data(as_text=True))


def test_api_json_and_pdf_report(client, signed_world):
    tenant, member, signed = signed_world
    headers = bearer(member)
    url = API.format(slug=tenant.slug)
    response = client.post(url, headers=headers, data={"file": _upload(signed)}, content_type="multipart/form-data")
    assert response.status_code == 200, response.json
    report = response.json
    assert report["ok"] and [s["signer"] for s in report["signatures"]] == ["Anne Vignot", "Paul Secrétaire"]
    first = report["signatures"][0]
    assert (
        first["level"] == "B-T"
        and first["timestamp"]["trusted"]
        and first["changes"] == ["champ « secretaire » rempli"]
    )
    pdf = client.post(
        url + "?format=pdf", headers=headers, data={"file": _upload(signed)}, content_type="multipart/form-data"
    )
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_api_refusals_use_the_error_shape(client, signed_world, create_person):
    tenant, member, signed = signed_world
    headers = bearer(member)
    url = API.format(slug=tenant.slug)
    missing = client.post(url, headers=headers, data={}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "Joignez le PDF signé" in missing.json["message"]
    not_pdf = client.post(
        url,
        headers=headers,
        data={"file": (io.BytesIO(b"%PDF-1.7 broken"), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert not_pdf.status_code == 422 and not_pdf.json["code"] == 422
    outsider = client.post(
        url, headers=bearer(create_person()), data={"file": _upload(signed)}, content_type="multipart/form-data"
    )
    assert outsider.status_code == 404
    assert client.post(url, data={"file": _upload(signed)}, content_type="multipart/form-data").status_code == 401


def test_configured_trust_anchors(tmp_path, session, create_tenant, create_person, in_tenant):
    city, agglo = create_tenant(), create_tenant()
    mayor = create_person()
    with in_tenant(city):
        signed = sign(city, mayor, prepared(tmp_path), tmp_path / "s.pdf", "maire")
        city_ca = pki.tenant_ca(city).pem.decode()
    with in_tenant(agglo):
        assert not validation.validate(agglo, signed, "s.pdf").ok
        with pytest.raises(trust.TrustError, match="PEM valide"):
            trust.set_trust_anchors(agglo, "-----BEGIN CERTIFICATE-----\nxx\n")
        trust.set_trust_anchors(agglo, city_ca)  # the Agglomeration trusts the City's CA
        assert validation.validate(agglo, signed, "s.pdf").ok
        trust.set_trust_anchors(agglo, None)
        assert not validation.validate(agglo, signed, "s.pdf").ok
