"""Helpers of the lifecycle tests: a convened council, the notices of a sitting, their mails, and every job of
their sending run once more (in the embedded column they already ran inline: a second run must add nothing)."""

import email
import email.policy
import io
from datetime import timedelta

import pikepdf
import sqlalchemy as sa

from saas.core.database import SYSTEM, commit, context
from saas.identity.models import GrantKind, MandateRole
from saas.jobs.queues import run
from saas.mail.models import MailAttachment, OutboundMail
from saas.sittings.convocations.models import Convocation, SittingNotice
from saas.sittings.convocations.operations import send_convocations
from saas.sittings.operations import add_item
from saas.storage.models import Blob
from saas.storage.operations import read_all
from tests.fixtures.convocations import drain
from tests.fixtures.sittings import MONDAY_15_MARCH_2027

#: in time for the sitting of Monday 15 March 2027 (5 jours francs: by Tuesday 9 March)
ON_TIME = MONDAY_15_MARCH_2027 - timedelta(days=20)


def build_council(create_tenant, create_person, give_mandate, give_grant, create_sitting, in_tenant):
    """A commune of 10 000 inhabitants: 5 members (one president), 1 staff member, a secretary; a sitting of
    Monday 15 March 2027 at 18:00 with 2 items (one in closed session), not convened yet."""
    tenant = create_tenant(name="Ville de Pontarlier", slug="pontarlier")
    members = [create_person(last_name=f"Membre{n}") for n in range(5)]
    for n, person in enumerate(members):
        give_mandate(person, tenant, role=MandateRole.PRESIDENT if n == 0 else MandateRole.MEMBER)
    staff = create_person(last_name="Agent")
    give_mandate(staff, tenant, role=MandateRole.STAFF)
    secretary = create_person(last_name="Secrétaire", email="secretariat@pontarlier.example")
    give_grant(secretary, tenant, GrantKind.SECRETARY, assembly=tenant.assemblies[0])
    sitting = create_sitting(tenant, convene=False, items=1)
    with in_tenant(tenant):
        add_item(sitting, title="Huis clos : acquisition amiable", confidential=True, actor=None)
    return {"tenant": tenant, "members": members, "staff": staff, "secretary": secretary, "sitting": sitting}


def convene_now(session, in_tenant, council, at=ON_TIME):
    with in_tenant(council["tenant"]):
        send_convocations(council["sitting"], None, at=at)
        commit(session)
    drain(session, council["sitting"])  # the first convocation's mails and their proof, in both columns


def notices(session, sitting) -> list[SittingNotice]:
    with context(session, SYSTEM):
        query = sa.select(SittingNotice).where(SittingNotice.sitting_id == sitting.id).order_by(SittingNotice.number)
        return list(session.execute(query).scalars())


def notice_mails(session, notice) -> list[OutboundMail]:
    with context(session, SYSTEM):
        query = sa.select(OutboundMail).where(OutboundMail.key.like(f"notice:{notice.id}:%")).order_by(OutboundMail.id)
        return list(session.execute(query).scalars())


def drain_notices(session, sitting) -> None:
    """Every job of every notice of ``sitting`` once more: the mails, their delivery, its proof."""
    with context(session, SYSTEM):
        people = list(session.execute(sa.select(Convocation.person_id).where(Convocation.sitting_id == sitting.id)))
    for notice in notices(session, sitting):
        for (person_id,) in people:
            run("saas.sittings.convocations.jobs.prepare_notice", sitting.tenant_id, [notice.id, person_id])
        for mail in notice_mails(session, notice):
            run("saas.mail.jobs.deliver_mail", None, [mail.id])
            run("saas.sittings.convocations.jobs.record_notice_delivery", sitting.tenant_id, [mail.id])


def attachment(session, mail, content_type: str) -> bytes | None:
    with context(session, SYSTEM):
        row = session.execute(
            sa.select(MailAttachment).where(
                MailAttachment.mail_id == mail.id, MailAttachment.content_type.startswith(content_type)
            )
        ).scalar_one_or_none()
        return None if row is None else read_all(session.get(Blob, row.blob_id))


def is_pdfa(pdf: bytes) -> bool:
    with pikepdf.open(io.BytesIO(pdf)) as document, document.open_metadata() as xmp:
        return (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("3", "B")


def parsed(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)
