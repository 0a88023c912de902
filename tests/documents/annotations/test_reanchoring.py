"""Replacing a document carries its annotations to the new version by their text quote; what cannot be
placed is kept as orphaned with its text and former page, never dropped."""

from saas.core.database import SYSTEM, context
from saas.documents.annotations.anchoring import TextIndex, extract_words, page_sizes
from saas.storage.backends import backend
from tests.fixtures.annotations import BUDGET, FIRST, PAGE, SECOND, VANISHING, highlight, note, text_pdf


def post(client, report_council, body, who="author"):
    response = client.post(report_council.documents_url(), json=body, headers=report_council.headers[who])
    assert response.status_code == 201, response.json
    return response.json


def by_id(listing) -> dict:
    return {a["id"]: a for a in listing["annotations"] + listing["orphaned"]}


def test_replacing_reanchors_by_quote_and_orphans_what_vanished(client, report_council, tmp_path):
    budget = post(client, report_council, highlight())
    vanished = post(
        client,
        report_council,
        highlight(rects=[[72, 728, 400, 742]], body="Disparue ?", quote={"exact": VANISHING}, position=None),
    )
    ink = post(
        client, report_council, {"kind": "ink", "page": 3, "color": "#222222", "ink": [[[100, 100], [200, 150]]]}
    )
    point = post(client, report_council, note(sharing={"scope": "group"}))
    before = client.get(report_council.documents_url(), headers=report_council.headers["author"]).json["cursor"]

    response = report_council.replace(client, text_pdf(tmp_path / "v2.pdf", SECOND))
    assert response.status_code == 201, response.json

    listing = client.get(report_council.documents_url(), headers=report_council.headers["author"]).json
    found = by_id(listing)
    assert set(found) == {budget["id"], vanished["id"], ink["id"], point["id"]}  # none dropped
    moved = found[budget["id"]]
    assert moved["version_number"] == 2 and moved["page"] == 3 and moved["orphaned"] is False
    assert moved["body"] == budget["body"] and moved["revision"] == 2
    [[x1, y1, x2, y2]] = moved["rects"]
    # the sentence's line is the fifth of page 3: baseline at 770 - 4 × 20 = 690 points from the bottom
    assert 70 <= x1 <= 74 and 300 < x2 < 595 and 684 <= y1 <= 692 and 695 <= y2 <= 702
    assert [a["id"] for a in listing["orphaned"]] == [vanished["id"]]
    lost = found[vanished["id"]]
    assert lost["orphaned_from"] == {"version_number": 1, "page": 2} and lost["body"] == "Disparue ?"
    assert lost["quote"]["exact"] == VANISHING
    assert found[ink["id"]]["page"] == 3 and found[ink["id"]]["ink"] == [[[100, 100], [200, 150]]]
    assert found[point["id"]]["page"] == 1 and not found[point["id"]]["orphaned"]
    # a second device learns of every move through its cursor; the group still sees the shared note
    since = client.get(
        report_council.documents_url(), query_string={"since": before}, headers=report_council.headers["author"]
    )
    assert set(by_id(since.json)) == set(found)
    shared = client.get(report_council.documents_url(), headers=report_council.headers["colleague"]).json
    assert [a["id"] for a in shared["annotations"]] == [point["id"]]


def test_a_page_that_no_longer_exists_orphans_what_was_on_it(client, report_council, tmp_path):
    ink = post(
        client, report_council, {"kind": "ink", "page": 3, "color": "#222222", "ink": [[[100, 100], [200, 150]]]}
    )
    budget = post(client, report_council, highlight())
    point = post(client, report_council, note())
    assert (
        report_council.replace(client, text_pdf(tmp_path / "short.pdf", [["Rapport n 44 - page 1"]])).status_code == 201
    )
    listing = client.get(report_council.documents_url(), headers=report_council.headers["author"]).json
    assert [a["id"] for a in listing["annotations"]] == [point["id"]]
    orphaned = {a["id"]: a["orphaned_from"] for a in listing["orphaned"]}
    assert orphaned == {ink["id"]: {"version_number": 1, "page": 3}, budget["id"]: {"version_number": 1, "page": 2}}


def test_prefix_and_suffix_choose_between_occurrences(tmp_path):
    pages = [["Le conseil approuve.", "Article 1 : Le conseil approuve.", "Article 2 : Le conseil approuve. Fin"]]
    index = TextIndex(extract_words(_pdf(tmp_path, pages)))
    quote = {"exact": "Le conseil approuve.", "prefix": "Article 2 :", "suffix": "Fin"}
    page, [[x1, y1, x2, y2]] = index.rects(*index.find(quote, 1))
    assert page == 1 and 725 <= y1 <= 732 and 735 <= y2 <= 745  # the third line (baseline 730), not the first
    assert x1 > 100  # after "Article 2 :", not the whole line
    assert index.find({"exact": "Leconseil   approuve."}, 1) is not None  # white space does not matter
    assert index.find({"exact": "absent"}, 1) is None


def _pdf(tmp_path, pages):
    path = tmp_path / "occurrences.pdf"
    text_pdf(path, pages)
    return path


def test_budget_quote_is_found_whatever_the_spacing(tmp_path):
    index = TextIndex(extract_words(_pdf(tmp_path, SECOND)))
    start, end = index.find({"exact": BUDGET.replace(" ", "")}, 2)
    assert index.rects(start, end)[0] == 3


def test_page_sizes_come_from_the_upload_check_without_reading_the_file(client, session, report_council):
    """Saving an annotation checks its coordinates against the page sizes measured when the file was
    checked at upload: the stored file is not decrypted again (here it is even gone from storage)."""
    with context(session, SYSTEM):
        version = report_council.document.current_version
        assert version.page_sizes == [[len(FIRST), *map(float, PAGE)]]
        backend().delete(version.blob.object_key)
        assert page_sizes(version) == [tuple(map(float, PAGE))] * len(FIRST)
    created = client.post(report_council.documents_url(), json=highlight(), headers=report_council.headers["author"])
    assert created.status_code == 201, created.get_json()
