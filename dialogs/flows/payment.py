"""How to pay: the payment page per account and the bank details; never card data in chat."""

from __future__ import annotations

from core.masking import mask_account
from dialogs.context import Ctx
from dialogs.flow import Flow, Msg
from dialogs.flows.billing import bank_lines, payment_link

flow = Flow("payment", needs_account=True)


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    t = ctx.t
    links = [
        t("payment.link_line", account=mask_account(a.number), url=payment_link(ctx, a.number))
        for a in await ctx.accounts()
    ]
    parts = ["\n".join([t("payment.intro"), *links])]
    bank = bank_lines(ctx)
    if bank:
        parts.append("\n".join([t("balance.bank_title"), *bank]))
    parts.append(t("payment.no_card_data"))
    ctx.end()
    ctx.say(
        "\n\n".join(parts),
        [
            ctx.option("menu.balance", "go:balance"),
            ctx.option("balance.receipt", "go:receipt"),
            ctx.menu_option(),
        ],
    )
