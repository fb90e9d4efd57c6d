"""Messages per session per minute: a sliding window kept in memory (per process)."""

from __future__ import annotations

from collections import deque

WINDOW_SECONDS = 60.0
SWEEP_EVERY = 1000  # sessions tracked before idle ones are forgotten


class SessionRate:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, deque[float]] = {}

    def allow(self, session: str, now: float) -> bool:
        """Count one message of the session at `now` (monotonic seconds) if it is within
        the limit; False, and nothing counted, if not."""
        if len(self._seen) >= SWEEP_EVERY:
            self._sweep(now)
        times = self._seen.setdefault(session, deque())
        while times and now - times[0] >= WINDOW_SECONDS:
            times.popleft()
        if len(times) >= self.per_minute:
            return False
        times.append(now)
        return True

    def _sweep(self, now: float) -> None:
        self._seen = {
            key: times
            for key, times in self._seen.items()
            if times and now - times[-1] < WINDOW_SECONDS
        }
