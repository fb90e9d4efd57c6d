"""The fake's uploads of files for messages, as VK does them: an upload server per kind
(photos.getMessagesUploadServer, docs.getMessagesUploadServer with type=doc), a multipart POST
there (field `photo`: JPG, PNG or GIF up to 50 MB, width + height at most 14 000; field `file`:
up to 200 MB, not an executable), then photos.saveMessagesPhoto / docs.save. What the upload
server cannot use it answers in HTTP 200: an empty photo list, or {"error": ...} for a document
(the texts unverified); saving that fails with error 100."""

from __future__ import annotations

import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.vk.errors import PARAM, VkError

PHOTO_MAX_BYTES = 50 * 1024 * 1024
DOC_MAX_BYTES = 200 * 1024 * 1024
PHOTO_SIDES_MAX = 14_000
FORBIDDEN_EXTENSIONS = (".exe", ".apk", ".bat", ".cmd", ".sh", ".js", ".msi")


@dataclass
class Saved:
    """A photo or document saved for messages: the bytes as VK keeps them."""

    kind: str  # photo | doc
    owner_id: int
    id: int
    filename: str
    content: bytes
    access_key: str = ""

    @property
    def attachment(self) -> str:
        key = f"_{self.access_key}" if self.access_key else ""
        return f"{self.kind}{self.owner_id}_{self.id}{key}"


@dataclass
class Uploads:
    group_id: int
    base_url: str = ""  # the fake's address, known once it serves
    pending: dict[str, tuple[str, int]] = field(default_factory=dict)  # token -> kind, peer
    uploaded: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # blob -> name, bytes
    saved: dict[str, Saved] = field(default_factory=dict)  # attachment -> what it names

    def server(self, kind: str, params: dict[str, str]) -> dict[str, Any]:
        peer = params.get("peer_id", "")
        if not peer.lstrip("-").isdigit():
            raise VkError(PARAM, "peer_id is invalid")
        if kind == "doc" and params.get("type", "doc") not in ("doc", "audio_message"):
            raise VkError(PARAM, "type is invalid")
        token = secrets.token_hex(8)
        self.pending[token] = (kind, int(peer))
        root = self.base_url.removesuffix("/method")
        upload: dict[str, Any] = {"upload_url": f"{root}/upload/{kind}/{token}"}
        if kind == "photo":
            upload |= {"album_id": -3, "group_id": self.group_id}
        return upload

    async def receive(self, request: web.Request) -> web.Response:
        kind, token = request.match_info["kind"], request.match_info["token"]
        if self.pending.pop(token, (None, 0))[0] != kind:
            return web.json_response({"error": "invalid upload url"})  # unverified text
        field_name = "photo" if kind == "photo" else "file"
        form = await request.post()
        part = form.get(field_name)
        if not isinstance(part, web.FileField):
            return web.json_response({"error": f"no {field_name} in the request"})
        data = part.file.read()
        name = part.filename or ""
        blob = secrets.token_hex(12)
        if kind == "photo":
            if not _photo_ok(data):
                # VK answers an empty list when it could make no photo of the file.
                return web.json_response({"server": 840, "photo": "[]", "hash": "e3b0c442"})
            self.uploaded[blob] = (name, data)
            photo = json.dumps([{"photo": blob, "sizes": [], "kid": "ab12"}])
            return web.json_response({"server": 840, "photo": photo, "hash": _hash(blob)})
        if len(data) > DOC_MAX_BYTES or name.lower().endswith(FORBIDDEN_EXTENSIONS):
            return web.json_response({"error": "file type or size is not allowed"})
        self.uploaded[blob] = (name, data)
        return web.json_response({"file": blob})

    def save_photo(self, params: dict[str, str]) -> list[dict[str, Any]]:
        try:
            listed = json.loads(params.get("photo", ""))
        except ValueError:
            listed = None
        blob = listed[0].get("photo") if isinstance(listed, list) and listed else None
        if blob not in self.uploaded or params.get("hash") != _hash(str(blob)):
            raise VkError(PARAM, "photos_list is invalid")
        name, data = self.uploaded.pop(str(blob))
        saved = self._keep("photo", name, data, access_key=secrets.token_hex(9))
        return [{"id": saved.id, "owner_id": saved.owner_id, "access_key": saved.access_key}]

    def save_doc(self, params: dict[str, str]) -> dict[str, Any]:
        blob = params.get("file", "")
        if blob not in self.uploaded:
            raise VkError(PARAM, "file is invalid")
        name, data = self.uploaded.pop(blob)
        saved = self._keep("doc", params.get("title") or name, data)
        doc = {
            "id": saved.id,
            "owner_id": saved.owner_id,
            "title": saved.filename,
            "size": len(data),
        }
        return {"type": "doc", "doc": doc}

    def check(self, attachment: str) -> list[Saved]:
        """messages.send's `attachment`: every item one saved here."""
        items = [a for a in attachment.split(",") if a]
        if len(items) > 10 or any(a not in self.saved for a in items):
            raise VkError(PARAM, "attachment is invalid")
        return [self.saved[a] for a in items]

    def _keep(self, kind: str, name: str, data: bytes, access_key: str = "") -> Saved:
        saved = Saved(kind, -self.group_id, 457239000 + len(self.saved), name, data, access_key)
        self.saved[saved.attachment] = saved
        return saved


def _hash(blob: str) -> str:
    return blob[:8][::-1]


def _photo_ok(data: bytes) -> bool:
    if len(data) > PHOTO_MAX_BYTES:
        return False
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return 0 < width + height <= PHOTO_SIDES_MAX
    return data.startswith((b"\xff\xd8\xff", b"GIF8"))
