"""Settings: the language; reading reminders (not sent yet: the bot says so, never promises)."""

from __future__ import annotations

from dialogs.context import LANGUAGE, Ctx, Option
from dialogs.expect import Choice
from dialogs.flow import Flow, MenuEntry, Msg
from dialogs.i18n import LANGUAGES
from dialogs.nlu import Topic, settings_request

flow = Flow(
    "settings",
    topics=(Topic.SETTINGS, Topic.LANGUAGE, Topic.REMINDERS),
    menu=MenuEntry("menu.settings", 90),
)

ASK_LANGUAGE = "set:lang"
REMINDERS = "set:rem"
DELETE = "go:erase"


def _menu_options(ctx: Ctx) -> list[Option]:
    return [
        ctx.option("settings.language", ASK_LANGUAGE),
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
        reminders(ctx)
        return
    show_menu(ctx)


def show_menu(ctx: Ctx) -> None:
    t = ctx.t
    ctx.goto(menu)
    ctx.say(
        t("settings.menu", language=t(f"settings.language_name.{t.language}")),
        _menu_options(ctx),
    )


@flow.step("menu", Choice())
async def menu(ctx: Ctx, msg: Msg) -> None:
    if msg.action == ASK_LANGUAGE:
        ask_language(ctx)
    elif msg.action == REMINDERS:
        reminders(ctx)
    else:
        await ctx.not_understood(msg)


def ask_language(ctx: Ctx) -> None:
    ctx.end()
    ctx.say(
        ctx.t("settings.ask_language"),
        [ctx.option(f"settings.language_name.{lang}", f"{LANGUAGE}{lang}") for lang in LANGUAGES],
    )


async def set_language(ctx: Ctx, language: str) -> None:
    ctx.customer.language = ctx.language = language
    ctx.state.declined_language = False
    await ctx.store.customers.update(ctx.customer)
    # The confirmation is already in the new language.
    await ctx.menu("settings.language_set")


def reminders(ctx: Ctx) -> None:
    """Until the bot sends reminders it says so, with when readings are due."""
    window = ctx.config.readings
    ctx.end()
    ctx.say(
        ctx.t("settings.reminders_not_sent", start=window.window_start_day, end=window.cutoff_day),
        [ctx.option("menu.readings", "go:readings"), ctx.menu_option()],
    )
