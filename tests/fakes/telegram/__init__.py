"""A fake Telegram Bot API server for tests and benchmarks (see server.FakeTelegram)."""

from tests.fakes.telegram.errors import ApiError
from tests.fakes.telegram.models import BOT_ID, BOT_USERNAME, TOKEN, Call, Chat, Sent, Throttle
from tests.fakes.telegram.server import FakeTelegram

__all__ = [
    "BOT_ID",
    "BOT_USERNAME",
    "TOKEN",
    "ApiError",
    "Call",
    "Chat",
    "FakeTelegram",
    "Sent",
    "Throttle",
]
