"""The console as an aiohttp sub-application at /console: its routes, guard and static files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from aiohttp import web

from console import (
    auth,
    campaigns,
    canned,
    conversation,
    events,
    outages,
    papers,
    queue,
    readings,
    supervisor,
    visits,
)
from console.context import CONSOLE, PREFIX, Console, Options, ServicesLike

STATIC = Path(__file__).resolve().parent / "static"


async def home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther(f"{PREFIX}/queue")


def build_console(services: ServicesLike, clock: Callable[[], datetime] | None = None) -> Console:
    options = Options.from_settings(services.settings)
    console = Console(options, services.database.unit_of_work, services.sender.wake)
    if (check := getattr(services, "reply_check", None)) is not None:
        console.reply_check = check
    if clock is not None:
        console.clock = clock
    console.receipts = getattr(services, "pipeline", None)
    return console


def mount_console(
    app: web.Application, services: ServicesLike, clock: Callable[[], datetime] | None = None
) -> Console | None:
    """Serve the console under /console (unless console.enabled is false)."""
    if not getattr(services.settings.console, "enabled", True):
        return None
    console = build_console(services, clock)
    sub = web.Application(middlewares=[auth.guard])
    sub[CONSOLE] = console
    app[CONSOLE] = console  # for tests and the lifecycle hooks below
    routes = sub.router
    routes.add_get("", home)
    routes.add_get("/", home)
    routes.add_get("/login", auth.login_page)
    routes.add_post("/login", auth.login)
    routes.add_post("/logout", auth.logout)
    routes.add_get("/queue", queue.queue_page)
    routes.add_post("/escalations/{escalation_id:\\d+}/claim", queue.claim)
    routes.add_get("/conversations/{conversation_id:\\d+}", conversation.conversation_page)
    routes.add_post("/conversations/{conversation_id:\\d+}/reply", conversation.reply)
    routes.add_post("/conversations/{conversation_id:\\d+}/note", conversation.note)
    routes.add_post("/conversations/{conversation_id:\\d+}/close", conversation.close)
    routes.add_get(
        "/conversations/{conversation_id:\\d+}/receipts/{account}/{period}.pdf", papers.receipt
    )
    routes.add_get("/events", events.events)
    routes.add_get("/visits", visits.visits_list)
    routes.add_post("/visits/{visit_id:\\d+}/schedule", visits.schedule)
    routes.add_post("/visits/{visit_id:\\d+}/done", visits.done)
    routes.add_post("/visits/{visit_id:\\d+}/cancel", visits.cancel)
    routes.add_get("/readings", readings.readings_list)
    routes.add_post("/readings/{reading_id:\\d+}/accept", readings.accept)
    routes.add_post("/readings/{reading_id:\\d+}/reject", readings.reject)
    routes.add_get("/canned", canned.canned_list)
    routes.add_post("/canned", canned.save)
    routes.add_post("/canned/{canned_id:\\d+}/delete", canned.delete)
    routes.add_get("/supervisor", supervisor.supervisor)
    routes.add_post("/operators/{login}/enable", supervisor.enable)
    routes.add_post("/operators/{login}/disable", supervisor.disable)
    routes.add_post("/operators/{login}/password", supervisor.reset_password)
    routes.add_post("/operators/{login}/unlock", supervisor.unlock)
    routes.add_get("/campaigns", campaigns.campaigns_list)
    routes.add_post("/campaigns/{campaign_id:\\d+}/pause", campaigns.pause)
    routes.add_post("/campaigns/{campaign_id:\\d+}/resume", campaigns.resume)
    routes.add_get("/campaigns/{campaign_id:\\d+}/cancel", campaigns.cancel_page)
    routes.add_post("/campaigns/{campaign_id:\\d+}/cancel", campaigns.cancel)
    routes.add_get("/outages", outages.outages_list)
    routes.add_post("/outages", outages.create)
    routes.add_post("/outages/preview", outages.preview)
    routes.add_post("/outages/{outage_id:\\d+}/cancel", outages.cancel)
    routes.add_post("/outages/{outage_id:\\d+}/restore", outages.restore)
    routes.add_static("/static", STATIC)

    async def stop_streams(_: web.Application) -> None:
        console.stopping.set()

    app.on_shutdown.append(stop_streams)
    app.add_subapp(PREFIX, sub)
    return console
