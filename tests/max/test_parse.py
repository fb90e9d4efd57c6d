"""Every recorded update body through parse_update, and the odd shapes real updates take."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bots.max.updates import BadUpdate, contact_of, parse_update, user_id_of, vcf_phone
from dialogs.messages import InboundKind

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "max"
ARTEM = "174756854"
IGNORED = "ignored"

# file → (inbound kind or IGNORED, fields of the Inbound to check)
EXPECTED: dict[str, tuple[str, dict[str, Any]]] = {
    "real_message_created_text": (
        InboundKind.TEXT,
        {
            "user_id": "10001",
            "text": "вапва",
            "event_id": "mid.0000000008a53b9b019c44bd612d33e0",
            "language": "ru",
            "display_name": "User_Name",
        },
    ),
    "real_message_callback": (
        InboundKind.BUTTON,
        {"user_id": "10001", "payload": "utm_view_6", "event_id": "f9LHodD0cOJZOniECmtvwY8S"},
    ),
    "real_message_callback_on_image": (
        InboundKind.BUTTON,
        {"user_id": "10001", "payload": "new_campaign"},
    ),
    "real_user_added_channel": (IGNORED, {}),
    "live_message_created_contact_empty_vcard": (
        InboundKind.CONTACT,
        {"user_id": ARTEM, "phone": "", "own_contact": True},
    ),
    "schema_bot_started_deep_link": (
        InboundKind.START,
        {
            "user_id": "1234567890",
            "payload": "any data meaningful to bot",
            "event_id": "bot_started:1234567890:1573226679188",
            "display_name": "Boris",
        },
    ),
    "built_contact_own": (
        InboundKind.CONTACT,
        {"phone": "79025550101", "own_contact": True, "display_name": "Артём Кузнецов"},
    ),
    "built_contact_foreign": (
        InboundKind.CONTACT,
        {"phone": "+7 (902) 555-01-02", "own_contact": False},
    ),
    "built_contact_legacy_tam_info": (
        InboundKind.CONTACT,
        {"phone": "+79025550101", "own_contact": True},
    ),
    "built_image_with_caption": (
        InboundKind.FILE,
        {"text": "Показания на фото", "file_id": "https://i.oneme.ru/i?r=BTGBPUwtwgYUeoFhO7rE"},
    ),
    "built_file_pdf": (InboundKind.FILE, {"text": "", "file_id": "https://fd.oneme.ru/getfile"}),
    "built_sticker": (InboundKind.UNSUPPORTED, {"user_id": ARTEM}),
    "built_location": (InboundKind.UNSUPPORTED, {"user_id": ARTEM}),
    "built_start_command_text": (InboundKind.START, {"payload": "ls5901000003"}),
    "odd_ids_above_2_53": (
        InboundKind.TEXT,
        {"user_id": "9007199254740993", "text": "18300"},
    ),
    "odd_ids_as_strings": (
        InboundKind.TEXT,
        {"user_id": ARTEM, "text": "баланс", "language": "ru", "display_name": "Артём"},
    ),
    "odd_minimal_no_ids": (
        InboundKind.TEXT,
        {"user_id": "555001", "text": "передать показания", "event_id": "message_created:555001:"},
    ),
    "odd_callback_without_user": (InboundKind.BUTTON, {"user_id": ARTEM, "payload": "go:menu"}),
    "odd_callback_message_null": (
        InboundKind.BUTTON,
        {"user_id": ARTEM, "payload": "go:balance", "language": "en"},
    ),
    "odd_unknown_update_type": (IGNORED, {}),
    "odd_text_without_timestamp_seq": (
        InboundKind.TEXT,
        {"text": "Здравствуйте! <b>тест</b> & *звёздочки*"},
    ),
    "stab_bot_added": (IGNORED, {}),
    "stab_bot_removed": (IGNORED, {}),  # out of a group: its remover's dialog goes on
    "stab_bot_started": (
        InboundKind.START,
        {"user_id": "123456789", "payload": "", "language": "ru", "display_name": "John Doe"},
    ),
    "stab_bot_stopped": (
        InboundKind.STOPPED,
        {"user_id": "123456789", "event_id": "bot_stopped:123456789:1775025604499"},
    ),
    "stab_chat_title_changed": (IGNORED, {}),
    "stab_comment_created": (IGNORED, {}),
    "stab_dialog_cleared": (IGNORED, {}),
    "stab_dialog_muted": (IGNORED, {}),
    "stab_dialog_removed": (IGNORED, {}),
    "stab_dialog_unmuted": (IGNORED, {}),
    "stab_message_callback": (
        InboundKind.BUTTON,
        {"user_id": "123456789", "payload": "picture"},
    ),
    "stab_message_created_group_forward": (IGNORED, {}),
    "stab_message_edited": (IGNORED, {}),
    "stab_message_removed": (IGNORED, {}),
    "stab_user_added": (IGNORED, {}),
    "stab_user_removed": (IGNORED, {}),
}
CALLBACKS = {name for name in EXPECTED if "callback" in name}


def load(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text("utf-8"))


def test_every_recorded_body_is_listed() -> None:
    assert {p.stem for p in PAYLOADS.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_recorded_body_parses_as_expected(name: str) -> None:
    kind, fields = EXPECTED[name]
    parsed = parse_update(load(name))
    if kind == IGNORED:
        assert parsed.inbound is None, parsed
        assert parsed.ignored
        return
    inbound = parsed.inbound
    assert inbound is not None, parsed.ignored
    assert inbound.kind == kind
    assert inbound.channel == "max"
    assert inbound.time.tzinfo is not None
    for field, value in fields.items():
        actual = getattr(inbound, field)
        if field in ("event_id", "file_id") and isinstance(value, str):
            assert actual.startswith(value), (field, actual)
        else:
            assert actual == value, (field, actual)
    assert 0 < len(inbound.event_id) <= 255
    assert (parsed.callback_id != "") == (name in CALLBACKS)


def test_ids_stay_exact_above_2_53() -> None:
    # json gives Python ints: no float on the way, so 2^53 + 1 is not 2^53.
    update = json.loads((PAYLOADS / "odd_ids_above_2_53.json").read_bytes())
    inbound = parse_update(update).inbound
    assert inbound is not None and inbound.user_id == "9007199254740993"
    assert update["message"]["body"]["seq"] == 9007199254740993
    assert user_id_of(9007199254740993) == "9007199254740993"
    assert user_id_of(float(9007199254740993)) is None  # a float is never taken for an id
    assert user_id_of(" 42 ") == "42" and user_id_of("4a") is None and user_id_of(True) is None
    assert user_id_of(0) is None


def test_the_same_update_has_the_same_identity_and_different_ones_differ() -> None:
    for name in EXPECTED:
        if EXPECTED[name][0] == IGNORED:
            continue
        first, again = parse_update(load(name)).inbound, parse_update(load(name)).inbound
        assert first is not None and again is not None
        assert first.event_id == again.event_id, name
    ids = [
        parse_update(load(n)).inbound.event_id  # type: ignore[union-attr]
        for n in EXPECTED
        if EXPECTED[n][0] != IGNORED
    ]
    assert len(ids) == len(set(ids))
    started = load("stab_bot_started")
    later = {**started, "timestamp": started["timestamp"] + 1}
    assert parse_update(started).inbound.event_id != parse_update(later).inbound.event_id  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "message_created",
        42,
        {},
        {"update_type": ""},
        {"update_type": 5},
        {"timestamp": 1786079712219, "message": {}},
    ],
)
def test_what_is_not_an_update_is_refused(body: Any) -> None:
    with pytest.raises(BadUpdate):
        parse_update(body)


@pytest.mark.parametrize(
    "update",
    [
        {"update_type": "message_created"},
        {"update_type": "message_created", "message": "text"},
        {"update_type": "message_created", "message": {"sender": {"user_id": None}}},
        {"update_type": "message_created", "message": {"sender": {"user_id": 1.5}, "body": {}}},
        {
            "update_type": "message_created",
            "message": {"sender": {"user_id": 7}, "body": {"text": None, "attachments": None}},
        },
        {
            "update_type": "message_created",
            "message": {"sender": {"user_id": 7, "is_bot": True}, "body": {"text": "hi"}},
        },
        {"update_type": "message_callback"},
        {"update_type": "message_callback", "callback": {"callback_id": "x"}},
        {"update_type": "bot_started", "user": []},
        {"update_type": "bot_stopped"},
        {"update_type": "bot_removed", "user": {"user_id": 7}, "is_channel": True},
        {
            "update_type": "message_created",
            "message": {
                "sender": {"user_id": 7},
                "recipient": {"chat_type": "channel"},
                "body": {"text": "hi"},
            },
        },
    ],
)
def test_unusable_updates_are_acknowledged_and_ignored(update: dict[str, Any]) -> None:
    parsed = parse_update(update)
    assert parsed.inbound is None and parsed.ignored


def test_a_group_callback_is_ignored_but_still_answered() -> None:
    update = load("stab_message_callback")
    update["message"]["recipient"]["chat_type"] = "chat"
    parsed = parse_update(update)
    assert parsed.inbound is None and parsed.callback_id


def test_a_forwarded_message_alone_counts_as_its_content() -> None:
    update = load("real_message_created_text")
    update["message"]["body"] = {"mid": "mid.forward1", "seq": 1, "text": ""}
    update["message"]["link"] = {"type": "forward", "message": {"mid": "mid.x", "text": "18300"}}
    inbound = parse_update(update).inbound
    assert inbound is not None and inbound.kind is InboundKind.TEXT and inbound.text == "18300"
    assert inbound.event_id == "mid.forward1"


def test_a_numbered_payload_is_the_typed_option() -> None:
    update = load("stab_message_callback")
    update["callback"]["payload"] = "#3"
    inbound = parse_update(update).inbound
    assert inbound is not None and inbound.kind is InboundKind.TEXT and inbound.text == "3"


def test_timestamps_in_seconds_and_nonsense_times() -> None:
    update = load("stab_bot_started")
    update["timestamp"] = 1775025604
    inbound = parse_update(update).inbound
    assert inbound is not None and inbound.time.year == 2026
    update["timestamp"] = 10**30
    inbound = parse_update(update).inbound
    assert inbound is not None and inbound.time.year >= 2026  # now, not a crash


@pytest.mark.parametrize(
    ("vcf", "phone"),
    [
        ("BEGIN:VCARD\r\nVERSION:3.0\r\nTEL;TYPE=cell:79990000000\r\nEND:VCARD", "79990000000"),
        ("BEGIN:VCARD\nitem1.TEL;TYPE=CELL:+7 (902) 555-01-02\nEND:VCARD", "+7 (902) 555-01-02"),
        ("BEGIN:VCARD\nTEL;VALUE=uri:tel:+79025550101\nEND:VCARD", "+79025550101"),
        ("BEGIN:VCARD\nTEL:+7902\r\n 5550101\nEND:VCARD", "+79025550101"),  # folded
        ("BEGIN:VCARD\nFN:Без телефона\nEND:VCARD", ""),
        ("BEGIN:VCARD\nTEL;TYPE=work:\nTEL:8 912 000-00-01\nEND:VCARD", "8 912 000-00-01"),
        ("", ""),
    ],
)
def test_vcf_phones(vcf: str, phone: str) -> None:
    assert vcf_phone(vcf) == phone


def test_a_contact_belongs_to_whom_max_info_names() -> None:
    assert contact_of({"vcf_info": "TEL:1", "max_info": {"user_id": 5}}) == ("1", "5")
    assert contact_of({"vcf_info": "TEL:1", "tam_info": {"user_id": "6"}}) == ("1", "6")
    assert contact_of({"vcf_info": "TEL:1"}) == ("1", None)
    assert contact_of({"max_info": {"user_id": 5, "phone": "+7900"}}) == ("+7900", "5")
