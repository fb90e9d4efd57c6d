"""What a request says beyond its intent: which setting, which contact, which tariff subject.

The intent says «this is about reminders»; these functions say «turn them off». They read the
same lemmas as the classifier and honour negation, so «не выключайте напоминания» keeps the
reminders on and «мы не многодетные» is not a question about large families.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum

from core.accounts import Category
from core.readings import zones_named
from core.visits import VisitType
from dialogs.nlu.classifier import analyze
from dialogs.nlu.morphology import name_likeness
from dialogs.nlu.text import clauses, normalize, words
from dialogs.nlu.vocabulary import NEGATIONS, entry_lemmas, resolve_full

# -- the word lists (data: written as people write, lemmatised on first use) -------------------

# Words that name a language.
LANGUAGE_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("английский", "английски", "инглиш", "english", "eng"),
    "ru": ("русский", "русски", "russian", "rus"),
}
# How well one knows it: «my Russian is bad», «по-русски плохо понимаю».
POORLY_WORDS = ("плохо", "плохой", "слабо", "слабый", "bad", "poor", "poorly", "little")
# What one does with a language: «не понимаю по-русски», «I don't speak Russian».
LANGUAGE_VERBS = (
    "говорить",
    "понимать",
    "знать",
    "читать",
    "разговаривать",
    "speak",
    "understand",
    "know",
    "read",
    "write",
    "well",
    "much",
)
# A wish about reminders: what turns them on, what turns them off.
REMINDERS_ON_WORDS = (
    "включить",
    "включать",
    "присылать",
    "прислать",
    "слать",
    "напоминать",
    "напомнить",
    "подписаться",
    "подписать",
    "возобновить",
    "вернуть",
    "enable",
    "on",
    "send",
    "sending",
    "subscribe",
    "resume",
)
REMINDERS_OFF_WORDS = (
    "выключить",
    "выключать",
    "отключить",
    "отключать",
    "отписаться",
    "отписать",
    "отменить",
    "убрать",
    "без",
    "disable",
    "off",
    "unsubscribe",
    "mute",
    "cancel",
)
# These say «off» on their own and negate the wish that follows: «хватит присылать».
STOP_WORDS = ("хватит", "перестать", "прекратить", "надоесть", "stop", "quit")
# Words a negation passes through on its way to the wish: «не надо больше присылать».
# A negated modal with no wish after it is a wish itself: «напоминания не нужны».
MODAL_WORDS = ("надо", "нужно", "нужный", "хотеть", "need", "want")
PASS_THROUGH_WORDS = (
    "я",
    "мне",
    "вы",
    "мы",
    "они",
    "их",
    "мой",
    "ваш",
    "это",
    "этот",
    "больше",
    "уже",
    "еще",
    "пожалуйста",
    "по",
    "на",
    "в",
    "t",
    "do",
    "me",
    "my",
    "any",
    "more",
    "please",
    "the",
    "them",
    "to",
)
# What the wish is about; a modal or «хватит» without a wish word needs one of these.
REMINDER_WORDS = ("напоминание", "уведомление", "рассылка", "reminder", "notification")
# «включены ли напоминания?» asks about the state; it is no wish.
QUESTION_WORDS = ("ли",)

# What a tariff question is about.
LARGE_FAMILY_WORDS = ("многодетный", "многодетность", "large", "family", "families")
RANGE_WORDS = ("диапазон", "соцнорма", "range")
PRICE_WORDS = (
    "стоить",
    "цена",
    "стоимость",
    "почем",
    "расценки",
    "прейскурант",
    "рубль",
    "price",
    "cost",
)
ZONE_WORDS = (
    "ночь",
    "ночной",
    "ночью",
    "дневной",
    "сутки",
    "пик",
    "пиковый",
    "полупик",
    "полупиковый",
    "зона",
    "night",
    "peak",
    "zone",
)
MINE_WORDS = ("мой", "я", "my", "mine")  # «мой тариф», «какой у меня тариф»
TARIFF_WORDS = ("тариф", "tariff", "rate")

# Which contact a message means.
EMAIL_WORDS = ("почта", "email", "e-mail", "имейл", "электронный", "mail")
PHONE_WORDS = ("телефон", "мобильный", "сотовый", "phone", "mobile", "cell")
NUMBER_WORDS = ("номер", "number")  # a phone unless the message names the e-mail


# Which household tariff category a message names: one word, or two words together.
CATEGORY_WORDS: dict[Category, tuple[str, ...]] = {
    Category.URBAN_ELECTRIC: (
        "электроплита",
        "электроплитка",
        "электроотопление",
        "электрокотел",
        "индукционка",
    ),
    Category.RURAL: (
        "сельский",
        "село",
        "деревня",
        "деревенский",
        "rural",
        "village",
        "countryside",
    ),
    Category.URBAN_GAS: ("газ", "газу", "газовый", "газовая", "gas"),
}
CATEGORY_PAIRS: dict[Category, tuple[tuple[str, str], ...]] = {
    Category.URBAN_ELECTRIC: (
        ("электрический", "плита"),
        ("электрический", "отопление"),
        ("индукционный", "плита"),
        ("electric", "stove"),
        ("electric", "cooker"),
        ("electric", "heating"),
    ),
}

# A technician visit named by what is wrong or wanted; checked in this order.
VISIT_WORDS: tuple[tuple[VisitType, tuple[str, ...]], ...] = (
    (
        VisitType.SEALING,
        ("пломба", "опломбировать", "опломбировка", "распломбировать", "распломбировка", "seal"),
    ),
    (
        VisitType.VERIFICATION,
        # «проверить, правильно ли крутит»: whether the meter measures right is a verification.
        (
            "поверка",
            "поверить",
            "межповерочный",
            "правильно",
            "правильность",
            "накручивать",
            "мотать",
            "точность",
            "погрешность",
            "verification",
            "accuracy",
        ),
    ),
    (
        VisitType.SCHEME_SWITCH,
        (
            "двухтарифный",
            "трехтарифный",
            "многотарифный",
            "однотарифный",
            "двухзонный",
            "трехзонный",
            "зонный",
        ),
    ),
    (VisitType.SMART_METERING, ("умный", "аскуэ", "ису", "smart")),
    (VisitType.RECONNECTION, ("неуплата", "reconnect", "reconnection")),
    (
        VisitType.POWER_QUALITY,
        ("напряжение", "скачок", "перепад", "качество", "voltage", "quality"),
    ),
)
# Asking to replace beats these kinds named beside it (the reason, not the request).
_AFTER_REPLACEMENT = frozenset({VisitType.VERIFICATION, VisitType.POWER_QUALITY})
REPLACE_WORDS = ("замена", "заменить", "поменять", "менять", "сменить", "replace", "replacement")
# The supply back after paying: «я оплатила долг, подключите свет обратно».
RECONNECT_WORDS = ("подключить", "включить", "reconnect", "restore")
AFTER_PAYING_WORDS = ("оплатить", "заплатить", "погасить", "долг", "обратно", "paid", "debt")
CONTROL_WORDS = ("контрольный", "control")  # with a reading word: a control reading
READING_WORDS = ("снятие", "снять", "показание", "reading")
METER_WORDS = ("счетчик", "meter")
# What makes a meter visit a replacement: broken, burnt, to be replaced or installed ...
METER_BROKEN_WORDS = (
    "сломать",
    "сломаться",
    "сгореть",
    "заменить",
    "замена",
    "поменять",
    "сменить",
    "установить",
    "установка",
    "поставить",
    "новый",
    "разбить",
    "гудеть",
    "broken",
    "broke",
    "replace",
    "install",
    "new",
)
# ... or what it no longer does: «не работает», «не крутится».
METER_STOPPED_WORDS = ("работать", "крутить", "крутиться", "показывать", "work")

# Answers to «cancel the request?»: «отменяйте» cancels, «оставьте» keeps it.
CANCEL_WORDS = ("отменить", "отменять", "отмена", "аннулировать", "cancel")
KEEP_WORDS = ("оставить", "оставлять", "стоп", "keep", "stop")

# Which of the offered days: «завтра», «в пятницу», «второй».
DAY_OFFSETS: dict[int, tuple[str, ...]] = {
    -2: ("позавчера",),
    -1: ("вчера", "yesterday"),
    0: ("сегодня", "today"),
    1: ("завтра", "tomorrow"),
    2: ("послезавтра",),
}
WEEKDAY_WORDS: tuple[tuple[str, ...], ...] = (
    ("понедельник", "пн", "monday"),
    ("вторник", "вт", "tuesday"),
    ("среда", "ср", "wednesday"),
    ("четверг", "чт", "thursday"),
    ("пятница", "пт", "friday"),
    ("суббота", "сб", "saturday"),
    ("воскресенье", "вс", "sunday"),
)
ORDINAL_WORDS: tuple[tuple[str, ...], ...] = (
    ("первый", "first"),
    ("второй", "second"),
    ("третий", "third"),
    ("четвертый", "fourth"),
    ("пятый", "fifth"),
    ("шестой", "sixth"),
    ("седьмой", "seventh"),
    ("восьмой", "eighth"),
    ("девятый", "ninth"),
    ("десятый", "tenth"),
)
LAST_WORDS = ("последний", "last")
# Which part of the day: the morning slot or a later one.
MORNING_WORDS = ("утро", "утром", "утренний", "ранний", "рано", "пораньше", "morning", "early")
LATER_WORDS = (
    "день",
    "днем",
    "дневной",
    "вечер",
    "вечером",
    "вечерний",
    "поздний",
    "поздно",
    "попозже",
    "afternoon",
    "evening",
    "later",
    "late",
)
LUNCH_WORDS = ("обед", "lunch", "noon")  # «до обеда» is the morning, «после обеда» later
BEFORE_WORDS = ("до", "before")
AFTER_WORDS = ("после", "с", "after")
# Prepositions a negation passes over: «не в понедельник».
NEGATION_PASSES = ("в", "во", "на", "к", "с", "on", "in", "at", "the")


# What an outage report is about.
# In the street: sparks there are the grid's danger, kept away from (8 metres), not put out.
WIRE_WORDS = (
    "провод", "обрыв", "оборвать", "столб", "трансформатор", "трансформаторный", "подстанция",
    "улица", "wire", "cable", "pole", "transformer", "substation", "street",
)  # fmt: skip
# Sparks, smoke, a smell of burning — indoors, unless the street's equipment is named.
FIRE_WORDS = (
    "искрить", "искра", "дымить", "дымиться", "задымиться", "дым", "задымление", "гарь", "гарью",
    "гари", "горелый", "горелым", "горелое", "плавить", "плавиться", "пожар", "огонь", "spark",
    "smoke", "fire",
)  # fmt: skip
VOLTAGE_WORDS = (
    "напряжение",
    "скачок",
    "скакать",
    "перепад",
    "мигать",
    "сгореть",
    "техника",
    "холодильник",
    "телевизор",
    "вольт",
    "voltage",
    "surge",
    "flicker",
    "burnt",
    "burned",
    "appliance",
)


class OutageSubject(StrEnum):
    WIRE = "wire"  # a broken or sparking wire: a danger to life
    FIRE = "fire"  # sparks, smoke, a smell of burning at home: switch off, 112
    VOLTAGE = "voltage"  # surges, flicker, burnt appliances


class TariffQuestion(StrEnum):
    PRICES = "prices"  # what a kWh costs (mine, or in general)
    ZONE_HOURS = "zone_hours"
    RANGES = "ranges"
    LARGE_FAMILY = "large_family"


class ContactField(StrEnum):
    PHONE = "phone"
    EMAIL = "email"


@dataclass(frozen=True, slots=True)
class SettingsRequest:
    language: str | None = None  # a language the message asks for: "ru", "en"
    reminders: bool | None = None  # turn reminders on (True) or off (False); None: not said


class DayPart(StrEnum):
    MORNING = "morning"
    LATER = "later"  # after lunch, in the afternoon or evening


@dataclass(frozen=True, slots=True)
class DayReference:
    """How a message names a day, each part None when not said."""

    offset: int | None = None  # days from today: «сегодня» 0, «завтра» 1, «послезавтра» 2
    weekday: int | None = None  # 0 = Monday
    ordinal: int | None = None  # a position in a list: «второй» 2, «последний» -1


@dataclass(frozen=True, slots=True)
class _Token:
    lemma: str
    negated: bool  # right after «не», «ни», «not»
    word: str = ""  # as written (normalised), for short words the dictionary misreads


# -- the functions ---------------------------------------------------------------------------


def settings_request(text: str) -> SettingsRequest:
    """The language and the reminders wish a message names, if any."""
    lemmas = _lemmas(text)
    return SettingsRequest(_language(text), _reminders(lemmas))


def tariff_question_kind(text: str) -> TariffQuestion | None:
    """What a tariff question asks; None when it names nothing in particular.

    A price word beats a zone word: «ночной тариф сколько стоит» asks for prices, «когда
    начинается ночной тариф» for the zone hours.
    """
    tokens = _tokens(text)
    said = {token.lemma for token in tokens if not token.negated}
    if said & _words(LARGE_FAMILY_WORDS):
        return TariffQuestion.LARGE_FAMILY
    if said & _words(RANGE_WORDS):
        return TariffQuestion.RANGES
    if said & _words(PRICE_WORDS):
        return TariffQuestion.PRICES
    if said & _words(ZONE_WORDS):
        return TariffQuestion.ZONE_HOURS
    if said & _words(MINE_WORDS) and said & _words(TARIFF_WORDS):
        return TariffQuestion.PRICES
    return None


def contact_field(text: str) -> ContactField | None:
    """The contact a message means: the first one named and not negated («не телефон, а почту»)."""
    weak: ContactField | None = None
    for token in _tokens(text):
        if token.negated:
            continue
        if token.lemma in _words(EMAIL_WORDS):
            return ContactField.EMAIL
        if token.lemma in _words(PHONE_WORDS):
            return ContactField.PHONE
        if token.lemma in _words(NUMBER_WORDS):
            weak = ContactField.PHONE
    return weak


def outage_subject(text: str) -> OutageSubject | None:
    """A broken wire, a voltage problem or a fire risk alone; a wire wins, being the danger
    (sparks on a pole or a transformer are the wire's). A fire risk beside a voltage problem
    is told by fire_risk()."""
    said = {token.lemma for token in _said(text)}
    if said & _words(WIRE_WORDS):
        return OutageSubject.WIRE
    if said & _words(VOLTAGE_WORDS):
        return OutageSubject.VOLTAGE
    if said & _words(FIRE_WORDS):
        return OutageSubject.FIRE
    return None


def fire_risk(text: str) -> bool:
    """Sparks, smoke or a smell of burning indoors («искрит и пахнет горелым», «сгорел
    холодильник, пахло горелым»), not the street's equipment."""
    said = {token.lemma for token in _said(text)}
    return bool(said & _words(FIRE_WORDS)) and not said & _words(WIRE_WORDS)


def tariff_category(text: str) -> Category | None:
    """The tariff category a message names: «электроплита» → urban_electric, «в деревне» →
    rural, «газовая плита» → urban_gas; the first one not negated («не газ, а электроплита»)."""
    tokens = [token for token in _tokens(text) if not token.negated]
    said = {token.lemma for token in tokens}
    for token in tokens:
        for category, table in CATEGORY_WORDS.items():
            if _is(token, table):
                return category
        for category, pairs in CATEGORY_PAIRS.items():
            for first, second in pairs:
                if _is(token, (first,)) and said & _words((second,)):
                    return category
    return None


_NEGATIVE = re.compile(r"(?:^|[\s:=(;,])-\s?\d|(?<![^\W\d_])(?:минус|minus)\s*\d")


def negative_amount(text: str) -> bool:
    """Whether a message gives a number below zero: «-5», «день -20», «минус 5»."""
    return _NEGATIVE.search(normalize(text)) is not None


def visit_type(text: str) -> VisitType | None:
    """The technician visit a message asks for, when it says clearly: «счётчик сломался» is a
    meter replacement, «сорвана пломба» a sealing; None when it does not say."""
    tokens = _tokens(text)
    said = {token.lemma for token in tokens if not token.negated}
    every = {token.lemma for token in tokens}
    for kind, table in VISIT_WORDS:
        if kind not in _AFTER_REPLACEMENT and said & _words(table):
            return kind
    if said & _words(REPLACE_WORDS):
        # «меняйте счётчик, раз поверка истекла», «не поверка, замена!»: a replacement.
        return VisitType.METER_REPLACEMENT
    for kind, table in VISIT_WORDS:
        if said & _words(table):
            return kind
    if said & _words(RECONNECT_WORDS) and said & _words(AFTER_PAYING_WORDS):
        return VisitType.RECONNECTION
    if said & _words(CONTROL_WORDS) and said & _words(READING_WORDS):
        return VisitType.CONTROL_READING
    if every & _words(METER_WORDS):
        stopped = {token.lemma for token in tokens if token.negated}
        if said & _words(METER_BROKEN_WORDS) or stopped & _words(METER_STOPPED_WORDS):
            return VisitType.METER_REPLACEMENT
    return None


def cancel_wish(text: str) -> bool | None:
    """An answer to «cancel the request?»: True for «отменяйте», False for «оставьте» or «не
    отменяйте», None when it says neither."""
    for token in _tokens(text):
        if _is(token, CANCEL_WORDS):
            return not token.negated
        if _is(token, KEEP_WORDS):
            return token.negated
    return None


def day_reference(text: str) -> DayReference:
    """The day a message names relative to today, by weekday or by position in a list."""
    offset = weekday = None
    for token in _said(text):
        for days, table in DAY_OFFSETS.items():
            if offset is None and _is(token, table):
                offset = days
        for index, table in enumerate(WEEKDAY_WORDS):
            if weekday is None and _is(token, table):
                weekday = index
    return DayReference(offset, weekday, ordinal(text))


_NUMBERED_ORDINAL = re.compile(r"(?<!\d)([1-9])\s*-?\s*(?:й|ый|ий|ой|я|ая|st|nd|rd|th)\b")


def ordinal(text: str) -> int | None:
    """A position named in words: «первый» 1, «вторую» 2, «2-й» 2, «последний» -1."""
    for token in _said(text):
        for index, table in enumerate(ORDINAL_WORDS, start=1):
            if _is(token, table):
                return index
        if _is(token, LAST_WORDS):
            return -1
    numbered = _NUMBERED_ORDINAL.search(normalize(text))
    return int(numbered[1]) if numbered else None


def day_part(text: str) -> DayPart | None:
    """«утром», «с утра», «до обеда» → MORNING; «после обеда», «днём», «вечером» → LATER."""
    previous: _Token | None = None
    for token in _said(text):
        if _is(token, LUNCH_WORDS) and previous is not None:
            if _is(previous, BEFORE_WORDS):
                return DayPart.MORNING
            if _is(previous, AFTER_WORDS):
                return DayPart.LATER
        if _is(token, MORNING_WORDS):
            return DayPart.MORNING
        if _is(token, LATER_WORDS):
            return DayPart.LATER
        previous = token
    return None


# -- the machinery ---------------------------------------------------------------------------


@functools.cache
def _words(table: tuple[str, ...]) -> frozenset[str]:
    """The lemmas of a word list."""
    return frozenset(lemma for text in table for lemma in entry_lemmas(text))


def _lemmas(text: str) -> list[str]:
    return [lemma for word in words(normalize(text)) for lemma in resolve_full(word).lemmas]


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    negate_next = False
    for word in words(normalize(text)):
        for lemma in resolve_full(word).lemmas:
            tokens.append(_Token(lemma, negate_next, word))
            negate_next = lemma in NEGATIONS or lemma in _NEGATIONS_EN
    return tokens


def _said(text: str) -> list[_Token]:
    """The tokens not negated; a negation passes over a preposition («не в понедельник»)."""
    said: list[_Token] = []
    negated = False
    for token in _tokens(text):
        if token.lemma in NEGATIONS or token.lemma in _NEGATIONS_EN:
            negated = True
        elif negated and token.word in NEGATION_PASSES:
            continue
        elif negated:
            negated = False
        else:
            said.append(token)
    return said


def _is(token: _Token, table: tuple[str, ...]) -> bool:
    """The token is one of the table's words, by lemma or as written («ср» is no «сравнить»)."""
    return token.word in table or token.lemma in _words(table)


_NEGATIONS_EN = frozenset({"not", "don", "dont", "never", "no"})


_CLAUSE_END = re.compile(r"[.,;!?]+|\s(?:но|а|but)\s", re.IGNORECASE)


def _language(text: str) -> str | None:
    """The language wished for, clause by clause: a language wished for wins, one refused
    («I don't speak Russian», «по-английски не надо») means the other one."""
    wished: str | None = None
    refused: str | None = None
    for clause in _CLAUSE_END.split(text):
        negated = False
        named: list[tuple[str, bool]] = []  # each language named, and whether negated before
        for lemma in _lemmas(clause):
            for language, table in LANGUAGE_WORDS.items():
                if lemma in _words(table):
                    named.append((language, negated))
            if lemma in NEGATIONS or lemma in _NEGATIONS_EN or lemma in _words(POORLY_WORDS):
                negated = True
                named = [(language, True) for language, _ in named]  # «английский не надо»
            elif lemma not in _words(PASS_THROUGH_WORDS) and lemma not in _words(LANGUAGE_VERBS):
                negated = False
        for language, no in named:
            if no:
                refused = refused or language
            else:
                wished = language
    if wished is not None:
        return wished
    others = [language for language in LANGUAGE_WORDS if language != refused]
    return others[0] if refused is not None and len(others) == 1 else None


def _reminders(lemmas: list[str]) -> bool | None:
    """On, off, or None: the first wish decides, flipped by a negation before it."""
    if set(lemmas) & _words(QUESTION_WORDS):
        return None
    on, off = _words(REMINDERS_ON_WORDS), _words(REMINDERS_OFF_WORDS)
    negated = False
    stopped = False  # «хватит», «stop» said
    modal: bool | None = None  # a modal word said, negated (True) or not (False)
    for lemma in lemmas:
        if lemma in NEGATIONS or lemma in _NEGATIONS_EN:
            negated = True
        elif lemma in _words(STOP_WORDS):
            negated = stopped = True
        elif lemma in on or lemma in off:
            return (lemma in on) != negated
        elif lemma in _words(MODAL_WORDS):
            modal = negated
        elif lemma not in _words(PASS_THROUGH_WORDS) and lemma not in _words(REMINDER_WORDS):
            negated = False
    # No wish word: «хватит напоминаний», «напоминания (не) нужны», «no more reminders».
    if not set(lemmas) & _words(REMINDER_WORDS):
        return None
    if stopped or negated:
        return False
    if modal is not None:
        return not modal
    return None


_NAME_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
SURE_REQUEST = 0.8


def looks_like_name(text: str) -> bool:
    """Whether an answer to «your surname?» can be one: «Иванова», «Мария Иванова», «Ёлкина О.И.»
    can; «не знаю», «передать показания», «баланс» (a request the NLU is sure of) cannot."""
    words = [w for w in _NAME_WORD.findall(normalize(text)) if len(w) > 1]
    if not words:
        return False
    kinds = [name_likeness(part) for word in words for part in word.split("-") if part]
    if "never" in kinds:
        return False
    if "name" in kinds:
        return True
    # Only ordinary words: a name only if it is not a request the NLU understands.
    return analyze(text).confidence < SURE_REQUEST


_ABOUT_MONEY = re.compile(r"плач|плат|руб|₽|деньг|сумм|пенси|зарплат|money|paid|pay", re.IGNORECASE)


# «почему в квитанции 3100 а не 3000?», «начислили не 7500 а 8000»: a bill's amount argued about.
_BILL_WORDS = re.compile(
    r"квитанц|начисл|насчита|выстав|долг|пени|оплат|заплат|сумм|руб|₽|bill|charge|paid",
    re.IGNORECASE,
)
_TAKEN_BACK = re.compile(
    r"(?<![^\W\d_])не\s+\d|\d\s*,?\s+а\s+не\s+\d|(?<![^\W\d_])вместо\s+\d|\d\s+(?:instead|not)\s",
    re.IGNORECASE,
)


def bill_disputed(text: str) -> bool:
    """An amount of a bill or a payment said instead of another, with no meter zone named:
    a question about money, never a reading to store («кстати в квитанции 18 300 а не 18 250»)."""
    return (
        _TAKEN_BACK.search(text) is not None
        and _BILL_WORDS.search(text) is not None
        and not zones_named(text)
    )


def money_beside_numbers(text: str) -> bool:
    """A number said in the same clause as money words («я плачу по 2000 каждый месяц»): an
    amount, no reading."""
    return any(
        _ABOUT_MONEY.search(part) for part in clauses(text) if any(ch.isdigit() for ch in part)
    )
