"""Helpers of the signature book tests: the City as a fixture builds it, fresh second-factor codes, requests."""

import time
from dataclasses import dataclass

import pyotp

from saas.core.database import TenantContext, context
from saas.identity import authentication
from saas.identity.models import Person
from saas.signing.book import operations as book
from saas.signing.book.models import SignatureRequest

TOTP_KEY = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enrol(person: Person) -> Person:
    """The test TOTP key as the person's second factor, enrolled with the previous step's code."""
    assert authentication.enroll_totp(person, TOTP_KEY, pyotp.TOTP(TOTP_KEY).at(time.time() - 30))
    return person


def fresh_code(person: Person) -> str:
    """A code the person has not used yet. Each code serves once; when the ±1 step window is used up, the
    last accepted step is moved back, exactly as if the signer had waited for the next code."""
    totp = pyotp.TOTP(TOTP_KEY)
    now_step = int(time.time()) // 30
    if person.totp_last_step is not None and person.totp_last_step >= now_step + 1:
        person.totp_last_step = now_step - 2
    step = max(now_step - 1, (person.totp_last_step or now_step - 2) + 1)
    return totp.at(step * 30)


@dataclass
class City:
    tenant: object
    sitting: object
    version: object
    mayor: Person
    secretary: Person
    secretariat: Person
    member: Person

    def signers(self):
        return [
            book.Signer(self.mayor, "Maire, président de séance"),
            book.Signer(self.secretary, "Secrétaire de séance"),
        ]


def new_request(session, city: City, title="Délibération n° 44", signers=None) -> SignatureRequest:
    with context(session, TenantContext(tenant_id=city.tenant.id, person_id=city.secretariat.id)):
        return book.request_signatures(
            city.tenant,
            title=title,
            signers=signers or city.signers(),
            actor=city.secretariat,
            version=city.version,
        )


FRESH = "fresh"


def sign_as(session, city: City, request: SignatureRequest, person: Person, code: str | None = FRESH):
    """``person`` signs ``request`` as a request of theirs in the City would, with a fresh code by default."""
    with context(session, TenantContext(tenant_id=city.tenant.id, person_id=person.id)):
        return book.sign(request, person, fresh_code(person) if code is FRESH else code)
