"""The signed attendance link of a convocation mail: answer without logging in, until the sitting opens.

The token carries the tenant, the sitting and the person, signed with the application's secret key and a
salt of its own (itsdangerous), so it cannot be forged nor reused for another purpose (the set-password
link has another salt). It holds no date: it expires with the rule of the answers themselves — open while
the sitting is convened, closed once it opens (``attendance.answers_open``) — and stops working as soon as
the person no longer sits in the assembly on the sitting's day. It never logs the person in: it reaches
only the answer of that person to that sitting.
"""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from saas.core.database import TenantContext, set_context
from saas.core.extensions import db
from saas.core.urls import external_url
from saas.identity.models import Person
from saas.sittings.attendance.operations import answers_open
from saas.sittings.models import Sitting, SittingStatus
from saas.sittings.operations import current_mandate

SALT = "attendance-link"


class LinkInvalid(Exception):
    """Unknown, altered, or no longer for this person (404, like a missing page)."""


class LinkExpired(Exception):
    """Genuine, but the sitting has opened: answers are closed (410)."""


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def link_token(sitting: Sitting, person_id: int) -> str:
    """The same token every time for the same sitting and person (a mail rendered twice is identical)."""
    return _serializer().dumps({"t": sitting.tenant_id, "s": sitting.id, "p": person_id})


def attendance_url(sitting: Sitting, person_id: int) -> str:
    """Absolute (mails and PDFs are read outside the application); a literal path because jobs build it
    with no request to route from."""
    return external_url(f"/presence/{link_token(sitting, person_id)}")


def resolve(token: str) -> tuple[Sitting, Person]:
    """The sitting and the person the token speaks for, with the request now inside that tenant as that
    person; LinkInvalid or LinkExpired otherwise."""
    try:
        payload = _serializer().loads(token)
        tenant_id, sitting_id, person_id = int(payload["t"]), int(payload["s"]), int(payload["p"])
    except (BadSignature, KeyError, TypeError, ValueError) as error:
        raise LinkInvalid from error
    set_context(db.session, TenantContext(tenant_id=tenant_id, person_id=person_id))
    sitting = db.session.get(Sitting, sitting_id)
    person = db.session.get(Person, person_id)
    if sitting is None or sitting.tenant_id != tenant_id or person is None or not person.is_active:
        raise LinkInvalid
    if sitting.status == SittingStatus.DRAFT or current_mandate(person.id, sitting) is None:
        raise LinkInvalid
    if not answers_open(sitting):
        raise LinkExpired
    return sitting, person
