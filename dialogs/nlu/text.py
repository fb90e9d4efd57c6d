"""Text clean-up shared by the classifier, the entity extractor and the short-answer checks."""

from __future__ import annotations

import re
import unicodedata

# Longer messages are letters, not chat turns: the head carries the request, and a cap keeps
# the worst case fast.
MAX_CHARS = 1000
# The intent is read from the first words only: a request comes first, and the word lookups of
# a whole letter would cost milliseconds (entities are still found in all MAX_CHARS).
MAX_WORDS = 50

_LATIN_TO_CYRILLIC = str.maketrans("aceopxykmthb", "асеорхукмтнв")
_CYRILLIC = re.compile(r"[а-я]")
_LATIN = re.compile(r"[a-z]")
_REPEATS = re.compile(r"([а-яa-z])\1{2,}")
_WORD = re.compile(r"[а-яa-z]+")
_DASHES = re.compile(r"[‐‑‒–—―−]")
_DIGIT = re.compile(r"(?![0-9])\d")  # decimal digits of other scripts
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
# Terminal colour codes and other control characters pasted along with a message: «\x1b[31m»,
# and «[0m» whose escape character was lost on the way.
_JUNK = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?"
    r"|\[\d{1,3}(?:;\d{1,3})*m(?![a-zа-я])|[\x00-\x08\x0b-\x1f\x7f]"
)


def normalize(text: str) -> str:
    """Casefolded, ё→е, ASCII digits, unified dashes and spaces, «нееет» → «нет»."""
    text = unicodedata.normalize("NFC", text[:MAX_CHARS]).casefold().replace("ё", "е")
    if "[" in text or not text.isprintable():
        text = _JUNK.sub(" ", text)
    if not text.isascii():
        text = _DIGIT.sub(lambda match: str(unicodedata.decimal(match[0])), text)
    text = _DASHES.sub("-", text)
    text = _SPACES.sub(" ", text)
    return _REPEATS.sub(r"\1", text)


def fix_script(token: str) -> str:
    """A Cyrillic word typed with a Latin lookalike («cчетчик») gets its Cyrillic letters back."""
    if _LATIN.search(token) and _CYRILLIC.search(token):
        return token.translate(_LATIN_TO_CYRILLIC)
    return token


def words(text: str) -> list[str]:
    """Letter runs of normalised text; mixed-script words are repaired first."""
    return [fix_script(w) for w in _WORD.findall(text)]


def is_cyrillic(token: str) -> bool:
    return _CYRILLIC.match(token) is not None


def head(text: str, limit: int = MAX_WORDS) -> str:
    """The text up to the end of its `limit`-th word."""
    for count, match in enumerate(_WORD.finditer(text), 1):
        if count == limit:
            return text[: match.end()]
    return text


# Where one request of a message ends and another may begin.
# A point or comma between digits is inside a number («10.2026», «12,5»), never a clause's end.
_CLAUSES = re.compile(
    r"[;!?]+|(?<!\d)[,.]+|[,.]+(?!\d)|\s+(?:и|а|но|ещё|еще|and|also|but)\s+", re.IGNORECASE
)


def clauses(text: str) -> list[str]:
    """The parts of a message that may each ask for something («день 23520 ночь 8165, а тариф у
    меня какой»), stripped, empty ones dropped."""
    return [part.strip() for part in _CLAUSES.split(text) if part.strip()]
