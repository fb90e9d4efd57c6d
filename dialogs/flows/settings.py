"""Settings: the language; the notices the bot sends (on or off per topic), asked about once
when a customer links their first account; the «Отписаться» button every notice carries."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from core.conversations import ConversationStatus
from core.notices import DEFAULT_ON
from core.notices import Topic as Notice
from dialogs.context import GO, LANGUAGE, Ctx, Option
from dialogs.expect import NO_ANSWER, Answer, Choice, Fit, YesNo
from dialogs.flow import Flow, MenuEntry, Msg
from dialogs.flows.common import answered_no, answered_yes
from dialogs.i18n import LANGUAGES
from dialogs.messages import InboundKind
from dialogs.nlu import Command, Topic, settings_request

flow = Flow(
    "settings",
    topics=(Topic.SETTINGS, Topic.LANGUAGE, Topic.REMINDERS),
    menu=MenuEntry("menu.settings", 90),
)

# The question about notices at linking. Nothing waits for its answer: like an informational
# screen, what does not answer it goes where it would have gone at the main menu (the question
# is dropped, the default stays).
offer_flow = Flow("notices_offer", informational=True, takes_whole_message=True)

ASK_LANGUAGE = "set:lang"
NOTICES = "set:notices"
DELETE = "go:erase"
# The global payloads of notices (the engine hands them here from any state, never stale):
# `unsub:<topic>` turns a topic off, `sub:<topic>` on; «all» is every topic, `sub:choose` opens
# the notices screen.
UNSUBSCRIBE = "unsub:"
SUBSCRIBE = "sub:"
ALL = "all"
CHOOSE = "choose"
# A change of the screen or of the question at linking: «n:off:debt», «n:on:all»,
# «n:only:outages,visits» (those on, the rest off).
CHANGE = "n:"
ON, OFF, ONLY = "on", "off", "only"
SHOW = "n:show"  # the screen again, as it is
TOPICS: tuple[Notice, ...] = tuple(Notice)


# -- what a customer writes about notices -------------------------------------------------------

_FOLD = str.maketrans("ё", "е")
# The words that name each topic (stems; a typo or two in the ending is fine).
_TOPIC_WORDS: dict[Notice, re.Pattern[str]] = {
    Notice.READINGS: re.compile(r"показа\w*|счетчик\w*|\bmeters?\b|reading\w*", re.I),
    Notice.DEBT: re.compile(
        r"долг\w*|задолж\w*|оплат\w*|платеж\w*|\bпен[ия]\b|\bdebts?\b|payment\w*|overdue", re.I
    ),
    Notice.OUTAGES: re.compile(
        r"отключени\w*|отключеня|отключк\w*|авари\w*|\bсвет[ау]?\b|электроснабж\w*|outage\w*|"
        r"power\s+cut\w*|blackout\w*",
        re.I,
    ),
    Notice.VISITS: re.compile(
        r"мастер\w*|выезд\w*|визит\w*|заявк\w*|монтер\w*|visit\w*|technician\w*|engineer\w*", re.I
    ),
    Notice.RECEIPTS: re.compile(r"квитан\w*|платежк\w*|receipt\w*|\bbills?\b|invoice\w*", re.I),
}
# «напоминания» alone are the reading reminders; «уведомления», «рассылка» are all of them.
_REMINDERS = re.compile(r"напомин\w*|напомн\w*|remind\w*", re.I)
_NOTICES = re.compile(r"уведомл\w*|оповещ\w*|рассылк\w*|notification\w*|notices?\b", re.I)
_ONLY = re.compile(r"(?<![^\W\d_])(?:только|лишь|only)(?![^\W\d_])", re.I)
# «не надо про долг», «без квитанций»: off, where the reminders' own words say nothing.
_REFUSED = re.compile(
    r"(?<![^\W\d_])(?:не\s+(?:\w+\s+)?(?:надо|нужн\w*|хочу|присылай\w*|пиши\w*|шлите|шли)|без|"
    r"хватит|don'?t|no\s+more|stop)(?![^\W\d_])",
    re.I,
)
# Words that turn something on or off: a wish about notices even without naming them.
_TURN = re.compile(
    r"(?<![^\W\d_])(?:включ\w*|выключ\w*|отключи\w*|отключа\w*|отпиш\w*|отпис\w*|подпиш\w*|"
    r"подпис\w*|enable|disable|turn|subscribe|unsubscribe)(?![^\W\d_])",
    re.I,
)
# The bot's messages refused as a whole, no topic named.
_STOP = re.compile(
    r"(?<![^\W\d_])(?:(?:хватит|перестаньте|перестань|прекратите)\s+(?:мне\s+)?(?:спам\w*|"
    r"присыла\w*|слать|писать|рассыла\w*)|(?:больше\s+)?не\s+(?:присылайте|шлите|пишите)"
    r"(?:\s+мне)?(?:\s+больше)?(?:\s+ничего|\s+сообщени\w*)?\W*$|stop\s+(?:spamming|sending|"
    r"messaging))",
    re.I,
)
# «всё кроме долга», «от всего кроме отключений».
_EXCEPT = re.compile(r"(?<![^\W\d_])(?:кроме|except)(?![^\W\d_])", re.I)
_OFF_WORDS = re.compile(r"(?<![^\W\d_])(?:отпиш\w*|отпис\w*|выключ\w*|отключите)", re.I)
# «присылайте», «да, присылай»: the whole message is the wish.
_BARE = re.compile(r"^\W*(?:(?:да|ну|ок)\W+)?(?:присылай\w*|шлите|send\s+them)\W*$", re.I)
# A question about notices, not a wish: «почему не пришло», «когда вы напоминаете».
_ASKS = re.compile(
    r"(?<![^\W\d_])(?:почему|зачем|отчего|когда|разве|why|when|how\s+come)(?![^\W\d_])", re.I
)
# «выбрать», «выборочно», «хочу настроить»: the customer wants to choose topic by topic.
_CHOOSES = re.compile(
    r"^\W*(?:(?:я|хочу|давай\w*|можно|сам\w*|лучше)\s+)*(?:выбрать|выберу|выборочно|настроить|"
    r"настрою|choose|pick|select)(?![^\W\d_])",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Wish:
    """What a message asks of the notices: these topics on or off (only these: the rest off)."""

    on: bool
    topics: tuple[Notice, ...]
    only: bool = False

    @property
    def action(self) -> str:
        """As a screen's button would say it: «n:off:debt»."""
        mode = ONLY if self.only else (ON if self.on else OFF)
        named = ALL if set(self.topics) == set(TOPICS) else ",".join(self.topics)
        return f"{CHANGE}{mode}:{named}"


def topics_named(text: str) -> tuple[Notice, ...]:
    """The topics a message names, in the screen's order; «напоминания» alone is readings."""
    folded = text.casefold().translate(_FOLD)
    named = tuple(topic for topic in TOPICS if _TOPIC_WORDS[topic].search(folded))
    if not named and _REMINDERS.search(folded) and not _NOTICES.search(folded):
        return (Notice.READINGS,)
    return named


def about_notices(text: str) -> bool:
    return bool(_NOTICES.search(text) or _REMINDERS.search(text))


def notice_wish(text: str) -> Wish | None:
    """«отпишись от напоминаний», «не присылайте уведомления о долге», «включи все», «только
    про отключения»: what to turn on or off; None when the message wishes nothing."""
    if _ASKS.search(text):
        return None
    if _STOP.search(text):
        return Wish(False, TOPICS)  # «хватит спамить», «не пишите мне больше»
    named = topics_named(text)
    if _EXCEPT.search(text) and named and len(named) < len(TOPICS):
        if _REFUSED.search(text) or _OFF_WORDS.search(text):
            return Wish(True, named, only=True)  # «отпишите от всего кроме отключений»
        rest = tuple(topic for topic in TOPICS if topic not in named)
        return Wish(True, rest, only=True)  # «присылайте всё кроме долга»
    on = settings_request(text).reminders
    if on is None and _REFUSED.search(text) and (topics_named(text) or about_notices(text)):
        on = False  # «про долг не надо», «без квитанций»
    if on is None and _ONLY.search(text) and topics_named(text):
        on = True  # «только про отключения»
    if on is None or _ASKS.search(text):
        return None  # «почему вы не присылаете уведомления о долге?» is no wish
    said = about_notices(text) or _TURN.search(text) or _ONLY.search(text) or _BARE.match(text)
    if not (said or _REFUSED.search(text)):
        return None  # «пришлите квитанцию» asks for the receipt itself, «не прислали» complains
    if on and "?" in text and not _ONLY.search(text):
        return None  # «вы будете напоминать про показания?» asks; the screen answers
    named = topics_named(text)
    only = on and bool(_ONLY.search(text)) and bool(named) and len(named) < len(TOPICS)
    return Wish(on, named or TOPICS, only)


def _decode(action: str | None) -> tuple[str, tuple[Notice, ...]] | None:
    """«n:off:debt» → ("off", (DEBT,)); None for anything else."""
    if not action or not action.startswith(CHANGE):
        return None
    mode, _, names = action.removeprefix(CHANGE).partition(":")
    topics = _topics(names)
    return (mode, topics) if mode in (ON, OFF, ONLY) and topics else None


def _topics(names: str) -> tuple[Notice, ...]:
    if names == ALL:
        return TOPICS
    wanted = set(names.split(","))
    if not wanted <= {topic.value for topic in TOPICS}:
        return ()
    return tuple(topic for topic in TOPICS if topic.value in wanted)


# -- what is stored --------------------------------------------------------------------------


async def notice_states(ctx: Ctx) -> dict[Notice, bool]:
    """Each topic on or off: what the customer chose, else the default (on)."""
    chosen = await ctx.store.subscriptions.chosen(ctx.customer.id)
    return {topic: chosen.get(topic.value, topic in DEFAULT_ON) for topic in TOPICS}


async def _choose(ctx: Ctx, topics: dict[Notice, bool]) -> None:
    await ctx.store.subscriptions.choose(
        ctx.customer.id,
        {topic.value: on for topic, on in topics.items()},
        ctx.customer.channel,
        ctx.now,
    )


async def _apply(ctx: Ctx, mode: str, topics: tuple[Notice, ...]) -> str:
    """Store the change; the line that confirms it."""
    if mode == ONLY:
        await _choose(ctx, {topic: topic in topics for topic in TOPICS})
        return ctx.t("settings.notices.only_on", what=_what(ctx, topics))
    on = mode == ON
    await _choose(ctx, dict.fromkeys(topics, on))
    if set(topics) == set(TOPICS):
        return ctx.t("settings.notices.all_turned_on" if on else "settings.notices.all_turned_off")
    key = "settings.notices.turned_on" if on else "settings.notices.turned_off"
    return ctx.t(key, what=_what(ctx, topics))


async def apply_wish(ctx: Ctx, wish: Wish) -> str:
    mode = ONLY if wish.only else (ON if wish.on else OFF)
    return await _apply(ctx, mode, wish.topics)


def _what(ctx: Ctx, topics: tuple[Notice, ...]) -> str:
    """«уведомления о долге и сроках оплаты», «напоминания о показаниях и уведомления о …»."""
    names = [ctx.t(f"settings.notices.about.{topic.value}") for topic in topics]
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {ctx.t('settings.notices.and')} {names[-1]}"


# -- the flow ----------------------------------------------------------------------------------


def _menu_options(ctx: Ctx) -> list[Option]:
    return [
        ctx.option("settings.language", ASK_LANGUAGE),
        ctx.option("settings.notices.button", NOTICES),
        ctx.option("settings.delete", DELETE),
        ctx.menu_option(),
    ]


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    if msg.action is not None and msg.action.startswith((UNSUBSCRIBE, SUBSCRIBE)):
        await notice_button(ctx, msg.action)
        return
    typed = msg.action is None and bool(msg.text)
    topic = msg.analysis.topic if typed else None
    if topic is Topic.LANGUAGE:
        wanted = settings_request(msg.text).language
        if wanted is not None and wanted != ctx.customer.language:
            await set_language(ctx, wanted)
        else:
            ask_language(ctx)
        return
    if topic is Topic.REMINDERS or (typed and about_notices(msg.text)):
        wish = notice_wish(msg.text)
        await show_notices(ctx, await apply_wish(ctx, wish) if wish else "")
        return
    await show_menu(ctx)


async def show_menu(ctx: Ctx) -> None:
    t = ctx.t
    states = await notice_states(ctx)
    count = sum(states.values())
    if count == len(states):
        summary = t("settings.notices.summary_all_on")
    elif count == 0:
        summary = t("settings.notices.summary_all_off")
    else:
        summary = t("settings.notices.summary_some", on=count, total=len(states))
    ctx.goto(menu)
    ctx.say(
        t(
            "settings.menu",
            language=t(f"settings.language_name.{t.language}"),
            notices=summary,
        ),
        _menu_options(ctx),
    )


@flow.step("menu", Choice())
async def menu(ctx: Ctx, msg: Msg) -> None:
    if msg.action == ASK_LANGUAGE:
        ask_language(ctx)
    elif msg.action == NOTICES:
        await show_notices(ctx)
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


# -- the notices screen ------------------------------------------------------------------------


async def show_notices(ctx: Ctx, before: str = "") -> None:
    """Each topic with its state, a button to switch each, all on or off, and when readings
    are due (what the reading reminders are about)."""
    t = ctx.t
    states = await notice_states(ctx)
    lines = "\n".join(
        t(
            "settings.notices.line",
            name=t(f"settings.notices.name.{topic.value}"),
            state=t("settings.notices.state_on" if on else "settings.notices.state_off"),
        )
        for topic, on in states.items()
    )
    window = ctx.config.readings
    text = t(
        "settings.notices.screen",
        topics=lines,
        start=window.window_start_day,
        end=window.cutoff_day,
    )
    options = [
        ctx.option(
            "settings.notices.turn_off" if on else "settings.notices.turn_on",
            f"{CHANGE}{OFF if on else ON}:{topic.value}",
            name=t(f"settings.notices.short.{topic.value}"),
        )
        for topic, on in states.items()
    ]
    if not all(states.values()):
        options.append(ctx.option("settings.notices.all_on", f"{CHANGE}{ON}:{ALL}"))
    if any(states.values()):
        options.append(ctx.option("settings.notices.all_off", f"{CHANGE}{OFF}:{ALL}"))
    options.append(ctx.menu_option())
    ctx.goto(notices)
    if before:
        ctx.say(f"{before}\n\n{text}", options)
        # Asked again (a miss, «назад»), the screen comes without this turn's confirmation.
        ctx.repeated = (text, [list(option) for option in options])
    else:
        ctx.say(text, options)


async def _screen_wish(ctx: Ctx, msg: Msg) -> str | None:
    """A wish about notices; a question about them is answered with the screen again."""
    wish = notice_wish(msg.text)
    if wish is not None:
        return wish.action
    return SHOW if about_notices(msg.text) or topics_named(msg.text) else None


@flow.step("notices", Choice(_screen_wish))
async def notices(ctx: Ctx, msg: Msg) -> None:
    if msg.action == SHOW:
        await show_notices(ctx)
        return
    change = _decode(msg.action)
    if change is None:
        await ctx.not_understood(msg)
        return
    await show_notices(ctx, await _apply(ctx, *change))


# -- the question at linking -------------------------------------------------------------------


async def unchosen(ctx: Ctx) -> bool:
    """The customer never chose anything about notices (the question at linking is for them)."""
    return not await ctx.store.subscriptions.chosen(ctx.customer.id)


def _offer_options(ctx: Ctx, *, global_: bool) -> list[Option]:
    """[Да, все] [Выбрать] [Не нужно]: the question's own answers, or payloads that act from
    any state when the question is said beside another one."""
    actions = (
        (f"{SUBSCRIBE}{ALL}", f"{SUBSCRIBE}{CHOOSE}", f"{UNSUBSCRIBE}{ALL}")
        if global_
        else ("yes", CHOOSE, "no")
    )
    keys = ("settings.offer.yes", "settings.offer.choose", "settings.offer.no")
    return [ctx.option(key, action) for key, action in zip(keys, actions, strict=True)]


def offer_notices(ctx: Ctx, *, after: int) -> None:
    """The question about notices, once an account is linked: the open prompt when no question
    is (with the main menu after it when nothing else was answered), else said beside the task
    that linking was for, right after the `after` first replies, with buttons that work
    whenever they are pressed and the task's own question last."""
    engine = ctx.engine
    since = [action for draft in ctx.drafts[after:] for _, action in draft.options]
    # An interrupted task or a second request is offered at the end of the turn: its question
    # is the last one then.
    free = ctx.state.flow is None and ctx.state.suspended is None
    if free and all(action.startswith((GO, LANGUAGE)) for action in since):
        resumed = bool(ctx.drafts[after:])
        ctx.goto(offer)
        ctx.say(ctx.t("settings.offer.question"), _offer_options(ctx, global_=False))
        if not resumed:  # nothing else answered: the menu too, last (Viber shows only the
            # last message's keyboard), the question staying the one its answers go to
            ctx.say(ctx.t("link.what_next"), engine.menu_options(ctx), aside=True)
        return
    ctx.say(ctx.t("settings.offer.aside"), _offer_options(ctx, global_=True), aside=True)
    ctx.drafts.insert(after, ctx.drafts.pop())


# A refusal said first, whatever follows («нет не надо ничего присылать», «ничего не надо»),
# unless a «but» makes it a choice («нет, только про отключения»).
_REFUSES = re.compile(
    r"\s*(?:(?:нет|неа|no|nope)(?=\s*(?:$|[,.!]|не\b|ничего|спасибо|нужн|надо|thanks))|"
    r"не надо|не нужно|не присылай|не шлите|не пишите|ничего не|don'?t)",
    re.IGNORECASE,
)
_BUT = re.compile(r"\b(только|кроме|но\b|а вот|except|only|but)", re.IGNORECASE)


class _OfferAnswer(YesNo):
    """«да», «да присылай», «нет, не надо», «выбрать», or a wish about some topics («только про
    отключения», «про долг не надо»)."""

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        if msg.kind is not InboundKind.TEXT or not msg.text:
            return NO_ANSWER
        if _CHOOSES.search(msg.text):
            return Answer(Fit.STRONG, action=CHOOSE)
        if _REFUSES.match(msg.text) and not _BUT.search(msg.text):
            return Answer(Fit.STRONG, False)  # «нет не надо ничего присылать»
        wish = notice_wish(msg.text)
        if wish is not None and (wish.only or set(wish.topics) != set(TOPICS)):
            return Answer(Fit.STRONG, action=wish.action)
        answer = await YesNo.read(self, ctx, msg)
        if answer.fit is not Fit.NONE or wish is None:
            return answer
        return Answer(Fit.STRONG, wish.on)  # «присылайте», «не присылай»


@offer_flow.step("offer", _OfferAnswer(), handles=frozenset({Command.CANCEL}))
async def offer(ctx: Ctx, msg: Msg) -> None:
    if msg.action == CHOOSE:
        await show_notices(ctx)
        return
    change = _decode(msg.action)
    if change is not None:
        line = await _apply(ctx, *change)
        await ctx.menu("settings.offer.done", line=line)
    elif answered_yes(msg):
        await _choose(ctx, dict.fromkeys(TOPICS, True))
        await ctx.menu("settings.offer.all_on")
    elif answered_no(msg):
        await _choose(ctx, dict.fromkeys(TOPICS, False))
        await ctx.menu("settings.offer.all_off")
    else:
        await ctx.not_understood(msg)


# -- a wish that the NLU sent elsewhere ----------------------------------------------------------


async def wish_left_over(ctx: Ctx, msg: Msg) -> bool:
    """«не присылайте уведомления о долге» is answered by the debt's flow first (the NLU hears
    «долг»): the refusal is served after it, in one line beside that answer, with its undo.
    (A wish to turn a topic on changes nothing here: every topic is on until refused.)"""
    if msg.action is not None or not msg.text or not about_notices(msg.text):
        return False
    wish = notice_wish(msg.text)
    if wish is None or wish.on:
        return False
    line = await apply_wish(ctx, wish)
    names = ALL if set(wish.topics) == set(TOPICS) else ",".join(wish.topics)
    options = [
        ctx.option("settings.notices.undo", f"{SUBSCRIBE}{names}"),
        ctx.option("menu.settings", f"{GO}settings"),
    ]
    ctx.say(line, options, aside=True)  # the answer before it keeps its buttons
    return True


flow.leftover = wish_left_over


# -- a notice's «Отписаться», and its undo -------------------------------------------------------


async def notice_button(ctx: Ctx, payload: str) -> None:
    """`unsub:<topic>` / `sub:<topic>` from any state: the change in one line with its undo and
    the menu; a question that was open is asked again after it, a task in progress goes on."""
    on = payload.startswith(SUBSCRIBE)
    name = payload.removeprefix(SUBSCRIBE if on else UNSUBSCRIBE)
    if on and name == CHOOSE:
        await _choose_from_anywhere(ctx)
        return
    topics = _topics(name)
    if not topics:
        await ctx.engine.stale(ctx)
        return
    await _choose(ctx, dict.fromkeys(topics, on))
    every = len(topics) == len(TOPICS)
    if on:
        line = ctx.t(
            "settings.notices.all_subscribed" if every else "settings.notices.subscribed",
            what=_what(ctx, topics),
        )
        undo: Option | None = None
    else:
        line = ctx.t(
            "settings.notices.all_unsubscribed" if every else "settings.notices.unsubscribed",
            what=_what(ctx, topics),
        )
        undo = ctx.option("settings.notices.undo", f"{SUBSCRIBE}{name}")
    status = ctx.conversation.status
    if status is ConversationStatus.OPERATOR:
        ctx.say(line, [undo] if undo else [])  # an operator holds the chat: the line alone
        return
    options = [*([undo] if undo else []), ctx.menu_option()]
    if status is ConversationStatus.WAITING_OPERATOR and ctx.state.flow in (None, "operator"):
        ctx.say(line, options)  # waiting for an operator: nothing to ask again
        return
    if ctx.at(notices):  # the screen itself: shown again with the states as they are now
        await show_notices(ctx, line)
        return
    if ctx.at(offer):  # the question at linking, answered by a notice's button meanwhile
        ctx.end()
    if ctx.engine.current_step(ctx.state) is not None:
        ctx.say(line, options, aside=True)
        ctx.engine.repeat_question(ctx)
    else:
        ctx.say(line, options)


async def _choose_from_anywhere(ctx: Ctx) -> None:
    """«Выбрать» of the question said beside a task: the screen; the task is kept to be
    offered back as any interrupted one (when its flow offers itself back)."""
    state = ctx.state
    step = ctx.engine.current_step(state)
    if step is not None and step.flow != flow.name:
        interrupted = ctx.engine.flows[step.flow]
        if interrupted.resume_question and state.suspended is None:
            state.suspended = {
                "flow": state.flow,
                "step": state.step,
                "data": copy.deepcopy(state.data),
                "last": copy.deepcopy(state.last),
                "trail": copy.deepcopy(state.trail),
                "resume": state.resume,
                "resume_text": state.resume_text,
            }
    ctx.end()
    state.resume, state.resume_text = None, ""
    await show_notices(ctx)
