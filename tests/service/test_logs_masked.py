"""A real `energobot serve` with JSON logs at DEBUG: a customer's whole journey through the
Telegram webhook (the fake Bot API on the other side), then every line the process logged is
checked — valid JSON, and none carries the account number, the phone or the surname."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import re
import secrets
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from energobot.logs import JsonFormatter
from storage.database import Database
from storage.tables import customers
from tests.conftest import fresh_database_url
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram import updates as build
from tests.service.test_serve import free_port
from tests.telegram.harness import SECRET, Harness

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 90

# The demo's customer (energobot/demo/accounts.csv).
ACCOUNT = "5901000003"
SURNAME = "Кузнецова"
PHONE_DIGITS = "9195550103"  # +7 919 555-01-03 without the country code
EMAIL = "t.kuznetsova@example.ru"


class Served:
    """The process, the log file it writes and a Harness whose client talks to it."""

    def __init__(self, process: asyncio.subprocess.Process, log: Path, harness: Harness) -> None:
        self.process = process
        self.log = log
        self.harness = harness

    def lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8").splitlines()


@pytest.fixture
async def served(fake_telegram: FakeTelegram, tmp_path: Path) -> AsyncIterator[Served]:
    fake_telegram.rate_limits = False
    url = await fresh_database_url(tmp_path)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENERGOBOT_")}
    env.update(
        ENERGOBOT_CONFIG=str(ROOT / "config.yaml"),
        ENERGOBOT_DATABASE__URL=url,
        ENERGOBOT_SERVER__HOST="127.0.0.1",
        ENERGOBOT_SERVER__PORT=str(port),
        ENERGOBOT_CONSOLE__SESSION_KEY=secrets.token_urlsafe(32),
        ENERGOBOT_WEBCHAT__ENABLED="false",
        ENERGOBOT_LOGGING__LEVEL="DEBUG",
        ENERGOBOT_LOGGING__JSON_FORMAT="true",
        ENERGOBOT_OUTBOX__POLL_SECONDS="0.05",
        ENERGOBOT_TELEGRAM__ENABLED="true",
        ENERGOBOT_TELEGRAM__MODE="webhook",
        ENERGOBOT_TELEGRAM__TOKEN=fake_telegram.token,
        ENERGOBOT_TELEGRAM__WEBHOOK_SECRET=SECRET,
        ENERGOBOT_TELEGRAM__API_BASE=fake_telegram.base_url,
        # The app's own pacing off: the test is about logs, not about waiting a second a reply.
        ENERGOBOT_TELEGRAM__RATE_PER_SECOND="0",
        ENERGOBOT_TELEGRAM__CHAT_RATE_PER_SECOND="0",
    )
    log = tmp_path / "serve.log"
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "energobot",
            "serve",
            "--demo",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )
    base = f"http://127.0.0.1:{port}"
    database = Database(url)
    try:
        async with aiohttp.ClientSession(base_url=base) as session:
            await wait_ready(session, process, log)
            # Harness only needs the client's post(); the app is in the other process.
            yield Served(process, log, Harness(None, session, fake_telegram, database))  # type: ignore[arg-type]
    finally:
        await database.dispose()
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


async def wait_ready(
    session: aiohttp.ClientSession, process: asyncio.subprocess.Process, log: Path
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT_SECONDS
    while True:
        try:
            async with session.get("/readyz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        if process.returncode is not None or loop.time() > deadline:
            pytest.fail(f"energobot serve did not get ready:\n{tail(log)}")
        await asyncio.sleep(0.2)


def tail(log: Path) -> str:
    return log.read_text(encoding="utf-8")[-3000:]


def leaks(line: str) -> list[str]:
    """What of the customer's data a log line shows in the clear."""
    found = []
    # Digits with the separators people and programs put between them: +7 (919) 555-01-03,
    # 8-919-555-01-03, 79195550103 ... all become one run of digits.
    digits = re.sub(r"[\s\u00a0()+\-‐-―.]", "", line)
    if ACCOUNT in digits:
        found.append("account number")
    if PHONE_DIGITS in digits:
        found.append("phone")
    if SURNAME.casefold() in line.casefold():
        found.append("surname")
    if EMAIL in line:
        found.append("e-mail")
    return found


async def test_a_whole_journey_logs_json_without_personal_data(served: Served) -> None:
    tg, chat = served.harness, 7301
    await tg.start(chat)
    # Consent, then the account by number and surname.
    await tg.press(chat, "Мои лицевые счета")
    await tg.press(chat, "Привязать")
    await tg.press(chat, "Даю согласие")
    await tg.say(chat, ACCOUNT)
    sent = await tg.say(chat, SURNAME.upper())  # as some people type it
    assert "привязан" in tg.text(sent), tg.text(sent)
    # A reading.
    await tg.press(chat, "Передать показания")
    sent = await tg.say(chat, "18300")
    assert "приняты" in tg.text(sent), tg.text(sent)
    # The balance.
    sent = await tg.say(chat, "какой у меня баланс")
    assert "₽" in tg.text(sent), tg.text(sent)
    # The phone: typed where a number is asked for, then shared with the contact button.
    await tg.say(chat, "меню")
    sent = await tg.press(chat, "Вызвать мастера")
    sent = await tg.press(chat, "Контрольное снятие")
    await tg.press(chat, sent[-1].buttons[0][0]["text"])  # the first day offered
    sent = await tg.press(chat, "08:00")
    sent = await tg.say(chat, "8 (919) 555-01-03")
    sent = await tg.share_contact(chat, "+79195550103")
    sent = await tg.press(chat, "Без комментария")
    sent = await tg.press(chat, "Да")
    assert "Заявка №" in tg.text(sent), tg.text(sent)
    # An operator, and what the customer explains meanwhile.
    sent = await tg.say(chat, "оператор")
    assert "оператор" in tg.text(sent).casefold()
    await tg.say(chat, f"Я {SURNAME}, счёт {ACCOUNT}, телефон 89195550103, почта {EMAIL}")
    # A duplicate and an update the bot ignores, which log at INFO and DEBUG.
    update = build.text_update(chat, f"{SURNAME} {ACCOUNT}", fake=tg.fake)
    assert (await tg.post(update))[0] == 200
    assert (await tg.post(update))[0] == 200
    edited = build.edited_update(chat, f"{SURNAME} +7 919 555 01 03", fake=tg.fake)
    assert (await tg.post(edited))[0] == 200
    await tg.settle()

    served.process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(served.process.wait(), 30) == 0
    lines = served.lines()
    assert len(lines) > 20, lines  # DEBUG logs plenty: an empty log would prove nothing
    loggers = set()
    for number, line in enumerate(lines, 1):
        record = json.loads(line)  # every line is one JSON object
        assert {"time", "level", "logger", "message"} <= record.keys(), line
        loggers.add(record["logger"])
        assert not leaks(line), f"line {number} shows the {leaks(line)}: {line}"
    # The journey itself was logged (the duplicate), not only the start-up.
    assert any("duplicate event telegram/" in line for line in lines), loggers


async def test_a_failed_statement_is_logged_without_its_values(database: Database) -> None:
    """A turn that fails on the database is logged with its traceback; SQLAlchemy's message
    carries the statement's values, which must not reach the log."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.logs_masked")
    logger.addHandler(handler)
    row = {
        "channel": "telegram",
        "user_id": PHONE_DIGITS,
        "display_name": f"{SURNAME} {EMAIL}",
        "language": "ru",
        "created_at": datetime.now(UTC),
    }
    try:
        async with database.unit_of_work() as store:
            await store.connection.execute(insert(customers).values(**row))
            with pytest.raises(IntegrityError) as raised:
                await store.connection.execute(insert(customers).values(**row))
            assert SURNAME in str(raised.value)  # SQLAlchemy does put the values there
            try:
                raise raised.value
            except IntegrityError:
                logger.exception("event telegram/1 failed")
    finally:
        logger.removeHandler(handler)
    (line,) = stream.getvalue().splitlines()
    record = json.loads(line)
    assert "IntegrityError" in record["error"] and "[parameters hidden]" in record["error"]
    assert not leaks(line), line
