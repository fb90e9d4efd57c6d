"""A reply as a MIME message: the text as text/plain, the attachment (a PDF receipt) beside it,
the subject from the reply's values (the flow renders it from the catalogs), RFC 2047-encoded
headers for Cyrillic names and subjects."""

from __future__ import annotations

import base64
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from dialogs.messages import Reply

SUBJECT = "subject"  # the key of Reply.values that holds the mail's subject


def compose(reply: Reply, to: str, sender: str, sender_name: str, now: datetime) -> EmailMessage:
    """`now` is aware; `sender` and `to` are plain addresses (checked before they get here)."""
    values = dict(reply.values)
    message = EmailMessage(policy=SMTP)
    message["Subject"] = values.get(SUBJECT) or reply.text.split("\n", 1)[0][:120]
    local, _, domain = sender.partition("@")
    message["From"] = Address(display_name=sender_name, username=local, domain=domain)
    message["To"] = to
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=domain)
    if reply.language:
        message["Content-Language"] = reply.language
    message.set_content(reply.text)
    if reply.attachment is not None:
        maintype, _, subtype = reply.attachment.media_type.partition("/")
        message.add_attachment(
            base64.b64decode(reply.attachment.data_b64),
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=reply.attachment.filename,
        )
    return message
