"""What the NLU can say a message is: intents, their finer topics, and commands."""

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
    """The finer meaning of OTHER, or of an intent it refines (REFINES): ESTIMATE a
    TARIFF_QUESTION, MY_VISITS (the customer's own requests) a TECHNICIAN_CALL, the questions
    about debts and bills a BALANCE_DEBT, a payment to the wrong account a PAYMENT."""

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
    DEBT_RESTRICTION = "debt_restriction"  # supply restricted or cut off for debt, its notice
    BILL_EXPLAIN = "bill_explain"  # why the bill is so big: average, norm, growth
    PAYMENT_MISSING = "payment_missing"  # paid, but the payment does not show
    WRONG_ACCOUNT = "wrong_account"  # paid to someone else's account by mistake
    REFUND = "refund"  # an overpayment to be returned
    INSTALMENT = "instalment"  # paying a debt in parts, a deferral, a restructuring
    CONSUMPTION = "consumption"  # the customer's own kWh month by month, as a chart


class Command(StrEnum):
    START = "start"
    MENU = "menu"
    CANCEL = "cancel"
    OPERATOR = "operator"
    HELP = "help"
    BACK = "back"  # one step back in the current flow


Label = Intent | Topic

# Topics that narrow an intent down rather than stand for OTHER.
REFINES: dict[Topic, Intent] = {
    Topic.ESTIMATE: Intent.TARIFF_QUESTION,
    Topic.MY_VISITS: Intent.TECHNICIAN_CALL,
    Topic.DEBT_RESTRICTION: Intent.BALANCE_DEBT,
    Topic.BILL_EXPLAIN: Intent.BALANCE_DEBT,
    Topic.PAYMENT_MISSING: Intent.BALANCE_DEBT,
    Topic.REFUND: Intent.BALANCE_DEBT,
    Topic.INSTALMENT: Intent.BALANCE_DEBT,
    Topic.CONSUMPTION: Intent.BALANCE_DEBT,
    Topic.WRONG_ACCOUNT: Intent.PAYMENT,
}

# Topics that only say how the customer talks, not what they want: any other evidence wins.
FILLER_TOPICS = frozenset({Topic.GREETING, Topic.THANKS})
