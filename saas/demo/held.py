"""Demo sittings already held, replayed through the operations with their dates in the past (``now=``):

- the City's conseil municipal examined report n° 44 three days ago: opened by the Mayor with M. Garnier as
  secretary of the sitting, quorum reached, Commission n° 1's favourable unanimous opinion quoted, a unanimous
  vote; deliberation 44 is generated with the founding text's formula and signed by the Mayor and the secretary
  of the sitting (``sign_held_acts``, after the commit that generates its PDF); its list of deliberations is drawn
  at the closing and its minutes, with the debates typed by the secretary of the sitting, are ready: their
  approval is on the agenda of the City's next sitting (saas.demo.sittings, created afterwards); the signed
  deliberation and the list are published on the City's portal (``/besancon/actes``) by the secretariat, and the
  minutes too once signed (``publish_held_acts``);
- the Agglomeration's conseil communautaire held a named ballot with votes against and an abstention, then lost
  its quorum: its second item was postponed for lack of quorum.

Idempotent: an assembly that already has a sitting in the past is left alone.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from saas.acts import operations as acts
from saas.acts.minutes import operations as minutes
from saas.acts.minutes.models import MinutesStatus
from saas.acts.models import Deliberation
from saas.core.database import utcnow
from saas.core.extensions import db
from saas.demo import circuits
from saas.demo.people import demo_email
from saas.demo.signing import MAYOR, SECRETARIAT, SECRETARY_OF_SITTING, ensure_totp, fresh_code
from saas.identity.models import MandateRole, Person
from saas.portal import operations as portal
from saas.reports import operations as reports
from saas.signing.book import operations as book
from saas.signing.book.models import SignatureRequest
from saas.sittings import operations as sittings
from saas.sittings.convocations.operations import send_convocations
from saas.sittings.models import Sitting
from saas.sittings.outcomes import BallotType
from saas.sittings.roll_call import operations as roll_call
from saas.sittings.roll_call.models import SeatStatus
from saas.sittings.roll_call.operations import SeatChange
from saas.sittings.votes import operations as votes
from saas.tenancy.models import Assembly, Tenant

#: the sittings were held this many days ago, at 18:00 where the collectivity is
DAYS_AGO = 3
#: the City's acts of the year before Quorum: the first one made here is n° 44, like the founding text
CITY_ACTS_BEFORE = 43
#: the substance of the debates on report n° 44, as the secretary of the sitting typed it in the minutes
DEBATE_44 = (
    "M. l'Adjoint Dumont présente le rapport. M. Faure demande si les élus garderont leur équipement actuel "
    "pendant l'expérimentation ; M. l'Adjoint Dumont répond que les ordinateurs portables seront repris à la "
    "livraison des tablettes.\n\nMme la Maire constate qu'il n'y a pas d'autre demande de parole et met le "
    "rapport aux voix : « C'est adopté »."
)
REPORT_44_TITLE = "Équipement numérique – Dématérialisation des documents et procédures"


def _person(first_and_last: tuple[str, str]) -> Person:
    return db.session.execute(sa.select(Person).where(Person.email == demo_email(*first_and_last))).scalar_one()


def _assembly(tenant: Tenant, key: str) -> Assembly:
    return db.session.execute(
        sa.select(Assembly).where(Assembly.tenant_id == tenant.id, Assembly.key == key)
    ).scalar_one()


def _held_already(assembly: Assembly) -> bool:
    return (
        db.session.execute(
            sa.select(Sitting.id).where(Sitting.assembly_id == assembly.id, Sitting.starts_at < utcnow())
        ).first()
        is not None
    )


def _convened_sitting(tenant: Tenant, assembly: Assembly, place: str) -> tuple[Sitting, datetime]:
    zone = ZoneInfo(tenant.timezone)
    day = (utcnow() - timedelta(days=DAYS_AGO)).astimezone(zone).date()
    starts_at = datetime.combine(day, time(18, 0), zone)
    prepared = starts_at - timedelta(days=14)
    sitting = sittings.create_sitting(tenant, assembly, starts_at=starts_at, place=place, actor=None, now=prepared)
    return sitting, starts_at


def _roll_call(sitting: Sitting, absent: int, represented: int, actor: Person) -> list[Person]:
    """Everyone present but the last ``absent`` members by name, of whom the first ``represented`` gave a proxy
    to a colleague present; the members present, in order."""
    members = sittings.colleagues(sitting)
    here, away = members[: len(members) - absent], members[len(members) - absent :]
    changes = [SeatChange(person.id, SeatStatus.PRESENT) for person in here]
    for index, person in enumerate(away):
        if index < represented:
            changes.append(SeatChange(person.id, SeatStatus.REPRESENTED, proxy_holder_id=here[index].id))
        else:
            changes.append(SeatChange(person.id, SeatStatus.ABSENT))
    roll_call.confirm_roll_call(sitting, changes, actor=actor)
    return here


def _seed_city(city: Tenant) -> None:
    assembly = _assembly(city, "conseil-municipal")
    if _held_already(assembly):
        return
    mayor, secretary, secretariat = _person(MAYOR), _person(SECRETARY_OF_SITTING), _person(SECRETARIAT)
    sitting, starts_at = _convened_sitting(city, assembly, "Hôtel de Ville, salle du Conseil")
    service, drafter = circuits.seed_circuit(city)
    from saas.demo.sittings import REPORT_44, _documents, _rapporteur

    rapporteur = _rapporteur(assembly)
    fields = reports.ReportFields(
        title=REPORT_44_TITLE, subject_code="1.1", assembly=assembly, sitting=sitting, rapporteur=rapporteur
    )
    report = reports.create_report(drafter, service, fields)
    _documents(city, 44, REPORT_44_TITLE, rapporteur, REPORT_44)(report)
    circuits.submit_and_complete(report, drafter)
    reports.place_on_agenda(report, sitting, actor=None)
    send_convocations(sitting, None, at=starts_at - timedelta(days=12))

    year = sitting.starts_at.astimezone(ZoneInfo(city.timezone)).year
    acts.continue_numbering(city.id, year, CITY_ACTS_BEFORE)

    roll_call.open_sitting(sitting, secretary=secretary, actor=mayor, now=starts_at + timedelta(minutes=5))
    here = _roll_call(sitting, absent=3, represented=2, actor=secretariat)
    [item] = sittings.active_items(sitting)
    votes.set_current_item(sitting, item, actor=secretariat)
    voters = len(here) + 2
    votes.enter_totals(item, votes_for=voters, votes_against=0, abstentions=0, actor=secretariat)
    votes.close_sitting(sitting, actor=mayor, now=starts_at + timedelta(minutes=50))
    minutes.save_debate(sitting, item, DEBATE_44, actor=secretary)
    minutes.mark_ready(sitting, actor=secretary)


def _seed_agglomeration(agglomeration: Tenant) -> None:
    assembly = _assembly(agglomeration, "conseil-communautaire")
    if _held_already(assembly):
        return
    sitting, starts_at = _convened_sitting(agglomeration, assembly, "Siège de la Communauté d'Agglomération")
    chair = next(
        person
        for person in sittings.colleagues(sitting)
        if sittings.current_mandate(person.id, sitting, (MandateRole.PRESIDENT,)) is not None
    )
    for title, code in (
        ("Tarifs du réseau de transports urbains 2027", "7.2"),
        ("Schéma directeur des pistes cyclables", "8.4"),
    ):
        sittings.add_item(sitting, title=title, subject_code=code, actor=None)
    send_convocations(sitting, None, at=starts_at - timedelta(days=12))
    roll_call.open_sitting(sitting, secretary=sittings.colleagues(sitting)[0], actor=chair, now=starts_at)
    here = _roll_call(sitting, absent=1, represented=0, actor=chair)
    first, second = sittings.active_items(sitting)
    votes.set_current_item(sitting, first, actor=chair)
    for person in here[: len(here) // 2]:
        votes.request_ballot(first, person, BallotType.NAMED, actor=chair)
    choices = {person.id: "for" for person in here}
    choices[here[-1].id] = "against"
    choices[here[-2].id] = "against"
    choices[here[-3].id] = "abstention"
    votes.enter_named_votes(first, choices, actor=chair)
    # more than half of the members leave before the second item: the quorum is lost (L5211-1, L2121-17)
    for person in here[1:]:
        if person.id != chair.id:
            roll_call.record_departure(sitting, person, actor=chair)
    votes.set_current_item(sitting, second, actor=chair)
    votes.postpone_for_lack_of_quorum(second, actor=chair)
    votes.close_sitting(sitting, actor=chair, now=starts_at + timedelta(minutes=40))


def seed_held(tenants: dict[str, Tenant]) -> None:
    """Hold the demo sittings of the past. Runs in the SYSTEM context; no commit (the acts' PDFs are generated
    by the jobs the commit releases)."""
    _seed_city(tenants["besancon"])
    _seed_agglomeration(tenants["grand-besancon"])


def sign_held_acts(tenants: dict[str, Tenant]) -> None:
    """Put deliberation 44 to signature through the City's circuit for acts and sign it as the Mayor, then as
    the secretary of the sitting, each with a fresh code. After the commit that generated its PDF."""
    city = tenants["besancon"]
    act = db.session.execute(
        sa.select(Deliberation).where(Deliberation.tenant_id == city.id, Deliberation.title == REPORT_44_TITLE)
    ).scalar_one_or_none()
    if act is None or act.document_version_id is None or acts.signature_state(act) != "not_started":
        return
    mayor, secretary, secretariat = _person(MAYOR), _person(SECRETARY_OF_SITTING), _person(SECRETARIAT)
    acts.start_signing(act, secretariat)
    for signer in (mayor, secretary):
        ensure_totp(signer)
        db.session.flush()
        [entry] = [entry for entry in book.book_for(signer) if entry.title.endswith(REPORT_44_TITLE)]
        book.sign(db.session.get(SignatureRequest, entry.request_id), signer, fresh_code(signer, wait=True))


def publish_held_acts(tenants: dict[str, Tenant]) -> None:
    """The City's secretariat puts deliberation 44 (signed), the sitting's list of deliberations and its minutes
    (when signed) on the City's public portal. Publishing twice gives the same publications."""
    city = tenants["besancon"]
    act = db.session.execute(
        sa.select(Deliberation).where(Deliberation.tenant_id == city.id, Deliberation.title == REPORT_44_TITLE)
    ).scalar_one_or_none()
    if act is None or not acts.signed_completely(act):
        return
    secretariat = _person(SECRETARIAT)
    portal.publish_deliberation(act, actor=secretariat, personal_data_checked=True)
    for listing in minutes.lists_of(act.sitting)[:1]:
        portal.publish_list(listing, actor=secretariat, personal_data_checked=True)
    held = minutes.minutes_of(act.sitting)
    if held is not None and held.status == MinutesStatus.SIGNED:
        portal.publish_minutes(held, actor=secretariat, personal_data_checked=True)
