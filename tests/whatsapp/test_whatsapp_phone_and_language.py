"""What a WhatsApp customer reads about sharing their phone, in which language the channel's own
words come, and what an edited or deleted message gets (nothing)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from storage.tables import account_links
from tests.fakes.graph import webhooks as build
from tests.meta.harness import Harness

CARD_STEPS = "нажмите 📎 (или «+»), выберите «Контакт» и отметьте себя"


async def press_first(meta: Harness, user: str) -> str:
    """Tap the first option of the last interactive message (days and slots follow the clock)."""
    sent = meta.last_with_options(user)
    assert sent is not None
    title, _ = sent.options[0]
    return meta.text(await meta.wa_press(user, title))


async def to_the_account_number(meta: Harness, user: str) -> str:
    await meta.wa_say(user, "Здравствуйте")
    await meta.wa_press(user, "Мои лицевые счета")
    await meta.wa_press(user, "Привязать")
    return meta.text(await meta.wa_press(user, "Даю согласие"))


async def test_the_account_step_tells_once_how_to_send_the_contact_card(meta: Harness) -> None:
    user = "79025550177"  # no account has this phone
    asked = await to_the_account_number(meta, user)
    assert "номер лицевого счёта" in asked
    # WhatsApp has no share-phone button: the dialog's own words say what to do, once.
    assert asked.count("контактную карточку") == 1 and CARD_STEPS in asked, asked
    assert "Поделиться телефоном" not in asked
    # The step takes an account number: a typed phone would be refused, so none is offered.
    assert "написать номер" not in asked

    foreign = meta.text(await meta.wa_share_contact(user, "+7 902 555-01-01", own=False))
    assert "только по своему номеру" in foreign
    assert foreign.count("контактную карточку") == 1 and "Поделиться" not in foreign, foreign

    # Their own card, but billing has no account with that phone: the answer says so and asks
    # for the account number, without the card instructions the customer has just followed.
    unknown = meta.text(await meta.wa_share_contact(user, "+7 902 555-01-77"))
    assert "не привязан ни один лицевой счёт" in unknown
    assert "контактную карточку" not in unknown and "Поделиться" not in unknown, unknown
    assert await meta.rows(select(account_links)) == []


async def test_the_technician_visit_asks_for_the_card_or_a_typed_phone(meta: Harness) -> None:
    user = "79195550103"  # Кузнецова's phone: her own card links 5901000003
    await to_the_account_number(meta, user)
    linked = meta.text(await meta.wa_share_contact(user, "+7 919 555-01-03"))
    assert "лицевой счёт привязан" in linked, linked
    await meta.wa_press(user, "Вызвать мастера")
    await meta.wa_press(user, "Опломбировка")
    await press_first(meta, user)  # the first free day
    asked = await press_first(meta, user)  # its first slot
    assert "Как с вами связаться?" in asked and "+7 912 345-67-89" in asked
    # No button to press here, only the card or a typed number.
    assert asked.count("контактную карточку") == 1 and "кнопк" not in asked, asked

    foreign = meta.text(await meta.wa_share_contact(user, "+7 902 555-01-01", own=False))
    assert "контакт другого человека" in foreign and "Поделиться" not in foreign, foreign
    assert foreign.count("контактную карточку") == 1, foreign  # in the repeated question only
    typed = meta.text(await meta.wa_say(user, "+7 912 345-67-89"))
    assert "уточнить для мастера" in typed, typed


async def test_an_english_customer_gets_english_list_buttons_beside_russian_addresses(
    meta: Harness,
) -> None:
    user = "79195550103"
    await to_the_account_number(meta, user)
    await meta.wa_share_contact(user, "+7 919 555-01-03")
    await meta.wa_press(user, "Настройки")
    await meta.wa_press(user, "Язык")
    await meta.wa_press(user, "English")
    await meta.wa_press(user, "My accounts")
    await meta.wa_press(user, "Link another")
    await meta.wa_say(user, "5901000002")
    linked = meta.text(await meta.wa_say(user, "Смирнов"))
    assert "the account is linked" in linked, linked
    sent = await meta.wa_press(user, "My accounts")
    lists = [s for s in sent if s.kind == "interactive:list"]
    assert lists, [s.kind for s in sent]
    listed = lists[-1]
    # Two Russian addresses outweigh the English words of the text: the language is the
    # customer's, not a guess from the letters.
    assert "Комсомольский" in listed.text and "Екатерининская" in listed.text
    assert listed.body["interactive"]["action"]["button"] == "Choose"


EDIT_TEXT = {
    "original_message_id": "wamid.original",
    "message": {"type": "text", "text": {"body": "5901000003"}},
}
EDIT_CAPTION = {
    "original_message_id": "wamid.original",
    "message": {"type": "image", "image": {"caption": "квитанция", "id": "65463453"}},
}


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("edit", EDIT_TEXT),
        ("edit", EDIT_CAPTION),
        ("revoke", {"original_message_id": "wamid.original"}),
        ("deleted", {}),
    ],
)
async def test_an_edited_or_deleted_message_is_acknowledged_and_not_answered(
    meta: Harness, kind: str, content: dict[str, object]
) -> None:
    user = "79025550188"
    assert "номер лицевого счёта" in await to_the_account_number(meta, user)
    before = await meta.inbox()
    sent = await meta.deliver("whatsapp", build.wa_body(user, kind, content))
    assert sent == []  # neither «I understand only text» nor a step taken twice
    assert await meta.inbox() == before
    # The open question stays open: the account number typed now is taken.
    assert "фамилию" in meta.text(await meta.wa_say(user, "5901000003"))


async def test_account_notices_are_logged_as_warnings(
    meta: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    value = {
        "event": "ACCOUNT_VIOLATION",
        "violation_info": {"violation_type": "SCAM"},
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "account_update", "value": value}]}],
    }
    with caplog.at_level(logging.DEBUG, logger="bots.whatsapp"):
        status, _ = await meta.post("whatsapp", body)
    assert status == 200
    (record,) = [r for r in caplog.records if "ACCOUNT_VIOLATION" in r.getMessage()]
    assert record.levelno == logging.WARNING and "SCAM" in record.getMessage()
