"""Placing a report on a sitting's agenda through the API: a draft sitting takes it as an item; a convened one
by a convocation complémentaire to everyone convened, with its notice check; refusals in French, 404 for what
the caller may not see, nothing written on a refusal."""

from datetime import timedelta

import sqlalchemy as sa

from saas.core.database import SYSTEM, TenantContext, commit, context, set_context, utcnow
from saas.reports.models import ReportStatus
from saas.sittings.convocations.models import Convocation, NoticeKind, SittingNotice
from saas.sittings.convocations.operations import send_convocations
from saas.sittings.models import AgendaItem, SittingStatus
from tests.fixtures.convocations import convene, drain
from tests.fixtures.sittings import MONDAY_15_MARCH_2027
from tests.fixtures.web import bearer, login
from tests.sittings.convocations.notice_helpers import drain_notices, notice_mails


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
    login(client, town.secretary)
    page = client.get(f"/t/{town.tenant.slug}/s/{sitting.id}").text
    assert "Inscrire un rapport validé (convocation complémentaire)" in page and "Subvention au club" in page
    url = f"/api/v1/tenants/{town.tenant.slug}/sittings/{sitting.id}/reports"
    placed = client.post(url, json={"report_id": ready.id}, headers=bearer(town.secretary))
    assert placed.status_code == 201 and placed.get_json()["position"] == 2
    drain_notices(session, sitting)
    with context(session, SYSTEM):
        [notice] = session.execute(sa.select(SittingNotice).where(SittingNotice.sitting_id == sitting.id)).scalars()
        assert notice.kind == NoticeKind.SUPPLEMENT and notice.agenda_item_id == placed.get_json()["id"]
        convened = session.execute(sa.select(sa.func.count()).where(Convocation.sitting_id == sitting.id)).scalar()
    mails = notice_mails(session, notice)
    assert mails and all(m.subject.startswith("Convocation complémentaire — ") for m in mails)
    assert len({m.to_address for m in mails}) == len(mails) == convened  # one mail per person convened


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


def test_two_requests_making_the_secretariat_service_at_once_share_one(tmp_path):
    """Documents uploaded onto two items together each make the item's report, in the secretariat's service:
    the second request, which looked before the first committed, finds the service the first committed instead
    of failing on its unique name."""
    import threading
    import time

    from saas.reports import operations as reports
    from saas.reports.models import Service
    from tests.fixtures.instances import fresh_app, system_session

    with fresh_app(tmp_path, "secretariatservice") as app:
        tenant_id, _sitting_id, _ = convene(app, 903)
        first_made, made, failures = threading.Event(), [], []

        def make(first: bool):
            with system_session(app) as session:
                try:
                    set_context(session, TenantContext(tenant_id=tenant_id))
                    if not first:
                        first_made.wait(timeout=30)  # the first has inserted, not committed
                    made.append(reports.secretariat_service(tenant_id).id)
                    if first:
                        first_made.set()
                        time.sleep(1)  # the second looks and inserts meanwhile
                    commit(session)
                except Exception as error:  # noqa: BLE001 - the test reports any failure of either request
                    failures.append(repr(error))
                    first_made.set()

        threads = [threading.Thread(target=make, args=(first,)) for first in (True, False)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert failures == [] and len(made) == 2 and made[0] == made[1], (failures, made)
        with system_session(app) as session:
            assert session.execute(sa.select(sa.func.count()).select_from(Service)).scalar_one() == 1
