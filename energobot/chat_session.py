"""One terminal conversation: a line in, the replies out, through the inbox and the outbox.

`energobot chat` reads its lines from standard input; the conversation stories
(tests/conversations) feed theirs from data files. Both go the way every messenger's messages go.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bots.terminal import CHANNEL, parse_line, render_json
from bots.terminal.adapter import InputError
from bots.terminal.channel import TerminalChannel
from dialogs.messages import Reply
from dialogs.pipeline import Pipeline
from outbox.sender import OutboxSender

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Exchange:
    """What one input line got: the replies, or why the line was not taken."""

    line: str
    replies: tuple[Reply, ...]
    error: str | None = None
    saved: tuple[Path | None, ...] = ()  # per reply: where its file was saved

    def files(self) -> tuple[Path | None, ...]:
        return self.saved or (None,) * len(self.replies)

    def record(self) -> dict[str, Any]:
        """The line `energobot chat --json` prints for it."""
        raw = self.line.rstrip("\r\n")
        try:
            echo: Any = json.loads(raw) if raw.lstrip().startswith("{") else raw
        except json.JSONDecodeError:
            echo = raw
        replies = [render_json(r, path) for r, path in zip(self.replies, self.files(), strict=True)]
        record: dict[str, Any] = {"in": echo, "replies": replies}
        if self.error:
            record["error"] = self.error
        return record


class ChatSession:
    """A customer at the terminal: each line is one event of the terminal channel."""

    def __init__(
        self,
        pipeline: Pipeline,
        sender: OutboxSender,
        terminal: TerminalChannel,
        user_id: str,
        *,
        json_mode: bool = True,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.pipeline = pipeline
        self.sender = sender
        self.terminal = terminal
        self.user_id = user_id
        self.json_mode = json_mode
        self.clock = clock

    async def exchange(self, line: str) -> Exchange:
        if not line.strip():
            return Exchange(line, ())
        try:
            inbound = parse_line(line, self.user_id, self.clock(), json_mode=self.json_mode)
        except InputError as exc:
            return Exchange(line, (), str(exc))
        try:
            handled = await self.pipeline.handle(inbound)
            # The same outbox path as every channel, run now rather than later.
            if handled.conversation_id is not None:
                await self.sender.flush(CHANNEL, handled.conversation_id)
                # The conversation's mails too (an enabled e-mail channel), after the answers.
                for name in self.sender.channels:
                    if name != CHANNEL:
                        await self.sender.flush(name, handled.conversation_id)
        except Exception as exc:  # the database went away: say so, keep the session
            log.exception("terminal message failed")
            return self._taken(line, f"{type(exc).__name__}: {exc}")
        return self._taken(line)

    def _taken(self, line: str, error: str | None = None) -> Exchange:
        delivered = self.terminal.take_delivered()
        replies = tuple(d.reply for d in delivered)
        return Exchange(line, replies, error, tuple(d.saved for d in delivered))
