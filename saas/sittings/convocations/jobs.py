"""Background work of convocations: render each person's PDF, queue their one mail, record its delivery.

Each job may run twice or be killed halfway: the convocation row is locked while it works, the mail has
a unique key (sitting × person × channel) and everything is written in the job's single commit, so a
retry either finds the mail queued and stops, or starts again from nothing.
"""

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
import sqlalchemy as sa
from flask import current_app

from saas.core import display
from saas.core.extensions import db
from saas.core.printing import html_to_pdf, render_html
from saas.jobs.queues import job
from saas.mail.models import OutboundMail
from saas.mail.operations import find_mail, queue_mail
from saas.mail.purposes import after_delivery
from saas.sittings.attendance.link import attendance_url
from saas.sittings.convocations.models import Convocation, ConvocationKind
from saas.sittings.convocations.operations import mail_key
from saas.sittings.operations import active_items
from saas.sittings.presentation import french_datetime, sitting_link
from saas.sittings.proof import operations as proof
from saas.storage.models import Blob
from saas.storage.operations import store
from saas.tenancy.legal_rules import tenant_rules

TITLES = {ConvocationKind.CONVOCATION: "Convocation", ConvocationKind.INVITATION: "Invitation"}
#: the calendar entry's length: the law gives none; three hours is what councils usually take
SITTING_LENGTH = timedelta(hours=3)


def convocation_html(convocation: Convocation) -> str:
    """The convocation (or invitation) of one person, as the HTML that becomes its PDF."""
    sitting = convocation.sitting
    return render_html(
        "convocation.html",
        title=TITLES[convocation.kind],
        invitation=convocation.kind == ConvocationKind.INVITATION,
        tenant=sitting.tenant,
        assembly=sitting.assembly,
        person=convocation.person,
        sitting=sitting,
        when=french_datetime(sitting.tenant, sitting.starts_at),
        items=active_items(sitting),
        link=sitting_link(sitting),
        article=tenant_rules(sitting.tenant).notice_article,
        issued=display.format_date(convocation.created_at, "full", sitting.tenant, locale=display.DOCUMENT_LOCALE),
    )


def render_convocation(convocation: Convocation) -> bytes:
    """The PDF/A-3b convocation (or invitation) of one person."""
    return html_to_pdf(convocation_html(convocation))


def calendar_invitation(convocation: Convocation) -> bytes:
    """An iCalendar REQUEST (RFC 5546) so the sitting lands in the person's calendar; one UID per sitting,
    so a later update replaces the entry instead of adding one."""
    sitting = convocation.sitting
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Quorum//Convocations//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = icalendar.Event()
    event.add("uid", f"sitting-{sitting.id}@quorum")
    event.add("dtstamp", convocation.created_at)
    event.add("dtstart", sitting.starts_at)
    event.add("dtend", sitting.starts_at + SITTING_LENGTH)
    event.add("summary", f"{sitting.assembly.name} — {sitting.tenant.name}")
    event.add("location", sitting.place)
    event.add("description", sitting_link(sitting))
    organizer = icalendar.vCalAddress(f"mailto:{current_app.config['MAIL_FROM']}")
    organizer.params["cn"] = sitting.tenant.name
    event.add("organizer", organizer)
    attendee = icalendar.vCalAddress(f"mailto:{convocation.person.email}")
    attendee.params["cn"] = convocation.person.full_name
    required = convocation.kind == ConvocationKind.CONVOCATION
    attendee.params["role"] = "REQ-PARTICIPANT" if required else "OPT-PARTICIPANT"
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()


def mail_body(convocation: Convocation) -> str:
    sitting, person = convocation.sitting, convocation.person
    verb = "êtes convoqué(e)" if convocation.kind == ConvocationKind.CONVOCATION else "êtes invité(e)"
    lines = [
        f"Bonjour {person.full_name},",
        "",
        f"Vous {verb} à la séance de l'assemblée « {sitting.assembly.name} » ({sitting.tenant.name}) "
        f"du {french_datetime(sitting.tenant, sitting.starts_at)}, {sitting.place}.",
    ]
    if sitting.urgency:
        lines += ["", f"Séance convoquée en urgence : {sitting.urgency_reason}"]
    lines += [
        "",
        f"La {TITLES[convocation.kind].lower()} est jointe (PDF), avec l'invitation pour votre agenda.",
        f"L'ordre du jour et les documents : {sitting_link(sitting)}",
        "",
        "Indiquez votre présence, votre participation à distance, votre absence ou votre procuration, "
        "sans vous connecter, jusqu'à l'ouverture de la séance :",
        attendance_url(sitting, convocation.person_id),
    ]
    return "\n".join(lines) + "\n"


@job(queue="mail", timeout=300)
def prepare_convocation(convocation_id: int) -> None:
    """Render the PDF, store it, queue the person's one mail with the PDF and the .ics attached."""
    convocation = db.session.execute(
        sa.select(Convocation).where(Convocation.id == convocation_id).with_for_update()
    ).scalar_one_or_none()
    if convocation is None:
        return
    key = mail_key(convocation.sitting_id, convocation.person_id)
    if find_mail(key) is not None:
        return
    sitting = convocation.sitting
    if convocation.pdf_blob_id is None:
        convocation.pdf_blob_id = store(sitting.tenant_id, io.BytesIO(render_convocation(convocation))).id
    pdf = db.session.get(Blob, convocation.pdf_blob_id)
    ics = store(sitting.tenant_id, io.BytesIO(calendar_invitation(convocation)))
    day = sitting.starts_at.astimezone(ZoneInfo(sitting.tenant.timezone))
    title = TITLES[convocation.kind]
    shown_day = display.format_date(day, tenant=sitting.tenant, locale=display.DOCUMENT_LOCALE)
    queue_mail(
        key,
        to=convocation.person.email,
        subject=f"{title} — {sitting.assembly.name} du {shown_day} — {sitting.tenant.name}",
        body=mail_body(convocation),
        tenant_id=sitting.tenant_id,
        attachments=[
            (f"{title.lower()}-{day:%Y-%m-%d}.pdf", "application/pdf", pdf),
            ("seance.ics", "text/calendar; method=REQUEST", ics),
        ],
        purpose="convocation",
        ref={"sitting_id": sitting.id, "person_id": convocation.person_id},
    )


@after_delivery("convocation")
@job(queue="mail", timeout=120)
def record_convocation_delivery(mail_id: int) -> None:
    """The mail server (or outbox) accepted the convocation: record it as time-stamped proof (idempotent)."""
    mail = db.session.get(OutboundMail, mail_id)
    if mail is None or mail.sent_at is None or not mail.ref:
        return
    proof.record_delivery(mail.ref["sitting_id"], mail.ref["person_id"], "email", mail.sent_at)
