"""Token buckets on a hand-driven clock."""

from __future__ import annotations

import pytest

from outbox.ratelimit import BucketMap, TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_the_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=1, burst=3, clock=clock)
    assert [bucket.reserve() for _ in range(3)] == [0, 0, 0]
    assert bucket.reserve() == pytest.approx(1.0)
    assert bucket.reserve() == pytest.approx(2.0)  # queued behind the previous reservation
    clock.now += 2
    assert bucket.reserve() == pytest.approx(1.0)


def test_refill_never_exceeds_the_burst() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=30, burst=30, clock=clock)
    clock.now += 3600
    waits = [bucket.reserve() for _ in range(31)]
    assert waits[:30] == [0] * 30 and waits[30] == pytest.approx(1 / 30)


def test_pause_holds_everything_for_the_platform_wait() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=1, burst=3, clock=clock)
    bucket.pause(5)
    assert bucket.reserve() == pytest.approx(6.0)  # 5 s of silence, then this token's second
    clock.now += 10
    assert bucket.reserve() == 0


def test_rate_zero_is_unlimited() -> None:
    bucket = TokenBucket(rate=0)
    assert {bucket.reserve() for _ in range(1000)} == {0}
    bucket.pause(10)
    assert bucket.reserve() == 0 and bucket.idle


def test_bucket_map_forgets_full_buckets() -> None:
    clock = Clock()
    buckets = BucketMap(rate=1, burst=2, clock=clock)
    buckets["a"].reserve()
    buckets["b"].reserve()
    assert len(buckets) == 2
    buckets.sweep()
    assert len(buckets) == 2  # both still owe a refill
    clock.now += 5
    buckets.sweep()
    assert len(buckets) == 0
