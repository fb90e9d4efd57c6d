"""Customers (messenger identities), their conversations and escalations to operators."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.masking import mask_phone


@dataclass(slots=True)
class Customer:
    id: int
    channel: str
    user_id: str  # the platform's id of the person, as a string
    display_name: str
    language: str
    created_at: datetime


class ConversationStatus(StrEnum):
    BOT = "bot"
    WAITING_OPERATOR = "waiting_operator"
    OPERATOR = "operator"


@dataclass(slots=True)
class Conversation:
    id: int
    customer_id: int
    channel: str
    user_id: str
    status: ConversationStatus
    state: dict[str, Any]  # the dialog engine's; opaque here
    version: int
    last_inbound_at: datetime | None
    send_blocked: str | None = None  # why messages cannot be delivered now (blocked the bot, ...)


class EscalationStatus(StrEnum):
    WAITING = "waiting"
    CLAIMED = "claimed"
    CLOSED = "closed"


class Author(StrEnum):
    CUSTOMER = "customer"
    BOT = "bot"
    OPERATOR = "operator"
    NOTE = "note"  # an operator's private note


@dataclass(slots=True)
class EscalationMessage:
    author: Author
    text: str
    at: datetime
    operator: str | None = None


@dataclass(slots=True)
class Escalation:
    id: int
    conversation_id: int
    reason: str
    status: EscalationStatus
    created_at: datetime
    operator: str | None = None
    messages: list[EscalationMessage] = field(default_factory=list)


def transcript_line(kind: str, text: str, file_id: str = "", phone: str = "") -> str:
    """What an operator sees of a customer's message: its text (a pressed button: its label,
    when the pipeline could tell it); a file by the platform's id (the console fetches it from
    the platform by this id); a shared phone, masked; other kinds by name."""
    if kind == "file":
        file = f"[file: {file_id}]" if file_id else "[file]"
        return f"{file} {text}" if text else file
    if kind == "contact" and phone:
        return f"📱 {mask_phone(phone)}"
    if kind == "start":
        return text or "/start"
    return text or f"[{kind}]"
