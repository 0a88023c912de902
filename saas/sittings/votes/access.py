"""Who reaches the votes: the same loaders as the roll call (``saas.sittings.roll_call.access``), and the
member who acts for themself or for the giver of the proxy they hold.

- ``voter_for(sitting, voter_id, person) -> Person``: the member a ballot, a request or a declaration is for:
  the caller by default, else a member in office of the assembly (the operations then check that the caller
  holds their proxy, or the route that the caller chairs); any other id -> 422, naming no one.
"""

from flask_smorest import abort

from saas.core.extensions import db
from saas.identity.models import Person
from saas.sittings.operations import members_in_office
from saas.sittings.roll_call.access import load_held_sitting, load_item, require_chair

__all__ = ["load_held_sitting", "load_item", "require_chair", "voter_for"]


def voter_for(sitting, voter_id: int | None, person: Person) -> Person:
    if voter_id is None or voter_id == person.id:
        return person
    if voter_id not in members_in_office(sitting):
        abort(422, message="Choisissez un membre en exercice de cette assemblée.")
    return db.session.get(Person, voter_id)
