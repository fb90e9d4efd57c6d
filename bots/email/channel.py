"""Sending one mail through the relay with aiosmtplib, failures classified for the sender: the
relay's 5xx is permanent (the row fails, operators see it); 4xx, timeouts and a relay that cannot
be reached are transient (the outbox backs off and tries again)."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime

import aiosmtplib

from bots.channel import AlwaysOpen, ChannelLimits, Rates, SendContext, SendError
from bots.email.message import compose
from bots.email.settings import ADDRESS, EmailSettings
from dialogs.messages import Reply

NAME = "email"
LIMITS = ChannelLimits(
    text_max=100_000,
    buttons_max=0,
    button_label_max=0,
    payload_max_bytes=0,
    documents=True,
)


class MailDeferred(Exception):
    """The relay said «later» (4xx) or could not be reached: the sender retries with backoff
    (a plain exception, so that outbox.max_attempts bounds the tries)."""


class EmailChannel(AlwaysOpen):
    name = NAME
    limits = LIMITS

    def __init__(self, settings: EmailSettings, company: str) -> None:
        self.settings = settings
        self.sender_name = settings.from_name or company
        self.rates = Rates(per_second=settings.rate_per_second, per_chat_per_second=0)
        self._tls: ssl.SSLContext | None = None
        if settings.ca_file:
            self._tls = ssl.create_default_context(cafile=settings.ca_file)

    async def send(
        self, user_id: str, reply: Reply, context: SendContext | None = None
    ) -> str | None:
        if not ADDRESS.fullmatch(user_id):
            raise SendError(f"not an e-mail address: {user_id!r}", permanent=True)
        s = self.settings
        now = context.now if context is not None else datetime.now(UTC)
        message = compose(reply, user_id, s.from_address, self.sender_name, now)
        try:
            await aiosmtplib.send(
                message,
                sender=s.from_address,
                recipients=[user_id],
                hostname=s.host,
                port=s.port,
                username=s.username or None,
                password=s.password.get_secret_value() or None,
                use_tls=s.use_tls,
                start_tls=s.starttls,
                tls_context=self._tls,
                timeout=s.timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0] if exc.recipients else None
            code = refused.code if refused is not None else 550
            reason = f"{code} {refused.message if refused else 'recipient refused'}"
            raise _classified(code, reason) from None
        except aiosmtplib.SMTPResponseException as exc:
            raise _classified(exc.code, f"{exc.code} {exc.message}") from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            # Connection refused, a timeout, a dropped connection, a TLS handshake that failed.
            raise MailDeferred(f"{type(exc).__name__}: {exc}") from None
        return str(message["Message-ID"])

    async def close(self) -> None:
        """Each mail opens its own connection: nothing is held between sends."""


def _classified(code: int, reason: str) -> Exception:
    if 500 <= code < 600:
        return SendError(reason, permanent=True)
    return MailDeferred(reason)
