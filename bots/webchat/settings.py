"""The `webchat:` settings section."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from bots.plugin import ChannelSettings

_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")


class WebchatSettings(ChannelSettings):
    enabled: bool = True  # on by default: the one channel that needs no platform account
    title: str = ""  # the chat window's title; empty: the catalog's, with the company's name
    session_days: int = Field(30, ge=1, le=400)  # lifetime of the anonymous session cookie
    # Sites that may show the chat in an iframe (the embed snippet), besides company.website.
    embed_origins: list[str] = Field(default_factory=list)
    history_messages: int = Field(100, ge=1, le=1000)  # shown when the page opens
    poll_seconds: float = Field(1.0, gt=0)  # open chats look for replies other processes sent
    # Open live streams (/webchat/events) per process: per chat session (its tabs) and per
    # client address (server.trusted_proxies); more are refused with 429.
    max_streams_per_session: int = Field(5, ge=1)
    max_streams_per_address: int = Field(50, ge=1)
    max_text_chars: int = Field(2000, ge=1, le=4000)  # one customer message
    # Refused with 429 above these; counted in the database, so they hold across processes.
    messages_per_minute: int = Field(30, ge=1)  # per session
    address_messages_per_minute: int = Field(120, ge=1)  # per client address, every session
    address_new_chats_per_hour: int = Field(30, ge=1)  # first messages of sessions per address

    @field_validator("embed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if not _ORIGIN.fullmatch(origin):
                raise ValueError(f"{origin!r} is not an origin like https://www.example.ru")
        return value
