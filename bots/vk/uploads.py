"""A reply's file as a VK attachment, in VK's three steps: the upload server for a message
(photos.getMessagesUploadServer / docs.getMessagesUploadServer), the file posted there (field
`photo` / `file`), then saved (photos.saveMessagesPhoto / docs.save); the saved object is named
in messages.send's `attachment` as photo<owner>_<id>[_<access key>] or doc<owner>_<id>."""

from __future__ import annotations

import json
from typing import Any

from bots.vk.api import VkApi
from bots.vk.errors import UNREACHED, VkApiError
from dialogs.messages import Attachment


class UploadRefused(Exception):
    """The upload server took the file but made nothing of it (an image it cannot read, a
    type it does not keep): the file as it is will not go, a link will."""


async def upload_photo(api: VkApi, peer: int, attachment: Attachment) -> str:
    server = await api.call("photos.getMessagesUploadServer", {"peer_id": peer})
    uploaded = await api.upload(
        _url(server), "photo", attachment.filename, attachment.content, attachment.media_type
    )
    photo = uploaded.get("photo")
    # An upload it could not use answers an empty list of photos (or an error) in HTTP 200.
    if uploaded.get("error") or not isinstance(photo, str) or photo in ("", "[]"):
        raise UploadRefused(f"vk refused the photo: {_said(uploaded)}")
    saved = await api.call(
        "photos.saveMessagesPhoto",
        {
            "photo": photo,
            "server": str(uploaded.get("server", "")),
            "hash": uploaded.get("hash", ""),
        },
    )
    item = saved[0] if isinstance(saved, list) and saved else None
    return _name("photo", item)


async def upload_doc(api: VkApi, peer: int, attachment: Attachment) -> str:
    server = await api.call("docs.getMessagesUploadServer", {"type": "doc", "peer_id": peer})
    uploaded = await api.upload(
        _url(server), "file", attachment.filename, attachment.content, attachment.media_type
    )
    file = uploaded.get("file")
    if uploaded.get("error") or not isinstance(file, str) or not file:
        raise UploadRefused(f"vk refused the document: {_said(uploaded)}")
    saved = await api.call("docs.save", {"file": file, "title": attachment.filename})
    item = saved.get("doc") if isinstance(saved, dict) else None
    return _name("doc", item)


def _url(server: Any) -> str:
    url = server.get("upload_url") if isinstance(server, dict) else None
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise VkApiError(UNREACHED, "no upload_url in the answer", "getMessagesUploadServer")
    return url


def _name(kind: str, item: Any) -> str:
    if not isinstance(item, dict):
        raise VkApiError(UNREACHED, f"the saved {kind} is not in the answer", f"{kind}.save")
    owner, number = item.get("owner_id"), item.get("id")
    if not isinstance(owner, int) or not isinstance(number, int):
        raise VkApiError(UNREACHED, f"the saved {kind} has no id", f"{kind}.save")
    key = item.get("access_key")
    return f"{kind}{owner}_{number}" + (f"_{key}" if isinstance(key, str) and key else "")


def _said(answer: dict[str, Any]) -> str:
    return json.dumps(answer, ensure_ascii=False)[:200]
