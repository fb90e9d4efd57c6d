"""Flows and steps: each flow module declares one Flow and registers a handler per step."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from dialogs.messages import Inbound, InboundKind
from dialogs.nlu import Analysis, analyze

if TYPE_CHECKING:
    from dialogs.context import Ctx


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

    @cached_property
    def analysis(self) -> Analysis:
        return analyze(self.text, self.language)


Handler = Callable[["Ctx", Msg], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Step:
    handler: Handler
    expects_input: bool  # typed numbers are input here, not button numbers


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

    def step(self, name: str, *, expects_input: bool = False) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.steps[name] = Step(handler, expects_input)
            return handler

        return register
