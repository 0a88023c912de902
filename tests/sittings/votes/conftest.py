"""This folder's world: a council on the day of its sitting (tests/sittings/votes/world.py)."""

import types

import pytest

from tests.sittings.votes import world


@pytest.fixture
def council(session, time_machine, create_tenant, create_person, give_mandate, give_grant, create_sitting, in_tenant):
    """``council(**options)``: see ``world.build``; the clock stands on the sitting's day, before it."""
    time_machine.move_to(world.OPENING_DAY, tick=False)
    fixtures = types.SimpleNamespace(
        session=session,
        create_tenant=create_tenant,
        create_person=create_person,
        give_mandate=give_mandate,
        give_grant=give_grant,
        create_sitting=create_sitting,
        in_tenant=in_tenant,
    )
    return lambda **options: world.build(fixtures, **options)
