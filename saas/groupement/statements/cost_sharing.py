"""Cost-sharing keys and exact rounding: pure functions, no database, no request.

A key turns the members into weights (``Fraction``s, so 1/3 stays 1/3); ``split`` turns an amount in
cents and weights into integer shares that add up exactly to the amount, by the largest-remainder method
(Hamilton): everyone gets the floor of their exact share, and the cents left over go one each to the
largest remainders, ties going to the member listed first.
"""

from collections.abc import Hashable, Iterable, Mapping
from decimal import Decimal
from fractions import Fraction

from saas.core.errors import DomainError

HUNDRED = Decimal(100)


class SharingError(DomainError):
    """A key that cannot share anything; the message is French, shown as it is."""


def split(amount_cents: int, weights: Mapping[Hashable, Fraction | int]) -> dict[Hashable, int]:
    """Integer shares of ``amount_cents`` proportional to ``weights``, adding up exactly to it."""
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents < 0:
        raise SharingError("Le montant à répartir doit être un nombre entier positif de centimes.")
    if any(weight < 0 for weight in weights.values()):
        raise SharingError("Une clé de répartition ne peut pas avoir de poids négatif.")
    total = sum((Fraction(weight) for weight in weights.values()), Fraction(0))
    if total == 0:
        raise SharingError("La clé de répartition ne donne de part à aucun membre.")
    exact = {member: Fraction(weight) * amount_cents / total for member, weight in weights.items()}
    shares = {member: int(value) for member, value in exact.items()}  # floor: values are not negative
    left_over = amount_cents - sum(shares.values())
    order = list(weights)
    by_remainder = sorted(order, key=lambda member: (-(exact[member] - shares[member]), order.index(member)))
    for member in by_remainder[:left_over]:
        shares[member] += 1
    return shares


def equal_weights(members: Iterable[Hashable]) -> dict[Hashable, Fraction]:
    """Equal shares: every member weighs 1."""
    return {member: Fraction(1) for member in members}


def population_weights(populations: Mapping[Hashable, int]) -> dict[Hashable, Fraction]:
    """Pro rata of the legal population."""
    return {member: Fraction(population) for member, population in populations.items()}


def equipped_member_weights(
    members: Iterable[Hashable],
    seats: Mapping[Hashable, set],
    primary: Mapping[Hashable, Hashable | None],
) -> dict[Hashable, Fraction]:
    """Pro rata of equipped members: ``seats`` maps each equipped person to the member collectivities
    where they hold a current mandate. A person counts 1/k in each of their k collectivities, or 1 in
    the primary collectivity chosen in their profile when it is one of them."""
    weights = {member: Fraction(0) for member in members}
    for person, collectivities in seats.items():
        counted = {c for c in collectivities if c in weights}
        if not counted:
            continue
        chosen = primary.get(person)
        if chosen in counted:
            weights[chosen] += 1
        else:
            for collectivity in counted:
                weights[collectivity] += Fraction(1, len(counted))
    return weights


def percentage_weights(members: Iterable[Hashable], percentages: Mapping[Hashable, Decimal]) -> dict:
    """Fixed percentages, given for every member (at most two decimals), which must total exactly 100 %."""
    members = list(members)
    missing = [member for member in members if member not in percentages]
    if missing or set(percentages) - set(members):
        raise SharingError("Indiquez un pourcentage pour chaque membre, et pour eux seulement.")
    values = {member: Decimal(percentages[member]) for member in members}
    if any(value < 0 or value != value.quantize(Decimal("0.01")) for value in values.values()):
        raise SharingError("Chaque pourcentage est positif, avec deux décimales au plus.")
    if sum(values.values()) != HUNDRED:
        raise SharingError(f"Les pourcentages totalisent {sum(values.values())} % au lieu de 100 %.")
    return {member: Fraction(value) for member, value in values.items()}


def describe_weight(weight: Fraction, total: Fraction) -> str:
    """A weight as a statement shows it: the fraction of the whole, e.g. "7/24"."""
    share = weight / total if total else Fraction(0)
    return f"{share.numerator}/{share.denominator}"
