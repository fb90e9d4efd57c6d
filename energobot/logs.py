"""Logging: plain or JSON lines, with personal data masked in every message."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

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


def setup_logging(settings: LoggingSettings) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter()
        if settings.json_format
        else MaskingFormatter("%(levelname)s %(name)s: %(message)s")
    )
    logging.basicConfig(level=settings.level, handlers=[handler], force=True)
