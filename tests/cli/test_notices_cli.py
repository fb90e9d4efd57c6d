"""`energobot notices run --at …` and `energobot outages import` as operations run them: the real
command in its own process, the Telegram fake receiving what it sends, the demo billing data."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from storage.database import Database
from storage.tables import outbox
from tests.fakes.telegram.server import FakeTelegram

FIRST_CHAT = 5000
POSTS = -1001234567890  # the company's Telegram channel


def environment(database_url: str, fake: FakeTelegram) -> dict[str, str]:
    return {
        **os.environ,
        "ENERGOBOT_DATABASE__URL": database_url,
        "ENERGOBOT_TELEGRAM__ENABLED": "true",
        "ENERGOBOT_TELEGRAM__TOKEN": fake.token,
        "ENERGOBOT_TELEGRAM__API_BASE": fake.base_url,
        "ENERGOBOT_TELEGRAM__WEBHOOK_SECRET": "notices-test-secret",
        "ENERGOBOT_WEBCHAT__ENABLED": "false",
        "ENERGOBOT_OUTBOX__HEARTBEAT_SECONDS": "0.5",
        "ENERGOBOT_OUTBOX__POLL_SECONDS": "0.1",
    }


async def energobot(env: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "energobot",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode()


async def link(database: Database, fake: FakeTelegram, chat_id: int, account: str) -> None:
    fake.add_chat(chat_id)
    now = datetime.now(UTC)
    async with database.unit_of_work() as store:
        customer = await store.customers.get_or_create("telegram", str(chat_id), "", "ru", now)
        await store.conversations.get_for_update(customer, now)
        await store.accounts.link(customer.id, account, "surname", now)
        await store.commit()


def reminders(fake: FakeTelegram, chat_id: int) -> list[str]:
    return [text for text in fake.texts(chat_id) if "передать показания" in text]


async def test_reminders_reach_each_linked_customer_once_however_often_it_runs(
    demo: Database, database_url: str, fake_telegram: FakeTelegram
) -> None:
    await link(demo, fake_telegram, FIRST_CHAT, "5901000001")
    await link(demo, fake_telegram, FIRST_CHAT + 1, "5901000002")
    await link(demo, fake_telegram, FIRST_CHAT + 2, "5901000004")  # a smart meter
    env = environment(database_url, fake_telegram)
    code, output = await energobot(env, "notices", "run", "--at", "2026-12-23T10:00")
    assert code == 0, output
    assert "reading_reminder:2026-12: 2 queued" in output
    assert len(reminders(fake_telegram, FIRST_CHAT)) == 1
    assert len(reminders(fake_telegram, FIRST_CHAT + 1)) == 1
    assert reminders(fake_telegram, FIRST_CHAT + 2) == []
    code, output = await energobot(env, "notices", "run", "--at", "2026-12-23T15:00")
    assert code == 0, output
    assert len(reminders(fake_telegram, FIRST_CHAT)) == 1
    code, output = await energobot(env, "notices", "status")
    assert code == 0 and "reading_reminder:2026-12" in output, output


async def test_an_outage_schedule_reaches_the_addresses_it_names_once(
    demo: Database, database_url: str, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    await link(demo, fake_telegram, FIRST_CHAT, "5901000001")  # г. Пермь, ул. Ленина, д. 64
    await link(demo, fake_telegram, FIRST_CHAT + 1, "5901000002")  # Комсомольский пр-т, д. 32
    schedule = tmp_path / "outages.csv"
    schedule.write_text(
        "settlement,street,houses,start,end,kind,reason\n"
        "г. Пермь,улица Ленина,60-70 чётные,2026-12-24T10:00,2026-12-24T16:00,planned,"
        "замена опор\n"
        "Пермь,Сибирская,,2026-12-24T09:00,2026-12-24T12:00,planned,\n"
        "Пермь,Сибирская,1-,2026-12-24T09:00,2026-12-24T12:00,sometimes,\n",
        encoding="utf-8",
    )
    env = environment(database_url, fake_telegram)
    # Each outage is also posted once in the company's channel.
    fake_telegram.add_chat(
        POSTS, type="channel", title="Энергосбыт", username="energosbyt_news", first_name=None
    )
    env["ENERGOBOT_NOTICES__OUTAGE_POST__CHANNEL"] = "telegram"
    env["ENERGOBOT_NOTICES__OUTAGE_POST__CHAT_ID"] = "@energosbyt_news"
    code, output = await energobot(env, "outages", "import", str(schedule))
    assert code == 0, output
    assert "2 new outages, 0 already known, 1 rows with errors" in output
    code, output = await energobot(env, "outages", "import", str(schedule))
    assert "0 new outages, 2 already known" in output
    code, output = await energobot(env, "notices", "run", "--at", "2026-12-23T10:00")
    assert code == 0, output
    told = [t for t in fake_telegram.texts(FIRST_CHAT) if "отключение" in t.lower()]
    assert len(told) == 1 and "замена опор" in told[0] and "10:00" in told[0]
    assert not [t for t in fake_telegram.texts(FIRST_CHAT + 1) if "отключение" in t.lower()]
    # Running again, or importing again, tells nobody twice.
    await energobot(env, "outages", "import", str(schedule))
    await energobot(env, "notices", "run", "--at", "2026-12-23T18:00")
    again = [t for t in fake_telegram.texts(FIRST_CHAT) if "отключение" in t.lower()]
    assert len(again) == 1
    posts = fake_telegram.texts(POSTS)
    assert len(posts) == 2 and any("Ленина, дома 60-70 чётные" in post for post in posts)
    # After the end, those told hear that the supply is back.
    await energobot(env, "notices", "run", "--at", "2026-12-24T16:30")
    back = [t for t in fake_telegram.texts(FIRST_CHAT) if "восстановлено" in t]
    assert len(back) == 1


async def test_killed_mid_broadcast_and_run_again_nobody_gets_it_twice(
    demo: Database, database_url: str, fake_telegram: FakeTelegram
) -> None:
    chats = range(FIRST_CHAT, FIRST_CHAT + 150)
    for chat in chats:
        await link(demo, fake_telegram, chat, "5901000001")
    env = environment(database_url, fake_telegram)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "energobot",
        "notices",
        "run",
        "--at",
        "2026-12-23T10:00",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    for _ in range(300):  # until part of the broadcast has left (30 a second)
        await asyncio.sleep(0.05)
        if len(fake_telegram.delivered) >= 40:
            break
    process.send_signal(signal.SIGKILL)
    await process.wait()
    partly = len(fake_telegram.delivered)
    assert 0 < partly < len(chats)
    await asyncio.sleep(1.6)  # three heartbeats: the killed process is found gone
    code, output = await energobot(env, "notices", "run", "--at", "2026-12-23T10:20")
    assert code == 0, output
    counts = {chat: len(reminders(fake_telegram, chat)) for chat in chats}
    assert max(counts.values()) == 1, "a reminder was sent twice"
    async with demo.unit_of_work() as store:
        result = await store.connection.execute(  # type: ignore[attr-defined]
            select(outbox.c.user_id, outbox.c.status, outbox.c.last_error).where(
                outbox.c.kind == "reading_reminder"
            )
        )
        rows = result.all()
    missing = [chat for chat, count in counts.items() if count == 0]
    interrupted = [int(user) for user, status, error in rows if error == "interrupted"]
    # Nothing lost without a record: one in flight at the kill (it may have arrived) is known
    # as such and not sent again.
    assert set(missing) <= set(interrupted) and len(interrupted) <= 2
    assert len(rows) == len(chats)


async def test_two_processes_at_once_tell_each_customer_once(
    demo: Database, database_url: str, fake_telegram: FakeTelegram
) -> None:
    chats = range(FIRST_CHAT, FIRST_CHAT + 60)
    for chat in chats:
        await link(demo, fake_telegram, chat, "5901000002")
    env = environment(database_url, fake_telegram)
    runs = await asyncio.gather(
        energobot(env, "notices", "run", "--at", "2026-12-23T10:00"),
        energobot(env, "notices", "run", "--at", "2026-12-23T10:00"),
    )
    assert all(code == 0 for code, _ in runs), runs
    queued = [line for _, out in runs for line in out.splitlines() if "reading_reminder" in line]
    assert queued == ["reading_reminder:2026-12: 60 queued"], queued  # one process took the job
    assert {chat: len(reminders(fake_telegram, chat)) for chat in chats} == dict.fromkeys(chats, 1)
