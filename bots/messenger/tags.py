"""Which message tag lets a notice out of Messenger's 24-hour window.

Outside the standard messaging window Messenger takes only `messaging_type: MESSAGE_TAG` with a
tag whose use Meta's policy allows: ACCOUNT_UPDATE for a change to the customer's account —
but not «recurring content (statement is ready, bill is due)», which Meta names as disallowed:
so only the restriction warning, a change of the account's standing, carries it by default —,
CONFIRMED_EVENT_UPDATE for an event they booked (their technician's visit), POST_PURCHASE_UPDATE
for a purchase. Reminders, bills and announcements that are not about a change to the account
fit no tag, so they are not sent there (a supplier whose reading of the policy differs sets
`messenger.tags`).
HUMAN_AGENT is for a person's reply (an operator's, channel.py), never an automatic notice.

The map is data: `messenger.tags` in config.yaml overrides it kind by kind (null: no tag).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from core.notices import Kind

ACCOUNT_UPDATE = "ACCOUNT_UPDATE"
CONFIRMED_EVENT_UPDATE = "CONFIRMED_EVENT_UPDATE"
POST_PURCHASE_UPDATE = "POST_PURCHASE_UPDATE"
HUMAN_AGENT = "HUMAN_AGENT"

# The tags a notice may carry (HUMAN_AGENT is left out on purpose: see above).
NoticeTag = Literal["ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE"]

DEFAULT_TAGS: Mapping[str, str] = MappingProxyType(
    {
        Kind.VISIT_STATUS: CONFIRMED_EVENT_UPDATE,
        Kind.DEBT_RESTRICTION: ACCOUNT_UPDATE,
        # debt_due, debt_overdue, receipt_ready: recurring bills (disallowed); reading
        # reminders, outages: reminders and announcements, not account updates.
    }
)


def notice_tags(overrides: Mapping[Kind, str | None] | None = None) -> dict[str, str]:
    """The defaults with `messenger.tags` laid over them; a kind overridden with None has no
    tag. Keys are the kinds' values, as a reply names them (Reply.template)."""
    tags = {str(kind): tag for kind, tag in DEFAULT_TAGS.items()}
    for kind, tag in (overrides or {}).items():
        if tag is None:
            tags.pop(str(kind), None)
        else:
            tags[str(kind)] = tag
    return tags
