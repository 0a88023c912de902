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
    #: what the reconvened sitting's convocation says (after a failed quorum), in the words of quorum_article
    quorum_failed_wording: str
    proxy_article: str
    #: a proxy is valid for at most this many consecutive sittings, except illness; None: no such limit
    proxy_max_consecutive_sittings: int | None = None
    #: the first sitting after a renewal (L2121-7): None where that rule does not apply
    renewal_notice_days: int | None = None
    renewal_notice_article: str | None = None
    #: the sitting held (docs/votes.md): remote members count towards the quorum
    quorum_counts_remote: bool = False
    #: a member not taking part in an item's vote (L2131-11) is not counted present for its quorum
    quorum_excludes_not_taking_part: bool = True
    #: a member may be replaced by a deputy (suppléant) who votes in their stead, and where the law says so
    deputies_allowed: bool = False
    deputy_article: str | None = None
    #: ballot requests: named public ballot at 1/named_ballot_divisor of the members present, secret at
    #: 1/secret_ballot_divisor (None, when absent from the file: cannot be asked for); appointments always secret
    ballot_article: str = "L2121-21"
    named_ballot_divisor: int = 4
    secret_ballot_divisor: int | None = None
    secret_for_appointments: bool = True
    #: absolute majority of the votes cast; on a tie the president's own vote decides, except in a secret ballot
    majority_rule: str = "absolute_majority_cast"
    majority_article: str = "L2121-20"
    casting_vote: bool = True
    casting_vote_in_secret: bool = False
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


#: the majority rules the votes know (saas.sittings.votes.results)
MAJORITY_RULES = {"absolute_majority_cast"}


@functools.cache
def _profiles() -> list[dict]:
    with (Path(__file__).parent / "legal_rules.toml").open("rb") as fh:
        profiles = tomllib.load(fh)["profile"]
    for profile in profiles:
        if profile["notice_counting"] not in {"clear", "plain"}:
            raise ValueError(f"notice_counting of {profile['name']!r} must be clear or plain")
        if profile.get("majority_rule", "absolute_majority_cast") not in MAJORITY_RULES:
            raise ValueError(f"majority_rule of {profile['name']!r} must be one of {sorted(MAJORITY_RULES)}")
        for name in ("named_ballot_divisor", "secret_ballot_divisor"):
            if name in profile and (not isinstance(profile[name], int) or profile[name] < 1):
                raise ValueError(f"{name} of {profile['name']!r} must be a positive integer")
        if profile.get("deputies_allowed") and not profile.get("deputy_article"):
            raise ValueError(f"deputies_allowed of {profile['name']!r} needs its deputy_article")
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
