"""The keys and the exact rounding: every statement adds up to the invoiced amount, to the cent."""

import random
from decimal import Decimal
from fractions import Fraction

import pytest

from saas.groupement.statements.cost_sharing import (
    SharingError,
    equal_weights,
    equipped_member_weights,
    percentage_weights,
    population_weights,
    split,
)


def test_equal_shares_give_the_left_over_cent_to_the_first_members():
    assert split(100, equal_weights("ABC")) == {"A": 34, "B": 33, "C": 33}
    assert split(200, equal_weights("ABC")) == {"A": 67, "B": 67, "C": 66}
    assert split(0, equal_weights("ABC")) == {"A": 0, "B": 0, "C": 0}


def test_largest_remainders_win_the_left_over_cents():
    # exact shares 16.67 / 33.33 / 50 of 100 → remainders 0.67, 0.33, 0: the one cent left goes to A
    assert split(100, {"A": 1, "B": 2, "C": 3}) == {"A": 17, "B": 33, "C": 50}
    assert split(5, {"A": Fraction(1, 3), "B": Fraction(2, 3)}) == {"A": 2, "B": 3}


def test_population_key():
    shares = split(1_000_000, population_weights({"region": 1_180_000, "ville": 116_000}))
    assert shares == {"region": 910_494, "ville": 89_506} and sum(shares.values()) == 1_000_000


def test_a_person_in_k_collectivities_counts_one_kth_in_each_or_wholly_for_their_primary_one():
    members = ["ville", "agglo", "region", "doubs"]
    seats = {"hélène": {"ville", "agglo"}, "sophie": {"ville", "agglo", "region", "doubs"}, "paul": {"region"}}
    weights = equipped_member_weights(members, seats, {})
    assert weights == {
        "ville": Fraction(1, 2) + Fraction(1, 4),
        "agglo": Fraction(1, 2) + Fraction(1, 4),
        "region": 1 + Fraction(1, 4),
        "doubs": Fraction(1, 4),
    }
    assert sum(weights.values()) == 3  # three equipped persons, each counted once in all
    primary = equipped_member_weights(members, seats, {"sophie": "doubs", "hélène": "elsewhere"})
    assert primary == {"ville": Fraction(1, 2), "agglo": Fraction(1, 2), "region": 1, "doubs": 1}


def test_mandates_outside_the_members_do_not_count():
    assert equipped_member_weights(["ville"], {"x": {"ville", "syndicat"}, "y": {"syndicat"}}, {}) == {"ville": 1}


def test_fixed_percentages_must_total_one_hundred():
    weights = percentage_weights("AB", {"A": Decimal("62.5"), "B": Decimal("37.5")})
    assert split(1001, weights) == {"A": 626, "B": 375}
    with pytest.raises(SharingError, match="totalisent 99.5 %"):
        percentage_weights("AB", {"A": Decimal("62.5"), "B": Decimal("37")})
    with pytest.raises(SharingError, match="pour chaque membre"):
        percentage_weights("AB", {"A": Decimal("100")})
    with pytest.raises(SharingError, match="deux décimales"):
        percentage_weights("AB", {"A": Decimal("33.333"), "B": Decimal("66.667")})


def test_refusals():
    with pytest.raises(SharingError, match="aucun membre"):
        split(100, {"A": 0, "B": 0})
    with pytest.raises(SharingError, match="entier positif"):
        split(-1, {"A": 1})
    with pytest.raises(SharingError, match="entier positif"):
        split(10.5, {"A": 1})
    with pytest.raises(SharingError, match="négatif"):
        split(10, {"A": 2, "B": -1})


def _random_weights(rng: random.Random) -> dict:
    kind = rng.choice(["equal", "population", "fractions", "percentages", "sparse"])
    n = rng.randint(1, 12)
    if kind == "equal":
        return equal_weights(range(n))
    if kind == "population":
        return population_weights({i: rng.randint(1, 3_000_000) for i in range(n)})
    if kind == "fractions":
        return {i: Fraction(rng.randint(0, 50), rng.randint(1, 12)) for i in range(n)} | {n: Fraction(1, 7)}
    if kind == "sparse":
        return {i: rng.choice([0, 0, 1, 3]) for i in range(n)} | {n: 1}
    cuts = sorted(rng.sample(range(1, 10_000), n - 1)) if n > 1 else []
    bounds = [0, *cuts, 10_000]
    return percentage_weights(range(n), {i: Decimal(bounds[i + 1] - bounds[i]) / 100 for i in range(n)})


def test_shares_always_add_up_exactly_and_stay_within_a_cent_of_the_exact_share():
    rng = random.Random(20130708)
    for _ in range(3000):
        weights = _random_weights(rng)
        amount = rng.choice([0, 1, 2, 99, rng.randint(0, 10_000), rng.randint(0, 10**11)])
        shares = split(amount, weights)
        assert sum(shares.values()) == amount
        total = sum(Fraction(w) for w in weights.values())
        for member, weight in weights.items():
            exact = Fraction(weight) * amount / total
            assert 0 <= shares[member] - int(exact) <= 1
            if weight == 0:
                assert shares[member] == 0
