"""analyze(): the intent of a message, scored from weighted lemmas, phrases and entities."""

from __future__ import annotations

import functools
import gc
import itertools
import logging
import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from dialogs.nlu.entities import LABELLED_NUMBER, Entities, Extraction, extract
from dialogs.nlu.labels import FILLER_TOPICS, REFINES, Intent, Label, Topic
from dialogs.nlu.lexicon import COMPOUND_LEMMAS
from dialogs.nlu.model import shipped
from dialogs.nlu.numbers import numbers_in_words
from dialogs.nlu.text import head, normalize, words
from dialogs.nlu.vocabulary import (
    MARK,
    NEGATIONS,
    Entry,
    Vocabulary,
    relevant_forms,
    resolve,
    vocabulary,
)

log = logging.getLogger(__name__)
_ORDER = {intent: index for index, intent in enumerate(Intent)}

NEGATED_FACTOR = 0.5
ABSENT = "нет"  # after a word: «квитанции нет» — the thing is not there
# What entities add. A message of nothing but numbers says far more than numbers among words.
BARE_BELOW = 1.0  # hints weaker than this («счет») leave a number bare
BARE_READING = 6.0
READING_AMONG_WORDS = 2.5
BARE_SMALL_NUMBER = 1.0  # «2»: a menu choice as likely as a reading
BARE_ACCOUNT = 4.0
ACCOUNT_AMONG_WORDS = 1.5
BARE_PHONE = 2.0
PHONE_AMONG_WORDS = 1.0
KWH_BONUS = 5.0
# An amount of money beside a receipt word: the amount is the question, a bill to explain
# («в квитанции 9 тысяч»).
BILLED_AMOUNT = 3.0
# An amount of money, where nobody asks to pay: a balance matter («откуда 19 тыщ за ноябрь»).
MONEY_AMOUNT = 1.5
# Zone-labelled values this long are a meter's registers, whatever else the message asks
# («день 23520 ночь 8165 а тариф у меня какой»): no month's volume has five digits.
DISPLAY_DIGITS = 5
# A greeting or thanks decides only when nothing else scores at least this ...
FILLER_YIELDS_TO = 1.5
# ... or, in a message of at least this many words, when nothing else scores at all: a letter
# that opens with «добрый день» is about what follows.
LONG_MESSAGE = 8
# Confidence = (1 - exp(-score / SCALE)) * score / (score + RIVALRY * best rival's score).
SCALE = 2.2  # one hint word (weight <= 1.5) stays below 0.5, one strong word (4) above 0.8
RIVALRY = 0.5
# Below this the rules are unsure and the trained model is asked (dialogs/nlu/model.py). Its
# favourite counts only when it is at least MODEL_SURE, and then at MODEL_TRUST of its
# probability: always below flow.CONFIDENT, so the model picks the likeliest intent but the bot
# still asks (naive Bayes is sure of itself far more often than it is right).
UNSURE_BELOW = 0.5
MODEL_SURE = 0.5
MODEL_TRUST = 0.45
MODEL_EVIDENCE = 2  # features that speak for its favourite in particular (Model.evidence)


@dataclass(frozen=True, slots=True)
class Analysis:
    text: str
    intent: Intent
    confidence: float  # 0..1
    topic: Topic | None  # the finer meaning of OTHER, or a refinement (labels.REFINES)
    entities: Entities
    alternatives: tuple[tuple[Intent, float], ...]  # every scored intent, best first


@dataclass(frozen=True, slots=True)
class Token:
    lemma: str
    marks: tuple[str, ...]
    negated: bool
    clause: int = 0  # phrases match within one clause: «заплатить за электричество, дайте ссылку»
    absent: bool = False  # «нет» right after it: «квитанции нет под рукой»


# Punctuation that ends a clause.
_CLAUSE_END = re.compile(r"[.,!?;:()\n]+")
# A phrase word after one of these must follow it at once («без света», «нет света», «не горит»),
# not merely stand nearby: «оплатить за свет без процентов», «нет долга за свет»; after «нет» it
# may also come first («света нет»). Words of FILLERS may stand between.
TIGHT = frozenset({"без", "нет", "не"})
FILLERS = frozenset(
    {
        "у",
        "мы",
        "я",
        "вы",
        "в",
        "на",
        "с",
        "совсем",
        "вообще",
        "опять",
        "снова",
        "уже",
        "еще",
        "весь",
        "быть",
        "там",
        "тут",
        "здесь",
        "сегодня",
        "вчера",
        "же",
        "утро",
        "дом",
    }
)


def analyze(text: str, language: str = "ru") -> Analysis:
    """What a customer's message is about. Never raises.

    Russian and English vocabularies are both consulted whatever `language` says: the script of
    each word picks its table, and customers mix them («хочу pdf квитанцию»).
    """
    try:
        return _remembered(text) if _recurring(text) else _recently(text)
    except Exception:  # a message must never break a conversation
        log.exception("NLU failed on a message of %d characters", len(text))
        return Analysis(text, Intent.OTHER, 0.0, None, Entities(), ((Intent.OTHER, 0.0),))


def warm_up() -> None:
    """Load the dictionaries, the tables and the model now rather than on the first message.

    Then the collector is told that all of it lives for good (gc.freeze): otherwise every full
    collection walks these tables again, a pause of several milliseconds that lands on
    whichever message happens to be classified at that moment."""
    relevant_forms()
    analyze("здравствуйте, показания 12345")
    model = shipped()
    if model is not None:
        model.predict("квиток")
    gc.collect()
    gc.freeze()


# Messages kept analysed: short and without digits — button labels, «да», «баланс», greetings,
# the words customers send again and again. Readings, accounts and phones seldom repeat: they are
# kept only among the last few messages (below).
RECURRING_LENGTH = 64


def _recurring(text: str) -> bool:
    return len(text) <= RECURRING_LENGTH and not any(c.isdigit() for c in text)


@functools.lru_cache(maxsize=4096)
def _remembered(text: str) -> Analysis:
    """The same words get the same analysis; an Analysis is immutable, so it is shared."""
    return _analyze(text)


# Any other message is read again within its own turn (the router, then the steps of a flow):
# its analysis is kept until a few newer messages have pushed it out — the last 16 messages'
# texts stay in memory, no more.
RECENT = 16
_recent: dict[str, Analysis] = {}


def _recently(text: str) -> Analysis:
    found = _recent.get(text)
    if found is None:
        found = _recent[text] = _analyze(text)
        if len(_recent) > RECENT:
            del _recent[next(iter(_recent))]
    return found


def _analyze(text: str) -> Analysis:
    normal = normalize(text)
    extraction = extract(normal)
    vocab = vocabulary()
    request = head(normal)
    # Number words are numbers here as in the entities: «ночь восемь тысяч» has no word «ночь».
    tokens = tokenize(LABELLED_NUMBER.sub(" ", numbers_in_words(request)))
    matched = match_entries(tokens, vocab, reading=extraction.numbers.reading_like > 0)
    scores = _score(matched, extraction, vocab)
    analysis = _decide(text, scores, matched, extraction, vocab, long=len(tokens) >= LONG_MESSAGE)
    if (_NOTICE_NOUN.search(request) and _NOTICE_WISH.search(request)) or _STOP_SENDING.search(
        request
    ):
        # A wish about the notices themselves, whatever they are about: «не присылайте
        # уведомления о долге» is settings, not a balance question.
        alternatives = ((Intent.OTHER, 1.0), *analysis.alternatives)
        analysis = Analysis(
            text, Intent.OTHER, 1.0, Topic.REMINDERS, analysis.entities, alternatives
        )
    if analysis.confidence < UNSURE_BELOW and analysis.topic is None:
        analysis = _ask_the_model(analysis, request, _argued_against(matched))
    return replace(analysis, entities=_plausible(analysis.entities, analysis.intent, matched))


# Notices named, and a wish about receiving them (normalised text: lower case, «е» for «ё»).
_NOTICE_NOUN = re.compile(
    r"\b(уведомлен|напоминан|напоминалк|рассылк|оповещен|notification|reminder)"
)
_NOTICE_WISH = re.compile(
    r"\b(присыла|присылайте|пришлите|прислать|слать|шлите|писать|пишите|получать|отпиш|отпис|"
    r"подпиш|подпис|включ|выключ|отключите|хватит|не надо|не нужн|перестан|прекрат|только|"
    r"кроме|unsubscribe|subscribe|stop|turn|only|except)"
)
# «хватит спамить», «перестаньте присылать сообщения», «не пишите мне больше»: the bot's own
# messages refused, with no notice named.
_STOP_SENDING = re.compile(
    r"\b(хватит|перестаньте|перестань|прекратите)\s+(мне\s+)?(спам|присыла|слать|писать|рассыла)"
    r"|^\s*(больше\s+)?не\s+(присылайте|шлите|пишите)(\s+мне)?(\s+больше)?"
    r"(\s+ничего|\s+сообщени\w*)?\s*$"
    r"|\b(отпишите|подпишите)\s+(меня|нас)\b"
    r"|\b(присылайте|шлите|пишите)\s+(мне\s+)?(только\s+(про|об?|о)|вс[её]\s+кроме)\b"
    r"|\bstop (spamming|sending|messaging)"
)


def _ask_the_model(
    analysis: Analysis, normal: str, against: frozenset[Intent] = frozenset()
) -> Analysis:
    """Rules unsure: the trained model's clear favourite (probability >= MODEL_SURE) joins the
    rules' scores, discounted by MODEL_TRUST, so a message of words the tables lack is still
    read («квиточек» → receipt), and the bot asks about it rather than acts on it. An intent
    the rules' words argue against (a negative total: «бот или человек» is no operator
    request) is not the model's to bring back."""
    model = shipped()
    if model is None:
        return analysis
    combined = dict(analysis.alternatives)
    for intent, probability in model.predict(normal):
        if intent in against:
            continue
        if probability >= MODEL_SURE and model.evidence(normal, intent) >= MODEL_EVIDENCE:
            combined[intent] = max(combined.get(intent, 0.0), round(probability * MODEL_TRUST, 3))
    if combined.get(analysis.intent) == analysis.confidence and len(combined) == len(
        analysis.alternatives
    ):
        return analysis  # the model added nothing
    alternatives = tuple(
        sorted(
            (
                (intent, score)
                for intent, score in combined.items()
                if score > 0 or intent is Intent.OTHER
            ),
            key=lambda item: (-item[1], _ORDER[item[0]]),
        )
    )
    if not alternatives:
        return analysis
    intent, confidence = alternatives[0]
    topic = analysis.topic if intent is analysis.intent else None
    return replace(
        analysis, intent=intent, confidence=confidence, topic=topic, alternatives=alternatives
    )


def _argued_against(matched: Sequence[tuple[Entry, float]]) -> frozenset[Intent]:
    """The intents whose matched words add up to less than nothing."""
    totals: dict[Intent, float] = defaultdict(float)
    for entry, weight in matched:
        label = entry.label
        intent = label if isinstance(label, Intent) else REFINES.get(label, Intent.OTHER)
        totals[intent] += weight
    return frozenset(intent for intent, total in totals.items() if total < 0)


def tokenize(text: str) -> list[Token]:
    """Lemmas with their clause, whether «не» or «ни» stands before them, and whether «нет»
    follows them («квитанции нет под рукой»)."""
    tokens: list[Token] = []
    negate_next = False
    for clause, part in enumerate(_CLAUSE_END.split(text)):
        for word in words(part):
            form = resolve(word)
            for lemma in form.lemmas:
                compound = tokens and COMPOUND_LEMMAS.get((tokens[-1].lemma, lemma))
                if compound:
                    tokens[-1] = Token(compound, form.marks, tokens[-1].negated, clause)
                    continue
                if (
                    lemma == ABSENT
                    and tokens
                    and tokens[-1].clause == clause
                    and tokens[-1].lemma not in NEGATIONS
                ):
                    tokens[-1] = replace(tokens[-1], absent=True)
                tokens.append(Token(lemma, form.marks, negate_next, clause))
            negate_next = bool(form.lemmas) and form.lemmas[-1] in NEGATIONS
    return tokens


def match_entries(
    tokens: Sequence[Token], vocab: Vocabulary, *, reading: bool = False
) -> list[tuple[Entry, float]]:
    """Every table entry the tokens contain, with the weight it earns here.

    With a `reading` in the message, another intent's word that is negated or said to be absent
    counts nothing: «за маму 31650, квитанции нет под рукой» submits a reading."""
    positions: dict[str, list[int]] = defaultdict(list)
    for index, token in enumerate(tokens):
        positions[token.lemma].append(index)
        for mark in token.marks:
            positions[token.lemma + MARK + mark].append(index)
    matched: list[tuple[Entry, float]] = []
    for lemma, indexes in positions.items():
        negated = all(tokens[i].negated for i in indexes)
        denied = reading and all(tokens[i].negated or tokens[i].absent for i in indexes)
        for entry in vocab.words.get(lemma, ()):
            if denied and entry.label is not Intent.SUBMIT_READING:
                continue
            matched.append((entry, entry.weight * (NEGATED_FACTOR if negated else 1.0)))
    seen: set[tuple[Label, str]] = set()
    for lemma in positions:
        for entry in vocab.phrases.get(lemma, ()):
            if (
                (entry.label, entry.key) not in seen
                and (
                    all(lemma in positions for lemma in entry.lemmas)
                    if entry.wide
                    else _near(entry.lemmas, positions, tokens)
                )
                and _tight(entry.lemmas, positions, tokens)
            ):
                seen.add((entry.label, entry.key))
                matched.append((entry, entry.weight))
    return matched


def _near(
    lemmas: tuple[str, ...], positions: Mapping[str, list[int]], tokens: Sequence[Token]
) -> bool:
    """All the phrase's lemmas occur within a small window of one clause, in any order."""
    window = len(lemmas) + 2
    others = [positions.get(lemma) for lemma in lemmas[1:]]
    if any(not found for found in others):
        return False
    return any(
        all(
            any(
                p != anchor
                and abs(p - anchor) <= window
                and tokens[p].clause == tokens[anchor].clause
                for p in found or ()
            )
            for found in others
        )
        for anchor in positions.get(lemmas[0], ())
    )


def _tight(
    lemmas: tuple[str, ...], positions: Mapping[str, list[int]], tokens: Sequence[Token]
) -> bool:
    """Every TIGHT word of the phrase stands right next to the phrase word after it."""
    for word, partner in itertools.pairwise(lemmas):
        if word not in TIGHT:
            continue
        if not any(
            _next_word(tokens, at, 1) == partner
            or (word == "нет" and _next_word(tokens, at, -1) == partner)
            for at in positions.get(word, ())
        ):
            return False
    return True


def _next_word(tokens: Sequence[Token], at: int, step: int) -> str | None:
    """The lemma of the first non-filler token after (step 1) or before (step -1) `at`, in
    the same clause."""
    index = at + step
    while 0 <= index < len(tokens) and tokens[index].clause == tokens[at].clause:
        if tokens[index].lemma not in FILLERS:
            return tokens[index].lemma
        index += step
    return None


def _score(
    matched: Sequence[tuple[Entry, float]], extraction: Extraction, vocab: Vocabulary
) -> dict[Label, float]:
    scores: dict[Label, float] = defaultdict(float)
    entities = extraction.entities
    by_zone = _zone_volumes_priced(matched, entities, vocab)
    # «почему начислили 850 квт»: a charge complained about, not an amount to price.
    complaint = bool(entities.kwh) and any(
        entry.key in vocab.complaint_cues for entry, weight in matched if weight > 0
    )
    for entry, weight in matched:
        label = entry.label
        if (
            (entities.kwh or by_zone)
            and not complaint
            and label is Intent.BALANCE_DEBT
            and entry.key in vocab.amount_cues
        ):
            # «сколько платить за 250 квт», «сколько платить если день 200 ночь 90» ask for a
            # price, not for what is owed.
            label = Intent.TARIFF_QUESTION
        scores[label] += weight
    # Only an intent's words make a number less bare: «лс 5901234567», «привет 12457».
    substantive = max(
        (score for label, score in scores.items() if isinstance(label, Intent) or label in REFINES),
        default=0.0,
    )
    bare = substantive < BARE_BELOW
    numbers = extraction.numbers
    if numbers.reading_like and not by_zone:
        strong = bare or _registers_shown(entities) or numbers.corrected
        scores[Intent.SUBMIT_READING] += BARE_READING if strong else READING_AMONG_WORDS
    elif numbers.weak and bare and not (entities.accounts or entities.phones or entities.kwh):
        scores[Intent.SUBMIT_READING] += BARE_SMALL_NUMBER
    if entities.accounts:
        scores[Topic.LINK_ACCOUNT] += BARE_ACCOUNT if bare else ACCOUNT_AMONG_WORDS
    if entities.phones:
        scores[Intent.CHANGE_CONTACTS] += BARE_PHONE if bare else PHONE_AMONG_WORDS
    if entities.kwh:
        scores[Intent.BALANCE_DEBT if complaint else Intent.TARIFF_QUESTION] += KWH_BONUS
    if numbers.money and scores.get(Intent.RECEIPT, 0.0) > 0:
        scores[Topic.BILL_EXPLAIN] += BILLED_AMOUNT
    if numbers.money and scores.get(Intent.PAYMENT, 0.0) <= 0:
        scores[Intent.BALANCE_DEBT] += MONEY_AMOUNT
    return {label: score for label, score in scores.items() if score > 0}


def _registers_shown(entities: Entities) -> bool:
    """Two or more zone-labelled values of 4+ digits, one of them DISPLAY_DIGITS long: what a
    meter's registers show, not volumes to price."""
    labelled = [value for value in entities.readings if value.labelled]
    return (
        len(labelled) >= 2
        and all(value.integer_digits >= 4 for value in labelled)
        and any(value.integer_digits >= DISPLAY_DIGITS for value in labelled)
    )


def _zone_volumes_priced(
    matched: Sequence[tuple[Entry, float]], entities: Entities, vocab: Vocabulary
) -> bool:
    """Zone-labelled values asked about with «сколько», «платить», «стоить» and no word about
    readings: volumes to price («сколько платить если день 200 ночь 90»), not meter readings."""
    if not any(value.labelled for value in entities.readings) or _registers_shown(entities):
        return False
    keys = {entry.key for entry, weight in matched if weight > 0}
    if any(entry.label is Intent.SUBMIT_READING for entry, weight in matched if weight > 0):
        return False
    return bool(keys & (vocab.amount_cues | vocab.price_cues))


def _decide(
    text: str,
    scores: Mapping[Label, float],
    matched: Sequence[tuple[Entry, float]],
    extraction: Extraction,
    vocab: Vocabulary,
    *,
    long: bool = False,
) -> Analysis:
    entities = extraction.entities
    substantive = {label: s for label, s in scores.items() if label not in FILLER_TOPICS}
    strongest = max(substantive.values(), default=0.0)
    if strongest < FILLER_YIELDS_TO and not (long and strongest > 0):
        candidates = dict(scores)
    else:
        candidates = substantive
    if not candidates:
        return Analysis(text, Intent.OTHER, 0.0, None, entities, ((Intent.OTHER, 0.0),))

    by_intent: dict[Intent, float] = {}
    refined: dict[Intent, tuple[Topic, float]] = {}
    topic_of_other: Topic | None = None
    for label, score in candidates.items():
        if isinstance(label, Intent):
            by_intent[label] = by_intent.get(label, 0.0) + score
        elif label in REFINES:
            refines = REFINES[label]
            by_intent[refines] = by_intent.get(refines, 0.0) + score
            # Several topics may refine one intent: the strongest speaks for it.
            if refines not in refined or score > refined[refines][1]:
                refined[refines] = (label, score)
        elif score > by_intent.get(Intent.OTHER, 0.0):
            by_intent[Intent.OTHER] = score
            topic_of_other = label
    ranked = sorted(by_intent.items(), key=lambda item: (-item[1], _ORDER[item[0]]))
    alternatives = tuple((intent, _confidence(score, ranked, intent)) for intent, score in ranked)
    intent, confidence = alternatives[0]
    topic: Topic | None = None
    if intent is Intent.OTHER:
        topic = topic_of_other
    elif intent is Intent.TARIFF_QUESTION and _is_estimate(matched, entities, vocab):
        topic = Topic.ESTIMATE
    elif intent in refined and 2 * refined[intent][1] >= by_intent[intent]:
        # The topic's words carry at least half of the intent's score: «мои заявки» is about
        # requests made, not a new one; «баланс» alone has no topic, «почему такой большой
        # счёт» is a bill to explain.
        topic = refined[intent][0]
    return Analysis(text, intent, confidence, topic, entities, alternatives)


# Bare numbers in messages about these are money, years or times, not meter readings:
# «оплатила 2000 а долг остался», «тарифы 2026».
_NOT_ABOUT_READINGS = frozenset(
    {
        Intent.BALANCE_DEBT,
        Intent.PAYMENT,
        Intent.TARIFF_QUESTION,
        Intent.CHANGE_CONTACTS,
        Intent.OUTAGE_REPORT,
    }
)
READING_DIGITS = 4  # elsewhere a bare number this long may still be a reading; «Ленина 45» not


def _plausible(
    entities: Entities, intent: Intent, matched: Sequence[tuple[Entry, float]]
) -> Entities:
    """Unlabelled numbers stay readings only where readings are the subject, or where they
    look like one in a message about something else than money, tariffs, contacts or outages."""
    if intent is Intent.SUBMIT_READING or not entities.readings:
        return entities
    if any(entry.label is Intent.SUBMIT_READING and weight > 0 for entry, weight in matched):
        return entities
    digits = 0 if intent in _NOT_ABOUT_READINGS else READING_DIGITS
    kept = tuple(
        value
        for value in entities.readings
        if value.labelled or (digits and value.integer_digits >= digits)
    )
    return entities if len(kept) == len(entities.readings) else replace(entities, readings=kept)


def _confidence(score: float, ranked: Sequence[tuple[Intent, float]], intent: Intent) -> float:
    rival = max((s for other, s in ranked if other is not intent), default=0.0)
    strength = 1.0 - math.exp(-score / SCALE)
    return round(strength * score / (score + RIVALRY * rival), 3)


def _is_estimate(
    matched: Sequence[tuple[Entry, float]], entities: Entities, vocab: Vocabulary
) -> bool:
    # «сколько стоит 1 квт» asks for the price, not an estimate.
    if any(amount != 1 for amount in entities.kwh):
        return True
    # «сколько стоит день 200 ночь 90»: volumes per zone.
    if any(value.labelled for value in entities.readings):
        return True
    return any(entry.key in vocab.estimate_cues for entry, _ in matched)
