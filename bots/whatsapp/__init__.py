"""The WhatsApp Cloud API channel: Graph webhook in, the Cloud API's /messages out.

The names below are imported on first use (PEP 562): finding the plug-in (plugin.py) must
not import the channel's client.
"""

from __future__ import annotations

from bots.lazy import exports

_WHERE = {
    "LIMITS": "channel",
    "WhatsAppChannel": "channel",
    "recipient": "channel",
    "render": "channel",
    "Template": "templates",
    "Templates": "templates",
    "template_message": "templates",
    "WhatsAppReceiver": "receiver",
    "CHANNEL": "updates",
    "Batch": "updates",
    "Receipt": "updates",
    "parse_body": "updates",
}

__all__ = sorted(_WHERE)
__getattr__ = exports(__name__, _WHERE)
