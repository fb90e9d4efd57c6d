"""The Telegram channel: webhook or long polling in, aiogram's Bot API client out."""

from bots.telegram.channel import LIMITS, TelegramChannel, make_bot, render
from bots.telegram.polling import Poller
from bots.telegram.receiver import Receiver
from bots.telegram.updates import ALLOWED_UPDATES, CHANNEL, BadUpdate, parse_update
from bots.telegram.webhook import SECRET_HEADER, TelegramWebhook

__all__ = [
    "ALLOWED_UPDATES",
    "CHANNEL",
    "LIMITS",
    "SECRET_HEADER",
    "BadUpdate",
    "Poller",
    "Receiver",
    "TelegramChannel",
    "TelegramWebhook",
    "make_bot",
    "parse_update",
    "render",
]
