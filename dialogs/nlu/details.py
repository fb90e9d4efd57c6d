"""What a request says beyond its intent: which setting, which contact, which tariff subject.

The intent says «this is about reminders»; these functions say «turn them off». They read the
same lemmas as the classifier and honour negation, so «не выключайте напоминания» keeps the
reminders on and «мы не многодетные» is not a question about large families.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from dialogs.nlu.classifier import NEGATIONS, analyze
from dialogs.nlu.morphology import name_likeness
from dialogs.nlu.text import normalize, words
from dialogs.nlu.vocabulary import entry_lemmas, resolve

# -- the word lists (data: written as people write, lemmatised on first use) -------------------

# Words that name a language.
LANGUAGE_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("английский", "английски", "инглиш", "english", "eng"),
    "ru": ("русский", "русски", "russian", "rus"),
}
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


@dataclass(frozen=True, slots=True)
class _Token:
    lemma: str
    negated: bool  # right after «не», «ни», «not»


# -- the functions ---------------------------------------------------------------------------


def settings_request(text: str) -> SettingsRequest:
    """The language and the reminders wish a message names, if any."""
    lemmas = _lemmas(text)
    return SettingsRequest(_language(lemmas), _reminders(lemmas))


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


# -- the machinery ---------------------------------------------------------------------------


@functools.cache
def _words(table: tuple[str, ...]) -> frozenset[str]:
    """The lemmas of a word list."""
    return frozenset(lemma for text in table for lemma in entry_lemmas(text))


def _lemmas(text: str) -> list[str]:
    return [lemma for word in words(normalize(text)) for lemma in resolve(word).lemmas]


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    negate_next = False
    for lemma in _lemmas(text):
        tokens.append(_Token(lemma, negate_next))
        negate_next = lemma in NEGATIONS or lemma in _NEGATIONS_EN
    return tokens


_NEGATIONS_EN = frozenset({"not", "don", "dont", "never", "no"})


def _language(lemmas: Iterable[str]) -> str | None:
    negated = False
    for lemma in lemmas:
        if not negated:
            for language, table in LANGUAGE_WORDS.items():
                if lemma in _words(table):
                    return language
        if lemma in NEGATIONS or lemma in _NEGATIONS_EN:
            negated = True
        elif lemma not in _words(PASS_THROUGH_WORDS):
            negated = False
    return None


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
