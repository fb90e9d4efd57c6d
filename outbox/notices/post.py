"""One public post per outage in a channel or group chat (suppliers must post interruptions in
MAX): the text in the company's language, sent through a channel that can post to a chat."""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo
from typing import Protocol, runtime_checkable

from bots.channel import Channel, SendError
from core.notices import Kind
from dialogs.config import CompanyInfo
from dialogs.i18n import Translator
from outbox.notices.rules import Job

log = logging.getLogger(__name__)


@runtime_checkable
class ChatPoster(Protocol):
    """A channel that can write to a channel or group chat, not only to a person."""

    async def post(self, chat_id: str, text: str) -> str | None: ...


def post_text(job: Job, t: Translator, company: CompanyInfo, zone: tzinfo) -> str:
    outage = job.outage
    assert outage is not None

    def moment(at: datetime) -> str:
        local = at.astimezone(zone)
        return f"{t.day_month(local.date())} {t.time(local)}"

    houses = t("notices.post.houses", houses=outage.houses) if outage.houses.strip() else ""
    key = "emergency" if job.kind is Kind.OUTAGE_EMERGENCY else "planned"
    return t(
        f"notices.post.{key}",
        settlement=outage.settlement,
        street=outage.street,
        houses=houses,
        start=moment(outage.starts_at),
        end=moment(outage.ends_at),
        reason=outage.reason or t("notices.no_reason"),
        grid=company.grid_company,
        hotline=company.grid_hotline,
    )


class OutagePoster:
    def __init__(
        self,
        channel: Channel,
        chat_id: str,
        t: Translator,
        company: CompanyInfo,
        zone: tzinfo,
    ) -> None:
        self._channel, self._chat_id = channel, chat_id
        self._t, self._company, self._zone = t, company, zone

    async def __call__(self, job: Job) -> str | None:
        """Post the outage; the error to record, or None when posted."""
        if not isinstance(self._channel, ChatPoster):
            return f"{self._channel.name} cannot post to a chat"
        text = post_text(job, self._t, self._company, self._zone)
        try:
            await self._channel.post(self._chat_id, text)
        except SendError as exc:
            log.warning("notices: posting %s failed: %s", job.key, exc.reason)
            return exc.reason
        except Exception as exc:  # a timeout, a lost connection: recorded, not retried
            log.warning("notices: posting %s failed: %s", job.key, exc)
            return f"{type(exc).__name__}: {exc}"
        return None
