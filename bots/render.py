"""The renderer ladder every adapter walks: native buttons if they fit, else numbered text;
long texts split at paragraph boundaries, never mid-word."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bots.channel import ChannelLimits
from dialogs.messages import Button, Reply

# A button whose payload is too long for the channel carries its number instead; the number
# comes back as typed text, which presses the same option of the last prompt.
NUMBERED = "#"
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Plan:
    """What an adapter sends for one reply: the chunks in order, buttons on the last one."""

    chunks: tuple[str, ...]
    buttons: tuple[Button, ...]  # labels and payloads already within the channel's limits
    request_phone: bool


def plan(reply: Reply, limits: ChannelLimits) -> Plan:
    text = reply.text.strip() or ELLIPSIS
    buttons: tuple[Button, ...] = ()
    if reply.buttons:
        if len(reply.buttons) <= limits.buttons_max:
            buttons = tuple(_fit_button(b, i, limits) for i, b in enumerate(reply.buttons, 1))
        else:
            text = f"{text}\n\n{numbered(reply.buttons)}"
    request_phone = reply.request_phone and limits.request_phone
    return Plan(tuple(split_text(text, limits.text_max, limits.measure)), buttons, request_phone)


def numbered(buttons: tuple[Button, ...]) -> str:
    """«1 — Передать показания» lines; a typed number presses the button."""
    return "\n".join(f"{i} — {b.label}" for i, b in enumerate(buttons, 1))


def typed_option(data: str) -> str | None:
    """The number a NUMBERED payload stands for, else None."""
    if data.startswith(NUMBERED) and data[1:].isdigit():
        return data[1:]
    return None


def _fit_button(button: Button, number: int, limits: ChannelLimits) -> Button:
    label = button.label
    if len(label) > limits.button_label_max:
        label = label[: limits.button_label_max - 1].rstrip() + ELLIPSIS
    payload = button.payload
    if len(payload.encode()) > limits.payload_max_bytes:
        payload = f"{NUMBERED}{number}"
    return Button(label, payload)


_PARAGRAPH = re.compile(r"\n\s*\n")


def _prefix(word: str, limit: int, measure: Callable[[str], int]) -> int:
    """How many characters of `word` fit in `limit` (at least one, so cutting ends)."""
    cut = min(len(word), limit)
    while cut > 1 and measure(word[:cut]) > limit:
        cut -= 1
    return cut


def split_text(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """Pieces of at most `limit` (as `measure` counts): cut between paragraphs, else between
    lines, else between words; a single word longer than the limit is the only thing ever cut
    inside."""
    if measure(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for unit in _units(text, limit, measure):
        joined = f"{current}{unit.separator}{unit.text}" if current else unit.text
        if measure(joined) <= limit:
            current = joined
        else:
            if current:
                chunks.append(current)
            current = unit.text
    if current:
        chunks.append(current)
    return chunks


@dataclass(frozen=True, slots=True)
class _Unit:
    text: str
    separator: str  # what joins it to the previous unit inside one chunk


def _units(text: str, limit: int, measure: Callable[[str], int]) -> list[_Unit]:
    units: list[_Unit] = []
    for paragraph in _PARAGRAPH.split(text.strip()):
        first = True
        for piece in _fit(paragraph, limit, measure):
            units.append(_Unit(piece.text, "\n\n" if first else piece.separator))
            first = False
    return units


def _fit(paragraph: str, limit: int, measure: Callable[[str], int]) -> list[_Unit]:
    if measure(paragraph) <= limit:
        return [_Unit(paragraph, "\n\n")]
    units: list[_Unit] = []
    for line in paragraph.split("\n"):
        if measure(line) <= limit:
            units.append(_Unit(line, "\n"))
            continue
        first = True
        for word in line.split(" "):
            while measure(word) > limit:  # nothing to cut between: cut the word itself
                cut = _prefix(word, limit, measure)
                units.append(_Unit(word[:cut], "\n" if first else " "))
                word, first = word[cut:], False
            if word:
                units.append(_Unit(word, "\n" if first else " "))
                first = False
    return units
