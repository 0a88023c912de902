"""Where mail goes: files under instance/outbox (embedded default) or an SMTP server."""

import re
import smtplib
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app

from saas.core.database import utcnow
from saas.core.extensions import db
from saas.mail.models import OutboundMail
from saas.storage.models import Blob
from saas.storage.operations import read_all


def build_message(mail: OutboundMail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(utcnow())
    #: a stable Message-ID lets receiving servers drop the duplicate of a mail sent twice after a crash
    message["Message-ID"] = make_msgid(idstring=re.sub(r"[^A-Za-z0-9.-]", "-", mail.key), domain="quorum")
    message.set_content(mail.body_text)
    for attachment in mail.attachments:
        blob = db.session.get(Blob, attachment.blob_id)
        maintype, _, rest = attachment.content_type.partition("/")
        subtype, *params = [part.strip() for part in rest.split(";")]
        message.add_attachment(
            read_all(blob),
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
            params=dict(param.split("=", 1) for param in params),
        )
    return message


def outbox_dir() -> Path:
    return Path(current_app.instance_path) / "outbox"


def send(mail: OutboundMail) -> None:
    message = build_message(mail)
    if current_app.config["MAIL_BACKEND"] == "smtp":
        config = current_app.config
        with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=30) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls()
            if config["SMTP_USERNAME"]:
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
            smtp.send_message(message)
    elif current_app.config["MAIL_BACKEND"] == "outbox":
        folder = outbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{mail.id:08d}.eml").write_bytes(message.as_bytes())
    else:
        raise ValueError(f"unknown MAIL_BACKEND {current_app.config['MAIL_BACKEND']!r}")
