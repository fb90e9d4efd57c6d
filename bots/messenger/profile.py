"""The Messenger profile `energobot webhooks set messenger` installs: the Get Started button,
the greeting and the persistent menu (the main menu's entries, in both catalog languages), and
the page's subscription to this app's webhook fields — all a page token may change. The callback
URL and verify token themselves are an app setting (App Dashboard → Webhooks, or
POST /{app-id}/subscriptions with an app token)."""

from __future__ import annotations

from typing import Any

from bots.messenger.updates import GET_STARTED
from bots.meta.client import GraphClient
from dialogs.i18n import translator

# Messenger locales the English texts are given for; "default" gets the Russian ones.
ENGLISH_LOCALES = ("en_US", "en_GB")
MENU_ITEMS_MAX = 20
MENU_TITLE_MAX = 30
GREETING_MAX = 160
SUBSCRIBED_FIELDS = ("messages", "messaging_postbacks", "message_deliveries", "message_reads")
PROFILE_FIELDS = "get_started,greeting,persistent_menu"


def profile_body(company: str, default_language: str = "ru") -> dict[str, Any]:
    other = "en" if default_language == "ru" else "ru"
    locales = [("default", default_language)]
    if other == "en":
        locales += [(locale, "en") for locale in ENGLISH_LOCALES]
    return {
        "get_started": {"payload": GET_STARTED},
        "greeting": [
            {"locale": locale, "text": _greeting(language, company)} for locale, language in locales
        ],
        "persistent_menu": [
            {
                "locale": locale,
                "composer_input_disabled": False,
                "call_to_actions": _menu(language),
            }
            for locale, language in locales
        ],
    }


def _greeting(language: str, company: str) -> str:
    text = translator(language)("messenger.greeting", company=company)
    return text[:GREETING_MAX]


def _menu(language: str) -> list[dict[str, str]]:
    from dialogs.flows import MAIN_MENU  # the flows are only needed here, by the CLI

    t = translator(language)
    return [
        {"type": "postback", "title": t(key)[:MENU_TITLE_MAX], "payload": f"go:{flow}"}
        for key, flow in MAIN_MENU[:MENU_ITEMS_MAX]
    ]


async def install(client: GraphClient, company: str, default_language: str) -> dict[str, Any]:
    """Set the profile and subscribe the page; returns what Messenger then reports."""
    await client.post("me/messenger_profile", profile_body(company, default_language))
    await client.post("me/subscribed_apps", {"subscribed_fields": list(SUBSCRIBED_FIELDS)})
    return await describe(client)


async def describe(client: GraphClient) -> dict[str, Any]:
    profile = await client.get("me/messenger_profile", {"fields": PROFILE_FIELDS})
    apps = await client.get("me/subscribed_apps")
    return {"messenger_profile": profile.get("data", []), "subscribed_apps": apps.get("data", [])}


async def remove(client: GraphClient) -> None:
    """Unsubscribe the page and take Get Started, the greeting and the menu away."""
    await client.delete("me/subscribed_apps")
    await client.delete(
        "me/messenger_profile", {"fields": ["persistent_menu", "greeting", "get_started"]}
    )
