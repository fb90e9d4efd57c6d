"""The dialog engine: one inbound event + the conversation's state → replies + new state."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from core.conversations import Author, ConversationStatus
from core.readings import ParsedValue
from dialogs.context import GO, WITHDRAW_ESCALATION, Ctx, DialogState, Draft
from dialogs.flow import CONFIDENT, Flow, Msg
from dialogs.messages import Button, Inbound, InboundKind, Reply
from dialogs.nlu import Command, Intent, Topic, command

INTENT_FLOWS: dict[Intent, str] = {
    Intent.SUBMIT_READING: "readings",
    Intent.BALANCE_DEBT: "balance",
    Intent.PAYMENT: "payment",
    Intent.RECEIPT: "receipt",
    Intent.TARIFF_QUESTION: "tariffs",
    Intent.TECHNICIAN_CALL: "visits",
    Intent.OPERATOR_REQUEST: "operator",
    Intent.CHANGE_CONTACTS: "contacts",
    Intent.OUTAGE_REPORT: "outage",
}
TOPIC_FLOWS: dict[Topic, str] = {
    Topic.LINK_ACCOUNT: "link",
    Topic.UNLINK_ACCOUNT: "accounts",
    Topic.REMINDERS: "settings",
    Topic.LANGUAGE: "settings",
    Topic.DELETE_DATA: "settings",
    Topic.MY_VISITS: "my_visits",
    Topic.ESTIMATE: "tariffs",
    Topic.OFFICE_HOURS: "hours",
    Topic.GREETING: "greeting",
    Topic.THANKS: "thanks",
    Topic.SETTINGS: "settings",
}
MAIN_MENU: tuple[tuple[str, str], ...] = (
    ("menu.readings", "readings"),
    ("menu.balance", "balance"),
    ("menu.receipt", "receipt"),
    ("menu.tariffs", "tariffs"),
    ("menu.visit", "visits"),
    ("menu.accounts", "accounts"),
    ("menu.outage", "outage"),
    ("menu.operator", "operator"),
    ("menu.settings", "settings"),
)
SHORT_REQUEST_WORDS = 3
_PAYLOAD = re.compile(r"^(\d+):(.+)$")
_NUMBERED = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")
_LABEL_NOISE = re.compile(r"[^\w\s]+")


def normalize_label(text: str) -> str:
    return " ".join(_LABEL_NOISE.sub(" ", text.casefold().replace("ё", "е")).split())


class Engine:
    def __init__(self, flows: Mapping[str, Flow]) -> None:
        self.flows = dict(flows)

    # -- one turn ----------------------------------------------------------------------------

    async def run(self, ctx: Ctx, inbound: Inbound) -> list[Reply]:
        msg = Msg(inbound, language=ctx.customer.language)
        if inbound.redacted:
            ctx.say(ctx.t("common.card_data"))
        await self._dispatch(ctx, msg)
        return self._finish(ctx)

    async def _dispatch(self, ctx: Ctx, msg: Msg) -> None:
        inbound = msg.inbound
        if self._current_step(ctx.state) is None:
            ctx.end()  # a flow or step this version no longer has: start from the menu
        conversation = ctx.conversation
        # An operator may have closed the escalation since: the bot has the conversation again.
        if (
            conversation.status is not ConversationStatus.BOT
            and await ctx.store.escalations.active(conversation.id) is None
        ):
            conversation.status = ConversationStatus.BOT
        cmd = command(inbound.text) if inbound.kind is InboundKind.TEXT else None
        step = self._current_step(ctx.state)
        if cmd is not None and step is not None and cmd in step.handles:
            cmd = None  # this step answers the command itself
        if inbound.kind is InboundKind.START or cmd is Command.START:
            ctx.end()
            ctx.state.resume, ctx.state.resume_text = None, ""
            await self.start_flow(ctx, "start", msg)
            return
        if ctx.conversation.status is ConversationStatus.OPERATOR:
            await self._to_operator(ctx, msg)
            return
        if inbound.kind is InboundKind.BUTTON:
            if not await self._resolve_button(ctx, msg):
                return
        elif inbound.kind is InboundKind.TEXT and cmd is None:
            msg.action = self._typed_option(ctx, msg.text)

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
        elif ctx.state.flow and ctx.state.step:
            flow = self.flows[ctx.state.flow]
            await flow.steps[ctx.state.step].handler(ctx, msg)
        else:
            await self.route_free_text(ctx, msg)

    async def _resolve_button(self, ctx: Ctx, msg: Msg) -> bool:
        payload = msg.inbound.payload
        if payload.startswith(GO) and payload.removeprefix(GO) in self.flows:
            msg.action = payload
            return True
        match = _PAYLOAD.match(payload)
        if match is None:
            await self._stale(ctx)
            return False
        version, action = int(match[1]), match[2]
        if version != ctx.conversation.version:
            await self._stale(ctx)
            return False
        msg.action = action
        return True

    def _typed_option(self, ctx: Ctx, text: str) -> str | None:
        """A typed number or label presses a button of the last prompt."""
        options = ctx.state.last.get("options") or []
        if not options:
            return None
        numbered = _NUMBERED.match(text)
        if numbered and not ctx.state.last.get("input"):
            index = int(numbered[1]) - 1
            return options[index][1] if 0 <= index < len(options) else None
        typed = normalize_label(text)
        exact = [action for label, action in options if normalize_label(label) == typed]
        if exact:
            return exact[0]
        # «мои счета» presses «Мои лицевые счета»: every typed word in one label only.
        words = set(typed.split())
        if not words or max(len(w) for w in words) < 4:
            return None
        partial = [a for label, a in options if words <= set(normalize_label(label).split())]
        return partial[0] if len(partial) == 1 else None

    async def _stale(self, ctx: Ctx) -> None:
        ctx.say(ctx.t("common.stale"))
        if not self._repeat_question(ctx):
            await self.main_menu(ctx)

    @staticmethod
    def _repeat_question(ctx: Ctx) -> bool:
        """Ask the open question again, with its buttons; a finished answer («показания
        приняты») is not repeated. False when no question is open."""
        last = ctx.state.last
        if not (last.get("text") and ctx.state.flow is not None):
            return False
        options = [tuple(option) for option in last.get("options", ())]
        ctx.say(last["text"], options, request_phone=bool(last.get("phone")))
        return True

    @staticmethod
    def _short_request(msg: Msg) -> bool:
        """«показания 20100», «нет света»: a few words the bot understands well."""
        if msg.action is not None or msg.kind is not InboundKind.TEXT:
            return False
        if len(msg.text.split()) > SHORT_REQUEST_WORDS:
            return False  # longer text is the customer explaining the problem
        analysis = msg.analysis
        target = INTENT_FLOWS.get(analysis.intent) or TOPIC_FLOWS.get(analysis.topic)
        return target not in (None, "operator") and analysis.confidence >= CONFIDENT

    @staticmethod
    def _last_offered(ctx: Ctx, action: str) -> bool:
        """Whether the last prompt had a button for `action` («отмена» then means it)."""
        return any(option[1] == action for option in ctx.state.last.get("options", ()))

    @staticmethod
    def _waiting(ctx: Ctx) -> bool:
        """An escalation waits and the customer is not in the middle of another flow."""
        return ctx.conversation.status is ConversationStatus.WAITING_OPERATOR and (
            ctx.state.flow in (None, "operator")
        )

    async def _command(self, ctx: Ctx, cmd: Command, msg: Msg) -> None:
        if (
            cmd is Command.CANCEL
            and self._waiting(ctx)
            and self._last_offered(ctx, WITHDRAW_ESCALATION)
        ):
            msg.action = WITHDRAW_ESCALATION  # «отмена» while waiting withdraws the request
            await self.flows["operator"].steps["waiting"].handler(ctx, msg)
        elif cmd is Command.OPERATOR:
            await self.start_flow(ctx, "operator", msg)
        elif cmd is Command.HELP:
            await self.main_menu(ctx, "menu.help")
        elif cmd is Command.CANCEL:
            was_busy = ctx.state.flow is not None
            await self.main_menu(ctx, "menu.cancelled" if was_busy else "menu.prompt")
        else:
            await self.main_menu(ctx)

    async def _to_operator(self, ctx: Ctx, msg: Msg) -> None:
        """Add the message to the active escalation (an operator holds the conversation, or it
        waits and the bot answers a short request as well)."""
        escalation = await ctx.store.escalations.active(ctx.conversation.id)
        assert escalation is not None  # _dispatch hands the conversation back otherwise
        await ctx.store.escalations.add_message(
            escalation.id, Author.CUSTOMER, msg.for_operator, ctx.now
        )

    # -- routing -----------------------------------------------------------------------------

    async def start_flow(self, ctx: Ctx, name: str, msg: Msg) -> None:
        flow = self.flows[name]
        ctx.state.unknown = 0
        if flow.needs_account and not await ctx.accounts():
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
        """After linking: continue with what the customer wanted first."""
        name, text = ctx.state.resume, ctx.state.resume_text
        ctx.state.resume, ctx.state.resume_text = None, ""
        if not name:
            return False
        ctx.forget_accounts()
        inbound = ctx_inbound(ctx, text)
        await self.start_flow(ctx, name, Msg(inbound, language=ctx.customer.language))
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
            # Mid-question the question stays, buttons included: messengers like Viber show only
            # the last message's keyboard, and a sticker must not cost the customer theirs.
            if ctx.state.flow is not None and ctx.state.last.get("text"):
                ctx.say(ctx.t(f"common.{kind.value}_mid"))
                self._repeat_question(ctx)
            else:
                await self.main_menu(ctx, f"common.{kind.value}")
            return
        analysis = msg.analysis
        target: str | None = None
        if analysis.intent is not Intent.OTHER and analysis.confidence >= CONFIDENT:
            # A refinement («мои заявки», an estimate) has a flow of its own.
            target = TOPIC_FLOWS.get(analysis.topic) or INTENT_FLOWS.get(analysis.intent)
        elif analysis.topic in TOPIC_FLOWS:
            target = TOPIC_FLOWS[analysis.topic]
        elif analysis.topic is Topic.OWNERSHIP:
            target = "operator"  # a change of owner needs papers a human explains
        elif analysis.entities.accounts:
            target = "link"
        elif _reading_like(msg.text, analysis.entities.readings) and await ctx.accounts():
            target = "readings"
        if target is not None:
            await self.start_flow(ctx, target, msg)
            return
        # Some evidence, not enough: ask which of the two likeliest was meant, never guess.
        likely = [
            INTENT_FLOWS[intent]
            for intent, confidence in analysis.alternatives
            if intent in INTENT_FLOWS and confidence > 0
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
        if ctx.state.unknown >= 2:
            ctx.say(
                ctx.t("menu.not_understood_again"),
                [
                    ctx.operator_option(),
                    ctx.menu_option(),
                ],
            )
        else:
            ctx.say(ctx.t("menu.not_understood"), self.menu_options(ctx))
        ctx.state.unknown = min(ctx.state.unknown, 2)

    def menu_options(self, ctx: Ctx) -> list[tuple[str, str]]:
        return [ctx.option(key, GO + flow) for key, flow in MAIN_MENU]

    async def main_menu(self, ctx: Ctx, key: str = "menu.prompt", **params: Any) -> None:
        ctx.end()
        ctx.state.resume, ctx.state.resume_text = None, ""  # whatever was pending is dropped
        ctx.say(ctx.t(key, **params), self.menu_options(ctx))

    async def recover(self, ctx: Ctx) -> list[Reply]:
        """After a failed turn: start over from the menu with an apology, nothing else."""
        ctx.state = DialogState()
        await self.main_menu(ctx, "common.error")
        return self._finish(ctx)

    # -- end of turn ---------------------------------------------------------------------------

    def _finish(self, ctx: Ctx) -> list[Reply]:
        conversation = ctx.conversation
        conversation.version += 1
        step = self._current_step(ctx.state)
        if ctx.drafts:
            last = ctx.drafts[-1]
            ctx.state.last = {
                "text": last.text,
                "options": [list(option) for option in last.options],
                "input": bool(step and step.expects_input),
                "phone": last.request_phone,
            }
        conversation.state = ctx.state.dump()
        return [self._render(draft, conversation.version) for draft in ctx.drafts]

    def _current_step(self, state: DialogState) -> Any:
        if state.flow and state.step:
            return self.flows[state.flow].steps.get(state.step)
        return None

    @staticmethod
    def _render(draft: Draft, version: int) -> Reply:
        buttons = tuple(
            Button(label, action if action.startswith(GO) else f"{version}:{action}")
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
