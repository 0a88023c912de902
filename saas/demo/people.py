"""Who the demo people are: their e-mail addresses, their one password and their TOTP key (demo only)."""

import unicodedata

from saas.audit.operations import record
from saas.core.extensions import db
from saas.identity import authentication, operations
from saas.identity.models import Person

EMAIL_DOMAIN = "demo.quorum.localhost"

#: the password of every demo account (documented in the README and printed by ``quorum demo``)
DEMO_PASSWORD = "quorum-demo-2026"


#: the TOTP key of every demo account that must use a second factor (base32, documented, demo only)
DEMO_TOTP_KEY = "QUORUMDEMOTOTPKEYSTAFFONLYABCDEF"


def demo_email(first_name: str, last_name: str) -> str:
    """prenom.nom@demo.quorum.localhost, accents dropped, spaces and apostrophes as dashes."""

    def part(text: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return "-".join(ascii_text.lower().replace("'", " ").split())

    return f"{part(first_name)}.{part(last_name)}@{EMAIL_DOMAIN}"


def demo_person(first_name: str, last_name: str, **flags) -> Person:
    """The demo person with this name, created if missing."""
    email = demo_email(first_name, last_name)
    person = operations.person_by_email(email)
    if person is None:
        person = Person(email=email, first_name=first_name, last_name=last_name, **flags)
        db.session.add(person)
        db.session.flush()
        record("person.created", obj=person, data={"demo": True})
    return person


def ensure_password(person: Person) -> None:
    if not person.password_hash:
        authentication.set_password(person, DEMO_PASSWORD)
