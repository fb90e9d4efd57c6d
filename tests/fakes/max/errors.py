"""MAX's error answers: an HTTP status and {"code", "message"} (schema: Error).

Codes seen in MAX's documents and answers: verify.token (a wrong token), attachment.not.ready
(an upload still processing), chat.denied with "error.dialog.suspended" (the user stopped or
blocked the bot), 404 chat.not.found with "dialog.not.found" (a user who never started the bot:
a bot cannot write first; seen in other projects' recorded answers, one of which reports the
code itself as dialog.not.found). The others' texts are the fake's own and marked so.
"""

from __future__ import annotations

VERIFY_TOKEN = "verify.token"
INVALID_TOKEN_MESSAGE = "Invalid access_token"
NOT_READY = "attachment.not.ready"
NOT_READY_MESSAGE = "Key: errors.process.attachment.file.not.processed"
CHAT_DENIED = "chat.denied"
BAD_PAYLOAD = "proto.payload"  # unverified: the fake's code for a body MAX would refuse
NOT_FOUND = "chat.not.found"  # reported by others for a user without a dialog with the bot
NO_DIALOG_MESSAGE = "dialog.not.found"
TOO_MANY = "too.many.requests"  # unverified
NOT_ALLOWED = "method.not.allowed"  # unverified: long polling while a webhook is set
INTERNAL = "internal.error"  # unverified


class MaxError(Exception):
    def __init__(
        self, status: int, code: str, message: str, *, retry_after: int | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after

    def body(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def bad(message: str) -> MaxError:
    return MaxError(400, BAD_PAYLOAD, message)


def denied(user_id: str) -> MaxError:
    # As MAX answered for a user who stopped the bot (seen in a project's recorded fixture).
    return MaxError(403, CHAT_DENIED, f"Key: error.dialog.suspended, args: [{user_id},].")


def no_dialog() -> MaxError:
    # A user who never started the bot (or deleted the chat): there is no dialog to write to.
    return MaxError(404, NOT_FOUND, NO_DIALOG_MESSAGE)
