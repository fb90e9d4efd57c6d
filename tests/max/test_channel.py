"""Sending through MaxChannel against the fake: the request, MAX's errors as the sender's
outcomes, the upload of a receipt with attachment.not.ready, callback answers, chat pacing."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from itertools import pairwise
from urllib.parse import unquote

import pytest

from bots.channel import Rates, SendError
from bots.max.api import MaxApi, MaxApiError
from bots.max.channel import MaxChannel, Words, send_error
from dialogs.messages import Attachment, Button, Reply
from tests.fakes.max import FakeMax

USER = "9007199254740993"


@pytest.fixture
async def channel(fake_max: FakeMax) -> AsyncIterator[MaxChannel]:
    fake_max.add_user(USER)
    api = MaxApi(fake_max.token, fake_max.base_url, 5)
    channel = MaxChannel(api, Rates(30, 2, 1), Words.load("ru"))
    yield channel
    await channel.close()


async def test_a_reply_is_one_post_per_chunk_with_the_token_in_the_header(
    fake_max: FakeMax, channel: MaxChannel
) -> None:
    mid = await channel.send(USER, Reply("Здравствуйте", (Button("Меню", "go:menu"),)))
    (call,) = fake_max.calls_to("/messages")
    assert call.params == {"user_id": USER}
    assert call.headers["Authorization"] == fake_max.token
    assert "access_token" not in call.params
    assert mid == fake_max.delivered[-1].mid
    assert fake_max.delivered[-1].buttons == [
        {"type": "callback", "text": "Меню", "payload": "go:menu"}
    ]


@pytest.mark.parametrize(
    ("status", "code", "retry_after", "permanent", "blocks"),
    [
        (429, "too.many.requests", 7, False, False),
        (500, "internal.error", None, False, False),
        (503, "service.unavailable", None, False, False),
        (403, "chat.denied", None, True, True),
        (404, "chat.not.found", None, True, True),
        (404, "dialog.not.found", None, True, True),
        (400, "proto.payload", None, True, False),
        (401, "verify.token", None, False, False),
    ],
)
async def test_max_errors_become_the_sender_s_outcomes(
    fake_max: FakeMax,
    channel: MaxChannel,
    status: int,
    code: str,
    retry_after: int | None,
    permanent: bool,
    blocks: bool,
) -> None:
    fake_max.fail_next("/messages", status, code, "injected", retry_after=retry_after)
    with pytest.raises(SendError) as caught:
        await channel.send(USER, Reply("Здравствуйте"))
    error = caught.value
    assert (error.permanent, error.blocks) == (permanent, blocks), error.reason
    assert error.retry_after == (float(retry_after) if retry_after else None)
    assert code in error.reason


def test_errors_without_max_s_json_are_outages_not_customers() -> None:
    assert not send_error(MaxApiError(404, "", "<html>nginx</html>")).blocks
    assert not send_error(MaxApiError(502, "", "bad gateway")).permanent
    assert send_error(MaxApiError(429, "", "", retry_after=1.0)).retry_after == 1.0
    assert not send_error(MaxApiError(403, "verify.token", "Invalid access_token")).blocks


async def test_a_wrong_token_is_refused_with_verify_token(fake_max: FakeMax) -> None:
    fake_max.add_user(USER)
    channel = MaxChannel(MaxApi("wrong", fake_max.base_url, 5), Rates(30, 2, 1), Words.load())
    with pytest.raises(SendError) as caught:
        await channel.send(USER, Reply("x"))
    assert "verify.token" in caught.value.reason and not caught.value.permanent
    await channel.close()


async def test_a_receipt_is_uploaded_and_sent_once_ready(
    fake_max: FakeMax, channel: MaxChannel
) -> None:
    fake_max.not_ready_sends = 2  # MAX still processes the file for two tries
    pdf = b"%PDF-1.4 receipt"
    attachment = Attachment("квитанция.pdf", "application/pdf", base64.b64encode(pdf).decode())
    await channel.send(USER, Reply("Ваша квитанция", attachment=attachment))
    (upload,) = fake_max.uploads.values()
    assert upload.content == pdf and unquote(upload.filename) == "квитанция.pdf"
    calls = fake_max.calls_to("/messages")
    assert [c.status for c in calls] == [400, 400, 200]
    assert calls[0].response["code"] == "attachment.not.ready"
    (sent,) = fake_max.sent(USER)
    assert sent.attachments == [{"type": "file", "payload": {"token": upload.token}}]


async def test_a_chat_s_requests_are_paced_to_two_a_second(
    fake_max: FakeMax, channel: MaxChannel
) -> None:
    fake_max.callbacks["cb-1"] = USER
    text = "\n\n".join(["Абзац квитанции. " * 200] * 3)  # three messages
    await asyncio.gather(
        channel.answer_callback("cb-1", USER, "ru"), channel.send(USER, Reply(text))
    )
    times = [c.at for c in fake_max.calls if c.params.get("user_id", USER) == USER]
    assert len(times) == 4 and all(c.status == 200 for c in fake_max.calls)
    assert all(b - a >= 0.5 for a, b in pairwise(times))
    assert fake_max.answers[0].body == {"notification": "Принято"}


async def test_a_failed_callback_answer_is_only_logged(
    fake_max: FakeMax, channel: MaxChannel
) -> None:
    await channel.answer_callback("unknown", USER, "en")  # 404 from the fake: no exception
    fake_max.callbacks["cb-2"] = USER
    fake_max.fail_next("/answers", 503)
    await channel.answer_callback("cb-2", USER, "en")
    assert fake_max.answers == []


async def test_a_user_id_that_is_not_max_s_is_refused_without_a_call(
    fake_max: FakeMax, channel: MaxChannel
) -> None:
    with pytest.raises(SendError) as caught:
        await channel.send("web:abc", Reply("x"))
    assert caught.value.permanent and fake_max.calls == []
