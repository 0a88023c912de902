"""Demo data for ``quorum demo``: the four founding collectivities with about sixty people.

Only ``quorum demo`` calls ``seed``; no production command does. Seeding is idempotent: people are
found by e-mail, mandates by (person, assembly, role), grants by ``give_grant`` itself, so running the
command twice adds nothing. Everything goes through the real operations (give_mandate, give_grant,
enroll_totp), so the demo also exercises invitations, the outbox and the audit chains.
"""

import dataclasses
from datetime import date

import pyotp
import sqlalchemy as sa

from saas.core.extensions import db
from saas.demo.circuits import STAFF as STAFF_OF_CIRCUITS
from saas.demo.groupement import seed_purchasing
from saas.demo.held import publish_held_acts, seed_held
from saas.demo.held import sign_held_acts as held_sign
from saas.demo.people import DEMO_PASSWORD, DEMO_TOTP_KEY, demo_email, demo_person, ensure_password
from saas.demo.signing import ensure_totp, seed_signing
from saas.demo.sittings import seed_sittings
from saas.identity import operations
from saas.identity.models import GrantKind, Mandate, MandateRole, Person
from saas.reports import operations as reports
from saas.reports.models import Service
from saas.tenancy.models import Assembly, AssemblyKind, PoliticalGroup, PoliticalGroupKind, Tenant

#: first day of the current mandates, by tenant (the 2020 municipal and 2021 regional/departmental terms)
TERM_START = {
    "besancon": date(2020, 7, 3),
    "grand-besancon": date(2020, 7, 16),
    "region-franche-comte": date(2021, 7, 2),
    "doubs": date(2021, 7, 1),
}

#: elected members, in a fixed order: their index decides their mandates (see ``_elected_mandates``)
# fmt: off
ELECTED = [
    ("Hélène", "Marchand"), ("Julien", "Garnier"), ("Sophie", "Lambert"), ("Nicolas", "Faure"),
    ("Isabelle", "Rousseau"), ("Thomas", "Mercier"), ("Camille", "Bonnet"), ("Antoine", "Girard"),
    ("Nathalie", "Fontaine"), ("Pierre", "Chevalier"), ("Émilie", "Robin"), ("François", "Gauthier"),
    ("Céline", "Perrin"), ("Laurent", "Morel"), ("Aurélie", "Clément"), ("Mathieu", "Guérin"),
    ("Valérie", "Masson"), ("Sébastien", "Dumont"), ("Claire", "Lefèvre"), ("Olivier", "Roussel"),
    ("Sandrine", "Henry"), ("Christophe", "Noël"), ("Manon", "Duval"), ("Vincent", "Blanchard"),
    ("Élodie", "Picard"), ("Guillaume", "Gaillard"), ("Marion", "Brun"), ("Romain", "Arnaud"),
    ("Catherine", "Renaud"), ("Benoît", "Colin"), ("Agnès", "Vidal"), ("Damien", "Caron"),
    ("Laure", "Barbier"), ("Stéphane", "Lemoine"), ("Juliette", "Roche"), ("Fabrice", "Schmitt"),
    ("Pauline", "Meunier"), ("Jérôme", "Leroy"), ("Anne", "Jacquot"), ("Cédric", "Marchal"),
    ("Mélanie", "Besson"), ("Hugo", "Cuenot"), ("Brigitte", "Pernot"), ("Arnaud", "Vuillemin"),
    ("Lucie", "Grosjean"), ("Éric", "Bourgeois"), ("Virginie", "Cartier"), ("Yannick", "Tissot"),
    ("Margaux", "Jeannin"), ("Patrick", "Belot"), ("Chloé", "Mougin"), ("Denis", "Faivre"),
]
# fmt: on

#: staff of each collectivity: (first name, last name) of its tenant admin and of its council's secretary
STAFF = {
    "besancon": (("Claire", "Dubois"), ("Karine", "Prost")),
    "grand-besancon": (("Marc", "Vernier"), ("Sylvie", "Courtet")),
    "region-franche-comte": (("Odile", "Sauvageot"), ("Thierry", "Boillot")),
    "doubs": (("Alain", "Bôle"), ("Nadine", "Cretin")),
}
COORDINATOR = ("Régis", "Coulon")
OPERATOR = ("Opérateur", "Démo")


@dataclasses.dataclass
class DemoLogin:
    """A demo account worth trying, and what it shows."""

    name: str
    email: str
    shows: str
    password: str = DEMO_PASSWORD
    #: base32 TOTP key, for accounts that must use a second factor
    totp_key: str | None = None


def _elected_mandates() -> dict[int, list[tuple[str, str, MandateRole]]]:
    """Index in ELECTED -> [(tenant slug, assembly key, role)]: a fixed, varied spread of seats.

    0 is the Mayor (president of the conseil municipal, also at the Agglomeration); 1, 2 and 4 hold
    seats in three or four collectivities; 1, 3, 5… sit in Commission n° 1.
    """
    seats: dict[int, list[tuple[str, str, MandateRole]]] = {i: [] for i in range(len(ELECTED))}

    def seat(indexes, slug, key, president=None):
        for i in indexes:
            seats[i].append((slug, key, MandateRole.PRESIDENT if i == president else MandateRole.MEMBER))

    seat(range(0, 20), "besancon", "conseil-municipal", president=0)
    seat((1, 3, 5, 7, 9, 11), "besancon", "commission-1", president=9)
    seat([*range(0, 8), *range(20, 28)], "grand-besancon", "conseil-communautaire", president=20)
    seat((0, 2, 20, 21, 22), "grand-besancon", "bureau", president=20)
    seat([1, 2, *range(28, 42)], "region-franche-comte", "conseil-regional", president=28)
    seat((2, 28, 29, 30, 31, 32), "region-franche-comte", "commission-permanente", president=28)
    seat([2, 4, *range(42, 52)], "doubs", "conseil-departemental", president=42)
    seat((42, 43, 44, 45, 46), "doubs", "commission-permanente", president=42)
    return seats


def _ensure_mandate(tenant: Tenant, assembly: Assembly, first_name: str, last_name: str, role: MandateRole, group):
    email = demo_email(first_name, last_name)
    existing = db.session.execute(
        sa.select(Mandate.id)
        .join(Person, Mandate.person_id == Person.id)
        .where(Person.email == email, Mandate.assembly_id == assembly.id, Mandate.role == role)
    ).first()
    if existing is not None:
        return
    request = operations.MandateRequest(
        email=email,
        first_name=first_name,
        last_name=last_name,
        assembly=assembly,
        role=role,
        start_date=TERM_START[tenant.slug],
        political_group=group,
    )
    operations.give_mandate(tenant, request, actor=None)


def _tenants() -> dict[str, Tenant]:
    tenants = {t.slug: t for t in db.session.execute(sa.select(Tenant).where(Tenant.slug.in_(TERM_START))).scalars()}
    missing = set(TERM_START) - set(tenants)
    if missing:
        raise LookupError(f"load tenants/ first: missing {', '.join(sorted(missing))}")
    return tenants


def _ensure_service(tenant: Tenant, name: str, head: Person) -> Service:
    existing = db.session.execute(
        sa.select(Service).where(Service.tenant_id == tenant.id, Service.name == name)
    ).scalar_one_or_none()
    return existing or reports.create_service(tenant, name, head=head, actor=None)


def seed() -> list[DemoLogin]:
    """Create (or find) the demo people, mandates and grants. Runs in the SYSTEM context; no commit."""
    tenants = _tenants()
    assemblies = {
        (a.tenant_id, a.key): a
        for a in db.session.execute(
            sa.select(Assembly).where(Assembly.tenant_id.in_([t.id for t in tenants.values()]))
        ).scalars()
    }
    groups: dict[tuple[int, PoliticalGroupKind], PoliticalGroup] = {}
    for group in db.session.execute(sa.select(PoliticalGroup).order_by(PoliticalGroup.id)).scalars():
        groups.setdefault((group.tenant_id, group.kind), group)

    for index, seats in _elected_mandates().items():
        first_name, last_name = ELECTED[index]
        for slug, key, role in seats:
            tenant = tenants[slug]
            # one in four sits in the opposition; presidents lead the majority
            kind = (
                PoliticalGroupKind.OPPOSITION
                if index % 4 == 3 and role != MandateRole.PRESIDENT
                else PoliticalGroupKind.MAJORITY
            )
            _ensure_mandate(
                tenant,
                assemblies[(tenant.id, key)],
                first_name,
                last_name,
                role,
                groups.get((tenant.id, kind)),
            )
        ensure_password(demo_person(first_name, last_name))

    logins = [
        DemoLogin(
            _name(ELECTED[0]),
            demo_email(*ELECTED[0]),
            "Maire : présidente du conseil municipal, siège aussi à l'Agglomération ; signe les délibérations"
            " et la convention du groupement",
            totp_key=DEMO_TOTP_KEY,
        ),
        DemoLogin(
            _name(ELECTED[28]),
            demo_email(*ELECTED[28]),
            "présidente du Conseil régional : signe la convention du groupement en dernier, après la maire",
            totp_key=DEMO_TOTP_KEY,
        ),
        DemoLogin(
            _name(ELECTED[2]),
            demo_email(*ELECTED[2]),
            "élue dans 4 collectivités (Ville, Agglomération, Région, Département)",
        ),
        DemoLogin(
            _name(ELECTED[1]),
            demo_email(*ELECTED[1]),
            "élu Ville + Agglomération + Région, Commission n° 1 ; secrétaire de séance, signe après la maire",
            totp_key=DEMO_TOTP_KEY,
        ),
        DemoLogin(
            _name(ELECTED[3]),
            demo_email(*ELECTED[3]),
            "conseiller municipal d'opposition, membre de la Commission n° 1",
        ),
    ]
    for slug, (admin_name, secretary_name) in STAFF.items():
        tenant = tenants[slug]
        admin = demo_person(*admin_name)
        operations.give_grant(admin, tenant, GrantKind.TENANT_ADMIN, assembly=None, actor=None)
        council = next(a for a in tenant.assemblies if a.kind == AssemblyKind.COUNCIL)
        secretary = demo_person(*secretary_name)
        operations.give_grant(secretary, tenant, GrantKind.SECRETARY, assembly=council, actor=None)
        # the validation circuits' rights: the admin heads the general directorate and may validate urgently,
        # the secretary drafts reports there
        operations.give_grant(admin, tenant, GrantKind.URGENT_VALIDATOR, assembly=None, actor=None)
        service = _ensure_service(tenant, "Direction générale des services", admin)
        reports.give_drafter_grant(secretary, service, actor=None)
        for person, shows in (
            (admin, f"administration de « {tenant.name} »"),
            (secretary, f"secrétariat de « {council.name} » ({tenant.name})"),
        ):
            ensure_password(person)
            ensure_totp(person)
            logins.append(DemoLogin(person.full_name, person.email, shows, totp_key=DEMO_TOTP_KEY))

    region = tenants["region-franche-comte"]
    coordinator = demo_person(*COORDINATOR, is_coordinator=True)
    _ensure_mandate(
        region,
        next(a for a in region.assemblies if a.kind == AssemblyKind.COUNCIL),
        *COORDINATOR,
        MandateRole.STAFF,
        None,
    )
    operator = demo_person(*OPERATOR, is_operator=True)
    for person, shows in (
        (coordinator, "coordinateur du groupement (Région)"),
        (operator, "opérateur de la plateforme (boîte d'envoi)"),
    ):
        ensure_password(person)
        ensure_totp(person)
        logins.append(DemoLogin(person.full_name, person.email, shows, totp_key=DEMO_TOTP_KEY))
    city = STAFF_OF_CIRCUITS["besancon"]
    for name, shows in (
        (city.drafter, "rédactrice à la Ville (rapport n° 44 et ses suites) : dépose, soumet, resoumet"),
        (city.head, "chef de service à la Ville : premier visa des rapports, « À traiter »"),
    ):
        logins.append(DemoLogin(_name(name), demo_email(*name), shows, totp_key=DEMO_TOTP_KEY))
    db.session.flush()
    seed_held(tenants)
    seed_sittings(tenants)
    seed_signing(tenants)
    seed_purchasing(tenants)
    return logins


def _name(first_and_last: tuple[str, str]) -> str:
    return " ".join(first_and_last)


def describe_logins(logins: list[DemoLogin]) -> str:
    """The table printed by ``quorum demo``: who to log in as, and how."""
    width_name = max(len(login.name) for login in logins)
    width_email = max(len(login.email) for login in logins)
    lines = [
        "Comptes de démonstration (données fictives)",
        f"Mot de passe de tous les comptes : {DEMO_PASSWORD}",
        "",
        f"{'Nom':{width_name}}  {'Identifiant':{width_email}}  Ce que le compte montre",
    ]
    for login in logins:
        mark = "  [TOTP]" if login.totp_key else ""
        lines.append(f"{login.name:{width_name}}  {login.email:{width_email}}  {login.shows}{mark}")
    keys = {login.totp_key for login in logins if login.totp_key}
    for key in sorted(keys):
        lines += [
            "",
            "[TOTP] Second facteur obligatoire. Clé de démonstration (base32), pour une application TOTP :",
            f"  {key}",
            f"  {pyotp.TOTP(key).provisioning_uri(name='demo', issuer_name='Quorum (démo)')}",
            "ou générez le code à 6 chiffres en ligne de commande :",
            f"  .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{key}').now())\"",
        ]
    lines += [
        "",
        "Les invitations envoyées aux élus sont dans la boîte d'envoi (compte opérateur, /operator/outbox).",
    ]
    return "\n".join(lines)


def sign_held_acts() -> None:
    """After the commit that generated the held sittings' acts: their signatures, then their publication on the
    City's portal (saas.demo.held)."""
    tenants = _tenants()
    held_sign(tenants)
    publish_held_acts(tenants)
