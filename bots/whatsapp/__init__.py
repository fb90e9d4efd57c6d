"""The WhatsApp Cloud API channel: Graph webhook in, the Cloud API's /messages out."""

from bots.whatsapp.channel import LIMITS, Template, WhatsAppChannel, recipient, render
from bots.whatsapp.receiver import WhatsAppReceiver
from bots.whatsapp.updates import CHANNEL, Batch, Receipt, parse_body

__all__ = [
    "CHANNEL",
    "LIMITS",
    "Batch",
    "Receipt",
    "Template",
    "WhatsAppChannel",
    "WhatsAppReceiver",
    "parse_body",
    "recipient",
    "render",
]
