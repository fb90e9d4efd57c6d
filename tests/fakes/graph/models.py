"""What FakeGraph records and how tests steer it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

VERSION = "v23.0"
PHONE_NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"
DISPLAY_PHONE = "15550783881"
PAGE_ID = "104857392019384"
APP_ID = "1234567890123456"
WHATSAPP_TOKEN = "EAAGwhatsappTEST0123456789abcdef"
PAGE_TOKEN = "EAAGpageTEST0123456789abcdefghij"
APP_SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
VERIFY_TOKEN = "verify-me_0123456789"


@dataclass(frozen=True, slots=True)
class Call:
    """One request as the fake received it, with its answer's status."""

    method: str
    path: str  # after the version: "106540352242922/messages", "me/messages"
    status: int
    body: dict[str, Any]  # JSON, or the form fields (a file as its filename)
    authorization: str


@dataclass(frozen=True, slots=True)
class Sent:
    """A message the fake accepted."""

    platform: str  # whatsapp | messenger
    recipient: str
    id: str  # the wamid / mid it answered
    body: dict[str, Any]
    at: float  # wall-clock seconds

    @property
    def kind(self) -> str:
        """text | interactive:button | interactive:list | template | document | quick_replies |
        button_template | file."""
        if self.platform == "whatsapp":
            kind = str(self.body.get("type"))
            if kind == "interactive":
                return f"interactive:{self.body['interactive']['type']}"
            return kind
        message = self.body.get("message", {})
        if "attachment" in message:
            attachment = message["attachment"]
            if attachment.get("type") == "template":
                return f"{attachment['payload'].get('template_type')}_template"
            return str(attachment.get("type"))
        return "quick_replies" if message.get("quick_replies") else "text"

    @property
    def text(self) -> str:
        """What the customer reads (the body of an interactive message, a card's text)."""
        if self.platform == "whatsapp":
            kind = self.body.get("type")
            if kind == "text":
                return str(self.body["text"]["body"])
            if kind == "interactive":
                return str(self.body["interactive"]["body"]["text"])
            if kind == "template":
                return f"[template {self.body['template']['name']}{self._parameters()}]"
            if kind in ("image", "document"):
                return str(self.body[kind].get("caption", ""))
            return ""
        message = self.body.get("message", {})
        if "text" in message:
            return str(message["text"])
        payload = message.get("attachment", {}).get("payload", {})
        return str(payload.get("text", ""))

    def _parameters(self) -> str:
        """A template's body parameters as the customer reads them: ": a | b"."""
        components = self.body["template"].get("components") or []
        texts = [p["text"] for c in components for p in c.get("parameters", [])]
        return ": " + " | ".join(texts) if texts else ""

    @property
    def options(self) -> list[tuple[str, str]]:
        """(title, payload/id) of every button, row or quick reply the message shows."""
        if self.platform == "whatsapp":
            interactive = self.body.get("interactive") or {}
            action = interactive.get("action") or {}
            if interactive.get("type") == "button":
                return [(b["reply"]["title"], b["reply"]["id"]) for b in action["buttons"]]
            if interactive.get("type") == "list":
                return [
                    (row["title"], row["id"])
                    for section in action["sections"]
                    for row in section["rows"]
                ]
            return []
        message = self.body.get("message", {})
        if message.get("quick_replies"):
            return [
                (q.get("title", q["content_type"]), q.get("payload", q["content_type"]))
                for q in message["quick_replies"]
            ]
        payload = message.get("attachment", {}).get("payload", {})
        return [(b["title"], b.get("payload", "")) for b in payload.get("buttons", [])]


@dataclass
class Failure:
    """An error to answer instead of the next `times` calls to an endpoint."""

    code: int
    subcode: int | None = None
    status: int = 400
    message: str = ""
    times: int = 1
    details: str = ""


@dataclass
class Bucket:
    """A token bucket: `burst` calls back to back, then `rate` per second."""

    rate: float
    burst: int
    tokens: float = -1.0
    at: float = 0.0

    def take(self, now: float) -> bool:
        if self.tokens < 0:
            self.tokens, self.at = float(self.burst), now
        self.tokens = min(float(self.burst), self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclass
class Profile:
    """The page's Messenger profile and subscriptions."""

    fields: dict[str, Any] = field(default_factory=dict)
    subscribed_fields: list[str] = field(default_factory=list)
