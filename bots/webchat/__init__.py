"""The website chat: the page at `/` (and an embed snippet), an anonymous session cookie signed
by the server (a keyed hash of its id is the user id), posts into the pipeline, replies live over
Server-Sent Events."""

from bots.webchat.channel import WebchatChannel
from bots.webchat.hub import Hub
from bots.webchat.messages import CHANNEL, LIMITS, parse_post
from bots.webchat.routes import ChatLogReader, WebchatApp, WebchatConfig
from bots.webchat.session import origin_of

__all__ = [
    "CHANNEL",
    "LIMITS",
    "ChatLogReader",
    "Hub",
    "WebchatApp",
    "WebchatChannel",
    "WebchatConfig",
    "origin_of",
    "parse_post",
]
