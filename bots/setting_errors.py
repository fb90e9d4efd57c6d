"""Settings errors that name the setting and say what is wrong with its value.

A secret's value is never shown, not even in part: only its length and the kinds of character
that do not belong (a punctuation mark is named, a letter or digit only as «letters»).
"""

from __future__ import annotations

import re


class SettingError(ValueError):
    """One setting's value is wrong. Raised in a validator, it is reported under `env` (the
    ENERGOBOT_... variable) however deep the validator sits (energobot.settings._describe)."""

    def __init__(self, env: str, problem: str) -> None:
        super().__init__(f"{env}: {problem}")
        self.env = env
        self.problem = problem


def env_name(*path: str) -> str:
    """The variable of a setting: env_name("whatsapp", "app_secret") is
    ENERGOBOT_WHATSAPP__APP_SECRET."""
    return "ENERGOBOT_" + "__".join(part.upper() for part in path)


def secret_shape(value: str, allowed: str) -> str:
    """How a secret that failed its check looks, without showing it: «the value given has 7
    characters and contains '_'». `allowed` is a regular expression character class's body
    (A-Za-z0-9_-); characters outside it are named by kind."""
    if not value:
        return "the value given is empty"
    said = f"the value given has {len(value)} characters"
    strangers = offending(value, allowed)
    return f"{said} and contains {', '.join(strangers)}" if strangers else said


def offending(value: str, allowed: str) -> list[str]:
    """The kinds of character in `value` that `allowed` (a character class's body) lacks."""
    one = re.compile(f"[{allowed}]")
    kinds: list[str] = []
    for char in value:
        if one.fullmatch(char):
            continue
        kind = _kind(char)
        if kind not in kinds:
            kinds.append(kind)
    return kinds


def _kind(char: str) -> str:
    if char in "\r\n":
        return "line breaks"
    if char.isspace():
        return "spaces"
    if not char.isprintable():
        return "control characters"
    if not char.isascii():
        return "non-ASCII characters"
    if char.isdigit():
        return "digits not allowed"
    if char.isalpha():
        return "letters not allowed"
    return repr(char)  # a punctuation mark says which without giving the secret away
