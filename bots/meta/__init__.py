"""What WhatsApp Cloud and Messenger share as Meta Graph API platforms: the webhook handshake and
signature, the Graph client and its error shape."""

from bots.meta.client import GraphClient
from bots.meta.errors import GraphError, send_error
from bots.meta.fields import as_dict, as_id, as_list, as_str, unix_time
from bots.meta.webhook import SIGNATURE_HEADER, BadBody, MetaWebhook, Receiver, sign, signature_ok

__all__ = [
    "SIGNATURE_HEADER",
    "BadBody",
    "GraphClient",
    "GraphError",
    "MetaWebhook",
    "Receiver",
    "as_dict",
    "as_id",
    "as_list",
    "as_str",
    "send_error",
    "sign",
    "signature_ok",
    "unix_time",
]
