"""The agreement's signing round as the API shows it, and the signatories it is started with."""

import marshmallow as ma
from marshmallow import fields

from saas.core.inputs import Id
from saas.groupement.agreement.operations import stalled_on
from saas.groupement.schemas import INTEGER, REQUIRED, InputSchema, MemberTenantSchema, length


class AgreementSignerSchema(ma.Schema):
    position = fields.Integer(metadata={"description": "Rang de signature, 1 signe en premier."})
    membership_id = fields.Integer()
    tenant = fields.Nested(MemberTenantSchema, attribute="membership.tenant")
    person_id = fields.Integer()
    person_name = fields.String(attribute="person.full_name")
    role = fields.String(metadata={"description": "Qualité du signataire, écrite sur le tampon."})
    status = fields.String(
        metadata={
            "description": "waiting (pas encore son tour), pending (dans son parapheur), signed, refused, cancelled."
        }
    )
    signed_at = fields.AwareDateTime(allow_none=True)
    refused_at = fields.AwareDateTime(allow_none=True)
    reason = fields.String(allow_none=True, metadata={"description": "Motif du refus, ou de l'interruption."})


class AgreementSigningSchema(ma.Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "in_progress, signed, refused ou cancelled."})
    started_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime(allow_none=True)
    signers = fields.List(fields.Nested(AgreementSignerSchema))
    stalled_on = fields.Method(
        "_stalled_on",
        allow_none=True,
        metadata={
            "type": "integer",
            "description": "Rang du signataire dont c'est le tour mais qui n'est plus élu en fonction : la "
            "convention a quitté son parapheur ; annulez le tour et relancez-le avec un autre signataire.",
        },
    )

    def _stalled_on(self, signing) -> int | None:
        signer = stalled_on(signing)
        return signer.position if signer else None


class SignatoryInSchema(InputSchema):
    membership_id = Id(required=True, strict=True, error_messages=INTEGER)
    person_id = Id(required=True, strict=True, error_messages=INTEGER)
    role = fields.String(required=True, error_messages=REQUIRED, validate=length(200))


class SigningStartSchema(InputSchema):
    signatories = fields.List(
        fields.Nested(SignatoryInSchema),
        required=True,
        error_messages=REQUIRED,
        metadata={"description": "Un signataire par membre, dans l'ordre de signature."},
    )


class CandidateSchema(ma.Schema):
    person_id = fields.Integer()
    full_name = fields.String()


class ProposedSignatorySchema(ma.Schema):
    membership_id = fields.Integer()
    tenant = fields.Nested(MemberTenantSchema)
    candidates = fields.List(fields.Nested(CandidateSchema), metadata={"description": "Ses élus en fonction."})
    proposed_person_id = fields.Integer(allow_none=True, metadata={"description": "Le président de son assemblée."})
    proposed_role = fields.String()
