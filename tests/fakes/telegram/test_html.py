"""The fake's HTML parser against tdlib's own test vectors (td/test/message_entities.cpp)."""

from __future__ import annotations

import pytest

from tests.fakes.telegram.html import HtmlError, parse_html, utf16_len

STADIUM = "🏟 🏟&lt;"  # 13 UTF-8 bytes before the tag in tdlib's vectors


@pytest.mark.parametrize(
    ("source", "error"),
    [
        (f"{STADIUM}<abacaba", "Unclosed start tag at byte offset 13"),
        (f"{STADIUM}<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
        (f"{STADIUM}<abac>", 'Unsupported start tag "abac" at byte offset 13'),
        (f"{STADIUM}<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'),
        (
            f"{STADIUM}<i    aba>",
            'Expected equal sign in declaration of an attribute of the tag "i" at byte offset 13',
        ),
        (f"{STADIUM}<i    aba  =  ", 'Unclosed start tag "i" at byte offset 13'),
        (f"{STADIUM}<i    aba  =  190azAz-.,", "Unexpected end of name token at byte offset 27"),
        (f'{STADIUM}<i    aba  =  "&lt;&gt;&quot;>', "Unclosed start tag at byte offset 13"),
        (f"{STADIUM}</", "Unexpected end tag at byte offset 13"),
        (f"{STADIUM}<b></b></", "Unexpected end tag at byte offset 20"),
        (f"{STADIUM}<i>a</i   ", "Unclosed end tag at byte offset 17"),
        (
            f"{STADIUM}<i>a</em   >",
            'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"',
        ),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("&#57311;", "Text contains invalid Unicode characters"),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ],
)
def test_errors(source: str, error: str) -> None:
    with pytest.raises(HtmlError) as raised:
        parse_html(source)
    assert str(raised.value).startswith(error)


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        ("", "", []),
        ("&lt;&gt;&amp;&quot;&laquo;&#12345678;", '<>&"&laquo;&#12345678;', []),
        ("➡️ ➡️<i>➡️ ➡️</i>", "➡️ ➡️➡️ ➡️", [("italic", 5, 5)]),
        ("➡️ ➡️<strong>➡️ ➡️</strong>", "➡️ ➡️➡️ ➡️", [("bold", 5, 5)]),
        ("🏟 🏟<i>🏟 &lt🏟</i>", "🏟 🏟🏟 <🏟", [("italic", 5, 6)]),
        (f"{STADIUM}<i>a</    >", "🏟 🏟<a", [("italic", 6, 1)]),
        (f"{STADIUM}<b></b>", "🏟 🏟<", []),
        (
            "<i><b> </b> <code> </code></i>",
            "   ",
            [("italic", 0, 3), ("bold", 0, 1), ("code", 2, 1)],
        ),
        (
            "<s>x</s><ins>y</ins><tg-spoiler>z</tg-spoiler>",
            "xyz",
            [("strikethrough", 0, 1), ("underline", 1, 1), ("spoiler", 2, 1)],
        ),
        ('<span class="tg-spoiler">x</span>', "x", [("spoiler", 0, 1)]),
        ("<blockquote>q</blockquote>", "q", [("blockquote", 0, 1)]),
        ("<blockquote expandable>q</blockquote>", "q", [("expandable_blockquote", 0, 1)]),
    ],
)
def test_parsed(source: str, text: str, entities: list[tuple[str, int, int]]) -> None:
    parsed_text, parsed = parse_html(source)
    assert parsed_text == text
    assert [(e["type"], e["offset"], e["length"]) for e in parsed] == entities


def test_links_and_pre_with_language() -> None:
    assert parse_html("<a href=telegram.org> </a>")[1] == [
        {"offset": 0, "length": 1, "type": "text_link", "url": "http://telegram.org/"}
    ]
    assert parse_html("<a   href=  'telegram.org?&lt;'   > </a>")[1][0]["url"] == (
        "http://telegram.org/?<"
    )
    assert parse_html("<a>telegram.org </a>") == ("telegram.org ", [])
    assert parse_html('<a href="tg://user?id=42">Иван</a>')[1][0]["user"] == {"id": 42}
    assert parse_html('<pre><code class="language-python">x</code></pre>')[1] == [
        {"offset": 0, "length": 1, "type": "pre", "language": "python"}
    ]


def test_utf16_length() -> None:
    assert utf16_len("я😀") == 3
