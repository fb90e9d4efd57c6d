"""What a request says beyond its intent: reminders on/off, language, contact, tariff subject."""

from __future__ import annotations

import pytest

from dialogs.nlu import (
    ContactField,
    TariffQuestion,
    contact_field,
    settings_request,
    tariff_question_kind,
)


@pytest.mark.parametrize(
    ("text", "wish"),
    [
        ("отключите напоминания", False),
        ("выключить напоминания", False),
        ("не выключайте напоминания", True),
        ("не надо отключать напоминания", True),
        ("нужно отключить напоминания", False),
        ("включите напоминания", True),
        ("не присылайте напоминалки", False),
        ("хватит присылать напоминания", False),
        ("перестаньте напоминать", False),
        ("хватит напоминаний", False),
        ("мне не нужны напоминания", False),
        ("напоминания больше не нужны", False),
        ("напоминания нужны", True),
        ("не хочу получать напоминания", False),
        ("хочу получать напоминания", True),
        ("отпишите меня от рассылки", False),
        ("без напоминаний пожалуйста", False),
        ("turn off reminders", False),
        ("don't send reminders", False),
        ("do not disable reminders", True),
        ("enable notifications", True),
        ("no more reminders", False),
        # No wish: the settings flow asks.
        ("напоминания", None),
        ("включены ли напоминания", None),
        ("не получаю напоминания", None),
        ("хватит", None),
    ],
)
def test_reminders_wish(text: str, wish: bool | None) -> None:
    assert settings_request(text).reminders is wish


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("switch to english", "en"),
        ("сменить язык на инглиш", "en"),
        ("на английском пожалуйста", "en"),
        ("по-английски", "en"),
        ("по-русски пожалуйста", "ru"),
        ("хочу на русский", "ru"),
        ("не на английском, а на русском", "ru"),
        ("сменить язык", None),
    ],
)
def test_language_named(text: str, language: str | None) -> None:
    assert settings_request(text).language == language


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ночной тариф сколько стоит", TariffQuestion.PRICES),
        ("почём ночь", TariffQuestion.PRICES),
        ("сколько стоит киловатт", TariffQuestion.PRICES),
        ("какой у меня тариф", TariffQuestion.PRICES),
        ("what is my tariff", TariffQuestion.PRICES),
        ("во сколько начинается ночной тариф", TariffQuestion.ZONE_HOURS),
        ("часы зон суток", TariffQuestion.ZONE_HOURS),
        ("night rate hours", TariffQuestion.ZONE_HOURS),
        ("какие диапазоны потребления", TariffQuestion.RANGES),
        ("соцнорма", TariffQuestion.RANGES),
        ("тариф для многодетной семьи", TariffQuestion.LARGE_FAMILY),
        ("tariff for large families", TariffQuestion.LARGE_FAMILY),
        ("мы не многодетные какой тариф", None),
        ("какой тариф", None),
    ],
)
def test_tariff_question_kind(text: str, kind: TariffQuestion | None) -> None:
    assert tariff_question_kind(text) is kind


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("поменять емейл", ContactField.EMAIL),
        ("сменить электронную почту", ContactField.EMAIL),
        ("новый e-mail", ContactField.EMAIL),
        ("сменить номер", ContactField.PHONE),
        ("номер телефона", ContactField.PHONE),
        ("change my phone", ContactField.PHONE),
        ("не телефон, а почту", ContactField.EMAIL),
        ("поменять почту, телефон не трогать", ContactField.EMAIL),
        ("сменить номер почты", ContactField.EMAIL),
        ("хочу сменить контакты", None),
    ],
)
def test_contact_field(text: str, field: ContactField | None) -> None:
    assert contact_field(text) is field
