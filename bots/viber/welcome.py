"""The welcome message that answers conversation_started: the start flow's greeting and main
menu, built from the catalogs without touching the database (a customer who only opened the
chat is nobody's conversation yet, and nothing may go to them through the outbox)."""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.context import GO
from dialogs.flows import MAIN_MENU
from dialogs.i18n import translator
from dialogs.messages import Button, Reply


@dataclass(frozen=True, slots=True)
class WelcomeConfig:
    company: str
    language: str  # the dialogs' default language: new customers start in it


def welcome_reply(config: WelcomeConfig, name: str) -> Reply:
    t = translator(config.language)
    greeting = t("start.hello_named", name=name) if name else t("start.hello")
    text = t("start.intro", greeting=greeting, company=config.company)
    # Main-menu buttons carry go: payloads, which never go stale: the first press opens the
    # flow whatever the conversation's state version is by then.
    buttons = tuple(Button(t(key), f"{GO}{flow}") for key, flow in MAIN_MENU)
    return Reply(text, buttons)
