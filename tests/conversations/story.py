"""The story format of tests/conversations/README.md, validated when the files are loaded."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

HERE = Path(__file__).parent
STORIES = HERE / "stories"
BILLING = HERE / "billing"
COMPANY_ZONE = ZoneInfo("Asia/Yekaterinburg")
DEFAULT_NOW = "2026-12-07 10:00"
FLOWS = (
    "link",
    "accounts",
    "readings",
    "balance",
    "payment",
    "receipt",
    "consumption",
    "tariffs",
    "visits",
    "operator",
    "outage",
    "settings",
    "contacts",
    "email",
    "info",
    "policy",
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _patterns(values: list[str]) -> list[str]:
    for value in values:
        re.compile(value)  # a broken pattern fails on loading, not as a silent miss
    return values


class AttachmentCheck(Strict):
    """The file a turn's replies carry: its type, name, the PDF's text, the payment QR's fields."""

    media_type: Literal["application/pdf", "image/png"]
    filename: str | None = None  # a pattern
    text: list[str] = Field(default_factory=list)  # patterns the PDF's text must match
    # The payment QR in the file (the PNG, or an image of the PDF) has these fields exactly;
    # {}: the file has no QR.
    qr: dict[str, str] | None = None

    @field_validator("qr", mode="before")
    @classmethod
    def _texts(cls, value: object) -> object:
        return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _valid(self) -> AttachmentCheck:
        _patterns([*self.text, *([self.filename] if self.filename else [])])
        if self.text and self.media_type != "application/pdf":
            raise ValueError("text is checked in PDFs only")
        return self


class Turn(Strict):
    say: str | None = None
    press: str | None = None
    contact: str | None = None
    payload: str | None = None  # a button of a message the bot sent on its own (a notice's)
    expect: list[str] = Field(default_factory=list)
    reject: list[str] = Field(default_factory=list)
    buttons: list[str] = Field(default_factory=list)
    no_buttons: list[str] = Field(default_factory=list)
    attachment: AttachmentCheck | None = None  # the turn's replies carry this file
    no_attachment: bool = False  # they carry none

    @model_validator(mode="after")
    def _one_action(self) -> Turn:
        if sum(v is not None for v in (self.say, self.press, self.contact, self.payload)) != 1:
            raise ValueError("a turn is exactly one of say, press, contact, payload")
        for group in (self.expect, self.reject, self.buttons, self.no_buttons):
            _patterns(group)
        if self.no_attachment and self.attachment is not None:
            raise ValueError("a turn has an attachment or no_attachment, not both")
        return self

    @property
    def shown(self) -> str:
        if self.say is not None:
            return f"say {self.say!r}"
        if self.press is not None:
            return f"press {self.press!r}"
        if self.payload is not None:
            return f"payload {self.payload!r}"
        return f"contact {self.contact!r}"


class ReadingEffect(Strict):
    account: str
    value: str
    # «register» is a BaseModel attribute: the field is named apart, written as «register».
    zone_register: str | None = Field(default=None, alias="register")
    serial: str | None = None
    status: Literal["accepted", "flagged"] | None = None

    @field_validator("account", "value", mode="before")
    @classmethod
    def _text(cls, value: object) -> str:
        return str(value)


class VisitEffect(Strict):
    account: str | None = None
    type: str | None = None
    status: Literal["new", "scheduled", "done", "cancelled"] | None = None

    @field_validator("account", mode="before")
    @classmethod
    def _text(cls, value: object) -> str | None:
        return None if value is None else str(value)


class EscalationEffect(Strict):
    reason: str | None = None


class MailEffect(Strict):
    """A mail the story's SMTP server received (stories with `mail: true`)."""

    to: str  # a pattern of the recipient
    subject: str | None = None  # a pattern
    pdf: list[str] | None = None  # patterns the attached PDF's text matches; []: no PDF

    @model_validator(mode="after")
    def _valid(self) -> MailEffect:
        _patterns([self.to, *([self.subject] if self.subject else []), *(self.pdf or [])])
        return self


class Effects(Strict):
    readings: list[ReadingEffect] | None = None
    replaced: int | None = None
    visits: list[VisitEffect] | None = None
    escalations: int | list[EscalationEffect] | None = None
    linked: list[str] | None = None
    consent: bool | None = None
    erased: bool | None = None
    language: Literal["ru", "en"] | None = None
    # The notice topics the customer chose, each on (true) or off; {}: nothing chosen.
    subscriptions: (
        dict[Literal["readings", "debt", "outages", "visits", "receipts"], bool] | None
    ) = None
    # Exactly these mails reached the story's SMTP server, in order (stories with `mail: true`).
    mails: list[MailEffect] | None = None

    @field_validator("linked", mode="before")
    @classmethod
    def _numbers(cls, value: object) -> object:
        return [str(v) for v in value] if isinstance(value, list) else value


class Given(Strict):
    linked: list[str] = Field(default_factory=list)
    consent: bool = False

    @field_validator("linked", mode="before")
    @classmethod
    def _numbers(cls, value: object) -> object:
        return [str(v) for v in value] if isinstance(value, list) else value


class Story(Strict):
    name: str
    flow: Literal[FLOWS]  # type: ignore[valid-type]
    persona: str = ""
    billing: str = "demo"
    now: str = DEFAULT_NOW
    language: Literal["ru", "en"] = "ru"
    given: Given = Field(default_factory=Given)
    turns: list[Turn]
    effects: Effects = Field(default_factory=Effects)
    # The e-mail channel on, sending to an SMTP server the runner starts; `{code}` in a `say`
    # is the six digits of the last mail it received.
    mail: bool = False
    # payments.provider: yookassa gives links to /pay/... (the turn writes the payment; nothing
    # calls the acquirer in a story).
    payments: Literal["link", "yookassa"] = "link"
    source: str = ""  # the file it came from, set on loading

    @field_validator("now")
    @classmethod
    def _now(cls, value: str) -> str:
        datetime.strptime(value, "%Y-%m-%d %H:%M")
        return value

    @field_validator("billing")
    @classmethod
    def _billing(cls, value: str) -> str:
        if value != "demo" and not (BILLING / value).is_dir():
            raise ValueError(f"no billing fixture {value!r} under {BILLING}")
        return value

    @property
    def start(self) -> datetime:
        local = datetime.strptime(self.now, "%Y-%m-%d %H:%M")
        return local.replace(tzinfo=COMPANY_ZONE)


def load_stories(folder: Path = STORIES) -> list[Story]:
    stories: list[Story] = []
    for path in sorted(folder.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text("utf-8")) or []
        if not isinstance(raw, list):
            raise ValueError(f"{path.name}: a story file is a YAML list of stories")
        for item in raw:
            try:
                story = Story.model_validate({**item, "source": path.name})
            except Exception as exc:
                name = item.get("name", "?") if isinstance(item, dict) else "?"
                raise ValueError(f"{path.name}: story {name!r}: {exc}") from exc
            stories.append(story)
    names = [s.name for s in stories]
    doubles = sorted({n for n in names if names.count(n) > 1})
    if doubles:
        raise ValueError(f"story names used twice: {doubles}")
    return stories
