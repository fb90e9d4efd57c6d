"""Notices: what customers chose to be told, outages, campaigns (a rule's run or a broadcast),
the scheduler's job leases, and the notices themselves — outbox rows in lanes above the replies.

Producing a notice never touches the conversation's row (no lock a turn would wait for): the
targets are read in pages by the account link's id and inserted in batches, each row keyed so
that a second production inserts nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, func, or_, select, update

from core.notices import (
    CampaignRecord,
    CampaignStatus,
    LinkedAccount,
    NoticeDraft,
    NoticeFacts,
    OutageRecord,
    Skip,
)
from storage.repos._base import CHUNK, Repo
from storage.repos.messages import PENDING, SKIPPED
from storage.tables import (
    account_links,
    accounts,
    campaigns,
    charges,
    conversations,
    customers,
    jobs,
    meters,
    outages,
    outbox,
    readings,
    senders,
    subscriptions,
)

RUNNING = CampaignStatus.RUNNING.value
CANCELLED = CampaignStatus.CANCELLED.value
# Readings that count as «the meter has its reading for the period».
_COUNTED_READINGS = ("accepted", "flagged")


def _linked_columns() -> list[Any]:
    return [
        account_links.c.id.label("link_id"),
        account_links.c.customer_id,
        conversations.c.id.label("conversation_id"),
        customers.c.channel,
        customers.c.user_id,
        accounts.c.number.label("account"),
        accounts.c.address,
        accounts.c.balance,
        accounts.c.due_date,
        accounts.c.category,
    ]


def _linked_base() -> Any:
    return (
        select(*_linked_columns())
        .select_from(
            account_links.join(customers, customers.c.id == account_links.c.customer_id)
            .join(conversations, conversations.c.customer_id == customers.c.id)
            .join(accounts, accounts.c.number == account_links.c.account_number)
        )
        .where(customers.c.erased_at.is_(None))
    )


def _awaiting_reading(period: Any) -> Any:
    """An account with a non-smart meter that has no counted reading for `period`."""
    return exists().where(
        meters.c.account_number == accounts.c.number,
        meters.c.smart.is_(False),
        ~exists().where(
            readings.c.account_number == meters.c.account_number,
            readings.c.serial == meters.c.serial,
            readings.c.period == period,
            readings.c.status.in_(_COUNTED_READINGS),
        ),
    )


class SubscriptionRepo(Repo):
    async def chosen(self, customer_id: int) -> dict[str, bool]:
        """The topics the customer chose, on or off (others are at their default)."""
        result = await self._conn.execute(
            select(subscriptions.c.topic, subscriptions.c.enabled).where(
                subscriptions.c.customer_id == customer_id
            )
        )
        return {row.topic: bool(row.enabled) for row in result}

    async def choose(
        self, customer_id: int, topics: dict[str, bool], channel: str, now: datetime
    ) -> None:
        """Record the customer's choice per topic, with when and where it was made."""
        for topic, enabled in topics.items():
            upsert = self._insert(subscriptions).values(
                customer_id=customer_id,
                topic=topic,
                enabled=enabled,
                channel=channel,
                changed_at=now,
            )
            await self._conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=["customer_id", "topic"],
                    set_={"enabled": enabled, "channel": channel, "changed_at": now},
                )
            )


class OutageRepo(Repo):
    async def add(
        self,
        key: str,
        values: Mapping[str, object],
        now: datetime,
        created_by: str | None = None,
    ) -> tuple[int, bool]:
        """Store an outage unless one with the same key is there: (its id, whether new)."""
        insert = self._insert(outages).values(
            key=key, created_at=now, created_by=created_by, **values
        )
        result = await self._conn.execute(
            insert.on_conflict_do_nothing(index_elements=["key"]).returning(outages.c.id)
        )
        new_id = result.scalar_one_or_none()
        if new_id is not None:
            return int(new_id), True
        found = await self._conn.execute(select(outages.c.id).where(outages.c.key == key))
        return int(found.scalar_one()), False

    async def get(self, outage_id: int) -> OutageRecord | None:
        result = await self._conn.execute(select(outages).where(outages.c.id == outage_id))
        row = result.mappings().one_or_none()
        return None if row is None else OutageRecord(**row)

    async def current(self, since: datetime, until: datetime) -> list[OutageRecord]:
        """Outages not cancelled that end after `since` and start before `until`."""
        result = await self._conn.execute(
            select(outages)
            .where(
                outages.c.cancelled_at.is_(None),
                outages.c.ends_at > since,
                outages.c.starts_at < until,
            )
            .order_by(outages.c.starts_at, outages.c.id)
        )
        return [OutageRecord(**row) for row in result.mappings()]

    async def recent(self, limit: int) -> list[OutageRecord]:
        result = await self._conn.execute(
            select(outages).order_by(outages.c.starts_at.desc(), outages.c.id.desc()).limit(limit)
        )
        return [OutageRecord(**row) for row in result.mappings()]

    async def cancel(self, outage_id: int, now: datetime) -> bool:
        result = await self._conn.execute(
            update(outages)
            .where(outages.c.id == outage_id, outages.c.cancelled_at.is_(None))
            .values(cancelled_at=now)
        )
        return result.rowcount == 1

    async def restore(self, outage_id: int, now: datetime) -> bool:
        """The supply is back (earlier than planned): the «restored» notices go now."""
        result = await self._conn.execute(
            update(outages)
            .where(
                outages.c.id == outage_id,
                outages.c.cancelled_at.is_(None),
                outages.c.restored_at.is_(None),
            )
            .values(restored_at=now)
        )
        return result.rowcount == 1


class CampaignRepo(Repo):
    async def ensure(
        self,
        key: str,
        kind: str,
        subject: str,
        now: datetime,
        *,
        outage_id: int | None = None,
        created_by: str | None = None,
    ) -> CampaignRecord:
        """The campaign with this key, created running if it is not there yet."""
        insert = self._insert(campaigns).values(
            key=key,
            kind=kind,
            subject=subject,
            status=RUNNING,
            outage_id=outage_id,
            created_at=now,
            created_by=created_by,
            targets=0,
        )
        await self._conn.execute(insert.on_conflict_do_nothing(index_elements=["key"]))
        found = await self.by_key(key)
        assert found is not None
        return found

    async def by_key(self, key: str) -> CampaignRecord | None:
        result = await self._conn.execute(select(campaigns).where(campaigns.c.key == key))
        row = result.mappings().one_or_none()
        return None if row is None else CampaignRecord(**row)

    async def get(self, campaign_id: int) -> CampaignRecord | None:
        result = await self._conn.execute(select(campaigns).where(campaigns.c.id == campaign_id))
        row = result.mappings().one_or_none()
        return None if row is None else CampaignRecord(**row)

    async def recent(self, limit: int) -> list[CampaignRecord]:
        result = await self._conn.execute(
            select(campaigns).order_by(campaigns.c.id.desc()).limit(limit)
        )
        return [CampaignRecord(**row) for row in result.mappings()]

    async def produced(self, campaign_id: int, now: datetime) -> None:
        """Every notice of the campaign is queued: record when and how many."""
        count = (
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.campaign_id == campaign_id)
            .scalar_subquery()
        )
        await self._conn.execute(
            update(campaigns)
            .where(campaigns.c.id == campaign_id)
            .values(produced_at=now, targets=count)
        )

    async def set_status(self, campaign_id: int, status: str) -> bool:
        """Pause, resume or cancel; False when the campaign is missing or already cancelled.
        A cancelled campaign's queued notices are never claimed again; skip_cancelled() marks
        them, a chunk per transaction."""
        result = await self._conn.execute(
            update(campaigns)
            .where(campaigns.c.id == campaign_id, campaigns.c.status != CANCELLED)
            .values(status=status)
        )
        return result.rowcount == 1

    async def skip_cancelled(self, campaign_id: int, reason: str, limit: int = 1000) -> int:
        """Mark up to `limit` still-queued notices of a cancelled campaign skipped: how many
        (0: none left). In chunks, so SQLite's one writer is never held for long."""
        chunk = (
            select(outbox.c.id)
            .where(outbox.c.campaign_id == campaign_id, outbox.c.status == PENDING)
            .limit(limit)
            .scalar_subquery()
        )
        result = await self._conn.execute(
            update(outbox)
            .where(
                outbox.c.id.in_(chunk),
                exists().where(campaigns.c.id == campaign_id, campaigns.c.status == CANCELLED),
            )
            .values(status=SKIPPED, last_error=reason, next_attempt_at=None, leased_by=None)
        )
        return int(result.rowcount)

    async def claim_post(self, campaign_id: int, now: datetime) -> bool:
        """Take the campaign's public post for this process (nobody posted or is posting it)."""
        result = await self._conn.execute(
            update(campaigns)
            .where(campaigns.c.id == campaign_id, campaigns.c.posted_at.is_(None))
            .values(posted_at=now, post_error=None)
        )
        return result.rowcount == 1

    async def posted(self, campaign_id: int, at: datetime | None, error: str | None) -> None:
        """The post's outcome; `at` None: it failed and may be taken again."""
        await self._conn.execute(
            update(campaigns)
            .where(campaigns.c.id == campaign_id)
            .values(posted_at=at, post_error=error)
        )

    async def progress(self, campaign_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """Per campaign, its notices by state: queued (waiting, held), sent, delivered, read,
        failed, and «skipped:<reason>» per reason."""
        counts: dict[int, dict[str, int]] = {cid: {} for cid in campaign_ids}
        if not campaign_ids:
            return counts
        result = await self._conn.execute(
            select(
                outbox.c.campaign_id,
                outbox.c.status,
                outbox.c.delivery,
                outbox.c.last_error,
                func.count(),
            )
            .where(outbox.c.campaign_id.in_(list(campaign_ids)))
            .group_by(outbox.c.campaign_id, outbox.c.status, outbox.c.delivery, outbox.c.last_error)
        )
        for campaign_id, status, delivery, error, count in result:
            if status == PENDING:
                state = "queued"
            elif status == SKIPPED:
                state = f"skipped:{error}"
            elif status == "failed":
                state = "failed"
            elif delivery in ("delivered", "read"):
                state = delivery
            elif delivery == "failed":
                state = "failed"
            else:
                state = "sent"
            bucket = counts[campaign_id]
            bucket[state] = bucket.get(state, 0) + int(count)
        return counts


class JobRepo(Repo):
    async def take(
        self, key: str, by: str, now: datetime, lease_until: datetime, alive_since: datetime
    ) -> bool:
        """Lease the job `key` for `by` (wall-clock times) unless it is done or another holds
        it: a lease still running, by a process that still beats (the `senders` table; one
        killed mid-job is found gone after a few heartbeats, not only when its lease ends)."""
        insert = self._insert(jobs).values(
            key=key, leased_by=by, lease_until=lease_until, started_at=now
        )
        result = await self._conn.execute(insert.on_conflict_do_nothing(index_elements=["key"]))
        if result.rowcount == 1:
            return True
        alive = select(senders.c.id).where(senders.c.seen_at >= alive_since)
        result = await self._conn.execute(
            update(jobs)
            .where(
                jobs.c.key == key,
                jobs.c.done_at.is_(None),
                or_(
                    jobs.c.lease_until < now,
                    jobs.c.leased_by.is_(None),
                    jobs.c.leased_by.not_in(alive.scalar_subquery()),
                    jobs.c.leased_by == by,
                ),
            )
            .values(leased_by=by, lease_until=lease_until)
        )
        return result.rowcount == 1

    async def finish(self, key: str, now: datetime) -> None:
        await self._conn.execute(
            update(jobs).where(jobs.c.key == key).values(done_at=now, leased_by=None)
        )

    async def done(self, key: str) -> bool:
        result = await self._conn.execute(select(jobs.c.done_at).where(jobs.c.key == key))
        return result.scalar_one_or_none() is not None


class NoticeRepo(Repo):
    async def queue(
        self,
        campaign_id: int,
        kind: str,
        lane: int,
        drafts: Sequence[NoticeDraft],
        now: datetime,
    ) -> int:
        """Insert the notices whose key is new, in one statement per chunk: how many. Into a
        cancelled campaign (a supervisor stopped it while it was produced) they go skipped."""
        found = await self._conn.execute(
            select(campaigns.c.status).where(campaigns.c.id == campaign_id)
        )
        cancelled = found.scalar_one_or_none() == CANCELLED
        status, error = (SKIPPED, Skip.CANCELLED.value) if cancelled else (PENDING, None)
        inserted = 0
        for start in range(0, len(drafts), CHUNK):
            rows = [
                {
                    "conversation_id": d.conversation_id,
                    "channel": d.channel,
                    "user_id": d.user_id,
                    "body": {"notice": kind, "params": d.params},
                    "status": status,
                    "last_error": error,
                    "attempts": 0,
                    "created_at": now,
                    "lane": lane,
                    "campaign_id": campaign_id,
                    "notice_key": d.key,
                    "kind": kind,
                    "account": d.account,
                }
                for d in drafts[start : start + CHUNK]
            ]
            statement = (
                self._insert(outbox)
                .on_conflict_do_nothing(index_elements=["notice_key"])
                .returning(outbox.c.id)
            )
            result = await self._conn.execute(statement, rows)
            inserted += len(result.all())
        return inserted

    async def linked(self, after: int, limit: int) -> list[LinkedAccount]:
        """Every linked account with its customer, a page in link order after `after`."""
        return await self._page(_linked_base(), after, limit)

    async def awaiting_reading(self, period: str, after: int, limit: int) -> list[LinkedAccount]:
        """Linked accounts with a meter that is not smart and has no reading for `period`."""
        return await self._page(_linked_base().where(_awaiting_reading(period)), after, limit)

    async def in_debt(
        self, due_from: date | None, due_to: date | None, after: int, limit: int
    ) -> list[LinkedAccount]:
        """Linked accounts owing money, due between the dates (inclusive; None: open)."""
        query = _linked_base().where(accounts.c.balance > 0, accounts.c.due_date.is_not(None))
        if due_from is not None:
            query = query.where(accounts.c.due_date >= due_from)
        if due_to is not None:
            query = query.where(accounts.c.due_date <= due_to)
        return await self._page(query, after, limit)

    async def billed(self, period: str, after: int, limit: int) -> list[LinkedAccount]:
        """Linked accounts billing has charged for `period` (their receipt is out)."""
        query = _linked_base().where(
            exists().where(
                charges.c.account_number == accounts.c.number, charges.c.period == period
            )
        )
        return await self._page(query, after, limit)

    async def recipients(self, campaign_id: int, after: int, limit: int) -> list[LinkedAccount]:
        """Whom a campaign's notices reached (sent), a page in row order after `after`; the
        page's `link_id` is the outbox row's id."""
        query = (
            select(
                outbox.c.id.label("link_id"),
                conversations.c.customer_id,
                outbox.c.conversation_id,
                outbox.c.channel,
                outbox.c.user_id,
                accounts.c.number.label("account"),
                accounts.c.address,
                accounts.c.balance,
                accounts.c.due_date,
                accounts.c.category,
            )
            .join(conversations, conversations.c.id == outbox.c.conversation_id)
            .join(accounts, accounts.c.number == outbox.c.account)
            .where(
                outbox.c.campaign_id == campaign_id,
                outbox.c.status == "sent",
                outbox.c.id > after,
            )
            .order_by(outbox.c.id)
            .limit(limit)
        )
        result = await self._conn.execute(query)
        return [LinkedAccount(**row) for row in result.mappings()]

    async def for_customer(self, customer_id: int) -> list[LinkedAccount]:
        return await self._page(
            _linked_base().where(account_links.c.customer_id == customer_id), 0, 100
        )

    async def _page(self, query: Any, after: int, limit: int) -> list[LinkedAccount]:
        query = query.where(account_links.c.id > after).order_by(account_links.c.id).limit(limit)
        result = await self._conn.execute(query)
        return [LinkedAccount(**row) for row in result.mappings()]

    async def facts(self, rows: Iterable[Any]) -> NoticeFacts:
        """What the gate needs about a batch of claimed notices, in a few queries."""
        rows = list(rows)
        customer_ids = sorted({r.customer_id for r in rows if r.customer_id is not None})
        numbers = sorted({r.account for r in rows if r.account})
        campaign_ids = sorted({r.campaign_id for r in rows if r.campaign_id is not None})
        facts = NoticeFacts(set(), set(), set(), {}, {}, set(), {}, {}, {})
        if customer_ids:
            result = await self._conn.execute(
                select(subscriptions.c.customer_id, subscriptions.c.topic).where(
                    subscriptions.c.customer_id.in_(customer_ids),
                    subscriptions.c.enabled.is_(False),
                )
            )
            facts.off.update((r.customer_id, r.topic) for r in result)
            result = await self._conn.execute(
                select(customers.c.id, customers.c.language, customers.c.erased_at).where(
                    customers.c.id.in_(customer_ids)
                )
            )
            for r in result:
                facts.languages[r.id] = r.language
                if r.erased_at is not None:
                    facts.erased.add(r.id)
        if customer_ids and numbers:
            result = await self._conn.execute(
                select(account_links.c.customer_id, account_links.c.account_number).where(
                    account_links.c.customer_id.in_(customer_ids),
                    account_links.c.account_number.in_(numbers),
                )
            )
            facts.linked.update((r.customer_id, r.account_number) for r in result)
        if numbers:
            result = await self._conn.execute(
                select(accounts.c.number, accounts.c.balance, accounts.c.due_date).where(
                    accounts.c.number.in_(numbers)
                )
            )
            facts.balances.update({r.number: (r.balance, r.due_date) for r in result})
        periods = {
            str(r.body.get("params", {}).get("period"))
            for r in rows
            if str(r.kind or "").startswith("reading_") and r.account
        }
        for period in periods:
            result = await self._conn.execute(
                select(accounts.c.number).where(
                    accounts.c.number.in_(numbers), _awaiting_reading(period)
                )
            )
            facts.awaiting[period] = {r.number for r in result}
        if campaign_ids:
            result = await self._conn.execute(
                select(
                    campaigns.c.id,
                    campaigns.c.outage_id,
                    outages.c.cancelled_at,
                    outages.c.restored_at,
                    outages.c.ends_at,
                )
                .join(outages, outages.c.id == campaigns.c.outage_id)
                .where(campaigns.c.id.in_(campaign_ids))
            )
            for r in result:
                facts.campaign_outage[r.id] = r.outage_id
                facts.outage_over[r.outage_id] = r.restored_at or r.ends_at
                if r.cancelled_at is not None:
                    facts.cancelled_outages.add(r.outage_id)
        return facts
