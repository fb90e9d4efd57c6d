"""A wish about the notices themselves is settings, whatever topic the notices are about; a
question or news about one notice is not."""

from __future__ import annotations

import pytest

from dialogs.nlu import Intent, Topic, analyze


@pytest.mark.parametrize(
    "text",
    [
        "не присылайте уведомления о долге",
        "включи уведомления об отключениях",
        "хочу получать уведомления о выезде мастера",
        "отпишитесь от напоминаний",
        "хватит слать рассылку",
        "не надо мне напоминания про показания",
        "stop sending reminders",
        # Without naming the notices (player round 1).
        "хватит спамить",
        "перестаньте присылать сообщения",
        "не пишите мне больше",
        "больше не присылайте мне ничего",
        "присылайте только про отключения",
        "присылайте всё кроме долга",
        "отпишите меня от всего кроме отключений",
        "уведомления только про отключения и мастера",
    ],
)
def test_a_wish_about_notices_is_settings(text: str) -> None:
    analysis = analyze(text)
    assert (analysis.intent, analysis.topic) == (Intent.OTHER, Topic.REMINDERS)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("будет ли оповещение об отключении света", Intent.OUTAGE_REPORT),
        ("пришлите квитанцию", Intent.RECEIPT),
        ("напомните сколько я должен", Intent.BALANCE_DEBT),
        ("уведомление об ограничении пришло что делать", Intent.BALANCE_DEBT),
        ("не пишите показания", Intent.SUBMIT_READING),
        ("света нет", Intent.OUTAGE_REPORT),
        ("перестаньте начислять пени", Intent.BALANCE_DEBT),
    ],
)
def test_news_or_questions_about_one_notice_keep_their_intent(text: str, intent: Intent) -> None:
    assert analyze(text).intent is intent
