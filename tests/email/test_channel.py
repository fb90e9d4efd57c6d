"""The e-mail channel against a real SMTP server: the message as it arrives, AUTH over
STARTTLS, and how the relay's answers are classified for the outbox."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from bots.channel import SendContext, SendError
from bots.email.channel import EmailChannel, MailDeferred
from bots.email.settings import EmailSettings
from dialogs.messages import Attachment, Reply
from energobot.settings import SettingsError, load_settings
from tests.email.smtp import LOGIN, PASSWORD, Server, free_port

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
PDF = b"%PDF-1.4\n% a tiny test file\n%%EOF\n"


def settings(server: Server | None, **kw: object) -> EmailSettings:
    base: dict[str, object] = {
        "enabled": True,
        "host": "127.0.0.1",
        "port": server.port if server else free_port(),
        "starttls": False,
        "from_address": "receipts@energosbyt.example",
        "timeout_seconds": 5,
    }
    base.update(kw)
    return EmailSettings.model_validate(base)


def receipt_mail() -> Reply:
    return Reply(
        "Здравствуйте!\n\nВо вложении квитанция за ноябрь 2026.",
        attachment=Attachment(
            "receipt-2026-11.pdf", "application/pdf", base64.b64encode(PDF).decode()
        ),
        values=(("subject", "Квитанция за ноябрь 2026 — Энергосбыт"),),
        language="ru",
    )


async def test_a_receipt_arrives_as_multipart_with_cyrillic_headers(smtp: Server) -> None:
    channel = EmailChannel(settings(smtp), "Энергосбыт «Пермь»")
    message_id = await channel.send("ivanov@mail.ru", receipt_mail(), SendContext(NOW, None))

    ((sender, rcpt, message),) = smtp.mailbox.received
    assert (sender, rcpt) == ("receipts@energosbyt.example", ["ivanov@mail.ru"])
    assert message_id is not None and message["Message-ID"] == message_id
    assert message_id.endswith("@energosbyt.example>")
    assert message["Subject"] == "Квитанция за ноябрь 2026 — Энергосбыт"
    raw = message.as_bytes()
    assert b"=?utf-8?" in raw.split(b"\n\n", 1)[0].lower()  # the Cyrillic subject is encoded
    assert message["From"].addresses[0].display_name == "Энергосбыт «Пермь»"
    assert message["From"].addresses[0].addr_spec == "receipts@energosbyt.example"
    assert parsedate_to_datetime(message["Date"]) == NOW
    assert message.get_content_type() == "multipart/mixed"
    body = message.get_body(("plain",))
    assert body is not None and "Во вложении квитанция" in body.get_content()
    (attached,) = list(message.iter_attachments())
    assert attached.get_filename() == "receipt-2026-11.pdf"
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_content() == PDF


async def test_auth_over_starttls_with_the_relays_certificate(smtp_tls: Server) -> None:
    channel = EmailChannel(
        settings(
            smtp_tls,
            starttls=True,
            username=LOGIN,
            password=PASSWORD,
            ca_file=str(smtp_tls.cert),
        ),
        "Энергосбыт",
    )
    await channel.send("petrov@yandex.ru", Reply("Код: 123456", values=(("subject", "Код"),)))
    assert smtp_tls.mailbox.logins == [LOGIN]
    assert [m["Subject"] for m in smtp_tls.mailbox.to("petrov@yandex.ru")] == ["Код"]


async def test_an_untrusted_certificate_is_transient_not_sent(smtp_tls: Server) -> None:
    # The system's authorities do not know the test's certificate: nothing goes in clear.
    channel = EmailChannel(
        settings(smtp_tls, starttls=True, username=LOGIN, password=PASSWORD), "Энергосбыт"
    )
    with pytest.raises(MailDeferred):
        await channel.send("petrov@yandex.ru", Reply("Код: 123456"))
    assert smtp_tls.mailbox.received == []


async def test_a_wrong_password_fails_permanently(smtp_tls: Server) -> None:
    channel = EmailChannel(
        settings(
            smtp_tls, starttls=True, username=LOGIN, password="wrong", ca_file=str(smtp_tls.cert)
        ),
        "Энергосбыт",
    )
    with pytest.raises(SendError) as refused:
        await channel.send("petrov@yandex.ru", Reply("Код: 123456"))
    assert refused.value.permanent and refused.value.reason.startswith("535")


async def test_451_is_transient_and_550_permanent(smtp: Server) -> None:
    channel = EmailChannel(settings(smtp), "Энергосбыт")
    smtp.mailbox.rcpt_answers += ["451 4.7.1 Greylisted, try later", "550 5.1.1 No such user"]
    with pytest.raises(MailDeferred, match="451"):
        await channel.send("ivanov@mail.ru", receipt_mail())
    with pytest.raises(SendError) as refused:
        await channel.send("ivanov@mail.ru", receipt_mail())
    assert refused.value.permanent and not refused.value.blocks
    assert "550" in refused.value.reason
    assert smtp.mailbox.received == []
    await channel.send("ivanov@mail.ru", receipt_mail())
    assert len(smtp.mailbox.received) == 1


async def test_a_relay_that_is_not_there_is_transient() -> None:
    channel = EmailChannel(settings(None), "Энергосбыт")  # a free port: connection refused
    with pytest.raises(MailDeferred):
        await channel.send("ivanov@mail.ru", receipt_mail())


def test_settings_say_what_is_wrong() -> None:
    with pytest.raises(ValueError) as wrong:
        EmailSettings.model_validate(
            {"enabled": True, "host": "", "from_address": "receipts@", "use_tls": True}
        )
    text = str(wrong.value)
    assert "email.host is not set" in text
    assert "email.from_address" in text
    assert "starttls and email.use_tls are both true" in text
    assert not EmailSettings().enabled  # off: nothing is required


def test_the_password_is_refused_in_a_config_file(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("email:\n  enabled: false\n  password: hunter2\n", "utf-8")
    with pytest.raises(SettingsError, match="ENERGOBOT_EMAIL__PASSWORD"):
        load_settings(config)
