"""The rules of the sitting held, as legal_rules.toml encodes them (docs/votes.md): quorum, remote presence,
members not taking part, deputies, ballot thresholds, majority and casting vote, per kind of collectivity."""

import pytest

from saas.tenancy import legal_rules
from saas.tenancy.legal_rules import rules_for
from saas.tenancy.models import TenantKind

KINDS = [
    (TenantKind.COMMUNE, 1200),
    (TenantKind.COMMUNE, 60000),
    (TenantKind.EPCI, 190000),
    (TenantKind.SYNDICAT, 4000),
    (TenantKind.DEPARTEMENT, 540000),
    (TenantKind.REGION, 2800000),
]


@pytest.mark.parametrize("kind, population", KINDS)
def test_every_kind_has_the_rules_of_the_sitting(kind, population):
    rules = rules_for(kind, population)
    assert rules.majority_rule == "absolute_majority_cast"
    assert rules.casting_vote and not rules.casting_vote_in_secret
    assert rules.secret_for_appointments
    assert rules.quorum_excludes_not_taking_part


@pytest.mark.parametrize("population", [1200, 60000])
def test_commune_ballots_quarter_named_third_secret_and_physical_quorum(population):
    rules = rules_for(TenantKind.COMMUNE, population)
    assert (rules.named_ballot_divisor, rules.secret_ballot_divisor, rules.ballot_article) == (4, 3, "L2121-21")
    assert rules.majority_article == "L2121-20"
    assert not rules.quorum_counts_remote and not rules.deputies_allowed


@pytest.mark.parametrize("kind", [TenantKind.EPCI, TenantKind.SYNDICAT])
def test_epci_counts_remote_members_and_allows_deputies(kind):
    rules = rules_for(kind, 50000)
    assert rules.quorum_counts_remote
    assert rules.deputies_allowed and rules.deputy_article == "L5211-6"
    assert (rules.named_ballot_divisor, rules.secret_ballot_divisor) == (4, 3)
    assert "L5211-1" in rules.ballot_article and "L5211-1" in rules.majority_article


@pytest.mark.parametrize("kind, article", [(TenantKind.DEPARTEMENT, "L3121-15"), (TenantKind.REGION, "L4132-14")])
def test_departement_and_region_named_ballot_at_a_sixth_secret_only_for_appointments(kind, article):
    rules = rules_for(kind, 540000)
    assert (rules.named_ballot_divisor, rules.secret_ballot_divisor) == (6, None)
    assert rules.ballot_article == rules.majority_article == article
    assert not rules.quorum_counts_remote and not rules.deputies_allowed


@pytest.mark.parametrize(
    "change, message",
    [
        ({"majority_rule": "relative"}, "majority_rule"),
        ({"named_ballot_divisor": 0}, "named_ballot_divisor"),
        ({"secret_ballot_divisor": "3"}, "secret_ballot_divisor"),
        ({"deputies_allowed": True}, "deputy_article"),
    ],
)
def test_a_wrong_value_in_the_file_is_refused_at_loading(monkeypatch, tmp_path, change, message):
    profile = {
        "name": "essai",
        "kinds": ["commune"],
        "notice_days": 3,
        "notice_counting": "clear",
        **change,
    }
    lines = ["[[profile]]"] + [f"{key} = {_toml(value)}" for key, value in profile.items()]
    (tmp_path / "legal_rules.toml").write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(legal_rules, "__file__", str(tmp_path / "legal_rules.py"))
    legal_rules._profiles.cache_clear()
    try:
        with pytest.raises(ValueError, match=message):
            legal_rules._profiles()
    finally:
        monkeypatch.undo()
        legal_rules._profiles.cache_clear()


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, int):
        return str(value)
    return f'"{value}"'
