"""The last check of a notice, just before it leaves: is it still true, still wanted, and may it
go now? Run by the sender on every batch of notices it claims, in the claim's transaction; what
must not go is skipped with its reason, what must wait (quiet hours) is held, the rest rendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from core.balance import PenaltyRules, bill_due_date
from core.notices import TOPIC, URGENT, Kind, NoticeFacts, QuietHours, Skip
from core.ports import OutboxRow, Store
from dialogs.config import CompanyInfo
from dialogs.i18n import translator
from dialogs.messages import Reply
from outbox.notices.compose import render

HELD = "held: quiet hours"
SENDING = "sending"  # storage's mark of a notice handed to the platform, outcome unwritten
_DEBT = (Kind.DEBT_DUE, Kind.DEBT_OVERDUE, Kind.DEBT_RESTRICTION)
_READING = (Kind.READING_REMINDER, Kind.READING_LAST_DAY)
_OUTAGE = (Kind.OUTAGE_PLANNED, Kind.OUTAGE_EMERGENCY, Kind.OUTAGE_RESTORED)


@dataclass(frozen=True, slots=True)
class GateRules:
    company: CompanyInfo
    zone: tzinfo
    quiet: QuietHours
    hold_limit: timedelta
    default_language: str = "ru"
    penalties: PenaltyRules = field(default_factory=PenaltyRules)  # bills' due dates


@dataclass(frozen=True, slots=True)
class Verdict:
    reply: Reply | None = None  # send this
    skip: Skip | None = None  # never send, for this reason
    hold_until: datetime | None = None  # not before then


class Gate:
    def __init__(self, rules: GateRules) -> None:
        self.rules = rules

    async def admit(
        self, store: Store, rows: Sequence[OutboxRow], now: datetime
    ) -> dict[int, Reply | None]:
        """The claimed notices that go now, rendered; the others are skipped or held here
        (held ones are in the answer as None)."""
        facts = await store.notices.facts(rows)
        admitted: dict[int, Reply] = {}
        held: dict[int, Reply | None] = {}
        skipped: dict[int, str] = {}
        for row in rows:
            verdict = self.judge(row, facts, now)
            if verdict.reply is not None:
                admitted[row.id] = verdict.reply
            elif verdict.skip is not None:
                skipped[row.id] = verdict.skip.value
            elif verdict.hold_until is not None:
                held[row.id] = None
                await store.outbox.defer(row.id, verdict.hold_until, HELD)
        await store.outbox.skip(skipped)
        by_id = {row.id: row for row in rows}
        await store.outbox.rewrite(
            {
                row_id: {**_notice(by_id[row_id]), **reply.to_dict()}
                for row_id, reply in admitted.items()
            }
        )
        return {**held, **admitted}

    def judge(self, row: OutboxRow, facts: NoticeFacts, now: datetime) -> Verdict:
        kind = Kind(row.kind or "")
        params: dict[str, Any] = dict(row.body.get("params", {}))
        customer, account = row.customer_id or 0, row.account
        if row.last_error == SENDING:
            return Verdict(skip=Skip.INTERRUPTED)
        if customer in facts.erased:
            return Verdict(skip=Skip.ERASED)
        if row.send_blocked:
            return Verdict(skip=Skip.BLOCKED)
        if (customer, TOPIC[kind].value) in facts.off:
            return Verdict(skip=Skip.UNSUBSCRIBED)
        if account and (customer, account) not in facts.linked:
            return Verdict(skip=Skip.UNLINKED)
        if kind is Kind.DEBT_RESTRICTION:
            # The overdue part told when it was queued: any payment since may have brought it
            # under the threshold, and the warning is then not sent.
            balance, _ = facts.balances.get(account or "", (Decimal(0), None))
            if balance < Decimal(str(params.get("amount", "0"))):
                return Verdict(skip=Skip.PAID)
        elif kind in _DEBT or kind is Kind.RECEIPT_READY:
            balance, due = facts.balances.get(account or "", (Decimal(0), None))
            if balance <= 0 and kind is not Kind.RECEIPT_READY:
                return Verdict(skip=Skip.PAID)
            # The amount as billing knows it now, not as it was when the notice was queued.
            params.pop("amount", None)
            if balance > 0:
                params["amount"] = str(balance)
                if kind is Kind.RECEIPT_READY:
                    # The new bill's own due date (the account's may be an old debt's).
                    bill_due = bill_due_date(str(params["period"]), self.rules.penalties)
                    params["due"] = bill_due.isoformat()
                elif due is not None:
                    params["due"] = due.isoformat()
        if kind in _READING and account not in facts.awaiting.get(str(params.get("period")), ()):
            return Verdict(skip=Skip.READING_RECEIVED)
        if kind in _OUTAGE:
            outage = facts.campaign_outage.get(row.campaign_id or 0)
            if outage is not None and outage in facts.cancelled_outages:
                return Verdict(skip=Skip.OUTAGE_CANCELLED)
            over = facts.outage_over.get(outage or 0)
            if kind is not Kind.OUTAGE_RESTORED and over is not None and now >= over:
                return Verdict(skip=Skip.OUTAGE_OVER)
        if now - row.created_at > self.rules.hold_limit:
            return Verdict(skip=Skip.EXPIRED)
        if kind not in URGENT and (until := self.rules.quiet.release(now, self.rules.zone)):
            return Verdict(hold_until=until)
        language = facts.languages.get(customer, self.rules.default_language)
        reply = render(kind, params, translator(language), self.rules.company, self.rules.zone)
        return Verdict(reply=reply)


def _notice(row: OutboxRow) -> dict[str, Any]:
    """What the row said before rendering is kept beside the text (a retry renders again)."""
    return {"notice": row.body.get("notice"), "params": row.body.get("params", {})}
