"""Sending to VK: a reply rendered as messages.send calls (text split at 9 000, the keyboard on
the last part) with a random_id derived from the outbox row, and VK's errors turned into what
the outbox sender needs. A reply's file is uploaded (uploads.py) and rides the last part as its
`attachment`: an image as a photo, a PDF as a document; over VK's limits or refused by it, the
signed link goes in the text instead."""

from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import dataclass, replace
from typing import Any

from bots.attachments import MediaLinks, Way, way
from bots.channel import AlwaysOpen, ChannelLimits, Rates, SendContext, SendError, utf16_length
from bots.render import numbered, plan, split_text
from bots.vk.api import VkApi
from bots.vk.errors import BOT_FEATURES_OFF, KEYBOARD_INVALID, VkApiError, send_error
from bots.vk.events import CHANNEL, CHAT_PEER_MIN, EventAnswer
from bots.vk.keyboard import HIDE, LABEL_MAX, keyboard
from bots.vk.uploads import UploadRefused, upload_doc, upload_photo
from dialogs.messages import Attachment, Reply

log = logging.getLogger(__name__)

TEXT_MAX = 9000  # characters of `message` (error 914 beyond)
LIMITS = ChannelLimits(
    text_max=TEXT_MAX,
    buttons_max=12,  # more would crowd a phone screen: numbered text then
    button_label_max=LABEL_MAX,
    payload_max_bytes=200,  # leaves room for {"b": ...} and escapes within VK's 255
    request_phone=False,  # VK has no share-phone button: phones are typed
    documents=True,  # VK's three-step upload (uploads.py)
    measure=utf16_length,  # at most 9 000 however VK counts them
    # Photos: JPG, PNG or GIF up to 50 MB; documents up to 200 MB. The file rides the text.
    document_max_bytes=200 * 1024 * 1024,
    image_max_bytes=50 * 1024 * 1024,
    image_types=frozenset({"image/png", "image/jpeg", "image/gif"}),
)
# random_id: VK sends a message once per (community, random_id) — a retried outbox row must
# carry the same ids, so they are derived from the row and the part of a split reply. Rows get
# positive ids, sends outside the outbox random negative ones: the two never meet. VK takes a
# signed 32-bit value.
PARTS_PER_ROW = 16
RANDOM_ID_MAX = 2**31 - 1
EVENT_ANSWER_METHOD = "messages.sendMessageEventAnswer"
KEYBOARDS_RETRY_SECONDS = 600.0  # after error 912, keyboards are tried again this much later


def random_id(row_id: int, part: int) -> int:
    if row_id > 0:
        return (row_id * PARTS_PER_ROW + part) % RANDOM_ID_MAX or RANDOM_ID_MAX
    return -1 - secrets.randbelow(RANDOM_ID_MAX)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One messages.send: its text and keyboard (None: no keyboard parameter at all)."""

    text: str
    keyboard: dict[str, Any] | None
    buttons: bool = False  # the keyboard carries the reply's buttons (not just HIDE)
    attachment: str = ""  # an uploaded file (photo<owner>_<id>..., doc<owner>_<id>)


def render(reply: Reply, attachment: str = "") -> list[Outgoing]:
    """The messages of a reply: text chunks, the keyboard (and the uploaded file) on the last
    one. A reply without buttons takes a regular keyboard of an earlier prompt away (HIDE); VK
    messages are plain text, so nothing is escaped."""
    layout = plan(reply, LIMITS)
    board = keyboard(layout.buttons)
    *first, last = layout.chunks
    if attachment and not reply.text.strip() and not layout.buttons:
        last = ""  # the file alone
    messages = [Outgoing(chunk, None) for chunk in first]
    messages.append(Outgoing(last, board or HIDE, board is not None, attachment))
    return messages


def numbered_fallback(reply: Reply, text: str) -> list[str]:
    """The last chunk without its keyboard: the options as numbered lines after it."""
    return split_text(f"{text}\n\n{numbered(reply.buttons)}", TEXT_MAX, utf16_length)


class VkChannel(AlwaysOpen):
    """VK has no messaging window: whom it refuses (901, message_deny) the sender learns from
    the error and the notices."""

    name = CHANNEL
    limits = LIMITS

    def __init__(self, api: VkApi, rates: Rates, links: MediaLinks | None = None) -> None:
        self.api = api
        self.rates = rates
        self.links = links or MediaLinks()
        self._keyboards_off_until = 0.0  # monotonic time; VK's error 912 sets it

    async def send(
        self, user_id: str, reply: Reply, context: SendContext | None = None
    ) -> str | None:
        peer = _peer(user_id)
        row = context.row_id if context is not None else 0
        keyboards = time.monotonic() >= self._keyboards_off_until
        uploaded = ""
        if reply.attachment is not None:
            uploaded = await self._upload(peer, reply.attachment)
            if not uploaded:
                reply = self.links.linked(reply, context)
        last: str | None = None
        for part, message in enumerate(render(reply, uploaded)):
            if message.keyboard is not None and not keyboards:
                last = await self._plain(peer, reply, message, row, part)
                continue
            try:
                last = await self._send(
                    peer, message.text, message.keyboard, random_id(row, part), message.attachment
                )
            except VkApiError as exc:
                if message.attachment and _refused(exc):
                    # VK refused the message with the file: its words and the link instead,
                    # under a random_id of their own (the refused one sent nothing).
                    log.info("vk refused %s: %s", message.attachment, exc)
                    linked = self.links.linked(replace(reply, text=message.text), context)
                    rest = replace(linked, attachment=None)
                    for offset, again in enumerate(render(rest), PARTS_PER_ROW // 2):
                        last = await self._send(
                            peer, again.text, again.keyboard, random_id(row, part + offset)
                        )
                    continue
                if message.keyboard is None or exc.code not in (KEYBOARD_INVALID, BOT_FEATURES_OFF):
                    raise send_error(exc) from None
                if exc.code == BOT_FEATURES_OFF:
                    # Not for this message only: keyboards wait until someone turns them on.
                    self._keyboards_off_until = time.monotonic() + KEYBOARDS_RETRY_SECONDS
                    log.error(
                        "vk refuses keyboards (%s): turn on the community's bot capabilities "
                        "(Manage → Messages → Bot settings); options go as numbered lines",
                        exc,
                    )
                else:
                    log.warning("vk refused a keyboard (%s): sent without it", exc)
                last = await self._plain(peer, reply, message, row, part)
        return last

    async def _plain(
        self, peer: int, reply: Reply, message: Outgoing, row: int, part: int
    ) -> str | None:
        """The message without a keyboard: its options as numbered lines (a typed number
        presses the option, as on every channel)."""
        texts = numbered_fallback(reply, message.text) if message.buttons else [message.text]
        last: str | None = None
        for offset, text in enumerate(texts):  # the last part: nothing comes after it
            try:
                last = await self._send(peer, text, None, random_id(row, part + offset))
            except VkApiError as exc:
                raise send_error(exc) from None
        return last

    async def _upload(self, peer: int, attachment: Attachment) -> str:
        """The file uploaded to VK within its limits, named for `attachment`; "" when it goes
        as a link (over the limits, or VK refused it). A transient failure is raised."""
        how = way(attachment, LIMITS)
        try:
            if how is Way.IMAGE:
                return await upload_photo(self.api, peer, attachment)
            if how is Way.DOCUMENT:
                return await upload_doc(self.api, peer, attachment)
        except UploadRefused as exc:
            log.info("%s", exc)
        except VkApiError as exc:
            if not _refused(exc):
                raise send_error(exc) from None
            log.info("vk refused the upload of %s: %s", attachment.filename, exc)
        return ""

    async def _send(
        self,
        peer: int,
        text: str,
        board: dict[str, Any] | None,
        rid: int,
        attachment: str = "",
    ) -> str | None:
        params: dict[str, str | int] = {"peer_id": peer, "random_id": rid, "message": text}
        if attachment:
            params["attachment"] = attachment
        if board is not None:
            params["keyboard"] = json.dumps(board, ensure_ascii=False, separators=(",", ":"))
        answer = await self.api.call("messages.send", params)
        # With peer_id VK answers the message id (with peer_ids a list: not used here).
        if isinstance(answer, int) and not isinstance(answer, bool):
            return str(answer)
        return None

    async def answer_event(self, press: EventAnswer) -> None:
        """Stop a callback button's spinner. Best effort: the reply itself travels the outbox,
        and VK forgets the press after a minute anyway."""
        params: dict[str, str | int] = {
            "event_id": press.event_id,
            "user_id": press.user_id,
            "peer_id": press.peer_id,
        }
        try:
            await self.api.call(EVENT_ANSWER_METHOD, params)
        except VkApiError as exc:
            log.info("vk callback press %s not answered: %s", press.event_id, exc)

    async def close(self) -> None:
        await self.api.close()


def _refused(exc: VkApiError) -> bool:
    """Refused as it is (not a wait, not an unreachable customer, not an outage)."""
    error = send_error(exc)
    return error.permanent and not error.blocks and error.retry_after is None


def _peer(user_id: str) -> int:
    """A customer's user id (their dialog's peer_id); anything else cannot be written to."""
    if user_id.isascii() and user_id.isdigit() and 0 < int(user_id) < CHAT_PEER_MIN:
        return int(user_id)
    raise SendError(f"vk: {user_id[:32]!r} is not a VK user id", permanent=True)
