"""One analysis as a plain JSON-ready record: what `energobot nlu` prints and the bench reads.

The shape is stable; numbers are strings so that «12345,60» stays exactly «12345.60»:

    {"text": str, "intent": str, "confidence": float 0..1, "topic": str | null,
     "alternatives": [[intent, confidence], ...],
     "entities": {
        "readings": [{"zone": "day"|"night"|"peak"|"semipeak"|null,
                      "register": "T1"|"T2"|"T3"|null, "value": "12457"}],
        "accounts": ["5901234567"], "phones": ["+79123456789"],
        "dates": ["2026-05-23" | "--05-23" | "---23"], "months": [5], "kwh": ["250"],
        "serials": ["41562093"]}}

Dates: a full ISO date when the year was given, «--MM-DD» without a year, «---DD» for a day of
an unnamed month («с 23 по 25»), the ISO 8601 / XML Schema forms for partial dates.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from dialogs.nlu.classifier import Analysis
from dialogs.nlu.entities import DateValue, Entities


def analysis_record(analysis: Analysis, *, alternatives: bool = False) -> dict[str, Any]:
    record: dict[str, Any] = {
        "text": analysis.text,
        "intent": analysis.intent.value,
        "confidence": analysis.confidence,
        "topic": analysis.topic.value if analysis.topic is not None else None,
        "entities": entities_record(analysis.entities),
    }
    if alternatives:
        record["alternatives"] = [[intent.value, score] for intent, score in analysis.alternatives]
    return record


def entities_record(entities: Entities) -> dict[str, list[Any]]:
    return {
        "readings": [
            {
                "zone": reading.zone.value if reading.zone is not None else None,
                "register": reading.register,
                "value": _decimal(reading.value),
            }
            for reading in entities.readings
        ],
        "accounts": list(entities.accounts),
        "phones": list(entities.phones),
        "dates": [date_text(value) for value in entities.dates],
        "months": list(entities.months),
        "kwh": [_decimal(amount) for amount in entities.kwh],
        "serials": list(entities.serials),
    }


def date_text(value: DateValue) -> str:
    if isinstance(value, date):
        return value.isoformat()
    day, month = value
    return f"---{day:02d}" if month == 0 else f"--{month:02d}-{day:02d}"


def _decimal(value: Decimal) -> str:
    """Plain notation, as typed: never «1.2E+4»."""
    return format(value, "f")
