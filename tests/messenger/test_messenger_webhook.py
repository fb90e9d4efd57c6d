"""POST /webhooks/messenger of the real app: every recorded body, batches, duplicates, receipts."""

from __future__ import annotations

import time

import pytest

from tests.fakes.graph import webhooks as build
from tests.fakes.graph.payloads import load_payload, payload_names
from tests.messenger.test_messenger_parse import EXPECTED
from tests.meta.harness import Harness, senders

PSID = "6251938475610293"


@pytest.mark.parametrize("name", payload_names("messenger"))
async def test_every_recorded_body_is_taken_and_answered_once(meta: Harness, name: str) -> None:
    body = load_payload("messenger", name)
    sent = await meta.deliver("messenger", body)
    turns = len(EXPECTED[name])
    assert {s.recipient for s in sent} == (senders("messenger", body) if turns else set())
    assert len(await meta.inbox()) == turns
    assert await meta.deliver("messenger", body) == []
    assert len(await meta.inbox()) == turns
    assert meta.fake.refused == [] and meta.fake.truncated == []


async def test_echoes_and_standby_are_never_answered(meta: Harness) -> None:
    for name in ("echo", "standby", "pass_thread_control"):
        assert (await meta.post("messenger", load_payload("messenger", name)))[0] == 200
    assert await meta.inbox() == [] and meta.fake.calls == []


async def test_delivery_and_read_receipts_are_recorded(meta: Harness) -> None:
    await meta.fb_say(PSID, "меню")
    rows = await meta.outbox(PSID)
    mids = [row["platform_message_id"] for row in rows]
    assert mids and all(m.startswith("m_") for m in mids)
    assert (await meta.post("messenger", build.fb_delivery(PSID, mids, 0)))[0] == 200
    assert {row["delivery"] for row in await meta.outbox(PSID)} == {"delivered"}
    watermark = int(time.time() * 1000) + 1000
    assert (await meta.post("messenger", build.fb_read(PSID, watermark)))[0] == 200
    assert {row["delivery"] for row in await meta.outbox(PSID)} == {"read"}
    assert len(await meta.inbox()) == 1


async def test_a_delivery_watermark_alone_covers_earlier_messages(meta: Harness) -> None:
    await meta.fb_say(PSID, "меню")
    watermark = int(time.time() * 1000) + 1000
    assert (await meta.post("messenger", build.fb_delivery(PSID, [], watermark)))[0] == 200
    assert {row["delivery"] for row in await meta.outbox(PSID)} == {"delivered"}
