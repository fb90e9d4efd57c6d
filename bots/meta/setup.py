"""`energobot webhooks set|info|delete whatsapp|messenger`: what a business token may do.

The callback URL and verify token of a Graph webhook are settings of the Meta app (App
Dashboard → Webhooks, or POST /{app-id}/subscriptions with an *app* token, which this service
does not hold), so `set` prints them for the administrator. What the tokens we hold can do:
WhatsApp — check the number and the token (GET /{phone-number-id}); Messenger — subscribe the
page to the app's webhook fields and install Get Started, the greeting and the persistent menu.
"""

from __future__ import annotations

from typing import Any

from bots.messenger import profile
from bots.meta.client import GraphClient

WHATSAPP_FIELDS = "id,display_phone_number,verified_name,quality_rating,code_verification_status"


def dashboard_steps(channel: str, callback_url: str) -> list[str]:
    secret = f"ENERGOBOT_{channel.upper()}__VERIFY_TOKEN"
    fields = "messages" if channel == "whatsapp" else ", ".join(profile.SUBSCRIBED_FIELDS)
    return [
        f"In the Meta App Dashboard ({channel.capitalize()} → Configuration → Webhook):",
        f"  callback URL: {callback_url or '<server.public_url>/webhooks/' + channel}",
        f"  verify token: the value of {secret}",
        f"  fields: {fields}",
        "Meta calls the URL at once (GET, hub.challenge): the service must be running there.",
    ]


async def whatsapp(
    action: str, client: GraphClient, phone_number_id: str, callback_url: str
) -> tuple[dict[str, Any], list[str]]:
    """(what the Graph API reports, instructions)."""
    try:
        number = await client.get(phone_number_id, {"fields": WHATSAPP_FIELDS})
    finally:
        await client.close()
    if action == "set":
        return number, dashboard_steps("whatsapp", callback_url)
    if action == "delete":
        steps = ["Remove the callback URL in the App Dashboard (WhatsApp → Configuration)."]
        return number, steps
    return number, []


async def messenger(
    action: str, client: GraphClient, company: str, language: str, callback_url: str
) -> tuple[dict[str, Any], list[str]]:
    try:
        if action == "set":
            report = await profile.install(client, company, language)
            return report, dashboard_steps("messenger", callback_url)
        if action == "delete":
            await profile.remove(client)
            return await profile.describe(client), []
        return await profile.describe(client), []
    finally:
        await client.close()
