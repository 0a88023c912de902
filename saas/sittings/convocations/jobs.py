"""Background work of convocations: render each person's PDF, queue their one mail, record its delivery;
and the same for each notice sent after the convocation (new convocation, supplement, cancellation).

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
from saas.sittings.convocations.models import NOTICE_TITLES, Convocation, ConvocationKind, NoticeKind, SittingNotice
from saas.sittings.convocations.operations import (
    NOTICE_PURPOSE,
    NOTICE_TYPES,
    mail_key,
    notice_delivery_channel,
    notice_mail_key,
)
from saas.sittings.operations import active_items
from saas.sittings.presentation import french_datetime, sitting_link
from saas.sittings.proof import operations as proof
from saas.storage.models import Blob
from saas.storage.operations import store
from saas.tenancy.legal_rules import tenant_rules

TITLES = {ConvocationKind.CONVOCATION: "Convocation", ConvocationKind.INVITATION: "Invitation"}
#: the calendar entry's length: the law gives none; three hours is what councils usually take
SITTING_LENGTH = timedelta(hours=3)


def _reconvened(sitting) -> dict | None:
    """What the convocation of a sitting reconvened after a failed quorum says of it, from the rules."""
    failed = sitting.reconvened_from
    if failed is None:
        return None
    rules = tenant_rules(sitting.tenant)
    return {
        "failed_when": display.format_date(failed.starts_at, "full", sitting.tenant, locale=display.DOCUMENT_LOCALE),
        "wording": rules.quorum_failed_wording,
        "article": rules.quorum_article,
    }


def _notice_part(notice: SittingNotice | None) -> dict | None:
    if notice is None:
        return None
    tenant = notice.sitting.tenant
    return {
        "kind": notice.kind.value,
        "number": notice.number,
        "reason": notice.reason,
        "postponed": notice.postponed,
        "previous_when": french_datetime(tenant, notice.previous_starts_at),
        "previous_place": notice.previous_place,
        "item": notice.agenda_item,
    }


def notice_title(notice: SittingNotice) -> str:
    if notice.kind == NoticeKind.NEW_CONVOCATION and notice.postponed:
        return "Report de la séance"
    return NOTICE_TITLES[notice.kind]


def convocation_html(convocation: Convocation, notice: SittingNotice | None = None) -> str:
    """The convocation (or invitation) of one person, as the HTML that becomes its PDF; with ``notice``, the
    new convocation or the convocation complémentaire that notice sends, dated of its sending."""
    sitting = convocation.sitting
    title = TITLES[convocation.kind]
    if notice is not None:
        title = notice_title(notice) if convocation.kind == ConvocationKind.CONVOCATION else f"{title} (mise à jour)"
    issued_at = notice.sent_at if notice is not None else convocation.created_at
    return render_html(
        "convocation.html",
        title=title,
        invitation=convocation.kind == ConvocationKind.INVITATION,
        tenant=sitting.tenant,
        assembly=sitting.assembly,
        person=convocation.person,
        sitting=sitting,
        when=french_datetime(sitting.tenant, sitting.starts_at),
        items=active_items(sitting),
        link=sitting_link(sitting),
        article=tenant_rules(sitting.tenant).notice_article,
        issued=display.format_date(issued_at, "full", sitting.tenant, locale=display.DOCUMENT_LOCALE),
        notice=_notice_part(notice),
        reconvened=_reconvened(sitting),
    )


def render_convocation(convocation: Convocation, notice: SittingNotice | None = None) -> bytes:
    """The PDF/A-3b convocation (or invitation) of one person, or the one a notice sends."""
    return html_to_pdf(convocation_html(convocation, notice))


def calendar_invitation(convocation: Convocation, sequence: int = 0, cancel: bool = False) -> bytes:
    """An iCalendar REQUEST (RFC 5546) so the sitting lands in the person's calendar; one UID per sitting,
    so a later update (``sequence``: the notice's number) replaces the entry instead of adding one, and a
    cancellation (METHOD:CANCEL) removes it."""
    sitting = convocation.sitting
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Quorum//Convocations//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = icalendar.Event()
    event.add("uid", f"sitting-{sitting.id}@quorum")
    event.add("sequence", sequence)
    if cancel:
        event.add("status", "CANCELLED")
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
    reconvened = _reconvened(sitting)
    if reconvened is not None:
        lines += ["", _reconvened_sentence(reconvened)]
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


def _reconvened_sentence(reconvened: dict) -> str:
    return (
        f"Le quorum n'ayant pas été atteint à la séance du {reconvened['failed_when']}, l'assemblée est à nouveau "
        f"convoquée : {reconvened['wording']} (article {reconvened['article']} du CGCT)."
    )


def notice_subject(notice: SittingNotice) -> str:
    sitting = notice.sitting
    day = display.format_date(sitting.starts_at, "full", sitting.tenant, locale=display.DOCUMENT_LOCALE)
    if notice.kind == NoticeKind.CANCELLATION:
        return f"Annulation — {sitting.assembly.name} du {day} — {sitting.tenant.name}"[:300]
    if notice.postponed:
        return f"Report — {sitting.assembly.name} reportée au {day} — {sitting.tenant.name}"[:300]
    return f"{NOTICE_TITLES[notice.kind]} — {sitting.assembly.name} du {day} — {sitting.tenant.name}"[:300]


def notice_body(notice: SittingNotice, convocation: Convocation) -> str:
    """The mail of one person about a notice; a closed-session item is not named (as in the convocation)."""
    sitting, person = notice.sitting, convocation.person
    part = _notice_part(notice)
    where = f"« {sitting.assembly.name} » ({sitting.tenant.name})"
    lines = [f"Bonjour {person.full_name},", ""]
    if notice.kind == NoticeKind.CANCELLATION:
        lines += [
            f"La séance de l'assemblée {where} prévue le {part['previous_when']}, {part['previous_place']}, "
            "est annulée.",
            "",
            f"Motif : {notice.reason}",
            "",
            "Vous n'avez pas à vous y rendre. Les points de son ordre du jour seront inscrits à une prochaine séance.",
        ]
        return "\n".join(lines) + "\n"
    if notice.kind == NoticeKind.NEW_CONVOCATION:
        verb = "est reportée" if notice.postponed else "est déplacée"
        lines += [
            f"La séance de l'assemblée {where} prévue le {part['previous_when']}, {part['previous_place']}, {verb} :",
            f"elle se tiendra le {french_datetime(sitting.tenant, sitting.starts_at)}, {sitting.place}.",
            "",
            f"Motif : {notice.reason}",
            "",
            "La nouvelle convocation est jointe (PDF) ; elle annule et remplace la précédente. L'invitation jointe "
            "met votre agenda à jour.",
        ]
    else:
        item = notice.agenda_item
        what = "un point examiné à huis clos" if item.confidential else f"« {item.title} »"
        lines += [
            f"L'ordre du jour de la séance de l'assemblée {where} du "
            f"{french_datetime(sitting.tenant, sitting.starts_at)}, {sitting.place}, est complété :",
            f"point n° {item.position}, {what}.",
            "",
            "La convocation complémentaire est jointe (PDF).",
        ]
    reconvened = _reconvened(sitting)
    if reconvened is not None:
        lines += ["", _reconvened_sentence(reconvened)]
    lines += [
        f"L'ordre du jour et les documents : {sitting_link(sitting)}",
        "",
        "Votre réponse (présence, absence, procuration) reste valable ; vous pouvez la changer :",
        attendance_url(sitting, convocation.person_id),
    ]
    return "\n".join(lines) + "\n"


@job(queue="mail", timeout=300)
def prepare_notice(notice_id: int, person_id: int) -> None:
    """Queue the person's one mail about a notice: the new PDF (new convocation, supplement) and the calendar
    update, or the cancellation; the convocation row is locked while it works, the mail key makes a second
    run add nothing."""
    notice = db.session.get(SittingNotice, notice_id)
    if notice is None:
        return
    convocation = db.session.execute(
        sa.select(Convocation)
        .where(Convocation.sitting_id == notice.sitting_id, Convocation.person_id == person_id)
        .with_for_update()
    ).scalar_one_or_none()
    key = notice_mail_key(notice_id, person_id)
    if convocation is None or find_mail(key) is not None:
        return
    sitting = notice.sitting
    day = sitting.starts_at.astimezone(ZoneInfo(sitting.tenant.timezone))
    cancel = notice.kind == NoticeKind.CANCELLATION
    ics = store(sitting.tenant_id, io.BytesIO(calendar_invitation(convocation, sequence=notice.number, cancel=cancel)))
    attachments = [("seance.ics", f"text/calendar; method={'CANCEL' if cancel else 'REQUEST'}", ics)]
    if not cancel:
        pdf = store(sitting.tenant_id, io.BytesIO(render_convocation(convocation, notice)))
        name = "convocation-complementaire" if notice.kind == NoticeKind.SUPPLEMENT else "nouvelle-convocation"
        attachments.insert(0, (f"{name}-{day:%Y-%m-%d}.pdf", "application/pdf", pdf))
    queue_mail(
        key,
        to=convocation.person.email,
        subject=notice_subject(notice),
        body=notice_body(notice, convocation),
        tenant_id=sitting.tenant_id,
        attachments=attachments,
        purpose=NOTICE_PURPOSE,
        ref={"sitting_id": sitting.id, "person_id": person_id, "notice_id": notice_id},
    )


@after_delivery(NOTICE_PURPOSE)
@job(queue="mail", timeout=120)
def record_notice_delivery(mail_id: int) -> None:
    """The mail server (or outbox) accepted a notice's mail: record it as time-stamped proof (idempotent)."""
    mail = db.session.get(OutboundMail, mail_id)
    if mail is None or mail.sent_at is None or not mail.ref:
        return
    notice = db.session.get(SittingNotice, mail.ref["notice_id"])
    about = {"type": "avis", "avis": proof.notice_channel(notice.id), "nature": NOTICE_TYPES[notice.kind]}
    proof.record_delivery(
        mail.ref["sitting_id"], mail.ref["person_id"], notice_delivery_channel(notice.id), mail.sent_at, about=about
    )
