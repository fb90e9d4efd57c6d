"""Telegram's flood limits as token buckets on an injectable clock.

Bot FAQ: in one chat avoid more than one message per second (short bursts pass, then 429); in a
group at most 20 messages per minute; in bulk about 30 messages per second overall. Telegram's
buckets are not published; these are the documented rates with a configurable burst.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Bucket:
    capacity: float
    rate: float  # tokens per second
    tokens: float
    updated: float

    def _refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait(self, now: float) -> float:
        """Seconds until one token is there (0 when one is there now)."""
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1


@dataclass(frozen=True)
class Verdict:
    scope: str  # "chat" | "group" | "global"
    retry_after: int


class RateLimiter:
    """Counts sends per chat and overall; a refused send takes no token."""

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        chat_rate: float = 1.0,
        chat_burst: int = 3,
        global_rate: float = 30.0,
        global_burst: int | None = None,
        group_per_minute: int = 20,
    ) -> None:
        self.clock = clock
        self.chat_rate = chat_rate
        self.chat_burst = chat_burst
        self.global_rate = global_rate
        self.global_burst = global_burst
        self.group_per_minute = group_per_minute
        self._chats: dict[int | str, Bucket] = {}
        self._global: Bucket | None = None

    def reset(self) -> None:
        self._chats.clear()
        self._global = None

    def admit(self, chat_id: int | str, *, group: bool = False) -> Verdict | None:
        """None when the send may go (its tokens are taken), else why not and for how long."""
        now = self.clock()
        chat = self._chat_bucket(chat_id, group, now)
        overall = self._global_bucket(now)
        waits = [
            ("group" if group else "chat", chat.wait(now)),
            ("global", overall.wait(now)),
        ]
        scope, wait = max(waits, key=lambda item: item[1])
        if wait > 0:
            return Verdict(scope, max(1, math.ceil(wait)))
        chat.take(now)
        overall.take(now)
        return None

    def _chat_bucket(self, chat_id: int | str, group: bool, now: float) -> Bucket:
        if chat_id not in self._chats:
            if group:
                per_minute = self.group_per_minute
                self._chats[chat_id] = Bucket(per_minute, per_minute / 60, per_minute, now)
            else:
                burst = self.chat_burst
                self._chats[chat_id] = Bucket(burst, self.chat_rate, burst, now)
        return self._chats[chat_id]

    def _global_bucket(self, now: float) -> Bucket:
        if self._global is None:
            burst = self.global_burst or self.global_rate
            self._global = Bucket(burst, self.global_rate, burst, now)
        return self._global
