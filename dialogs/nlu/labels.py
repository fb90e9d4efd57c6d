"""What the NLU can say a message is: intents, the finer topics of OTHER, and commands."""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    SUBMIT_READING = "submit_reading"
    BALANCE_DEBT = "balance_debt"
    TARIFF_QUESTION = "tariff_question"
    TECHNICIAN_CALL = "technician_call"
    RECEIPT = "receipt"
    PAYMENT = "payment"
    OPERATOR_REQUEST = "operator_request"
    CHANGE_CONTACTS = "change_contacts"
    OUTAGE_REPORT = "outage_report"
    OTHER = "other"


class Topic(StrEnum):
    """The finer meaning of OTHER; ESTIMATE refines TARIFF_QUESTION, MY_VISITS (the customer's
    own requests) refines TECHNICIAN_CALL."""

    GREETING = "greeting"
    THANKS = "thanks"
    LINK_ACCOUNT = "link_account"
    UNLINK_ACCOUNT = "unlink_account"
    REMINDERS = "reminders"
    OFFICE_HOURS = "office_hours"
    DELETE_DATA = "delete_data"
    LANGUAGE = "language"
    MY_VISITS = "my_visits"
    ESTIMATE = "estimate"
    SETTINGS = "settings"  # the settings menu itself («настройки»)
    OWNERSHIP = "ownership"  # a change of owner: papers a human explains


class Command(StrEnum):
    START = "start"
    MENU = "menu"
    CANCEL = "cancel"
    OPERATOR = "operator"
    HELP = "help"


Label = Intent | Topic

# Topics that narrow an intent down rather than stand for OTHER.
REFINES: dict[Topic, Intent] = {
    Topic.ESTIMATE: Intent.TARIFF_QUESTION,
    Topic.MY_VISITS: Intent.TECHNICIAN_CALL,
}

# Topics that only say how the customer talks, not what they want: any other evidence wins.
FILLER_TOPICS = frozenset({Topic.GREETING, Topic.THANKS})
