"""Settings: language, reading reminders, deleting the customer's data (consent withdrawal)."""

from __future__ import annotations

from core.conversations import ConversationStatus
from dialogs.context import Ctx, DialogState, Option
from dialogs.flow import Flow, Msg
from dialogs.flows.common import answered_no, answered_yes, yes_no
from dialogs.i18n import LANGUAGES
from dialogs.nlu import Topic, settings_request

flow = Flow("settings")

LANGUAGE = "set:lang"
REMINDERS = "set:rem"
DELETE = "set:delete"
LANG = "lang:"
REMINDERS_ON = "rem:on"
REMINDERS_OFF = "rem:off"


def _menu_options(ctx: Ctx) -> list[Option]:
    return [
        ctx.option("settings.language", LANGUAGE),
        ctx.option("settings.reminders", REMINDERS),
        ctx.option("settings.delete", DELETE),
        ctx.menu_option(),
    ]


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    topic = msg.analysis.topic if msg.action is None and msg.text else None
    if topic is Topic.LANGUAGE:
        wanted = settings_request(msg.text).language
        if wanted is not None and wanted != ctx.customer.language:
            await set_language(ctx, wanted)
        else:
            ask_language(ctx)
        return
    if topic is Topic.REMINDERS:
        wish = settings_request(msg.text).reminders
        if wish is None:
            ask_reminders(ctx)
        else:
            await set_reminders(ctx, wish)
        return
    if topic is Topic.DELETE_DATA:
        ask_delete(ctx)
        return
    show_menu(ctx)


def show_menu(ctx: Ctx) -> None:
    t = ctx.t
    reminders = t(
        "settings.reminders_state_on" if ctx.customer.reminders else "settings.reminders_state_off"
    )
    ctx.goto("settings", "menu")
    ctx.say(
        t(
            "settings.menu",
            language=t(f"settings.language_name.{ctx.t.language}"),
            reminders=reminders,
        ),
        _menu_options(ctx),
    )


@flow.step("menu")
async def menu(ctx: Ctx, msg: Msg) -> None:
    if msg.action == LANGUAGE:
        ask_language(ctx)
    elif msg.action == REMINDERS:
        ask_reminders(ctx)
    elif msg.action == DELETE:
        ask_delete(ctx)
    else:
        await ctx.not_understood(msg)


# -- language -------------------------------------------------------------------------------


def ask_language(ctx: Ctx) -> None:
    ctx.goto("settings", "language")
    ctx.say(
        ctx.t("settings.ask_language"),
        [ctx.option(f"settings.language_name.{lang}", f"{LANG}{lang}") for lang in LANGUAGES],
    )


@flow.step("language")
async def language_step(ctx: Ctx, msg: Msg) -> None:
    wanted = msg.action.removeprefix(LANG) if msg.action and msg.action.startswith(LANG) else None
    if wanted not in LANGUAGES:
        await ctx.not_understood(msg)
        return
    await set_language(ctx, wanted)


async def set_language(ctx: Ctx, language: str) -> None:
    ctx.customer.language = language
    await ctx.store.customers.update(ctx.customer)
    # ctx.t follows the customer's language: the confirmation is already in the new one.
    await ctx.menu("settings.language_set")


# -- reminders ------------------------------------------------------------------------------


def ask_reminders(ctx: Ctx) -> None:
    t = ctx.t
    window = ctx.config.readings
    state = t(
        "settings.reminders_state_on" if ctx.customer.reminders else "settings.reminders_state_off"
    )
    ctx.goto("settings", "reminders")
    ctx.say(
        t(
            "settings.ask_reminders",
            start=window.window_start_day,
            end=window.cutoff_day,
            state=state,
        ),
        [
            ctx.option("settings.reminders_on", REMINDERS_ON),
            ctx.option("settings.reminders_off", REMINDERS_OFF),
        ],
    )


@flow.step("reminders")
async def reminders_step(ctx: Ctx, msg: Msg) -> None:
    if msg.action in (REMINDERS_ON, REMINDERS_OFF):
        await set_reminders(ctx, msg.action == REMINDERS_ON)
    else:
        await ctx.not_understood(msg)


async def set_reminders(ctx: Ctx, on: bool) -> None:
    ctx.customer.reminders = on
    await ctx.store.customers.update(ctx.customer)
    await ctx.menu("settings.reminders_set_on" if on else "settings.reminders_set_off")


# -- deleting my data -----------------------------------------------------------------------


def ask_delete(ctx: Ctx) -> None:
    ctx.goto("settings", "delete")
    ctx.say(
        ctx.t("settings.delete_explain"), yes_no(ctx, "settings.delete_yes", "settings.delete_no")
    )


@flow.step("delete")
async def delete_step(ctx: Ctx, msg: Msg) -> None:
    if answered_no(msg):
        await ctx.menu("settings.delete_kept")
        return
    if not answered_yes(msg):
        ctx.say(
            ctx.t("settings.delete_yes_or_no"),
            yes_no(ctx, "settings.delete_yes", "settings.delete_no"),
        )
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
