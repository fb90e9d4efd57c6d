"""Outages and voltage problems belong to the grid company: say whom to call, open nothing."""

from __future__ import annotations

from dialogs.context import Ctx
from dialogs.flow import Flow, MenuEntry, Msg
from dialogs.nlu import Intent, OutageSubject, fire_risk, outage_subject

flow = Flow("outage", intents=(Intent.OUTAGE_REPORT,), menu=MenuEntry("menu.outage", 70))


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    company = ctx.config.company
    t = ctx.t
    subject = outage_subject(msg.text) if msg.action is None and msg.text else None
    intro = t(
        "outage.intro_voltage" if subject is OutageSubject.VOLTAGE else "outage.intro",
        supplier=company.name,
        grid=company.grid_company,
        hotline=company.grid_hotline,
        website=company.grid_website,
    )
    wire = t("outage.wire", hotline=company.grid_hotline)
    voltage = t("outage.voltage", visit_type=t("visits.type.power_quality"))
    # What the customer wrote about comes first: a broken wire is a danger before anything else.
    if subject is OutageSubject.FIRE:
        # Nothing about outages or debts: the meter or the wiring is to be looked at.
        ctx.end()
        visit = ctx.option("outage.book_visit", "go:visits")
        ctx.say(fire_advice(ctx), [visit, ctx.operator_option(), ctx.menu_option()])
        return
    if subject is OutageSubject.WIRE:
        parts = [wire, intro, voltage, t("outage.check")]
    elif subject is OutageSubject.VOLTAGE:
        parts = [intro, voltage, wire]
    else:
        parts = [intro, voltage, t("outage.check"), wire]
    if msg.action is None and msg.text and fire_risk(msg.text):
        parts.insert(0, fire_advice(ctx))  # «скачет напряжение, пахло горелым»: safety first
    # Supply cut for a debt is the supplier's own business, not the grid's.
    parts.append(t("outage.for_debt"))
    options = [ctx.operator_option(), ctx.option("outage.debt", "go:debt"), ctx.menu_option()]
    if subject is OutageSubject.VOLTAGE:
        options.insert(0, ctx.option("outage.book_visit", "go:visits"))
    ctx.end()
    ctx.say("\n\n".join(parts), options)


def fire_advice(ctx: Ctx) -> str:
    """What to do first when something sparks, smokes or smells of burning."""
    return ctx.t("outage.fire", hotline=ctx.config.company.grid_hotline)
