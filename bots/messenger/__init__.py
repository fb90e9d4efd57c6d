"""The Facebook Messenger channel: Graph webhook in, the Send API out."""

from bots.messenger.channel import LIMITS, MessengerChannel, messaging_type, render
from bots.messenger.profile import describe, install, profile_body, remove
from bots.messenger.receiver import MessengerReceiver
from bots.messenger.updates import CHANNEL, GET_STARTED, Batch, Receipt, parse_body

__all__ = [
    "CHANNEL",
    "GET_STARTED",
    "LIMITS",
    "Batch",
    "MessengerChannel",
    "MessengerReceiver",
    "Receipt",
    "describe",
    "install",
    "messaging_type",
    "parse_body",
    "profile_body",
    "remove",
    "render",
]
