"""The Facebook Messenger channel: Graph webhook in, the Send API out.

The names below are imported on first use (PEP 562): finding the plug-in (plugin.py) must
not import the channel's client.
"""

from __future__ import annotations

from bots.lazy import exports

_WHERE = {
    "LIMITS": "channel",
    "MessengerChannel": "channel",
    "messaging_type": "channel",
    "render": "channel",
    "describe": "profile",
    "install": "profile",
    "profile_body": "profile",
    "remove": "profile",
    "MessengerReceiver": "receiver",
    "DEFAULT_TAGS": "tags",
    "notice_tags": "tags",
    "CHANNEL": "updates",
    "GET_STARTED": "updates",
    "Batch": "updates",
    "Receipt": "updates",
    "parse_body": "updates",
}

__all__ = sorted(_WHERE)
__getattr__ = exports(__name__, _WHERE)
