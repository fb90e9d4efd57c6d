"""JSON as a type: what a JSON column or a JSON body may hold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias

# Read-only views (Mapping, Sequence) so that a dict[str, str] or a list[int] is one too: the
# aliases type what is given to storage and what is read back, not what is built in place.
JSONValue: TypeAlias = (
    "str | int | float | bool | Mapping[str, JSONValue] | Sequence[JSONValue] | None"
)
JSONObject: TypeAlias = Mapping[str, JSONValue]
