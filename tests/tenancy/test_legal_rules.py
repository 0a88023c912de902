"""The CGCT rules of shared/domain/rules.md, as legal_rules.toml encodes them."""

import pytest

from saas.tenancy.legal_rules import rules_for, tenant_rules
from saas.tenancy.models import Tenant, TenantKind

COMMUNE = TenantKind.COMMUNE


@pytest.mark.parametrize("population", [0, 120, 3499])
def test_small_commune_three_clear_days(population):
    rules = rules_for(COMMUNE, population)
    assert (rules.notice_days, rules.notice_counting, rules.notice_article) == (3, "clear", "L2121-11")
    assert not rules.summary_note_required


@pytest.mark.parametrize("population", [3500, 3501, 119198])
def test_commune_of_3500_five_clear_days_and_summary_note(population):
    rules = rules_for(COMMUNE, population)
    assert (rules.notice_days, rules.notice_counting, rules.notice_article) == (5, "clear", "L2121-12")
    assert rules.summary_note_required


def test_boundary_is_3500_inhabitants():
    assert rules_for(COMMUNE, 3499).notice_days == 3
    assert rules_for(COMMUNE, 3500).notice_days == 5


@pytest.mark.parametrize("kind", [TenantKind.EPCI, TenantKind.SYNDICAT])
@pytest.mark.parametrize("population", [800, 3499, 3500, 195000])
def test_epci_follows_large_commune_rules_whatever_the_population(kind, population):
    rules, large_commune = rules_for(kind, population), rules_for(COMMUNE, 3500)
    assert (rules.notice_days, rules.notice_counting, rules.summary_note_required) == (5, "clear", True)
    assert rules.quorum_rule == large_commune.quorum_rule == "half_physically_present"
    assert "L5211-1" in rules.notice_article


@pytest.mark.parametrize(
    "kind, notice_article, quorum_article",
    [(TenantKind.DEPARTEMENT, "L3121-19", "L3121-14"), (TenantKind.REGION, "L4132-18", "L4132-13")],
)
def test_departement_and_region_twelve_plain_days_absolute_majority(kind, notice_article, quorum_article):
    rules = rules_for(kind, 543974)
    assert (rules.notice_days, rules.notice_counting) == (12, "plain")
    assert (rules.notice_article, rules.quorum_article) == (notice_article, quorum_article)
    assert rules.quorum_rule == "absolute_majority_in_office"
    assert rules.quorum_failed_reconvene_days == 3


@pytest.mark.parametrize("kind", list(TenantKind))
@pytest.mark.parametrize("population", [100, 3499, 3500, 1180000])
def test_urgency_is_one_clear_day_everywhere(kind, population):
    assert rules_for(kind, population).urgency_notice_days == 1


@pytest.mark.parametrize("population", [100, 50000])
def test_commune_quorum_is_half_physically_present_reconvened_three_days_later(population):
    rules = rules_for(COMMUNE, population)
    assert (rules.quorum_rule, rules.quorum_article, rules.quorum_failed_reconvene_days) == (
        "half_physically_present",
        "L2121-17",
        3,
    )


def test_tenant_rules_reads_kind_and_population():
    assert tenant_rules(Tenant(kind=COMMUNE, population=3499)).notice_article == "L2121-11"
    assert tenant_rules(Tenant(kind=TenantKind.REGION, population=10)).notice_days == 12


@pytest.mark.parametrize(
    "kind, population, article",
    [
        (COMMUNE, 120, "L2121-20"),
        (COMMUNE, 50000, "L2121-20"),
        (TenantKind.EPCI, 190000, "L5211-1, L2121-20"),
        (TenantKind.SYNDICAT, 2000, "L5211-1, L2121-20"),
        (TenantKind.DEPARTEMENT, 540000, "L3121-16"),
        (TenantKind.REGION, 1180000, "L4132-15"),
    ],
)
def test_proxy_article_follows_the_kind_of_collectivity(kind, population, article):
    assert rules_for(kind, population).proxy_article == article


@pytest.mark.parametrize(
    "kind, population, limit",
    [
        (COMMUNE, 120, 3),
        (COMMUNE, 50000, 3),
        (TenantKind.EPCI, 190000, 3),
        (TenantKind.SYNDICAT, 2000, 3),
        (TenantKind.DEPARTEMENT, 540000, None),
        (TenantKind.REGION, 1180000, None),
    ],
)
def test_three_consecutive_sittings_limit_only_where_l2121_20_applies(kind, population, limit):
    assert rules_for(kind, population).proxy_max_consecutive_sittings == limit
