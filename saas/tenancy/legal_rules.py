"""The CGCT rules that follow from a tenant's kind and population, read from legal_rules.toml."""

import dataclasses
import functools
import tomllib
from pathlib import Path

from saas.tenancy.models import Tenant, TenantKind


@dataclasses.dataclass(frozen=True)
class LegalRules:
    name: str
    notice_days: int
    notice_counting: str
    notice_article: str
    urgency_notice_days: int
    summary_note_required: bool
    quorum_rule: str
    quorum_article: str
    quorum_failed_reconvene_days: int
    proxy_article: str
    #: a proxy is valid for at most this many consecutive sittings, except illness; None: no such limit
    proxy_max_consecutive_sittings: int | None = None
    #: the first sitting after a renewal (L2121-7): None where that rule does not apply
    renewal_notice_days: int | None = None
    renewal_notice_article: str | None = None
    # --- acts of the sitting (minutes, list of deliberations, EPCI councillors) ---
    #: the minutes go online within this many days of their approval (L2121-15); None: no such rule
    minutes_online_days: int | None = None
    minutes_article: str | None = None
    #: the list of deliberations is posted and online within this many days of the sitting (L2121-25)
    deliberation_list_days: int | None = None
    deliberation_list_article: str | None = None
    #: the list goes to the councillors of member communes not sitting, within this many months (L5211-40-2)
    outside_councillors_months: int | None = None
    #: the tenant kinds that rule applies to (EPCIs with their own taxation, not syndicats)
    outside_councillors_kinds: tuple[str, ...] = ()
    outside_councillors_article: str | None = None


@functools.cache
def _profiles() -> list[dict]:
    with (Path(__file__).parent / "legal_rules.toml").open("rb") as fh:
        profiles = tomllib.load(fh)["profile"]
    for profile in profiles:
        if profile["notice_counting"] not in {"clear", "plain"}:
            raise ValueError(f"notice_counting of {profile['name']!r} must be clear or plain")
    return profiles


def rules_for(kind: TenantKind, population: int) -> LegalRules:
    for profile in _profiles():
        if kind.value not in profile["kinds"]:
            continue
        if population < profile.get("population_at_least", 0):
            continue
        if "population_below" in profile and population >= profile["population_below"]:
            continue
        fields = {f.name for f in dataclasses.fields(LegalRules)}
        values = {key: value for key, value in profile.items() if key in fields}
        if "outside_councillors_kinds" in values:
            values["outside_councillors_kinds"] = tuple(values["outside_councillors_kinds"])
        return LegalRules(**values)
    raise LookupError(f"no legal rules for a {kind} of {population} inhabitants")


def tenant_rules(tenant: Tenant) -> LegalRules:
    return rules_for(tenant.kind, tenant.population)
