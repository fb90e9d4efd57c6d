"""Operators' passwords: argon2id hashes (argon2-cffi) computed a bounded number at a time,
and the rules a new password must pass: a minimum length, not common (the list shipped in
console/data/common-passwords.txt), not repeats or sequences, not the login or a name."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common-passwords.txt"
# Longer passwords are refused when set and never match when logging in (argon2 would hash a
# megabyte all the same).
MAX_LENGTH = 1024


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


_dummy: tuple[PasswordHasher, str] | None = None


def _dummy_hash() -> str:
    """A hash of nothing anyone types, made with the current hasher's costs."""
    global _dummy
    if _dummy is None or _dummy[0] is not _hasher:
        _dummy = (_hasher, _hasher.hash("not a password anyone has"))
    return _dummy[1]


def _verify_unknown(password: str) -> bool:
    verify(_dummy_hash(), password)
    return False


async def verify_async(password_hash: str | None, password: str) -> bool:
    """Verify off the event loop (argon2 takes tens of milliseconds on purpose). An unknown
    login (None) is checked against a dummy hash, so it takes as long as a wrong password;
    so is a password longer than any that can be set."""
    if password_hash is None or len(password) > MAX_LENGTH:
        return await asyncio.to_thread(_verify_unknown, password[:MAX_LENGTH])
    return await asyncio.to_thread(verify, password_hash, password)


async def hash_async(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)


# -- a bounded number of hashes at a time ----------------------------------------------------


class Busy(Exception):
    """Every slot for a password check is taken (answer 429 at once; nothing queues)."""


def default_slots() -> int:
    """Twice the cores this process may run on."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return 2 * max(1, cores)


class HashGate:
    """At most `slots` argon2 computations at once in this process: each holds 64 MiB and a
    core for tens of milliseconds. A login that finds every slot taken is refused at once
    (Busy) rather than queued; a new password (set by a logged-in supervisor) waits its turn."""

    def __init__(self, slots: int = 0) -> None:
        self.slots = slots or default_slots()
        self._semaphore = asyncio.Semaphore(self.slots)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        if self._semaphore.locked():  # no slot free, or others already wait for one
            raise Busy
        async with self._semaphore:
            return await verify_async(password_hash, password)

    async def hash(self, password: str) -> str:
        async with self._semaphore:
            return await hash_async(password)


# -- what a new password must not be ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with a new password: a catalog key under console.errors and its values."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PasswordRules:
    min_length: int = 12
    checks: bool = True  # the list, repeats, sequences, personal words; else the length only
    blocklist: str = ""  # a file of more refused passwords, one a line
    words: tuple[str, ...] = ()  # the company's names: never the heart of a password

    def problem(self, password: str, login: str = "", name: str = "") -> Problem | None:
        """None if `password` may be set for the operator `login` called `name`."""
        if len(password) < self.min_length:
            return Problem("password_short", {"count": self.min_length})
        if len(password) > MAX_LENGTH:
            return Problem("password_long", {"count": MAX_LENGTH})
        if not self.checks:
            return None
        lowered = password.lower()
        # Repeats and runs as typed (and without spaces and punctuation): leet read back
        # would merge characters, and the other layout has the same runs.
        typed = {lowered, _compact(lowered)} - {""}
        if any(_repetitive(form) for form in typed):
            return Problem("password_repeats")
        if any(_sequential(form) for form in typed):
            return Problem("password_sequence")
        forms = _forms(lowered)
        personal = _personal_words([login, *name.split(), *self.words])
        if any(_based_on(form, personal) for form in forms):
            return Problem("password_personal")
        lists = (common_passwords(), _blocklist(self.blocklist))
        if any(_in_list(form, listed) for form in forms for listed in lists):
            return Problem("password_common")
        return None


def company_words(name: str, website: str = "") -> tuple[str, ...]:
    """The company's name as people type it: «Энергосбыт», «energosbyt», its site's name."""
    words = {name.lower(), transliterate(name.lower()), "energobot", "энергобот"}
    host = urlsplit(website if "//" in website else f"//{website}").hostname or ""
    labels = [label for label in host.split(".")[:-1] if label != "www"]
    words.update(labels)
    return tuple(sorted(word for word in words if len(word) >= 4))


@cache
def common_passwords() -> frozenset[str]:
    return _read_list(COMMON_PASSWORDS)


@cache
def _blocklist(path: str) -> frozenset[str]:
    return _read_list(Path(path)) if path else frozenset()


def _read_list(path: Path) -> frozenset[str]:
    with path.open(encoding="utf-8", errors="replace") as lines:
        return frozenset(
            line.rstrip("\r\n").lower()
            for line in lines
            if line.strip() and not line.startswith("# ")
        )


# Read back as letters: p@ssw0rd → password (1 as i, then as l).
_LEET_I = str.maketrans("@4$50!17+3", "aassoiitte")
_LEET_L = str.maketrans("@4$50!17+3", "aassolltte")
# The same keys in the other layout: gfhjkm → пароль, зфыыцщкв → password.
_LATIN_KEYS = "`qwertyuiop[]asdfghjkl;'zxcvbnm,."
_RUSSIAN_KEYS = "ёйцукенгшщзхъфывапролджэячсмитьбю"
_TO_RUSSIAN = str.maketrans(_LATIN_KEYS, _RUSSIAN_KEYS)
_TO_LATIN = str.maketrans(_RUSSIAN_KEYS, _LATIN_KEYS)
_TRANSLIT = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфыэ", "abvgdeziyklmnoprstufye", strict=True)),
        "ё": "e",
        "ж": "zh",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ъ": "",
        "ь": "",
        "ю": "yu",
        "я": "ya",
    }
)
# Keys and letters in a row: a run along one of these (either way) is a sequence.
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "01234567890",
    "`1234567890-=",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "йцукенгшщзхъ",
    "фывапролджэ",
    "ячсмитьбю.",
)
_NEIGHBOURS = frozenset(
    pair for row in _SEQUENCES for a, b in pairwise(row) for pair in ((a, b), (b, a))
)


def transliterate(text: str) -> str:
    return text.translate(_TRANSLIT)


def _forms(lowered: str) -> set[str]:
    """The password as a guesser's rules would produce it: as typed, leet read back, typed in
    the other layout, and each without spaces and punctuation."""
    forms = {
        lowered,
        lowered.translate(_LEET_I),
        lowered.translate(_LEET_L),
        lowered.translate(_TO_RUSSIAN),
        lowered.translate(_TO_LATIN),
    }
    forms |= {_compact(form) for form in forms}
    return {form for form in forms if form}


def _compact(form: str) -> str:
    return "".join(ch for ch in form if ch.isalnum())


def _core(form: str) -> str:
    """Without the digits and symbols around the letters: password2024! → password."""
    start, end = 0, len(form)
    while start < end and not form[start].isalpha():
        start += 1
    while end > start and not form[end - 1].isalpha():
        end -= 1
    return form[start:end]


def _periodic(form: str) -> bool:
    """abababab, passwordpassword, aaaaaaaa: one piece over and over."""
    return any(form[d:] == form[:-d] for d in range(1, len(form) // 2 + 1))


def _repetitive(form: str) -> bool:
    core = _core(form)
    return (
        len(set(form)) < 5
        or _periodic(form)
        or (len(core) >= 6 and (_periodic(core) or len(set(core)) < 3))
    )


def _sequential(form: str) -> bool:
    """Made of a few runs of neighbouring keys or letters (or repeats): qwerty123456,
    abcdefghijkl, 1234567890ab. A run takes at least four characters on average."""
    runs = 1
    for a, b in pairwise(form):
        if a != b and (a, b) not in _NEIGHBOURS:
            runs += 1
    return runs * 4 <= len(form)


def _personal_words(words: Iterable[str]) -> tuple[str, ...]:
    found = {word.lower() for word in words} | {transliterate(word.lower()) for word in words}
    # Longest first, so that «energosbyt» goes before «energo» would.
    return tuple(sorted((w for w in found if len(w) >= 3), key=len, reverse=True))


def _based_on(form: str, words: tuple[str, ...]) -> bool:
    """The login, a name or the company's name with little else: anna2024anna!, Энергосбыт2025."""
    rest = form
    for word in words:
        rest = rest.replace(word, "")
    if rest == form:
        return False
    return len(rest) < 8 or not any(ch.isalpha() for ch in rest)


def _in_list(form: str, common: frozenset[str]) -> bool:
    if form in common:
        return True
    core = _core(form)
    if core == form or core not in common:
        return False
    start = form.index(core)
    added = form[:start] + form[start + len(core) :]  # dragon12345678: 12345678
    return len(added) <= 6 or _sequential(added) or _periodic(added)
