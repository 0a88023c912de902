"""Preparing a sitting: scheduling, the agenda's numbering, the status machine, and their audit trail."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from saas.sittings import operations
from saas.sittings.models import AgendaItem, SittingStatus
from saas.sittings.operations import SittingError
from tests.fixtures.sittings import MONDAY_15_MARCH_2027


def positions(session, sitting):
    items = operations.active_items(sitting)
    return [(item.position, item.title) for item in items]


def test_create_sitting_is_audited_and_starts_as_draft(create_tenant, in_tenant, audit_events):
    tenant = create_tenant()
    with in_tenant(tenant):
        sitting = operations.create_sitting(
            tenant, tenant.assemblies[0], starts_at=MONDAY_15_MARCH_2027, place=" Hôtel de ville ", actor=None
        )
    assert sitting.status == SittingStatus.DRAFT and sitting.place == "Hôtel de ville"
    assert sitting.starts_at == MONDAY_15_MARCH_2027
    [(object_id, data)] = audit_events(tenant, "sitting.created")
    assert object_id == str(sitting.id) and data["place"] == "Hôtel de ville"


@pytest.mark.parametrize(
    ("starts_at", "place", "message"),
    [
        (datetime(2027, 3, 15, 18, 0), "Mairie", "fuseau horaire"),
        (MONDAY_15_MARCH_2027, "   ", "lieu de la séance est obligatoire"),
    ],
)
def test_create_sitting_refuses_bad_input(create_tenant, in_tenant, starts_at, place, message):
    tenant = create_tenant()
    with in_tenant(tenant), pytest.raises(SittingError, match=message):
        operations.create_sitting(tenant, tenant.assemblies[0], starts_at=starts_at, place=place, actor=None)


def test_assembly_of_another_tenant_is_refused(create_tenant, in_tenant):
    tenant, other = create_tenant(), create_tenant()
    foreign = other.assemblies[0]
    with in_tenant(tenant), pytest.raises(SittingError, match="n'appartient pas"):
        operations.create_sitting(tenant, foreign, starts_at=MONDAY_15_MARCH_2027, place="X", actor=None)


def test_reschedule_only_in_draft(create_tenant, create_sitting, in_tenant, audit_events):
    tenant = create_tenant()
    draft = create_sitting(tenant, convene=False)
    later = MONDAY_15_MARCH_2027 + timedelta(days=7)
    with in_tenant(tenant):
        operations.reschedule(draft, later, actor=None)
        operations.update_sitting(draft, remote_allowed=True, actor=None)
    assert draft.starts_at == later and draft.remote_allowed
    changes = [data for _, data in audit_events(tenant, "sitting.updated")]
    assert set(changes[0]) == {"starts_at"} and set(changes[1]) == {"remote_allowed"}
    convened = create_sitting(tenant)
    with in_tenant(tenant), pytest.raises(SittingError, match="déjà convoquée"):
        operations.reschedule(convened, later, actor=None)
    assert convened.starts_at == MONDAY_15_MARCH_2027


def test_items_are_numbered_reordered_and_withdrawn_without_gaps(
    session, create_tenant, create_sitting, in_tenant, audit_events
):
    tenant = create_tenant()
    sitting = create_sitting(tenant, convene=False, items=0)
    with in_tenant(tenant):
        a, b, c, d = (operations.add_item(sitting, title=t, actor=None) for t in "ABCD")
        assert positions(session, sitting) == [(1, "A"), (2, "B"), (3, "C"), (4, "D")]
        operations.reorder_items(sitting, [d.id, b.id, a.id, c.id], actor=None)
        assert positions(session, sitting) == [(1, "D"), (2, "B"), (3, "A"), (4, "C")]
        operations.withdraw_item(b, actor=None, reason="Dossier incomplet")
        assert positions(session, sitting) == [(1, "D"), (2, "A"), (3, "C")]
        e = operations.add_item(sitting, title="E", actor=None)
        assert e.position == 4
        kept = session.execute(sa.select(AgendaItem).where(AgendaItem.id == b.id)).scalar_one()
    assert kept.position is None and kept.withdrawn_at is not None
    [(_, withdrawn)] = audit_events(tenant, "agenda_item.withdrawn")
    assert withdrawn == {"sitting_id": sitting.id, "former_position": 2, "reason": "Dossier incomplet"}
    assert audit_events(tenant, "agenda_item.reordered")[0][1] == {"order": [d.id, b.id, a.id, c.id]}


@pytest.mark.parametrize("order", [[1], [1, 1, 2], [1, 2, 99]])
def test_reorder_must_name_every_item_once(session, create_tenant, create_sitting, in_tenant, order):
    tenant = create_tenant()
    sitting = create_sitting(tenant, convene=False, items=0)
    with in_tenant(tenant):
        items = [operations.add_item(sitting, title=t, actor=None) for t in "AB"]
        ids = {1: items[0].id, 2: items[1].id, 99: items[1].id + 1000}
        with pytest.raises(SittingError, match="une fois et une seule"):
            operations.reorder_items(sitting, [ids[n] for n in order], actor=None)
        assert positions(session, sitting) == [(1, "A"), (2, "B")]


def test_withdrawing_twice_is_refused(create_tenant, create_sitting, in_tenant):
    tenant = create_tenant()
    sitting = create_sitting(tenant, convene=False, items=0)
    with in_tenant(tenant):
        item = operations.add_item(sitting, title="A", actor=None)
        operations.withdraw_item(item, actor=None)
        with pytest.raises(SittingError, match="déjà été retiré"):
            operations.withdraw_item(item, actor=None)


@pytest.mark.parametrize("code", ["9", "9.123", "a.1", "10.1", "9.1 "])
def test_subject_code_must_be_an_actes_code(create_tenant, create_sitting, in_tenant, code):
    tenant = create_tenant()
    sitting = create_sitting(tenant, convene=False, items=0)
    with in_tenant(tenant):
        if code == "9.1 ":  # surrounding blanks are forgiven
            assert operations.add_item(sitting, title="A", subject_code=code, actor=None).subject_code == "9.1"
            return
        with pytest.raises(SittingError, match="Code matière @ctes invalide"):
            operations.add_item(sitting, title="A", subject_code=code, actor=None)
        assert operations.active_items(sitting) == []


def test_rapporteur_must_sit_in_the_assembly(create_tenant, create_person, give_mandate, create_sitting, in_tenant):
    tenant, other = create_tenant(), create_tenant()
    member, outsider = create_person(), create_person()
    give_mandate(member, tenant)
    give_mandate(outsider, other)
    sitting = create_sitting(tenant, convene=False, items=0)
    with in_tenant(tenant):
        item = operations.add_item(
            sitting,
            title="Équipement numérique – Dématérialisation des documents et procédures",
            rapporteur=member,
            subject_code="9.1",
            committee_opinion="Avis favorable unanime de la Commission n° 1",
            actor=member,
        )
        assert item.rapporteur_id == member.id
        with pytest.raises(SittingError, match="ne siège pas dans cette assemblée"):
            operations.add_item(sitting, title="B", rapporteur=outsider, actor=member)


def test_agenda_is_fixed_once_convened(create_tenant, create_sitting, in_tenant):
    tenant = create_tenant()
    sitting = create_sitting(tenant)
    with in_tenant(tenant):
        with pytest.raises(SittingError, match="la séance est convoquée"):
            operations.add_item(sitting, title="Ajout tardif", actor=None)
        item = operations.active_items(sitting)[0]
        operations.withdraw_item(item, actor=None)
    assert item.withdrawn_at is not None


def test_status_moves_forward_one_step_at_a_time(create_tenant, create_sitting, in_tenant, audit_events):
    tenant = create_tenant()
    sitting = create_sitting(tenant, convene=False)
    at = MONDAY_15_MARCH_2027 - timedelta(days=30)
    with in_tenant(tenant):
        with pytest.raises(SittingError, match="ne peut pas passer à l'état « en cours »"):
            operations.set_status(sitting, SittingStatus.IN_PROGRESS, actor=None)
        for status in ("convened", "in_progress", "closed", "archived"):
            operations.set_status(sitting, status, actor=None, at=at)
        for status in SittingStatus:
            with pytest.raises(SittingError, match="Une séance archivée ne peut pas passer"):
                operations.set_status(sitting, status, actor=None)
    moves = [(data["from"], data["to"]) for _, data in audit_events(tenant, "sitting.status_changed")]
    assert moves == [
        ("draft", "convened"),
        ("convened", "in_progress"),
        ("in_progress", "closed"),
        ("closed", "archived"),
    ]


def test_convening_needs_an_agenda(create_tenant, create_sitting, in_tenant):
    tenant = create_tenant()
    sitting = create_sitting(tenant, convene=False, items=0)
    with in_tenant(tenant), pytest.raises(SittingError, match="L2121-10"):
        operations.set_status(sitting, SittingStatus.CONVENED, actor=None, at=datetime(2027, 1, 1, tzinfo=UTC))
    assert sitting.status == SittingStatus.DRAFT
