"""What WhatsApp Cloud and Messenger share as Meta Graph API platforms: the webhook handshake and
signature, the Graph client and its error shape.

The names below are imported on first use (PEP 562): reading the channels' settings must
not import the Graph client.
"""

from __future__ import annotations

from bots.lazy import exports

_WHERE = {
    "GraphClient": "client",
    "GraphError": "errors",
    "send_error": "errors",
    "as_dict": "fields",
    "as_id": "fields",
    "as_list": "fields",
    "as_str": "fields",
    "unix_time": "fields",
    "SIGNATURE_HEADER": "webhook",
    "BadBody": "webhook",
    "MetaWebhook": "webhook",
    "Receiver": "webhook",
    "sign": "webhook",
    "signature_ok": "webhook",
}

__all__ = sorted(_WHERE)
__getattr__ = exports(__name__, _WHERE)
