"""A fake MAX Bot API for tests (see server.FakeMax) and update bodies to post (updates.py)."""

from tests.fakes.max.errors import MaxError
from tests.fakes.max.models import BOT_ID, FIRST_SEQ, TOKEN, Answer, Call, Sent, User
from tests.fakes.max.server import FakeMax

__all__ = ["BOT_ID", "FIRST_SEQ", "TOKEN", "Answer", "Call", "FakeMax", "MaxError", "Sent", "User"]
