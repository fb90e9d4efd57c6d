"""A fake VK API for tests (see server.FakeVk) and Callback API bodies to post
(callbacks.py)."""

from tests.fakes.vk.errors import VkError
from tests.fakes.vk.models import (
    API_VERSION,
    CONFIRMATION,
    GROUP_ID,
    SECRET,
    TOKEN,
    Call,
    Press,
    Sent,
    User,
)
from tests.fakes.vk.server import FakeVk

__all__ = [
    "API_VERSION",
    "CONFIRMATION",
    "GROUP_ID",
    "SECRET",
    "TOKEN",
    "Call",
    "FakeVk",
    "Press",
    "Sent",
    "User",
    "VkError",
]
