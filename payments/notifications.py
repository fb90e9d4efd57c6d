"""YooKassa's notifications: what one names. Never believed as it comes — the receiver fetches
the payment back by its id and acts on what the API says."""

from __future__ import annotations

import json
from dataclasses import dataclass

EVENTS = ("payment.succeeded", "payment.canceled", "payment.waiting_for_capture")


class NotANotification(ValueError):
    """The body is not a notification we can read (400)."""


@dataclass(frozen=True, slots=True)
class Notification:
    event: str  # payment.succeeded, payment.canceled...
    payment_id: str


def parse_notification(body: bytes) -> Notification:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotANotification("the body is not JSON") from exc
    if not isinstance(data, dict) or data.get("type") != "notification":
        raise NotANotification('not a notification: "type" must be "notification"')
    event = data.get("event")
    if not isinstance(event, str) or not event:
        raise NotANotification('the notification has no "event"')
    found = data.get("object")
    payment_id = found.get("id") if isinstance(found, dict) else None
    if not isinstance(payment_id, str) or not payment_id or len(payment_id) > 64:
        raise NotANotification('the notification\'s "object" has no "id"')
    return Notification(event=event, payment_id=payment_id)
