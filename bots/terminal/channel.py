"""The terminal's outbound side: replies are collected for the command to print, their files
saved to a folder (a terminal cannot show a PDF or a picture; the path can be opened)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from bots.channel import AlwaysOpen, ChannelLimits, Rates, SendContext
from bots.terminal.adapter import CHANNEL
from dialogs.messages import Reply

# A terminal shows anything; the limits only keep the renderer's ladder honest.
LIMITS = ChannelLimits(
    text_max=100_000, buttons_max=100, button_label_max=1_000, payload_max_bytes=10_000
)
DEFAULT_ATTACHMENTS = Path("var/attachments")
_UNSAFE = re.compile(r"[^\w.\-]+")


@dataclass(frozen=True, slots=True)
class Delivered:
    reply: Reply
    saved: Path | None = None  # where the reply's file was written


class TerminalChannel(AlwaysOpen):
    name = CHANNEL
    limits = LIMITS
    rates = Rates(per_second=0, per_chat_per_second=0)

    def __init__(self, attachments: Path | None = None) -> None:
        """`attachments`: the folder files are saved to (None: files are not saved)."""
        self.attachments = attachments
        self.delivered: list[Delivered] = []

    async def send(
        self, user_id: str, reply: Reply, context: SendContext | None = None
    ) -> str | None:
        saved = None
        if reply.attachment is not None and self.attachments is not None:
            row_id = context.row_id if context is not None else 0
            saved = self._save(reply, row_id)
        self.delivered.append(Delivered(reply, saved))
        return None

    def take(self) -> list[Reply]:
        return [delivered.reply for delivered in self.take_delivered()]

    def take_delivered(self) -> list[Delivered]:
        taken, self.delivered = self.delivered, []
        return taken

    async def close(self) -> None:
        return None

    def _save(self, reply: Reply, row_id: int) -> Path:
        attachment = reply.attachment
        assert attachment is not None and self.attachments is not None
        # Only the name's last part, with nothing a shell or another folder could read into it;
        # the row's id in front keeps two receipts of the same name apart.
        name = _UNSAFE.sub("_", Path(attachment.filename).name).lstrip(".") or "file"
        prefix = str(row_id) if row_id > 0 else uuid.uuid4().hex[:12]
        self.attachments.mkdir(parents=True, exist_ok=True)
        path = self.attachments / f"{prefix}-{name}"
        path.write_bytes(attachment.content)
        return path.resolve()
