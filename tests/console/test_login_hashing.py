"""argon2 under a bounded number of slots: a login that finds them all taken is answered 429 at
once instead of queueing another 64 MiB hash; setting a password waits for its turn."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from console import passwords
from console.passwords import Busy, HashGate, default_slots
from energobot.settings import Settings
from storage.database import Database
from tests.console.conftest import PASSWORD, Browser, add_operator, audit_actions, make_settings


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, hash_slots=1)


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """passwords.verify waits for `release` after telling `entered` it runs."""
    entered, release = threading.Event(), threading.Event()
    real = passwords.verify

    def slow(password_hash: str, password: str) -> bool:
        entered.set()
        release.wait(10)
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "verify", slow)
    yield entered, release
    release.set()


async def test_a_full_gate_answers_429_at_once(
    database: Database, browser_factory: Any, held: tuple[threading.Event, threading.Event]
) -> None:
    entered, release = held
    await add_operator(database, "anna")
    first: Browser = browser_factory()
    second: Browser = browser_factory()
    await first.get("/console/login")
    await second.get("/console/login")
    pending = asyncio.ensure_future(
        first.post("/console/login", {"login": "anna", "password": "a wrong password"})
    )
    assert await asyncio.to_thread(entered.wait, 10)  # the one slot is taken

    began = time.monotonic()
    response = await second.post("/console/login", {"login": "nobody", "password": "whatever"})
    assert time.monotonic() - began < 2  # not queued behind the first hash
    assert response.status == 429 and response.headers["Retry-After"] == "1"
    assert "слишком много входов" in second.page

    release.set()
    assert (await pending).status == 401
    response = await second.login("anna", PASSWORD)  # a slot is free again
    assert response.url.path == "/console/queue"
    reasons = [d["reason"] for _, action, d in await audit_actions(database) if d and "reason" in d]
    assert reasons == ["busy", "wrong_password"]


async def test_the_gate_refuses_checks_but_queues_new_hashes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from argon2 import PasswordHasher

    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    gate = HashGate(1)
    assert gate.slots == 1
    hashes = await asyncio.gather(*(gate.hash(f"password number {i}") for i in range(3)))
    assert len(set(hashes)) == 3  # each waited for the slot, none refused

    running = asyncio.ensure_future(gate.hash("a password being set"))
    await asyncio.sleep(0)  # it holds the slot now
    with pytest.raises(Busy):
        await gate.verify(hashes[0], "password number 0")
    await running
    assert await gate.verify(hashes[0], "password number 0")
    assert not await gate.verify(None, "password number 0")  # an unknown login: a dummy hash


def test_the_default_is_twice_the_cores() -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert default_slots() == 2 * (cores or 1)
    assert HashGate(0).slots == default_slots() and HashGate(3).slots == 3
