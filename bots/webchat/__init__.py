"""The website chat: the page at `/` (and an embed snippet), an anonymous session cookie signed
by the server (a keyed hash of its id is the user id), posts into the pipeline, replies live over
Server-Sent Events.

The names below are imported on first use (PEP 562): finding the plug-in (plugin.py) must
not import the channel's client.
"""

from __future__ import annotations

from bots.lazy import exports

_WHERE = {
    "WebchatChannel": "channel",
    "Hub": "hub",
    "CHANNEL": "messages",
    "LIMITS": "messages",
    "parse_post": "messages",
    "ChatLogReader": "routes",
    "WebchatApp": "routes",
    "WebchatConfig": "routes",
    "origin_of": "session",
}

__all__ = sorted(_WHERE)
__getattr__ = exports(__name__, _WHERE)
