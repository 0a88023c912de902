"""Convening a sitting: one convocation or invitation per seated person, one mail each with its PDF/A and
its .ics, refusal when too late, progress, the proxy holder's notice, and the secretariat's screens.

The jobs run inline (embedded column) or are queued in Redis (production column); ``drain`` runs every
job of the sending in both columns — a second run in the embedded column, which must add nothing.
"""

import email
import email.policy
import io
from datetime import timedelta

import icalendar
import pikepdf
import pytest
import sqlalchemy as sa
from flask import render_template

from saas.core.database import SYSTEM, commit, context, utcnow
from saas.identity.models import GrantKind, MandateRole
from saas.jobs.queues import run
from saas.mail.backends import outbox_dir
from saas.mail.models import OutboundMail
from saas.sittings.attendance import operations as attendance
from saas.sittings.convocations.jobs import convocation_html, render_convocation
from saas.sittings.convocations.operations import (
    ConvocationKind,
    convocation_progress,
    send_convocations,
)
from saas.sittings.models import SittingStatus
from saas.sittings.operations import SittingError, add_item
from saas.sittings.proof import operations as proof
from saas.storage.models import Blob
from tests.fixtures.convocations import convocations, drain, mails
from tests.fixtures.instances import production
from tests.fixtures.sittings import MONDAY_15_MARCH_2027
from tests.fixtures.web import csrf_token, login

ON_TIME = MONDAY_15_MARCH_2027 - timedelta(days=20)
TOO_LATE = MONDAY_15_MARCH_2027 - timedelta(days=2)


@pytest.fixture
def council(create_tenant, create_person, give_mandate, create_sitting, in_tenant):
    """A commune's council: 5 members (one president), 1 staff member, a draft sitting with 2 items."""
    tenant = create_tenant(name="Ville de Pontarlier")
    members = [create_person(last_name=f"Membre{n}") for n in range(5)]
    for n, person in enumerate(members):
        give_mandate(person, tenant, role=MandateRole.PRESIDENT if n == 0 else MandateRole.MEMBER)
    staff = create_person(last_name="Agent")
    give_mandate(staff, tenant, role=MandateRole.STAFF)
    sitting = create_sitting(tenant, convene=False, items=1)
    with in_tenant(tenant):
        add_item(sitting, title="Huis clos : acquisition amiable", confidential=True, actor=None)
    return tenant, members, staff, sitting


def delivered(app, smtp_server, mail) -> list[email.message.EmailMessage]:
    """The messages actually handed to the SMTP server (production) or written to the outbox (embedded)."""
    if production():
        raw = [m.as_bytes() for m in smtp_server.messages if m["To"] == mail.to_address]
    else:
        eml = outbox_dir() / f"{mail.id:08d}.eml"
        raw = [eml.read_bytes()] if eml.is_file() else []
    return [email.message_from_bytes(r, policy=email.policy.default) for r in raw]


def assert_pdfa(pdf: bytes) -> None:
    """A PDF that declares PDF/A-3b in its XMP metadata (the identification a validator starts from)."""
    assert pdf.startswith(b"%PDF")
    with pikepdf.open(io.BytesIO(pdf)) as document, document.open_metadata() as xmp:
        assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("3", "B")


def send(session, in_tenant, tenant, sitting, at=ON_TIME):
    with in_tenant(tenant):
        result = send_convocations(sitting, None, at=at)
        commit(session)
    return result


def test_convening_sends_one_pdf_and_ics_per_person(app, session, council, in_tenant, smtp_server):
    tenant, members, staff, sitting = council
    send(session, in_tenant, tenant, sitting)
    drain(session, sitting)
    assert sitting.status == SittingStatus.CONVENED
    rows = convocations(session, sitting)
    kinds = {row.person_id: row.kind for row in rows}
    assert kinds == {**{m.id: ConvocationKind.CONVOCATION for m in members}, staff.id: ConvocationKind.INVITATION}
    sent = mails(session, sitting)
    assert sorted(m.key for m in sent) == sorted(f"convocation:{sitting.id}:{p}:email" for p in kinds)
    assert all(m.sent_at is not None and m.purpose == "convocation" for m in sent)
    for mail in sent:
        [message] = delivered(app, smtp_server, mail)
        parts = {part.get_content_type(): part for part in message.iter_attachments()}
        pdf = parts["application/pdf"].get_content()
        assert pdf.startswith(b"%PDF")
        assert_pdfa(pdf)
        calendar = icalendar.Calendar.from_ical(parts["text/calendar"].get_content())
        assert calendar["METHOD"] == "REQUEST"
        [event] = calendar.walk("VEVENT")
        assert str(event["UID"]) == f"sitting-{sitting.id}@quorum"
        assert event.decoded("DTSTART") == MONDAY_15_MARCH_2027
        assert str(event["LOCATION"]) == "Salle du conseil"
        expected = "Invitation" if mail.to_address == staff.email else "Convocation"
        assert message["Subject"].startswith(expected)
    with in_tenant(tenant):
        assert convocation_progress(sitting) == (6, 6)
        stored = [session.get(Blob, row.pdf_blob_id) for row in convocations(session, sitting)]
        assert all(blob is not None and blob.size > 0 for blob in stored)
        kinds_proved = sorted((r.kind.value, r.person_id) for r in proof.records(sitting))
    assert kinds_proved.count(("manifest", None)) == 1
    assert sorted(p for k, p in kinds_proved if k == "delivery") == sorted(kinds)


def test_staff_get_an_invitation_and_confidential_titles_stay_out(session, council, in_tenant):
    tenant, members, staff, sitting = council
    send(session, in_tenant, tenant, sitting)
    with in_tenant(tenant):
        by_person = {row.person_id: row for row in convocations(session, sitting)}
        staff_html = " ".join(convocation_html(by_person[staff.id]).split())
        member_html = " ".join(convocation_html(by_person[members[1].id]).split())
        pdf = render_convocation(by_person[members[1].id])
    assert "<h1>Invitation</h1>" in staff_html and "invité(e)" in staff_html
    assert "<h1>Convocation</h1>" in member_html and "convoqué(e)" in member_html
    assert "Huis clos : acquisition amiable" not in member_html and "huis clos (confidentiel)" in member_html
    assert "Point 1" in member_html and "Ville de Pontarlier" in member_html
    assert "lundi 15 mars 2027 à 18h00" in member_html and "Salle du conseil" in member_html
    assert "L2121-12" in member_html and f"/s/{sitting.id}" in member_html
    assert_pdfa(pdf)


def test_sending_twice_adds_nothing(session, council, in_tenant):
    tenant, _members, _staff, sitting = council
    first = send(session, in_tenant, tenant, sitting)
    drain(session, sitting)
    again = send(session, in_tenant, tenant, sitting, at=ON_TIME + timedelta(days=1))
    drain(session, sitting)
    assert [c.id for c in again] == [c.id for c in first]
    assert len(convocations(session, sitting)) == 6 and len(mails(session, sitting)) == 6
    with in_tenant(tenant):
        assert [r.kind.value for r in proof.records(sitting)].count("manifest") == 1


def test_too_late_is_refused_with_the_article_and_nothing_written(session, council, in_tenant):
    tenant, _members, _staff, sitting = council
    with in_tenant(tenant), pytest.raises(SittingError) as refused:
        send_convocations(sitting, None, at=TOO_LATE)
    assert "L2121-12" in refused.value.message and "trop tardive" in refused.value.message
    session.rollback()
    assert sitting.status == SittingStatus.DRAFT
    assert convocations(session, sitting) == [] and mails(session, sitting) == []
    with in_tenant(tenant):
        assert proof.records(sitting) == []
        assert convocation_progress(sitting) == (0, 0)


def test_progress_counts_only_accepted_mails(session, council, in_tenant):
    tenant, _members, _staff, sitting = council
    send(session, in_tenant, tenant, sitting)
    drain(session, sitting)
    with context(session, SYSTEM):
        for mail in mails(session, sitting)[:2]:
            mail.sent_at = None
        session.flush()
    with in_tenant(tenant):
        assert convocation_progress(sitting) == (4, 6)


def test_proxy_holder_is_notified_once(app, session, council, in_tenant, smtp_server):
    tenant, members, _staff, sitting = council
    send(session, in_tenant, tenant, sitting)
    giver, holder = members[1], members[2]
    with in_tenant(tenant, giver):
        proxy = attendance.give_proxy(giver, holder, sitting)
        first = attendance.notify_proxy_holder(proxy)
        commit(session)
        second = attendance.notify_proxy_holder(proxy)
        commit(session)
    assert second.id == first.id
    run("saas.mail.jobs.deliver_mail", None, [first.id])
    with context(session, SYSTEM):
        rows = session.execute(sa.select(OutboundMail).where(OutboundMail.key == f"proxy:{proxy.id}:holder")).scalars()
        [mail] = rows.all()
    assert mail.to_address == holder.email and giver.full_name in mail.subject
    [message] = delivered(app, smtp_server, mail)
    assert "L2121-20" in message.get_content() and giver.full_name in message.get_content()


# --- Screens --------------------------------------------------------------------------------------


@pytest.fixture
def secretary(council, create_person, give_grant):
    tenant = council[0]
    person = create_person(last_name="Secrétaire")
    give_grant(person, tenant, kind=GrantKind.SECRETARY, assembly=tenant.assemblies[0])
    return person


def test_secretary_convenes_from_the_page_and_sees_progress(app, client, session, council, secretary, in_tenant):
    tenant, _members, _staff, sitting = council
    login(client, secretary)
    page = f"/t/{tenant.slug}/s/{sitting.id}"
    token = csrf_token(client, page)
    response = client.post(f"{page}/convocations", data={"csrf_token": token})
    assert response.status_code == 302
    drain(session, sitting)
    progress = client.get(f"{page}/convocations/progress")
    assert progress.get_json() == {"sent": 6, "total": 6, "done": True}
    with app.test_request_context(), in_tenant(tenant, secretary):
        from flask import g

        g.tenant = tenant
        html = render_template("sittings/_convocation.html", sitting=sitting, manager=True, action_form=None)
    assert "6 / 6 envoyées" in " ".join(html.split())


def test_refusal_is_shown_in_french_with_422(client, session, council, secretary, in_tenant):
    tenant, _members, _staff, sitting = council
    with in_tenant(tenant):
        sitting.starts_at = utcnow() + timedelta(days=1)  # a commune needs 3 or 5 jours francs
        commit(session)
    login(client, secretary)
    page = f"/t/{tenant.slug}/s/{sitting.id}"
    response = client.post(f"{page}/convocations", data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 422
    assert "trop tardive" in response.get_data(as_text=True) and "L2121-12" in response.get_data(as_text=True)
    assert convocations(session, sitting) == []


def test_members_and_other_tenants_get_404(
    client, session, council, in_tenant, create_tenant, create_person, give_grant
):
    tenant, members, _staff, sitting = council
    send(session, in_tenant, tenant, sitting)  # convened: members may see the sitting page itself
    other = create_tenant()
    outsider = create_person()
    give_grant(outsider, other, kind=GrantKind.SECRETARY, assembly=other.assemblies[0])
    for person, slug, form_page in (
        (members[1], tenant.slug, f"/t/{tenant.slug}/s/{sitting.id}"),
        (outsider, other.slug, f"/t/{other.slug}/a/{other.assemblies[0].id}/sittings/new"),
    ):
        login(client, person)
        token = csrf_token(client, form_page)
        assert client.get(f"/t/{slug}/s/{sitting.id}/convocations/progress").status_code == 404
        assert client.post(f"/t/{slug}/s/{sitting.id}/convocations", data={"csrf_token": token}).status_code == 404
