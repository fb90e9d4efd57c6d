"""Pages: the jinja2 environment (autoescape on for every template), texts and formatting."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined

from core.masking import mask_account, mask_surname
from dialogs.i18n import Translator, translator


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("console", "templates"),
        # Every template, whatever its name: customer text is always escaped.
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


class Formats:
    """Texts and times as the console shows them: its language, the company's time zone."""

    def __init__(self, language: str, zone: tzinfo) -> None:
        self.t: Translator = translator(language)
        self.zone = zone
        # A channel's name from its plug-in (energobot/app.py), where the catalog has none.
        self.channel_titles: dict[str, str] = {}

    def text(self, key: str, /, **params: Any) -> str:
        return self.t(f"console.{key}", **params)

    def label(self, prefix: str, value: str) -> str:
        """A catalog label for a code (a channel, a status), the code itself if there is none."""
        key = f"console.{prefix}.{value}"
        if self.t.has(key):
            return self.t(key)
        return self.channel_titles.get(value, value) if prefix == "channels" else value

    def local(self, value: datetime) -> datetime:
        return value.astimezone(self.zone)

    def today(self, now: datetime) -> date:
        return self.local(now).date()

    def midnight(self, now: datetime) -> datetime:
        """The start of the company's day that `now` falls in, as an aware datetime."""
        local = self.local(now)
        return local.replace(hour=0, minute=0, second=0, microsecond=0)

    def when(self, value: datetime | None, now: datetime) -> str:
        """«14:05» today, «23 ноября, 14:05» otherwise."""
        if value is None:
            return ""
        local = self.local(value)
        if local.date() == self.today(now):
            return self.t.time(local)
        return f"{self.t.day_month(local.date())}, {self.t.time(local)}"

    def day(self, value: date | None) -> str:
        return self.t.short_date(value) if value is not None else ""

    def duration(self, seconds: float) -> str:
        minutes = max(0, int(seconds // 60))
        if minutes < 60:
            return self.text("duration.minutes", minutes=minutes)
        return self.text("duration.hours", hours=minutes // 60, minutes=f"{minutes % 60:02d}")

    def waiting(self, since: datetime, now: datetime) -> str:
        return self.duration((now - since).total_seconds())

    def number(self, value: Decimal | int | None) -> str:
        return "" if value is None else self.t.number(value)

    def money(self, value: Decimal) -> str:
        return self.t.money(value)

    def slot(self, slot: str | None) -> str:
        """«08:00-12:00» → «с 08:00 до 12:00»."""
        if not slot:
            return ""
        start, _, end = slot.partition("-")
        return self.t("visits.slot", start=start, end=end) if end else slot


def masked_name(name: str) -> str:
    """A messenger display name as the queue shows it: «Мария Иванова» → «М*****ия И*****ва»."""
    return " ".join(mask_surname(word) for word in name.split())


def masked_customer(name: str, accounts: tuple[str, ...]) -> str:
    parts = [masked_name(name)] if name.strip() else []
    parts += [mask_account(number) for number in accounts[:2]]
    return " · ".join(parts) if parts else "—"


def seconds_ago(since: datetime, now: datetime) -> float:
    return max(0.0, (now - since) / timedelta(seconds=1))


def html(env: Environment, name: str, context: dict[str, Any], status: int = 200) -> web.Response:
    body = env.get_template(name).render(**context)
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")
