"""How to pay: the payment page per account and the bank details; never card data in chat."""

from __future__ import annotations

from core.masking import mask_account
from dialogs.context import Ctx
from dialogs.flow import Flow, Msg
from dialogs.flows.billing import bank_lines, payment_link
from dialogs.nlu import Intent

# No account needed: anyone may ask how to pay; a linked account gets its own link.
flow = Flow("payment", intents=(Intent.PAYMENT,), links_named_account=True)


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    t = ctx.t
    accounts = await ctx.accounts()
    if accounts:
        links = [
            t("payment.link_line", account=mask_account(a.number), url=payment_link(ctx, a.number))
            for a in accounts
        ]
        parts = ["\n".join([t("payment.intro"), *links])]
    else:
        parts = [t("payment.intro_unlinked", website=ctx.config.company.website)]
    bank = bank_lines(ctx)
    if bank:
        parts.append("\n".join([t("balance.bank_title"), *bank]))
    if not accounts:
        parts.append(t("payment.link_for_yours"))
    parts.append(t("payment.no_card_data"))
    ctx.end()
    if accounts:
        options = [
            ctx.option("menu.balance", "go:balance"),
            ctx.option("balance.receipt", "go:receipt"),
        ]
    else:
        options = [ctx.option("payment.link", "go:link")]
    ctx.say("\n\n".join(parts), [*options, ctx.menu_option()])
