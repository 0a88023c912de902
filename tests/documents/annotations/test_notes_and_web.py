"""The viewer's JSON routes (session cookie and CSRF header) and "Mes notes" across collectivities."""

import io

from saas.core.database import SYSTEM, context
from saas.documents.operations import add_item_document
from tests.fixtures.annotations import FIRST, highlight, note, text_pdf
from tests.fixtures.sittings import sitting_items
from tests.fixtures.web import csrf_token, login


def web_url(report_council, document=None) -> str:
    return f"/t/{report_council.tenant.slug}/documents/{(document or report_council.document).id}/annotations"


def test_the_viewer_routes_need_the_csrf_header_and_follow_the_api_rules(client, report_council):
    login(client, report_council.people["author"])
    token = csrf_token(client, "/account")
    assert client.post(web_url(report_council), json=highlight()).status_code == 400  # no CSRF header
    created = client.post(web_url(report_council), json=highlight(), headers={"X-CSRFToken": token})
    assert created.status_code == 201 and created.json["mine"] is True
    one = f"/t/{report_council.tenant.slug}/annotations/{created.json['id']}"
    listing = client.get(web_url(report_council)).json
    assert [a["id"] for a in listing["annotations"]] == [created.json["id"]] and listing["cursor"]
    changed = client.patch(one, json={"color": "#ff6b6b", "revision": 1}, headers={"X-CSRFToken": token})
    assert changed.status_code == 200 and changed.json["color"] == "#ff6b6b" and changed.json["revision"] == 2
    stale = client.patch(one, json={"color": "#51cf66", "revision": 1}, headers={"X-CSRFToken": token})
    assert stale.status_code == 409 and stale.json["error"]["current"]["color"] == "#ff6b6b"
    bad = client.post(web_url(report_council), json=highlight(color="rouge"), headers={"X-CSRFToken": token})
    assert bad.status_code == 422 and "Couleur inconnue" in bad.json["errors"]["color"]
    assert client.delete(one + "?revision=2", headers={"X-CSRFToken": token}).status_code == 204
    since = client.get(web_url(report_council), query_string={"since": listing["cursor"]}).json
    assert since["deleted"] == [created.json["id"]] and since["annotations"] == []

    other = client.application.test_client()
    login(other, report_council.people["colleague"])
    private = create_as(report_council, client, token)
    assert other.get(f"/t/{report_council.tenant.slug}/annotations/{private}").status_code == 405  # GET is API-only
    assert other.get(web_url(report_council)).json["annotations"] == []
    other_token = csrf_token(other, "/account")
    assert (
        other.patch(
            f"/t/{report_council.tenant.slug}/annotations/{private}",
            json={"revision": 1},
            headers={"X-CSRFToken": other_token},
        ).status_code
        == 404
    )


def create_as(report_council, client, token) -> int:
    response = client.post(web_url(report_council), json=note(), headers={"X-CSRFToken": token})
    assert response.status_code == 201
    return response.json["id"]


def test_my_notes_across_two_collectivities(client, session, report_council, give_mandate, create_sitting, tmp_path):
    author = report_council.people["author"]
    second = report_council.other_tenant
    give_mandate(author, second)
    sitting = create_sitting(second, items=1)
    with context(session, SYSTEM):
        item = sitting_items(session, sitting)[0]
        pdf = io.BytesIO(text_pdf(tmp_path / "second.pdf", FIRST))
        other_document = add_item_document(item, "report", "Budget de l'agglomération", pdf, "budget.pdf", None)
    headers = report_council.headers["author"]
    here = client.post(report_council.documents_url(), json=highlight(), headers=headers).json
    there_url = f"/api/v1/tenants/{second.slug}/documents/{other_document.id}/annotations"
    there = client.post(there_url, json=note(body="Question sur la dette"), headers=headers).json
    client.post(
        report_council.documents_url(), json=note(body="Pas à moi"), headers=report_council.headers["colleague"]
    )

    mine = client.get("/api/v1/me/annotations", headers=headers)
    assert mine.status_code == 200
    assert {(n["tenant_slug"], n["annotation"]["id"]) for n in mine.json} == {
        (report_council.tenant.slug, here["id"]),
        (second.slug, there["id"]),
    }
    assert {n["document_title"] for n in mine.json} == {"Rapport n° 44", "Budget de l'agglomération"}
    found = client.get("/api/v1/me/annotations", query_string={"q": "a VERIFIER"}, headers=headers).json
    assert [n["annotation"]["id"] for n in found] == [here["id"]]  # accents and case do not matter
    by_quote = client.get("/api/v1/me/annotations", query_string={"q": "budget primitif"}, headers=headers).json
    assert [n["annotation"]["id"] for n in by_quote] == [here["id"]]

    login(client, author)
    page = client.get("/notes")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Question sur la dette" in html and "Pas à moi" not in html
    assert f"/t/{second.slug}/documents/{other_document.id}/lire?page=1#annotation-{there['id']}" in html
    assert (
        f"/t/{report_council.tenant.slug}/documents/{report_council.document.id}/lire?page=2#annotation-{here['id']}"
        in html
    )
    searched = client.get("/notes", query_string={"q": "dette"}).get_data(as_text=True)
    assert "Question sur la dette" in searched and "commission des finances" not in searched
