"""POST /webhooks/viber of the real app: the signature, the body, every recorded callback."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from pathlib import Path

import pytest
from sqlalchemy import select

from bots.viber import signature
from storage.tables import customers
from tests.fakes.viber import callbacks as build
from tests.viber.harness import Harness, labels
from tests.viber.test_parse import EXPECTED

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "viber"
RECORDED_USER = "zVNb7mTkkLGY1Hk7yJnWlg=="


async def nothing_stored(vb: Harness) -> None:
    assert await vb.inbox() == []
    assert await vb.outbox() == []
    assert await vb.rows(select(customers)) == []


def test_the_signature_is_viber_s_hmac() -> None:
    # The vector of viber-bot-python's own tests (PLATFORMS.md §2).
    token = "44dafb7e0f40021e-61a47a1e6778d187-f2c5a676a07050b3"
    body = b'{"event":"webhook","timestamp":4977069964384421269,"message_token":1478683725125}'
    expected = "d21b343448c8aee33b8e93768ef6ceb64a6ba6163099973a2b8bd028fea510ef"
    assert signature(token, body) == expected


async def test_a_missing_signature_is_401_a_wrong_one_403_and_nothing_is_stored(
    vb: Harness,
) -> None:
    body = build.encode(build.text(vb.fake, "u-1", "передать показания"))
    good = signature(vb.fake.token, body)
    status, _ = await vb.post(body, signature=None)
    assert status == 401
    status, _ = await vb.post(body, signature="")
    assert status == 401
    other_token = hmac.new(b"another-bot-token", body, hashlib.sha256).hexdigest()
    tampered = body.replace("показания".encode(), "показания!".encode())
    for wrong in ("0" * 64, good[:-1], good + "0", other_token, "ё" * 64, f"sha256={good}"):
        status, _ = await vb.post(body, signature=wrong)
        assert status == 403, wrong
    status, _ = await vb.post(tampered, signature=good)  # the body changed, the signature not
    assert status == 403
    await nothing_stored(vb)
    await asyncio.sleep(0.15)  # a few sender polls: nothing may go out
    assert vb.fake.calls == []
    status, _ = await vb.post(body, signature=good.upper())  # hex is hex, whatever its case
    assert status == 200


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_every_recorded_body_is_taken_without_5xx_and_once(vb: Harness, name: str) -> None:
    raw = (PAYLOADS / f"{name}.json").read_bytes()
    vb.fake.add_user(RECORDED_USER)
    vb.fake.add_user("01234567890A=")
    status, answer = await vb.post(raw)
    assert status == 200, answer
    await vb.settle()
    kind = EXPECTED[name][0]
    inbox = await vb.inbox()
    if kind in ("ignored", "receipt", "opened"):
        assert inbox == []
    else:
        assert len(inbox) == 1
        if name == "message_big_token":
            assert inbox[0]["event_id"] == "9007199254740993"
    if kind == "opened":
        assert answer["type"] == "text" and "Здравствуйте" in answer["text"]
        assert "receiver" not in answer
    else:
        assert answer == {}
    sends = len(vb.fake.calls_to("send_message"))
    status, again = await vb.post(raw)  # Viber's retry of the same callback
    assert status == 200 and again == answer
    await vb.settle()
    assert await vb.inbox() == inbox
    assert len(vb.fake.calls_to("send_message")) == sends


async def test_the_welcome_answers_conversation_started_in_the_body(vb: Harness) -> None:
    for subscribed in (False, True):
        answer = await vb.open("w-1", subscribed=subscribed)
        assert set(answer) >= {"type", "text", "sender", "keyboard", "tracking_data"}
        assert "receiver" not in answer
        assert answer["sender"] == {
            "name": "Энергосбыт Пермь — служба",  # cut between words within 28
            "avatar": "https://energosbyt.example/static/avatar.jpg",
        }
        assert "Здравствуйте, Иван Петров!" in answer["text"]
        assert "Энергосбыт" in answer["text"]
        assert labels(answer["keyboard"])[:2] == ["Передать показания", "Баланс и оплата"]
        assert all(b["ActionBody"].startswith("go:") for b in answer["keyboard"]["Buttons"])
    # Nothing stored, nothing queued: the answer was the only message.
    await vb.settle()
    await nothing_stored(vb)
    assert vb.fake.calls == []


async def test_garbage_gets_4xx_and_stores_nothing(vb: Harness) -> None:
    bodies = {p.name: p.read_bytes() for p in sorted((PAYLOADS / "garbage").iterdir())}
    bodies["deeply-nested"] = b'{"event": "message", "message": ' + b"[" * 100_000 + b"]" * 100_000
    bodies["not-utf8"] = b"\xff\xfe{\x00}"
    bodies["null"] = b"null"
    for name, body in bodies.items():
        status, _ = await vb.post(body)
        assert 400 <= status < 500, name
    status, _ = await vb.post(b'{"event": "message", "x": "' + b"a" * 1_100_000 + b'"}')
    assert status == 413
    await nothing_stored(vb)


async def test_a_receipt_for_an_unknown_token_changes_nothing(vb: Harness) -> None:
    status, answer = await vb.post(build.receipt("delivered", 7_000_000_000_000_000_001, "u-2"))
    assert status == 200 and answer == {}
    await nothing_stored(vb)


async def test_the_failed_receipt_is_recorded_with_its_reason(vb: Harness) -> None:
    await vb.say("u-3", "тарифы")
    last = vb.fake.sent("u-3")[-1]
    status, _ = await vb.post(build.receipt("failed", last.message_token, "u-3", "user blocked"))
    assert status == 200
    row = [r for r in await vb.outbox("u-3") if r["platform_message_id"]][-1]
    assert row["platform_message_id"] == str(last.message_token)
    assert row["delivery"] == "failed" and row["delivery_error"] == "user blocked"


async def test_odd_bodies_of_known_events_get_no_5xx(vb: Harness) -> None:
    user = {"id": "odd-user=="}  # no name, no language, no api_version
    bodies = [
        {
            "event": "message",
            "timestamp": 1,
            "message_token": 11,
            "sender": user,
            "message": {"type": "text"},
        },
        {
            "event": "message",
            "timestamp": 1,
            "message_token": 12,
            "sender": user,
            "message": {"type": "contact"},
        },
        {
            "event": "message",
            "timestamp": 1,
            "message_token": 13,
            "sender": user,
            "message": {"type": "picture"},
        },
        {
            "event": "message",
            "timestamp": 1,
            "message_token": 14,
            "sender": user,
            "message": {"type": "rich_media", "rich_media": {}},
        },
        {
            "event": "conversation_started",
            "timestamp": 1,
            "message_token": 15,
            "type": "open",
            "user": user,
        },
        {"event": "subscribed", "timestamp": 1, "user": user},
        {"event": "failed", "timestamp": 1, "message_token": 16, "user_id": "odd-user=="},
        {
            "event": "message",
            "timestamp": 1,
            "message_token": 17,
            "sender": {"id": ""},
            "message": {"type": "text", "text": "x"},
        },
    ]
    vb.fake.add_user("odd-user==")
    for body in bodies:
        status, answer = await vb.post(body)
        assert status == 200, (body, answer)
    await vb.settle()
    welcome = (await vb.post(bodies[4]))[1]
    assert welcome["text"].startswith("Здравствуйте! Я виртуальный помощник")
    assert {row["event_id"] for row in await vb.inbox()} >= {"11", "12", "14"}
