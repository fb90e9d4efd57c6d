"""Flows and steps: a flow module declares one Flow, its routing, and its steps as objects."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from core.conversations import transcript_line
from dialogs.messages import Inbound, InboundKind
from dialogs.nlu import Analysis, Command, Intent, Topic, analyze

if TYPE_CHECKING:
    from dialogs.context import Ctx
    from dialogs.expect import Expectation

# How sure the NLU must be: to route free text, and to take a message typed in the middle of a
# step as a different request when it also carries something the step could use.
CONFIDENT = 0.5
SURE = 0.8


@dataclass
class Msg:
    """One inbound event as a step sees it, analysed once per turn."""

    inbound: Inbound
    action: str | None = None  # the pressed (or typed / numbered) button's action
    language: str = "ru"
    answer: Any = None  # what the step's expectation read from it

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

    @cached_property
    def analysis(self) -> Analysis:
        return analyze(self.text, self.language)


Handler = Callable[["Ctx", Msg], Awaitable[None]]


@dataclass(eq=False, slots=True)
class Step:
    """One question of a flow: what it expects, and what to do with a fitting answer.

    The engine calls `handler` only with a button of the step's own prompt or with a message
    the expectation read (`msg.answer`); anything else is the engine's to decide.
    """

    flow: str
    name: str
    handler: Handler
    expects: Expectation
    # Global commands this step answers itself: «отмена» at «cancel the visit?» means yes.
    handles: frozenset[Command] = frozenset()


@dataclass(frozen=True, slots=True)
class MenuEntry:
    label: str  # a catalog key
    order: int  # the place in the main menu


@dataclass(eq=False, slots=True)
class Flow:
    name: str
    needs_account: bool = False  # the engine links an account first, then comes back
    # Works without an account, but one named in the message is linked first: it decides the
    # answer («5901000008 зырянов, сколько будет за 650 квт» is priced at that account's tariff).
    links_named_account: bool = False
    # What routes free text here: intents, and the finer topics (a topic wins over its intent).
    intents: tuple[Intent, ...] = ()
    topics: tuple[Topic, ...] = ()
    menu: MenuEntry | None = None
    # Routed to only when the NLU is sure (deleting one's data is never a guess).
    sure_only: bool = False
    # Its step only shows information with buttons to more (the tariffs): no question is open
    # there, so an interrupted task may be offered back and a message may go elsewhere freely.
    informational: bool = False
    # The rest of a message asking for it is what it carries, never a second request
    # («соедините с оператором, не пришла квитанция»: the reason an operator reads).
    takes_whole_message: bool = False
    # Interrupted by another request, the flow may be taken up again: this asks whether to.
    resume_question: str | None = None
    # What «отмена» in the middle of it is answered with (else «Хорошо, отменил»).
    cancelled: str | None = None
    # Offered what a message routed elsewhere carried for this flow (a reading next to a
    # question about the receipt); True when it made the offer.
    leftover: Callable[[Ctx, Msg], Awaitable[bool]] | None = None
    # A flow that only continues another (the receipt's follow-up month): a clause asking for
    # that other one is the same request, not a second one.
    continues: str | None = None
    entry: Handler | None = None
    steps: dict[str, Step] = field(default_factory=dict)

    def start(self, handler: Handler) -> Handler:
        """Register the handler that starts the flow."""
        self.entry = handler
        return handler

    def step(
        self,
        name: str,
        expects: Expectation,
        *,
        handles: frozenset[Command] = frozenset(),
    ) -> Callable[[Handler], Step]:
        """Declare a step; the decorated handler becomes the Step object `ctx.goto` takes."""

        def register(handler: Handler) -> Step:
            if name in self.steps:
                raise ValueError(f"flow {self.name} declares step {name} twice")
            step = Step(self.name, name, handler, expects, handles)
            self.steps[name] = step
            return step

        return register
