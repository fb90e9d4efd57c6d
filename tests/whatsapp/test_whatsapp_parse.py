"""Every recorded WhatsApp body read into events and receipts (tests/payloads/whatsapp)."""

from __future__ import annotations

import pytest

from bots.meta import BadBody
from bots.whatsapp import parse_body
from dialogs.messages import InboundKind
from tests.fakes.graph import PHONE_NUMBER_ID
from tests.fakes.graph.payloads import load_payload, payload_names

USER = "79195550177"
K = InboundKind
# name -> the kinds of events it carries, in order (README.md of the payloads).
EXPECTED: dict[str, list[InboundKind]] = {
    "text": [K.TEXT],
    "text_bsuid": [K.TEXT],
    "text_username_only": [K.TEXT],
    "button_reply": [K.BUTTON],
    "button_reply_stale": [K.BUTTON],
    "list_reply": [K.BUTTON],
    "template_button": [K.BUTTON],
    "contacts_own": [K.CONTACT],
    "contacts_foreign": [K.CONTACT],
    "contacts_no_phone": [K.UNSUPPORTED],
    "location": [K.UNSUPPORTED],
    "image": [K.FILE],
    "document": [K.FILE],
    "sticker": [K.UNSUPPORTED],
    "audio_voice": [K.UNSUPPORTED],
    "video": [K.UNSUPPORTED],
    "unsupported": [K.UNSUPPORTED],
    "interactive_nfm_reply": [K.UNSUPPORTED],
    "order": [K.UNSUPPORTED],
    "reaction": [],
    "request_welcome": [K.START],
    "system_number_changed": [],
    "batch_entries": [K.TEXT, K.TEXT],
    "batch_messages": [K.TEXT, K.TEXT, K.TEXT],
    "batch_changes": [K.TEXT],
    "repeated_id": [K.TEXT],
    "statuses": [],
    "status_failed_window": [],
    "status_failed_undeliverable": [],
    "value_errors": [],
    "field_template_status": [],
    "unknown_keys": [K.TEXT],
    "other_phone_number": [],
    "long_text_4096": [K.TEXT],
    "html_like_text": [K.TEXT],
    "emoji_only": [K.TEXT],
}


def test_every_payload_has_an_expectation() -> None:
    assert set(payload_names("whatsapp")) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_payload_kinds(name: str) -> None:
    batch = parse_body(load_payload("whatsapp", name), PHONE_NUMBER_ID)
    assert [i.kind for i in batch.inbounds] == EXPECTED[name]
    for inbound in batch.inbounds:
        assert inbound.channel == "whatsapp" and inbound.event_id.startswith("wamid.")
        assert inbound.time.tzinfo is not None and inbound.user_id


def one(name: str) -> object:
    (inbound,) = parse_body(load_payload("whatsapp", name), PHONE_NUMBER_ID).inbounds
    return inbound


def test_fields_of_the_common_kinds() -> None:
    text = one("text")
    assert (text.user_id, text.text, text.display_name) == (  # type: ignore[attr-defined]
        USER,
        "хочу передать показания",
        "Ирина Соколова",
    )
    assert text.phone == ""  # type: ignore[attr-defined]  # the number is not a shared phone
    assert one("button_reply").payload == "go:readings"  # type: ignore[attr-defined]
    assert one("list_reply").payload == "go:tariffs"  # type: ignore[attr-defined]
    assert one("template_button").payload == "go:readings"  # type: ignore[attr-defined]
    image = one("image")
    assert (image.file_id, image.text) == ("1203847562093847", "фото счётчика")  # type: ignore[attr-defined]
    assert one("document").file_id == "2938475610293847"  # type: ignore[attr-defined]


def test_customers_are_keyed_by_the_business_scoped_id_when_present() -> None:
    assert one("text_bsuid").user_id == "RU.1349120865530274191"  # type: ignore[attr-defined]
    username_only = one("text_username_only")
    assert username_only.user_id == "RU.88127734655302741003"  # type: ignore[attr-defined]
    assert username_only.display_name == "Пётр"  # type: ignore[attr-defined]


def test_own_and_foreign_contact_cards() -> None:
    own, foreign = one("contacts_own"), one("contacts_foreign")
    assert (own.phone, own.own_contact) == ("+7 919 555-01-77", True)  # type: ignore[attr-defined]
    assert (foreign.phone, foreign.own_contact) == ("+7 902 555-01-01", False)  # type: ignore[attr-defined]


def test_a_numbered_id_is_the_typed_number() -> None:
    body = load_payload("whatsapp", "button_reply")
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    message["interactive"]["button_reply"]["id"] = "#2"
    (inbound,) = parse_body(body).inbounds
    assert (inbound.kind, inbound.text) == (InboundKind.TEXT, "2")


def test_statuses_with_and_without_errors() -> None:
    receipts = parse_body(load_payload("whatsapp", "statuses")).receipts
    assert [r.status for r in receipts] == ["sent", "delivered", "read"]
    assert len({r.platform_id for r in receipts}) == 1
    (failed,) = parse_body(load_payload("whatsapp", "status_failed_window")).receipts
    assert failed.status == "failed" and failed.error.startswith("131047: Re-engagement message")
    (gone,) = parse_body(load_payload("whatsapp", "status_failed_undeliverable")).receipts
    assert gone.error.startswith("131026") and gone.user_id == "RU.1349120865530274191"


def test_another_number_is_not_ours_but_any_number_when_none_is_configured() -> None:
    body = load_payload("whatsapp", "other_phone_number")
    assert parse_body(body, PHONE_NUMBER_ID).inbounds == []
    assert len(parse_body(body).inbounds) == 1


@pytest.mark.parametrize("body", [[], "x", None, {"object": "whatsapp_business_account"}])
def test_not_a_notification(body: object) -> None:
    with pytest.raises(BadBody):
        parse_body(body)


def test_odd_items_are_skipped_without_losing_the_others() -> None:
    body = load_payload("whatsapp", "batch_messages")
    messages = body["entry"][0]["changes"][0]["value"]["messages"]
    messages.insert(0, "not an object")
    messages.insert(1, {"type": "text", "text": {"body": "no id"}, "from": USER})
    # Without `from`, the message is the one contact's of its value (2026: user_id only) ...
    messages.insert(2, {"id": "wamid.x", "type": "text", "text": {"body": "contact's"}})
    # ... and with no contact at all nobody's.
    lonely = {"id": "wamid.y", "type": "text", "text": {"body": "no sender"}}
    body["entry"][0]["changes"].append({"field": "messages", "value": {"messages": [lonely]}})
    body["entry"].append("odd entry")
    body["entry"][0]["changes"].append({"field": "messages", "value": "odd"})
    batch = parse_body(body)
    assert batch.inbounds[0].event_id == "wamid.x" and len(batch.inbounds) == 4
    assert {i.user_id for i in batch.inbounds} == {USER}
    assert "a message without a usable sender id" in batch.ignored


async def test_another_numbers_notifications_are_told_once_as_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from bots.whatsapp import WhatsAppReceiver

    class Sink:
        def __init__(self) -> None:
            self.handled: list[object] = []

        async def handle(self, inbound: object) -> object:
            self.handled.append(inbound)
            return inbound

    sink = Sink()
    receiver = WhatsAppReceiver(sink, PHONE_NUMBER_ID)  # type: ignore[arg-type]
    body = load_payload("whatsapp", "other_phone_number")
    with caplog.at_level("WARNING", logger="bots.whatsapp.receiver"):
        await receiver.receive(body)
        await receiver.receive(body)
    assert sink.handled == []
    warnings = [r for r in caplog.records if "phone_number_id" in r.getMessage()]
    assert len(warnings) == 1 and PHONE_NUMBER_ID in warnings[0].getMessage()
