"""Graph errors as the real API words them (codes, subcodes, types, fbtrace ids)."""

from __future__ import annotations

import secrets
from typing import Any


class GraphRefusal(Exception):
    def __init__(
        self,
        code: int,
        message: str,
        *,
        status: int = 400,
        subcode: int | None = None,
        kind: str = "OAuthException",
        details: str = "",
        whatsapp: bool = False,
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status
        self.subcode, self.kind, self.details = subcode, kind, details
        self.whatsapp = whatsapp

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.kind, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.whatsapp:
            error["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        elif self.details:
            error["error_user_msg"] = self.details
        error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)
        return {"error": error}


def invalid(message: str, *, whatsapp: bool = False, details: str = "") -> GraphRefusal:
    """(#100) Invalid parameter — what both APIs answer to a malformed message."""
    return GraphRefusal(100, f"(#100) {message}", details=details or message, whatsapp=whatsapp)


def wa_invalid(details: str) -> GraphRefusal:
    """(#131009) Parameter value is not valid — WhatsApp's answer to a limit broken."""
    return GraphRefusal(
        131009, "(#131009) Parameter value is not valid", details=details, whatsapp=True
    )


def token_refused() -> GraphRefusal:
    return GraphRefusal(
        190,
        "Invalid OAuth access token - Cannot parse access token",
        status=401,
    )


def wa_window() -> GraphRefusal:
    return GraphRefusal(
        131047,
        "(#131047) Re-engagement message",
        details="Message failed to send because more than 24 hours have passed since the "
        "customer last replied to this number.",
        whatsapp=True,
    )


def wa_template_unknown(name: str, language: str) -> GraphRefusal:
    """No approved template of this name in this language."""
    return GraphRefusal(
        132001,
        "(#132001) Template name does not exist in the translation",
        details=f"template name ({name}) does not exist in {language}",
        whatsapp=True,
    )


def wa_template_parameters(expected: int, given: int) -> GraphRefusal:
    """The body's placeholders and the parameters sent differ in number."""
    return GraphRefusal(
        132000,
        "(#132000) Number of parameters does not match the expected number of params",
        details=f"body: number of localizable_params ({given}) does not match the expected "
        f"number of params ({expected})",
        whatsapp=True,
    )


def wa_template_parameter_text() -> GraphRefusal:
    """A text parameter with a line break, a tab or five spaces in a row (the code is the one
    reported for it; the details are Meta's words)."""
    return GraphRefusal(
        132018,
        "(#132018) There was an issue with the parameters in your template.",
        details="Param text cannot have new-line/tab characters or more than 4 consecutive spaces",
        whatsapp=True,
    )


def wa_pair_rate() -> GraphRefusal:
    return GraphRefusal(
        131056,
        "(#131056) (Business Account, Consumer Account) pair rate limit hit",
        details="Message failed to send because there were too many messages sent from this "
        "phone number to the same phone number in a short period of time.",
        whatsapp=True,
    )


def wa_throughput() -> GraphRefusal:
    return GraphRefusal(
        130429,
        "(#130429) Rate limit hit",
        details="Cloud API message throughput has been reached.",
        whatsapp=True,
    )


def fb_window() -> GraphRefusal:
    return GraphRefusal(
        10,
        "(#10) This message is sent outside of allowed window.",
        subcode=2018278,
    )


def fb_unavailable() -> GraphRefusal:
    return GraphRefusal(551, "This person isn't available right now.", subcode=1545041)


def fb_rate() -> GraphRefusal:
    return GraphRefusal(613, "(#613) Calls to this api have exceeded the rate limit.")
