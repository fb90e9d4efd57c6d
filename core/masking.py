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


# A payment card: 13-19 digits in a row, or in groups as cards print them («4276 1234 5678
# 9012», «3782 822463 10005»), with spaces, dashes, dots or slashes between the groups.
_CARD = re.compile(
    r"(?<!\d)(?:\d{13,19}|\d{4}(?:[ .\-/]\d{4}){2,3}(?:[ .\-/]\d{1,3}(?![\d/.]))?"
    r"|\d{4}[ .\-/]\d{6}[ .\-/]\d{4,5})(?!\d)"
)
# Four groups of four: the way a card is printed and typed, whatever its checksum (and whatever
# stray digit follows).
_PRINTED = re.compile(r"^\d{4}([ .\-/])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?$")
# Digits in any other grouping («4276 3800 12345679», «42763800 1234 5679»): a card only with
# card words, an expiry date or a security code near, or as sixteen digits a payment system
# starts that pass the checksum — an account beside a reading is grouped this way too.
_GROUPED = re.compile(r"(?<![\d•])\d{2,}(?:(?:[ .\-/]|\s{2,5})\d+){1,6}(?![\d•])")
_CARD_CODE = re.compile(r"(?i)(?<![^\W\d_])(cvv2?|cvc2?|свв|цвв|код)(\s*[:\-]?\s*)\d{3,4}(?!\d)")
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


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def hide_card_data(text: str) -> tuple[str, bool]:
    """The text with payment card numbers and what goes with them (the expiry date, the
    security code) masked, and whether anything was. A card number is 13-19 digits that pass
    the Luhn check, are grouped as cards are printed, are sixteen starting as a payment
    system's, or stand next to card words, an expiry date or a security code (a typo in a
    digit does not make it any less a card). Nobody may keep card data a customer typed by
    mistake."""
    found = False

    def card(match: re.Match[str]) -> str:
        nonlocal found
        run = match.group(0)
        digits = re.sub(r"\D", "", run)
        if digits.startswith("0"):
            return run  # no payment system's numbers start with 0; meter serials often do
        near = text[max(0, match.start() - CONTEXT) : match.end() + CONTEXT]
        context = _CARD_WORDS.search(near) or _EXPIRY.search(near) or _CARD_CODE.search(near)
        typed = len(digits) == CARD_LENGTH and digits[0] in PAYMENT_SYSTEMS  # a digit mistyped
        if not (_luhn(digits) or _PRINTED.match(run) or context or typed):
            return run
        found = True
        printed = _PRINTED.match(run)
        return "•••• •••• •••• " + (digits[12:16] if printed else digits[-4:])

    def grouped(match: re.Match[str]) -> str:
        nonlocal found
        run = match.group(0)
        digits = re.sub(r"\D", "", run)
        if not 13 <= len(digits) <= 19 or digits.startswith("0"):
            return run
        near = masked[max(0, match.start() - CONTEXT) : match.end() + CONTEXT]
        context = _CARD_WORDS.search(near) or _EXPIRY.search(near) or _CARD_CODE.search(near)
        # Cards are never grouped around ten digits: that is an account number with a reading.
        longest = max(len(group) for group in re.findall(r"\d+", run))
        system = (
            len(digits) == CARD_LENGTH
            and digits[0] in PAYMENT_SYSTEMS
            and _luhn(digits)
            and longest <= GROUP_MAX
        )
        if not (context or system):
            return run
        found = True
        return "•••• •••• •••• " + digits[-4:]

    masked = _CARD.sub(card, text)
    masked = _GROUPED.sub(grouped, masked)
    if found:
        masked = _CARD_CODE.sub(lambda m: f"{m.group(1)}{m.group(2)}•••", masked)
        masked = _EXPIRY.sub("••/••", masked)
    return masked, found
