"""Purchasing group API: the devices (/api/v1/group/devices) — inventory, one device per elected member,
the remote lock of a lost one — and the saving they make (/api/v1/group/savings). Access and loading:
``console``."""

from flask_login import current_user
from flask_smorest import abort

from saas.core.database import commit
from saas.core.extensions import db
from saas.core.rest import json_body, json_response, operation
from saas.groupement.console import NOT_VISIBLE, REFUSED, console_api_blueprint, load, load_group
from saas.groupement.devices import operations as devices
from saas.groupement.devices.schemas import savings_view
from saas.groupement.models import Device, DeviceStatus, Lot
from saas.groupement.schemas import (
    AssignSchema,
    DeviceInSchema,
    DeviceSchema,
    DeviceStatusSchema,
    LostSchema,
    SavingsSchema,
)
from saas.identity.models import Person

blp = console_api_blueprint(
    "groupement_devices_api",
    __name__,
    "Groupement de commandes (coordonnateur) : équipements, attribution aux élus, verrouillage à distance, "
    "économie d'équipements.",
)


@operation(
    blp,
    "/devices",
    "GET",
    200,
    DeviceSchema(many=True),
    summary="Les équipements",
    description="Inventaire : numéro de série, modèle, lot, état, titulaire.",
)
def list_devices():
    return devices.devices(load_group())


@operation(
    blp,
    "/devices",
    "POST",
    201,
    DeviceSchema,
    summary="Ajouter un équipement au stock",
    body=DeviceInSchema,
    refused=REFUSED,
)
def create_device():
    group = load_group()
    data = json_body(DeviceInSchema)
    lot = None
    if data["lot_id"] is not None:
        lot = db.session.get(Lot, data["lot_id"])
        if lot is None or lot.contract.group_id != group.id:
            abort(422, message="Lot inconnu.", errors={"json": {"lot_id": ["Lot inconnu."]}})
    device = devices.add_device(group, data["serial"], data["model"], lot, current_user)
    commit(db.session)
    return device


@operation(blp, "/devices/<int:device_id>", "GET", 200, DeviceSchema, summary="Un équipement", not_found=NOT_VISIBLE)
def get_device(device_id):
    return load(Device, device_id)[1]


@operation(
    blp,
    "/devices/<int:device_id>/assignment",
    "PUT",
    200,
    DeviceSchema,
    summary="Attribuer un équipement",
    description="À un élu d'une collectivité membre ; un seul équipement par personne, quel que soit le "
    "nombre de ses mandats (422 sinon).",
    body=AssignSchema,
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def assign_device(device_id):
    group, device = load(Device, device_id)
    data = json_body(AssignSchema)
    member_ids = {m.person_id for m in devices.group_members(group)}
    person = db.session.get(Person, data["person_id"]) if data["person_id"] in member_ids else None
    if person is None:
        abort(422, message="Choisissez un élu d'une collectivité membre.", errors={"json": {"person_id": ["Inconnu."]}})
    devices.assign(device, person, current_user)
    commit(db.session)
    return device


@operation(
    blp,
    "/devices/<int:device_id>/lost",
    "POST",
    200,
    LostSchema,
    summary="Déclarer un équipement perdu (verrouillage à distance)",
    description="Toutes les sessions et tous les jetons de son titulaire sont révoqués aussitôt ; il se "
    "reconnecte sur l'équipement de remplacement. Inscrit au journal d'audit de la plateforme.",
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def declare_lost(device_id):
    device = load(Device, device_id)[1]
    sessions, tokens = devices.declare_lost(device, current_user)
    commit(db.session)
    return {"sessions_revoked": sessions, "tokens_revoked": tokens, "device": device}


@operation(
    blp,
    "/devices/<int:device_id>/status",
    "PUT",
    200,
    DeviceSchema,
    summary="Rendu, effacé, remis en stock",
    body=DeviceStatusSchema,
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def change_device_status(device_id):
    device = load(Device, device_id)[1]
    data = json_body(DeviceStatusSchema)
    devices.change_status(device, DeviceStatus(data["status"]), current_user)
    commit(db.session)
    return device


@operation(
    blp,
    "/savings",
    "GET",
    200,
    SavingsSchema,
    summary="L'économie d'équipements",
    description="Élus, mandats, équipements, équipements évités.",
)
def get_savings():
    return json_response(savings_view(load_group()))
