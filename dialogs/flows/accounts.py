"""The customer's linked accounts: list, link another, unlink."""

from __future__ import annotations

from core.masking import mask_account
from dialogs.context import Ctx
from dialogs.flow import SURE, Flow, Msg
from dialogs.flows.common import account_label, answered_no, answered_yes, picked_account, yes_no

flow = Flow("accounts")

UNLINK = "unlink:"


@flow.start
async def show(ctx: Ctx, msg: Msg) -> None:
    accounts = await ctx.accounts()
    if not accounts:
        ctx.say(
            ctx.t("accounts.none"),
            [ctx.option("accounts.link", "go:link"), ctx.menu_option()],
        )
        return
    listing = "\n".join(f"• {account_label(a)}" for a in accounts)
    options = [
        ctx.option("accounts.unlink", f"{UNLINK}{a.number}", account=mask_account(a.number))
        for a in accounts
    ]
    options += [ctx.option("accounts.link_more", "go:link"), ctx.menu_option()]
    ctx.goto("accounts", "choose")
    ctx.say(ctx.t("accounts.list", count=len(accounts), accounts=listing), options)


@flow.step("choose")
async def choose(ctx: Ctx, msg: Msg) -> None:
    number = msg.action.removeprefix(UNLINK) if msg.action else None
    account = next((a for a in await ctx.accounts() if a.number == number), None)
    if account is None and not msg.action:
        account = await picked_account(ctx, msg)
    if account is None:
        await ctx.not_understood(msg)
        return
    ctx.goto("accounts", "confirm", number=account.number)
    ctx.say(ctx.t("accounts.confirm_unlink", account=account_label(account)), yes_no(ctx))


@flow.step("confirm")
async def confirm(ctx: Ctx, msg: Msg) -> None:
    number = ctx.data["number"]
    if answered_yes(msg):
        await ctx.store.accounts.unlink(ctx.customer.id, number)
        await ctx.audit("account_unlinked", {"account": mask_account(number)})
        ctx.forget_accounts()
        await ctx.menu("accounts.unlinked", account=mask_account(number))
    elif answered_no(msg):
        await ctx.menu("accounts.kept")
    elif msg.action or msg.analysis.confidence >= SURE:
        await ctx.not_understood(msg)  # something else entirely: nothing is unlinked
    else:
        ctx.say(ctx.t("common.yes_or_no"), yes_no(ctx))
