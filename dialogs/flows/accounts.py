"""The customer's linked accounts: list, link another, unlink."""

from __future__ import annotations

from core.accounts import Account
from core.masking import mask_account
from dialogs.context import Ctx
from dialogs.expect import Choice, YesNo
from dialogs.flow import Flow, MenuEntry, Msg
from dialogs.flows.common import account_label, answered_yes, picked_account, yes_no
from dialogs.nlu import Topic

flow = Flow("accounts", topics=(Topic.UNLINK_ACCOUNT,), menu=MenuEntry("menu.accounts", 60))

UNLINK = "unlink:"


@flow.start
async def show(ctx: Ctx, msg: Msg) -> None:
    accounts = await ctx.accounts()
    if not accounts:
        ctx.goto(offer_link)
        ctx.say(ctx.t("accounts.none"), [ctx.option("accounts.link", "go:link"), ctx.menu_option()])
        return
    named = await picked_account(ctx, msg) if msg.analysis.topic is Topic.UNLINK_ACCOUNT else None
    if named is not None and len(accounts) > 1:  # «отвяжите дачу»
        _confirm_unlink(ctx, named)
        return
    listing = "\n".join(f"• {account_label(a)}" for a in accounts)
    options = [
        ctx.option("accounts.unlink", f"{UNLINK}{a.number}", account=mask_account(a.number))
        for a in accounts
    ]
    options += [ctx.option("accounts.link_more", "go:link"), ctx.menu_option()]
    ctx.goto(choose)
    ctx.say(ctx.t("accounts.list", count=len(accounts), accounts=listing), options)


async def _described(ctx: Ctx, msg: Msg) -> str | None:
    """«отвяжите дачу», «второй»: the account to unlink, by what the customer wrote."""
    account = await picked_account(ctx, msg)
    return f"{UNLINK}{account.number}" if account else None


@flow.step("choose", Choice(_described))
async def choose(ctx: Ctx, msg: Msg) -> None:
    number = (msg.action or "").removeprefix(UNLINK)
    account = next((a for a in await ctx.accounts() if a.number == number), None)
    if account is None:
        await ctx.not_understood(msg)
        return
    _confirm_unlink(ctx, account)


def _confirm_unlink(ctx: Ctx, account: Account) -> None:
    ctx.goto(confirm, number=account.number)
    ctx.say(ctx.t("accounts.confirm_unlink", account=account_label(account)), yes_no(ctx))


@flow.step("offer_link", YesNo())
async def offer_link(ctx: Ctx, msg: Msg) -> None:
    """«Хотите привязать?» — «да»."""
    if answered_yes(msg):
        await ctx.start("link", msg)
    else:
        await ctx.menu()


@flow.step("confirm", YesNo())
async def confirm(ctx: Ctx, msg: Msg) -> None:
    number = ctx.data["number"]
    if answered_yes(msg):
        await ctx.store.accounts.unlink(ctx.customer.id, number)
        await ctx.audit("account_unlinked", {"account": mask_account(number)})
        ctx.forget_accounts()
        await ctx.menu("accounts.unlinked", account=mask_account(number))
    else:
        await ctx.menu("accounts.kept")
