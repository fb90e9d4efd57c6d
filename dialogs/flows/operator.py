"""Handing the conversation to a human: open an escalation, wait, add what the customer writes."""

from __future__ import annotations

import re
from datetime import timedelta

from core.conversations import Author, ConversationStatus, Escalation
from core.masking import mask_text
from dialogs.context import WITHDRAW_ESCALATION, Ctx, Option
from dialogs.expect import FreeText
from dialogs.flow import Flow, MenuEntry, Msg
from dialogs.flows.common import hours_params
from dialogs.i18n import translator
from dialogs.messages import InboundKind
from dialogs.nlu import Intent, Topic, command

flow = Flow(
    "operator",
    intents=(Intent.OPERATOR_REQUEST,),
    # A change of owner needs papers a human explains.
    topics=(Topic.OWNERSHIP,),
    menu=MenuEntry("menu.operator", 80),
    takes_whole_message=True,
)

CANCEL = WITHDRAW_ESCALATION
# Operators read Russian: texts written for them (reasons, notes) are in this language.
OPERATOR_LANGUAGE = "ru"
# «соедините с оператором» asks for a person but says nothing an operator could act on.
BARE_REQUEST_WORDS = 3
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# «когда ответят», «когда перезвонят», «when will someone answer»: the wait asked about.
_WHEN = re.compile(r"когда|скоро\s+ли|долго\s+ещ|when|how\s+long", re.IGNORECASE)


def for_operators(key: str, **params: object) -> str:
    return translator(OPERATOR_LANGUAGE)(key, **params)


def cancel_option(ctx: Ctx) -> Option:
    return ctx.option("operator.cancel", CANCEL)


def when_operators_answer(ctx: Ctx) -> str:
    """«Передал ваш вопрос оператору…» within business hours, else when they will answer."""
    return closed_text(ctx) or ctx.t("operator.open", phone=ctx.config.company.phone)


def closed_text(ctx: Ctx) -> str | None:
    """When operators answer, if they are not at work now (None while they are)."""
    hours = ctx.config.hours
    if hours.is_open(ctx.now):
        return None
    opening = hours.next_opening(ctx.now)  # in the company's zone
    day, time = opening.date(), ctx.t.time(opening)
    if day == ctx.today:
        when = ctx.t("operator.when_today", time=time)
    elif day == ctx.today + timedelta(days=1):
        when = ctx.t("operator.when_tomorrow", time=time)
    else:
        when = ctx.t(
            "operator.when_day",
            weekday=ctx.t(f"operator.on_weekday.{WEEKDAYS[day.weekday()]}"),
            date=ctx.t.day_month(day),
            time=time,
        )
    return ctx.t("operator.closed", **hours_params(ctx), when=when)


async def open_escalation(ctx: Ctx, reason: str) -> Escalation:
    """Queue the conversation for operators (or add to the waiting request) and wait.

    The caller tells the customer what happens next (see when_operators_answer).
    """
    active = await ctx.store.escalations.active(ctx.conversation.id)
    if active is not None:
        await ctx.store.escalations.add_message(active.id, Author.BOT, reason, ctx.now)
        escalation = active
    else:
        transcript = await ctx.store.conversations.transcript(
            ctx.conversation.id, ctx.config.transcript_messages
        )
        escalation = await ctx.store.escalations.open(
            ctx.conversation.id, reason, ctx.now, transcript
        )
    if ctx.conversation.status is not ConversationStatus.OPERATOR:
        ctx.conversation.status = ConversationStatus.WAITING_OPERATOR
    # Whatever the customer was doing before waits no longer: the operator takes it from here.
    ctx.state.suspended = None
    ctx.goto(waiting)
    return escalation


def _reason(msg: Msg) -> str | None:
    """What the customer asked, if the message says more than «позовите оператора»."""
    if msg.action is not None or msg.kind is not InboundKind.TEXT or not msg.text:
        return None
    if command(msg.text) is not None:
        return None
    analysis = msg.analysis
    if analysis.intent is Intent.OPERATOR_REQUEST and len(msg.text.split()) <= BARE_REQUEST_WORDS:
        return None
    # The queue shows reasons to every operator: numbers in them are masked, as everywhere.
    return mask_text(msg.text)


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    active = await ctx.store.escalations.active(ctx.conversation.id)
    if active is not None:
        if ctx.conversation.status is ConversationStatus.BOT:
            ctx.conversation.status = ConversationStatus.WAITING_OPERATOR
        ctx.goto(waiting)
        ctx.say(ctx.t("operator.already_waiting"), [cancel_option(ctx)])
        return
    reason = _reason(msg) or for_operators("operator.default_reason")
    await open_escalation(ctx, reason)
    ctx.say(when_operators_answer(ctx), [cancel_option(ctx)])


@flow.step("waiting", FreeText(files=True))
async def waiting(ctx: Ctx, msg: Msg) -> None:
    """Also called by the engine for any message while the conversation waits idle."""
    escalation = await ctx.store.escalations.active(ctx.conversation.id)
    if escalation is None:
        # An operator closed it meanwhile: the bot has the conversation again.
        ctx.conversation.status = ConversationStatus.BOT
        ctx.end()
        if msg.action == CANCEL:
            await ctx.menu("operator.already_closed")
        else:
            await ctx.engine.route_free_text(ctx, msg)
        return
    if msg.action == CANCEL:
        await ctx.store.escalations.close(escalation.id, ctx.now)
        ctx.conversation.status = ConversationStatus.BOT
        await ctx.menu("operator.cancelled")
        return
    if msg.action is None and msg.kind in (InboundKind.TEXT, InboundKind.FILE, InboundKind.CONTACT):
        await ctx.store.escalations.add_message(
            escalation.id, Author.CUSTOMER, msg.for_operator, ctx.now
        )
        ctx.goto(waiting)
        added = ctx.t("operator.added")
        if msg.kind is InboundKind.TEXT and _WHEN.search(msg.text):  # «ну и когда ответят??»
            added = "\n\n".join([added, when_operators_answer(ctx)])
        ctx.say(added, [cancel_option(ctx), ctx.menu_option()])
        return
    await ctx.engine.route_free_text(ctx, msg)
