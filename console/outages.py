"""Supervisors (and admins): supply interruptions. The list; a new one typed in with a preview of
whom it reaches before anyone is told; cancel one, or say the supply is back («Свет дали»).

The preview runs every linked account's address through core.outages (the notice scheduler does
the same when it produces the outage's notices), so the numbers are the ones that will be sent.
Creating needs the preview of exactly the values sent: a form changed after its preview is
previewed again instead of stored.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from aiohttp import web

from console.auth import keyed_hash, require
from console.context import Console, UnitOfWork, actor, console_of, redirect, session_of
from console.roles import Role
from core.jsontypes import JSONObject
from core.masking import mask_account, mask_address
from core.notices import OutageRecord
from core.outages import (
    HouseSpec,
    HouseSpecError,
    Outage,
    OutageIndex,
    OutageKind,
    settlement_key,
)
from outbox.notices.keys import outage_key

RECENT = 100
PAGE = 500  # linked accounts read per transaction for the preview
SHOWN = 20  # addresses the preview lists
MAX_PLACE = 200  # settlement, street (the table's columns)
MAX_HOUSES = 400
MAX_REASON = 1000
# Flash notices of this page: catalog keys under outages.flash (never text in the URL).
FLASH = frozenset({"created", "exists", "cancelled", "restored"})


class State(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    RESTORED = "restored"
    CANCELLED = "cancelled"


# Which states an outage may be cancelled or restored in: the supply comes back only once it
# was cut off; an outage over or cancelled is left as it is.
ALLOWED = {
    "cancel": frozenset({State.PLANNED, State.ACTIVE}),
    "restore": frozenset({State.ACTIVE}),
}


@dataclass
class Draft:
    """The form as typed, and what was read from it."""

    settlement: str = ""
    street: str = ""
    houses: str = ""
    starts: str = ""  # datetime-local: «2026-12-10T09:00», the company's time
    ends: str = ""
    kind: str = OutageKind.PLANNED.value
    reason: str = ""
    errors: list[str] = field(default_factory=list)
    outage: Outage | None = None

    def values(self) -> dict[str, Any]:
        """What store.outages.add stores (aware UTC times)."""
        assert self.outage is not None
        return {
            "settlement": self.settlement,
            "street": self.street,
            "houses": self.houses,
            "starts_at": self.outage.starts_at,
            "ends_at": self.outage.ends_at,
            "kind": self.outage.kind.value,
            "reason": self.reason,
        }


@dataclass
class Reach:
    customers: int = 0
    accounts: int = 0
    addresses: list[dict[str, str]] = field(default_factory=list)


def _field(form: Any, name: str) -> str:
    return str(form.get(name, "")).strip()


def _local(console: Console, text: str) -> datetime | None:
    """A datetime-local value as an aware UTC datetime (the company's zone when it has none)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=console.formats.zone)
    return value.astimezone(UTC)


def read_form(console: Console, form: Any) -> Draft:
    t = console.text
    draft = Draft(
        settlement=_field(form, "settlement"),
        street=_field(form, "street"),
        houses=_field(form, "houses"),
        starts=_field(form, "starts_at"),
        ends=_field(form, "ends_at"),
        kind=_field(form, "kind"),
        reason=_field(form, "reason"),
    )
    errors = draft.errors
    if not settlement_key(draft.settlement):  # nothing, or a type word alone («г.»)
        errors.append(t("outages.errors.settlement"))
    elif len(draft.settlement) > MAX_PLACE:
        errors.append(t("outages.errors.too_long", what=t("outages.settlement"), limit=MAX_PLACE))
    if not draft.street:
        errors.append(t("outages.errors.street"))
    elif len(draft.street) > MAX_PLACE:
        errors.append(t("outages.errors.too_long", what=t("outages.street"), limit=MAX_PLACE))
    if len(draft.houses) > MAX_HOUSES:
        errors.append(t("outages.errors.too_long", what=t("outages.houses"), limit=MAX_HOUSES))
    else:
        try:
            HouseSpec.parse(draft.houses)
        except HouseSpecError as problem:  # the part at fault, as typed
            errors.append(t("outages.errors.houses", part=problem.part or draft.houses))
    starts = _local(console, draft.starts) if draft.starts else None
    ends = _local(console, draft.ends) if draft.ends else None
    if starts is None:
        errors.append(t("outages.errors.starts"))
    if ends is None:
        errors.append(t("outages.errors.ends"))
    if starts is not None and ends is not None:
        if ends <= starts:
            errors.append(t("outages.errors.order"))
        elif ends <= console.now():
            errors.append(t("outages.errors.over"))
    if draft.kind not in {kind.value for kind in OutageKind}:
        errors.append(t("outages.errors.kind"))
    if len(draft.reason) > MAX_REASON:
        errors.append(t("outages.errors.too_long", what=t("outages.reason"), limit=MAX_REASON))
    if errors or starts is None or ends is None:
        return draft
    try:
        draft.outage = Outage(
            settlement=draft.settlement,
            street=draft.street,
            houses=draft.houses,
            starts_at=starts,
            ends_at=ends,
            kind=OutageKind(draft.kind),
            reason=draft.reason,
        )
    except ValueError as problem:  # what the checks above did not foresee («г.» alone...)
        errors.append(t("outages.errors.invalid", problem=str(problem)))
    return draft


def preview_token(console: Console, draft: Draft) -> str:
    """Binds «Создать и оповестить» to the values previewed."""
    values = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in draft.values().items()}
    return keyed_hash(console.key, "outage-preview:" + json.dumps(values, sort_keys=True))


async def reach(unit_of_work: UnitOfWork, outage: Outage) -> Reach:
    """Whom the outage reaches: every linked account whose address it covers, read a page per
    transaction with a pause between (on SQLite a page holds the one connection, and a long
    pass must not keep the turns waiting)."""
    index = OutageIndex([outage])
    customers: set[int] = set()
    accounts: set[str] = set()
    found = Reach()
    after = 0
    while True:
        async with unit_of_work() as store:
            page = await store.notices.linked(after, PAGE)
        await asyncio.sleep(0)  # the turns waiting for the connection go first
        for linked in page:
            if not index.matching(linked.address):
                continue
            customers.add(linked.customer_id)
            if linked.account not in accounts:
                accounts.add(linked.account)
                if len(found.addresses) < SHOWN:
                    found.addresses.append(
                        {
                            "account": mask_account(linked.account),
                            "address": mask_address(linked.address),
                        }
                    )
        if len(page) < PAGE:
            break
        after = page[-1].link_id
    found.customers, found.accounts = len(customers), len(accounts)
    return found


def state_of(outage: OutageRecord, now: datetime) -> State:
    if outage.cancelled_at is not None:
        return State.CANCELLED
    if outage.restored_at is not None or outage.ends_at <= now:
        return State.RESTORED
    if outage.starts_at <= now:
        return State.ACTIVE
    return State.PLANNED


def span(console: Console, starts_at: datetime, ends_at: datetime) -> str:
    """«10 декабря, 09:00 — 17:00», or with both days when it runs past midnight (local)."""
    f = console.formats
    start, end = f.local(starts_at), f.local(ends_at)
    first = f"{f.t.day_month(start.date())}, {f.t.time(start)}"
    if end.date() == start.date():
        return f"{first} — {f.t.time(end)}"
    return f"{first} — {f.t.day_month(end.date())}, {f.t.time(end)}"


def _row(console: Console, outage: OutageRecord) -> dict[str, Any]:
    f = console.formats
    now = console.now()
    state = state_of(outage, now)
    return {
        "id": outage.id,
        "settlement": outage.settlement,
        "street": outage.street,
        "houses": outage.houses,
        "span": span(console, outage.starts_at, outage.ends_at),
        "kind": outage.kind,
        "kind_label": f.label("outage_kinds", outage.kind),
        "reason": outage.reason,
        "state": state,
        "state_label": f.label("outage_states", state),
        "created": f.when(outage.created_at, now),
        "created_by": outage.created_by or "",
        "restored": f.when(outage.restored_at, now),
        "cancelled": f.when(outage.cancelled_at, now),
        "can_cancel": state in ALLOWED["cancel"],
        "can_restore": state in ALLOWED["restore"],
    }


async def outages_page(
    request: web.Request,
    status: int = 200,
    error: str | None = None,
    draft: Draft | None = None,
    preview: Reach | None = None,
    notice: str | None = None,
) -> web.Response:
    require(request, Role.SUPERVISOR)
    console = console_of(request)
    async with console.unit_of_work() as store:
        recent = await store.outages.recent(RECENT)
    if notice is None and (key := request.query.get("notice")) in FLASH:
        notice = console.text(f"outages.flash.{key}")
    form = draft or Draft()
    return console.page(
        request,
        "outages.html",
        status,
        nav="outages",
        error=error,
        notice=notice,
        outages=[_row(console, outage) for outage in recent],
        form=form,
        kinds=[
            (kind.value, console.formats.label("outage_kinds", kind.value)) for kind in OutageKind
        ],
        preview=preview,
        token=preview_token(console, form) if preview is not None else "",
        shown=SHOWN,
        zone=console.options.timezone,
    )


async def outages_list(request: web.Request) -> web.StreamResponse:
    return await outages_page(request)


async def preview(request: web.Request) -> web.StreamResponse:
    """«Предпросмотр»: whom it would reach; nothing is stored."""
    require(request, Role.SUPERVISOR)
    console = console_of(request)
    draft = read_form(console, await request.post())
    if draft.outage is None:
        return await outages_page(request, 400, " ".join(draft.errors), draft)
    found = await reach(console.unit_of_work, draft.outage)
    return await outages_page(request, draft=draft, preview=found)


async def create(request: web.Request) -> web.StreamResponse:
    """«Создать и оповестить»: store it (the notice scheduler tells the customers)."""
    require(request, Role.SUPERVISOR)
    console = console_of(request)
    session = session_of(request)
    form = await request.post()
    draft = read_form(console, form)
    if draft.outage is None:
        return await outages_page(request, 400, " ".join(draft.errors), draft)
    outage = draft.outage
    if str(form.get("preview", "")) != preview_token(console, draft):
        # Not previewed, or changed since: show whom these values reach, store nothing.
        found = await reach(console.unit_of_work, outage)
        notice = console.text("outages.preview_first")
        return await outages_page(request, 200, None, draft, found, notice)
    now = console.now()
    login = session.operator.login
    key = outage_key(
        draft.settlement, draft.street, draft.houses, outage.starts_at, outage.kind.value
    )
    async with console.unit_of_work() as store:
        outage_id, new = await store.outages.add(key, draft.values(), now, created_by=login)
        if new:
            details: JSONObject = {
                "outage_id": outage_id,
                "settlement": draft.settlement,
                "street": draft.street,
                "houses": draft.houses,
                "starts_at": outage.starts_at.isoformat(),
                "ends_at": outage.ends_at.isoformat(),
                "kind": outage.kind.value,
            }
            await store.audit.record(actor(session), "console.outage_create", now, details)
        await store.commit()
    if not new:
        raise redirect("/outages", "exists")
    console.wake_notices()
    raise redirect("/outages", "created")


async def cancel(request: web.Request) -> web.StreamResponse:
    return await _change(request, "cancel")


async def restore(request: web.Request) -> web.StreamResponse:
    return await _change(request, "restore")


async def _change(request: web.Request, action: str) -> web.StreamResponse:
    require(request, Role.SUPERVISOR)
    console = console_of(request)
    session = session_of(request)
    outage_id = int(request.match_info["outage_id"])
    now = console.now()
    async with console.unit_of_work() as store:
        outage = await store.outages.get(outage_id)
        state: str = state_of(outage, now) if outage is not None else ""
        changed = False
        if outage is not None and state in ALLOWED[action]:
            if action == "cancel":
                changed = await store.outages.cancel(outage_id, now)
            else:
                changed = await store.outages.restore(outage_id, now)
        if outage is not None and changed:
            details: JSONObject = {
                "outage_id": outage_id,
                "settlement": outage.settlement,
                "street": outage.street,
                "houses": outage.houses,
            }
            await store.audit.record(actor(session), f"console.outage_{action}", now, details)
            await store.commit()
    if outage is None:
        return console.error_page(request, 404, "errors.not_found")
    if not changed:
        label = console.formats.label("outage_states", state)
        error = console.text(f"outages.errors.{action}", state=label)
        return await outages_page(request, 409, error)
    console.wake_notices()
    raise redirect("/outages", "cancelled" if action == "cancel" else "restored")
