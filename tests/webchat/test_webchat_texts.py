"""The page's texts come from the catalogs, complete in both languages."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bots.webchat.routes import SCRIPT_TEXTS
from dialogs.i18n import LANGUAGES, catalog

HERE = Path(__file__).resolve().parents[2] / "bots" / "webchat"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_the_page_and_its_script_use_exists(language: str) -> None:
    texts = catalog(language)
    used = set(re.findall(r"""t\(\s*["'](webchat\.[a-z_]+)["']""", _templates()))
    used |= {f"webchat.{key}" for key in SCRIPT_TEXTS}
    assert used and sorted(used - set(texts)) == []
    # The script fills these placeholders itself.
    assert _fields(texts["webchat.operator"]) == {"name"}
    assert _fields(texts["webchat.download"]) == {"filename"}
    assert _fields(texts["webchat.title"]) == {"company"}


def test_the_script_reads_only_texts_it_is_given() -> None:
    script = (HERE / "static" / "chat.js").read_text("utf-8")
    read = set(re.findall(r"texts\.([a-z_]+)", script))
    assert read and read <= set(SCRIPT_TEXTS)


def _templates() -> str:
    return "".join(p.read_text("utf-8") for p in (HERE / "templates").iterdir())
