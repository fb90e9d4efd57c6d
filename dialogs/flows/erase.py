"""Deleting the customer's data (the consent withdrawn): only on a clear request, and only
after a confirmation that cannot be given by accident."""

from __future__ import annotations

import re

from core.conversations import ConversationStatus
from dialogs.context import Ctx, DialogState
from dialogs.expect import NO_ANSWER, Answer, Fit, YesNo
from dialogs.flow import Flow, Msg
from dialogs.flows.common import yes_no
from dialogs.messages import InboundKind
from dialogs.nlu import Topic, is_no, is_yes

flow = Flow("erase", topics=(Topic.DELETE_DATA,), sure_only=True)

# «да, удалить», «удаляйте», «подтверждаю удаление»: a yes that says what it agrees to.
_EXPLICIT = re.compile(r"(?<![^\W\d_])(удал\w*|подтвержда\w*|delete|erase|confirm\w*)", re.I)


class _Confirmation(YesNo):
    """Only the button or a yes that names the deletion deletes; a bare «да» is asked again
    (it may have been meant for something else), a no keeps everything."""

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        if msg.kind is not InboundKind.TEXT:
            return NO_ANSWER
        if is_no(msg.text) or re.search(r"\bне\s+удал", msg.text, re.I):
            return Answer(Fit.STRONG, False)
        if _EXPLICIT.search(msg.text) and not re.search(r"\bне\b", msg.text, re.I):
            return Answer(Fit.STRONG, True)
        if is_yes(msg.text):
            return Answer(Fit.STRONG, None)
        return NO_ANSWER


def _question(ctx: Ctx, key: str) -> None:
    ctx.goto(confirm)
    ctx.say(ctx.t(key), yes_no(ctx, "settings.delete_yes", "settings.delete_no"))


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    _question(ctx, "settings.delete_explain")


@flow.step("confirm", _Confirmation())
async def confirm(ctx: Ctx, msg: Msg) -> None:
    if msg.action == "no" or msg.answer is False:
        await ctx.menu("settings.delete_kept")
        return
    if not (msg.action == "yes" or msg.answer is True):
        _question(ctx, "settings.delete_say_it")
        return
    # A waiting request to operators goes too: nobody should answer a person who left.
    escalation = await ctx.store.escalations.active(ctx.conversation.id)
    if escalation is not None:
        await ctx.store.escalations.close(escalation.id, ctx.now)
    ctx.conversation.status = ConversationStatus.BOT
    linked = len(await ctx.accounts())
    await ctx.store.customers.erase(ctx.customer.id, ctx.now)
    await ctx.audit(
        "customer_data_erased", {"channel": ctx.customer.channel, "accounts_unlinked": linked}
    )
    ctx.forget_accounts()
    # The engine saves this state over the erased one: nothing of the old may survive in it.
    ctx.state = DialogState()
    ctx.say(ctx.t("settings.deleted"))
