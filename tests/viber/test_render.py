"""Rendering within Viber's limits, judged by the fake's own validation of send_message."""

from __future__ import annotations

import base64
import json

from hypothesis import given
from hypothesis import strategies as st

from bots.channel import Rates
from bots.viber import LIMITS, Sender, ViberApi, ViberChannel, render
from bots.viber.api import encode
from bots.viber.tracking import decode
from dialogs.messages import Attachment, Button, Reply
from tests.fakes.viber import FakeViber
from tests.fakes.viber.checks import REQUEST_MAX_BYTES, check_message, check_size, rows_of
from tests.fakes.viber.models import Webhook

SENDER = Sender("Энергосбыт", "https://energosbyt.example/a.jpg")
USER = "r3nD3r+User/1A=="


def valid(body: dict) -> dict:
    """What Viber would get for this body: checked as the fake checks it."""
    request = {"receiver": USER, **body}
    check_size(len(encode(request)))
    check_message(request)
    return request


def menu(count: int, version: int = 17) -> tuple[Button, ...]:
    return tuple(Button(f"Пункт {i}", f"{version}:item{i}") for i in range(count))


def test_buttons_sit_on_the_six_column_grid_and_carry_their_payloads() -> None:
    buttons = (
        Button("Да", "17:yes"),
        Button("Нет", "17:no"),
        Button("Вызвать мастера на дом в рабочее время", "go:visits"),
        Button("Главное меню", "go:menu"),
    )
    (body,) = render(Reply("Подтвердите, пожалуйста.", buttons), SENDER)
    valid(body)
    keyboard = body["keyboard"]
    rows = rows_of(keyboard)
    assert [[b["Text"] for b in row] for row in rows] == [
        ["Да", "Нет"],
        ["Вызвать мастера на дом в рабочее время"],
        ["Главное меню"],
    ]
    assert all(sum(b["Columns"] for b in row) == 6 for row in rows)
    assert [b["ActionBody"] for b in keyboard["Buttons"]] == [
        "17:yes",
        "17:no",
        "go:visits",
        "go:menu",
    ]
    assert {b["ActionType"] for b in keyboard["Buttons"]} == {"reply"}
    tracking = decode(body["tracking_data"])
    assert tracking is not None and tracking.version == 17 and not tracking.phone
    assert tracking.payloads == ("17:yes", "17:no", "go:visits", "go:menu")
    assert "min_api_version" not in body  # only the share-phone button needs one


def test_the_share_phone_button_needs_api_level_3() -> None:
    reply = Reply(
        "Нажмите кнопку, чтобы поделиться номером.",
        (Button("Отмена", "go:menu"),),
        request_phone=True,
        phone_label="📱 Поделиться телефоном",
    )
    (body,) = render(reply, SENDER)
    valid(body)
    share, cancel = body["keyboard"]["Buttons"]
    assert share["ActionType"] == "share-phone" and share["ActionBody"]
    assert share["Text"] == "📱 Поделиться телефоном" and share["Columns"] == 6
    assert cancel["ActionBody"] == "go:menu"
    assert body["min_api_version"] == 3
    assert decode(body["tracking_data"]).phone  # type: ignore[union-attr]
    del body["min_api_version"]
    try:
        valid(body)
    except Exception as exc:  # the fake refuses it without the api level
        assert "share-phone needs min_api_version 3" in str(exc)
    else:
        raise AssertionError("the fake took share-phone without min_api_version")


def test_long_labels_and_html_in_labels_stay_within_250() -> None:
    label = "<b>Счёт</b> & " + "очень длинное название " * 20
    (body,) = render(Reply("Выберите.", (Button(label, "3:x"),)), SENDER)
    valid(body)
    text = body["keyboard"]["Buttons"][0]["Text"]
    assert len(text) <= 250 and text.startswith("&lt;b&gt;Счёт&lt;/b&gt; &amp; ")
    assert text.endswith("…")


def test_long_texts_are_split_below_7000_with_the_keyboard_on_every_part() -> None:
    paragraph = "Показания принимаются с 23 по 25 число каждого месяца. " * 20
    text = "\n\n".join(f"{i}. {paragraph}" for i in range(20))  # about 23 000 characters
    bodies = render(Reply(text, menu(3)), SENDER)
    assert len(bodies) >= 4
    for body in bodies:
        valid(body)
        assert len(body["text"]) <= 7000
        assert body["keyboard"] == bodies[-1]["keyboard"]  # the client shows the last one
    assert " ".join(b["text"] for b in bodies).split() == text.split()  # nothing lost


def test_a_full_keyboard_and_7000_wide_characters_still_fit_30_kb() -> None:
    text = "漢" * 6999 + "字"  # 3 bytes each: 21 KB of text alone
    buttons = tuple(Button("Ж" * 100 + str(i), f"9:{'x' * 60}"[:64]) for i in range(12))
    bodies = render(Reply(text, buttons), SENDER)
    for body in bodies:
        assert len(encode({"receiver": USER, **body})) <= REQUEST_MAX_BYTES
        valid(body)
    assert "".join(b["text"] for b in bodies) == text


def test_more_buttons_than_fit_become_numbered_text_without_a_keyboard() -> None:
    (body,) = render(Reply("Выберите счёт:", menu(LIMITS.buttons_max + 1)), SENDER)
    valid(body)
    assert "keyboard" not in body and "1 — Пункт 0" in body["text"]


def test_a_reply_without_buttons_carries_no_keyboard_and_no_attachment() -> None:
    pdf = Attachment("receipt.pdf", "application/pdf", base64.b64encode(b"%PDF-1.4").decode())
    (body,) = render(Reply("Квитанция за ноябрь.", attachment=pdf), SENDER)
    valid(body)
    assert "keyboard" not in body
    assert body["type"] == "text" and body["text"] == "Квитанция за ноябрь."
    assert decode(body["tracking_data"]).payloads == ()  # type: ignore[union-attr]


labels = st.text(min_size=1, max_size=300).filter(lambda s: s.strip())
payloads = st.text(min_size=1, max_size=120).filter(lambda s: s.strip())


@given(
    text=st.text(max_size=9000),
    buttons=st.lists(st.tuples(labels, payloads), max_size=14),
    phone=st.booleans(),
)
def test_whatever_the_reply_viber_takes_every_body(
    text: str, buttons: list[tuple[str, str]], phone: bool
) -> None:
    reply = Reply(
        text, tuple(Button(label, payload) for label, payload in buttons), request_phone=phone
    )
    bodies = render(reply, SENDER)
    assert bodies
    for body in bodies:
        valid(body)
        json.loads(encode(body))  # a lone surrogate would not even encode


async def test_sending_through_the_fake_returns_the_exact_last_token(
    fake_viber: FakeViber,
) -> None:
    fake_viber.webhook = Webhook("https://bot.example/webhooks/viber")
    fake_viber.add_user(USER)
    api = ViberApi(fake_viber.token, fake_viber.base_url, timeout=5)
    channel = ViberChannel(api, Rates(0, 0), SENDER)
    try:
        token = await channel.send(USER, Reply("Слово " * 3000, menu(2)))
    finally:
        await channel.close()
    sent = fake_viber.sent(USER)
    assert len(sent) == 3
    assert token == str(sent[-1].message_token) and int(token) > 2**53
    call = fake_viber.calls_to("send_message")[0]
    assert call.headers["X-Viber-Auth-Token"] == fake_viber.token
    assert "auth_token" not in call.body
    assert all(s.body["sender"] == SENDER.as_dict() for s in sent)
