"""API input and output of the purchasing group console, with explicit field lists.

Amounts are integers in cents, never floats. Error texts are French: API clients show them as they are.
"""

import marshmallow as ma
from marshmallow import fields, validate

from saas.core.inputs import MAX_BIGINT, Id, Integer
from saas.groupement.models import DeviceStatus, MilestoneStatus, SharingKey
from saas.tenancy.models import TenantKind

REQUIRED = {"required": "Ce champ est obligatoire.", "null": "Ce champ est obligatoire."}
DATE = {**REQUIRED, "invalid": "Date attendue (AAAA-MM-JJ)."}
INTEGER = {**REQUIRED, "invalid": "Nombre entier attendu."}
CENTS = {"description": "Montant en centimes d'euro (entier)."}


class InputSchema(ma.Schema):
    """Input: unknown fields are refused rather than silently ignored."""

    class Meta:
        unknown = ma.RAISE

    error_messages = {"unknown": "Champ inconnu.", "type": "Un objet JSON est attendu."}


def length(maximum: int, minimum: int = 1) -> validate.Length:
    return validate.Length(min=minimum, max=maximum, error=f"Entre {minimum} et {maximum} caractères.")


def _percentage(value) -> None:
    """0 to 100; checked here, not by ``Range``, which would document its bounds as strings."""
    if not 0 <= value <= 100:
        raise ma.ValidationError("Un pourcentage entre 0 et 100.")


def _cents(**kwargs):
    return Integer(
        maximum=MAX_BIGINT,
        strict=True,
        error_messages=INTEGER,
        validate=validate.Range(min=0, error="Un montant positif en centimes est attendu."),
        metadata=CENTS,
        **kwargs,
    )


class MemberTenantSchema(ma.Schema):
    id = fields.Integer()
    slug = fields.String()
    name = fields.String()
    kind = fields.String()
    population = fields.Integer()


class MembershipSchema(ma.Schema):
    id = fields.Integer()
    tenant = fields.Nested(MemberTenantSchema)
    joining_reference = fields.String(metadata={"description": "Référence de la délibération d'adhésion."})
    joined_on = fields.Date(metadata={"description": "Date de la délibération d'adhésion."})
    seats = fields.Integer(metadata={"description": "Licences achetées."})
    agreement_signed_on = fields.Date(allow_none=True)
    agreement_signed_by = fields.String(allow_none=True)
    withdrawn_on = fields.Date(allow_none=True)
    withdrawal_effect = fields.String(allow_none=True)
    withdrawal_amount_cents = fields.Integer(allow_none=True, metadata=CENTS)
    active = fields.Boolean(metadata={"description": "Membre aujourd'hui (adhésion faite, pas de retrait passé)."})


class SavingsSchema(ma.Schema):
    members = fields.Integer(metadata={"description": "Élus distincts ayant un mandat en cours chez un membre."})
    mandates = fields.Integer(metadata={"description": "Leurs mandats en cours."})
    members_in_several = fields.Integer(metadata={"description": "Élus ayant des mandats dans plusieurs membres."})
    devices_assigned = fields.Integer()
    devices_in_stock = fields.Integer()
    devices_avoided = fields.Integer(metadata={"description": "Équipements évités : mandats − élus."})


class MilestoneSchema(ma.Schema):
    id = fields.Integer()
    position = fields.Integer()
    title = fields.String()
    planned_start = fields.Date(allow_none=True)
    planned_date = fields.Date()
    actual_date = fields.Date(allow_none=True)
    status = fields.String(metadata={"description": "planned, in_progress ou done."})
    overdue = fields.Boolean(metadata={"description": "Échéance passée et étape non terminée (alerte)."})


class AgreementSchema(ma.Schema):
    """The group agreement as stored (the file itself: GET /group/agreement)."""

    agreement_filename = fields.String(allow_none=True, metadata={"description": "Convention constitutive."})
    agreement_uploaded_at = fields.AwareDateTime(allow_none=True)


class PurchasingGroupSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    coordinator = fields.Nested(MemberTenantSchema)
    agreement_filename = fields.String(allow_none=True, metadata={"description": "Convention constitutive."})
    agreement_uploaded_at = fields.AwareDateTime(allow_none=True)
    members = fields.List(fields.Nested(MembershipSchema))
    savings = fields.Nested(SavingsSchema)
    overdue_milestones = fields.List(fields.Nested(MilestoneSchema))


class LotSchema(ma.Schema):
    id = fields.Integer()
    number = fields.Integer()
    title = fields.String()
    units = fields.Integer()
    equipment_cents = fields.Integer(metadata=CENTS)
    licences_cents_per_year = fields.Integer(metadata=CENTS)
    support_cents_per_year = fields.Integer(metadata=CENTS)


class ContractSchema(ma.Schema):
    id = fields.Integer()
    reference = fields.String()
    title = fields.String()
    supplier = fields.String(metadata={"description": "Titulaire du marché."})
    awarded_on = fields.Date(allow_none=True)
    start_date = fields.Date()
    end_date = fields.Date(allow_none=True)
    lots = fields.List(fields.Nested(LotSchema))


class DeviceSchema(ma.Schema):
    id = fields.Integer()
    serial = fields.String()
    model = fields.String()
    lot_id = fields.Integer(allow_none=True)
    status = fields.String(metadata={"description": "in_stock, assigned, lost, wiped ou returned."})
    person_id = fields.Integer(allow_none=True, metadata={"description": "Titulaire, ou dernier titulaire."})
    person_name = fields.Function(lambda device: device.person.full_name if device.person else None)
    status_changed_at = fields.AwareDateTime()


class UsageSchema(ma.Schema):
    membership_id = fields.Function(lambda usage: usage.membership.id)
    tenant = fields.Function(lambda usage: MemberTenantSchema().dump(usage.membership.tenant))
    seats = fields.Integer()
    active_members = fields.Integer(metadata={"description": "Élus en mandat connectés dans la période."})
    logins = fields.Integer(metadata={"description": "Connexions ouvertes dans la période."})
    documents_distributed = fields.Integer(metadata={"description": "Versions de documents × destinataires."})
    seats_exceeded = fields.Boolean()


class StatementLineSchema(ma.Schema):
    tenant_id = fields.Integer()
    item = fields.String()
    invoiced_cents = fields.Integer(metadata=CENTS)
    share_cents = fields.Integer(metadata=CENTS)


class StatementSchema(ma.Schema):
    id = fields.Integer()
    contract_id = fields.Integer()
    period = fields.String()
    key = fields.String(metadata={"description": "equal, equipped_members, population ou fixed."})
    includes_equipment = fields.Boolean()
    weights = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "Part de chaque membre (id → n/d)."}
    )
    issued_at = fields.AwareDateTime()
    lines = fields.List(fields.Nested(StatementLineSchema))


class PaperRowSchema(ma.Schema):
    tenant_id = fields.Integer()
    tenant_name = fields.String()
    month = fields.String(metadata={"description": "AAAA-MM"})
    pages = fields.Integer(metadata={"description": "Pages diffusées sous forme numérique × destinataires."})


# --- Inputs ---------------------------------------------------------------------------------------


class ProvisionSchema(InputSchema):
    slug = fields.String(required=True, error_messages=REQUIRED, validate=length(63))
    name = fields.String(required=True, error_messages=REQUIRED, validate=length(200))
    kind = fields.String(
        load_default=TenantKind.SYNDICAT.value,
        validate=validate.OneOf([k.value for k in TenantKind], error="Type de collectivité inconnu."),
    )
    siren = fields.String(
        required=True, error_messages=REQUIRED, validate=validate.Regexp(r"^\d{9}$", error="9 chiffres.")
    )
    population = Integer(
        required=True, strict=True, error_messages=INTEGER, validate=validate.Range(min=0, error="Nombre positif.")
    )
    admin_email = fields.Email(
        required=True,
        error_messages={**REQUIRED, "invalid": "Adresse e-mail invalide."},
        validate=length(254, 0),
    )
    admin_first_name = fields.String(required=True, error_messages=REQUIRED, validate=length(100))
    admin_last_name = fields.String(required=True, error_messages=REQUIRED, validate=length(100))
    joining_reference = fields.String(required=True, error_messages=REQUIRED, validate=length(200))
    joined_on = fields.Date(required=True, error_messages=DATE)
    seats = Integer(
        strict=True, load_default=0, error_messages=INTEGER, validate=validate.Range(min=0, error="Nombre positif.")
    )


class MembershipUpdateSchema(InputSchema):
    seats = Integer(strict=True, error_messages=INTEGER, validate=validate.Range(min=0, error="Nombre positif."))
    agreement_signed_on = fields.Date(allow_none=True, error_messages=DATE)
    agreement_signed_by = fields.String(allow_none=True, validate=length(200, 0))


class WithdrawalSchema(InputSchema):
    withdrawn_on = fields.Date(required=True, error_messages=DATE)
    withdrawal_effect = fields.String(required=True, error_messages=REQUIRED, validate=length(10_000))
    withdrawal_amount_cents = Integer(
        maximum=MAX_BIGINT, strict=True, allow_none=True, load_default=None, error_messages=INTEGER, metadata=CENTS
    )


class ContractInSchema(InputSchema):
    reference = fields.String(required=True, error_messages=REQUIRED, validate=length(60))
    title = fields.String(required=True, error_messages=REQUIRED, validate=length(300))
    supplier = fields.String(required=True, error_messages=REQUIRED, validate=length(200))
    awarded_on = fields.Date(allow_none=True, load_default=None, error_messages=DATE)
    start_date = fields.Date(required=True, error_messages=DATE)
    end_date = fields.Date(allow_none=True, load_default=None, error_messages=DATE)


class LotInSchema(InputSchema):
    number = Integer(
        required=True, strict=True, error_messages=INTEGER, validate=validate.Range(min=1, error="Entier ≥ 1.")
    )
    title = fields.String(required=True, error_messages=REQUIRED, validate=length(300))
    units = Integer(
        strict=True, load_default=0, error_messages=INTEGER, validate=validate.Range(min=0, error="Nombre positif.")
    )
    equipment_cents = _cents(load_default=0)
    licences_cents_per_year = _cents(load_default=0)
    support_cents_per_year = _cents(load_default=0)


class MilestoneInSchema(InputSchema):
    planned_date = fields.Date(required=True, error_messages=DATE)
    status = fields.String(
        required=True,
        error_messages=REQUIRED,
        validate=validate.OneOf([s.value for s in MilestoneStatus], error="planned, in_progress ou done."),
    )
    actual_date = fields.Date(allow_none=True, load_default=None, error_messages=DATE)


class DeviceInSchema(InputSchema):
    serial = fields.String(required=True, error_messages=REQUIRED, validate=length(100))
    model = fields.String(required=True, error_messages=REQUIRED, validate=length(200))
    lot_id = Id(allow_none=True, load_default=None, error_messages=INTEGER)


class AssignSchema(InputSchema):
    person_id = Id(required=True, strict=True, error_messages=INTEGER)


class DeviceStatusSchema(InputSchema):
    status = fields.String(
        required=True,
        error_messages=REQUIRED,
        validate=validate.OneOf(
            [DeviceStatus.RETURNED.value, DeviceStatus.WIPED.value, DeviceStatus.IN_STOCK.value],
            error="returned, wiped ou in_stock.",
        ),
    )


class LostSchema(ma.Schema):
    sessions_revoked = fields.Integer()
    tokens_revoked = fields.Integer()
    device = fields.Nested(DeviceSchema)


class StatementInSchema(InputSchema):
    contract_id = Id(required=True, strict=True, error_messages=INTEGER)
    period = fields.String(required=True, error_messages=REQUIRED, validate=length(20))
    key = fields.String(
        required=True,
        error_messages=REQUIRED,
        validate=validate.OneOf([k.value for k in SharingKey], error="equal, equipped_members, population ou fixed."),
    )
    includes_equipment = fields.Boolean(load_default=False, error_messages={"invalid": "true ou false attendu."})
    percentages = fields.Dict(
        keys=fields.String(),
        values=fields.Decimal(
            as_string=True,
            validate=_percentage,
            error_messages={"invalid": 'Nombre attendu, par exemple "12.5".'},
        ),
        load_default=None,
        metadata={"description": "Clé « fixed » : identifiant de collectivité → pourcentage (total 100)."},
    )


class UsageQuerySchema(InputSchema):
    start = fields.Date(
        load_default=None, error_messages=DATE, metadata={"description": "Premier jour (défaut : début du mois)."}
    )
    end = fields.Date(
        load_default=None, error_messages=DATE, metadata={"description": "Dernier jour (défaut : aujourd'hui)."}
    )
