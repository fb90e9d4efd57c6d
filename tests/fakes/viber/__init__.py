"""A fake Viber REST Bot API for tests (see server.FakeViber) and callback bodies to post."""

from tests.fakes.viber.errors import ViberError
from tests.fakes.viber.models import FIRST_TOKEN, TOKEN, Call, Sent, User
from tests.fakes.viber.server import FakeViber, sign

__all__ = ["FIRST_TOKEN", "TOKEN", "Call", "FakeViber", "Sent", "User", "ViberError", "sign"]
