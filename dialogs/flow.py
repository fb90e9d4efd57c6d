"""Flows and steps: each flow module declares one Flow and registers a handler per step."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from core.conversations import transcript_line
from dialogs.messages import Inbound, InboundKind
from dialogs.nlu import Analysis, Command, Intent, analyze

if TYPE_CHECKING:
    from dialogs.context import Ctx

# How sure the NLU must be: to route free text at a menu, and to take a message typed in the
# middle of a step (or while an escalation waits) as a different request.
CONFIDENT = 0.5
SURE = 0.8


@dataclass
class Msg:
    """One inbound event as a step sees it."""

    inbound: Inbound
    action: str | None = None  # the pressed (or typed / numbered) button's action
    language: str = "ru"

    @property
    def text(self) -> str:
        return self.inbound.text.strip()

    @property
    def kind(self) -> InboundKind:
        return self.inbound.kind

    @property
    def for_operator(self) -> str:
        """What an operator sees of the message."""
        return transcript_line(self.kind.value, self.text, self.inbound.file_id, self.inbound.phone)

    def asks_for_something_else(
        self, current: Intent | None = None, threshold: float = SURE
    ) -> bool:
        """A button, or free text the NLU confidently reads as a request other than `current`
        (a step uses it to let the customer leave instead of repeating its question)."""
        if self.action:
            return True
        analysis = self.analysis
        if analysis.confidence < threshold:
            return False
        if analysis.intent is Intent.OTHER:
            return analysis.topic is not None
        return analysis.intent is not current

    @cached_property
    def analysis(self) -> Analysis:
        return analyze(self.text, self.language)


Handler = Callable[["Ctx", Msg], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Step:
    handler: Handler
    expects_input: bool  # typed numbers are input here, not button numbers
    # Global commands this step answers itself: «отмена» at «cancel the visit?» means yes.
    handles: frozenset[Command] = frozenset()


@dataclass(slots=True)
class Flow:
    name: str
    needs_account: bool = False  # the engine links an account first, then comes back
    entry: Handler | None = None
    steps: dict[str, Step] = field(default_factory=dict)

    def start(self, handler: Handler) -> Handler:
        """Register the handler that starts the flow."""
        self.entry = handler
        return handler

    def step(
        self,
        name: str,
        *,
        expects_input: bool = False,
        handles: frozenset[Command] = frozenset(),
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.steps[name] = Step(handler, expects_input, handles)
            return handler

        return register
