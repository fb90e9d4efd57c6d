"""Natural-language understanding: intent, topic and entities of a customer's message."""

from dialogs.nlu.answers import command, is_no, is_yes
from dialogs.nlu.classifier import Analysis, analyze, warm_up
from dialogs.nlu.details import (
    ContactField,
    DayPart,
    DayReference,
    OutageSubject,
    SettingsRequest,
    TariffQuestion,
    bill_disputed,
    cancel_wish,
    contact_field,
    day_part,
    day_reference,
    fire_risk,
    looks_like_name,
    money_beside_numbers,
    negative_amount,
    ordinal,
    outage_subject,
    settings_request,
    tariff_category,
    tariff_question_kind,
    visit_type,
)
from dialogs.nlu.entities import DateValue, Entities
from dialogs.nlu.labels import Command, Intent, Topic
from dialogs.nlu.language import message_language
from dialogs.nlu.morphology import name_likeness
from dialogs.nlu.numbers import numbers_in_words
from dialogs.nlu.text import clauses

__all__ = [
    "Analysis",
    "Command",
    "ContactField",
    "DateValue",
    "DayPart",
    "DayReference",
    "Entities",
    "Intent",
    "OutageSubject",
    "SettingsRequest",
    "TariffQuestion",
    "Topic",
    "analyze",
    "bill_disputed",
    "cancel_wish",
    "clauses",
    "command",
    "contact_field",
    "day_part",
    "day_reference",
    "fire_risk",
    "is_no",
    "is_yes",
    "looks_like_name",
    "message_language",
    "money_beside_numbers",
    "name_likeness",
    "negative_amount",
    "numbers_in_words",
    "ordinal",
    "outage_subject",
    "settings_request",
    "tariff_category",
    "tariff_question_kind",
    "visit_type",
    "warm_up",
]
