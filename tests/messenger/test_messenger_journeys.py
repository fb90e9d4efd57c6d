"""Customer journeys over Messenger end to end, the 24-hour window and the HUMAN_AGENT tag."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from dialogs.messages import Reply
from energobot.exchange import export_readings
from storage.tables import account_links, escalations
from tests.fakes.graph import webhooks as build
from tests.meta.harness import Harness


async def exported(meta: Harness) -> list[dict[str, str]]:
    out = io.StringIO()
    async with meta.database.unit_of_work() as store:
        await export_readings(store, None, "csv", out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


async def start(meta: Harness, psid: str) -> None:
    sent = await meta.deliver("messenger", build.fb_postback(psid, "GET_STARTED", "Начать"))
    assert "Здравствуйте" in meta.text(sent)


async def test_linking_by_the_profile_phone_and_a_reading_stored_once(meta: Harness) -> None:
    psid = "7000000000000001"
    await start(meta, psid)
    await meta.fb_press(psid, "Мои лицевые счета")
    await meta.fb_press(psid, "Привязать")
    await meta.fb_press(psid, "Даю согласие")
    sent = await meta.fb_share_phone(psid, "+79025550101")  # Иванова's phone in billing
    assert "привязан" in meta.text(sent), meta.text(sent)
    (linked,) = await meta.rows(select(account_links))
    assert linked["account_number"] == "5901000001"
    await meta.fb_press(psid, "Передать показания")
    body = build.fb_text(psid, "день 23500 ночь 8170")  # a two-zone meter
    sent = await meta.deliver("messenger", body)
    assert "приняты" in meta.text(sent), meta.text(sent)
    assert await meta.deliver("messenger", body) == []  # delivered twice: one turn
    rows = await exported(meta)
    assert sorted((r["account"], r["register"], r["value"], r["channel"]) for r in rows) == [
        ("5901000001", "T1", "23500", "messenger"),
        ("5901000001", "T2", "8170", "messenger"),
    ]
    assert meta.fake.refused == [] and meta.fake.truncated == []


async def test_tariffs_from_the_persistent_menu(meta: Harness) -> None:
    psid = "7000000000000002"
    await start(meta, psid)
    sent = await meta.deliver("messenger", build.fb_postback(psid, "go:tariffs", "Тарифы"))
    assert "тариф" in meta.text(sent).casefold()
    sent = await meta.fb_press(psid, "Рассчитать стоимость")
    sent = await meta.fb_say(psid, "день 180 ночь 70")
    assert "Итого" in meta.text(sent)
    assert meta.fake.refused == [] and meta.fake.truncated == []


async def test_operator_replies_inside_24_hours_then_with_the_tag_then_refused(
    meta: Harness,
) -> None:
    psid = "7000000000000003"
    await start(meta, psid)
    await meta.fb_say(psid, "соедините с оператором")
    assert len(await meta.rows(select(escalations))) == 1
    row = await meta.enqueue("messenger", psid, Reply("Здравствуйте, это Анна.", operator="Анна"))
    assert row["status"] == "sent"
    assert meta.fake.sent(psid)[-1].body["messaging_type"] == "RESPONSE"

    await meta.age("messenger", psid, hours=48)
    row = await meta.enqueue("messenger", psid, Reply("Ваш вопрос решён.", operator="Анна"))
    assert row["status"] == "sent"
    last = meta.fake.sent(psid)[-1].body
    assert (last["messaging_type"], last["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    bot = await meta.enqueue("messenger", psid, Reply("Напоминание от бота"))
    assert bot["status"] == "failed" and bot["last_error"] == "refused: window_closed"

    await meta.age("messenger", psid, hours=24 * 8)
    before = len(meta.fake.delivered)
    late = await meta.enqueue("messenger", psid, Reply("Опоздал", operator="Анна"))
    assert late["status"] == "failed" and late["last_error"] == "refused: tag_expired"
    assert len(meta.fake.delivered) == before


async def test_a_person_no_longer_available_blocks_the_conversation(meta: Harness) -> None:
    psid = "7000000000000004"
    await start(meta, psid)
    meta.fake.blocked.add(psid)
    row = await meta.enqueue("messenger", psid, Reply("Ответ", operator="Анна"))
    assert row["status"] == "failed" and "551" in row["last_error"]
    conversation = await meta.conversation("messenger", psid)
    assert conversation["send_blocked"]
