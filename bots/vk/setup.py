"""`energobot webhooks set|info|delete vk`.

The Callback API server is a setting of the community, made by one of its administrators in VK
(Manage → API usage → Callback API): `set` prints those steps with this service's values, and —
as far as the community token may look (groups.getCallbackConfirmationCode and
groups.getCallbackServers need its «manage» permission) — checks what VK has against them. The
token is never changed, and nothing is registered: a token without «manage» must keep working.
"""

from __future__ import annotations

import hmac
from typing import Any

from bots.plugin import SetupError, SetupReport
from bots.vk.api import VkApi
from bots.vk.errors import AUTH, VkApiError

# Ticked in the community's Callback API settings; message_reply and message_edit stay unticked
# (echoes of the community's own messages: VK's default ticks them, they are ignored anyway).
EVENT_TYPES = ("message_new", "message_event", "message_allow", "message_deny")


def set_steps(url: str, group_id: int, api_version: str) -> tuple[str, ...]:
    return (
        f"In VK, open the community (vk.com/club{group_id}) → Manage → API usage:",
        "  Access tokens: a community token with the «messages» permission (and «manage», so",
        "    that `energobot webhooks info vk` can read the server) → ENERGOBOT_VK__TOKEN",
        f"  Callback API → Server settings: API version {api_version}; address {url}",
        "    secret key: the value of ENERGOBOT_VK__SECRET (up to 50 letters and digits)",
        "    the string the server must return → ENERGOBOT_VK__CONFIRMATION; restart the service",
        "    and press «Confirm»: VK POSTs `confirmation` there and needs that string back",
        f"  Callback API → Event types: tick {', '.join(EVENT_TYPES)}",
        "Manage → Messages: community messages on; Bot settings: bot capabilities on (keyboards",
        "  need them; without, the options are sent as numbered lines).",
        f"vk.group_id in config.yaml: {group_id}.",
    )


def delete_steps(url: str, group_id: int) -> tuple[str, ...]:
    return (
        f"In VK: the community (vk.com/club{group_id}) → Manage → API usage → Callback API:",
        f"  delete the server with the address {url} (or untick its events);",
        "then set vk.enabled: false (the outbox stops sending to VK).",
    )


class VkSetup:
    """The WebhookAdmin of VK."""

    def __init__(
        self,
        api: VkApi,
        group_id: int,
        api_version: str,
        url: str,
        *,
        secret: str,
        confirmation: str,
    ) -> None:
        self._api = api
        self._group_id = group_id
        self._api_version = api_version
        self._url = url
        self._secret = secret
        self._confirmation = confirmation

    async def set(self, url: str, drop_pending: bool) -> SetupReport:
        """drop_pending: VK keeps no queue of undelivered events for us to drop."""
        target = self._address(url)
        if not self._secret:
            raise SetupError(
                "set ENERGOBOT_VK__SECRET first: VK sends it with every event, and the webhook "
                "refuses events without it"
            )
        try:
            answer = await self._check(target)
        except SetupError as exc:  # the steps are the point: said beside what went wrong
            answer = {"group_id": self._group_id, "address": target, "check": str(exc)}
        return SetupReport(answer, set_steps(target, self._group_id, self._api_version))

    async def info(self) -> SetupReport:
        return SetupReport(await self._check(self._address("")))

    async def delete(self) -> SetupReport:
        return SetupReport(steps=delete_steps(self._address(""), self._group_id))

    async def close(self) -> None:
        await self._api.close()

    def _address(self, url: str) -> str:
        target = url or self._url
        if not target.startswith(("https://", "http://")):
            raise SetupError(
                "give --url https://... or set server.public_url: VK must reach /webhooks/vk"
            )
        return target

    async def _check(self, url: str) -> dict[str, Any]:
        """What VK has: the community, its confirmation string and its Callback API server for
        this address, each as far as the token may see."""
        report: dict[str, Any] = {"group_id": self._group_id, "address": url}
        try:
            report["community"] = _community(
                await self._api.call("groups.getById", {"group_id": self._group_id})
            )
        except VkApiError as exc:
            if exc.code in AUTH:
                raise SetupError(
                    f"VK refused the community token ({exc}): ENERGOBOT_VK__TOKEN must be a "
                    f"token of community {self._group_id}"
                ) from None
            raise SetupError(f"VK could not be asked: {exc}") from None
        try:
            code = await self._api.call(
                "groups.getCallbackConfirmationCode", {"group_id": self._group_id}
            )
            expected = str(code.get("code", "")) if isinstance(code, dict) else ""
            same = bool(expected) and hmac.compare_digest(
                expected.encode(), self._confirmation.encode()
            )
            report["confirmation"] = (
                "matches ENERGOBOT_VK__CONFIRMATION"
                if same
                else f"VK expects {expected!r}: set ENERGOBOT_VK__CONFIRMATION to it"
            )
            servers = await self._api.call(
                "groups.getCallbackServers", {"group_id": self._group_id}
            )
            report["server"] = _server(servers, url)
        except VkApiError as exc:
            report["callback_api"] = (
                f"not readable with this token ({exc}): check it in the community's settings"
            )
        return report


def _community(answer: Any) -> dict[str, Any]:
    # 5.199: {"groups": [...], "profiles": [...]}; earlier versions: the list itself.
    groups = answer.get("groups") if isinstance(answer, dict) else answer
    group = groups[0] if isinstance(groups, list) and groups else {}
    if not isinstance(group, dict):
        return {}
    return {key: group[key] for key in ("id", "name", "screen_name") if key in group}


def _server(answer: Any, url: str) -> dict[str, Any] | str:
    items = answer.get("items") if isinstance(answer, dict) else None
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and str(item.get("url", "")).rstrip("/") == url.rstrip("/"):
            # status: unconfigured | failed | wait | ok (VK's own words)
            return {key: item[key] for key in ("id", "title", "url", "status") if key in item}
    return "no Callback API server with this address yet: follow the steps"
