"""Annotations through the bearer API: privacy, sharing and answers, conflicts, sync, refusals."""

import sqlalchemy as sa

from saas.core.database import SYSTEM, context
from saas.documents.annotations.models import Annotation, AnnotationShare
from saas.documents.operations import placed_items
from tests.fixtures.annotations import highlight, note


def create(client, report_council, who="author", **values):
    response = client.post(
        report_council.documents_url(), json=highlight(**values), headers=report_council.headers[who]
    )
    assert response.status_code == 201, response.json
    return response.json


def rows(session, report_council) -> tuple[int, int]:
    with context(session, SYSTEM):
        return tuple(
            session.execute(
                sa.select(sa.func.count()).select_from(model).where(model.tenant_id == report_council.tenant.id)
            ).scalar_one()
            for model in (Annotation, AnnotationShare)
        )


def test_create_returns_the_record_with_its_w3c_form(client, report_council):
    record = create(client, report_council)
    assert record["revision"] == 1 and record["version_number"] == 1 and record["page"] == 2
    assert record["kind"] == "highlight" and record["color"] == "#ffd400" and record["mine"] is True
    assert record["sharing"] == {"scope": "private", "people": []} and record["reply_to"] is None
    assert record["author"]["id"] == report_council.people["author"].id and record["orphaned"] is False
    assert record["created_at"].endswith("Z")
    w3c = record["w3c"]
    assert w3c["type"] == "Annotation" and w3c["motivation"] == "highlighting"
    selectors = {s["type"]: s for s in w3c["target"]["selector"]}
    assert selectors["TextQuoteSelector"]["exact"] == record["quote"]["exact"]
    assert selectors["FragmentSelector"]["value"] == "page=2"
    assert w3c["target"]["source"] == f"urn:sha256:{report_council.document.current_version.sha256}"
    fetched = client.get(report_council.annotation_url(record["id"]), headers=report_council.headers["author"])
    assert fetched.status_code == 200 and fetched.json == record


def test_a_private_annotation_answers_404_to_everyone_else(client, report_council):
    record = create(client, report_council)
    url = report_council.annotation_url(record["id"])
    for who in ("colleague", "opponent", "admin", "secretary", "operator", "guest", "stranger"):
        headers = report_council.headers[who]
        assert client.get(url, headers=headers).status_code == 404, who
        assert client.patch(url, json={"body": "x", "revision": 1}, headers=headers).status_code == 404, who
        assert client.delete(url + "?revision=1", headers=headers).status_code == 404, who
        listing = client.get(report_council.documents_url(), headers=headers)
        assert listing.status_code == 404 or listing.json["annotations"] == [], who
    # the same id through another collectivity the caller belongs to
    other = report_council.annotation_url(record["id"], slug=report_council.other_tenant.slug)
    assert client.get(other, headers=report_council.headers["stranger"]).status_code == 404
    missing = client.get(
        report_council.annotation_url(record["id"] + 1000), headers=report_council.headers["colleague"]
    )
    assert missing.json["message"] == client.get(url, headers=report_council.headers["colleague"]).json["message"]
    assert client.get(url, headers=report_council.headers["author"]).json["body"] == record["body"]


def test_sharing_with_a_named_colleague(client, report_council):
    colleague = report_council.people["colleague"]
    record = create(client, report_council, sharing={"scope": "people", "people": [colleague.id]})
    url = report_council.annotation_url(record["id"])
    seen = client.get(url, headers=report_council.headers["colleague"])
    assert seen.status_code == 200 and seen.json["author"]["name"] == "Author Test" and seen.json["mine"] is False
    for who in ("opponent", "admin", "guest"):
        assert client.get(url, headers=report_council.headers[who]).status_code == 404, who
    # a reader may answer but not change it
    answer = client.post(
        report_council.documents_url(),
        json={"reply_to": record["id"], "body": "D'accord"},
        headers=report_council.headers["colleague"],
    )
    assert answer.status_code == 201, answer.json
    assert answer.json["reply_to"] == record["id"] and answer.json["sharing"]["people"] == [
        report_council.people["author"].id
    ]
    assert (
        client.patch(url, json={"body": "x", "revision": 1}, headers=report_council.headers["colleague"]).status_code
        == 403
    )
    thread = client.get(report_council.documents_url(), headers=report_council.headers["author"]).json["annotations"]
    assert [(a["id"], a["mine"]) for a in thread] == [(record["id"], True), (answer.json["id"], False)]
    assert (
        client.get(
            report_council.annotation_url(answer.json["id"]), headers=report_council.headers["opponent"]
        ).status_code
        == 404
    )


def test_sharing_with_the_political_group(client, report_council):
    record = create(client, report_council, sharing={"scope": "group"})
    url = report_council.annotation_url(record["id"])
    assert (
        client.get(url, headers=report_council.headers["colleague"]).json["author"]["id"]
        == report_council.people["author"].id
    )
    assert client.get(url, headers=report_council.headers["opponent"]).status_code == 404
    assert client.get(url, headers=report_council.headers["admin"]).status_code == 404
    reply = client.post(
        report_council.documents_url(),
        json={"reply_to": record["id"], "body": "Vu"},
        headers=report_council.headers["colleague"],
    )
    assert reply.status_code == 201
    assert (
        client.get(
            report_council.annotation_url(reply.json["id"]), headers=report_council.headers["author"]
        ).status_code
        == 200
    )
    refused = client.post(
        report_council.documents_url(),
        json={"reply_to": record["id"], "body": "?"},
        headers=report_council.headers["opponent"],
    )
    assert refused.status_code == 422 and "reply_to" in refused.json["errors"]


def test_sharing_with_the_assembly_then_taking_it_back(client, report_council):
    record = create(client, report_council, sharing={"scope": "assembly"})
    url = report_council.annotation_url(record["id"])
    for who in ("colleague", "opponent", "guest"):
        assert client.get(url, headers=report_council.headers[who]).status_code == 200, who
    for who in ("admin", "operator", "stranger"):
        assert client.get(url, headers=report_council.headers[who]).status_code == 404, who
    back = client.patch(
        url, json={"sharing": {"scope": "private"}, "revision": 1}, headers=report_council.headers["author"]
    )
    assert back.status_code == 200 and back.json["revision"] == 2
    assert client.get(url, headers=report_council.headers["opponent"]).status_code == 404


def test_group_sharing_needs_a_group_and_people_must_sit_in_the_assembly(client, report_council, session):
    before = rows(session, report_council)
    refused = client.post(
        report_council.documents_url(),
        json=highlight(sharing={"scope": "group"}),
        headers=report_council.headers["guest"],
    )
    assert refused.status_code == 422 and "groupe politique" in refused.json["errors"]["sharing"]
    stranger = report_council.people["stranger"].id
    refused = client.post(
        report_council.documents_url(),
        json=highlight(sharing={"scope": "people", "people": [stranger]}),
        headers=report_council.headers["author"],
    )
    assert refused.status_code == 422 and "membres en exercice" in refused.json["errors"]["sharing"]
    assert rows(session, report_council) == before


def test_a_stale_revision_is_a_conflict_and_nothing_is_lost(client, report_council):
    record = create(client, report_council)
    url = report_council.annotation_url(record["id"])
    first = client.patch(
        url, json={"body": "Depuis la tablette", "revision": 1}, headers=report_council.headers["author"]
    )
    assert first.status_code == 200 and first.json["revision"] == 2
    second = client.patch(
        url, json={"body": "Depuis l'ordinateur", "revision": 1}, headers=report_council.headers["author"]
    )
    assert second.status_code == 409
    assert second.json["code"] == 409 and second.json["error"]["code"] == "conflict"
    assert second.json["error"]["current"]["body"] == "Depuis la tablette"
    assert second.json["error"]["current"]["revision"] == 2
    assert client.get(url, headers=report_council.headers["author"]).json["body"] == "Depuis la tablette"
    stale_delete = client.delete(url + "?revision=1", headers=report_council.headers["author"])
    assert stale_delete.status_code == 409
    assert client.delete(url + "?revision=2", headers=report_council.headers["author"]).status_code == 204
    assert client.get(url, headers=report_council.headers["author"]).status_code == 404


def test_sync_by_cursor_returns_only_changes(client, report_council):
    kept, changed, deleted = (create(client, report_council, body=f"n{n}") for n in range(3))
    start = client.get(report_council.documents_url(), headers=report_council.headers["author"]).json
    assert [a["id"] for a in start["annotations"]] == [kept["id"], changed["id"], deleted["id"]]
    assert start["deleted"] == [] and start["orphaned"] == []
    headers = report_council.headers["author"]
    client.patch(
        report_council.annotation_url(changed["id"]), json={"body": "modifiée", "revision": 1}, headers=headers
    )
    client.delete(report_council.annotation_url(deleted["id"]) + "?revision=1", headers=headers)
    added = create(client, report_council, body="nouvelle")
    since = client.get(report_council.documents_url(), query_string={"since": start["cursor"]}, headers=headers).json
    assert [a["id"] for a in since["annotations"]] == [changed["id"], added["id"]]
    assert since["annotations"][0]["body"] == "modifiée" and since["deleted"] == [deleted["id"]]
    assert since["cursor"] >= start["cursor"]
    bad = client.get(report_council.documents_url(), query_string={"since": "hier"}, headers=headers)
    assert bad.status_code == 422 and "since" in bad.json["message"]


def test_bad_input_is_refused_in_french_and_nothing_is_written(client, report_council, session):
    before = rows(session, report_council)
    cases = {
        "kind": highlight(kind="sticker"),
        "color": highlight(color="#123456"),
        "rects": highlight(rects=[[72, 748, 700, 762]]),  # the page is 595 points wide
        "body": highlight(body="x" * 10_001),
        "page": highlight(page=9),
        "ink": note(ink=[[[1, 2]]]),
        "quote": highlight(quote={"exact": ""}),
        "sharing": highlight(sharing={"scope": "everyone"}),
        "unknown": highlight(unknown=1),
    }
    for field, body in cases.items():
        response = client.post(report_council.documents_url(), json=body, headers=report_council.headers["author"])
        assert response.status_code == 422, field
        assert response.json["message"] == "L'annotation n'est pas valide : voyez le détail par champ.", field
        assert field in response.json["errors"], (field, response.json)
    too_long = client.post(
        report_council.documents_url(), json=highlight(body="x" * 10_001), headers=report_council.headers["author"]
    )
    assert "10000 caractères" in too_long.json["errors"]["body"]
    assert (
        client.post(report_council.documents_url(), data="[", headers=report_council.headers["author"]).status_code
        == 422
    )
    assert rows(session, report_council) == before
    record = create(client, report_council)
    out = client.patch(
        report_council.annotation_url(record["id"]),
        json={"rects": [[0, 0, 10, 900]], "revision": 1},
        headers=report_council.headers["author"],
    )
    assert out.status_code == 422 and out.json["errors"]["rects"] == "Un rectangle sort de la page."
    assert (
        client.get(report_council.annotation_url(record["id"]), headers=report_council.headers["author"]).json[
            "revision"
        ]
        == 1
    )


def test_a_guest_does_not_reach_a_closed_session_document(client, report_council, session):
    record = create(client, report_council, sharing={"scope": "assembly"})
    with context(session, SYSTEM):
        placed_items(report_council.document.report)[0].confidential = True
        session.flush()
    assert (
        client.get(report_council.annotation_url(record["id"]), headers=report_council.headers["guest"]).status_code
        == 404
    )
    assert (
        client.get(report_council.annotation_url(record["id"]), headers=report_council.headers["colleague"]).status_code
        == 200
    )
