"""Records as the pages and the live updates show them (plain dicts of strings)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from console.context import PREFIX, Console
from console.render import masked_customer
from core.conversations import Author
from core.ports import QueueEntry, TranscriptEntry


def queue_row(console: Console, item: QueueEntry, now: datetime) -> dict[str, Any]:
    f = console.formats
    return {
        "escalation_id": item.escalation_id,
        "conversation_id": item.conversation_id,
        "channel": f.label("channels", item.channel),
        "customer": masked_customer(item.customer_name, item.accounts),
        "reason": item.reason,
        "created_at": item.created_at.isoformat(),
        "since": f.when(item.created_at, now),
        "waiting": f.waiting(item.created_at, now),
        "operator": item.operator or "",
        "claim_url": f"{PREFIX}/escalations/{item.escalation_id}/claim",
        "open_url": f"{PREFIX}/conversations/{item.conversation_id}",
    }


def message(console: Console, line: TranscriptEntry, now: datetime) -> dict[str, Any]:
    f = console.formats
    author = Author(line.author)
    if author is Author.OPERATOR:
        who = line.operator or console.text("authors.operator")
    elif author is Author.NOTE:
        who = console.text("authors.note", login=line.operator or "")
    else:
        who = console.text(f"authors.{author.value}")
    delivery = ""
    if line.delivery and author in (Author.BOT, Author.OPERATOR):
        delivery = f.label("delivery", line.delivery)
    return {
        "key": line.key,
        "author": author.value,
        "who": who,
        "text": line.text,
        "at": f.when(line.at, now),
        "delivery": delivery,
        "delivery_state": line.delivery or "",
    }


def cursor_text(cursor: tuple[int, int, int]) -> str:
    return ".".join(str(part) for part in cursor)


def parse_cursor(text: str | None) -> tuple[int, int, int] | None:
    if not text:
        return None
    parts = text.split(".")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return None
    a, b, c = (int(part) for part in parts)
    return a, b, c
