"""Messages per key (a session, a client address) per minute: a sliding window kept in memory.

Only a first filter of this process, in front of the database's counters that hold across
processes (Host.throttle): a flood is refused here without costing the database a write.
"""

from __future__ import annotations

from collections import deque

WINDOW_SECONDS = 60.0
SWEEP_EVERY = 1000  # keys tracked before idle ones are forgotten


class LocalRate:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, deque[float]] = {}
        self._sweep_at = SWEEP_EVERY

    def allow(self, key: str, now: float) -> bool:
        """Count one message of the key at `now` (monotonic seconds) if it is within
        the limit; False, and nothing counted, if not."""
        if len(self._seen) >= self._sweep_at:
            self._sweep(now)
        times = self._seen.setdefault(key, deque())
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
        # Many keys still active: sweep again only when they have doubled (amortised O(1)).
        self._sweep_at = max(SWEEP_EVERY, 2 * len(self._seen))
