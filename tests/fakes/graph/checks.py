"""What the real Send APIs refuse (or, for Messenger quick-reply titles, cut), checked on every
message the fake receives. Limits: ../../../../shared/PLATFORMS.md §3–4."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tests.fakes.graph.errors import (
    GraphRefusal,
    invalid,
    wa_invalid,
    wa_template_parameter_text,
    wa_template_parameters,
    wa_template_unknown,
)

WA_TEXT_MAX = 4096
WA_BODY_MAX = 1024
WA_CAPTION_MAX = 1024
WA_IMAGE_TYPES = ("image/jpeg", "image/png")
# Uploads the Cloud API takes, by type (those a reply's files can be), and their sizes.
WA_UPLOAD_MAX_BYTES = {
    "image/jpeg": 5 * 1024 * 1024,
    "image/png": 5 * 1024 * 1024,
    "application/pdf": 100 * 1024 * 1024,
    "text/plain": 100 * 1024 * 1024,
}
WA_BUTTONS_MAX = 3
WA_BUTTON_TITLE_MAX = 20
WA_BUTTON_ID_MAX = 256
WA_LIST_BUTTON_MAX = 20
WA_ROWS_MAX = 10
WA_SECTIONS_MAX = 10
WA_ROW_TITLE_MAX = 24
WA_ROW_DESCRIPTION_MAX = 72
WA_ROW_ID_MAX = 200
WA_SECTION_TITLE_MAX = 24
FB_TEXT_MAX = 2000
FB_UPLOAD_MAX_BYTES = 25 * 1024 * 1024  # an attachment uploaded with the message
FB_IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif")
FB_QUICK_REPLIES_MAX = 13
FB_TITLE_MAX = 20
FB_PAYLOAD_MAX = 1000
FB_TEMPLATE_TEXT_MAX = 640
FB_TEMPLATE_BUTTONS_MAX = 3
FB_MESSAGING_TYPES = ("RESPONSE", "UPDATE", "MESSAGE_TAG")
FB_TAGS = ("ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE", "HUMAN_AGENT")
MENU_ITEMS_MAX = 20
MENU_TITLE_MAX = 30
GREETING_MAX = 160
# What WhatsApp refuses in a template's text parameter.
_WA_PARAMETER_SPACING = re.compile(r"[\n\t]| {5,}")
_WA_ID = re.compile(r"\+?\d{6,20}")
_BSUID = re.compile(r"[A-Z]{2}\.[A-Za-z0-9.]{1,128}")


def _text(value: Any, name: str, limit: int, *, whatsapp: bool) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid(f"The parameter {name} is required.", whatsapp=whatsapp)
    if len(value) > limit:
        message = f"{name} must be at most {limit} characters long"
        raise (wa_invalid(message) if whatsapp else invalid(message))
    return value


def whatsapp_recipient(body: dict[str, Any]) -> str:
    to, recipient = body.get("to"), body.get("recipient")
    if isinstance(to, str) and _WA_ID.fullmatch(to):
        return to.lstrip("+")
    if isinstance(recipient, str) and _BSUID.fullmatch(recipient):
        return recipient
    raise invalid("The parameter to is required.", whatsapp=True)


def whatsapp_message(body: dict[str, Any], media: Mapping[str, tuple[str, str, bytes]]) -> str:
    """Refuses what the Cloud API refuses; returns the message type."""
    if body.get("messaging_product") != "whatsapp":
        raise invalid("The parameter messaging_product is required.", whatsapp=True)
    kind = body.get("type", "text")
    if kind == "text":
        text = body.get("text")
        if not isinstance(text, dict):
            raise invalid("The parameter text is required.", whatsapp=True)
        _text(text.get("body"), "text['body']", WA_TEXT_MAX, whatsapp=True)
    elif kind == "interactive":
        _interactive(body.get("interactive"), media)
    elif kind == "template":
        template = body.get("template")
        if not isinstance(template, dict) or not template.get("name"):
            raise invalid("The parameter template['name'] is required.", whatsapp=True)
        language = template.get("language")
        if not isinstance(language, dict) or not language.get("code"):
            raise invalid("The parameter template['language'] is required.", whatsapp=True)
        _body_parameters(template)
    elif kind in ("document", "image"):
        _media(kind, body.get(kind), media)
        caption = body[kind].get("caption")
        if caption is not None:
            _text(caption, f"{kind}['caption']", WA_CAPTION_MAX, whatsapp=True)
    else:
        raise GraphRefusal(
            131051, "(#131051) Unsupported message type", details=str(kind), whatsapp=True
        )
    return str(kind)


def _body_parameters(template: dict[str, Any]) -> list[str]:
    """The texts of a template's body parameters, refusing a malformed component."""
    components = template.get("components", [])
    if not isinstance(components, list):
        raise invalid("template['components'] must be an array", whatsapp=True)
    texts: list[str] = []
    for component in components:
        if not isinstance(component, dict) or component.get("type") != "body":
            # Headers and buttons have parameters of their own; the fake knows body ones only.
            raise invalid("only body components are expected here", whatsapp=True)
        parameters = component.get("parameters")
        if not isinstance(parameters, list):
            raise invalid("component['parameters'] must be an array", whatsapp=True)
        for parameter in parameters:
            if not isinstance(parameter, dict) or parameter.get("type") != "text":
                raise invalid("parameter['type'] must be text here", whatsapp=True)
            text = _text(parameter.get("text"), "parameter['text']", WA_BODY_MAX, whatsapp=True)
            if _WA_PARAMETER_SPACING.search(text):
                raise wa_template_parameter_text()
            texts.append(text)
    return texts


def whatsapp_template(body: dict[str, Any], approved: dict[tuple[str, str], int]) -> None:
    """A template message names an approved template in its language and fills exactly its
    body placeholders (`approved`: (name, language) -> their number)."""
    template = body["template"]
    name, language = str(template["name"]), str(template["language"]["code"])
    expected = approved.get((name, language))
    if expected is None:
        raise wa_template_unknown(name, language)
    given = len(_body_parameters(template))
    if given != expected:
        raise wa_template_parameters(expected, given)


def _media(kind: str, item: Any, media: Mapping[str, tuple[str, str, bytes]]) -> None:
    """An image or document by the id of an upload of a fitting type."""
    if not isinstance(item, dict) or not (item.get("id") or item.get("link")):
        raise invalid(f"The parameter {kind}['id'] is required.", whatsapp=True)
    if item.get("id"):
        if item["id"] not in media:
            raise GraphRefusal(
                131053, "(#131053) Media upload error", details="unknown media id", whatsapp=True
            )
        uploaded_type = media[item["id"]][1]
        if kind == "image" and uploaded_type not in WA_IMAGE_TYPES:
            raise GraphRefusal(
                131053,
                "(#131053) Media upload error",
                details=f"{uploaded_type} is not an image type",
                whatsapp=True,
            )


def whatsapp_upload(body: dict[str, Any]) -> tuple[str, str, bytes]:
    """POST /<phone number id>/media: a multipart `file` of a supported type, `type` naming it,
    within the type's size (images 5 MB, documents 100 MB)."""
    if body.get("messaging_product") != "whatsapp":
        raise invalid("The parameter messaging_product is required.", whatsapp=True)
    file = body.get("file")
    if not isinstance(file, tuple):
        raise invalid("The parameter file is required.", whatsapp=True)
    media_type = str(body.get("type") or file[1])
    if media_type not in WA_UPLOAD_MAX_BYTES:
        raise invalid(
            "Param file must be a file with one of the following types: "
            + ", ".join(WA_UPLOAD_MAX_BYTES),
            whatsapp=True,
        )
    if len(file[2]) > WA_UPLOAD_MAX_BYTES[media_type]:
        raise invalid("Invalid parameter: File Too Large", whatsapp=True)
    return file[0], media_type, file[2]


def _interactive(interactive: Any, media: Mapping[str, tuple[str, str, bytes]]) -> None:
    if not isinstance(interactive, dict):
        raise invalid("The parameter interactive is required.", whatsapp=True)
    header = interactive.get("header")
    if header is not None:
        kind = header.get("type") if isinstance(header, dict) else None
        if kind == "text":
            _text(header.get("text"), "header['text']", 60, whatsapp=True)
        elif kind in ("image", "document", "video") and interactive.get("type") == "button":
            _media(kind, header.get(kind), media)
        else:
            raise wa_invalid(f"header type {kind!r} is not allowed here")
    body = interactive.get("body")
    if not isinstance(body, dict):
        raise invalid("The parameter interactive['body'] is required.", whatsapp=True)
    _text(body.get("text"), "body['text']", WA_BODY_MAX, whatsapp=True)
    action = interactive.get("action")
    if not isinstance(action, dict):
        raise invalid("The parameter interactive['action'] is required.", whatsapp=True)
    kind = interactive.get("type")
    if kind == "button":
        buttons = action.get("buttons")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= WA_BUTTONS_MAX:
            raise wa_invalid(f"buttons: between 1 and {WA_BUTTONS_MAX} buttons are allowed")
        titles, ids = [], []
        for button in buttons:
            reply = button.get("reply") if isinstance(button, dict) else None
            if button.get("type") != "reply" or not isinstance(reply, dict):
                raise wa_invalid("buttons[].type must be reply")
            titles.append(_text(reply.get("title"), "title", WA_BUTTON_TITLE_MAX, whatsapp=True))
            ids.append(_text(reply.get("id"), "id", WA_BUTTON_ID_MAX, whatsapp=True))
        if len(set(titles)) != len(titles):
            raise wa_invalid("Button title must be unique")
        if len(set(ids)) != len(ids):
            raise wa_invalid("Button id must be unique")
    elif kind == "list":
        _text(action.get("button"), "action['button']", WA_LIST_BUTTON_MAX, whatsapp=True)
        sections = action.get("sections")
        if not isinstance(sections, list) or not 1 <= len(sections) <= WA_SECTIONS_MAX:
            raise wa_invalid("sections: between 1 and 10 sections are allowed")
        ids: list[str] = []
        for section in sections:
            rows = section.get("rows") if isinstance(section, dict) else None
            if not isinstance(rows, list) or not rows:
                raise wa_invalid("sections[].rows is required")
            if len(sections) > 1:
                _text(section.get("title"), "section title", WA_SECTION_TITLE_MAX, whatsapp=True)
            for row in rows:
                if not isinstance(row, dict):
                    raise wa_invalid("rows[] must be objects")
                ids.append(_text(row.get("id"), "row id", WA_ROW_ID_MAX, whatsapp=True))
                _text(row.get("title"), "row title", WA_ROW_TITLE_MAX, whatsapp=True)
                description = row.get("description")
                if description is not None and len(str(description)) > WA_ROW_DESCRIPTION_MAX:
                    raise wa_invalid(f"row description must be at most {WA_ROW_DESCRIPTION_MAX}")
        if len(ids) > WA_ROWS_MAX:
            raise wa_invalid(f"Total row count exceed max allowed count: {WA_ROWS_MAX}")
        if len(set(ids)) != len(ids):
            raise wa_invalid("Row ids must be unique")
    else:
        raise wa_invalid(f"interactive type {kind!r} is not supported here")


def messenger_message(body: dict[str, Any], truncated: list[str]) -> tuple[str, str, str]:
    """Refuses what the Send API refuses; cuts quick-reply titles over 20 characters as Messenger
    does (and notes them in `truncated`). Returns (recipient, messaging_type, tag)."""
    recipient = body.get("recipient")
    user = recipient.get("id") if isinstance(recipient, dict) else None
    if isinstance(user, int) and not isinstance(user, bool):
        user = str(user)
    if not isinstance(user, str) or not user:
        raise invalid("The parameter recipient is required")
    messaging_type = body.get("messaging_type", "RESPONSE")
    if messaging_type not in FB_MESSAGING_TYPES:
        raise invalid("Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}")
    tag = body.get("tag") or ""
    if messaging_type == "MESSAGE_TAG" and tag not in FB_TAGS:
        raise invalid("Param tag must be a valid message tag")
    message = body.get("message")
    if not isinstance(message, dict):
        raise invalid("The parameter message is required")
    has_text, has_attachment = "text" in message, "attachment" in message
    if has_text == has_attachment:
        raise invalid("Exactly one of message[text] or message[attachment] must be given")
    if has_text:
        _text(message["text"], "message[text]", FB_TEXT_MAX, whatsapp=False)
    else:
        _attachment(message["attachment"])
        _upload(message["attachment"], body.get("filedata"))
    quick = message.get("quick_replies")
    if quick is not None:
        if not isinstance(quick, list) or not 1 <= len(quick) <= FB_QUICK_REPLIES_MAX:
            raise invalid("param message[quick_replies] must have at most 13 elements")
        for item in quick:
            kind = item.get("content_type") if isinstance(item, dict) else None
            if kind in ("user_phone_number", "user_email"):
                continue
            if kind != "text":
                raise invalid("param message[quick_replies][content_type] is invalid")
            title = _text(item.get("title"), "quick_replies[title]", 10**6, whatsapp=False)
            if len(title) > FB_TITLE_MAX:
                truncated.append(title)
            _text(item.get("payload"), "quick_replies[payload]", FB_PAYLOAD_MAX, whatsapp=False)
    return user, str(messaging_type), str(tag)


def _upload(attachment: dict[str, Any], filedata: Any) -> None:
    """A file or image sent with the message (multipart `filedata`, or by URL or attachment
    id): at most 25 MB; an image must be one Messenger can show."""
    kind = attachment.get("type")
    if kind not in ("file", "image") or not isinstance(filedata, tuple):
        payload = attachment.get("payload", {})
        if kind in ("file", "image") and not (payload.get("url") or payload.get("attachment_id")):
            raise invalid("param filedata is required for an attachment without a url")
        return
    _, media_type, data = filedata
    if len(data) > FB_UPLOAD_MAX_BYTES or (kind == "image" and media_type not in FB_IMAGE_TYPES):
        raise GraphRefusal(100, "(#100) Upload attachment failure.", subcode=2018047)


def _attachment(attachment: Any) -> None:
    if not isinstance(attachment, dict):
        raise invalid("param message[attachment] must be an object")
    kind = attachment.get("type")
    payload = attachment.get("payload")
    if not isinstance(payload, dict):
        raise invalid("param message[attachment][payload] is required")
    if kind == "template":
        if payload.get("template_type") != "button":
            raise invalid("Only the button template is expected here")
        _text(payload.get("text"), "payload[text]", FB_TEMPLATE_TEXT_MAX, whatsapp=False)
        buttons = payload.get("buttons")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= FB_TEMPLATE_BUTTONS_MAX:
            raise invalid("param payload[buttons] must have between 1 and 3 elements")
        for button in buttons:
            if not isinstance(button, dict) or button.get("type") not in ("postback", "web_url"):
                raise invalid("param payload[buttons][type] is invalid")
            _text(button.get("title"), "buttons[title]", FB_TITLE_MAX, whatsapp=False)
            if button["type"] == "postback":
                _text(button.get("payload"), "buttons[payload]", FB_PAYLOAD_MAX, whatsapp=False)
    elif kind not in ("file", "image", "audio", "video"):
        raise invalid("param message[attachment][type] is invalid")


def messenger_profile(body: dict[str, Any], current: dict[str, Any]) -> None:
    if not body:
        raise invalid("Requires one of the params: get_started, greeting, persistent_menu ...")
    if "get_started" in body:
        started = body["get_started"]
        if not isinstance(started, dict):
            raise invalid("param get_started must be an object")
        _text(started.get("payload"), "get_started[payload]", FB_PAYLOAD_MAX, whatsapp=False)
    for item in body.get("greeting", []) or []:
        _text(item.get("locale"), "greeting[locale]", 16, whatsapp=False)
        _text(item.get("text"), "greeting[text]", GREETING_MAX, whatsapp=False)
    if "persistent_menu" in body:
        if "get_started" not in body and "get_started" not in current:
            raise invalid(
                "You must set a Get Started button if you also wish to use persistent menu."
            )
        menus = body["persistent_menu"]
        if not isinstance(menus, list) or not any(m.get("locale") == "default" for m in menus):
            raise invalid("persistent_menu must have a default locale")
        for menu in menus:
            actions = menu.get("call_to_actions")
            if not isinstance(actions, list) or not 1 <= len(actions) <= MENU_ITEMS_MAX:
                raise invalid("call_to_actions must have between 1 and 20 elements")
            for action in actions:
                _text(action.get("title"), "call_to_actions[title]", MENU_TITLE_MAX, whatsapp=False)
                if action.get("type") == "postback":
                    _text(action.get("payload"), "payload", FB_PAYLOAD_MAX, whatsapp=False)
