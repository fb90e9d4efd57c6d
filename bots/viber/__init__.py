"""The Viber channel: signed callbacks in (parsed by viberbot), send_message out through aiohttp.

The names below are imported on first use (PEP 562): finding the plug-in (plugin.py) must not
import viberbot.
"""

from __future__ import annotations

from bots.lazy import exports

_WHERE = {
    "AUTH_HEADER": "api",
    "DEFAULT_API_BASE": "api",
    "ViberApi": "api",
    "ViberApiError": "api",
    "CHANNEL": "callbacks",
    "BadCallback": "callbacks",
    "Callback": "callbacks",
    "parse_callback": "callbacks",
    "LIMITS": "channel",
    "Sender": "channel",
    "ViberChannel": "channel",
    "render": "channel",
    "send_error": "channel",
    "EVENT_TYPES": "plugin",
    "SIGNATURE_HEADER": "webhook",
    "ViberReceiver": "webhook",
    "ViberWebhook": "webhook",
    "signature": "webhook",
    "WelcomeConfig": "welcome",
    "welcome_reply": "welcome",
}

__all__ = sorted(_WHERE)
__getattr__ = exports(__name__, _WHERE)
