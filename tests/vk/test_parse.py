"""Every recorded Callback API body → its meaning; odd shapes never raise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bots.vk.events import parse_event
from dialogs.messages import InboundKind

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "vk"

# name → (kind or "ignored", user id, what else must hold: text, payload, file_id, event_id)
EXPECTED: dict[str, tuple[str, str, dict[str, str]]] = {
    "confirmation": ("ignored", "", {}),  # the webhook answers it before parsing
    "confirmation_without_group": ("ignored", "", {}),
    "group_change_settings": ("ignored", "", {}),
    "group_join": ("ignored", "", {}),
    "message_typing_state": ("ignored", "", {}),
    "unknown_event": ("ignored", "", {}),
    "message_reply": ("ignored", "", {}),
    "message_edit": ("ignored", "", {}),
    "message_new_chat": ("ignored", "", {}),
    "message_new_chat_action_old_api": ("ignored", "", {}),
    "message_new_chat_poll_nulls": ("ignored", "", {}),
    "message_event_chat": ("ignored", "", {}),
    "message_new_empty": ("ignored", "", {}),
    "message_allow": (
        "resumed",
        "578716413",
        {"event_id": "235695438e43d0765f36efd3355a96ae14556bff"},
    ),
    "message_deny": (
        "stopped",
        "578716413",
        {"event_id": "08fd9e8f52a43c6966f7c117d5e402ab39cc4017"},
    ),
    "message_allow_without_event_id": ("resumed", "366305213", {}),
    "message_deny_without_event_id": ("stopped", "366305213", {}),
    "message_new_minimal": (
        "text",
        "123456",
        {"text": "Hello World", "event_id": "message_new:123456:1"},
    ),
    "message_new_without_event_id": (
        "text",
        "1",
        {"text": "test", "event_id": "message_new:1:100", "language": "ru"},
    ),
    "message_new_old_api": (
        "text",
        "206295116",
        {"text": "Здравствуйте, как передать показания?", "event_id": "message_new:206295116:431"},
    ),
    "message_new_text_english": ("text", "206295116", {"language": "en"}),
    "message_new_reply_to_bot": ("text", "206295116", {"text": "15230 и 6110"}),
    "message_new_foreign_payload": ("text", "123456", {"text": "Yes"}),
    "message_new_start": ("start", "206295116", {}),
    "message_new_button": ("button", "206295116", {"payload": "go:readings"}),
    "message_event_button": ("button", "206295116", {"payload": "go:balance"}),
    "message_event_foreign": ("button", "206295116", {"payload": '{"payload": "week"}'}),
    "message_event_without_event_id": (
        "button",
        "206295116",
        {"payload": "go:tariffs", "event_id": "message_event:5a9f1b3d4c6e"},
    ),
    "message_new_photo_forwarded": (
        "file",
        "578716413",
        {
            "text": "bruh",
            "file_id": "https://sun9-36.userapi.com/c206620/v206620889/3dc83/VngkKLfGEMA.jpg",
        },
    ),
    "message_new_photo_and_graffiti": (
        "file",
        "123456",
        {"file_id": "https://foo.bar/y-photo.jpg"},  # the largest size
    ),
    "message_new_audio_message": ("file", "123456", {"file_id": "https://foo.bar/audio.mp3"}),
    "message_new_voice": (
        "file",
        "206295116",
        {"file_id": "https://psv4.userapi.com/s/v1/amsg/a1b2c3.ogg"},
    ),
    "message_new_doc": ("file", "123456", {"file_id": "https://foo.bar/doc.pdf"}),
    "message_new_doc_pdf": ("file", "206295116", {"text": "Квитанция за март"}),
    "message_new_video": (
        "file",
        "206295116",
        {"file_id": "video206295116_456239021", "text": "счётчик крутится без нагрузки"},
    ),
    "message_new_sticker": ("unsupported", "123456", {}),
    "message_new_geo": ("unsupported", "123456", {}),
}


def load(name: str) -> dict[str, Any]:
    body = json.loads((PAYLOADS / f"{name}.json").read_text("utf-8"))
    assert isinstance(body, dict)
    return body


def test_every_recorded_body_has_an_expectation() -> None:
    assert {p.stem for p in PAYLOADS.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_recorded_bodies(name: str) -> None:
    kind, user_id, fields = EXPECTED[name]
    event = parse_event(load(name))
    if kind == "ignored":
        assert event.inbound is None and event.ignored, event
        return
    inbound = event.inbound
    assert inbound is not None, event.ignored
    assert (inbound.channel, inbound.kind.value, inbound.user_id) == ("vk", kind, user_id)
    assert inbound.event_id and len(inbound.event_id) <= 128
    assert inbound.time.tzinfo is not None
    for field, value in fields.items():
        assert getattr(inbound, field) == value, (field, getattr(inbound, field))


def test_the_same_body_without_event_id_has_the_same_identity_twice() -> None:
    for name in (
        "message_new_minimal",
        "message_new_without_event_id",
        "message_new_old_api",
        "message_event_without_event_id",
    ):
        first, second = parse_event(load(name)), parse_event(load(name))
        assert first.inbound is not None and second.inbound is not None
        assert first.inbound.event_id == second.inbound.event_id, name


def test_notices_without_event_id_are_each_their_own_event() -> None:
    """allow, deny, allow carry the same bodies: the second allow must not be a duplicate."""
    for name in ("message_allow_without_event_id", "message_deny_without_event_id"):
        first, second = parse_event(load(name)), parse_event(load(name))
        assert first.inbound is not None and second.inbound is not None
        assert first.inbound.event_id != second.inbound.event_id, name


def test_a_message_without_id_is_known_by_its_date_and_text() -> None:
    body = load("message_new_minimal")
    del body["object"]["message"]["id"]
    one = parse_event(body).inbound
    body["object"]["message"]["text"] = "Hello again"
    other = parse_event(body).inbound
    assert one is not None and other is not None
    assert one.event_id != other.event_id and one.event_id.startswith("message_new:123456:")


def test_a_callback_press_is_answered_a_chat_one_is_not() -> None:
    event = parse_event(load("message_event_button"))
    assert event.answer is not None
    assert (event.answer.event_id, event.answer.user_id, event.answer.peer_id) == (
        "3e7d9f1b2a4c",
        206295116,
        206295116,
    )
    assert parse_event(load("message_event_chat")).answer is None


def test_a_numbered_payload_is_the_typed_number() -> None:
    body = load("message_new_button")
    body["object"]["message"]["payload"] = '{"b":"#3"}'
    inbound = parse_event(body).inbound
    assert inbound is not None and (inbound.kind, inbound.text) == (InboundKind.TEXT, "3")


def test_an_outgoing_or_community_message_is_not_a_customer_s() -> None:
    body = load("message_new_minimal")
    body["object"]["message"]["out"] = 1
    assert parse_event(body).inbound is None
    body = load("message_new_without_event_id")
    body["object"]["message"].update(from_id=-218730916, peer_id=-218730916)
    assert parse_event(body).inbound is None
    body = load("message_new_without_event_id")
    body["object"]["message"].update(from_id=5, peer_id=6)  # someone else's dialog
    assert parse_event(body).inbound is None


def test_a_text_beside_a_location_is_the_text() -> None:
    body = load("message_new_geo")
    body["object"]["message"]["text"] = "показания 18300"
    inbound = parse_event(body).inbound
    assert inbound is not None and inbound.kind is InboundKind.TEXT


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
fields = st.sampled_from(
    [
        "message",
        "client_info",
        "from_id",
        "peer_id",
        "user_id",
        "id",
        "date",
        "text",
        "body",
        "payload",
        "attachments",
        "geo",
        "fwd_messages",
        "event_id",
        "out",
        "action",
    ]
)


@given(
    kind=st.sampled_from(["message_new", "message_event", "message_allow", "message_deny", "x"]),
    obj=st.dictionaries(fields, json_values, max_size=8),
    event_id=json_values,
)
def test_odd_fields_never_raise(kind: str, obj: dict[str, Any], event_id: Any) -> None:
    if isinstance(obj.get("message"), dict):
        obj["message"] = {**obj["message"], "from_id": 1, "peer_id": 1}
    event = parse_event({"type": kind, "object": obj, "event_id": event_id})
    assert event.inbound is not None or event.ignored
