"""bots/telegram/updates.py: every recorded body parses to what the payloads README says, and
no JSON value makes parse_update raise anything but BadUpdate."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bots.telegram import BadUpdate, parse_update
from dialogs.messages import InboundKind
from tests.fakes.telegram.payloads import garbage_bodies, load_payload, payload_names

USER = "384756129"  # the sender of every private-chat payload
K = InboundKind

# What each recorded body becomes (tests/payloads/telegram/README.md); None: acknowledged, ignored.
EXPECTED: dict[str, InboundKind | None] = {
    "text": K.TEXT,
    "start": K.START,
    "start_deep_link": K.START,
    "callback_query": K.BUTTON,
    "callback_query_inaccessible": K.BUTTON,
    "callback_query_stale": K.BUTTON,
    "contact_own": K.CONTACT,
    "contact_foreign": K.CONTACT,
    "contact_no_user_id": K.CONTACT,
    "photo_caption": K.FILE,
    "document_pdf": K.FILE,
    "sticker": K.UNSUPPORTED,
    "voice": K.UNSUPPORTED,
    "location": K.UNSUPPORTED,
    "edited_message": None,
    "my_chat_member_kicked": K.STOPPED,
    "my_chat_member_member": K.RESUMED,
    "group_message": None,
    "supergroup_message": None,
    "channel_post": None,
    "odd_no_chat_type": K.TEXT,  # the README allows dropping it too; see the test below
    "odd_unknown_fields": K.TEXT,
    "odd_is_bot_string": K.TEXT,
    "long_text_4096": K.TEXT,
    "html_like_text": K.TEXT,
    "emoji_only": K.TEXT,
    "chat_member": None,
    "message_reaction": None,
    "poll": None,
    "pre_checkout_query": None,
    "inline_query": None,
    "business_message": None,
}


def test_every_recorded_payload_has_an_expectation() -> None:
    assert sorted(EXPECTED) == payload_names()


@pytest.mark.parametrize("name", payload_names())
def test_recorded_payload_parses_as_the_readme_says(name: str) -> None:
    body = load_payload(name)
    parsed = parse_update(body)
    assert parsed.update_id == body["update_id"]
    expected = EXPECTED[name]
    if name == "odd_no_chat_type":
        # "log and drop, or treat as private": either is right, a crash is not.
        assert parsed.inbound is None or parsed.inbound.kind is K.TEXT
        return
    if expected is None:
        assert parsed.inbound is None, parsed.inbound
        assert parsed.ignored  # a reason for the log
        return
    inbound = parsed.inbound
    assert inbound is not None, parsed.ignored
    assert inbound.kind is expected
    assert inbound.channel == "telegram"
    assert inbound.user_id == USER
    assert inbound.event_id == str(body["update_id"])  # the dedup key


def test_messages_carry_what_the_dialog_needs() -> None:
    text = parse_update(load_payload("text")).inbound
    assert text is not None and text.text == load_payload("text")["message"]["text"]
    assert text.display_name == "Ирина Соколова" and text.language == "ru"
    deep = parse_update(load_payload("start_deep_link")).inbound
    assert deep is not None and deep.payload == "site_lk"
    plain = parse_update(load_payload("start")).inbound
    assert plain is not None and plain.payload == ""
    html_like = parse_update(load_payload("html_like_text")).inbound
    assert html_like is not None and html_like.text == "<script>alert(1)</script> & <b>"
    long = parse_update(load_payload("long_text_4096")).inbound
    assert long is not None and long.text == load_payload("long_text_4096")["message"]["text"]


def test_files_keep_the_largest_photo_and_the_caption() -> None:
    body = load_payload("photo_caption")
    photo = parse_update(body).inbound
    assert photo is not None
    assert photo.file_id == body["message"]["photo"][-1]["file_id"]
    assert photo.text == body["message"]["caption"]
    document = parse_update(load_payload("document_pdf")).inbound
    assert document is not None
    assert document.file_id == load_payload("document_pdf")["message"]["document"]["file_id"]


def test_only_the_senders_own_contact_counts_as_own() -> None:
    own = parse_update(load_payload("contact_own")).inbound
    foreign = parse_update(load_payload("contact_foreign")).inbound
    unknown = parse_update(load_payload("contact_no_user_id")).inbound
    assert own is not None and own.own_contact
    assert own.phone == load_payload("contact_own")["message"]["contact"]["phone_number"]
    assert foreign is not None and not foreign.own_contact
    assert unknown is not None and not unknown.own_contact


def test_callback_queries_are_to_be_answered() -> None:
    for name in ("callback_query", "callback_query_inaccessible", "callback_query_stale"):
        body = load_payload(name)
        parsed = parse_update(body)
        assert parsed.callback_id == body["callback_query"]["id"], name
        assert parsed.inbound is not None
        assert parsed.inbound.payload == body["callback_query"]["data"]
    assert not parse_update(load_payload("text")).callback_id


def test_a_numbered_button_comes_back_as_the_typed_number() -> None:
    body = load_payload("callback_query")
    body["callback_query"]["data"] = "#3"
    inbound = parse_update(body).inbound
    assert inbound is not None and (inbound.kind, inbound.text) == (K.TEXT, "3")


def test_bots_do_not_talk_to_the_bot() -> None:
    body = load_payload("text")
    body["message"]["from"]["is_bot"] = True
    assert parse_update(body).inbound is None
    body["message"]["from"]["is_bot"] = "true"
    assert parse_update(body).inbound is None


@pytest.mark.parametrize("name", sorted(set(garbage_bodies()) - {"too_large_2mb"}))
def test_garbage_that_is_json_is_a_bad_update(name: str) -> None:
    import json

    try:
        value = json.loads(garbage_bodies()[name])
    except ValueError:
        return  # not JSON at all: the webhook refuses it before parsing (see test_webhook)
    with pytest.raises(BadUpdate):
        parse_update(value)


# -- properties --------------------------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def fields(**known: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A dict with any subset of the known fields (each of its type or any JSON value)."""
    return st.fixed_dictionaries(
        {}, optional={key: strategy | json_values for key, strategy in known.items()}
    )


ids = st.integers(min_value=-(2**63), max_value=2**63) | st.integers()
users = fields(
    id=ids,
    is_bot=st.booleans() | st.sampled_from(["true", "false", "1", ""]),
    first_name=st.text(max_size=20),
    last_name=st.text(max_size=20),
    language_code=st.text(max_size=12),
)
chats = fields(id=ids, type=st.sampled_from(["private", "group", "supergroup", "channel"]))
any_dates = st.integers() | st.floats()
# Unix times of any size (the focused property below): integers() alone rarely passes year 9999.
dates = any_dates | st.integers(min_value=2**35, max_value=2**70)
contacts = fields(phone_number=st.text(max_size=20), user_id=ids)
photos = st.lists(fields(file_id=st.text(max_size=10)), max_size=3)
messages = fields(
    message_id=ids,
    date=any_dates,
    chat=chats,
    **{"from": users},
    text=st.text(max_size=30) | st.sampled_from(["/start", "/start x", "/start@bot", "/startx"]),
    caption=st.text(max_size=10),
    contact=contacts,
    photo=photos,
    document=fields(file_id=st.text(max_size=10)),
    sticker=json_values,
)
queries = fields(
    id=st.text(max_size=10),
    data=st.text(max_size=64) | st.sampled_from(["#1", "#", "#x", "3:go:menu"]),
    message=messages,
    **{"from": users},
)
members = fields(
    chat=chats,
    date=any_dates,
    new_chat_member=fields(status=st.sampled_from(["kicked", "left", "member", "creator", "x"])),
    **{"from": users},
)
updates = st.builds(
    lambda update_id, body: {"update_id": update_id, **body},
    ids,
    fields(
        message=messages,
        edited_message=messages,
        callback_query=queries,
        my_chat_member=members,
        channel_post=messages,
    ),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_any_json_value_is_parsed_or_refused_as_a_bad_update(value: Any) -> None:
    with contextlib.suppress(BadUpdate):
        parse_update(value)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(updates)
def test_an_object_with_an_integer_update_id_never_fails(update: dict[str, Any]) -> None:
    parsed = parse_update(update)
    assert parsed.update_id == update["update_id"]
    if parsed.inbound is not None:
        assert parsed.inbound.event_id == str(update["update_id"])
        assert parsed.inbound.user_id  # someone to answer


# Bodies Telegram could plausibly send: a private chat, a person, then any field odd.
private_chats = st.fixed_dictionaries(
    {"id": st.integers(min_value=1, max_value=2**52)},
    optional={"type": st.just("private"), "first_name": st.text(max_size=10)},
)
people = st.fixed_dictionaries(
    {"id": st.integers(min_value=1, max_value=2**52), "is_bot": st.just(False)},
    optional={"first_name": st.text(max_size=10), "language_code": st.text(max_size=10)},
)
private_messages = st.fixed_dictionaries(
    {"chat": private_chats, "from": people},
    optional={
        "message_id": ids,
        "date": dates | json_values,
        "text": st.text(max_size=30),
        "contact": contacts,
        "photo": photos,
        "document": fields(file_id=st.text(max_size=10)),
        "location": json_values,
    },
)
private_members = st.fixed_dictionaries(
    {
        "chat": private_chats,
        "from": people,
        "new_chat_member": st.fixed_dictionaries({"status": st.sampled_from(["kicked", "member"])}),
    },
    optional={"date": dates | json_values},
)
private_updates = st.builds(
    lambda update_id, kind, body: {"update_id": update_id, kind: body},
    st.integers(min_value=1, max_value=2**53),
    st.sampled_from(["message", "edited_message"]),
    private_messages,
) | st.builds(
    lambda update_id, body: {"update_id": update_id, "my_chat_member": body},
    st.integers(min_value=1, max_value=2**53),
    private_members,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(private_updates)
def test_a_private_message_with_any_odd_field_never_fails(update: dict[str, Any]) -> None:
    parsed = parse_update(update)
    assert parsed.update_id == update["update_id"]


def test_a_date_beyond_the_calendar_is_not_a_crash() -> None:
    """Found by the property above: a message `date` past year 9999 raised ValueError (and
    OverflowError for larger ones) out of parse_update, i.e. a 500 from the webhook."""
    for date in (10**12, 2**63, 10**30):
        body = load_payload("text")
        body["message"]["date"] = date
        parsed = parse_update(body)
        assert parsed.inbound is not None and parsed.inbound.kind is K.TEXT


@pytest.mark.parametrize(
    "chat, sender",
    [
        ({"type": "private"}, {"first_name": "X", "is_bot": False}),  # no ids anywhere
        ({"id": 880000148.0, "type": "private"}, {"id": 880000148.0, "is_bot": False}),
        ({"id": True, "type": "private"}, {"id": "7", "is_bot": False}),
    ],
)
def test_a_message_without_an_integer_chat_id_is_ignored(
    chat: dict[str, Any], sender: dict[str, Any]
) -> None:
    update = {
        "update_id": 5,
        "message": {"message_id": 1, "date": 1, "chat": chat, "from": sender, "text": "привет"},
    }
    parsed = parse_update(update)
    assert parsed.inbound is None and parsed.ignored
