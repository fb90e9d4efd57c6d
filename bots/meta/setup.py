"""What a Graph webhook's administration shares: the callback URL and verify token are settings
of the Meta app (App Dashboard → Webhooks, or POST /{app-id}/subscriptions with an *app* token,
which this service does not hold), so `energobot webhooks set` prints them for the operator."""

from __future__ import annotations

from collections.abc import Sequence


def dashboard_steps(channel: str, callback_url: str, fields: Sequence[str]) -> tuple[str, ...]:
    secret = f"ENERGOBOT_{channel.upper()}__VERIFY_TOKEN"
    return (
        f"In the Meta App Dashboard ({channel.capitalize()} → Configuration → Webhook):",
        f"  callback URL: {callback_url or '<server.public_url>/webhooks/' + channel}",
        f"  verify token: the value of {secret}",
        f"  fields: {', '.join(fields)}",
        "Meta calls the URL at once (GET, hub.challenge): the service must be running there.",
    )
