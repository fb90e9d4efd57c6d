"""Get Started payloads other tools set up, the page's policy notices, and what a Messenger
customer reads about sharing their phone."""

from __future__ import annotations

import logging

import pytest

from bots.messenger import parse_body
from dialogs.messages import InboundKind
from tests.fakes.graph import PAGE_ID
from tests.fakes.graph import webhooks as build
from tests.meta.harness import Harness

SPELLINGS = ["GET_STARTED", "__GET_STARTED__", "get_started", "GET_STARTED_PAYLOAD", "get-started"]


@pytest.mark.parametrize("payload", SPELLINGS)
async def test_a_new_person_is_welcomed_whatever_the_get_started_payload(
    meta: Harness, payload: str
) -> None:
    psid = "7000000000000101"
    sent = await meta.deliver("messenger", build.fb_postback(psid, payload, "Get Started"))
    text = meta.text(sent)
    assert "Здравствуйте" in text and "неактуальны" not in text, text


@pytest.mark.parametrize(
    ("payload", "started"),
    [
        *((p, True) for p in SPELLINGS),
        ("Get Started", True),
        ("go:menu", False),
        ("12:tar:mine", False),
        ("GET", False),
        ("STARTED", False),
        ("", False),
    ],
)
def test_what_counts_as_get_started(payload: str, started: bool) -> None:
    body = build.fb_postback("7000000000000104", payload, "Get Started")
    (inbound,) = parse_body(body).inbounds if payload else (None,)
    if started:
        assert inbound is not None and inbound.kind is InboundKind.START
    else:  # our own payloads are buttons; an empty one is a postback without payload
        assert inbound is None or inbound.kind is not InboundKind.START


def test_the_get_started_referral_comes_along() -> None:
    body = build.fb_postback("7000000000000102", "__GET_STARTED__", "Get Started")
    body["entry"][0]["messaging"][0]["postback"]["referral"] = {
        "source": "SHORTLINK",
        "type": "OPEN_THREAD",
        "ref": "receipt",
    }
    (inbound,) = parse_body(body).inbounds
    assert inbound.kind is InboundKind.START and inbound.payload == "receipt"


async def test_a_policy_notice_is_a_warning_and_nothing_else(
    meta: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    event = {
        "recipient": {"id": PAGE_ID},
        "timestamp": 1458692752478,
        "policy-enforcement": {"action": "block", "reason": "The bot violated our policies."},
    }
    with caplog.at_level(logging.DEBUG, logger="bots.messenger"):
        status, _ = await meta.post("messenger", build.fb_notification(event))
    assert status == 200
    (record,) = [r for r in caplog.records if "policy" in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert "block" in record.getMessage() and "violated our policies" in record.getMessage()
    assert await meta.inbox() == [] and meta.fake.calls == []


async def test_the_phone_is_asked_for_with_the_button_messenger_shows(meta: Harness) -> None:
    psid = "7000000000000103"
    await meta.deliver("messenger", build.fb_postback(psid, "GET_STARTED", "Начать"))
    await meta.fb_press(psid, "Мои лицевые счета")
    await meta.fb_press(psid, "Привязать")
    sent = await meta.fb_press(psid, "Даю согласие")
    asked = meta.text(sent)
    # Messenger's button shows the number itself, not «Поделиться телефоном».
    assert "кнопку со своим номером телефона" in asked and "Поделиться" not in asked, asked
    assert ("user_phone_number", "user_phone_number") in sent[-1].options
