"""Natural-language understanding: intent, topic and entities of a customer's message."""

from dialogs.nlu.answers import command, is_no, is_yes
from dialogs.nlu.classifier import Analysis, analyze, warm_up
from dialogs.nlu.entities import DateValue, Entities
from dialogs.nlu.labels import Command, Intent, Topic

__all__ = [
    "Analysis",
    "Command",
    "DateValue",
    "Entities",
    "Intent",
    "Topic",
    "analyze",
    "command",
    "is_no",
    "is_yes",
    "warm_up",
]
