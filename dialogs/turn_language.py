"""The language of a turn: the customer's own; the one a message is written in (answered in it,
with one offer to switch); the one asked for in words («English please», «не понимаю по-русски»),
switched to at once, whatever else the message asks."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dialogs.context import LANGUAGE, Ctx, channel_texts
from dialogs.expect import Either, Fit, FreeText, YesNo
from dialogs.flow import Msg, Step
from dialogs.i18n import LANGUAGES
from dialogs.messages import InboundKind
from dialogs.nlu import (
    Topic,
    analyze,
    clauses,
    command,
    is_no,
    is_yes,
    message_language,
    settings_request,
)

if TYPE_CHECKING:
    from dialogs.engine import Engine

_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
_LATIN = re.compile(r"[a-zA-Z]")
_MARKUP = re.compile(r"<[^<>]{0,200}>")


def is_yes_no(step: Step) -> bool:
    expects = step.expects
    options = expects.options if isinstance(expects, Either) else (expects,)
    return any(isinstance(option, YesNo) for option in options)


async def written_in(engine: Engine, ctx: Ctx, msg: Msg) -> bool:
    """English typed to a Russian-speaking customer is answered in English (and the reverse):
    True when the switch is to be offered this turn. Not for an answer the open question takes
    as it is («Ponomarev» for a surname), nor for a message that mixes in the customer's own
    script."""
    if msg.kind is not InboundKind.TEXT or not msg.text or command(msg.text) is not None:
        return False
    written = message_language(_MARKUP.sub(" ", msg.text))  # «<b>» is no English
    if written is None or written == ctx.customer.language or written not in LANGUAGES:
        return False
    if written == "en" and _CYRILLIC.search(msg.text):
        return False
    step = engine.current_step(ctx.state)
    if step is not None and (await step.expects.read(ctx, msg)).fit is Fit.STRONG:
        return False
    ctx.language = msg.language = written
    return not (ctx.state.declined_language or ctx.state.asked_language == written)


def offer(ctx: Ctx) -> None:
    own = ctx.customer.language
    ctx.say(
        ctx.t("menu.switch_language"),
        [
            ctx.option("menu.switch_to", f"{LANGUAGE}{ctx.language}"),
            (channel_texts(own, ctx.customer.channel)("menu.keep_language"), LANGUAGE + own),
        ],
        aside=True,
    )
    ctx.state.offered_language = ctx.state.asked_language = ctx.language


async def answer_to_offer(engine: Engine, ctx: Ctx, msg: Msg) -> bool:
    """«yes», «да» to «shall I continue in English?» switches; «no» keeps the language. True
    when that was all the message said."""
    offered, ctx.state.offered_language = ctx.state.offered_language, None
    if offered is None or msg.kind is not InboundKind.TEXT or msg.action is not None:
        return False
    step = engine.current_step(ctx.state)
    if step is not None and is_yes_no(step):
        # «yes ok» answers the open question (the consent), and in the language offered.
        if (is_yes(msg.text) or is_no(msg.text)) and _script(msg.text) == offered:
            await _keep(ctx, msg, offered)
        return False
    if is_yes(msg.text):
        await set_language(engine, ctx, offered)
        return True
    if is_no(msg.text):
        await set_language(engine, ctx, ctx.customer.language)
        return True
    return False


async def asked_for(engine: Engine, ctx: Ctx, msg: Msg) -> str | None:
    """A language asked for in words somewhere in the message («sorry I don't understand.
    English please» from someone already answered in English is told so, not sent to settings).
    Not in an answer the open question takes as it is: «бабушка по-английски не понимает» is
    a comment for the technician, not a wish about the chat."""
    if msg.kind is not InboundKind.TEXT or msg.action is not None or not msg.text:
        return None
    wanted = settings_request(msg.text).language  # first: most messages name no language
    if wanted is None or wanted not in LANGUAGES:
        return None
    step = engine.current_step(ctx.state)
    if step is not None and (
        isinstance(step.expects, FreeText) or (await step.expects.read(ctx, msg)).fit is Fit.STRONG
    ):
        return None
    parts = [msg.text, *clauses(msg.text)]
    if not any(analyze(part, msg.language).topic is Topic.LANGUAGE for part in parts):
        return None  # «тариф для русской печки» names a language and asks about none
    return wanted


async def switch_asked(engine: Engine, ctx: Ctx, msg: Msg, language: str) -> bool:
    """Switch to the language asked for; True when that was all the message asked, False when
    it goes on to another request («English please. I want to send meter readings»)."""
    changed = language != ctx.customer.language
    await _keep(ctx, msg, language)
    ctx.state.offered_language = None
    target = engine.route(analyze(msg.text, language))
    if target not in (None, "settings"):
        if changed:
            ctx.say(ctx.t("menu.language_now"))
        return False
    await _answered(engine, ctx)
    return True


async def set_language(engine: Engine, ctx: Ctx, language: str) -> None:
    """The language chosen by a button or a yes to the offer; the open question again in it."""
    if language not in LANGUAGES:
        await engine.stale(ctx)
        return
    kept = language == ctx.customer.language
    await _keep(ctx, None, language)
    ctx.state.declined_language = kept
    if ctx.state.flow is None:
        await engine.main_menu(ctx, "menu.language_kept" if kept else "settings.language_set")
    else:
        await _answered(engine, ctx)


async def _answered(engine: Engine, ctx: Ctx) -> None:
    """Say the language is now the customer's, with the open question again or the menu."""
    if ctx.state.flow is None or not engine.repeat_question(ctx, ctx.t("menu.language_now")):
        await engine.main_menu(ctx, "settings.language_set")


async def _keep(ctx: Ctx, msg: Msg | None, language: str) -> None:
    ctx.state.declined_language = False
    if language != ctx.customer.language:
        ctx.customer.language = language
        await ctx.store.customers.update(ctx.customer)
    ctx.language = language
    if msg is not None:
        msg.language = language


def _script(text: str) -> str | None:
    """The language a short answer's letters belong to («yes ok»: en, «да»: ru)."""
    latin, cyrillic = bool(_LATIN.search(text)), bool(_CYRILLIC.search(text))
    if latin == cyrillic:
        return None
    return "en" if latin else "ru"
