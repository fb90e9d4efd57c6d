"""Everything a step handler sees and does during one turn."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from core.accounts import Account
from core.conversations import Conversation, Customer
from core.meters import Meter
from core.payments import OnlinePayment, PaymentStatus
from core.ports import Store
from core.readings import Reading, period_for
from dialogs.config import DialogConfig
from dialogs.i18n import Translator
from dialogs.messages import Attachment

if TYPE_CHECKING:
    from dialogs.engine import Engine
    from dialogs.flow import Msg, Step

Option = tuple[str, str]  # (label, action)
PHONE_HINT = "phone_hint"  # the placeholder of texts that tell how to share one's phone

# Actions that start a flow from anywhere (the engine never treats their buttons as stale).
GO = "go:"  # main-menu actions start a flow from anywhere; their buttons never go stale
LANGUAGE = "lang:"  # «lang:en» switches the language from anywhere; never stale either
WITHDRAW_ESCALATION = "op:cancel"  # the engine answers «отмена» with it while a request waits
# The answers to «shall we go on with …?» after an interruption.
RESUME = "resume"
DROP = "drop"


@dataclass(slots=True)
class Draft:
    """A reply being composed; button payloads get the state version when the turn ends."""

    text: str
    options: list[Option] = field(default_factory=list)
    request_phone: bool = False
    attachment: Attachment | None = None
    phone_label: str = ""  # the label of the messenger's own "share my phone" button
    language: str = ""  # the customer's language, carried on to the Reply
    # Said beside the question, not instead of it (an offer to switch the language): its buttons
    # are version-free and the question's stay the ones that act.
    aside: bool = False


class ChannelTexts(Translator):
    """A language's texts as one channel shows them: `{phone_hint}` becomes that channel's own
    words for sharing a phone («Поделиться телефоном» is a button in Telegram and Viber, a
    contact card in WhatsApp, a button with the number itself in Messenger)."""

    def __init__(self, language: str, channel: str, hint: str | None = None) -> None:
        super().__init__(language)
        own = f"{PHONE_HINT}.{channel}"
        if hint is not None:  # the channel plug-in's own words (DialogConfig.phone_hints)
            self.phone_hint = hint
        else:
            self.phone_hint = super().__call__(own if self.has(own) else f"{PHONE_HINT}.default")

    def __call__(self, key: str, /, **params: Any) -> str:
        if PHONE_HINT not in params and f"{{{PHONE_HINT}}}" in str(self._texts.get(key, "")):
            params = {**params, PHONE_HINT: self.phone_hint}
        return super().__call__(key, **params)


@lru_cache(maxsize=64)  # a few languages times a few channels
def channel_texts(language: str, channel: str, hint: str | None = None) -> ChannelTexts:
    return ChannelTexts(language, channel, hint)


@dataclass(slots=True)
class DialogState:
    """The persistent part of a conversation the engine owns (stored as JSON)."""

    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    last: dict[str, Any] = field(default_factory=dict)  # the last prompt: text, options, input
    unknown: int = 0  # messages not understood in a row at the menu
    misses: int = 0  # messages in a row that did not fit the current step
    resume: str | None = None  # a flow to return to once an account is linked ...
    resume_text: str = ""  # ... with what the customer first wrote
    # The questions of the current flow so far, for «назад»: {step, data, last} each.
    trail: list[dict[str, Any]] = field(default_factory=list)
    # A flow another request interrupted: {flow, step, data, last, trail}, offered back after.
    suspended: dict[str, Any] | None = None
    declined_language: bool = False  # the customer kept their language when offered the other
    offered_language: str | None = None  # the language offered in the last turn, if one was
    asked_language: str | None = None  # offered once: not again, whether answered or not

    @classmethod
    def load(cls, raw: dict[str, Any]) -> DialogState:
        known = {k: raw[k] for k in cls.__dataclass_fields__ if k in raw}
        return cls(**known)

    def dump(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


class Ctx:
    """One turn: the store, who is talking, the state, and the replies so far."""

    def __init__(
        self,
        *,
        engine: Engine,
        store: Store,
        config: DialogConfig,
        customer: Customer,
        conversation: Conversation,
        now: datetime,
    ) -> None:
        self.engine = engine
        self.store = store
        self.config = config
        self.customer = customer
        self.conversation = conversation
        self.now = now
        self.state = DialogState.load(conversation.state)
        self.drafts: list[Draft] = []
        self._accounts: list[Account] | None = None
        self._own_numbers: tuple[str, ...] | None = None
        self._meters: dict[str, list[Meter]] = {}
        self._on_their_way: dict[str, list[OnlinePayment]] = {}
        # A meter's readings as read this turn, and whether under the meter's lock.
        self._readings: dict[tuple[str, str], tuple[list[Reading], bool]] = {}
        # This turn's replies in another language than the customer's (English typed to a
        # Russian-speaking customer is answered in English).
        self.language: str = customer.language
        # Set when this turn asked the open question again: (the question, its own buttons).
        self.repeated: tuple[str, list[list[str]]] | None = None

    @property
    def t(self) -> Translator:
        channel = self.customer.channel
        hint = self.config.phone_hints.get(channel, {}).get(self.language)
        return channel_texts(self.language, channel, hint)

    @property
    def today(self) -> date:
        return self.config.hours.local_date(self.now)

    # -- replies ---------------------------------------------------------------------------

    def say(
        self,
        text: str,
        options: Sequence[Option] = (),
        *,
        request_phone: bool = False,
        attachment: Attachment | None = None,
        aside: bool = False,
    ) -> None:
        t = self.t
        label = t("common.share_phone_button") if request_phone else ""
        self.drafts.append(
            Draft(text, list(options), request_phone, attachment, label, t.language, aside)
        )

    def option(self, key: str, action: str, **params: Any) -> Option:
        """A button labelled from the catalog."""
        return (self.t(key, **params), action)

    def menu_option(self) -> Option:
        """«Главное меню»."""
        return self.option("common.menu", f"{GO}menu")

    def cancel_option(self) -> Option:
        """«Отмена»: leaves the flow for the main menu."""
        return self.option("common.cancel", f"{GO}menu")

    def operator_option(self) -> Option:
        """«Связаться с оператором»."""
        return self.option("menu.operator", f"{GO}operator")

    # -- state -----------------------------------------------------------------------------

    def goto(self, step: Step, **data: Any) -> None:
        """Move to a step; data given here is merged into the flow's data."""
        if self.state.flow is not None and step.flow != self.state.flow:
            self.state.data = {}
            self.state.trail = []
        self.state.flow, self.state.step = step.flow, step.name
        self.state.data.update(data)

    def at(self, step: Step) -> bool:
        return (self.state.flow, self.state.step) == (step.flow, step.name)

    def end(self) -> None:
        """Leave the current flow (the next free text goes through NLU)."""
        self.state.flow = self.state.step = None
        self.state.data = {}
        self.state.trail = []

    @property
    def data(self) -> dict[str, Any]:
        return self.state.data

    # -- what many flows need ----------------------------------------------------------------

    async def audit(self, action: str, details: dict[str, Any] | None = None) -> None:
        """Record what the customer did (details carry masked personal data only)."""
        await self.store.audit.record(f"customer:{self.customer.id}", action, self.now, details)

    async def accounts(self) -> list[Account]:
        if self._accounts is None:
            self._accounts = await self.store.accounts.linked(self.customer.id)
        return self._accounts

    def forget_accounts(self) -> None:
        self._accounts = None
        self._own_numbers = None

    async def meters(self, account: str) -> list[Meter]:
        """An account's meters, read once a turn."""
        if account not in self._meters:
            self._meters[account] = await self.store.meters.for_account(account)
        return self._meters[account]

    async def readings(self, meter: Meter, *, locked: bool = False) -> list[Reading]:
        """The meter's submitted readings, newest first, read once a turn. `locked` takes the
        meter's lock first (a family member's reading cannot slip in before this turn's is
        stored): a read made before the lock is read again after it."""
        key = (meter.account, meter.serial)
        cached = self._readings.get(key)
        if cached is None or (locked and not cached[1]):
            if locked:
                await self.store.meters.lock(meter.account, meter.serial)
            # This period's readings, whatever their status, and the earlier ones that count:
            # what the baselines, corrections and bills read.
            period = period_for(self.today, self.config.readings.cutoff_day)
            rows = await self.store.readings.for_meter(
                meter.account, meter.serial, counted_before=period
            )
            cached = self._readings[key] = (rows, locked)
        return cached[0]

    def forget_readings(self, meter: Meter) -> None:
        """After this turn wrote the meter's readings."""
        self._readings.pop((meter.account, meter.serial), None)

    async def paid_online(self, account: str) -> list[OnlinePayment]:
        """The account's payments through the bot that billing does not show yet (succeeded,
        not in billing), oldest first, read once a turn: the balance, the QR and the receipt
        all subtract or list them."""
        if account not in self._on_their_way:
            self._on_their_way[account] = await self.store.online_payments.of_account(
                account, [PaymentStatus.SUCCEEDED]
            )
        return self._on_their_way[account]

    async def own_numbers(self) -> tuple[str, ...]:
        """The linked accounts' numbers and their meters' serials, longest first: numbers a
        customer may write next to a reading that are not readings."""
        if self._own_numbers is None:
            numbers = {account.number for account in await self.accounts()}
            for account in await self.accounts():
                meters = await self.meters(account.number)
                numbers.update(meter.serial for meter in meters if len(meter.serial) >= 4)
            self._own_numbers = tuple(sorted(numbers, key=len, reverse=True))
        return self._own_numbers

    async def start(self, flow: str, msg: Msg) -> None:
        await self.engine.start_flow(self, flow, msg)

    async def menu(self, key: str = "menu.prompt", **params: Any) -> None:
        """End the flow with the main menu (an interrupted task is still offered back)."""
        await self.engine.main_menu(self, key, keep_pending=True, **params)

    async def not_understood(self, msg: Msg) -> None:
        """What the step cannot use after all: ask again with the hint, as for any miss."""
        await self.engine.missed(self, msg)
