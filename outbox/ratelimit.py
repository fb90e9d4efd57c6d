"""Token buckets for the outbox sender: a channel's global rate and each chat's rate."""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up; rate 0 means no limit.

    reserve() takes a token now and says how long to wait before using it, so callers
    queue in the order they asked without a lock.
    """

    def __init__(
        self, rate: float, burst: int = 1, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = max(burst, 1)
        self._clock = clock
        self._tokens = float(self.burst)
        self._at = clock()

    def _refill(self) -> float:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        return now

    def reserve(self) -> float:
        if self.rate <= 0:
            return 0.0
        self._refill()
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def take_spare(self, keep: int) -> float:
        """Take a token only if `keep` more stay for reserve() callers: 0 when taken, else
        the wait until one may be spare (nothing is taken then; ask again after it)."""
        if self.rate <= 0:
            return 0.0
        self._refill()
        if self._tokens >= keep + 1:
            self._tokens -= 1
            return 0.0
        return (keep + 1 - self._tokens) / self.rate

    def retune(self, rate: float, burst: int) -> None:
        """A new rate and burst from now on (tokens saved up beyond the new burst are lost)."""
        self._refill()
        self.rate, self.burst = rate, max(burst, 1)
        self._tokens = min(self._tokens, float(self.burst))

    def pause(self, seconds: float) -> None:
        """The platform said to wait: nothing more until `seconds` from now."""
        if self.rate <= 0:
            return
        self._refill()
        self._tokens = min(self._tokens, -seconds * self.rate)

    @property
    def idle(self) -> bool:
        """Full again: the bucket can be dropped and recreated without changing anything."""
        if self.rate <= 0:
            return True
        self._refill()
        return self._tokens >= self.burst


class BucketMap:
    """One bucket per key (a chat), forgotten once full again so the map does not grow."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self._clock = rate, burst, clock
        self._buckets: dict[str, TokenBucket] = {}

    def __getitem__(self, key: str) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(self.rate, self.burst, self._clock)
        return bucket

    def sweep(self) -> None:
        for key in [k for k, b in self._buckets.items() if b.idle]:
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)
