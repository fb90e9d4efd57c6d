"""Masking personal data for chats, the console and logs."""

from __future__ import annotations

import re

from core.accounts import normalize_phone

_STARS = "*****"
_BULLETS = "•" * 7

# A flat number: «кв. 12», «кв 12а», «квартира 5», «к. 3», with the comma before it.
_FLAT = re.compile(
    r"\s*,?\s*(?<![^\W\d_])(?:квартира|кв\.?|к\.)\s*№?\s*\d+(?:\s*[/-]\s*\d+)?"
    r"(?:\s*[а-яёa-z](?![^\W\d_]))?",
    re.IGNORECASE,
)
# A run of digits that may be an account or a phone number: digits with up to three spaces,
# dashes, dots or brackets between them, optionally after «+» or «(».
_DIGIT_RUN = re.compile(r"(?<![0-9])[+(]?[0-9](?:[ \u00a0\-‐-―().]{0,3}[0-9])*(?![0-9])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# SQLAlchemy puts a failed statement's bound values into its error message, a single line of
# repr (shortened by SQLAlchemy itself): the customer's text, surname, phone. Logged
# tracebacks keep the statement but not the values.
_SQL_PARAMETERS = re.compile(r"\[parameters: [^\n]*\]")
SQL_PARAMETERS_HIDDEN = "[parameters hidden]"
# Not personal data but worse: a Telegram bot token (id:secret) inside a URL an error names.
_BOT_TOKEN = re.compile(r"(?<![0-9])[0-9]{5,12}:[A-Za-z0-9_-]{30,}")
BOT_TOKEN_HIDDEN = "<bot token>"


def mask_surname(surname: str) -> str:
    """«Иванова» -> «И*****ва»: first letter, five stars, last two letters."""
    name = surname.strip()
    if not name:
        return ""
    if len(name) <= 3:
        return name[0] + _STARS
    return name[0] + _STARS + name[-2:]


def mask_account(number: str) -> str:
    """«59012341234» -> «•••••••1234»."""
    digits = re.sub(r"[^0-9]", "", number)
    # Too short to keep four digits and still hide something: hide everything.
    if len(digits) <= 4:
        return _BULLETS
    return _BULLETS + digits[-4:]


def mask_phone(phone: str) -> str:
    """«+79991234567» -> «+7 *** ***-45-67»."""
    normalized = normalize_phone(phone)
    if normalized is None:
        # Not a Russian phone: keep only the last two digits.
        digits = re.sub(r"[^0-9]", "", phone)
        return "*" * max(len(digits) - 2, 3) + digits[-2:]
    return f"+7 *** ***-{normalized[-4:-2]}-{normalized[-2:]}"


def mask_email(email: str) -> str:
    """«ivanova@mail.ru» -> «i***@mail.ru»: the first letter of the name, the domain kept."""
    name, at, domain = email.strip().partition("@")
    if not at:
        # Not an address at all: show nothing of it.
        return "***"
    return f"{name[:1]}***@{domain}"


def mask_address(address: str) -> str:
    """The address without the flat number (кв./квартира/к. N)."""
    masked = _FLAT.sub("", address)
    # A flat number at the very start leaves a dangling separator behind.
    return masked.strip().lstrip(",").strip()


def mask_text(text: str) -> str:
    """Free text for logs: account numbers, phone numbers and e-mail addresses inside it
    masked, the values of a failed SQL statement and bot tokens dropped. (A surname cannot be
    told from any other word: no log message may carry one.)"""
    if "[parameters: " in text:
        text = _SQL_PARAMETERS.sub(SQL_PARAMETERS_HIDDEN, text)
    if "@" in text:
        text = _EMAIL.sub(lambda m: mask_email(m.group(0)), text)
    if ":" in text:
        text = _BOT_TOKEN.sub(BOT_TOKEN_HIDDEN, text)
    return _DIGIT_RUN.sub(_mask_run, text)


def _mask_run(match: re.Match[str]) -> str:
    run = match.group(0)
    digits = re.sub(r"[^0-9]", "", run)
    if len(digits) < 10:
        return run
    if normalize_phone(run) is not None:
        return mask_phone(run)
    if len(digits) <= 11:
        return mask_account(digits)
    # Longer runs may hide an account among other numbers: mask every digit.
    return re.sub(r"[0-9]", "•", run)


# Spaces and dashes as keyboards and clipboards type them (a no-break space copied from a bank's
# app, a tab, a line break, an en or em dash, a minus) read as the plain ones, one character for
# one, so that what is found is where it is in the text.
_PLAIN = str.maketrans(
    dict.fromkeys("\xa0\u2007\u202f\u2009\u200a\t\n\r\x0b\x0c", " ") | dict.fromkeys("‐‑‒–—―−", "-")
)
# Between the groups of a card: a space or a few, or a dash, dot or slash with or without a
# space around it.
_SEP = r"(?: ?[.\-/] ?| {1,3})"
# A payment card: 13-19 digits in a row, or in groups as cards print them («4276 1234 5678
# 9012», «3782 822463 10005»).
_CARD = re.compile(
    rf"(?<!\d)(?:\d{{13,19}}(?! ?[.\-/] ?\d)"  # in a row (not the start of a longer grouping)
    rf"|\d{{4}}(?:{_SEP}\d{{4}}){{2,3}}(?:{_SEP}\d{{1,3}}(?![\d/.]))?"
    rf"|\d{{4}}{_SEP}\d{{6}}{_SEP}\d{{4,5}})(?!\d)"
)
# Digits in any other grouping («4276 3800 12345679», «42763800 1234 5679»): a card only with
# card words, an expiry date or a security code near, or as sixteen digits a payment system
# starts that pass the checksum — an account beside a reading is grouped this way too.
_GROUPED = re.compile(rf"(?<![\d•])\d{{2,}}(?:{_SEP}\d+){{1,6}}(?![\d•])")
_CARD_CODE = re.compile(
    r"(?i)(?<![^\W\d_])(cvv2?|cvc2?|свв|цвв|код(?: безопасности| карты)?|security code)"
    r"(\W{0,3})(\d{3,4})(?!\d)"
)
# A security code typed bare after the card (or after its expiry date): «… 5679 12/27 456».
_BARE_CODE = re.compile(r"(?<![\d/.])\d{3,4}(?![\d/.])")
# The expiry date next to a card: «12/27», «12/2027», «до 12.27».
_EXPIRY = re.compile(r"(?<![\d/.])(0[1-9]|1[0-2])\s*[/.]\s*(\d{2}|20\d{2})(?![\d/.])")
# Words that say a number is a card's: it is masked then even with a typo in a digit.
_CARD_WORDS = re.compile(
    r"(?i)(?<![^\W\d_])(карт\w*|card\w*|visa|виза|mastercard|мастеркард|мир\b|maestro|cvv|cvc|"
    r"срок действия|expir\w*)"
)
CONTEXT = 40  # characters around a number in which card words or an expiry date count
# Sixteen digits that start as Mir (2), Amex and JCB (3), Visa (4), Mastercard (5), Maestro and
# UnionPay (6) numbers do are a card even with a typo: readings, accounts and phones are never
# that long, and a serial that is gets asked again rather than a card kept.
CARD_LENGTH = 16
PAYMENT_SYSTEMS = frozenset("23456")
GROUP_MAX = 8  # the longest group of digits a card is typed in without other evidence
MASKED_CARD = "•••• •••• •••• "


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _printed(run: str) -> bool:
    """Four groups of four with one separator, as cards print them (a stray digit or three after
    them does not change that)."""
    sizes = [len(group) for group in re.findall(r"\d+", run)]
    separators = set(re.findall(r"\D+", run))
    four_by_four = sizes[:4] == [4, 4, 4, 4] and (
        len(sizes) == 4 or (len(sizes) == 5 and sizes[4] <= 3)
    )
    return four_by_four and len(separators) == 1


def _card_part(run: str) -> str:
    """The longest leading groups of a run of digits (and the character after it) that can be
    a card (13-19 digits) and do not end where an expiry date begins («4276 3800 12345679
    12/27 456»: the card, not the month); the whole run when none can."""
    groups = list(re.finditer(r"\d+", run))
    for count in range(len(groups), 0, -1):
        end = groups[count - 1].end()
        digits = sum(len(g.group(0)) for g in groups[:count])
        if 13 <= digits <= 19 and run[end : end + 1] not in ("/", "."):
            return run[:end]
    return run[: groups[-1].end()] if groups else run


_GROUP_BEFORE = re.compile(rf"(\d+){_SEP}$")
_GROUP_AFTER = re.compile(rf"({_SEP})(\d+)(?!\d)")


def _leading_groups(plain: str, start: int, digits: int) -> int:
    """Where a card found as one run of digits really starts: groups typed before it that still
    make a card's length belong to it («20.0 1000000000000» is sixteen digits, not thirteen)."""
    while (group := _GROUP_BEFORE.search(plain, 0, start)) and digits + len(group[1]) <= 19:
        start, digits = group.start(), digits + len(group[1])
    return start


def _trailing_groups(plain: str, end: int, digits: int) -> int:
    """Where a card found as one run of digits really ends: short groups, or groups joined by a
    dot, dash or slash, typed after it that still make a card's length belong to it
    («2000000000000 0.00» is sixteen digits). A reading after a space is not taken along, nor
    an expiry date (it is masked as one)."""
    while (group := _GROUP_AFTER.match(plain, end)) and digits + len(group[2]) <= 19:
        if (group[1].isspace() and len(group[2]) > 2) or _EXPIRY.match(plain, group.start(2)):
            break
        end, digits = group.end(), digits + len(group[2])
    return end


def hide_card_data(text: str) -> tuple[str, bool]:
    """The text with payment card numbers and what goes with them (the expiry date, the
    security code) masked, and whether anything was. A card number is 13-19 digits, however
    grouped and separated, that pass the Luhn check, are grouped as cards are printed, are
    sixteen starting as a payment system's, or stand next to card words, an expiry date or a
    security code (a typo in a digit does not make it any less a card). Nobody may keep card
    data a customer typed by mistake."""
    plain = text.translate(_PLAIN)
    cards: list[tuple[int, int, str]] = []  # where a card is in the text, and its last four

    def near(start: int, end: int) -> bool:
        around = plain[max(0, start - CONTEXT) : end + CONTEXT]
        return bool(
            _CARD_WORDS.search(around) or _EXPIRY.search(around) or _CARD_CODE.search(around)
        )

    for match in _CARD.finditer(plain):
        run = match.group(0)
        digits = re.sub(r"\D", "", run)
        if digits.startswith("0"):
            continue  # no payment system's numbers start with 0; meter serials often do
        printed = _printed(run)
        typed = len(digits) == CARD_LENGTH and digits[0] in PAYMENT_SYSTEMS  # a digit mistyped
        if _luhn(digits) or printed or typed or near(*match.span()):
            start = _leading_groups(plain, match.start(), len(digits))
            end = _trailing_groups(plain, match.end(), len(digits))
            cards.append((start, end, digits[12:16] if printed else digits[-4:]))
    for match in _GROUPED.finditer(plain):
        start = match.start()
        run = _card_part(match.group(0) + plain[match.end() : match.end() + 1])
        end = start + len(run)
        if any(start < taken_end and taken_start < end for taken_start, taken_end, _ in cards):
            continue
        digits = re.sub(r"\D", "", run)
        if not 13 <= len(digits) <= 19 or digits.startswith("0"):
            continue
        # Cards are never grouped around ten digits: that is an account number with a reading.
        longest = max(len(group) for group in re.findall(r"\d+", run))
        system = (
            len(digits) == CARD_LENGTH
            and digits[0] in PAYMENT_SYSTEMS
            and _luhn(digits)
            and longest <= GROUP_MAX
        )
        if system or near(start, end):
            cards.append((start, end, digits[-4:]))
    if not cards:
        return text, False
    # What goes with a card, anywhere in the message: the expiry date and a named code; right
    # after the card (or after its expiry): three or four bare digits, the security code.
    changes = [(start, end, MASKED_CARD + tail) for start, end, tail in cards]
    changes += [(*m.span(), "••/••") for m in _EXPIRY.finditer(plain)]
    changes += [(*m.span(3), "•••") for m in _CARD_CODE.finditer(plain)]
    for _, end, _ in cards:
        window = plain[end : end + CONTEXT]
        changes += [(end + m.start(), end + m.end(), "•••") for m in _BARE_CODE.finditer(window)]
    parts: list[str] = []
    at = 0
    for start, end, replacement in sorted(changes):
        if start < at:
            continue  # within what is masked already
        parts += [text[at:start], replacement]
        at = end
    parts.append(text[at:])
    return "".join(parts), True
