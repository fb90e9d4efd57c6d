"""The web chat's posts → neutral events, and replies/history as the page shows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bots.webchat.messages import PostError, history, parse_post, shown_reply
from dialogs.messages import Attachment, Button, InboundKind, Reply

NOW = datetime(2026, 3, 24, 9, 30, tzinfo=UTC)
SESSION = "s" * 32
EVENT = "0b8f7c3e-6a55-4f0e-9d1c-2b7c8e9f1a2b"


def post(**body: Any) -> Any:
    return parse_post({"event_id": EVENT, **body}, SESSION, NOW, max_text=50)


def test_text_button_start_and_contact_become_inbound_events_of_the_session() -> None:
    text = post(kind="text", text="  показания 12345  ")
    assert (text.channel, text.user_id, text.kind, text.text) == (
        "webchat",
        SESSION,
        InboundKind.TEXT,
        "показания 12345",
    )
    # Ids are kept per session: a retry is a duplicate, another session cannot collide.
    assert text.event_id == f"{SESSION}:{EVENT}"
    assert post(kind="button", payload="3:yes").payload == "3:yes"
    assert post(kind="button", payload="go:menu").kind is InboundKind.BUTTON
    assert post(kind="start").kind is InboundKind.START


def test_a_numbered_button_is_the_typed_number() -> None:
    inbound = post(kind="button", payload="#3")
    assert (inbound.kind, inbound.text) == (InboundKind.TEXT, "3")


def test_the_phone_field_is_the_customer_typing_their_number() -> None:
    # A web page cannot prove whose number it is: never a messenger's verified contact (which
    # would link an account), and never someone else's card (refused at a visit's phone step).
    inbound = post(kind="contact", phone="+7 912 345-67-89")
    assert (inbound.kind, inbound.text, inbound.phone) == (InboundKind.TEXT, "+7 912 345-67-89", "")


@pytest.mark.parametrize(
    ("body", "reason", "status"),
    [
        ({"kind": "text", "text": "x" * 51}, "too_long", 413),
        ({"kind": "text", "text": "   "}, "bad_request", 400),
        ({"kind": "text", "text": 5}, "bad_request", 400),
        ({"kind": "button", "payload": "x" * 257}, "bad_request", 400),
        ({"kind": "contact", "phone": "нет"}, "bad_phone", 400),
        ({"kind": "file"}, "bad_request", 400),
        ({"kind": "unknown"}, "bad_request", 400),
    ],
)
def test_bad_posts_are_refused(body: dict[str, Any], reason: str, status: int) -> None:
    with pytest.raises(PostError) as error:
        post(**body)
    assert (error.value.reason, error.value.status) == (reason, status)


@pytest.mark.parametrize("event_id", ["", "abc", "0b8f7c3e-6a55-4f0e-9d1c-2b7c8e9f1a2b:x", 5, None])
def test_the_event_id_must_be_a_uuid(event_id: Any) -> None:
    with pytest.raises(PostError):
        parse_post({"event_id": event_id, "kind": "start"}, SESSION, NOW, 50)


def test_a_reply_shows_its_buttons_phone_field_operator_and_attachment() -> None:
    reply = Reply(
        "Введите номер",
        (Button("Отмена", "go:menu"),),
        request_phone=True,
        phone_label="📱 Отправить мой номер",
    )
    shown = shown_reply(reply, "k1").to_dict()
    assert shown["side"] == "bot"
    assert shown["buttons"] == [{"label": "Отмена", "payload": "go:menu"}]
    assert shown["phone"] == "📱 Отправить мой номер"
    operator = shown_reply(Reply("Здравствуйте", operator="Анна"), "k2").to_dict()
    assert (operator["side"], operator["operator"], operator["phone"]) == ("operator", "Анна", None)
    pdf = Attachment("receipt.pdf", "application/pdf", "JVBERi0=")
    links: list[tuple[int, str]] = []

    def media(row_id: int, filename: str) -> str:
        links.append((row_id, filename))
        return f"/media/signed-{row_id}/{filename}"

    with_file = shown_reply(
        Reply("Квитанция", attachment=pdf), "k3", row_id=7, media=media
    ).to_dict()
    assert with_file["attachment"] == {
        "kind": "document",
        "filename": "receipt.pdf",
        "media_type": "application/pdf",
        "url": "/media/signed-7/receipt.pdf",
    }
    assert links == [(7, "receipt.pdf")]
    png = Attachment("qr.png", "image/png", "iVBORw0KGgo=")
    image = shown_reply(Reply("QR", attachment=png), "k4", row_id=8, media=media).to_dict()
    assert image["attachment"]["kind"] == "image"
    # A greeting previewed has no row, so no link: the file is not shown (nor its bytes).
    assert shown_reply(Reply("Квитанция", attachment=pdf), "k5", media=media).attachment is None


def test_more_buttons_than_fit_become_numbered_text() -> None:
    buttons = tuple(Button(f"Пункт {n}", f"1:p{n}") for n in range(1, 15))
    shown = shown_reply(Reply("Выберите", buttons), "k").to_dict()
    assert shown["buttons"] == []
    assert "14 — Пункт 14" in shown["text"]


@dataclass
class Event:
    id: int
    body: dict[str, Any]
    at: datetime


@dataclass
class Row:
    id: int
    user_id: str
    body: dict[str, Any]
    at: datetime
    platform_id: str | None


def test_history_merges_by_time_and_shows_pressed_buttons_by_their_label() -> None:
    t = [NOW + timedelta(seconds=n) for n in range(4)]
    menu = Reply("Чем помочь?", (Button("Баланс", "go:balance"),)).to_dict()
    events = [
        Event(1, {"kind": "start", "text": "/start", "event_id": f"{SESSION}:e1"}, t[0]),
        Event(2, {"kind": "button", "payload": "go:balance", "event_id": f"{SESSION}:e2"}, t[1]),
        Event(3, {"kind": "text", "text": "<b>привет</b>", "event_id": f"{SESSION}:e3"}, t[2]),
        Event(4, {"kind": "text", "erased": True}, t[3]),
    ]
    rows = [
        Row(10, SESSION, menu, t[0], "p10"),
        Row(11, SESSION, Reply("Согласны?").to_dict(), t[1], None),
        Row(12, SESSION, {"erased": True}, t[2], "p12"),
        Row(13, SESSION, Reply("Я Анна", operator="Анна").to_dict(), t[3], "p13"),
    ]
    shown = history(events, rows, limit=100)
    assert [(m.side, m.text, m.key) for m in shown] == [
        ("bot", "Чем помочь?", "p10"),
        ("customer", "Баланс", "sent-e2"),
        ("bot", "Согласны?", "row-11"),
        ("customer", "<b>привет</b>", "sent-e3"),
        ("operator", "Я Анна", "p13"),
    ]
    assert [m.text for m in history(events, rows, limit=2)] == ["<b>привет</b>", "Я Анна"]
