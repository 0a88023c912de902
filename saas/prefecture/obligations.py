"""Which acts must reach the prefect before they are enforceable, read from obligations.toml (L2131-1, L2131-2,
their departmental, regional and intercommunal counterparts)."""

import dataclasses
import functools
import tomllib
from pathlib import Path

from saas.prefecture.classification import classification
from saas.tenancy.models import TenantKind


@dataclasses.dataclass(frozen=True)
class Obligation:
    #: the act must be received by the prefect to be enforceable
    transmission_required: bool
    #: e.g. "L2131-1": when an act is enforceable
    enforceability_article: str
    #: e.g. "L2131-2": the list of the acts to transmit
    transmission_article: str


@dataclasses.dataclass(frozen=True)
class _Rule:
    enforceability_article: str
    transmission_article: str
    natures: frozenset[int]


@functools.cache
def _rules() -> dict[TenantKind, _Rule]:
    with (Path(__file__).parent / "obligations.toml").open("rb") as fh:
        data = tomllib.load(fh)
    known = set(classification().natures)
    rules: dict[TenantKind, _Rule] = {}
    for entry in data["rule"]:
        natures = frozenset(entry["natures"])
        if not natures <= known:
            raise ValueError(f"obligations.toml: unknown nature codes {sorted(natures - known)}")
        for kind in entry["kinds"]:
            if TenantKind(kind) in rules:
                raise ValueError(f"obligations.toml: two rules for {kind!r}")
            rules[TenantKind(kind)] = _Rule(entry["enforceability_article"], entry["transmission_article"], natures)
    if set(rules) != set(TenantKind):
        raise ValueError(f"obligations.toml: no rule for {sorted(set(TenantKind) - set(rules))}")
    return rules


def obligation(kind: TenantKind, nature: int) -> Obligation:
    """What the law asks of an act of ``nature`` (CodeNatureActe) made by a collectivity of ``kind``."""
    rule = _rules()[kind]
    return Obligation(nature in rule.natures, rule.enforceability_article, rule.transmission_article)
