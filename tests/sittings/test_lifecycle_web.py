"""The secretary's lifecycle screens: edit a sitting (freely in preparation; once convened, a new convocation
with its reason), add an item by a convocation complémentaire, cancel, convene again after a failed quorum;
the status form that no longer opens or closes. French refusals, 404 for wrong ids and for members."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from saas.core.database import SYSTEM, commit, context
from saas.identity.models import GrantKind
from saas.sittings import operations
from saas.sittings.convocations.models import NoticeKind, SittingNotice
from saas.sittings.convocations.operations import send_convocations
from saas.sittings.models import AgendaItem, Sitting, SittingStatus
from tests.fixtures.sittings import MONDAY_15_MARCH_2027, postpone_for_lack_of_quorum
from tests.fixtures.web import csrf_token, login


@pytest.fixture
def city(create_tenant, create_person, give_mandate, give_grant, create_sitting):
    tenant = create_tenant(slug="ville", population=50000)
    secretary = create_person(email="secretariat@ville.example")
    give_grant(secretary, tenant, GrantKind.SECRETARY, assembly=tenant.assemblies[0])
    members = [create_person(email=f"elu{n}@ville.example", last_name=f"Élu{n}") for n in range(3)]
    for member in members:
        give_mandate(member, tenant)
    return {"tenant": tenant, "secretary": secretary, "members": members}


def _notices(session, sitting) -> list[SittingNotice]:
    with context(session, SYSTEM):
        return list(session.execute(sa.select(SittingNotice).where(SittingNotice.sitting_id == sitting.id)).scalars())


def _reload(session, sitting) -> Sitting:
    with context(session, SYSTEM):
        session.expire_all()
        return session.get(Sitting, sitting.id)


def _convened(session, in_tenant, city, create_sitting, **values) -> Sitting:
    """A sitting whose convocations went out (20 days ahead of its date): its members have something to be told."""
    sitting = create_sitting(city["tenant"], convene=False, **values)
    with in_tenant(city["tenant"]):
        send_convocations(sitting, None, at=sitting.starts_at - timedelta(days=20))
        commit(session)
    return sitting


def _form(day: date, **extra) -> dict:
    return {"day": day.isoformat(), "time": "18:00", "place": "Salle du conseil", **extra}


def test_a_draft_is_edited_freely_but_never_into_the_past(client, session, city, create_sitting):
    sitting = create_sitting(city["tenant"], convene=False)
    login(client, city["secretary"])
    url = f"/t/ville/s/{sitting.id}/edit"
    page = client.get(url)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'value="2027-03-15"' in body and 'value="18:00"' in body
    assert "Motif du changement" not in body  # a draft changes without a new convocation
    token = csrf_token(client, url)
    past = client.post(url, data={"csrf_token": token, **_form(date.today() - timedelta(days=1))})
    assert past.status_code == 422 and "est passée : choisissez une date à venir" in past.get_data(as_text=True)
    broken = client.post(url, data={"csrf_token": token, **_form(date(2027, 3, 15)), "day": "2027-02-30"})
    assert broken.status_code == 422 and "N&#39;est pas une date valide." in broken.get_data(as_text=True)
    raw = f"csrf_token={token}&day=2027-03-29&time=18%3A00&place=Salle+%FF%FE".encode()
    unicode = client.post(url, data=raw, content_type="application/x-www-form-urlencoded")
    assert unicode.status_code in (302, 400, 422)  # broken UTF-8 is replaced or refused, never a 500
    done = client.post(url, data={"csrf_token": token, **_form(date(2027, 3, 22), place="Salle des fêtes")})
    assert done.status_code == 302
    changed = _reload(session, sitting)
    assert changed.place == "Salle des fêtes" and changed.starts_at == MONDAY_15_MARCH_2027 + timedelta(days=7)
    assert _notices(session, sitting) == []


def test_a_convened_sitting_changes_by_a_new_convocation_with_its_reason(
    client, session, city, create_sitting, in_tenant
):
    sitting = _convened(session, in_tenant, city, create_sitting)
    login(client, city["secretary"])
    url = f"/t/ville/s/{sitting.id}/edit"
    body = client.get(url).get_data(as_text=True)
    assert "Motif du changement" in body and "Envoyer la nouvelle convocation" in body
    assert "data-new-convocation" in body
    token = csrf_token(client, url)
    no_reason = client.post(url, data={"csrf_token": token, **_form(date(2027, 3, 22))})
    assert no_reason.status_code == 422 and "Indiquez le motif du changement" in no_reason.get_data(as_text=True)
    moved = client.post(url, data={"csrf_token": token, **_form(date(2027, 3, 22)), "reason": "Salle indisponible"})
    assert moved.status_code == 302
    page = client.get(f"/t/ville/s/{sitting.id}").get_data(as_text=True)
    assert "Avis envoyés après la convocation" in page and "Motif : Salle indisponible" in page
    [notice] = _notices(session, sitting)
    assert notice.kind == NoticeKind.NEW_CONVOCATION and notice.previous_starts_at == MONDAY_15_MARCH_2027


def test_the_status_form_only_convenes_and_refuses_opening_and_closing(client, session, city, create_sitting):
    draft, convened = create_sitting(city["tenant"], convene=False), create_sitting(city["tenant"])
    login(client, city["secretary"])
    draft_page = client.get(f"/t/ville/s/{draft.id}").get_data(as_text=True)
    assert '<option value="convened">convoquée</option>' in draft_page
    assert 'value="cancelled"' not in draft_page and 'value="in_progress"' not in draft_page
    convened_page = client.get(f"/t/ville/s/{convened.id}").get_data(as_text=True)
    assert "Changer l&#39;état" not in convened_page  # nothing left to set here: opening is the roll call's
    token = csrf_token(client, f"/t/ville/s/{convened.id}")
    for status in ("in_progress", "closed"):
        refused = client.post(f"/t/ville/s/{convened.id}/status", data={"csrf_token": token, "status": status})
        assert refused.status_code == 409
        assert "ne se font pas ici" in refused.get_data(as_text=True)
    cancelled = client.post(f"/t/ville/s/{convened.id}/status", data={"csrf_token": token, "status": "cancelled"})
    assert cancelled.status_code == 422 and "s&#39;annule avec son motif" in cancelled.get_data(as_text=True)
    assert _reload(session, convened).status == SittingStatus.CONVENED


def test_a_supplement_from_the_sitting_page_and_too_late_is_refused(client, session, city, create_sitting, in_tenant):
    sitting = _convened(session, in_tenant, city, create_sitting)
    login(client, city["secretary"])
    page_url = f"/t/ville/s/{sitting.id}"
    page = client.get(page_url).get_data(as_text=True)
    assert "Ajouter un point (convocation complémentaire)" in page
    token = csrf_token(client, page_url)
    added = client.post(f"{page_url}/supplement", data={"csrf_token": token, "supplement-title": "Motion"})
    assert added.status_code == 302
    [notice] = _notices(session, sitting)
    assert notice.kind == NoticeKind.SUPPLEMENT
    empty = client.post(f"{page_url}/supplement", data={"csrf_token": token, "supplement-title": ""})
    assert empty.status_code == 422 and "Ce champ est obligatoire." in empty.get_data(as_text=True)
    soon = create_sitting(city["tenant"], starts_at=MONDAY_15_MARCH_2027 - timedelta(days=95))
    soon_url = f"/t/ville/s/{soon.id}"
    with context(session, SYSTEM):
        soon.starts_at = operations.utcnow() + timedelta(days=2)  # two days ahead: 5 jours francs are gone
        session.flush()
    late = client.post(f"{soon_url}/supplement", data={"csrf_token": token, "supplement-title": "Tardif"})
    assert late.status_code == 422
    assert "Convocation complémentaire impossible" in late.get_data(as_text=True)
    assert "article L2121-12 du CGCT" in late.get_data(as_text=True)


def test_cancelling_from_its_page(client, session, city, create_sitting, in_tenant):
    sitting = _convened(session, in_tenant, city, create_sitting)
    login(client, city["secretary"])
    url = f"/t/ville/s/{sitting.id}/cancel"
    page = client.get(url).get_data(as_text=True)
    assert "Les 3 personnes convoquées ou invitées seront informées" in page
    token = csrf_token(client, url)
    empty = client.post(url, data={"csrf_token": token, "reason": "  "})
    assert empty.status_code == 422 and "Indiquez le motif de l&#39;annulation" in empty.get_data(as_text=True)
    done = client.post(url, data={"csrf_token": token, "reason": "Conseil dissous"})
    assert done.status_code == 302
    assert _reload(session, sitting).status == SittingStatus.CANCELLED
    shown = client.get(f"/t/ville/s/{sitting.id}").get_data(as_text=True)
    assert "Séance annulée le" in shown and "Motif : Conseil dissous" in shown and "data-cancel>" not in shown
    again = client.post(url, data={"csrf_token": token, "reason": "Encore"})
    assert again.status_code == 422 and "elle est annulée" in again.get_data(as_text=True)
    assert client.get(f"/t/ville/s/{sitting.id}/edit").status_code == 422


def test_a_held_sitting_shows_its_roll_call_and_offers_reconvening_only_after_a_failed_quorum(
    client, session, city, create_sitting, in_tenant
):
    held = create_sitting(city["tenant"], items=2)
    with in_tenant(city["tenant"]):
        operations.set_status(held, SittingStatus.IN_PROGRESS, actor=None)
        first, _ = operations.active_items(held)
    login(client, city["secretary"])
    page = client.get(f"/t/ville/s/{held.id}").get_data(as_text=True)
    assert "Appel à l'ouverture" in page and "L'appel n'a pas encore été fait." in page
    assert "Quorum attendu" not in page and "data-reconvene" not in page and "data-lacking-quorum" not in page
    assert client.post(
        f"/t/ville/s/{held.id}/reconvene",
        data={"csrf_token": csrf_token(client, f"/t/ville/s/{held.id}/reconvene"), "day": "2027-03-18",
              "time": "18:00", "place": "Salle", "items": [first.id]},
    ).status_code == 422  # fmt: skip
    with in_tenant(city["tenant"]):
        postpone_for_lack_of_quorum([first])
    page = client.get(f"/t/ville/s/{held.id}").get_data(as_text=True)
    assert "data-reconvene" in page and "Points reportés faute de quorum : 1. Point 1" in page


def test_reconvening_after_a_failed_quorum_from_its_page(client, session, city, create_sitting, in_tenant):
    failed = create_sitting(city["tenant"], items=2)
    other = create_sitting(city["tenant"], starts_at=MONDAY_15_MARCH_2027 + timedelta(days=40))
    with in_tenant(city["tenant"]):
        operations.set_status(failed, SittingStatus.IN_PROGRESS, actor=None)
        postpone_for_lack_of_quorum(operations.active_items(failed))
        first, second = operations.active_items(failed)
        [foreign] = operations.active_items(other)
        first_id, second_id, foreign_id = first.id, second.id, foreign.id
    login(client, city["secretary"])
    page_url = f"/t/ville/s/{failed.id}"
    assert "Convoquer à nouveau faute de quorum" in client.get(page_url).get_data(as_text=True)
    url = f"{page_url}/reconvene"
    page = client.get(url).get_data(as_text=True)
    assert "elle délibère alors valablement sans condition de quorum (article L2121-17 du CGCT)" in page
    assert 'value="Salle du conseil"' in page and "1. Point 1" in page and "2. Point 2" in page
    token = csrf_token(client, url)
    base = {"csrf_token": token, "day": "2027-03-18", "time": "18:00", "place": "Salle du conseil"}
    assert client.post(url, data={**base, "items": [first_id, foreign_id]}).status_code == 404
    assert client.post(url, data={**base, "items": ["abc"]}).status_code == 404
    none = client.post(url, data=base)
    assert none.status_code == 422 and "Choisissez au moins un point." in none.get_data(as_text=True)
    too_soon = client.post(url, data={**base, "day": "2027-03-17", "items": [second_id]})
    assert too_soon.status_code == 422 and "3 jours au moins d&#39;intervalle" in too_soon.get_data(as_text=True)
    done = client.post(url, data={**base, "items": [second_id]})
    assert done.status_code == 302
    with context(session, SYSTEM):
        new = session.execute(sa.select(Sitting).where(Sitting.reconvened_from_id == failed.id)).scalar_one()
        titles = session.execute(sa.select(AgendaItem.title).where(AgendaItem.sitting_id == new.id)).scalars().all()
    assert done.headers["Location"].endswith(f"/s/{new.id}") and titles == ["Point 2"]
    assert new.status == SittingStatus.CONVENED
    shown = client.get(f"/t/ville/s/{new.id}").get_data(as_text=True)
    assert "lundi 15 mars 2027, l'assemblée est convoquée à nouveau : elle délibère alors valablement" in shown
    assert "Convoquer à nouveau faute de quorum" not in client.get(page_url).get_data(as_text=True)


def test_members_get_404_on_the_lifecycle_screens(client, city, create_sitting, in_tenant):
    sitting = create_sitting(city["tenant"])
    login(client, city["members"][0])
    for path in ("edit", "cancel", "reconvene"):
        assert client.get(f"/t/ville/s/{sitting.id}/{path}").status_code == 404
    token = csrf_token(client, f"/t/ville/s/{sitting.id}")
    for path in ("edit", "cancel", "reconvene", "supplement"):
        assert client.post(f"/t/ville/s/{sitting.id}/{path}", data={"csrf_token": token}).status_code == 404
    assert client.get("/t/ville/s/999999999/edit").status_code == 404
