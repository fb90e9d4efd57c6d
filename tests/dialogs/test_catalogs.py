"""Both languages are complete, and every text key the code names exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from dialogs.i18n import LANGUAGES, PLURAL_FORMS, Translator, catalog

ROOT = Path(__file__).resolve().parents[2]
KEY_CALL = re.compile(r"""(?:t|option|menu|say_key)\(\s*f?["']([a-z_]+\.[a-z_.{}]+)["']""")


def test_languages_have_the_same_keys() -> None:
    ru, en = set(catalog("ru")), set(catalog("en"))
    assert ru - en == set(), "missing in en"
    assert en - ru == set(), "missing in ru"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_match_between_languages(language: str) -> None:
    def fields(value: object) -> set[str]:
        texts = value.values() if isinstance(value, dict) else [value]
        return {f for t in texts for _, f, _, _ in string.Formatter().parse(str(t)) if f}

    other = "en" if language == "ru" else "ru"
    for key, value in catalog(language).items():
        assert fields(value) == fields(catalog(other)[key]), key


def test_plural_forms_are_complete() -> None:
    for language, needed in (("ru", {"one", "few", "many", "other"}), ("en", {"one", "other"})):
        for key, value in catalog(language).items():
            if isinstance(value, dict):
                assert set(value) <= PLURAL_FORMS and needed <= set(value), key


def test_every_key_named_in_code_exists() -> None:
    keys = set(catalog("ru"))
    missing = []
    for path in (ROOT / "dialogs").rglob("*.py"):
        for key in KEY_CALL.findall(path.read_text("utf-8")):
            if "{" in key:  # an f-string: at least one key must start with the fixed part
                prefix = key.split("{")[0]
                if not any(k.startswith(prefix) for k in keys):
                    missing.append((path.name, key))
            elif key not in keys:
                missing.append((path.name, key))
    assert missing == []


def test_russian_plurals() -> None:
    t = Translator("ru")
    assert t("accounts.list", count=1, accounts="x").startswith("Привязан 1 лицевой счёт")
    assert t("accounts.list", count=3, accounts="x").startswith("Привязано 3 лицевых счёта")
    assert t("accounts.list", count=5, accounts="x").startswith("Привязано 5 лицевых счетов")
    assert t("accounts.list", count=21, accounts="x").startswith("Привязан 21 лицевой счёт")


def test_every_menu_link_names_a_flow() -> None:
    from dialogs.flows import FLOWS

    named = {
        (path.name, target)
        for path in (ROOT / "dialogs").rglob("*.py")
        for target in re.findall(r"""["']go:([a-z_]+)["']""", path.read_text("utf-8"))
    }
    assert named, "the pattern found no links"
    assert {(name, target) for name, target in named if target not in FLOWS} == set()


def test_every_key_flows_and_steps_name_by_data_exists() -> None:
    """Keys built at run time: every step's hint (`expect.<kind>`), every flow's question that
    offers it back and its answer to «отмена», every menu entry."""
    from dialogs.flows import FLOWS

    named: set[str] = set()
    for flow in FLOWS.values():
        named |= {f"expect.{step.expects.kind}" for step in flow.steps.values()}
        named |= {key for key in (flow.resume_question, flow.cancelled) if key}
        if flow.menu is not None:
            named.add(flow.menu.label)
    assert {f"expect.{kind}" for kind in ("stuck",)} <= set(catalog("ru"))
    for language in LANGUAGES:
        assert named - set(catalog(language)) == set(), language
