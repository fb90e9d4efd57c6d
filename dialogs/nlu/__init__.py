"""Natural-language understanding: intent, topic and entities of a customer's message."""

from dialogs.nlu.answers import command, is_no, is_yes
from dialogs.nlu.classifier import Analysis, analyze, warm_up
from dialogs.nlu.details import (
    ContactField,
    SettingsRequest,
    TariffQuestion,
    contact_field,
    looks_like_name,
    settings_request,
    tariff_question_kind,
)
from dialogs.nlu.entities import DateValue, Entities
from dialogs.nlu.labels import Command, Intent, Topic

__all__ = [
    "Analysis",
    "Command",
    "ContactField",
    "DateValue",
    "Entities",
    "Intent",
    "SettingsRequest",
    "TariffQuestion",
    "Topic",
    "analyze",
    "command",
    "contact_field",
    "is_no",
    "is_yes",
    "looks_like_name",
    "settings_request",
    "tariff_question_kind",
    "warm_up",
]
