"""The few texts a Graph channel adds itself (a list's button), in the customer's language: the
one the dialog put on the reply. Rows queued before replies carried it are read instead: the
share-phone label is the catalog's own text, otherwise the script most of the letters are in."""

from __future__ import annotations

from dialogs.i18n import LANGUAGES, translator
from dialogs.messages import Reply


def language_of(reply: Reply) -> str:
    if reply.language in LANGUAGES:
        return reply.language
    if reply.phone_label:
        for language in LANGUAGES:
            if reply.phone_label == translator(language)("common.share_phone_button"):
                return language
    cyrillic = sum(1 for ch in reply.text if "а" <= ch.lower() <= "я" or ch in "ёЁ")
    latin = sum(1 for ch in reply.text if "a" <= ch.lower() <= "z")
    # English texts may quote a Russian name or address; Russian ones hardly any Latin.
    return "ru" if cyrillic > latin else "en"


def text(key: str, reply: Reply) -> str:
    return translator(language_of(reply))(key)
