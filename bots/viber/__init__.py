"""The Viber channel: signed callbacks in (parsed by viberbot), send_message out through aiohttp."""

from bots.viber.api import AUTH_HEADER, DEFAULT_API_BASE, ViberApi, ViberApiError
from bots.viber.callbacks import CHANNEL, BadCallback, Callback, parse_callback
from bots.viber.channel import LIMITS, Sender, ViberChannel, render, send_error
from bots.viber.webhook import SIGNATURE_HEADER, ViberReceiver, ViberWebhook, signature
from bots.viber.welcome import WelcomeConfig, welcome_reply

# Callbacks the webhook asks for (`message` always comes).
EVENT_TYPES = ("delivered", "seen", "failed", "subscribed", "unsubscribed", "conversation_started")

__all__ = [
    "AUTH_HEADER",
    "CHANNEL",
    "DEFAULT_API_BASE",
    "EVENT_TYPES",
    "LIMITS",
    "SIGNATURE_HEADER",
    "BadCallback",
    "Callback",
    "Sender",
    "ViberApi",
    "ViberApiError",
    "ViberChannel",
    "ViberReceiver",
    "ViberWebhook",
    "WelcomeConfig",
    "parse_callback",
    "render",
    "send_error",
    "signature",
    "welcome_reply",
]
