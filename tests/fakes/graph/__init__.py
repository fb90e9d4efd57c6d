"""A fake Meta Graph API (WhatsApp Cloud API and Messenger Send API) for tests."""

from tests.fakes.graph.errors import GraphRefusal
from tests.fakes.graph.models import (
    APP_SECRET,
    PAGE_ID,
    PAGE_TOKEN,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    WHATSAPP_TOKEN,
    Call,
    Sent,
)
from tests.fakes.graph.server import FakeGraph

__all__ = [
    "APP_SECRET",
    "PAGE_ID",
    "PAGE_TOKEN",
    "PHONE_NUMBER_ID",
    "VERIFY_TOKEN",
    "WHATSAPP_TOKEN",
    "Call",
    "FakeGraph",
    "GraphRefusal",
    "Sent",
]
