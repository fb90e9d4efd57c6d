"""The language a reply carries (and the guess it replaces), and the per-channel words for
sharing a phone that the dialog's texts are filled with."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bots.meta.texts import language_of
from bots.meta.texts import text as own_text
from dialogs.context import channel_texts
from dialogs.i18n import LANGUAGES, catalog
from dialogs.messages import Button, Reply
from outbox.produce import send
from storage.database import Database
from storage.tables import outbox

# Texts that tell the customer how to share a phone (the dialogs fill {phone_hint} in).
PHONE_PROMPTS = (
    "link.ask_number",
    "link.not_own_contact",
    "visits.ask_phone",
    "contacts.ask_phone",
)
CHANNELS = ("telegram", "viber", "webchat", "whatsapp", "messenger", "terminal")
RUSSIAN_ADDRESSES = (
    "2 accounts are linked:\n"
    "• •••••••0003, Пермский край, г. Пермь, ул. Екатерининская, д. 120\n"
    "• •••••••0002, Пермский край, г. Пермь, Комсомольский пр-т, д. 32"
)


def test_the_language_travels_with_the_row_and_only_when_set() -> None:
    reply = Reply(RUSSIAN_ADDRESSES, (Button("Main menu", "go:menu"),), language="en")
    body = reply.to_dict()
    assert body["language"] == "en" and Reply.from_dict(body) == reply
    plain = Reply("Здравствуйте!").to_dict()
    assert "language" not in plain and Reply.from_dict(plain).language == ""


def test_the_replys_language_wins_over_its_letters() -> None:
    english = Reply(RUSSIAN_ADDRESSES, language="en")
    assert language_of(english) == "en"
    assert own_text("whatsapp.list_button", english) == "Choose"
    assert language_of(Reply("Choose an account:", language="ru")) == "ru"
    # A row queued before replies carried their language is still guessed from its letters.
    assert language_of(Reply("Выберите лицевой счёт:")) == "ru"
    assert language_of(Reply("Choose an account:")) == "en"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("channel", CHANNELS)
def test_every_text_with_a_phone_hint_reads_whole_in_every_channel(
    language: str, channel: str
) -> None:
    t = channel_texts(language, channel)
    keys = [k for k, v in catalog(language).items() if "{phone_hint}" in str(v)]
    assert set(PHONE_PROMPTS) <= set(keys)
    for key in keys:
        text = t(key)
        assert "{" not in text and t.phone_hint in text, (key, text)
        assert text.rstrip().endswith("."), text


@pytest.mark.parametrize("channel", ("telegram", "viber", "webchat", "terminal"))
def test_a_share_phone_button_is_named_by_its_label(channel: str) -> None:
    for language, label in (("ru", "«Поделиться телефоном»"), ("en", "«Share phone»")):
        t = channel_texts(language, channel)
        assert label in t("link.ask_number")
        # The label the channel shows is the catalog's button text, emoji aside.
        assert label.strip("«»") in t("common.share_phone_button")


def test_whatsapp_asks_for_the_contact_card_and_messenger_for_its_number_button() -> None:
    whatsapp = channel_texts("ru", "whatsapp")("link.ask_number")
    assert "контактную карточку" in whatsapp and "Поделиться" not in whatsapp
    assert "contact card" in channel_texts("en", "whatsapp")("link.not_own_contact")
    messenger = channel_texts("ru", "messenger")("visits.ask_phone")
    assert "кнопку со своим номером" in messenger and "Поделиться" not in messenger
    # Texts without the placeholder are untouched; explicit parameters still work.
    assert channel_texts("ru", "whatsapp")("common.menu") == "Главное меню"
    assert "5901234567" in channel_texts("en", "whatsapp")(
        "link.done", count=1, accounts="5901234567"
    )


async def test_the_consoles_messages_carry_the_customers_language(demo: Database) -> None:
    now = datetime.now(UTC)
    async with demo.unit_of_work() as store:
        customer = await store.customers.get_or_create("whatsapp", "79025550199", "", "en", now)
        conversation = await store.conversations.get_for_update(customer, now)
        row_id = await send(
            store,
            customer,
            conversation,
            lambda _: RUSSIAN_ADDRESSES,  # an operator's words, whatever their letters
            now,
            operator="Анна",
            menu_button=True,
        )
        await store.commit()
    async with demo.unit_of_work() as store:
        query = select(outbox.c.body).where(outbox.c.id == row_id)
        body = (await store.connection.execute(query)).scalar_one()
    reply = Reply.from_dict(body)
    assert reply.language == "en" and reply.buttons[0].label == "Main menu"
    assert own_text("whatsapp.list_button", reply) == "Choose"
