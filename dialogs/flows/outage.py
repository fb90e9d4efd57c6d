"""Outages and voltage problems belong to the grid company: say whom to call, open nothing."""

from __future__ import annotations

from dialogs.context import Ctx
from dialogs.flow import Flow, Msg

flow = Flow("outage")


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    company = ctx.config.company
    ctx.end()
    ctx.say(
        ctx.t(
            "outage.text",
            supplier=company.name,
            grid=company.grid_company,
            hotline=company.grid_hotline,
            website=company.grid_website,
        ),
        [ctx.operator_option(), ctx.menu_option()],
    )
