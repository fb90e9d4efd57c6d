"""Supervisors (and admins): customer notice campaigns — a rule's run («Напоминание о показаниях —
2026-12») or an outage's notice — with their progress; pause, resume, cancel (asked twice)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from console.auth import require
from console.context import Console, actor, console_of, redirect, session_of
from console.roles import Role
from core.notices import CampaignRecord, CampaignStatus, OutageRecord
from core.ports import Store
from outbox.notices.campaigns import skip_cancelled

RECENT = 50
# Notices of a campaign by their latest state, as store.campaigns.progress counts them.
STATES = ("queued", "sent", "delivered", "read", "failed")
SKIPPED = "skipped:"
# Flash notices of this page: catalog keys under campaigns.flash (never text in the URL).
FLASH = frozenset({"paused", "resumed", "cancelled"})


async def campaigns_page(
    request: web.Request,
    status: int = 200,
    error: str | None = None,
    confirm: int | None = None,
) -> web.Response:
    """The list; with `confirm`, that campaign's cancellation is asked about first."""
    require(request, Role.SUPERVISOR)
    console = console_of(request)
    async with console.unit_of_work() as store:
        found = await store.campaigns.recent(RECENT)
        asked = [c for c in found if c.id == confirm]
        if confirm is not None and not asked:  # an older one than the list shows
            older = await store.campaigns.get(confirm)
            asked = [older] if older is not None else []
        ids = sorted({c.id for c in [*found, *asked]})
        progress = await store.campaigns.progress(ids)
        outages = await _outages(store, [*found, *asked])

    def row(campaign: CampaignRecord) -> dict[str, Any]:
        counts = progress.get(campaign.id, {})
        return _row(console, campaign, counts, outages.get(campaign.outage_id))

    notice_key = request.query.get("notice")
    notice = console.text(f"campaigns.flash.{notice_key}") if notice_key in FLASH else None
    return console.page(
        request,
        "campaigns.html",
        status,
        nav="campaigns",
        error=error,
        notice=notice,
        campaigns=[row(c) for c in found],
        confirm=row(asked[0]) if asked else None,
    )


async def campaigns_list(request: web.Request) -> web.StreamResponse:
    return await campaigns_page(request)


async def _outages(store: Store, found: list[CampaignRecord]) -> dict[int | None, OutageRecord]:
    outages: dict[int | None, OutageRecord] = {}
    for outage_id in sorted({c.outage_id for c in found if c.outage_id is not None}):
        outage = await store.outages.get(outage_id)
        if outage is not None:
            outages[outage_id] = outage
    return outages


def title(console: Console, campaign: CampaignRecord, outage: OutageRecord | None) -> str:
    """«Напоминание о показаниях — 2026-12»; an outage's notice names its place."""
    kind = console.formats.label("notice_kinds", campaign.kind)
    if outage is not None:
        place = ", ".join(
            part for part in (outage.settlement, outage.street, outage.houses) if part
        )
        return f"{kind} — {place}"
    return f"{kind} — {campaign.subject}" if campaign.subject else kind


def _row(
    console: Console,
    campaign: CampaignRecord,
    counts: dict[str, int],
    outage: OutageRecord | None,
) -> dict[str, Any]:
    f = console.formats
    now = console.now()
    reasons = {
        state.removeprefix(SKIPPED): count
        for state, count in counts.items()
        if state.startswith(SKIPPED)
    }
    skipped = [
        {"reason": reason, "label": f.label("skip_reasons", reason), "count": count}
        for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    ]
    counted = sum(counts.values())
    status = campaign.status
    return {
        "id": campaign.id,
        "title": title(console, campaign, outage),
        "kind": campaign.kind,
        "status": status,
        "status_label": f.label("campaign_status", status),
        "created": f.when(campaign.created_at, now),
        "created_by": campaign.created_by or "",
        "produced": f.when(campaign.produced_at, now) if campaign.produced_at else "",
        # Until every notice is queued, the targets are the notices queued so far.
        "targets": campaign.targets if campaign.produced_at else counted,
        "counts": {state: counts.get(state, 0) for state in STATES},
        "skipped": skipped,  # the most frequent reason first
        "skipped_total": sum(reasons.values()),
        "can_pause": status == CampaignStatus.RUNNING,
        "can_resume": status == CampaignStatus.PAUSED,
        "can_cancel": status != CampaignStatus.CANCELLED,
    }


def _campaign_id(request: web.Request) -> int:
    return int(request.match_info["campaign_id"])


async def pause(request: web.Request) -> web.StreamResponse:
    """Its queued notices wait (the sender leaves them); held too long, they are dropped."""
    return await _change(request, CampaignStatus.RUNNING, CampaignStatus.PAUSED, "pause")


async def resume(request: web.Request) -> web.StreamResponse:
    return await _change(request, CampaignStatus.PAUSED, CampaignStatus.RUNNING, "resume")


async def _change(
    request: web.Request, current: CampaignStatus, wanted: CampaignStatus, action: str
) -> web.StreamResponse:
    require(request, Role.SUPERVISOR)
    console = console_of(request)
    session = session_of(request)
    campaign_id = _campaign_id(request)
    now = console.now()
    async with console.unit_of_work() as store:
        campaign = await store.campaigns.get(campaign_id)
        changed = (
            campaign is not None
            and campaign.status == current
            and await store.campaigns.set_status(campaign_id, wanted.value)
        )
        if campaign is not None and changed:
            await store.audit.record(
                actor(session), f"console.campaign_{action}", now, _details(campaign)
            )
            await store.commit()
    if campaign is None:
        return console.error_page(request, 404, "errors.not_found")
    if not changed:
        return await campaigns_page(request, 409, _status_error(console, campaign.status))
    if wanted is CampaignStatus.RUNNING:
        console.wake()  # its queued notices may go now
    raise redirect("/campaigns", "resumed" if action == "resume" else "paused")


async def cancel_page(request: web.Request) -> web.StreamResponse:
    """Are you sure? (GET; the list's «Отменить» leads here.)"""
    require(request, Role.SUPERVISOR)
    console = console_of(request)
    campaign_id = _campaign_id(request)
    async with console.unit_of_work() as store:
        campaign = await store.campaigns.get(campaign_id)
    if campaign is None:
        return console.error_page(request, 404, "errors.not_found")
    if campaign.status == CampaignStatus.CANCELLED:
        return await campaigns_page(request, 409, _status_error(console, campaign.status))
    return await campaigns_page(request, confirm=campaign_id)


async def cancel(request: web.Request) -> web.StreamResponse:
    """Cancel for good: its notices still queued are skipped («cancelled»). Without the
    confirmation field the question is asked (nothing changes)."""
    require(request, Role.SUPERVISOR)
    console = console_of(request)
    session = session_of(request)
    campaign_id = _campaign_id(request)
    form = await request.post()
    if form.get("confirm") != "yes":
        return await cancel_page(request)
    now = console.now()
    async with console.unit_of_work() as store:
        campaign = await store.campaigns.get(campaign_id)
        changed = campaign is not None and await store.campaigns.set_status(
            campaign_id, CampaignStatus.CANCELLED.value
        )
        if campaign is not None and changed:
            await store.audit.record(
                actor(session), "console.campaign_cancel", now, _details(campaign)
            )
            await store.commit()
    if campaign is None:
        return console.error_page(request, 404, "errors.not_found")
    if not changed:  # cancelled meanwhile: set_status refuses only that
        return await campaigns_page(
            request, 409, _status_error(console, CampaignStatus.CANCELLED.value)
        )
    await skip_cancelled(console.unit_of_work, campaign_id)
    raise redirect("/campaigns", "cancelled")


def _status_error(console: Console, status: str) -> str:
    return console.text(
        "campaigns.errors.status", status=console.formats.label("campaign_status", status)
    )


def _details(campaign: CampaignRecord) -> dict[str, Any]:
    return {
        "campaign_id": campaign.id,
        "kind": campaign.kind,
        "subject": campaign.subject,
        "was": campaign.status,
    }
