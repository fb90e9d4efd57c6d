"""Technician visits: book one (type → date → slot → phone → comment → confirm), list, cancel."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from core.accounts import Account
from core.masking import mask_account, mask_address, mask_phone
from core.visits import (
    TransitionError,
    Visit,
    VisitStatus,
    VisitStatusChange,
    VisitType,
    check_transition,
)
from dialogs.context import Ctx, Option
from dialogs.flow import Flow, Msg
from dialogs.flows.common import (
    account_step,
    answered_no,
    answered_yes,
    flow_account,
    foreign_contact,
    phone_from,
    start_with_account,
    yes_no,
)
from dialogs.messages import InboundKind
from dialogs.nlu import (
    Command,
    DateValue,
    DayPart,
    Intent,
    cancel_wish,
    command,
    day_part,
    day_reference,
    is_no,
    is_yes,
    ordinal,
    visit_type,
)

flow = Flow("visits", needs_account=True)
my_visits_flow = Flow("my_visits", needs_account=True)

TYPE = "vt:"
DAY = "day:"
SLOT = "slot:"
RETYPE = "retype"  # another kind of visit than the one read from the text
ACCOUNT_PHONE = "ph:account"
NO_COMMENT = "nocomment"
CANCEL = "cancel:"
MAX_COMMENT = 500
# Options shown for cancelling: more would not fit a messenger's button limit.
MAX_CANCEL_OPTIONS = 5
# Slots starting at this hour or later are «after lunch».
AFTERNOON_HOUR = 12
_HOUR = re.compile(r"(?<![\d.,])([01]?\d|2[0-3])(?::([0-5]\d))?(?![\d.,])")


def type_name(ctx: Ctx, visit_type: VisitType | str) -> str:
    return ctx.t(f"visits.type.{VisitType(visit_type).value}")


def slot_name(ctx: Ctx, slot: str) -> str:
    start, _, end = slot.partition("-")
    return ctx.t("visits.slot", start=start, end=end) if end else slot


def _something_else(msg: Msg) -> bool:
    """Free text clearly about another matter; numbers are answers gone wrong, asked again."""
    if msg.kind is not InboundKind.TEXT or any(ch.isdigit() for ch in msg.text):
        return False
    return msg.asks_for_something_else(Intent.TECHNICIAN_CALL)


# -- booking ----------------------------------------------------------------------------------


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    # «счётчик сломался»: the kind of visit is already said, its question is skipped.
    preset = visit_type(msg.text) if msg.action is None and msg.text else None
    if preset is not None:
        ctx.goto("visits", "account", preset=preset.value)
    await start_with_account(ctx, "visits", ask_type)


async def ask_type(ctx: Ctx, account: Account) -> None:
    preset = ctx.data.pop("preset", None)
    if preset in set(VisitType):
        ctx.goto("visits", "date", account=account.number, type=preset, preset=True)
        ask_date(ctx, VisitType(preset))
        return
    ctx.goto("visits", "type", account=account.number)
    _type_question(ctx)


def _type_question(ctx: Ctx, key: str = "visits.ask_type") -> None:
    options = [(type_name(ctx, kind), f"{TYPE}{kind.value}") for kind in VisitType]
    ctx.say(ctx.t(key), options)


@flow.step("type")
async def type_step(ctx: Ctx, msg: Msg) -> None:
    kind: VisitType | None = None
    if msg.action and msg.action.startswith(TYPE):
        try:
            kind = VisitType(msg.action.removeprefix(TYPE))
        except ValueError:
            kind = None
    elif msg.action is None and msg.text:
        kind = visit_type(msg.text)  # «замена счётчика» typed
    if kind is None:
        if msg.action or _something_else(msg):
            await ctx.not_understood(msg)
        else:
            _type_question(ctx, "visits.ask_type_again")
        return
    ctx.goto("visits", "date", type=kind.value, preset=False)
    ask_date(ctx, kind)


def _days(ctx: Ctx) -> list[date]:
    return ctx.config.hours.next_working_days(ctx.today, ctx.config.visit_days)


def _offered(ctx: Ctx, chosen: str) -> bool:
    """The day (ISO) is still one of the working days a visit can be booked for."""
    return chosen in {day.isoformat() for day in _days(ctx)}


def ask_date(ctx: Ctx, kind: VisitType, retry: bool = False, text: str | None = None) -> None:
    text = text or ctx.t("visits.ask_date_again" if retry else "visits.ask_date")
    if not retry and ctx.data.get("preset"):
        text = "\n\n".join([ctx.t("visits.preset_type", type=type_name(ctx, kind)), text])
    if kind is VisitType.CONTROL_READING and not retry:
        text = "\n\n".join([ctx.t("visits.control_reading_note"), text])
    options = [(ctx.t.short_date(day), f"{DAY}{day.isoformat()}") for day in _days(ctx)]
    if ctx.data.get("preset"):
        options.append(ctx.option("visits.other_type", RETYPE))
    ctx.say(text, options)


@flow.step("date")
async def date_step(ctx: Ctx, msg: Msg) -> None:
    kind = VisitType(ctx.data["type"])
    if msg.action == RETYPE:
        ctx.goto("visits", "type", preset=False)
        _type_question(ctx)
        return
    if msg.action and msg.action.startswith(DAY):
        chosen = msg.action.removeprefix(DAY)
        if _offered(ctx, chosen):
            await _day_chosen(ctx, chosen)
            return
        # A day offered yesterday may be gone today: offer the current ones.
        ask_date(ctx, kind, retry=True)
        return
    named = _day_named(ctx, msg) if msg.action is None and msg.text else None
    if named is not None and _offered(ctx, named.isoformat()):
        await _day_chosen(ctx, named.isoformat())
    elif named is not None:
        text = ctx.t("visits.day_not_offered", date=ctx.t.day_month(named))
        ask_date(ctx, kind, retry=True, text=text)
    elif msg.action or _something_else(msg):
        await ctx.not_understood(msg)
    else:
        ask_date(ctx, kind, retry=True)


async def _day_chosen(ctx: Ctx, chosen: str) -> None:
    if "phone" in ctx.data:
        # A new day for a request already filled in (the old day had passed).
        ctx.goto("visits", "confirm", date=chosen)
        await ask_confirm(ctx)
        return
    ctx.goto("visits", "slot", date=chosen)
    ask_slot(ctx)


def _day_named(ctx: Ctx, msg: Msg) -> date | None:
    """The day a message names: «30.11», «5 декабря», «завтра», «в понедельник», «второй»."""
    today, days = ctx.today, _days(ctx)
    for value in msg.analysis.entities.dates:
        named = _calendar_day(value, today, days)
        if named is not None:
            return named
    reference = day_reference(msg.text)
    if reference.offset is not None:
        return today + timedelta(days=reference.offset)
    if reference.weekday is not None:
        offered = [day for day in days if day.weekday() == reference.weekday]
        if offered:
            return offered[0]
        ahead = (reference.weekday - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    position = reference.ordinal
    if position == -1:
        return days[-1]
    if position is not None and 1 <= position <= len(days):
        return days[position - 1]
    return None


def _calendar_day(value: DateValue, today: date, days: Sequence[date]) -> date | None:
    """A date as written: with a year, a day and month («5 декабря»), or a day alone («30-го»)."""
    if isinstance(value, date):
        return value
    day, month = value
    if month == 0:
        return next((d for d in days if d.day == day), None)
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate >= today:
            return candidate
    return None


def ask_slot(ctx: Ctx, retry: bool = False) -> None:
    options = [
        (slot_name(ctx, slot), f"{SLOT}{i}") for i, slot in enumerate(ctx.config.visit_slots)
    ]
    ctx.say(ctx.t("visits.ask_slot_again" if retry else "visits.ask_slot"), options)


@flow.step("slot")
async def slot_step(ctx: Ctx, msg: Msg) -> None:
    slots = ctx.config.visit_slots
    index: int | None = None
    if msg.action and msg.action.startswith(SLOT):
        number = msg.action.removeprefix(SLOT)
        index = int(number) if number.isdigit() else None
    elif msg.action is None and msg.text:
        index = _slot_named(msg.text, slots)
    if index is None or not 0 <= index < len(slots):
        if msg.action or _something_else(msg):
            await ctx.not_understood(msg)
        else:
            ask_slot(ctx, retry=True)
        return
    ctx.goto("visits", "phone", slot=slots[index])
    await ask_phone(ctx)


def _slot_named(text: str, slots: Sequence[str]) -> int | None:
    """«утром» → the first slot, «после обеда» → the later one, «второй», «к 14:00»."""
    starts = [_hour(slot.partition("-")[0]) for slot in slots]
    part = day_part(text)
    if part is DayPart.MORNING:
        return 0
    if part is DayPart.LATER:
        later = [i for i, hour in enumerate(starts) if hour is not None and hour >= AFTERNOON_HOUR]
        return later[0] if later else len(slots) - 1
    position = ordinal(text)
    if position == -1:
        return len(slots) - 1
    if position is not None:
        return position - 1
    named = _HOUR.search(text)
    if named is None:
        return None
    hour = int(named[1])
    for index, slot in enumerate(slots):
        begin, _, end = (_hour(part) for part in slot.partition("-"))
        if begin is not None and end is not None and begin <= hour < end:
            return index
    return None


def _hour(text: str) -> int | None:
    match = _HOUR.fullmatch(text.strip())
    return int(match[1]) if match else None


async def ask_phone(ctx: Ctx, retry: bool = False) -> None:
    account = await flow_account(ctx)
    options: list[Option] = []
    if account is not None and account.phone:
        options.append(
            ctx.option("visits.account_phone", ACCOUNT_PHONE, phone=mask_phone(account.phone))
        )
    ctx.say(
        ctx.t("common.phone_again" if retry else "visits.ask_phone"), options, request_phone=True
    )


# A typed «1» presses the account's phone button: a phone number is never one or two digits.
@flow.step("phone")
async def phone_step(ctx: Ctx, msg: Msg) -> None:
    phone: str | None = None
    if msg.action == ACCOUNT_PHONE:
        account = await flow_account(ctx)
        phone = account.phone if account else None
    elif foreign_contact(msg):
        ctx.say(ctx.t("common.not_own_phone"))
        await ask_phone(ctx)
        return
    elif msg.action is None:
        phone = phone_from(msg)
    if phone is None:
        if (msg.action and msg.action != ACCOUNT_PHONE) or _something_else(msg):
            await ctx.not_understood(msg)
        else:
            await ask_phone(ctx, retry=True)
        return
    ctx.goto("visits", "comment", phone=phone)
    ctx.say(ctx.t("visits.ask_comment"), [ctx.option("visits.no_comment", NO_COMMENT)])


@flow.step("comment", expects_input=True)
async def comment_step(ctx: Ctx, msg: Msg) -> None:
    notes: list[str] = []
    if msg.action == NO_COMMENT:
        comment = ""
    elif msg.action is None and msg.kind is InboundKind.TEXT and msg.text:
        comment = msg.text
        if len(comment) > MAX_COMMENT:
            comment = comment[:MAX_COMMENT].rstrip()
            notes.append(ctx.t("visits.comment_cut", count=MAX_COMMENT))
    else:
        ctx.say(ctx.t("visits.comment_text_only"), [ctx.option("visits.no_comment", NO_COMMENT)])
        return
    ctx.goto("visits", "confirm", comment=comment)
    await ask_confirm(ctx, notes)


async def ask_confirm(ctx: Ctx, notes: Sequence[str] = ()) -> None:
    t = ctx.t
    data = ctx.data
    account = await flow_account(ctx)
    address = mask_address(account.address) if account else ""
    lines = [
        t("visits.summary_title"),
        t("visits.summary_account", account=mask_account(data["account"]), address=address),
        t("visits.summary_type", type=type_name(ctx, data["type"])),
        t(
            "visits.summary_when",
            date=t.short_date(date.fromisoformat(data["date"])),
            slot=slot_name(ctx, data["slot"]),
        ),
        t("visits.summary_phone", phone=mask_phone(data["phone"])),
    ]
    if data.get("comment"):
        lines.append(t("visits.summary_comment", comment=data["comment"]))
    text = "\n".join(lines)
    ctx.say(
        "\n\n".join([*notes, text, t("visits.confirm_question")]),
        yes_no(ctx),
    )


@flow.step("confirm")
async def confirm_step(ctx: Ctx, msg: Msg) -> None:
    if answered_no(msg):
        await ctx.menu("visits.not_created")
        return
    if not answered_yes(msg):
        ctx.say(ctx.t("common.yes_or_no"), yes_no(ctx))
        return
    data = ctx.data
    if not _offered(ctx, data["date"]):
        # Confirmed days later: that day is gone, the rest of the request still holds.
        ctx.goto("visits", "date")
        day = ctx.t.day_month(date.fromisoformat(data["date"]))
        ask_date(ctx, VisitType(data["type"]), retry=True, text=ctx.t("visits.date_gone", date=day))
        return
    visit = await ctx.store.visits.create(
        Visit(
            account=data["account"],
            customer_id=ctx.customer.id,
            type=VisitType(data["type"]),
            preferred_date=date.fromisoformat(data["date"]),
            slot=data["slot"],
            phone=data["phone"],
            comment=data.get("comment", ""),
            status=VisitStatus.NEW,
            created_at=ctx.now,
        )
    )
    await ctx.audit(
        "visit_created",
        {
            "visit_id": visit.id,
            "number": visit.number,
            "account": mask_account(visit.account),
            "type": visit.type.value,
        },
    )
    ctx.end()
    ctx.say(
        ctx.t("visits.created", number=visit.number),
        [ctx.option("visits.my_visits", "go:my_visits"), ctx.menu_option()],
    )


# -- my requests --------------------------------------------------------------------------------


def _status_text(ctx: Ctx, visit: Visit) -> str:
    if visit.status is VisitStatus.SCHEDULED and visit.scheduled_date is not None:
        return ctx.t(
            "visits.status_scheduled_at",
            date=ctx.t.short_date(visit.scheduled_date),
            slot=slot_name(ctx, visit.scheduled_slot or ""),
        )
    return ctx.t(f"visits.status.{visit.status.value}")


def _visit_line(ctx: Ctx, visit: Visit) -> str:
    return ctx.t(
        "visits.list_line",
        number=visit.number,
        type=type_name(ctx, visit.type),
        account=mask_account(visit.account),
        date=ctx.t.short_date(visit.preferred_date),
        slot=slot_name(ctx, visit.slot),
        status=_status_text(ctx, visit),
    )


def _cancellable(visit: Visit) -> bool:
    return visit.status in (VisitStatus.NEW, VisitStatus.SCHEDULED)


@my_visits_flow.start
async def my_visits(ctx: Ctx, msg: Msg) -> None:
    numbers = [a.number for a in await ctx.accounts()]
    visits = await ctx.store.visits.for_accounts(numbers)
    new_one = ctx.option("visits.new", "go:visits")
    menu = ctx.menu_option()
    if not visits:
        ctx.end()
        ctx.say(ctx.t("visits.none"), [new_one, menu])
        return
    open_ones = [v for v in visits if _cancellable(v)][:MAX_CANCEL_OPTIONS]
    options = [
        ctx.option("visits.cancel_option", f"{CANCEL}{v.id}", number=v.number) for v in open_ones
    ]
    text = "\n\n".join([ctx.t("visits.list_title"), *(_visit_line(ctx, v) for v in visits)])
    if open_ones:
        ctx.goto("my_visits", "list")
    else:
        ctx.end()
    ctx.say(text, [*options, new_one, menu])


async def _own_visit(ctx: Ctx, visit_id: str) -> Visit | None:
    if not visit_id.isdigit():
        return None
    visit = await ctx.store.visits.get(int(visit_id))
    numbers = {a.number for a in await ctx.accounts()}
    return visit if visit is not None and visit.account in numbers else None


@my_visits_flow.step("list")
async def list_step(ctx: Ctx, msg: Msg) -> None:
    if not (msg.action and msg.action.startswith(CANCEL)):
        await ctx.not_understood(msg)
        return
    visit = await _own_visit(ctx, msg.action.removeprefix(CANCEL))
    if visit is None or not _cancellable(visit):
        await my_visits(ctx, msg)
        return
    ctx.goto("my_visits", "cancel", visit=visit.id)
    _cancel_question(ctx, visit, "visits.cancel_question")


def _cancel_question(ctx: Ctx, visit: Visit, key: str) -> None:
    ctx.say(
        ctx.t(key, number=visit.number, type=type_name(ctx, visit.type)),
        yes_no(ctx, "visits.cancel_yes", "visits.cancel_no"),
    )


def _cancel_answer(msg: Msg) -> bool | None:
    """Yes, no, or None: «да», «отменить», even «отмена» cancel; «нет», «оставьте» keep."""
    if msg.action in ("yes", "no"):
        return msg.action == "yes"
    if msg.action or msg.kind is not InboundKind.TEXT:
        return None
    if command(msg.text) is Command.CANCEL:
        # «отмена» here answers the question; «стоп» keeps the request.
        wish = cancel_wish(msg.text)
        return True if wish is None else wish
    if is_yes(msg.text):
        return True
    if is_no(msg.text):
        return False
    return cancel_wish(msg.text)


# The engine passes «отмена» here: at «cancel request No. …?» it means yes.
@my_visits_flow.step("cancel", handles=frozenset({Command.CANCEL}))
async def cancel_step(ctx: Ctx, msg: Msg) -> None:
    visit = await _own_visit(ctx, str(ctx.data.get("visit", "")))
    answer = _cancel_answer(msg)
    if answer is None:
        if msg.action or _something_else(msg) or visit is None:
            await ctx.not_understood(msg)
        else:
            _cancel_question(ctx, visit, "visits.cancel_yes_or_no")
        return
    if not answer:
        await ctx.menu("visits.cancel_kept")
        return
    if visit is None or visit.id is None:
        await ctx.menu("visits.cancel_failed")
        return
    try:
        check_transition(visit.status, VisitStatus.CANCELLED)
    except TransitionError:
        await ctx.menu("visits.cancel_too_late", number=visit.number)
        return
    await ctx.store.visits.change_status(
        visit.id,
        VisitStatus.CANCELLED,
        VisitStatusChange(visit.id, VisitStatus.CANCELLED, ctx.now, "customer"),
    )
    await ctx.audit("visit_cancelled", {"visit_id": visit.id, "number": visit.number})
    await ctx.menu("visits.cancelled", number=visit.number)


account_step(flow, ask_type)
