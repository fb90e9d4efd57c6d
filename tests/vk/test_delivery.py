"""VkChannel against the fake VK API: messages.send as VK takes it, a retried outbox row sent
once, VK's errors turned into the sender's outcomes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bots.channel import Rates, SendContext, SendError
from bots.vk.api import VkApi
from bots.vk.channel import VkChannel
from bots.vk.errors import VkApiError, send_error
from bots.vk.events import EventAnswer
from dialogs.messages import Button, Reply
from tests.fakes.vk import FakeVk
from tests.fakes.vk import errors as codes

USER = 206295116
MENU = (Button("Передать показания", "go:readings"), Button("Баланс и оплата", "go:balance"))


def context(row_id: int) -> SendContext:
    return SendContext(datetime.now(UTC), datetime.now(UTC), row_id)


@pytest.fixture
async def channel(fake_vk: FakeVk) -> AsyncIterator[VkChannel]:
    fake_vk.add_user(USER)
    api = VkApi(fake_vk.token, fake_vk.base_url, fake_vk.api_version, timeout=2)
    vk = VkChannel(api, Rates(20, 1, 3))
    yield vk
    await vk.close()


async def test_a_message_as_vk_takes_it(channel: VkChannel, fake_vk: FakeVk) -> None:
    message_id = await channel.send(str(USER), Reply("Что хотите сделать?", MENU), context(7))
    (sent,) = fake_vk.sent(USER)
    assert message_id == str(sent.message_id)
    assert sent.text == "Что хотите сделать?" and sent.labels == [b.label for b in MENU]
    (call,) = fake_vk.calls_to("messages.send")
    # The token in the header, never in the form (it would reach access logs via proxies).
    assert call.headers["Authorization"] == f"Bearer {fake_vk.token}"
    assert "access_token" not in call.params
    assert call.params["v"] == "5.199" and call.params["peer_id"] == str(USER)
    assert json.loads(call.params["keyboard"])["inline"] is True


async def test_a_retried_row_is_not_a_second_message(channel: VkChannel, fake_vk: FakeVk) -> None:
    long = "\n\n".join(["Строка показаний " * 300] * 4)  # three parts
    first = await channel.send(str(USER), Reply(long, MENU), context(12))
    parts = len(fake_vk.sent(USER))
    assert parts > 1
    # The sender lost the answer (a timeout after VK sent it) and tries the row again.
    again = await channel.send(str(USER), Reply(long, MENU), context(12))
    assert again == first and len(fake_vk.sent(USER)) == parts
    assert sum(call.repeated for call in fake_vk.calls_to("messages.send")) == parts
    # Another row is another message, even with the same text.
    await channel.send(str(USER), Reply(long, MENU), context(13))
    assert len(fake_vk.sent(USER)) == 2 * parts


async def test_a_part_failing_midway_is_sent_once_when_the_row_is_retried(
    channel: VkChannel, fake_vk: FakeVk
) -> None:
    long = "\n\n".join([f"Часть {i}: " + "строка показаний " * 400 for i in range(3)])
    fake_vk.fail_next("messages.send", codes.INTERNAL, after=1)  # the second part fails
    with pytest.raises(SendError) as failed:
        await channel.send(str(USER), Reply(long), context(30))
    assert not failed.value.permanent and len(fake_vk.sent(USER)) == 1
    await channel.send(str(USER), Reply(long), context(30))  # the sender tries the row again
    texts = fake_vk.texts(USER)
    assert len(texts) == 3 and [t[:7] for t in texts] == ["Часть 0", "Часть 1", "Часть 2"]


async def test_sent_outside_the_outbox_gets_random_negative_ids(
    channel: VkChannel, fake_vk: FakeVk
) -> None:
    await channel.send(str(USER), Reply("Раз"))
    await channel.send(str(USER), Reply("Раз"))
    first, second = fake_vk.sent(USER)
    assert first.random_id < 0 and second.random_id < 0 and first.random_id != second.random_id


@pytest.mark.parametrize(
    ("code", "permanent", "blocks", "retry_after"),
    [
        (codes.TOO_MANY, False, False, 1.0),
        (codes.FLOOD, False, False, 30.0),
        (codes.DENY_SEND, True, True, None),
        (codes.PRIVACY, True, True, None),
        (codes.AUTH, False, False, None),  # the message waits for a working token
        (codes.PERMISSION, False, False, None),
        (codes.PARAM, True, False, None),
        (codes.TOO_LONG, True, False, None),
        (codes.INTERNAL, False, False, None),
        (codes.UNKNOWN, False, False, None),
    ],
)
async def test_vk_errors_become_the_sender_s_outcomes(
    channel: VkChannel,
    fake_vk: FakeVk,
    code: int,
    permanent: bool,
    blocks: bool,
    retry_after: float | None,
) -> None:
    fake_vk.fail_next("messages.send", code)
    with pytest.raises(SendError) as failed:
        await channel.send(str(USER), Reply("Показания приняты"), context(3))
    error = failed.value
    assert (error.permanent, error.blocks, error.retry_after) == (permanent, blocks, retry_after)
    assert f"vk error {code}" in error.reason
    if code == codes.AUTH:
        assert "ENERGOBOT_VK__TOKEN" in error.reason


async def test_a_user_who_denied_messages_blocks(channel: VkChannel, fake_vk: FakeVk) -> None:
    fake_vk.deny(USER)
    with pytest.raises(SendError) as failed:
        await channel.send(str(USER), Reply("Напоминание"), context(4))
    assert failed.value.blocks and "901" in failed.value.reason


async def test_a_wrong_token_is_error_5(fake_vk: FakeVk) -> None:
    fake_vk.add_user(USER)
    vk = VkChannel(VkApi("vk1.a.wrong", fake_vk.base_url), Rates(20, 1, 3))
    try:
        with pytest.raises(SendError) as failed:
            await vk.send(str(USER), Reply("Здравствуйте"), context(5))
    finally:
        await vk.close()
    assert not failed.value.permanent and "error 5" in failed.value.reason


async def test_http_errors_and_timeouts_are_transient(channel: VkChannel, fake_vk: FakeVk) -> None:
    fake_vk.fail_next("messages.send", http_status=502)
    with pytest.raises(SendError) as failed:
        await channel.send(str(USER), Reply("Здравствуйте"), context(6))
    assert not failed.value.permanent and failed.value.retry_after is None
    fake_vk.fail_next("messages.send", http_status=429, retry_after=7)
    with pytest.raises(SendError) as failed:
        await channel.send(str(USER), Reply("Здравствуйте"), context(6))
    assert failed.value.retry_after == 7.0
    fake_vk.delay_next("messages.send", 3)  # longer than the client's 2 s
    with pytest.raises(SendError) as failed:
        await channel.send(str(USER), Reply("Здравствуйте"), context(6))
    assert not failed.value.permanent and "in time" in failed.value.reason
    await asyncio.sleep(1.2)  # VK sent it meanwhile: the retry is not a second message
    await channel.send(str(USER), Reply("Здравствуйте"), context(6))
    assert fake_vk.texts(USER) == ["Здравствуйте"]


async def test_the_rate_limit_is_error_6_with_a_wait(channel: VkChannel, fake_vk: FakeVk) -> None:
    for row in range(1, 21):
        await channel.send(str(USER), Reply(f"Сообщение {row}"), context(row))
    with pytest.raises(SendError) as failed:
        await channel.send(str(USER), Reply("Двадцать первое"), context(21))
    assert failed.value.retry_after == 1.0 and "error 6" in failed.value.reason


async def test_without_bot_capabilities_the_options_are_numbered(
    channel: VkChannel, fake_vk: FakeVk
) -> None:
    fake_vk.bot_features = False  # keyboards refused with 912
    await channel.send(str(USER), Reply("Что хотите сделать?", MENU), context(8))
    (sent,) = fake_vk.sent(USER)
    assert sent.keyboard is None
    assert "1 — Передать показания" in sent.text and "2 — Баланс и оплата" in sent.text
    assert [c.error_code for c in fake_vk.calls] == [912, 0]
    # Keyboards are not tried again for a while: one call per message.
    await channel.send(str(USER), Reply("Спасибо"), context(9))
    await channel.send(str(USER), Reply("Выберите", MENU), context(10))
    assert [c.error_code for c in fake_vk.calls] == [912, 0, 0, 0]
    assert all("keyboard" not in c.params for c in fake_vk.calls[1:])
    assert "2 — Баланс и оплата" in fake_vk.texts(USER)[-1]


async def test_a_keyboard_vk_refuses_is_sent_as_numbered_lines(
    channel: VkChannel, fake_vk: FakeVk
) -> None:
    fake_vk.fail_next("messages.send", 911)
    await channel.send(str(USER), Reply("Что хотите сделать?", MENU), context(11))
    assert "1 — Передать показания" in fake_vk.texts(USER)[-1]
    await channel.send(str(USER), Reply("Выберите", MENU), context(12))  # the next has one
    assert fake_vk.sent(USER)[-1].keyboard is not None


async def test_not_a_user_id_is_permanent(channel: VkChannel, fake_vk: FakeVk) -> None:
    for user in ("2000000001", "-218730916", "abc", ""):
        with pytest.raises(SendError) as failed:
            await channel.send(user, Reply("Здравствуйте"), context(10))
        assert failed.value.permanent
    assert fake_vk.calls == []


async def test_callback_presses_are_answered_once_and_failures_only_logged(
    channel: VkChannel, fake_vk: FakeVk
) -> None:
    press = fake_vk.press(USER)
    await channel.answer_event(EventAnswer(press.event_id, USER, USER))
    assert [a["event_id"] for a in press.answers] == [press.event_id]
    await channel.answer_event(EventAnswer("unknown", USER, USER))  # VK refuses: no raise


def test_unreached_errors_say_so() -> None:
    error = send_error(VkApiError(-1, "HTTP 502", "messages.send", http_status=502))
    assert not error.permanent and error.reason == "vk in messages.send: HTTP 502"
