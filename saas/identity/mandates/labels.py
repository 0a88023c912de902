"""Tables of saas.identity.mandates.labels."""

from flask_babel import lazy_gettext as _l

from saas.identity.models import GrantKind, MandateRole
from saas.tenancy.models import AssemblyKind, TenantKind

ROLE_LABELS = {
    MandateRole.MEMBER: _l("Membre"),
    MandateRole.PRESIDENT: _l("Président ou présidente"),
    MandateRole.SECRETARY_OF_SITTING: _l("Secrétaire de séance"),
    MandateRole.STAFF: _l("Agent"),
    MandateRole.GUEST: _l("Invité ou invitée"),
}


ASSEMBLY_KIND_LABELS = {
    AssemblyKind.COUNCIL: _l("Conseil"),
    AssemblyKind.BUREAU: _l("Bureau"),
    AssemblyKind.STANDING_COMMITTEE: _l("Commission permanente"),
    AssemblyKind.COMMITTEE: _l("Commission"),
}


TENANT_KIND_LABELS = {
    TenantKind.COMMUNE: _l("Commune"),
    TenantKind.EPCI: _l("Intercommunalité (EPCI)"),
    TenantKind.DEPARTEMENT: _l("Département"),
    TenantKind.REGION: _l("Région"),
    TenantKind.SYNDICAT: _l("Syndicat"),
}


GRANT_LABELS = {
    GrantKind.TENANT_ADMIN: _l("Administration"),
    GrantKind.SECRETARY: _l("Secrétariat"),
    GrantKind.DRAFTER: _l("Rédaction (service)"),
    GrantKind.URGENT_VALIDATOR: _l("Validation d'urgence"),
}


QUORUM_RULE_LABELS = {
    "half_physically_present": _l("La majorité des membres en exercice doit être physiquement présente."),
    "absolute_majority_in_office": _l("La majorité absolue des membres en exercice doit être présente."),
}


NOTICE_COUNTING_LABELS = {"clear": _l("jours francs"), "plain": _l("jours")}


def labels() -> dict:
    """Translated names of enum values, for the templates."""
    return {
        "role_labels": ROLE_LABELS,
        "assembly_kind_labels": ASSEMBLY_KIND_LABELS,
        "tenant_kind_labels": TENANT_KIND_LABELS,
    }
