"""Telegram's HTML parse mode, parsed the way tdlib parses it (`parse_html` in MessageEntity.cpp).

The fake needs it to answer exactly what Telegram answers: the visible text (whose length is what
the 4096 limit counts) and the errors, byte offsets included, that make a send fail with
"Bad Request: can't parse entities: ...". Offsets in errors are UTF-8 byte offsets into the source;
entity offsets and lengths are UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TAGS = frozenset(
    {
        b"a",
        b"b",
        b"strong",
        b"i",
        b"em",
        b"s",
        b"strike",
        b"del",
        b"u",
        b"ins",
        b"tg-spoiler",
        b"tg-emoji",
        b"span",
        b"pre",
        b"code",
        b"blockquote",
    }
)
SIMPLE = {
    b"b": "bold",
    b"strong": "bold",
    b"i": "italic",
    b"em": "italic",
    b"s": "strikethrough",
    b"strike": "strikethrough",
    b"del": "strikethrough",
    b"u": "underline",
    b"ins": "underline",
    b"tg-spoiler": "spoiler",
}
NAMED = {b"lt": ord("<"), b"gt": ord(">"), b"amp": ord("&"), b"quot": ord('"')}
SPACES = frozenset(b" \t\r\n\v\0")
SURROGATES = (
    "Text contains invalid Unicode characters after decoding HTML entities, "
    "check for unmatched surrogate code units"
)
MAX_CODE_POINT = 0x10FFFF


class HtmlError(ValueError):
    """The message of tdlib's parse error, without the "can't parse entities: " prefix."""


@dataclass
class _Open:
    tag: bytes
    argument: bytes
    offset: int  # UTF-16 offset of the entity in the visible text
    begin: int  # byte position of the entity in the visible text


def utf16_len(text: str) -> int:
    """The length Telegram counts: UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """The visible text and the Bot API entities of an HTML-formatted text, or HtmlError."""
    return _Parser(source.encode("utf-8", "surrogatepass")).run()


def _decode_entity(data: bytes, pos: int) -> tuple[int, int] | None:
    """(code point, position after it) of the character reference at pos, if it is one."""
    at = _reader(data)
    end = pos + 1
    code = 0
    if at(end) == ord("#"):
        end += 1
        hexadecimal = at(end) == ord("x")
        if hexadecimal:
            end += 1
        digits = b"0123456789abcdefABCDEF" if hexadecimal else b"0123456789"
        while at(end) and at(end) in digits:
            code = code * (16 if hexadecimal else 10) + int(chr(at(end)), 16)
            end += 1
            if code >= MAX_CODE_POINT:
                return None
        if code == 0 or end - pos >= 10:
            return None
    else:
        while chr(at(end)).isascii() and chr(at(end)).isalpha():
            end += 1
        named = NAMED.get(data[pos + 1 : end])
        if named is None:
            return None  # an unknown named entity stays as typed, '&' included
        code = named
    return code, end + 1 if at(end) == ord(";") else end


def _reader(data: bytes):  # type: ignore[no-untyped-def]
    size = len(data)

    def at(i: int) -> int:
        # tdlib reads a NUL-terminated string: past the end is 0.
        return data[i] if i < size else 0

    return at


class _Parser:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = _reader(data)
        self.out = bytearray()
        self.utf16 = 0
        self.entities: list[dict[str, Any]] = []
        self.stack: list[_Open] = []
        self.decoded_surrogate = False

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        i = 0
        while i < len(self.data):
            c = self.data[i]
            if c == ord("&") and (decoded := _decode_entity(self.data, i)):
                code, i = decoded
                self._append_code_point(code)
                continue
            if c != ord("<"):
                if c & 0xC0 != 0x80:  # the first byte of a character
                    self.utf16 += 2 if c >= 0xF0 else 1
                self.out.append(c)
                i += 1
                continue
            i = self._end_tag(i) if self.at(i + 1) == ord("/") else self._start_tag(i)
            i += 1  # past '>'
        if self.stack:
            tag = self.stack[-1].tag.decode()
            raise HtmlError(f'Can\'t find end tag corresponding to start tag "{tag}"')
        text = self.out.decode("utf-8", "surrogatepass")
        if self.decoded_surrogate and any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
            raise HtmlError(SURROGATES)
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return text, self.entities

    def _append_code_point(self, code: int) -> None:
        self.utf16 += 2 if code > 0xFFFF else 1
        if 0xD800 <= code <= 0xDFFF:
            self.decoded_surrogate = True
        self.out += chr(code).encode("utf-8", "surrogatepass")

    def _start_tag(self, begin: int) -> int:
        at = self.at
        i = begin + 1
        while at(i) not in SPACES and at(i) != ord(">"):
            i += 1
        if at(i) == 0:
            raise HtmlError(f"Unclosed start tag at byte offset {begin}")
        tag = self.data[begin + 1 : i].lower()
        name = tag.decode("utf-8", "replace")
        if tag not in TAGS:
            raise HtmlError(f'Unsupported start tag "{name}" at byte offset {begin}')
        argument = b""
        while at(i) != ord(">"):
            while at(i) != 0 and at(i) in SPACES:
                i += 1
            if at(i) == ord(">"):
                break
            attribute_begin = i
            while at(i) not in SPACES and at(i) not in (ord("="), ord(">")):
                i += 1
            attribute = self.data[attribute_begin:i].lower()
            if not attribute:
                raise HtmlError(f'Empty attribute name in the tag "{name}" at byte offset {begin}')
            if tag == b"blockquote" and attribute == b"expandable":
                argument = b"expandable"  # the one attribute that takes no value
                continue
            while at(i) != 0 and at(i) in SPACES:
                i += 1
            if at(i) != ord("="):
                raise HtmlError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}" at byte offset {begin}'
                )
            i += 1
            while at(i) != 0 and at(i) in SPACES:
                i += 1
            if at(i) == 0:
                raise HtmlError(f'Unclosed start tag "{name}" at byte offset {begin}')
            value, i = self._attribute_value(i)
            if at(i) == 0:
                raise HtmlError(f"Unclosed start tag at byte offset {begin}")
            argument = _argument(tag, attribute, value, argument)
        if tag == b"span" and argument != b"spoiler":
            raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        self.stack.append(_Open(tag, argument, self.utf16, len(self.out)))
        return i

    def _attribute_value(self, i: int) -> tuple[bytes, int]:
        at = self.at
        if at(i) not in (ord("'"), ord('"')):
            token_begin = i
            while chr(at(i)).isascii() and (chr(at(i)).isalnum() or at(i) in b".-"):
                i += 1
            if at(i) not in SPACES and at(i) != ord(">"):
                raise HtmlError(f"Unexpected end of name token at byte offset {token_begin}")
            return self.data[token_begin:i].lower(), i
        quote = at(i)
        i += 1
        value = bytearray()
        while at(i) != quote and at(i) != 0:
            if at(i) == ord("&") and (decoded := _decode_entity(self.data, i)):
                code, i = decoded
                value += chr(code).encode("utf-8", "surrogatepass")
                continue
            value.append(at(i))
            i += 1
        if at(i) == quote:
            i += 1
        return bytes(value), i

    def _end_tag(self, begin: int) -> int:
        at = self.at
        if not self.stack:
            raise HtmlError(f"Unexpected end tag at byte offset {begin}")
        i = begin + 2
        while at(i) not in SPACES and at(i) != ord(">"):
            i += 1
        end_tag = self.data[begin + 2 : i].lower()
        while at(i) != 0 and at(i) in SPACES:
            i += 1
        if at(i) != ord(">"):
            raise HtmlError(f"Unclosed end tag at byte offset {begin}")
        opened = self.stack[-1]
        if end_tag and end_tag != opened.tag:
            raise HtmlError(
                f'Unmatched end tag at byte offset {begin}, expected "</{opened.tag.decode()}>", '
                f'found "</{end_tag.decode("utf-8", "replace")}>"'
            )
        if self.utf16 > opened.offset:
            self._close(opened)
        self.stack.pop()
        return i

    def _close(self, opened: _Open) -> None:
        entity: dict[str, Any] = {"offset": opened.offset, "length": self.utf16 - opened.offset}
        tag, argument = opened.tag, opened.argument
        if tag in SIMPLE or tag == b"span":
            entity["type"] = SIMPLE.get(tag, "spoiler")
        elif tag == b"blockquote":
            entity["type"] = "expandable_blockquote" if argument else "blockquote"
        elif tag == b"tg-emoji":
            if not argument.isdigit() or int(argument) == 0:
                raise HtmlError("Invalid custom emoji identifier specified")
            entity.update(type="custom_emoji", custom_emoji_id=argument.decode())
        elif tag == b"a":
            url = (argument or bytes(self.out[opened.begin :])).decode("utf-8", "replace")
            if url.startswith("tg://user?id=") and url[13:].isdigit():
                entity.update(type="text_mention", user={"id": int(url[13:])})
            elif checked := _checked_link(url):
                entity.update(type="text_link", url=checked)
            else:
                return  # tdlib drops a link it cannot use and keeps the text
        elif self._merged_pre_code(entity, tag, argument):
            return
        else:
            entity["type"] = tag.decode()  # pre or code
            if tag == b"code" and argument:
                entity["language"] = argument.decode()
        self.entities.append(entity)

    def _merged_pre_code(self, entity: dict[str, Any], tag: bytes, argument: bytes) -> bool:
        """<pre><code class="language-x"> (either nesting) is one pre entity with a language."""
        if not self.entities:
            return False
        last = self.entities[-1]
        same_span = last["offset"] == entity["offset"] and last["length"] == entity["length"]
        if not same_span:
            return False
        if tag == b"pre" and last["type"] == "code" and last.get("language"):
            last["type"] = "pre"
            return True
        if tag == b"code" and last["type"] == "pre" and argument:
            last["language"] = argument.decode()
            return True
        return False


def _argument(tag: bytes, attribute: bytes, value: bytes, previous: bytes) -> bytes:
    if tag == b"a" and attribute == b"href":
        return value
    if tag == b"code" and attribute == b"class" and value.startswith(b"language-"):
        return value[len(b"language-") :]
    if tag == b"span" and attribute == b"class" and value.startswith(b"tg-"):
        return value[len(b"tg-") :]
    if tag == b"tg-emoji" and attribute == b"emoji-id":
        return value
    return previous


def _checked_link(url: str) -> str | None:
    """A link as tdlib's LinkManager keeps it: with a scheme; a bare domain gets http:// and /."""
    if not url or any(ch.isspace() for ch in url):
        return None
    scheme, sep, rest = url.partition("://")
    if sep:
        return url if scheme.lower() in {"http", "https", "tg", "ton", "ftp"} and rest else None
    cut = min((i for i in (url.find(c) for c in "/?#") if i >= 0), default=len(url))
    host, tail = url[:cut].lower(), url[cut:]
    if "." not in host.strip("."):
        return None
    return f"http://{host}{tail if tail.startswith('/') else '/' + tail}"
