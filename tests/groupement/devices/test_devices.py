"""One device per person, whatever their mandates; a lost device locks its holder out at once."""

import json

import pytest
import sqlalchemy as sa

from saas.audit.models import AuditEvent
from saas.core.database import SYSTEM, context
from saas.groupement.devices import operations as devices
from saas.groupement.models import Device, DeviceStatus
from saas.groupement.operations import PurchasingError
from saas.identity import authentication
from saas.identity.models import AccessToken, LoginSession
from tests.fixtures.web import bearer, post, sign_in


def add(session, world, serial: str) -> Device:
    with context(session, SYSTEM):
        return devices.add_device(world.group, serial, "Tablette", None, actor=None)


def test_a_person_with_mandates_in_two_collectivities_gets_one_device_and_the_saving_is_counted(session, world):
    first, second = add(session, world, "SN-1"), add(session, world, "SN-2")
    with context(session, SYSTEM):
        devices.assign(first, world.both, actor=None)
        with pytest.raises(PurchasingError, match="a déjà un équipement"):
            devices.assign(second, world.both, actor=None)
        saving = devices.savings(world.group)
    # six elected members (the City admin sits at the City too), seven mandates: one device avoided
    assert (saving.members, saving.mandates, saving.devices_avoided) == (6, 7, 1)
    assert (saving.devices_assigned, saving.devices_in_stock, saving.members_in_several) == (1, 1, 1)


def test_the_database_itself_refuses_a_second_assigned_device(session, world):
    first, second = add(session, world, "SN-1"), add(session, world, "SN-2")
    with context(session, SYSTEM):
        devices.assign(first, world.both, actor=None)
        with pytest.raises(sa.exc.IntegrityError), session.begin_nested():
            session.execute(
                sa.update(Device)
                .where(Device.id == second.id)
                .values(status=DeviceStatus.ASSIGNED, person_id=world.both.id)
            )
        # a returned or lost device keeps its last holder and does not count
        devices.declare_lost(first, actor=None)
        devices.assign(second, world.both, actor=None)
        assert devices.device_of(world.both).serial == "SN-2"


def test_declaring_a_device_lost_answers_401_to_its_holders_token_at_once(client, session, world):
    device = add(session, world, "SN-LOST")
    with context(session, SYSTEM):
        devices.assign(device, world.both, actor=None)
    tablet = bearer(world.both, "tablette")
    other_app = bearer(world.both, "ordinateur")
    assert client.get("/api/v1/me", headers=tablet).status_code == 200
    with context(session, SYSTEM):
        authentication.open_session(world.both, mfa_verified=True, ip=None, user_agent="tablette")
    coordinator = bearer(world.coordinator)

    response = client.post(f"/api/v1/group/devices/{device.id}/lost", headers=coordinator)
    assert response.status_code == 200, response.json
    assert response.json["tokens_revoked"] == 2 and response.json["sessions_revoked"] == 1
    assert response.json["device"]["status"] == "lost"
    for headers in (tablet, other_app):
        refused = client.get("/api/v1/me", headers=headers)
        assert refused.status_code == 401 and refused.json["code"] == 401
    with context(session, SYSTEM):
        assert (
            session.execute(
                sa.select(sa.func.count()).where(
                    LoginSession.person_id == world.both.id, LoginSession.revoked_at.is_(None)
                )
            ).scalar_one()
            == 0
        )
        assert (
            session.execute(
                sa.select(sa.func.count()).where(
                    AccessToken.person_id == world.both.id, AccessToken.revoked_at.is_(None)
                )
            ).scalar_one()
            == 0
        )
        events = {
            e.action: json.loads(e.data)
            for e in session.execute(sa.select(AuditEvent).where(AuditEvent.tenant_id.is_(None))).scalars()
        }
    assert events["purchasing.device.lost"]["serial"] == "SN-LOST"
    assert events["access.revoked"] == {"reason": "device.lost", "sessions": 1, "tokens": 2}
    # declared twice: refused, nothing more revoked
    again = client.post(f"/api/v1/group/devices/{device.id}/lost", headers=coordinator)
    assert again.status_code == 422
    # the member logs in again on the replacement
    assert client.get("/api/v1/me", headers=bearer(world.both, "remplaçante")).status_code == 200


def test_devices_through_the_api_and_the_screens(client, session, world):
    headers = bearer(world.coordinator)
    created = client.post("/api/v1/group/devices", json={"serial": "A-1", "model": "Tablette 10"}, headers=headers)
    assert created.status_code == 201 and created.json["status"] == "in_stock"
    duplicate = client.post("/api/v1/group/devices", json={"serial": "A-1", "model": "x"}, headers=headers)
    assert duplicate.status_code == 422 and "numéro de série" in duplicate.json["message"]
    device_id = created.json["id"]
    outsider = client.put(
        f"/api/v1/group/devices/{device_id}/assignment", json={"person_id": world.outsider.id}, headers=headers
    )
    assert outsider.status_code == 422  # not an elected member of a member collectivity
    assigned = client.put(
        f"/api/v1/group/devices/{device_id}/assignment", json={"person_id": world.both.id}, headers=headers
    )
    assert assigned.status_code == 200 and assigned.json["person_name"] == world.both.full_name

    sign_in(client, world.coordinator)
    second = add(session, world, "A-2")
    page = client.get(f"/group/devices/{second.id}")
    assert page.status_code == 200 and "Attribuer" in page.get_data(as_text=True)
    refused = post(client, f"/group/devices/{second.id}/assign", {"person": world.both.id})
    assert refused.status_code == 422 and "a déjà un équipement" in refused.get_data(as_text=True)
    done = post(client, f"/group/devices/{second.id}/assign", {"person": world.city_member.id})
    assert done.status_code == 302
    lost = post(client, f"/group/devices/{second.id}/lost")
    assert lost.status_code == 302
    assert "révoqués" in client.get(lost.headers["Location"]).get_data(as_text=True)
    assert post(client, f"/group/devices/{second.id}/status", {"status": "wiped"}).status_code == 302
    assert post(client, f"/group/devices/{second.id}/status", {"status": "in_stock"}).status_code == 302
    with context(session, SYSTEM):
        session.refresh(second)
        assert (second.status, second.person_id) == (DeviceStatus.IN_STOCK, None)
    listing = client.get("/group/devices").get_data(as_text=True)
    assert "A-1" in listing and "A-2" in listing and world.both.full_name in listing
