"""The dialog engine: one inbound event + the conversation's state → replies + new state.

The turn policy (docs/architecture.md has it as a table): a message is analysed once; a button
of the current prompt goes to its step; commands («меню», «отмена», «назад», «оператор») work
everywhere; typed text is read with the current step's expectation — a strong fit goes to the
step, a weak one too unless the NLU is sure the customer asks for something else, no fit lets a
clear request for another task through (the interrupted one is offered back afterwards), and
anything else is asked again with the expectation's hint, then with a way out.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.conversations import Author, Conversation, ConversationStatus
from core.readings import ParsedValue
from dialogs import turn_language
from dialogs.context import (
    DROP,
    GO,
    LANGUAGE,
    RESUME,
    WITHDRAW_ESCALATION,
    Ctx,
    DialogState,
    Draft,
)
from dialogs.expect import Fit, FreeText
from dialogs.flow import CONFIDENT, SURE, Flow, Msg, Step
from dialogs.messages import Button, Inbound, InboundKind, Reply
from dialogs.nlu import (
    Command,
    Intent,
    Topic,
    analyze,
    bill_disputed,
    clauses,
    command,
    is_no,
    is_yes,
    money_beside_numbers,
)
from dialogs.turn_language import is_yes_no

SHORT_REQUEST_WORDS = 3
CLEAR_REQUEST_WORDS = 8  # readings this long still reach the bot while an operator waits
QUESTION_WORDS = 20  # a clear question or request the bot serves, this long, too
# How sure the NLU must be of a clause to serve it as a second request of one message.
SECOND_REQUEST = 0.7
MAX_TRAIL = 8  # questions of one flow remembered for «назад»
STUCK_AFTER = 2  # misses in a row before the way out is offered
_PAYLOAD = re.compile(r"^(\d+):(.+)$")
# «давай дальше», «продолжим»: yes to going on with an interrupted task.
_GO_ON = re.compile(r"(?<![^\W\d_])(?:дальше|продолж\w*|вернемся|вернёмся|go on|continue)", re.I)
# «отмена заявки», «не надо мастера», «передумала, потом передам», «отмеа»: a change of mind in
# a few words, which the whole-message commands do not cover.
_CHANGED_MIND = re.compile(
    r"^\W*(?:(?:а|ай|ой|ну|так|нет|да|ладно|хорошо|тогда|уже|всё|все)\W+){0,3}(?:не\s*надо|"
    r"не\s*нужно|ничего\s+не\s+надо|отмен\w*|отме\w?а|передумал\w*|стоп\b|хватит|отбой|"
    r"never\s*mind|cancel\w*|stop\b)",
    re.IGNORECASE,
)
# «потом», «позже»: put off — but «а позже можно?», «так, потом ночь?» ask about the question.
_PUT_OFF = re.compile(
    r"^\W*(?:(?:ой|ну|нет|да|ладно|хорошо|тогда|уже)\W+){0,2}(?:потом|позже|later\b)(?![^?]*\?)"
    r"(?!.*можно)",
    re.IGNORECASE,
)
CHANGED_MIND_WORDS = 8
# «а ночь не видно, завтра гляну», «потом передам»: the answer is put off.
_LATER = re.compile(
    r"(?:завтра|потом|позже|попозже|вечером)\s+(?:гляну|посмотрю|передам|пришлю|сдам|напишу|"
    r"скажу)|не\s+видно|не\s+могу\s+(?:посмотреть|найти|разглядеть)|(?:look|check)\s+later",
    re.IGNORECASE,
)
# Where any text is an answer (a comment), only these leave: «отмена», «стоп», «передумал».
_EXPLICIT_CANCEL = re.compile(
    r"^\W*(?:(?:ой|ну|нет|ладно|хорошо|тогда)\W+){0,2}(?:отмен\w*|стоп\b|передумал\w*|cancel\w*|stop\b)",
    re.IGNORECASE,
)
QUOTED = 80  # characters of a customer's message quoted back
MORE_WORDS = 3  # a «стоп» with this many words or more may carry another request
_ABOUT_THE_REQUEST = re.compile(r"оператор|обращен|человек|operator|request", re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")
_LABEL_NOISE = re.compile(r"[^\w\s]+")
# Topics that say how the customer talks, not what they want: never a reason to leave a step.
_MANNERS = frozenset({Topic.GREETING, Topic.THANKS})
# «мне не надо реквизиты», «не надо никакого мастера», «я не оплатить хочу»: a clause that
# refuses a task is no request for it.
_REFUSES = re.compile(
    r"(?<![^\W\d_])не\s+(?:\w+\s+)?(?:надо|нужн\w*|хочу|хотим|прошу)(?![^\W\d_])"
    r"|\b(?:don'?t|do\s+not)\s+(?:need|want)\b",
    re.IGNORECASE,
)
# A question or a request, not a story told for the operator («вчера моргал свет в подъезде»).
_QUESTION = re.compile(
    r"\?|(?<![^\W\d_])(?:как\w*|сколько|скока|когда|где|почему|можно|ли|what|how|when|where|"
    r"вызов\w*|вызвать|нуж[ен]\w*|хочу|передать|запиш\w*|оформ\w*|подскаж\w*|скаж\w*|покаж\w*|"
    r"пришл\w*|отмен\w*|please|want|need)(?![^\W\d_])",
    re.IGNORECASE,
)
# «оператора больше не надо», «не нужен мне оператор», «сама разберусь»: the request withdrawn.
_WITHDRAWS = re.compile(
    r"оператор\w*\s+(?:\w+\s+){0,2}не\s+(?:надо|нужен|нужно|нужна)|не\s+нуж\w*\s+(?:\w+\s+)?"
    r"оператор|(?<![^\W\d_])сам\w?\s+(?:разбер\w*|попроб\w*|справ\w*)|разобрал\w*",
    re.IGNORECASE,
)
# «сколько будет за 400 квт, днем 300 ночью 100»: the values are a month to price, not readings.
_PRICED = re.compile(r"сколько|скока|если|посчита|квт|kwh|how\s+much|what\s+if", re.IGNORECASE)
# Nor a second request of a message: the language asked for is switched to in the same turn.
_NOT_REQUESTS = _MANNERS | {Topic.LANGUAGE}
# A notice's «Отписаться» (`unsub:<topic>`) and its undo (`sub:<topic>`): like `go:`, never stale;
# the settings flow answers them without leaving the task in progress.
SUBSCRIPTION = ("unsub:", "sub:")


def normalize_label(text: str) -> str:
    return " ".join(_LABEL_NOISE.sub(" ", text.casefold().replace("ё", "е")).split())


@dataclass(frozen=True, slots=True)
class Request:
    """Another task a message asks for, and how sure the NLU is of it."""

    flow: str
    confidence: float


class Engine:
    def __init__(self, flows: Mapping[str, Flow]) -> None:
        self.flows = dict(flows)
        self.intent_flows: dict[Intent, str] = {}
        self.topic_flows: dict[Topic, str] = {}
        for flow in self.flows.values():
            for intent in flow.intents:
                self.intent_flows.setdefault(intent, flow.name)
            for topic in flow.topics:
                self.topic_flows.setdefault(topic, flow.name)
        self.menu = sorted(
            ((flow.menu.order, flow.menu.label, flow.name) for flow in flows.values() if flow.menu),
        )

    # -- one turn ----------------------------------------------------------------------------

    async def run(self, ctx: Ctx, inbound: Inbound) -> list[Reply]:
        msg = Msg(inbound, language=ctx.customer.language)
        if inbound.redacted:
            await self._card_data(ctx, msg)
        elif ctx.conversation.status is not ConversationStatus.BOT:
            await self._dispatch(ctx, msg)  # the operator's conversation: its language is theirs
        elif (wanted := await turn_language.asked_for(self, ctx, msg)) is not None:
            if not await turn_language.switch_asked(self, ctx, msg, wanted):
                await self._dispatch(ctx, msg)
        else:
            offer = await turn_language.written_in(self, ctx, msg)
            if not await turn_language.answer_to_offer(self, ctx, msg):
                await self._dispatch(ctx, msg)
            if offer and ctx.language != ctx.customer.language:
                turn_language.offer(ctx)
        return self._finish(ctx)

    async def _dispatch(self, ctx: Ctx, msg: Msg) -> None:
        inbound = msg.inbound
        if ctx.state.flow is not None and self.current_step(ctx.state) is None:
            ctx.end()  # a flow or step this version no longer has: start from the menu
        conversation = ctx.conversation
        # An operator may have closed the escalation since: the bot has the conversation again.
        if (
            conversation.status is not ConversationStatus.BOT
            and await ctx.store.escalations.active(conversation.id) is None
        ):
            conversation.status = ConversationStatus.BOT
        step = self.current_step(ctx.state)
        cmd = command(inbound.text) if inbound.kind is InboundKind.TEXT else None
        if cmd is not None and step is not None and cmd in step.handles:
            cmd = None  # this step answers the command itself
        if cmd is Command.CANCEL and step is not None and _answers_cancel(step, inbound.text):
            cmd = None  # «не надо» at a yes/no question is its «no», «не нужно» no comment
        if inbound.kind is InboundKind.TEXT and cmd is None:
            # A typed label is its button («Отменить № 2612-00001»), before any reading of it.
            msg.action = self._typed_option(ctx, msg.text, step)
            # Waiting for an operator is a step too: «ладно, не надо оператора» leaves it.
            leaving = step or (
                self.flows["operator"].steps["waiting"] if self._waiting(ctx) else None
            )
            if msg.action is None and leaving is not None:
                cmd = _changed_mind(inbound.text, leaving)
                if cmd is Command.CANCEL and self._asks_more(msg, leaving):
                    cmd = None  # «стоп, а за ноябрь сколько начислили?»: another request
        if inbound.kind is InboundKind.START or cmd is Command.START:
            ctx.end()
            ctx.state.resume, ctx.state.resume_text, ctx.state.suspended = None, "", None
            await self.start_flow(ctx, "start", msg)
            return
        if inbound.kind is InboundKind.BUTTON and inbound.payload.startswith(SUBSCRIPTION):
            msg.action = inbound.payload  # a notice's «Отписаться» or its undo, from any state
            await self._entry(ctx, self.flows["settings"], msg)
            return
        if conversation.status is ConversationStatus.OPERATOR:
            await self._to_operator(ctx, msg)
            return
        if inbound.kind is InboundKind.BUTTON:
            if inbound.payload.startswith(LANGUAGE):
                await turn_language.set_language(self, ctx, inbound.payload.removeprefix(LANGUAGE))
                return
            if not await self._resolve_button(ctx, msg):
                return
        if await self._answer_to_resume(ctx, msg, cmd):
            return
        if cmd is not None:
            await self._command(ctx, cmd, msg)
        elif msg.action and msg.action.startswith(GO):
            await self.start_flow(ctx, msg.action.removeprefix(GO), msg)
        elif self._waiting(ctx) and not self._short_request(msg):
            # Free text, files and contacts go to the waiting escalation: the customer is
            # explaining the problem. Buttons, commands and short requests reach the bot.
            await self.flows["operator"].steps["waiting"].handler(ctx, msg)
        elif self._waiting(ctx):
            await self._to_operator(ctx, msg)  # the operator sees it too
            await self.route_free_text(ctx, msg)
        elif step is not None:
            await self._step_turn(ctx, step, msg)
        else:
            await self.route_free_text(ctx, msg)

    async def _step_turn(self, ctx: Ctx, step: Step, msg: Msg) -> None:
        """The decision table: the step, another task, or the question again."""
        if msg.action is not None:  # a button of this step's prompt, pressed or typed
            ctx.state.misses = 0
            await step.handler(ctx, msg)
            return
        answer = await step.expects.read(ctx, msg)
        msg.answer, msg.action = answer.value, answer.action
        if self.flows[step.flow].informational and answer.fit is not Fit.STRONG:
            ctx.end()  # nothing was asked there: the message goes where it asks to
            await self.route_free_text(ctx, msg)
            return
        if answer.fit is Fit.NONE and msg.kind in (InboundKind.FILE, InboundKind.UNSUPPORTED):
            # Mid-question the question stays, buttons included: messengers like Viber show
            # only the last message's keyboard.
            self.repeat_question(ctx, ctx.t(f"common.{msg.kind.value}_mid"))
            return
        request = await self._request(ctx, msg, step)
        if answer.fit is Fit.STRONG or (
            answer.fit is Fit.WEAK and (request is None or request.confidence < SURE)
        ):
            ctx.state.misses = 0
            await step.handler(ctx, msg)
            await self._also_asked(ctx, msg, step)
        elif request is not None:
            await self._interrupt(ctx, request, msg)
        else:  # «передать показания» again at the reading's question is a miss too
            await self.missed(ctx, msg)

    async def _request(self, ctx: Ctx, msg: Msg, step: Step) -> Request | None:
        """A clear request for another task than the step's, or None."""
        if msg.kind is not InboundKind.TEXT or not msg.text:
            return None
        analysis = msg.analysis
        target = self.route(analysis)
        if target is None or target == step.flow or analysis.topic in _MANNERS:
            return None
        if step.flow == "link" and target == ctx.state.resume:
            return None  # linking is the way to that task: it goes on
        if self.flows[target].needs_account and step.flow == "link" and not await ctx.accounts():
            return None  # every task with an account starts by linking: the same way
        return Request(target, analysis.confidence)

    def _asks_more(self, msg: Msg, step: Step) -> bool:
        """Words after a «стоп» that ask for another task: an interruption, not a leave."""
        if len(msg.text.split()) < MORE_WORDS:
            return False
        target = self.route(msg.analysis)
        return target not in (None, step.flow) and msg.analysis.confidence >= CONFIDENT

    async def _interrupt(self, ctx: Ctx, request: Request, msg: Msg) -> None:
        """Leave the current step for another task; a flow worth coming back to is kept."""
        state = ctx.state
        if state.suspended is not None and state.suspended["flow"] == request.flow:
            if state.suspended.get("step") is None:  # asked for again before it was offered
                state.suspended = None
                state.resume, state.resume_text = None, ""
                await self.start_flow(ctx, request.flow, msg)
                return
            self._restore(ctx, state.suspended)  # «давай дальше с заявкой»: the task kept
            self.repeat_question(ctx)
            return
        flow = self.flows[state.flow] if state.flow else None
        if flow is not None and flow.resume_question and request.flow != "operator":
            state.suspended = {
                "flow": state.flow,
                "step": state.step,
                "data": copy.deepcopy(state.data),
                "last": copy.deepcopy(state.last),
                "trail": copy.deepcopy(state.trail),
                # What linking was for goes with the linking, not to whatever comes next.
                "resume": state.resume,
                "resume_text": state.resume_text,
            }
        state.resume, state.resume_text = None, ""
        await self.start_flow(ctx, request.flow, msg)

    async def missed(self, ctx: Ctx, msg: Msg) -> None:
        """A message that fits the question no way: the question again with a hint, and from the
        second miss in a row a way out too."""
        step = self.current_step(ctx.state)
        if step is None:
            await self.route_free_text(ctx, msg)
            return
        ctx.state.misses += 1
        hint = ctx.t(f"expect.{step.expects.kind}")
        if ctx.state.misses >= STUCK_AFTER:
            hint = "\n\n".join([hint, ctx.t("expect.stuck")])
            extra = [ctx.operator_option(), ctx.menu_option()]
        else:
            extra = []
        self.repeat_question(ctx, hint, extra)

    def repeat_question(
        self, ctx: Ctx, before: str = "", extra: Sequence[tuple[str, str]] = ()
    ) -> bool:
        """Ask the open question again, with its buttons (and `before` it, `extra` buttons after
        them). False when no question is open."""
        last = ctx.state.last
        question = last.get("question") or last.get("text")
        if not question or ctx.state.flow is None:
            return False
        base = [
            (str(label), str(action))
            for label, action in last.get("question_options", last.get("options", ()))
        ]
        known = {action for _, action in base}
        options = base + [option for option in extra if option[1] not in known]
        text = "\n\n".join(part for part in (before, question) if part)
        ctx.say(text, options, request_phone=bool(last.get("phone")))
        ctx.repeated = (question, [list(option) for option in base])
        return True

    # -- buttons, typed options, commands --------------------------------------------------------

    async def _resolve_button(self, ctx: Ctx, msg: Msg) -> bool:
        payload = msg.inbound.payload
        if payload.startswith(GO) and payload.removeprefix(GO) in self.flows:
            msg.action = payload
            return True
        match = _PAYLOAD.match(payload)
        if match is None:
            await self.stale(ctx)
            return False
        version, action = int(match[1]), match[2]
        last = ctx.state.last
        offered = {str(option[1]) for option in last.get("options", ())}
        offered |= {str(option[1]) for option in last.get("question_options", ())}
        if version != ctx.conversation.version or action not in offered:
            # An older prompt's button, or one of an earlier message of the last turn that is
            # not its question: only the current question's buttons act.
            await self.stale(ctx)
            return False
        msg.action = action
        return True

    def _typed_option(self, ctx: Ctx, text: str, step: Step | None) -> str | None:
        """A typed number or label presses a button of the last prompt (and of no other)."""
        options = ctx.state.last.get("options") or []
        if not options:
            return None
        numbered = _NUMBERED.match(text)
        if numbered:
            own_question = not any(option[1] in (RESUME, DROP) for option in options)
            if step is not None and step.expects.numeric and own_question:
                return None  # a number is input here: a reading, an account number
            index = int(numbered[1]) - 1
            return options[index][1] if 0 <= index < len(options) else None
        typed = normalize_label(text)
        exact = [action for label, action in options if normalize_label(label) == typed]
        if exact:
            return str(exact[0])
        # «мои счета» presses «Мои лицевые счета»: every typed word in one label only.
        words = set(typed.split())
        if not words or max(len(w) for w in words) < 4:
            return None
        partial = [a for label, a in options if words <= set(normalize_label(label).split())]
        return str(partial[0]) if len(partial) == 1 else None

    async def stale(self, ctx: Ctx) -> None:
        ctx.say(ctx.t("common.stale"))
        if not self.repeat_question(ctx):
            await self.main_menu(ctx)

    async def _command(self, ctx: Ctx, cmd: Command, msg: Msg) -> None:
        if cmd is Command.CANCEL and self._waiting(ctx):
            msg.action = WITHDRAW_ESCALATION  # «отмена» while waiting withdraws the request
            await self.flows["operator"].steps["waiting"].handler(ctx, msg)
        elif cmd is Command.OPERATOR:
            await self.start_flow(ctx, "operator", msg)
        elif cmd is Command.HELP:
            await self.main_menu(ctx, "menu.help")
        elif cmd is Command.BACK:
            await self._back(ctx)
        elif cmd is Command.CANCEL:
            if ctx.state.flow is None:
                ctx.state.suspended = None
                await self.main_menu(ctx, "menu.prompt")
            else:
                flow = self.flows[ctx.state.flow]
                ctx.end()
                ctx.state.resume, ctx.state.resume_text = None, ""
                ctx.say(ctx.t(flow.cancelled or "menu.cancelled"), self.menu_options(ctx))
        else:
            await self.main_menu(ctx)

    async def _back(self, ctx: Ctx) -> None:
        """«назад»: the previous question of the flow, with the answers given before it."""
        trail = ctx.state.trail
        suspended = ctx.state.suspended
        if len(trail) < 2 and suspended is not None and suspended.get("step"):
            self._restore(ctx, suspended)  # back from a side question to the task it left
            self.repeat_question(ctx)
            return
        if ctx.state.flow is None or len(trail) < 2:
            key = "menu.back_to_menu" if ctx.state.flow else "menu.prompt"
            await self.main_menu(ctx, key)
            return
        trail.pop()
        previous = trail[-1]
        ctx.state.step = previous["step"]
        ctx.state.data = copy.deepcopy(previous["data"])
        ctx.state.last = copy.deepcopy(previous["last"])
        ctx.state.misses = 0
        self.repeat_question(ctx)

    @staticmethod
    def _last_offered(ctx: Ctx, action: str) -> bool:
        """Whether the last prompt had a button for `action` («отмена» then means it)."""
        return any(option[1] == action for option in ctx.state.last.get("options", ()))

    # -- an interrupted task, offered back ---------------------------------------------------------

    def settled(self, ctx: Ctx) -> bool:
        """No question open: no flow, or one that only shows information (the tariffs' menu)."""
        flow = self.flows.get(ctx.state.flow) if ctx.state.flow else None
        return flow is None or flow.informational

    async def _answer_to_resume(self, ctx: Ctx, msg: Msg, cmd: Command | None) -> bool:
        """Back to an interrupted task: the answer to «shall we go on with …?», a request for that
        task, or an answer to its open question typed straight away («8165» after a question
        about zone hours). Anything else once the question was asked lets the old task go."""
        suspended = ctx.state.suspended
        if suspended is None:
            return False
        offered = bool(suspended.get("offered")) and self._last_offered(ctx, RESUME)
        answer = msg.action if msg.action in (RESUME, DROP) else None
        typed = msg.kind is InboundKind.TEXT and cmd is None and msg.action is None
        if answer is None and typed and offered:
            if is_yes(msg.text) or _GO_ON.search(msg.text):
                answer = RESUME
            elif is_no(msg.text):
                answer = DROP
        if answer is None and typed and msg.text and self.settled(ctx):
            if await self._fits_suspended(ctx, msg, suspended):
                self._restore(ctx, suspended)
                step = self.current_step(ctx.state)
                assert step is not None
                await self._step_turn(ctx, step, msg)
                return True
            if self.route(msg.analysis) == suspended["flow"]:
                answer = RESUME
        if answer == RESUME:
            if suspended.get("step") is None:  # a second request of an earlier message
                ctx.state.suspended = None
                asked = msg  # asked for again in words: this message says it
                if msg.action is not None or self.route(msg.analysis) != suspended["flow"]:
                    text = suspended.get("text", "")
                    asked = Msg(ctx_inbound(ctx, text), language=ctx.language)
                await self.start_flow(ctx, suspended["flow"], asked)
                return True
            self._restore(ctx, suspended)
            if self.current_step(ctx.state) is None:
                await self.main_menu(ctx)
            else:
                self.repeat_question(ctx)
            return True
        if answer == DROP:
            ctx.state.suspended = None
            await self.main_menu(ctx, "menu.dropped")
            return True
        if offered:
            ctx.state.suspended = None
        return False

    async def _fits_suspended(self, ctx: Ctx, msg: Msg, suspended: dict[str, Any]) -> bool:
        """The message answers the interrupted question, and asks for nothing else: «показания
        31600» is a reading, not the amount of the payment the customer left for the balance."""
        flow = self.flows.get(suspended["flow"])
        step = flow.steps.get(suspended.get("step") or "") if flow else None
        if step is None or (await step.expects.read(ctx, msg)).fit is not Fit.STRONG:
            return False
        if getattr(step.expects, "exact", False):
            return True  # a form only its answer has (the e-mail code), whatever else it looks like
        return await self._request(ctx, msg, step) is None

    @staticmethod
    def _restore(ctx: Ctx, suspended: dict[str, Any]) -> None:
        state = ctx.state
        state.suspended = None
        state.flow, state.step = suspended["flow"], suspended["step"]
        state.data, state.last = suspended["data"], suspended["last"]
        state.trail, state.misses = suspended["trail"], 0
        state.resume = suspended.get("resume")
        state.resume_text = suspended.get("resume_text", "")

    def _offer_resume(self, ctx: Ctx) -> None:
        suspended = ctx.state.suspended
        if suspended is None or suspended.get("offered") or not self.settled(ctx):
            return
        flow = self.flows.get(suspended["flow"])
        if flow is None:
            ctx.state.suspended = None
            return
        if suspended.get("step") is None:
            question = ctx.t("menu.also_asked", text=_quoted(suspended.get("text", "")))
        elif flow.resume_question is not None:
            question = ctx.t(flow.resume_question)
        else:
            ctx.state.suspended = None
            return
        suspended["offered"] = True
        ctx.say(
            question, [ctx.option("menu.resume_yes", RESUME), ctx.option("menu.resume_no", DROP)]
        )

    # -- card data -------------------------------------------------------------------------------

    async def _card_data(self, ctx: Ctx, msg: Msg) -> None:
        """Never read a message that carried card data: warn, and ask the open question again.
        (The masked text still reaches an operator who is already on the case.)"""
        if ctx.conversation.status is not ConversationStatus.BOT:
            escalation = await ctx.store.escalations.active(ctx.conversation.id)
            if escalation is not None:
                await ctx.store.escalations.add_message(
                    escalation.id, Author.CUSTOMER, msg.for_operator, ctx.now
                )
                ctx.say(ctx.t("common.card_data"))
                return
        if not self.repeat_question(ctx, ctx.t("common.card_data")):
            ctx.say(
                ctx.t("common.card_data"),
                [ctx.option("menu.how_to_pay", f"{GO}payment"), ctx.menu_option()],
            )

    # -- waiting for an operator -------------------------------------------------------------------

    def _short_request(self, msg: Msg) -> bool:
        """«показания 20100», «нет света», «пик 96800 полупик 122500 ночь 88900»: a request the
        bot understands well in a few words, or values, answered while the operator sees them
        too. Longer text is the customer explaining the problem to the operator."""
        if msg.action is not None or msg.kind is not InboundKind.TEXT:
            return False
        analysis = msg.analysis
        target = self.route(analysis)
        if target in (None, "operator"):
            return False
        words = len(msg.text.split())
        if target == "readings" and _reading_like(msg.text, analysis.entities.readings):
            return words <= CLEAR_REQUEST_WORDS  # values are for the bot, not for reading out
        if analysis.confidence >= SURE and _QUESTION.search(msg.text):
            return words <= QUESTION_WORDS  # «а долг то какой у меня сейчас и пени сколько»
        return words <= SHORT_REQUEST_WORDS

    @staticmethod
    def _waiting(ctx: Ctx) -> bool:
        """An escalation waits and the customer is not in the middle of another flow."""
        return ctx.conversation.status is ConversationStatus.WAITING_OPERATOR and (
            ctx.state.flow in (None, "operator")
        )

    async def _to_operator(self, ctx: Ctx, msg: Msg) -> None:
        """Add the message to the active escalation (an operator holds the conversation, or it
        waits and the bot answers a short request as well)."""
        escalation = await ctx.store.escalations.active(ctx.conversation.id)
        assert escalation is not None  # _dispatch hands the conversation back otherwise
        await ctx.store.escalations.add_message(
            escalation.id, Author.CUSTOMER, msg.for_operator, ctx.now
        )

    # -- routing -----------------------------------------------------------------------------

    def route(self, analysis: Any) -> str | None:
        """The flow free text asks for, if the NLU is confident enough of it."""
        topic_flow = self.topic_flows.get(analysis.topic) if analysis.topic else None
        if topic_flow is not None and self.flows[topic_flow].sure_only:
            return topic_flow if analysis.confidence >= SURE else None
        if analysis.intent is not Intent.OTHER and analysis.confidence >= CONFIDENT:
            # A refinement («мои заявки», an estimate) has a flow of its own.
            return topic_flow or self.intent_flows.get(analysis.intent)
        return topic_flow

    async def start_flow(self, ctx: Ctx, name: str, msg: Msg) -> None:
        flow = self.flows[name]
        ctx.state.unknown = ctx.state.misses = 0
        named = flow.links_named_account and msg.action is None and msg.analysis.entities.accounts
        if (flow.needs_account or named) and not await ctx.accounts():
            ctx.end()
            ctx.state.resume = name
            ctx.state.resume_text = msg.text if msg.action is None else ""
            await self._entry(ctx, self.flows["link"], msg)
            return
        ctx.end()
        await self._entry(ctx, flow, msg)

    async def _entry(self, ctx: Ctx, flow: Flow, msg: Msg) -> None:
        assert flow.entry is not None, f"flow {flow.name} has no entry"
        await flow.entry(ctx, msg)

    async def resume(self, ctx: Ctx) -> bool:
        """After linking: continue with what the customer wanted first — and, as for any
        message, with the other request it carried («… день 52400 ночь 20190 и скока я должен»
        before linking: the balance and the readings both)."""
        name, text = ctx.state.resume, ctx.state.resume_text
        ctx.state.resume, ctx.state.resume_text = None, ""
        if not name:
            return False
        ctx.forget_accounts()
        inbound = ctx_inbound(ctx, text)
        await self._serve(ctx, name, Msg(inbound, language=ctx.language))
        return True

    async def route_free_text(self, ctx: Ctx, msg: Msg) -> None:
        kind = msg.inbound.kind
        if kind is InboundKind.CONTACT:
            if msg.inbound.phone.strip():
                await self.start_flow(ctx, "link", msg)
            else:  # a contact without a phone number links nothing
                await self.main_menu(ctx, "menu.not_understood")
            return
        if kind in (InboundKind.FILE, InboundKind.UNSUPPORTED):
            await self.main_menu(ctx, f"common.{kind.value}")
            return
        analysis = msg.analysis
        target = self.route(analysis)
        if target is None and (is_yes(msg.text) or is_no(msg.text)):
            # «да» with no question open: the customer is ready, the menu says what there is.
            await self.main_menu(ctx, "menu.listening")
            return
        if target is None and analysis.entities.accounts:
            target = "link"
        elif target is None and _reading_like(msg.text, analysis.entities.readings):
            target = "readings" if await ctx.accounts() else None
        if target is not None:
            await self._serve(ctx, target, msg)
            return
        # Some evidence, not enough: ask which of the two likeliest was meant, never guess.
        likely = [
            self.intent_flows[intent]
            for intent, confidence in analysis.alternatives
            if intent in self.intent_flows and confidence > 0
        ][:2]
        if likely:
            ctx.end()
            options = [ctx.option(f"menu.clarify_option.{flow}", GO + flow) for flow in likely]
            if "operator" not in likely:
                options.append(ctx.operator_option())
            options.append(ctx.menu_option())
            ctx.say(ctx.t("menu.clarify"), options)
            return
        ctx.state.unknown += 1
        ctx.end()
        if ctx.state.unknown >= STUCK_AFTER:
            ctx.say(
                ctx.t("menu.not_understood_again"),
                [ctx.operator_option(), ctx.menu_option()],
            )
        else:
            ctx.say(ctx.t("menu.not_understood"), self.menu_options(ctx))
        ctx.state.unknown = min(ctx.state.unknown, STUCK_AFTER)

    async def _serve(self, ctx: Ctx, target: str, msg: Msg) -> None:
        """The task asked for, and another one a clause of the same message asks for clearly
        («день 23520 ночь 8165, а тариф у меня какой»): the one that answers at once first, the
        one that asks a question last, so that its buttons are the ones that stay."""
        found = self._second_request(msg, target)
        other = found[0] if found else None
        if other is not None and "readings" not in (target, other):
            # «соедините с оператором, не пришла квитанция»: the rest is the operator's reason.
            if self.flows[other].takes_whole_message:
                target, other = other, None
            elif self.flows[target].takes_whole_message:
                other = None
        if other is None or other == target:
            await self.start_flow(ctx, target, msg)
            if self.settled(ctx) and target != "readings":
                await self._offer_leftovers(ctx, msg, target)
            return
        # Each flow reads the whole message: what it needs may stand in the other clause
        # («нужен мастер, жалоба на качество электроэнергии» names the kind of visit).
        first, last = (other, target) if self._asks(target) else (target, other)
        if self._asks(first) and "readings" in (first, last):
            # Both ask: the values first (one question: «это показание?»), the rest after.
            first, last = "readings", (last if first == "readings" else first)
        await self.start_flow(ctx, first, msg)
        if self.settled(ctx):
            await self.start_flow(ctx, last, msg)
        else:  # one question at a time: the other request is offered once this one is done
            ctx.state.suspended = {"flow": last, "step": None, "text": msg.text}

    def _asks(self, name: str) -> bool:
        """Whether a flow usually asks something before it answers (beyond which account)."""
        flow = self.flows[name]
        return not flow.informational and any(step != "account" for step in flow.steps)

    async def _also_asked(self, ctx: Ctx, msg: Msg, answered: Step) -> None:
        """The answer to a question that asks for something else too («день 7390 ночь 3010, а
        тариф у меня какой»): that clause is served once the task is done, or offered then.
        Not where any text is the answer (a comment for the technician), nor while linking
        (which goes on to the task it was for)."""
        if msg.kind is not InboundKind.TEXT or not msg.text or ctx.state.suspended is not None:
            return
        if isinstance(answered.expects, FreeText) or answered.flow == "link":
            return
        if self.flows[answered.flow].takes_whole_message:
            return  # «присылайте только про отключения и квитанции» is one answer
        found = self._second_request(msg, answered.flow)
        if found is None or found[0] in (ctx.state.flow, self.flows[answered.flow].continues):
            return
        other, clause = found
        if self.settled(ctx):
            await self.start_flow(ctx, other, Msg(ctx_inbound(ctx, clause), language=ctx.language))
        else:
            ctx.state.suspended = {"flow": other, "step": None, "text": clause}

    def _second_request(self, msg: Msg, first: str) -> tuple[str, str] | None:
        """Another task than `first` that a clause of the message asks for clearly (linking is
        not one: every task with an account starts with it anyway), and that clause."""
        every = clauses(msg.text)
        if len(every) < 2:  # «да, и соедините с оператором»: a short answer is a clause too
            return None
        parts = [
            part
            for part in every
            if len(part.split()) >= 2 or any(ch.isdigit() for ch in part)  # «12480, а ещё …»
        ]
        for part in parts:
            analysis = analyze(part, msg.language)
            flow = self.route(analysis)
            if (
                flow not in (None, first, "link")
                and analysis.confidence >= SECOND_REQUEST
                and analysis.topic not in _NOT_REQUESTS
                # «я плачу по 2000 …, можно ли вернуть деньги?»: the same intent without the
                # refinement is the context of the request, not a second one.
                and not (
                    msg.analysis.topic is not None
                    and analysis.intent is msg.analysis.intent
                    and analysis.topic is None
                    and self.route(msg.analysis) == first
                )
                and not _REFUSES.search(part)
                and not self.flows[flow].sure_only
                and not (
                    flow == "readings"
                    and (
                        _PRICED.search(msg.text)
                        or money_beside_numbers(part)
                        or bill_disputed(msg.text)
                    )
                )
            ):
                return flow, part
        return None

    async def _offer_leftovers(self, ctx: Ctx, msg: Msg, served: str) -> None:
        """What the message carried for another task is offered, not dropped («за маму 31650,
        квитанции нет под рукой»: the reading is offered once the receipt is answered)."""
        for flow in self.flows.values():
            if flow.name != served and flow.leftover is not None and await flow.leftover(ctx, msg):
                return

    def menu_options(self, ctx: Ctx) -> list[tuple[str, str]]:
        return [ctx.option(label, GO + flow) for _, label, flow in self.menu]

    async def main_menu(
        self, ctx: Ctx, key: str = "menu.prompt", *, keep_pending: bool = False, **params: Any
    ) -> None:
        """The main menu. Asked for («меню»), it drops whatever was pending; a flow ending with
        it (`keep_pending`) leaves an interrupted task to be offered back."""
        ctx.end()
        if not keep_pending:
            ctx.state.resume, ctx.state.resume_text, ctx.state.suspended = None, "", None
        ctx.say(ctx.t(key, **params), self.menu_options(ctx))

    async def recover(self, ctx: Ctx) -> list[Reply]:
        """After a failed turn: start over from the menu with an apology, nothing else."""
        ctx.state = DialogState(declined_language=ctx.state.declined_language)
        await self.main_menu(ctx, "common.error")
        return self._finish(ctx)

    # -- end of turn ---------------------------------------------------------------------------

    def _finish(self, ctx: Ctx) -> list[Reply]:
        self._offer_resume(ctx)
        conversation = ctx.conversation
        conversation.version += 1
        state = ctx.state
        step = self.current_step(state)
        prompts = [draft for draft in ctx.drafts if not draft.aside]
        if prompts:
            last = prompts[-1]
            prompt: dict[str, Any] = {
                "text": last.text,
                "options": [list(option) for option in last.options],
                "input": bool(step and step.expects.numeric),
                "phone": last.request_phone,
            }
            if ctx.repeated is not None:  # the question itself, without the hint before it
                prompt["question"], prompt["question_options"] = ctx.repeated
            state.last = prompt
        if step is not None and ctx.drafts:
            entry = {"step": step.name, "data": copy.deepcopy(state.data), "last": state.last}
            if state.trail and state.trail[-1]["step"] == step.name:
                state.trail[-1] = entry
            else:
                state.trail = [*state.trail, entry][-MAX_TRAIL:]
        elif step is None:
            state.trail = []
        conversation.state = state.dump()
        return [self._render(draft, conversation.version) for draft in ctx.drafts]

    def current_step(self, state: DialogState) -> Step | None:
        if state.flow and state.step:
            flow = self.flows.get(state.flow)
            return flow.steps.get(state.step) if flow else None
        return None

    @staticmethod
    def _render(draft: Draft, version: int) -> Reply:
        buttons = tuple(
            Button(
                label,
                action
                if action.startswith((GO, LANGUAGE, *SUBSCRIPTION))
                else f"{version}:{action}",
            )
            for label, action in draft.options
        )
        return Reply(
            draft.text,
            buttons,
            request_phone=draft.request_phone,
            attachment=draft.attachment,
            phone_label=draft.phone_label,
            language=draft.language,
        )


def _answers_cancel(step: Step, text: str) -> bool:
    """A «не надо» the step takes as its answer: the no of a yes/no question, or «nothing to
    add» where any text is an answer (only «отмена», «стоп» leave there)."""
    if is_yes_no(step) and is_no(text):
        return True
    free = isinstance(step.expects, FreeText) and step.flow != "operator"
    return free and not _EXPLICIT_CANCEL.match(text)


def _changed_mind(text: str, step: Step) -> Command | None:
    """«не надо мастера», «передумала, потом передам» mid-step: the customer leaves it (a yes/no
    question takes its own «нет», a step that answers «отмена» itself keeps it, and where any
    text is an answer only an explicit «отмена» or «стоп» leaves: «не нужно» is no comment)."""
    if step.flow == "operator" and _WITHDRAWS.search(text):
        return Command.CANCEL  # the engine still serves a request that comes with it
    if Command.CANCEL in step.handles or len(text.split()) > CHANGED_MIND_WORDS:
        return None
    if is_yes_no(step) and is_no(text):
        return None
    if any(ch.isdigit() for ch in text):
        return None
    said = _CHANGED_MIND.match(text) or _PUT_OFF.match(text)
    if isinstance(step.expects, FreeText) and step.flow != "operator":
        return Command.CANCEL if said and _EXPLICIT_CANCEL.match(text) else None
    if not said and not _LATER.search(text):
        return None
    if step.flow == "operator":
        # «не надо было так начислять», «позже перезвоните», «ничего не видно» explain the
        # problem; «ладно, не надо оператора», «отмена, сама разберусь» withdraw the request.
        about = _ABOUT_THE_REQUEST.search(text) or _EXPLICIT_CANCEL.match(text)
        return Command.CANCEL if about else None
    return Command.CANCEL


def _quoted(text: str) -> str:
    return text if len(text) <= QUOTED else text[: QUOTED - 1].rstrip() + "…"


def hand_back(conversation: Conversation) -> None:
    """An operator closed the conversation: the bot has it again, at no step, with nothing
    pending (the customer's next message is routed afresh)."""
    state = DialogState.load(conversation.state)
    conversation.state = DialogState(
        unknown=0, declined_language=state.declined_language, last={}
    ).dump()
    conversation.status = ConversationStatus.BOT


_ONLY_NUMBERS = re.compile(r"^[\d\s.,:;/-]+$")


def _reading_like(text: str, readings: Sequence[ParsedValue]) -> bool:
    """Numbers a customer most likely meant as readings: labelled, alone in the message, or
    meter-sized. One small number among other words («что-то 5», «alert(1)») is not."""
    if not readings:
        return False
    if _ONLY_NUMBERS.match(text.strip()):
        return True
    return any(r.zone is not None or r.register or r.integer_digits >= 3 for r in readings)


def ctx_inbound(ctx: Ctx, text: str) -> Inbound:
    """A synthetic text event for resuming a flow with what the customer first wrote."""
    return Inbound(
        channel=ctx.conversation.channel,
        user_id=ctx.conversation.user_id,
        event_id="resume",
        kind=InboundKind.TEXT,
        time=ctx.now,
        text=text,
    )
