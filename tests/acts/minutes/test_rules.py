"""The acts' rules as data (saas/tenancy/legal_rules.toml): minutes and list deadlines, an EPCI's councillors."""

import pytest

from saas.tenancy.legal_rules import rules_for
from saas.tenancy.models import TenantKind


@pytest.mark.parametrize(
    ("kind", "population", "minutes", "listing", "councillors"),
    [
        (TenantKind.COMMUNE, 1_200, (7, "L2121-15"), (7, "L2121-25"), None),
        (TenantKind.COMMUNE, 120_000, (7, "L2121-15"), (7, "L2121-25"), None),
        (TenantKind.EPCI, 190_000, (7, "L5211-1, L2121-15"), (7, "L5211-1, L2121-25"), (1, "L5211-40-2")),
        (TenantKind.DEPARTEMENT, 540_000, (7, "L3121-13"), (None, None), None),
        (TenantKind.REGION, 2_800_000, (7, "L4132-12"), (None, None), None),
    ],
)
def test_deadlines_per_kind(kind, population, minutes, listing, councillors):
    rules = rules_for(kind, population)
    assert (rules.minutes_online_days, rules.minutes_article) == minutes
    assert (rules.deliberation_list_days, rules.deliberation_list_article) == listing
    if councillors is None:
        assert kind.value not in rules.outside_councillors_kinds
    else:
        assert (rules.outside_councillors_months, rules.outside_councillors_article) == councillors
        assert rules.outside_councillors_kinds == ("epci",)


def test_a_syndicat_shares_the_epci_profile_but_sends_no_list_to_councillors():
    rules = rules_for(TenantKind.SYNDICAT, 10_000)
    assert rules.minutes_online_days == 7 and "syndicat" not in rules.outside_councillors_kinds
