"""What a request says beyond its intent: reminders on/off, language, contact, tariff subject."""

from __future__ import annotations

import pytest

from core.accounts import Category
from core.visits import VisitType
from dialogs.nlu import (
    ContactField,
    DayPart,
    DayReference,
    OutageSubject,
    TariffQuestion,
    cancel_wish,
    contact_field,
    day_part,
    day_reference,
    negative_amount,
    ordinal,
    outage_subject,
    settings_request,
    tariff_category,
    tariff_question_kind,
    visit_type,
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
        # A language refused is a wish for the other; a wish in a later clause wins.
        ("I dont speak russian sorry", "en"),
        ("не понимаю по-русски", "en"),
        ("по-английски не надо", "ru"),
        ("sorry I dont understand. English please", "en"),
        ("не хочу русский, давайте английский", "en"),
        ("my russian is bad, how can I pay", "en"),
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


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("сколько платить за 250 квт у меня электроплита", Category.URBAN_ELECTRIC),
        ("у нас электрическая плита", Category.URBAN_ELECTRIC),
        ("дом с электроотоплением", Category.URBAN_ELECTRIC),
        ("сельский тариф 250 квт", Category.RURAL),
        ("живу в деревне", Category.RURAL),
        ("у меня газовая плита", Category.URBAN_GAS),
        ("готовим на газу", Category.URBAN_GAS),
        ("у нас не газ, а электроплита", Category.URBAN_ELECTRIC),
        ("electric stove", Category.URBAN_ELECTRIC),
        ("rural tariff", Category.RURAL),
        ("какой у меня тариф", None),
        ("плита", None),
    ],
)
def test_tariff_category(text: str, category: Category | None) -> None:
    assert tariff_category(text) is category


@pytest.mark.parametrize(
    ("text", "negative"),
    [
        ("-5", True),
        ("−5", True),
        ("день -20 ночь 70", True),
        ("минус 5", True),
        ("250", False),
        ("день 180-ночь 70", False),
        ("т1-180", False),
        ("5-6", False),
    ],
)
def test_negative_amount(text: str, negative: bool) -> None:
    assert negative_amount(text) is negative


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("счетчик сломался", VisitType.METER_REPLACEMENT),
        ("счётчик не работает", VisitType.METER_REPLACEMENT),
        ("хочу поставить новый счетчик", VisitType.METER_REPLACEMENT),
        ("сорвали пломбу", VisitType.SEALING),
        ("нужна поверка счетчика", VisitType.VERIFICATION),
        ("контрольное снятие показаний", VisitType.CONTROL_READING),
        ("перейти на двухтарифный", VisitType.SCHEME_SWITCH),
        ("подключить умный счетчик", VisitType.SMART_METERING),
        ("скачет напряжение", VisitType.POWER_QUALITY),
        ("жалоба на качество электроэнергии", VisitType.POWER_QUALITY),
        ("отключили за неуплату", VisitType.RECONNECTION),
        ("я оплатила долг, подключите свет обратно", VisitType.RECONNECTION),
        ("долг погасил когда включите", VisitType.RECONNECTION),
        ("подключите обратно пожалуйста", VisitType.RECONNECTION),
        ("подключите к умному учету, я оплатил", VisitType.SMART_METERING),
        ("подключить свет в новом доме", None),
        ("счетчик работает нормально", None),
        ("нужен мастер", None),
        # Whether it measures right is a verification; a control reading is asked in its words.
        ("проверить что он правильно крутит", VisitType.VERIFICATION),
        ("проверить показания", None),
        ("счётчик перестал крутить", None),  # asked: replaced, or checked?
    ],
)
def test_visit_type(text: str, kind: VisitType | None) -> None:
    assert visit_type(text) is kind


@pytest.mark.parametrize(
    ("text", "wish"),
    [
        ("отменить", True),
        ("отмените заявку", True),
        ("отмена", True),
        ("cancel it", True),
        ("не отменяйте", False),
        ("оставьте", False),
        ("стоп", False),
        ("keep it", False),
        ("хм", None),
    ],
)
def test_cancel_wish(text: str, wish: bool | None) -> None:
    assert cancel_wish(text) is wish


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("завтра", DayReference(offset=1)),
        ("давайте послезавтра", DayReference(offset=2)),
        ("в понедельник", DayReference(weekday=0)),
        ("в ср", DayReference(weekday=2)),
        ("не в понедельник, а в пятницу", DayReference(weekday=4)),
        ("второй", DayReference(ordinal=2)),
        ("2-й", DayReference(ordinal=2)),
        ("последний", DayReference(ordinal=-1)),
        ("on friday", DayReference(weekday=4)),
        ("tomorrow", DayReference(offset=1)),
        ("хм", DayReference()),
    ],
)
def test_day_reference(text: str, reference: DayReference) -> None:
    assert day_reference(text) == reference


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("утро", DayPart.MORNING),
        ("утром", DayPart.MORNING),
        ("с утра", DayPart.MORNING),
        ("до обеда", DayPart.MORNING),
        ("после обеда", DayPart.LATER),
        ("днём", DayPart.LATER),
        ("вечером", DayPart.LATER),
        ("in the afternoon", DayPart.LATER),
        ("не утром", None),
        ("как получится", None),
    ],
)
def test_day_part(text: str, part: DayPart | None) -> None:
    assert day_part(text) is part


def test_ordinal() -> None:
    assert ordinal("первый") == 1
    assert ordinal("третью") == 3
    assert ordinal("second") == 2
    assert ordinal("последний") == -1
    assert ordinal("утром") is None


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("оборвался провод у дома", OutageSubject.WIRE),
        ("искрит столб", OutageSubject.WIRE),
        ("скачет напряжение сгорел холодильник", OutageSubject.VOLTAGE),
        ("нет света", None),
    ],
)
def test_outage_subject(text: str, subject: OutageSubject | None) -> None:
    assert outage_subject(text) is subject
