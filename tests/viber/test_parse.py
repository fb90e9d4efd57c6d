"""Every recorded callback body through parse_callback (viberbot underneath)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bots.viber import BadCallback, parse_callback
from bots.viber.tracking import Tracking, decode
from dialogs.messages import InboundKind

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "viber"
USER = "zVNb7mTkkLGY1Hk7yJnWlg=="

# file → (inbound kind, or "receipt"/"opened"/"ignored"; the fields to check)
EXPECTED: dict[str, tuple[str, dict[str, Any]]] = {
    "webhook": ("ignored", {}),
    "conversation_started": ("opened", {"subscribed": False, "name": "Ольга Смирнова"}),
    "conversation_started_subscribed": ("opened", {"subscribed": True, "context": "qr-receipt"}),
    "subscribed": (
        InboundKind.RESUMED,
        {"event_id": "subscribed:5913347731440183340", "display_name": "Ольга Смирнова"},
    ),
    "unsubscribed": (InboundKind.STOPPED, {"event_id": "unsubscribed:5913347732218851221"}),
    "message_text": (
        InboundKind.TEXT,
        {"text": "Хочу передать показания", "event_id": "5913347733104461801", "language": "ru"},
    ),
    "message_text_docs": (
        InboundKind.TEXT,
        {"text": "a message to the service", "user_id": "01234567890A=", "language": "en"},
    ),
    "message_button": (InboundKind.BUTTON, {"payload": "go:readings", "text": ""}),
    "message_contact": (InboundKind.CONTACT, {"phone": "79123456789", "own_contact": True}),
    "message_contact_unrequested": (
        InboundKind.CONTACT,
        {"phone": "79120000001", "own_contact": False},
    ),
    "message_picture": (
        InboundKind.FILE,
        {"text": "Счётчик", "file_id": "https://dl-media.viber.com/1/share/2/long/vibes/icon/"},
    ),
    "message_file": (InboundKind.FILE, {"text": "акт сверки.pdf"}),
    "message_video": (InboundKind.FILE, {"file_id": "https://dl-media.viber.com/5/share/"}),
    "message_location": (InboundKind.UNSUPPORTED, {}),
    "message_sticker": (InboundKind.UNSUPPORTED, {}),
    "message_url": (
        InboundKind.TEXT,
        {"text": "https://energosbyt.example/pay?account=590100123456"},
    ),
    "message_big_token": (InboundKind.TEXT, {"event_id": "9007199254740993", "text": "1234"}),
    "delivered": ("receipt", {"status": "delivered", "message_token": "5491234567890123458"}),
    "seen": ("receipt", {"status": "read", "message_token": "5491234567890123458"}),
    "failed": ("receipt", {"status": "failed", "error": "failure description"}),
    "unknown_event": ("ignored", {"ignored": "event type client_status"}),
    "unknown_message_type": ("ignored", {"ignored": "message type voice"}),
    "message_no_sender": ("ignored", {}),
}


def load(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_bytes())


def test_every_recorded_body_is_listed() -> None:
    assert sorted(p.stem for p in PAYLOADS.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_recorded_body_means_what_it_says(name: str) -> None:
    kind, fields = EXPECTED[name]
    callback = parse_callback(load(name))
    assert callback.event == load(name)["event"]
    if kind == "ignored":
        assert callback.inbound is None and callback.receipt is None and callback.opened is None
        assert callback.ignored
        found: Any = callback
    elif kind == "receipt":
        assert callback.receipt is not None and callback.inbound is None
        assert callback.receipt.user_id == USER
        found = callback.receipt
    elif kind == "opened":
        assert callback.opened is not None and callback.opened.user_id == USER
        found = callback.opened
    else:
        assert callback.inbound is not None, callback.ignored
        found = callback.inbound
        assert found.kind is kind and found.channel == "viber"
        assert found.time.year >= 2016 and found.time.tzinfo is not None
        if "user_id" not in fields:
            assert found.user_id == USER
    for field, value in fields.items():
        actual = getattr(found, field)
        if field == "file_id":
            assert actual.startswith(value)
        else:
            assert actual == value, (field, actual)


def test_a_token_above_2_53_stays_exact_on_the_way_in() -> None:
    raw = (PAYLOADS / "message_big_token.json").read_bytes()
    assert b"9007199254740993" in raw
    inbound = parse_callback(json.loads(raw)).inbound
    assert inbound is not None and inbound.event_id == "9007199254740993"
    assert float(inbound.event_id) == 2**53  # what a float-parsing client would have kept


def test_a_button_press_is_told_from_typed_text_by_the_tracking_data() -> None:
    body = load("message_button")
    tracking = Tracking.of(("12:yes", "12:no", "go:menu", "#4"), phone=False)
    cases = {
        "12:yes": (InboundKind.BUTTON, "12:yes"),
        "go:menu": (InboundKind.BUTTON, "go:menu"),
        "#4": (InboundKind.TEXT, "4"),  # a numbered stand-in presses option 4
        "12:30": (InboundKind.TEXT, "12:30"),  # typed: no such button was shown
        "да": (InboundKind.TEXT, "да"),
    }
    for text, (kind, value) in cases.items():
        body["message"] = {"type": "text", "text": text, "tracking_data": tracking.encode()}
        inbound = parse_callback(body).inbound
        assert inbound is not None and inbound.kind is kind, text
        assert (inbound.payload if kind is InboundKind.BUTTON else inbound.text) == value
    # Without our tracking data (a foreign one, or none) a payload's shape decides.
    body["message"] = {"type": "text", "text": "7:yes", "tracking_data": "tracking data"}
    assert parse_callback(body).inbound.kind is InboundKind.BUTTON  # type: ignore[union-attr]
    body["message"] = {"type": "text", "text": "Привет: мир"}
    assert parse_callback(body).inbound.kind is InboundKind.TEXT  # type: ignore[union-attr]


def test_tracking_data_round_trip_and_foreign_values() -> None:
    tracking = Tracking.of(("31:acc:5901000003", "go:menu"), phone=True)
    assert tracking.version == 31
    assert decode(tracking.encode()) == tracking
    for foreign in (None, "", "tracking data", "{", "[1]", '{"v": 3}', 17):
        assert decode(foreign) is None


@pytest.mark.parametrize(
    "body",
    [[], "message", 5, None, {}, {"event": 5}, {"event": ""}, {"timestamp": 1}],
)
def test_what_is_not_a_callback_is_refused(body: Any) -> None:
    with pytest.raises(BadCallback):
        parse_callback(body)


@pytest.mark.parametrize(
    "body",
    [
        {"event": "message", "timestamp": 1, "message_token": 1, "sender": "x", "message": {}},
        {"event": "message", "timestamp": 1, "message_token": 1, "sender": {}, "message": []},
        {
            "event": "message",
            "timestamp": "soon",
            "message_token": 1.5,
            "sender": {"id": 5},
            "message": {"type": "text", "text": 5},
        },
        {"event": "subscribed", "timestamp": 1},
        {"event": "unsubscribed", "timestamp": 1, "user_id": ["x"]},
        {"event": "delivered", "timestamp": 1, "user_id": "u"},
        {"event": "seen", "timestamp": 1, "message_token": True, "user_id": "u"},
    ],
)
def test_odd_known_events_are_acknowledged_and_ignored(body: dict[str, Any]) -> None:
    callback = parse_callback(body)
    assert callback.inbound is None and callback.receipt is None and callback.opened is None
    assert callback.ignored


def test_a_failed_receipt_without_a_reason_is_still_recorded() -> None:
    body = {"event": "failed", "timestamp": 1795003214123, "message_token": 5, "user_id": "u"}
    receipt = parse_callback(body).receipt
    assert receipt is not None and (receipt.status, receipt.error) == ("failed", "")


def test_a_text_without_text_and_a_user_without_a_name() -> None:
    body = json.loads((PAYLOADS / "message_text.json").read_bytes())
    del body["message"]["text"], body["sender"]["name"]
    inbound = parse_callback(body).inbound
    assert inbound is not None and inbound.kind is InboundKind.TEXT
    assert (inbound.text, inbound.display_name) == ("", "")


def test_a_conversation_opened_without_a_token_or_a_time_is_still_welcomed() -> None:
    # As some write it down (a Russian notes file): no message_token, no timestamp.
    body = {"event": "conversation_started", "type": "open", "user": {"id": "01234567890A="}}
    opened = parse_callback(body).opened
    assert opened is not None and opened.user_id == "01234567890A="
    assert parse_callback({"event": "webhook"}).ignored  # acknowledged, nothing to do
