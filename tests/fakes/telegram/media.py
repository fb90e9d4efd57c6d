"""Files a bot sends: the Document and PhotoSize objects Telegram answers with."""

from __future__ import annotations

import itertools
import mimetypes
import struct
from typing import Any

from tests.fakes.telegram import errors
from tests.fakes.telegram.errors import bad_request
from tests.fakes.telegram.wire import ATTACH

MAX_UPLOAD = 50 * 1024 * 1024  # bots upload at most 50 MB through the public Bot API
MAX_PHOTO = 10 * 1024 * 1024  # a photo at most 10 MB
_ids = itertools.count(1)


def file_ids(kind: str) -> tuple[str, str]:
    """A new (file_id, file_unique_id); Telegram's are opaque base64url strings."""
    n = next(_ids)
    prefix = {"document": "BQACAgIAAxkDAAI", "photo": "AgACAgIAAxkDAAI"}[kind]
    return f"{prefix}{n:08d}FakeFileId", f"AgAD{n:06d}"


def upload(
    kind: str, params: dict[str, Any], files: dict[str, bytes], filenames: dict[str, str]
) -> tuple[bytes | None, str | None]:
    """The uploaded bytes and file name, or (None, None) when a file_id or URL was given."""
    value = params.get(kind)
    if kind in files:
        data = files[kind]
        if not data:
            raise bad_request(errors.FILE_EMPTY)
        return data, filenames.get(kind)
    if not isinstance(value, str) or not value or value.startswith(ATTACH):
        raise bad_request(f"there is no {kind} in the request")
    return None, None


def document(
    params: dict[str, Any], files: dict[str, bytes], names: dict[str, str]
) -> dict[str, Any]:
    data, filename = upload("document", params, files, names)
    file_id, unique_id = file_ids("document")
    if data is None:  # re-sent by file_id (or fetched from a URL by Telegram)
        return {"file_id": params["document"], "file_unique_id": unique_id}
    doc: dict[str, Any] = {"file_id": file_id, "file_unique_id": unique_id, "file_size": len(data)}
    if filename:
        doc["file_name"] = filename
        if mime := mimetypes.guess_type(filename)[0]:
            doc["mime_type"] = mime
    return doc


def photo(
    params: dict[str, Any], files: dict[str, bytes], names: dict[str, str]
) -> list[dict[str, Any]]:
    data, _ = upload("photo", params, files, names)
    file_id, unique_id = file_ids("photo")
    if data is None:
        return [{"file_id": params["photo"], "file_unique_id": unique_id, "width": 0, "height": 0}]
    size = image_size(data)
    if size is None:
        raise bad_request("IMAGE_PROCESS_FAILED")
    width, height = size
    # Bot API sendPhoto: at most 10 MB, width + height at most 10 000, a ratio of at most 20.
    if len(data) > MAX_PHOTO:
        raise bad_request("PHOTO_SAVE_FILE_INVALID")
    if width + height > 10_000 or max(width, height) > 20 * max(1, min(width, height)):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return [
        {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "width": width,
            "height": height,
            "file_size": len(data),
        }
    ]


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG or JPEG, None for anything Telegram could not process."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start of frame
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None
