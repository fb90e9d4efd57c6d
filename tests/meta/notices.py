"""Notices as the outbox hands them to a channel: a Reply naming its kind (core.notices.Kind) as
`template`, with its values already formatted for the customer and the buttons it offers."""

from __future__ import annotations

from core.notices import Kind
from dialogs.messages import Button, Reply

# Values as outbox/notices/compose.py formats them for a Russian-speaking customer.
VALUES: dict[str, str] = {
    "amount": "1 514,86 ₽",
    "due": "15 декабря",
    "account": "5901000001",
    "address": "ул. Ленина, д. 64",
    "start": "24 декабря 10:00",
    "end": "24 декабря 16:00",
    "period": "декабрь",
}
TEXTS: dict[Kind, str] = {
    Kind.READING_REMINDER: "Пора передать показания за {period}.",
    Kind.READING_LAST_DAY: "Сегодня последний день передачи показаний за {period}.",
    Kind.DEBT_DUE: "По счёту {account} к оплате {amount} до {due}.",
    Kind.DEBT_OVERDUE: "По счёту {account} просрочена оплата {amount}.",
    Kind.DEBT_RESTRICTION: "По счёту {account} долг {amount}: возможно ограничение с {due}.",
    Kind.OUTAGE_PLANNED: "{address}: отключение с {start} до {end}.",
    Kind.OUTAGE_EMERGENCY: "{address}: аварийное отключение с {start}.",
    Kind.OUTAGE_RESTORED: "{address}: электроснабжение восстановлено.",
    Kind.VISIT_STATUS: "Заявка № 118: мастер придёт {start}.",
    Kind.RECEIPT_READY: "Квитанция за {period} готова: {amount}.",
}
BUTTONS = (Button("Оплатить", "go:payment"), Button("Отписаться", "unsub:debt"))


def notice(kind: Kind, **values: str) -> Reply:
    """A notice of `kind` with the usual values (overridden or, as "", left out by `values`)."""
    shown = {**VALUES, **values}
    kept = tuple(sorted((name, value) for name, value in shown.items() if value))
    return Reply(
        TEXTS[kind].format(**shown),
        buttons=BUTTONS,
        template=kind.value,
        values=kept,
        language="ru",
    )
