"""E-mail as a channel plug-in: the `email:` section, outbound only. A mail is an outbox row of
channel `email` in the customer's own conversation (lane 1, core.notices.Lane.PERSONAL), so a
relay that says «later» is retried by the sender like any send and a refusal fails the row
where operators see it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from bots.channel import Channel
from bots.email.settings import EmailSettings
from bots.plugin import Host, Mounted, Pipeline, Plugin

if TYPE_CHECKING:
    from aiohttp import web


class EmailPlugin(Plugin[EmailSettings]):
    name = "email"
    settings_model = EmailSettings
    secrets: ClassVar[tuple[str, ...]] = ("password",)
    # It carries mail for conversations of the other channels: `energobot chat` runs it too.
    side_channel: ClassVar[bool] = True

    def build(self, settings: EmailSettings, host: Host) -> Channel:
        from bots.email.channel import EmailChannel  # aiosmtplib only when sending

        return EmailChannel(settings, host.company)

    def mount(
        self,
        app: web.Application,
        settings: EmailSettings,
        host: Host,
        channel: Channel,
        pipeline: Pipeline,
    ) -> Mounted:
        return Mounted()  # nothing comes in by mail


PLUGIN = EmailPlugin()
