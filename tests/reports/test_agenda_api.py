"""Placing a report on a sitting's agenda through the API: a draft sitting takes it as an item; a convened one
by a convocation complémentaire to everyone convened, with its notice check; refusals in French, 404 for what
the caller may not see, nothing written on a refusal."""

from datetime import timedelta

import sqlalchemy as sa

from saas.core.database import SYSTEM, commit, context, utcnow
from saas.mail.models import OutboundMail
from saas.reports.models import ReportStatus
from saas.sittings.convocations.models import NoticeKind, SittingNotice
from saas.sittings.convocations.operations import send_convocations
from saas.sittings.models import AgendaItem, SittingStatus
from tests.fixtures.convocations import drain
from tests.fixtures.sittings import MONDAY_15_MARCH_2027
from tests.fixtures.web import bearer, login


def _ready(session, make_report, town, title):
    report = make_report(town, title=title)
    with context(session, SYSTEM):
        report.status = ReportStatus.READY  # its circuit is complete (the circuits' tests run one)
        commit(session)
    return report


def _items(session, sitting):
    with context(session, SYSTEM):
        query = sa.select(AgendaItem.title).where(AgendaItem.sitting_id == sitting.id).order_by(AgendaItem.position)
        return session.execute(query).scalars().all()


def test_the_api_places_a_ready_report_on_a_draft_sitting(client, session, town, make_report, create_sitting):
    ready = _ready(session, make_report, town, "Tarifs du conservatoire")
    draft = make_report(town, title="Brouillon")
    sitting = create_sitting(town.tenant, convene=False, items=0)
    url = f"/api/v1/tenants/{town.tenant.slug}/sittings/{sitting.id}/reports"
    headers = bearer(town.secretary)
    listed = client.get(url, headers=headers)
    assert listed.status_code == 200 and [r["title"] for r in listed.get_json()] == ["Tarifs du conservatoire"]
    refused = client.post(url, json={"report_id": draft.id}, headers=headers)
    assert refused.status_code == 422 and "n'a pas terminé son circuit" in refused.get_json()["message"]
    for wrong in ({}, {"report_id": "x"}, {"report_id": -1}, {"report_id": 2**40}, {"report_id": 1, "more": 1}, []):
        assert client.post(url, json=wrong, headers=headers).status_code == 422, wrong
    assert client.post(url, json={"report_id": 999_999_999}, headers=headers).status_code == 404
    placed = client.post(url, json={"report_id": ready.id}, headers=headers)
    assert placed.status_code == 201 and placed.get_json()["position"] == 1
    again = client.post(url, json={"report_id": ready.id}, headers=headers)
    assert again.status_code == 422 and "déjà inscrit" in again.get_json()["message"]
    assert client.get(url, headers=headers).get_json() == []
    assert _items(session, sitting) == ["Tarifs du conservatoire"]
    member = bearer(town.validator_a)  # not the secretariat
    assert client.get(url, headers=member).status_code == client.post(url, json={}, headers=member).status_code == 404


def test_a_report_placed_on_a_convened_sitting_is_a_convocation_complementaire(
    client, session, town, make_report, create_sitting, in_tenant
):
    ready = _ready(session, make_report, town, "Subvention au club de hockey")
    sitting = create_sitting(town.tenant, convene=False, items=1)
    with in_tenant(town.tenant):
        send_convocations(sitting, None, at=MONDAY_15_MARCH_2027 - timedelta(days=20))
        commit(session)
    drain(session, sitting)
    with context(session, SYSTEM):
        convened = session.execute(sa.select(OutboundMail.id)).scalars().all()
    login(client, town.secretary)
    page = client.get(f"/t/{town.tenant.slug}/s/{sitting.id}").text
    assert "Inscrire un rapport validé (convocation complémentaire)" in page and "Subvention au club" in page
    url = f"/api/v1/tenants/{town.tenant.slug}/sittings/{sitting.id}/reports"
    placed = client.post(url, json={"report_id": ready.id}, headers=bearer(town.secretary))
    assert placed.status_code == 201 and placed.get_json()["position"] == 2
    drain(session, sitting)
    with context(session, SYSTEM):
        [notice] = session.execute(sa.select(SittingNotice).where(SittingNotice.sitting_id == sitting.id)).scalars()
        assert notice.kind == NoticeKind.SUPPLEMENT and notice.agenda_item_id == placed.get_json()["id"]
        mails = session.execute(sa.select(OutboundMail).where(OutboundMail.id.not_in(convened))).scalars().all()
    assert mails and all(m.subject.startswith("Convocation complémentaire — ") for m in mails)
    assert len({m.to_address for m in mails}) == len(mails)  # one mail per person convened


def test_too_late_for_a_supplement_the_report_is_refused_and_nothing_is_written(
    client, session, town, make_report, create_sitting, in_tenant
):
    ready = _ready(session, make_report, town, "Subvention tardive")
    soon = create_sitting(town.tenant, starts_at=utcnow() + timedelta(days=2), convene=False, items=1)
    with in_tenant(town.tenant):
        soon.status = SittingStatus.CONVENED
        commit(session)
    url = f"/api/v1/tenants/{town.tenant.slug}/sittings/{soon.id}/reports"
    refused = client.post(url, json={"report_id": ready.id}, headers=bearer(town.secretary))
    assert refused.status_code == 422
    assert "Convocation complémentaire impossible" in refused.get_json()["message"]
    assert "L2121-12" in refused.get_json()["message"]  # a commune of 10 000 inhabitants: 5 jours francs
    assert _items(session, soon) == ["Point 1"]
    with context(session, SYSTEM):
        assert session.execute(sa.select(SittingNotice.id).where(SittingNotice.sitting_id == soon.id)).first() is None
