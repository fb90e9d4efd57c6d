"""Logging: plain or JSON lines, with personal data masked in every message."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from aiohttp.http_exceptions import BadHttpMessage

from core.masking import mask_text
from energobot.settings import LoggingSettings


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        body = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_text(record.getMessage()),
        }
        if record.exc_info:
            body["error"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(body, ensure_ascii=False)


class ClientFaults(logging.Filter):
    """aiohttp's server logs a malformed request or a connection lost mid-request as an error
    with a traceback; it is the client's doing: one warning line, no traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, BadHttpMessage | ConnectionResetError):
            record.msg, record.args = "%s: %s", (record.getMessage(), _one_line(error))
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def _one_line(error: BaseException) -> str:
    return " ".join(f"{type(error).__name__}: {error}".split())[:200]


def quiet_client_faults() -> None:
    """Install ClientFaults on aiohttp's server logger (once)."""
    server = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, ClientFaults) for f in server.filters):
        server.addFilter(ClientFaults())


def setup_logging(settings: LoggingSettings) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter()
        if settings.json_format
        else MaskingFormatter("%(levelname)s %(name)s: %(message)s")
    )
    logging.basicConfig(level=settings.level, handlers=[handler], force=True)
