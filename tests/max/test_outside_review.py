"""What an outside review of the MAX plug-in found: each test failed before its fix."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bots.channel import Rates, SendContext, SendError
from bots.max.api import MaxApi, MaxApiError
from bots.max.channel import MaxChannel, Words, send_error
from dialogs.messages import Reply
from outbox.produce import notify
from tests.fakes.max import FakeMax
from tests.fakes.max import updates as build
from tests.max.harness import Harness, find_button

USER = "9007199254740993"


@pytest.fixture
async def channel(fake_max: FakeMax) -> AsyncIterator[MaxChannel]:
    fake_max.add_user(USER)
    api = MaxApi(fake_max.token, fake_max.base_url, 5)
    channel = MaxChannel(api, Rates(30, 2, 1), Words.load("ru"))
    yield channel
    await channel.close()


# 1. bots/max/channel.py send_error: a 404 that is not MAX's JSON (a wrong api_base, a proxy's
#    page) is documented (bots/max/README.md, "Errors → the sender") as "retried with backoff",
#    but falls through to the generic 4xx branch and is permanent: the reply is dropped.
def test_a_404_without_max_s_json_is_retried_not_dropped() -> None:
    error = send_error(MaxApiError(404, "", "<html><body>404 Not Found</body></html>"))
    assert not error.blocks
    assert not error.permanent, "a transient outage drops the customer's reply for good"


# 2. bots/max/updates.py _READERS: bot_removed is "the bot removed from a chat or channel"
#    (schema 2026-07-01, BotRemovedFromChatUpdate; PLATFORMS.md §5 lists it with the group
#    events), and its `user` is the admin who removed it. Taking it as STOPPED for that user
#    marks the admin's own one-to-one dialog blocked: group chats must be ignored (issue 15).
async def test_the_bot_removed_from_a_group_does_not_stop_the_admin_s_dialog(
    mx: Harness,
) -> None:
    user = 7301
    await mx.start(user)
    removed = {
        "update_type": "bot_removed",
        "timestamp": 1786079712219,
        "chat_id": -70801090403050,  # the house's group chat
        "user": mx.fake.users[str(user)].as_dict(),
        "user_id": user,
        "is_channel": False,
    }
    status, _ = await mx.post(removed)
    assert status == 200
    assert (await mx.conversation(user))["send_blocked"] is None
    # A supply interruption notice to the same customer must still reach their dialog.
    conversation = await mx.conversation(user)
    async with mx.database.unit_of_work() as store:
        await notify(
            store, conversation["customer_id"], lambda _: "Отключение 12.03", datetime.now(UTC)
        )
        await store.commit()
    mx.services.sender.wake()
    await mx.settle()
    assert "Отключение 12.03" in mx.fake.texts(user)


# 3. bots/max/channel.py send: a reply split in chunks is posted chunk by chunk with no memory
#    of what went; a 429 (or any transient error) on a later chunk makes the outbox send the
#    whole row again, so the customer gets the first chunks twice. MAX has no idempotency key;
#    SendContext.row_id is there for exactly this.
async def test_a_split_reply_retried_after_a_429_does_not_repeat_its_first_chunk(
    fake_max: FakeMax, channel: MaxChannel
) -> None:
    first, second = "А" * 3500, "Б" * 3500
    reply = Reply(f"{first}\n\n{second}")
    context = SendContext(datetime.now(UTC), datetime.now(UTC), row_id=42)
    original = fake_max._send
    posted = 0

    def second_post_refused(call: Any) -> dict[str, Any]:
        nonlocal posted
        posted += 1
        if posted == 2:
            from tests.fakes.max.errors import MaxError

            raise MaxError(429, "too.many.requests", "Too many requests", retry_after=1)
        return original(call)

    fake_max._send = second_post_refused  # type: ignore[method-assign]
    with pytest.raises(SendError) as caught:
        await channel.send(USER, reply, context)
    assert caught.value.retry_after is not None
    await asyncio.sleep(1.1)
    await channel.send(USER, reply, context)  # the outbox's retry of the same row
    assert fake_max.texts(USER) == [first, second], [t[:1] for t in fake_max.texts(USER)]


# 4. bots/max/plugin.py build / channel.py: MAX's 30 requests/s count every request of the bot
#    (PLATFORMS.md §5: "30 requests/s overall ... 429 on excess"), but the outbox's Rates(30, ..)
#    count only outbox rows, while callback answers (one per press) go straight to POST /answers
#    outside any global limit. A busy minute of presses gets 429s, and a refused answer is never
#    retried: the customer's button keeps spinning.
async def test_simultaneous_presses_are_all_answered_within_max_s_global_rate(
    mx: Harness,
) -> None:
    users = list(range(7401, 7446))
    for user in users:
        await mx.start(user)
    await asyncio.sleep(1.1)  # MAX's window is clear
    updates = []
    for user in users:
        message = [s for s in mx.fake.sent(user) if s.keyboard][-1]
        button = find_button(message.buttons, "Передать показания")
        updates.append(build.callback(mx.fake, user, button["payload"], on_mid=message.mid))
    results = await asyncio.gather(*(mx.post(update) for update in updates))
    assert all(status == 200 for status, _ in results)
    await mx.settle()
    await asyncio.sleep(1.0)  # answers are sent in the background
    refused = [(c.path, c.status) for c in mx.fake.calls if c.status == 429]
    unanswered = [u for u in updates if not mx.fake.answered(u["callback"]["callback_id"])]
    assert not unanswered, f"{len(unanswered)} presses never answered; 429s: {refused}"
