"""The recorded webhook bodies are what their names and README say."""

from __future__ import annotations

import json

import pytest
from aiogram.types import Update
from pydantic import ValidationError

from tests.fakes.telegram.payloads import (
    PAYLOADS,
    TOO_LARGE_BYTES,
    garbage_bodies,
    load_payload,
    payload_names,
)

ODD = {"odd_no_chat_type", "odd_unknown_fields"}  # aiogram's model refuses or ignores part


def test_every_payload_is_listed_in_the_readme() -> None:
    readme = (PAYLOADS / "README.md").read_text(encoding="utf-8")
    assert len(payload_names()) >= 30
    missing = [name for name in payload_names() if f"`{name}.json`" not in readme]
    assert missing == []
    for name in garbage_bodies():
        assert f"`{name}" in readme, name


@pytest.mark.parametrize("name", payload_names())
def test_payload_is_one_update(name: str) -> None:
    body = load_payload(name)
    assert isinstance(body["update_id"], int) and body["update_id"] > 0
    kinds = [key for key in body if key != "update_id"]
    assert len(kinds) == (2 if name == "odd_unknown_fields" else 1)
    if name == "odd_no_chat_type":
        with pytest.raises(ValidationError):
            Update.model_validate(body)
    else:
        assert Update.model_validate(body).update_id == body["update_id"]


def test_the_long_text_is_at_the_limit() -> None:
    text = load_payload("long_text_4096")["message"]["text"]
    assert len(text.encode("utf-16-le")) // 2 == 4096


def test_contacts_differ_as_named() -> None:
    own = load_payload("contact_own")["message"]
    foreign = load_payload("contact_foreign")["message"]
    assert own["contact"]["user_id"] == own["from"]["id"]
    assert foreign["contact"]["user_id"] != foreign["from"]["id"]
    assert "user_id" not in load_payload("contact_no_user_id")["message"]["contact"]


def test_garbage_is_never_a_valid_update() -> None:
    bodies = garbage_bodies()
    assert len(bodies["too_large_2mb"]) == TOO_LARGE_BYTES
    assert json.loads(bodies["too_large_2mb"])["update_id"] > 0  # only its size is wrong
    for name, body in bodies.items():
        if name == "too_large_2mb":
            continue
        try:
            data = json.loads(body)
        except ValueError:
            continue
        assert not (isinstance(data, dict) and isinstance(data.get("update_id"), int)), name
