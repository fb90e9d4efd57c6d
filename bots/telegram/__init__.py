"""The Telegram channel: webhook or long polling in, aiogram's Bot API client out.

The names below are imported on first use (PEP 562): finding the plug-in (plugin.py) must not
import aiogram, which takes most of a second.
"""

from __future__ import annotations

from bots.lazy import exports

_WHERE = {
    "LIMITS": "channel",
    "TelegramChannel": "channel",
    "make_bot": "channel",
    "render": "channel",
    "Poller": "polling",
    "Receiver": "receiver",
    "ALLOWED_UPDATES": "updates",
    "CHANNEL": "updates",
    "BadUpdate": "updates",
    "parse_update": "updates",
    "SECRET_HEADER": "webhook",
    "TelegramWebhook": "webhook",
}

__all__ = sorted(_WHERE)
__getattr__ = exports(__name__, _WHERE)
