"""The ItemOutcome an act was made from, kept with it as JSON (``Deliberation.outcome_snapshot``)."""

import dataclasses
import enum
from datetime import date, datetime

from saas.sittings.outcomes import BallotType, ItemOutcome, Outcome, Presence


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def outcome_to_json(outcome: ItemOutcome) -> dict:
    return _plain(dataclasses.asdict(outcome))


def _tuples(values) -> tuple:
    return tuple(tuple(value) if isinstance(value, list) else value for value in values)


def outcome_from_json(data: dict) -> ItemOutcome:
    presence = dict(data["presence"])
    for name in ("present", "remote", "represented", "replaced", "absent"):
        presence[name] = _tuples(presence[name])
    values = dict(data)
    values["presence"] = Presence(**presence)
    values["outcome"] = Outcome(data["outcome"])
    values["ballot_type"] = BallotType(data["ballot_type"]) if data.get("ballot_type") else None
    values["decided_at"] = datetime.fromisoformat(data["decided_at"])
    for name in ("not_taking_part", "names_against", "names_abstaining"):
        values[name] = tuple(data[name])
    return ItemOutcome(**values)
