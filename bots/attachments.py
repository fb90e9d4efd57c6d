"""How a reply's file goes out on a channel: as an image, as a document, or — when the platform
has no way for it, it is over the platform's limits, or the platform refused it — as a signed
link (GET /media/<token>) at the end of the text, so the customer always gets the file."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from bots.channel import ChannelLimits, SendContext
from bots.meta.texts import language_of
from bots.render import split_text
from dialogs.i18n import translator
from dialogs.messages import Attachment, Reply

log = logging.getLogger(__name__)


class Way(StrEnum):
    IMAGE = "image"
    DOCUMENT = "document"
    LINK = "link"


def way(attachment: Attachment, limits: ChannelLimits) -> Way:
    """The platform's own way for the file within its limits, else LINK. An image too big or
    of a type the platform will not show as one may still go as a document."""
    size = attachment.size
    if (
        attachment.kind == "image"
        and attachment.media_type in limits.image_types
        and 0 < size <= limits.image_max_bytes
    ):
        return Way.IMAGE
    if (
        limits.documents
        and attachment.media_type in limits.document_types
        and 0 < size <= limits.document_max_bytes
    ):
        return Way.DOCUMENT
    return Way.LINK


@dataclass(frozen=True, slots=True)
class Caption:
    """A reply's text around its file: `before` goes as messages of its own (split as texts
    are), `caption` on the file itself ("" when the text is longer than a caption may be)."""

    before: tuple[str, ...]
    caption: str


def caption(text: str, limits: ChannelLimits) -> Caption:
    text = text.strip()
    if not text:
        return Caption((), "")
    if limits.caption_max and limits.measure(text) <= limits.caption_max:
        return Caption((), text)
    return Caption(tuple(split_text(text, limits.text_max, limits.measure)), "")


@dataclass(frozen=True, slots=True)
class MediaLinks:
    """Signed links to outbox rows' files (Host.media_url) and the words around one."""

    make: Callable[[int, str], str] | None = None
    days: int = 7

    def url(self, attachment: Attachment, context: SendContext | None) -> str | None:
        row_id = context.row_id if context is not None else 0
        if self.make is None or row_id <= 0:
            return None
        return self.make(row_id, attachment.filename)

    def line(self, reply: Reply, url: str) -> str:
        """«Файл: <link> (ссылка действует 7 дней)» in the customer's language."""
        return translator(language_of(reply))("common.file_link", link=url, count=self.days)

    def linked(self, reply: Reply, context: SendContext | None) -> Reply:
        """The reply as text with its file's link appended, without the file."""
        attachment = reply.attachment
        if attachment is None:
            return reply
        url = self.url(attachment, context)
        if url is None:
            # No server.public_url (or not an outbox row): nothing the customer could open.
            log.warning("%s: no link can be made (set server.public_url)", attachment.filename)
            return replace(reply, attachment=None)
        text = reply.text.rstrip()
        joined = f"{text}\n\n{self.line(reply, url)}" if text else self.line(reply, url)
        return replace(reply, text=joined, attachment=None)
