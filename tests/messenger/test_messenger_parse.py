"""Every recorded Messenger body read into events and receipts (tests/payloads/messenger)."""

from __future__ import annotations

import pytest

from bots.messenger import parse_body
from bots.meta import BadBody
from dialogs.messages import InboundKind
from tests.fakes.graph.payloads import load_payload, payload_names

PSID = "6251938475610293"
K = InboundKind
EXPECTED: dict[str, list[InboundKind]] = {
    "text": [K.TEXT],
    "text_numeric_ids": [K.TEXT],
    "quick_reply": [K.BUTTON],
    "quick_reply_phone": [K.CONTACT],
    "quick_reply_stale": [K.BUTTON],
    "postback_get_started": [K.START],
    "postback_get_started_referral": [K.START],
    "postback_menu": [K.BUTTON],
    "postback_no_mid": [K.BUTTON],
    "attachment_image": [K.FILE],
    "attachment_file": [K.FILE],
    "attachment_location": [K.UNSUPPORTED],
    "attachment_sticker": [K.UNSUPPORTED],
    "attachment_audio": [K.UNSUPPORTED],
    "attachment_fallback": [K.UNSUPPORTED],
    "echo": [],
    "delivery": [],
    "delivery_watermark_only": [],
    "read": [],
    "standby": [],
    "reaction": [],
    "referral": [],
    "optin": [],
    "user_ref": [],
    "pass_thread_control": [],
    "batch_entries": [K.TEXT, K.TEXT],
    "batch_messaging": [K.TEXT, K.TEXT],
    "repeated_mid": [K.TEXT],
    "unknown_keys": [K.TEXT],
    "instagram_object": [],
    "long_text_2000": [K.TEXT],
    "emoji_only": [K.TEXT],
}


def test_every_payload_has_an_expectation() -> None:
    assert set(payload_names("messenger")) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_payload_kinds(name: str) -> None:
    batch = parse_body(load_payload("messenger", name))
    assert [i.kind for i in batch.inbounds] == EXPECTED[name]
    for inbound in batch.inbounds:
        assert inbound.channel == "messenger" and inbound.event_id and inbound.user_id
        assert inbound.time.tzinfo is not None


def one(name: str):
    (inbound,) = parse_body(load_payload("messenger", name)).inbounds
    return inbound


def test_fields() -> None:
    assert one("text_numeric_ids").user_id == PSID
    assert one("quick_reply").payload == "go:tariffs"
    phone = one("quick_reply_phone")
    assert (phone.phone, phone.own_contact) == ("+79195550177", True)
    assert one("postback_menu").payload == "go:balance"
    assert one("postback_get_started_referral").payload == "site_lk"
    assert one("attachment_file").file_id.startswith("https://cdn.fbsbx.com/")


def test_a_postback_without_mid_gets_a_stable_id() -> None:
    first, second = one("postback_no_mid"), one("postback_no_mid")
    assert first.event_id == second.event_id and first.event_id.startswith("derived:")
    body = load_payload("messenger", "postback_no_mid")
    body["entry"][0]["messaging"][0]["timestamp"] += 1  # pressed again later: another event
    (later,) = parse_body(body).inbounds
    assert later.event_id != first.event_id


def test_receipts() -> None:
    (delivery,) = parse_body(load_payload("messenger", "delivery")).receipts
    assert delivery.status == "delivered" and len(delivery.mids) == 2 and delivery.until
    (read,) = parse_body(load_payload("messenger", "read")).receipts
    assert read.status == "read" and read.mids == () and read.user_id == PSID


@pytest.mark.parametrize("body", [[], "x", None, {"object": "page"}])
def test_not_a_notification(body: object) -> None:
    with pytest.raises(BadBody):
        parse_body(body)
