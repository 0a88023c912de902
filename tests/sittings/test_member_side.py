"""The member's side (issue 3, item 6): unread documents and collectivity badges in the inbox, the signed
attendance link of the convocation mail, and the secretariat's attendance board (web and API)."""

import io
import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeSerializer

from saas.core.database import SYSTEM, TenantContext, commit, context
from saas.documents.models import DocumentReading
from saas.documents.operations import add_item_document, placed_items, replace_document
from saas.identity.models import GrantKind, Mandate, MandateRole
from saas.mail.models import OutboundMail
from saas.sittings import operations
from saas.sittings.attendance import operations as attendance
from saas.sittings.attendance.link import link_token
from saas.sittings.attendance.models import Proxy
from saas.sittings.convocations.operations import send_convocations
from saas.sittings.inbox import inbox_for
from saas.sittings.models import AttendanceAnswer, SittingStatus
from tests.fixtures.convocations import drain, mails
from tests.fixtures.pdfs import clean_pdf
from tests.fixtures.sittings import MONDAY_15_MARCH_2027
from tests.fixtures.web import bearer, csrf_token, login

TODAY = date(2027, 1, 1)
ON_TIME = MONDAY_15_MARCH_2027 - timedelta(days=20)


@pytest.fixture
def council(
    session,
    tmp_path,
    storage,
    create_tenant,
    create_person,
    give_mandate,
    give_grant,
    create_sitting,
    in_tenant,
):
    """A City council of four members, a guest and a secretary, and a neighbour's secretary; a convened
    sitting with a public item carrying a report and a closed-session item carrying an annex."""
    tenant = create_tenant(slug="ville", name="Ville de Morlaix")
    other = create_tenant(slug="voisine", name="Commune voisine")
    members = [create_person(first_name=name, last_name=f"{name}son") for name in ("Anne", "Bruno", "Chloé", "David")]
    for person in members:
        give_mandate(person, tenant)
    guest, secretary, stranger = create_person(last_name="Invitée"), create_person(), create_person()
    give_mandate(guest, tenant, role=MandateRole.GUEST)
    give_grant(secretary, tenant, GrantKind.SECRETARY, assembly=tenant.assemblies[0])
    give_mandate(stranger, other)
    give_grant(stranger, other, GrantKind.SECRETARY, assembly=other.assemblies[0])
    sitting = create_sitting(tenant, items=1, convene=False)
    pdf = clean_pdf(tmp_path / "rapport.pdf").read_bytes()
    with in_tenant(tenant):
        public = operations.active_items(sitting)[0]
        closed = operations.add_item(sitting, title="Acquisition amiable", confidential=True, actor=None)
        operations.set_status(sitting, SittingStatus.CONVENED, actor=None, at=ON_TIME)
        report = add_item_document(public, "report", "Rapport n° 44", io.BytesIO(pdf), "rapport.pdf", None)
        annex = add_item_document(closed, "annex", "Plan cadastral", io.BytesIO(pdf), "plan.pdf", None)
        commit(session)
    return {
        "tenant": tenant,
        "other": other,
        "sitting": sitting,
        "members": members,
        "guest": guest,
        "secretary": secretary,
        "stranger": stranger,
        "report": report,
        "annex": annex,
        "pdf": pdf,
    }


def unread(session, person) -> list[tuple[str, int]]:
    with context(session, TenantContext()):
        return [(entry.tenant_slug, entry.unread_documents) for entry in inbox_for(person, today=TODAY)]


def web_file(c, document, number=1) -> str:
    return f"/t/{c['tenant'].slug}/documents/{document.id}/versions/{number}/file"


def api_file(c, document, number=1) -> str:
    return f"/api/v1/tenants/{c['tenant'].slug}/documents/{document.id}/versions/{number}/file"


def sitting_page(c) -> str:
    return f"/t/{c['tenant'].slug}/s/{c['sitting'].id}"


# --- Unread documents -----------------------------------------------------------------------------


def test_downloads_mark_documents_read_on_the_web_and_in_the_api(client, session, council):
    c = council
    anne = c["members"][0]
    assert unread(session, anne) == [("ville", 2)]
    login(client, anne)
    page = client.get(sitting_page(c)).get_data(as_text=True)
    assert page.count('data-unread="') == 2 and "nouveau" in page
    assert "2 documents non lus" in client.get("/seances").get_data(as_text=True)

    assert client.get(web_file(c, c["report"])).status_code == 200
    headers = bearer(anne)
    inbox = client.get("/api/v1/me/inbox", headers=headers).get_json()
    assert [(e["sitting_id"], e["unread_documents"]) for e in inbox] == [(c["sitting"].id, 1)]
    assert "1 document non lu" in client.get("/seances").get_data(as_text=True)
    page = client.get(sitting_page(c)).get_data(as_text=True)
    assert f'data-unread="{c["annex"].current_version.id}"' in page
    assert f'data-unread="{c["report"].current_version.id}"' not in page

    assert client.get(api_file(c, c["annex"]), headers=headers).status_code == 200
    assert client.get(api_file(c, c["annex"]), headers=headers).status_code == 200  # twice: still one reading
    assert client.get("/api/v1/me/inbox", headers=headers).get_json()[0]["unread_documents"] == 0
    assert "Tous les documents sont lus" in client.get("/seances").get_data(as_text=True)
    with context(session, SYSTEM):
        readings = session.execute(sa.select(DocumentReading).where(DocumentReading.person_id == anne.id)).scalars()
        assert sorted(r.document_version_id for r in readings) == sorted(
            [c["report"].current_version.id, c["annex"].current_version.id]
        )
    assert unread(session, c["members"][1]) == [("ville", 2)]  # Bruno has read nothing


def test_the_unread_count_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "unread_documents" in spec["components"]["schemas"]["InboxEntry"]["properties"]


def test_a_replaced_document_is_unread_again(client, session, council, in_tenant):
    c = council
    anne = c["members"][0]
    login(client, anne)
    for document in (c["report"], c["annex"]):
        assert client.get(web_file(c, document)).status_code == 200
    assert unread(session, anne) == [("ville", 0)]
    with in_tenant(c["tenant"]):
        version = replace_document(c["report"], io.BytesIO(c["pdf"]), "rapport-v2.pdf", None, "Chiffres corrigés")
        commit(session)
    assert unread(session, anne) == [("ville", 1)]
    page = client.get(sitting_page(c)).get_data(as_text=True)
    assert f'data-unread="{version.id}"' in page
    assert client.get(web_file(c, c["report"], number=2)).status_code == 200
    assert unread(session, anne) == [("ville", 0)]


def test_closed_session_documents_are_not_counted_for_a_guest(client, session, council):
    c = council
    assert unread(session, c["guest"]) == [("ville", 1)]
    assert unread(session, c["members"][0]) == [("ville", 2)]
    login(client, c["guest"])
    page = client.get(sitting_page(c)).get_data(as_text=True)
    assert "Plan cadastral" not in page and page.count('data-unread="') == 1


def test_withdrawn_items_and_documents_are_not_counted(session, council, in_tenant):
    c = council
    with in_tenant(c["tenant"]):
        operations.withdraw_item(placed_items(c["annex"].report)[0], actor=None)
        commit(session)
    assert unread(session, c["members"][0]) == [("ville", 1)]


def test_the_inbox_counts_in_a_fixed_number_of_queries(session, council, create_sitting):
    """No query per sitting: one sitting or four, the same number of statements."""
    c = council
    anne = c["members"][0]
    engine = session.get_bind()
    counted = []

    def count(*args):
        counted.append(args[2])

    def statements() -> int:
        counted.clear()
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            unread(session, anne)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(counted)

    statements()  # warm: what the session loads once (the person's grants…)
    one = statements()
    for days in (1, 2, 3):
        create_sitting(c["tenant"], starts_at=MONDAY_15_MARCH_2027 + timedelta(days=days), items=2)
    assert len(unread(session, anne)) == 4
    assert statements() == one


# --- Collectivity badges --------------------------------------------------------------------------


def test_each_collectivity_has_a_named_badge_of_its_own_colour(client, council, create_sitting, give_mandate):
    c = council
    anne = c["members"][0]
    give_mandate(anne, c["other"])
    create_sitting(c["other"])
    login(client, anne)
    page = client.get("/seances").get_data(as_text=True)
    badges = dict(re.findall(r'class="badge badge--tenant (badge--tenant-\d)" data-tenant="[^"]+">([^<]+)<', page))
    assert sorted(badges.values()) == ["Commune voisine", "Ville de Morlaix"]
    assert len(badges) == 2  # two colours
    assert f"badge--tenant-{c['tenant'].id % 8}" in badges and f"badge--tenant-{c['other'].id % 8}" in badges


# --- The signed attendance link -------------------------------------------------------------------


def send_convocations_for(session, in_tenant, tenant):
    with in_tenant(tenant):
        sitting = operations.create_sitting(
            tenant,
            tenant.assemblies[0],
            starts_at=MONDAY_15_MARCH_2027 + timedelta(days=7),
            place="Salle des fêtes",
            actor=None,
        )
        operations.add_item(sitting, title="Budget primitif", actor=None)
        send_convocations(sitting, None, at=ON_TIME)
        commit(session)
    drain(session, sitting)
    return sitting


def test_the_convocation_mail_link_records_an_answer_without_login(client, session, council, in_tenant, audit_events):
    c = council
    anne = c["members"][0]
    sitting = send_convocations_for(session, in_tenant, c["tenant"])
    mail = next(m for m in mails(session, sitting) if m.to_address == anne.email)
    url = re.search(r"^(https?://\S+/presence/\S+)$", mail.body_text, re.MULTILINE).group(1)
    path = urlsplit(url).path

    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Salle des fêtes" in html and "Conseil" in html and "Anne Anneson" in html
    assert 'value="remote"' not in html  # remote attendance is not allowed for this sitting
    assert 'value="proxy"' in html and "Bruno Brunoson" in html
    response = client.post(path, data={"answer": "present", "csrf_token": csrf_token(client, path)})
    assert response.status_code == 302
    with in_tenant(c["tenant"]):
        assert attendance.attendance_of(sitting, anne.id).answer == AttendanceAnswer.PRESENT
    events = [data for _, data in audit_events(c["tenant"], "attendance.answered") if data["sitting_id"] == sitting.id]
    assert events == [
        {"sitting_id": sitting.id, "person_id": anne.id, "answer": "present", "previous": None, "channel": "lien"}
    ]
    assert 'data-answer="present"' in client.get(path).get_data(as_text=True)
    assert client.get("/seances").status_code == 302  # the link did not log Anne in


def test_the_link_needs_the_csrf_token(client, council, in_tenant):
    c = council
    path = f"/presence/{link_token(c['sitting'], c['members'][0].id)}"
    assert client.post(path, data={"answer": "absent"}).status_code == 400
    with in_tenant(c["tenant"]):
        assert attendance.attendance_of(c["sitting"], c["members"][0].id) is None


def test_the_link_expires_when_the_sitting_opens(client, session, council, in_tenant):
    c = council
    path = f"/presence/{link_token(c['sitting'], c['members'][0].id)}"
    token = csrf_token(client, path)
    with in_tenant(c["tenant"]):
        operations.set_status(c["sitting"], SittingStatus.IN_PROGRESS, actor=None)
        commit(session)
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 410 and 'data-link-refused="410"' in html and "ce lien a expiré" in html
    assert client.post(path, data={"answer": "absent", "csrf_token": token}).status_code == 410
    with in_tenant(c["tenant"]):
        assert attendance.attendance_of(c["sitting"], c["members"][0].id) is None


def test_an_altered_or_foreign_token_answers_404(app, client, council):
    c = council
    token = link_token(c["sitting"], c["members"][0].id)
    not_seated = link_token(c["sitting"], c["stranger"].id)
    altered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    with app.app_context():
        other_salt = URLSafeSerializer(app.config["SECRET_KEY"], salt="set-password").dumps(
            {"t": c["tenant"].id, "s": c["sitting"].id, "p": c["members"][0].id}
        )
    for bad in (altered, other_salt, "nimportequoi"):
        response = client.get(f"/presence/{bad}")
        assert response.status_code == 404, bad
        html = response.get_data(as_text=True)
        assert 'data-link-refused="404"' in html and "Lien non valide" in html
    # a genuine token for someone who does not sit in that assembly (another collectivity's member) too
    assert client.get(f"/presence/{not_seated}").status_code == 404


def test_the_link_stops_when_the_mandate_has_ended(client, session, council):
    c = council
    anne = c["members"][0]
    with context(session, SYSTEM):
        mandate = session.execute(sa.select(Mandate).where(Mandate.person_id == anne.id)).scalar_one()
        mandate.end_date = date(2027, 2, 1)  # before the sitting
        commit(session)
    assert client.get(f"/presence/{link_token(c['sitting'], anne.id)}").status_code == 404


def test_a_proxy_through_the_link_to_a_holder_who_holds_one_is_refused(client, session, council, in_tenant):
    c = council
    anne, bruno, chloe, david = c["members"]
    with in_tenant(c["tenant"], chloe):
        attendance.give_proxy(chloe, bruno, c["sitting"])
        commit(session)
    path = f"/presence/{link_token(c['sitting'], anne.id)}"
    token = csrf_token(client, path)
    response = client.post(path, data={"answer": "proxy", "holder": bruno.id, "csrf_token": token})
    assert response.status_code == 422
    assert "un seul pouvoir (article L2121-20 du CGCT)" in response.get_data(as_text=True)
    response = client.post(path, data={"answer": "proxy", "csrf_token": token})
    assert response.status_code == 422 and "Choisissez le collègue" in response.get_data(as_text=True)

    response = client.post(path, data={"answer": "proxy", "holder": david.id, "csrf_token": token})
    assert response.status_code == 302
    with context(session, SYSTEM):
        proxy = session.execute(sa.select(Proxy).where(Proxy.giver_id == anne.id)).scalar_one()
        assert proxy.holder_id == david.id
        notice = session.execute(
            sa.select(OutboundMail).where(OutboundMail.key == f"proxy:{proxy.id}:holder")
        ).scalar_one()
        assert notice.to_address == david.email


# --- The attendance board -------------------------------------------------------------------------


def test_the_staff_board_lists_every_member_in_office(client, session, council, in_tenant):
    c = council
    anne, bruno, chloe, david = c["members"]
    with in_tenant(c["tenant"], anne):
        attendance.answer_attendance(anne, c["sitting"], AttendanceAnswer.PRESENT)
        attendance.give_proxy(bruno, anne, c["sitting"])
        commit(session)
    login(client, c["secretary"])
    html = client.get(sitting_page(c)).get_data(as_text=True)
    for person in (anne, bruno, chloe, david):
        assert f'data-member="{person.id}"' in html
    assert f'data-member="{c["guest"].id}"' not in html  # a guest is not a member in office
    assert html.count("pas encore répondu") == 2  # Chloé and David
    assert "Bruno Brunoson → Anne Anneson" in html
    counts = dict(re.findall(r'data-count="(\w+)">[^<]*<strong>(\d+)</strong>', html))
    assert counts == {"present": "1", "remote": "0", "absent": "0", "proxy": "1", "none": "2"}
    assert 'data-quorum="not-reached"' in html and "1 présents annoncés sur 3 requis" in html


def test_the_api_attendance_board_is_for_the_secretariat_only(client, session, council, in_tenant):
    c = council
    anne, bruno, *_ = c["members"]
    with in_tenant(c["tenant"], anne):
        attendance.give_proxy(anne, bruno, c["sitting"])
        commit(session)
    url = f"/api/v1/tenants/{c['tenant'].slug}/sittings/{c['sitting'].id}/attendance"
    board = client.get(url, headers=bearer(c["secretary"])).get_json()
    assert [m["person_id"] for m in board["members"]] == [p.id for p in c["members"]]
    assert board["members"][0] == {
        "person_id": anne.id,
        "name": "Anne Anneson",
        "answer": "proxy",
        "proxy_holder_id": bruno.id,
        "proxy_giver_id": None,
    }
    assert board["members"][2]["answer"] is None
    assert board["counts"] == {"present": 0, "remote": 0, "absent": 0, "proxy": 1, "replaced": 0, "none": 3}
    assert board["proxies"] == [
        {
            "giver_id": anne.id,
            "giver_name": "Anne Anneson",
            "holder_id": bruno.id,
            "holder_name": "Bruno Brunoson",
            "illness": False,
        }
    ]
    assert board["quorum"] == {
        "required": 3,
        "present": 0,
        "reached": False,
        "rule": "half_physically_present",
        "article": "L2121-17",
        "in_office": 4,
    }
    member = client.get(url, headers=bearer(anne))
    assert member.status_code == 404 and member.get_json()["code"] == 404
    assert client.get(url, headers=bearer(c["stranger"])).status_code == 404
    foreign = f"/api/v1/tenants/{c['other'].slug}/sittings/{c['sitting'].id}/attendance"
    assert client.get(foreign, headers=bearer(c["stranger"])).status_code == 404
