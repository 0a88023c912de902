"""Transmission API: prepare an act's @ctes package for the prefecture, read its transmission, download the
package. For those who manage the act (the secretariat of its assembly, the admins); anyone else, and another
collectivity's act, answers 404 exactly like a missing one. Refusals answer 422 with the French message naming
the field (``errors.json``: ``CodeMatiere``, ``Objet``, ``Departement``, ``Document``…)."""

from flask_login import current_user
from flask_smorest import Blueprint

from saas.acts.access import load_managed_act
from saas.core.database import commit
from saas.core.extensions import db
from saas.core.rest import json_response, operation
from saas.identity.access import enter_tenant
from saas.identity.web import api_blueprint
from saas.prefecture import access
from saas.prefecture import operations as prefecture
from saas.prefecture.schemas import TransmissionSchema
from saas.storage.http import send_blob

blp = api_blueprint(
    Blueprint(
        "prefecture_api",
        __name__,
        url_prefix="/api/v1",
        description="Transmission à la préfecture (@ctes) : le paquet préparé (enveloppe, message actes:Acte, acte "
        "signé, annexes), vérifié avant tout envoi.",
    )
)

TRANSMISSION = "/tenants/<tenant_slug>/deliberations/<int:act_id>/transmission"
NOT_VISIBLE = "Collectivité ou délibération inconnue, ou que vous ne gérez pas."


@operation(
    blp,
    TRANSMISSION,
    "POST",
    201,
    TransmissionSchema,
    summary="Préparer l'envoi à la préfecture",
    description="Construit et vérifie le paquet @ctes de la délibération signée, le conserve (état « prepared ») ; "
    "préparé à nouveau, répond la transmission en cours (200) sans en faire une seconde.",
    not_found=NOT_VISIBLE,
    refused="Refus nommant le champ : CodeMatiere (code absent de la classification), Objet (1 à 499 caractères), "
    "Departement, Arrondissement ou Nature de la collectivité non renseignés, Document (acte non signé), Annexes "
    "(plus de 150 Mo)…",
    answer="La transmission préparée.",
)
@blp.alt_response(200, schema=TransmissionSchema, description="La transmission déjà préparée, inchangée.")
def prepare(tenant_slug, act_id):
    tenant = enter_tenant(tenant_slug, current_user)
    act = load_managed_act(tenant, act_id, current_user)
    transmission, created = prefecture.prepare(act, current_user)
    commit(db.session)
    return json_response(TransmissionSchema().dump(transmission), 201 if created else 200)


@operation(
    blp,
    TRANSMISSION,
    "GET",
    200,
    TransmissionSchema,
    summary="La transmission de la délibération",
    description="La dernière transmission de l'acte : son état, son paquet (nom, SHA-256), ce que dit son message.",
    not_found=NOT_VISIBLE + " Ou qui n'a pas encore de transmission.",
)
def get_transmission(tenant_slug, act_id):
    tenant = enter_tenant(tenant_slug, current_user)
    _, transmission = access.load_transmission(tenant, act_id, current_user)
    return transmission


@operation(
    blp,
    TRANSMISSION + "/package",
    status=None,
    summary="Le paquet @ctes",
    description="Le tar.gz de la transmission : l'enveloppe, le message, l'acte signé et ses annexes.",
    not_found=NOT_VISIBLE + " Ou qui n'a pas encore de transmission.",
    responses={"200": {"description": "Le paquet tar.gz.", "content": {"application/gzip": {}}}},
)
def get_package(tenant_slug, act_id):
    tenant = enter_tenant(tenant_slug, current_user)
    _, transmission = access.load_transmission(tenant, act_id, current_user)
    return send_blob(transmission.blob, transmission.package_name, "application/gzip")
