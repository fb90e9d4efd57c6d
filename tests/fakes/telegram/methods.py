"""Bot API methods about messages: getMe, sending, callback answers, keyboards, commands."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from tests.fakes.telegram import checks, errors, media
from tests.fakes.telegram.errors import ApiError, bad_request
from tests.fakes.telegram.models import Call, Chat, Sent, bot_user

if TYPE_CHECKING:
    from tests.fakes.telegram.server import FakeTelegram

Handler = Callable[["FakeTelegram", Call], Awaitable[Any]]
COMMAND = re.compile(r"[a-z0-9_]{1,32}")


async def get_me(fake: FakeTelegram, call: Call) -> dict[str, Any]:
    return bot_user(fake.bot_id, full=True)


def target_chat(fake: FakeTelegram, params: dict[str, Any]) -> Chat:
    chat_id = params.get("chat_id")
    if chat_id in (None, ""):
        raise bad_request("chat_id is empty")
    chat = fake.find_chat(chat_id)
    if chat is None:
        raise bad_request(errors.CHAT_NOT_FOUND)
    return chat


def check_reachable(fake: FakeTelegram, chat: Chat) -> None:
    """Injected chat failures first, then the chat's own state (blocked, never started)."""
    if failure := fake.chat_failure(chat.id):
        raise ApiError(failure.status, failure.description)
    if chat.blocked:
        raise ApiError(403, errors.BLOCKED)
    if chat.type == "private" and not chat.started:
        raise ApiError(403, errors.CANT_INITIATE)


def new_message(fake: FakeTelegram, chat: Chat) -> dict[str, Any]:
    message: dict[str, Any] = {"message_id": chat.next_message_id}
    if chat.type == "channel":
        message["sender_chat"] = chat.as_dict()
    else:
        message["from"] = bot_user(fake.bot_id)
    message.update(chat=chat.as_dict(), date=int(fake.wall_clock()))
    chat.next_message_id += 1
    return message


def with_markup(message: dict[str, Any], markup: Any) -> dict[str, Any]:
    # A Message carries only an inline keyboard; reply keyboards are not echoed back.
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        message["reply_markup"] = markup
    return message


def deliver(
    fake: FakeTelegram, method: str, chat: Chat, call: Call, content: dict[str, Any]
) -> dict[str, Any]:
    """Checks that depend on the chat, the flood limits, then the message is delivered."""
    check_reachable(fake, chat)
    fake.throttle(method, chat)
    message = with_markup(new_message(fake, chat) | content, call.params.get("reply_markup"))
    fake.messages[(chat.id, message["message_id"])] = message  # shared with Sent.message
    fake.delivered.append(
        Sent(
            method=method,
            chat_id=chat.id,
            message_id=message["message_id"],
            params=call.params,
            message=message,
            files=call.files,
            filenames=call.filenames,
            at=fake.clock(),
        )
    )
    return copy.deepcopy(message)


def _content(text_key: str, text: str | None, entities: list[dict[str, Any]]) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if text is not None:
        content[text_key] = text
    if entities:
        content["entities" if text_key == "text" else "caption_entities"] = entities
    return content


async def send_message(fake: FakeTelegram, call: Call) -> dict[str, Any]:
    chat = target_chat(fake, call.params)
    text, entities = checks.message_text(call.params)
    checks.reply_markup(call.params.get("reply_markup"))
    return deliver(fake, "sendMessage", chat, call, _content("text", text, entities))


async def send_document(fake: FakeTelegram, call: Call) -> dict[str, Any]:
    chat = target_chat(fake, call.params)
    caption, entities = checks.caption(call.params)
    checks.reply_markup(call.params.get("reply_markup"))
    content = {"document": media.document(call.params, call.files, call.filenames)}
    return deliver(
        fake, "sendDocument", chat, call, content | _content("caption", caption, entities)
    )


async def send_photo(fake: FakeTelegram, call: Call) -> dict[str, Any]:
    chat = target_chat(fake, call.params)
    caption, entities = checks.caption(call.params)
    checks.reply_markup(call.params.get("reply_markup"))
    content = {"photo": media.photo(call.params, call.files, call.filenames)}
    return deliver(fake, "sendPhoto", chat, call, content | _content("caption", caption, entities))


async def send_chat_action(fake: FakeTelegram, call: Call) -> bool:
    chat = target_chat(fake, call.params)
    check_reachable(fake, chat)
    if not call.params.get("action"):
        raise bad_request("action is empty")  # unverified text
    return True


async def answer_callback_query(fake: FakeTelegram, call: Call) -> bool:
    query_id = str(call.params.get("callback_query_id", ""))
    arrived = fake.callbacks.pop(query_id, None)
    too_old = fake.callback_ttl is not None and (
        arrived is None or fake.clock() - arrived > fake.callback_ttl
    )
    if arrived is None or too_old:
        raise bad_request(errors.QUERY_TOO_OLD)
    checks.callback_answer_text(call.params.get("text"))
    fake.answered_callbacks.append(dict(call.params))
    return True


async def edit_message_reply_markup(fake: FakeTelegram, call: Call) -> dict[str, Any] | bool:
    params = call.params
    markup = params.get("reply_markup")
    checks.inline_markup(markup)
    if params.get("inline_message_id"):
        fake.edits.append(
            {"inline_message_id": params["inline_message_id"], "reply_markup": markup}
        )
        return True
    chat = target_chat(fake, params)
    message_id = params.get("message_id")
    message = fake.messages.get((chat.id, message_id)) if isinstance(message_id, int) else None
    if message is None:
        raise bad_request(errors.MESSAGE_TO_EDIT_NOT_FOUND)
    if message.get("reply_markup") == markup:
        raise bad_request(errors.NOT_MODIFIED)
    if markup:
        message["reply_markup"] = markup
    else:
        message.pop("reply_markup", None)
    message["edit_date"] = int(fake.wall_clock())
    fake.edits.append({"chat_id": chat.id, "message_id": message_id, "reply_markup": markup})
    return copy.deepcopy(message)


def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")


async def set_my_commands(fake: FakeTelegram, call: Call) -> bool:
    commands = call.params.get("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")  # unverified text
    for command in commands:
        name = command.get("command") if isinstance(command, dict) else None
        description = command.get("description") if isinstance(command, dict) else None
        if not isinstance(name, str) or not COMMAND.fullmatch(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")  # unverified text
    fake.commands[_commands_key(call.params)] = commands
    return True


async def get_my_commands(fake: FakeTelegram, call: Call) -> list[dict[str, Any]]:
    return fake.commands.get(_commands_key(call.params), [])


async def delete_my_commands(fake: FakeTelegram, call: Call) -> bool:
    fake.commands.pop(_commands_key(call.params), None)
    return True


HANDLERS: dict[str, Handler] = {
    "getme": get_me,
    "sendmessage": send_message,
    "senddocument": send_document,
    "sendphoto": send_photo,
    "sendchataction": send_chat_action,
    "answercallbackquery": answer_callback_query,
    "editmessagereplymarkup": edit_message_reply_markup,
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletemycommands": delete_my_commands,
}
