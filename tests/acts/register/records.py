"""Outcomes and sitting records built by hand, as the votes and the deliberations would give them."""

import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

from saas.acts import operations as acts
from saas.acts.register.record import ActLine, ItemLine, SittingRecord
from saas.core.database import TenantContext, context
from saas.sittings.models import SittingStatus
from saas.sittings.outcomes import BallotType, ItemOutcome, Outcome, Presence
from tests.fixtures.outcomes import outcome_for as council_outcome  # noqa: F401 (the tests import it from here)
from tests.fixtures.outcomes import presence as council_presence  # noqa: F401

PRESENT = ("Hélène Marchand", "Julien Garnier", "Karim Benali", "Claire Dubois")
REPRESENTED = (("Sophie Lambert", "Julien Garnier"),)
ABSENT = ("Marc Petit",)


def presence(present=PRESENT, represented=REPRESENTED, absent=ABSENT, remote=()) -> Presence:
    in_office = len(present) + len(remote) + len(represented) + len(absent)
    return Presence(
        in_office=in_office,
        present=tuple(present),
        remote=tuple(remote),
        represented=tuple(represented),
        replaced=(),
        absent=tuple(absent),
        quorum_required=in_office // 2 + 1,
        quorum_present=len(present),
        quorum_reached=len(present) >= in_office // 2 + 1,
        quorum_article="L2121-17",
    )


def outcome(item_id: int, result=Outcome.ADOPTED, ballot=BallotType.SHOW_OF_HANDS, votes=(5, 0, 0), **values):
    values.setdefault("presence", presence())
    return ItemOutcome(
        item_id=item_id,
        outcome=result,
        ballot_type=ballot,
        votes_for=votes[0],
        votes_against=votes[1],
        abstentions=votes[2],
        blank=values.pop("blank", 0),
        not_taking_part=values.pop("not_taking_part", ()),
        names_against=values.pop("names_against", ()),
        names_abstaining=values.pop("names_abstaining", ()),
        casting_vote=values.pop("casting_vote", False),
        decided_at=datetime(2027, 3, 15, 18, 30, tzinfo=UTC),
        **values,
    )


def act(number: str, position: int, title: str, result=Outcome.ADOPTED, signed: str | None = None) -> ActLine:
    return ActLine(
        number=number,
        position=position,
        title=title,
        outcome=result,
        decided_on=date(2027, 3, 15),
        subject_code="8.5",
        text=f"Le Conseil Municipal décide : {title}.\n\nAinsi délibéré.",
        signed_sha256=signed,
    )


def sitting_record(sitting_id: int = 1) -> SittingRecord:
    """Three items: unanimous, a named ballot with votes against and an abstention, one postponed."""
    unanimous = outcome(1)
    named = outcome(
        2,
        ballot=BallotType.NAMED,
        votes=(3, 1, 1),
        names_against=("Claire Dubois",),
        names_abstaining=("Karim Benali",),
    )
    postponed = ItemOutcome(
        item_id=3,
        outcome=Outcome.POSTPONED,
        ballot_type=None,
        votes_for=0,
        votes_against=0,
        abstentions=0,
        blank=0,
        not_taking_part=(),
        names_against=(),
        names_abstaining=(),
        casting_vote=False,
        presence=presence(present=PRESENT[:2], absent=ABSENT + PRESENT[2:]),
        decided_at=datetime(2027, 3, 15, 19, tzinfo=UTC),
        reason="quorum non atteint (article L2121-17 du CGCT)",
    )
    return SittingRecord(
        tenant_name="Ville de Besançon",
        time_zone="Europe/Paris",
        assembly_name="Conseil municipal",
        sitting_id=sitting_id,
        starts_at=datetime(2027, 3, 15, 17, tzinfo=UTC),
        place="Salle du conseil",
        opened_at=datetime(2027, 3, 15, 17, 5, tzinfo=UTC),
        closed_at=datetime(2027, 3, 15, 19, 10, tzinfo=UTC),
        president="Hélène Marchand",
        secretary="Julien Garnier",
        items=(
            ItemLine(1, 1, "Équipement numérique des élus", False, "Hélène Marchand",
                     "Avis favorable unanime de la Commission n° 1", unanimous,
                     act("2027-044", 1, "Équipement numérique des élus"), "M. Benali demande le coût.\n\nRéponse."),
            ItemLine(2, 2, "Tarifs de la piscine", False, None, None, named,
                     act("2027-045", 2, "Tarifs de la piscine")),
            ItemLine(3, 3, "Plan local d'urbanisme", False, None, None, postponed, None),
        ),
    )  # fmt: skip


def pdf_text(data: bytes, folder: Path) -> str:
    path = folder / "document.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def hold(session, council, outcome=None):
    """The sitting of the acts' ``council`` was held: opened, its item decided (an act made), closed."""
    sitting = council.sitting
    with context(session, TenantContext(tenant_id=council.tenant.id)):
        act = acts.create_deliberation(council.item, outcome or council_outcome(council.item.id))
        sitting.opened_at = datetime(2027, 3, 15, 17, 2, tzinfo=UTC)
        sitting.closed_at = datetime(2027, 3, 15, 19, 40, tzinfo=UTC)
        sitting.status = SittingStatus.CLOSED
        session.flush()
    return act
