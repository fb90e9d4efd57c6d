"""Approved message templates: what a notice becomes outside the 24-hour window.

Outside the customer-service window WhatsApp takes only a template approved in WhatsApp Manager,
named with its language, whose body placeholders ({{1}}, {{2}} ...) are filled in order by text
parameters. A notice (Reply.template = its kind) carries its values already formatted for the
customer (Reply.values); the configured template says which of them fill the placeholders.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from dialogs.messages import Reply

log = logging.getLogger(__name__)

# WhatsApp refuses a text parameter with a line break, a tab or more than four spaces in a row
# ("Param text cannot have new-line/tab characters or more than 4 consecutive spaces"): an
# outage's reason typed by an operator may have them, so every run of whitespace becomes one
# space — the words are the same, the template goes.
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Template:
    """An approved template (name and language code as registered with Meta) and the names of
    the notice's values that fill its body placeholders, in order."""

    name: str
    language: str
    parameters: tuple[str, ...] = ()


class Templates:
    """The templates configured per notice kind, and whether a notice can be sent as one."""

    def __init__(self, by_kind: dict[str, Template] | None = None) -> None:
        self.by_kind = dict(by_kind or {})
        # Misconfigurations already logged: a broadcast meets the same one thousands of times,
        # and the sender records every refused row anyway.
        self._warned: set[tuple[str, str]] = set()

    def get(self, reply: Reply) -> Template | None:
        """The template for a notice; None for a reply that is no notice or has none."""
        return self.by_kind.get(reply.template) if reply.template else None

    def usable(self, reply: Reply) -> Template | None:
        """The notice's template when every parameter it needs has a value; else None, with a
        warning naming the first missing parameter (a send would be refused by Meta)."""
        template = self.get(reply)
        if template is None:
            return None
        missing = missing_parameter(template, reply)
        if missing is None:
            return template
        if (reply.template, missing) not in self._warned:
            self._warned.add((reply.template, missing))
            log.warning(
                "whatsapp template %s for %s needs the value %r, which the notice does not "
                "have: such notices are not sent outside the 24-hour window (check "
                "whatsapp.templates.%s.parameters)",
                template.name,
                reply.template,
                missing,
                reply.template,
            )
        return None


def missing_parameter(template: Template, reply: Reply) -> str | None:
    """The first parameter the reply has no (non-blank) value for, or None."""
    values = dict(reply.values)
    for name in template.parameters:
        if not parameter_text(values.get(name, "")):
            return name
    return None


def parameter_text(value: str) -> str:
    return _WHITESPACE.sub(" ", value).strip()


def template_message(template: Template, reply: Reply) -> dict[str, Any]:
    """The Cloud API's template message (without the recipient), its body parameters taken from
    the reply's values by name. The caller has checked none is missing (Templates.usable)."""
    body: dict[str, Any] = {"name": template.name, "language": {"code": template.language}}
    if template.parameters:
        values = dict(reply.values)
        parameters = [
            {"type": "text", "text": parameter_text(values[name])} for name in template.parameters
        ]
        body["components"] = [{"type": "body", "parameters": parameters}]
    return {"type": "template", "template": body}
