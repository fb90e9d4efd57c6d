"""Small flows that answer at once: start, main menu, greetings, thanks, office hours."""

from __future__ import annotations

from core.accounts import normalize_account_number
from dialogs.context import Ctx
from dialogs.flow import Flow, Msg
from dialogs.flows.common import hours_params
from dialogs.nlu import Topic

start_flow = Flow("start")
menu_flow = Flow("menu")
greeting_flow = Flow("greeting", topics=(Topic.GREETING,))
thanks_flow = Flow("thanks", topics=(Topic.THANKS,))
hours_flow = Flow("hours", topics=(Topic.OFFICE_HOURS,))


@start_flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    # A deep link may carry an account number (e.g. from a QR code on the receipt).
    number = normalize_account_number(msg.inbound.payload) if msg.inbound.payload else None
    name = ctx.customer.display_name
    greeting = ctx.t("start.hello_named", name=name) if name else ctx.t("start.hello")
    if number:
        ctx.say(greeting)
        await ctx.start("link", msg)
        return
    await ctx.menu("start.intro", greeting=greeting, company=ctx.config.company.name)


@menu_flow.start
async def menu(ctx: Ctx, msg: Msg) -> None:
    await ctx.menu()


@greeting_flow.start
async def greeting(ctx: Ctx, msg: Msg) -> None:
    await ctx.menu("start.greeting")


@thanks_flow.start
async def thanks(ctx: Ctx, msg: Msg) -> None:
    await ctx.menu("start.thanks")


@hours_flow.start
async def hours(ctx: Ctx, msg: Msg) -> None:
    hours = ctx.config.hours
    if hours.is_open(ctx.now):
        await ctx.menu("start.hours_open", **hours_params(ctx))
        return
    opening = hours.next_opening(ctx.now)
    await ctx.menu(
        "start.hours_closed",
        **hours_params(ctx),
        day=ctx.t.short_date(opening.date()),
        time=ctx.t.time(opening),
    )
