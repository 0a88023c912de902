"""Demo signature book: deliberations of the City awaiting the Mayor's signature, then the secretary of the
sitting's, one awaiting the secretary only, and one signed by both.

The signers sign for real: the demo TOTP key is enrolled for them (they are asked for it at login too) and
each signature goes through the signature book with a fresh code, so the files carry real PAdES B-T
signatures of the City's embedded PKI. Idempotent: a deliberation already in the book is left alone.
"""

import io
import time

import pyotp
import sqlalchemy as sa

from saas.core.extensions import db
from saas.core.printing import render_pdf
from saas.demo.people import DEMO_TOTP_KEY, demo_email
from saas.identity import authentication
from saas.identity.models import Person
from saas.signing.book import operations as book
from saas.signing.book.models import SignatureRequest
from saas.tenancy.models import Tenant

MAYOR = ("Hélène", "Marchand")
#: the member the council designated secretary of the sitting (L2121-15 CGCT)
SECRETARY_OF_SITTING = ("Julien", "Garnier")
#: the City's secretariat, who puts the deliberations in the book
SECRETARIAT = ("Karine", "Prost")
SITTING = "séance du conseil municipal du 12 novembre 2026"

#: (number, title, paragraphs of the decision, signed by: 0 nobody, 1 the Mayor, 2 both)
DELIBERATIONS = [
    (
        41,
        "Approbation du procès-verbal de la séance du 24 septembre 2026",
        ["Le procès-verbal de la séance du 24 septembre 2026 est approuvé.", "Adopté à l'unanimité."],
        2,
    ),
    (
        42,
        "Tarifs des équipements sportifs pour la saison 2026-2027",
        ["Les tarifs annexés à la présente délibération sont fixés à compter du 1er janvier 2027.", "Adopté."],
        1,
    ),
    (
        43,
        "Subvention au centre communal d'action sociale",
        ["Une subvention de 1 250 000 € est attribuée au CCAS pour l'exercice 2027.", "Adopté à l'unanimité."],
        0,
    ),
]


def deliberation_pdf(collectivity: str, number: int, title: str, paragraphs: list[str]) -> bytes:
    """A one-page deliberation (extract of the register) with room at the bottom for the signatures."""
    return render_pdf(
        "report.html",
        collectivity=collectivity,
        kind="Délibération",
        number=number,
        rapporteur=None,
        title=title,
        paragraphs=[
            f"Extrait du registre des délibérations, {SITTING}.",
            "Le Conseil municipal, après en avoir délibéré :",
            *paragraphs,
        ],
    )


def _person(first_and_last: tuple[str, str]) -> Person:

    return db.session.execute(sa.select(Person).where(Person.email == demo_email(*first_and_last))).scalar_one()


def fresh_code(person: Person, wait: bool = False) -> str:
    """The first code after the person's last accepted one (codes are single-use); with ``wait``, waits for the
    next 30-second step when the codes around now are used (a signer who signs a third time in the demo)."""

    totp = pyotp.TOTP(DEMO_TOTP_KEY)
    for _ in range(3 if wait else 1):
        now_step = int(time.time()) // 30
        for step in (now_step - 1, now_step, now_step + 1):
            if person.totp_last_step is None or step > person.totp_last_step:
                return totp.at(step * 30)
        if wait:
            time.sleep(30 - time.time() % 30 + 0.5)
    raise RuntimeError("no fresh demo TOTP code yet: run the demo again in a minute")


def ensure_totp(person: Person) -> None:
    """Enrol the demo key with the previous step's code, leaving the next two codes for signing."""

    if person.has_totp:
        return
    totp = pyotp.TOTP(DEMO_TOTP_KEY)
    for seconds_ago in (30, 0):  # the second try covers a step boundary crossed meanwhile
        if authentication.enroll_totp(person, DEMO_TOTP_KEY, totp.at(time.time() - seconds_ago)):
            return
    raise RuntimeError("the demo TOTP key could not be enrolled")


def seed_signing(tenants: dict[str, Tenant]) -> None:
    """Put the City's deliberations in the signature book once. Runs in the SYSTEM context; no commit."""
    city = tenants["besancon"]
    mayor, secretary, secretariat = _person(MAYOR), _person(SECRETARY_OF_SITTING), _person(SECRETARIAT)
    for signer in (mayor, secretary):
        ensure_totp(signer)
    signers = [book.Signer(mayor, "Maire, présidente de séance"), book.Signer(secretary, "Secrétaire de séance")]
    for number, title, paragraphs, signed_by in DELIBERATIONS:
        full_title = f"Délibération n° {number} – {title}"
        exists = db.session.execute(
            sa.select(SignatureRequest.id).where(
                SignatureRequest.tenant_id == city.id, SignatureRequest.title == full_title
            )
        ).first()
        if exists:
            continue
        pdf = io.BytesIO(deliberation_pdf(city.name, number, title, paragraphs))
        request = book.request_signatures(
            city, title=full_title, signers=signers, actor=secretariat, upload=(pdf, f"deliberation-{number}.pdf")
        )
        for signer in (mayor, secretary)[:signed_by]:
            book.sign(request, signer, fresh_code(signer))
