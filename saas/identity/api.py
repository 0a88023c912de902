"""Identity API: personal access tokens, and who the caller is with all their mandates.

Tokens are obtained with e-mail, password and (when enrolled) a TOTP code, then sent as
``Authorization: Bearer``; the browser session never reaches the API.
"""

from datetime import date

import sqlalchemy as sa
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort

from saas.core.database import TenantContext, commit, context
from saas.core.extensions import db
from saas.core.rest import render_docs
from saas.identity import authentication
from saas.identity.models import AccessToken, Mandate, TenantGrant
from saas.identity.schemas import MeSchema, TokenCreatedSchema, TokenRequestSchema, TokenSchema
from saas.identity.web import api_blueprint
from saas.tenancy.models import Assembly, PoliticalGroup, Tenant

blp = Blueprint(
    "identity_api",
    __name__,
    url_prefix="/api/v1",
    description="Jetons d'accès et profil de la personne connectée.",
)

LOGIN_REFUSED = "Adresse e-mail ou mot de passe incorrect."
PUBLIC = {"security": []}


@blp.route("/auth/tokens")
class TokensCollection(MethodView):
    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenCreatedSchema)
    @blp.alt_response(401, description="Identifiants refusés, ou code de vérification absent ou invalide.")
    @blp.alt_response(403, description="Double authentification exigée mais pas encore activée.")
    @blp.alt_response(
        429,
        description="Trop d'échecs pour ce compte dans l'heure, venus d'appareils inconnus (sans « device » "
        "valable). La personne peut débloquer son compte par un lien reçu par e-mail (page /login/unlock).",
    )
    @blp.doc(
        summary="Créer un jeton d'accès",
        description="Avec l'adresse e-mail, le mot de passe et, si elle est activée, le code de "
        "l'application d'authentification (otp). La valeur du jeton n'est donnée qu'une fois. La réponse "
        "donne aussi un identifiant d'appareil (« device ») que l'application garde et renvoie à la création "
        "de jeton suivante : comme le navigateur où l'on s'est déjà connecté, un appareil connu n'est pas "
        "bloqué par les tentatives d'un tiers.",
        **PUBLIC,
    )
    def post(self, data):
        """Password and second factor are checked as on the web login, so the API is no weaker door; the
        ``device`` field plays the web's device cookie: a known device keeps its own count of failures."""
        device_key = authentication.device_key_for(data["device"], data["email"])
        try:
            person = authentication.check_password(data["email"], data["password"], device_key=device_key)
        except authentication.LoginRefused as refused:
            commit(db.session)  # the failure counts towards throttling
            if refused.throttled:
                abort(429)
            abort(401, message=LOGIN_REFUSED)
        if person.has_totp:
            if not data["otp"] or not authentication.verify_totp(person, data["otp"]):
                commit(db.session)  # a wrong code counts towards the second factor's own throttle
                abort(401, message="Code de vérification absent, invalide ou déjà utilisé (champ « otp »).")
        elif authentication.mfa_required(person):
            abort(
                403,
                message="Votre compte exige une double authentification : activez-la d'abord dans "
                "l'application web (Mon compte), puis créez le jeton avec le code (champ « otp »).",
            )
        token, value = authentication.create_token(person, data["name"])
        commit(db.session)
        return {
            "token": value,
            "id": token.id,
            "name": token.name,
            "prefix": token.prefix,
            "created_at": token.created_at,
            "device": authentication.device_token(person),
        }

    @blp.response(200, TokenSchema(many=True))
    @blp.doc(
        summary="Lister mes jetons",
        description="Les jetons actifs de la personne connectée, sans leur valeur.",
    )
    def get(self):
        return db.session.execute(
            sa.select(AccessToken)
            .where(AccessToken.person_id == current_user.id, AccessToken.revoked_at.is_(None))
            .order_by(AccessToken.id)
        ).scalars()


@blp.route("/auth/tokens/<int:token_id>")
class TokenItem(MethodView):
    @blp.response(204)
    @blp.alt_response(404, description="Jeton inconnu, déjà révoqué ou d'une autre personne.")
    @blp.doc(summary="Révoquer un de mes jetons", description="Le jeton cesse aussitôt de fonctionner.")
    def delete(self, token_id):
        token = db.session.get(AccessToken, token_id)
        if token is None or token.person_id != current_user.id or token.revoked_at is not None:
            abort(404)
        authentication.revoke_token(token, current_user)
        commit(db.session)


@blp.route("/me", methods=["GET"])
@blp.response(200, MeSchema)
@blp.doc(
    summary="Moi et tous mes mandats",
    description="La personne connectée, ses mandats dans toutes les collectivités (en cours ou non) et ses droits.",
)
def me():
    person = current_user
    mandates = (
        db.session.execute(
            sa.select(Mandate).where(Mandate.person_id == person.id).order_by(Mandate.start_date, Mandate.id)
        )
        .scalars()
        .all()
    )
    grants = (
        db.session.execute(sa.select(TenantGrant).where(TenantGrant.person_id == person.id).order_by(TenantGrant.id))
        .scalars()
        .all()
    )
    tenant_ids = {row.tenant_id for row in [*mandates, *grants]}
    tenants = {t.id: t for t in db.session.execute(sa.select(Tenant).where(Tenant.id.in_(tenant_ids))).scalars()}
    assemblies, groups = _own_tenant_rows(
        person.id,
        tenant_ids,
        assembly_ids={m.assembly_id for m in mandates} | {g.assembly_id for g in grants if g.assembly_id},
        group_ids={m.political_group_id for m in mandates if m.political_group_id},
    )
    today = date.today()
    return {
        "id": person.id,
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "locale": person.locale,
        "mandates": [
            {
                "id": m.id,
                "tenant": tenants[m.tenant_id],
                "assembly": assemblies[m.assembly_id],
                "role": m.role,
                "start_date": m.start_date,
                "end_date": m.end_date,
                "political_group": groups[m.political_group_id].name if m.political_group_id else None,
                "current": m.in_office_on(today),
            }
            for m in mandates
        ],
        "grants": [
            {
                "id": g.id,
                "tenant": tenants[g.tenant_id],
                "kind": g.kind,
                "assembly": assemblies[g.assembly_id] if g.assembly_id else None,
            }
            for g in grants
        ],
    }


def _own_tenant_rows(person_id: int, tenant_ids: set[int], assembly_ids: set[int], group_ids: set[int]):
    """The assemblies and political groups the person's own mandates and grants name.

    They are tenant-owned, so each tenant's rows are read in that tenant's context (ORM filter and
    row-level security both apply) and only the ids the person's own rows point to are asked for.
    """
    assemblies, groups = {}, {}
    for tenant_id in sorted(tenant_ids):
        with context(db.session, TenantContext(tenant_id=tenant_id, person_id=person_id)):
            for assembly in db.session.execute(sa.select(Assembly).where(Assembly.id.in_(assembly_ids))).scalars():
                assemblies[assembly.id] = assembly
            for group in db.session.execute(
                sa.select(PoliticalGroup).where(PoliticalGroup.id.in_(group_ids))
            ).scalars():
                groups[group.id] = group
    return assemblies, groups


@blp.route("/docs", methods=["GET"])
@blp.doc(
    summary="Documentation de l'API (HTML)",
    description="Cette référence, lisible dans un navigateur, produite à partir du document OpenAPI.",
    responses={"200": {"description": "La page de documentation.", "content": {"text/html": {}}}},
    tags=["documentation"],
    **PUBLIC,
)
def api_docs():
    return render_docs()


api_blueprint(blp, public=(("TokensCollection", "POST"), ("api_docs", "GET"), ("api_docs", "HEAD")))
