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

    def record(self) -> dict[str, Any]:
        """The line `energobot chat --json` prints for it."""
        raw = self.line.rstrip("\r\n")
        try:
            echo: Any = json.loads(raw) if raw.lstrip().startswith("{") else raw
        except json.JSONDecodeError:
            echo = raw
        record: dict[str, Any] = {"in": echo, "replies": [render_json(r) for r in self.replies]}
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
        except Exception as exc:  # the database went away: say so, keep the session
            log.exception("terminal message failed")
            return Exchange(line, tuple(self.terminal.take()), f"{type(exc).__name__}: {exc}")
        return Exchange(line, tuple(self.terminal.take()))
