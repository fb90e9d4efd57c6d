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
from dialogs.engine import ctx_inbound
from dialogs.expect import NO_ANSWER, Answer, Choice, Fit, FreeText, PhoneNumber, YesNo
from dialogs.flow import Flow, MenuEntry, Msg
from dialogs.flows.common import (
    account_step,
    answered_yes,
    flow_account,
    foreign_contact,
    phone_from,
    remember_description,
    start_with_account,
    yes_no,
)
from dialogs.flows.outage import fire_advice
from dialogs.messages import InboundKind
from dialogs.nlu import (
    Command,
    DateValue,
    DayPart,
    Intent,
    Topic,
    cancel_wish,
    command,
    day_part,
    day_reference,
    fire_risk,
    is_no,
    is_yes,
    ordinal,
    visit_type,
)

flow = Flow(
    "visits",
    needs_account=True,
    intents=(Intent.TECHNICIAN_CALL,),
    menu=MenuEntry("menu.visit", 50),
    resume_question="visits.resume",
    cancelled="visits.not_created",
)
my_visits_flow = Flow("my_visits", needs_account=True, topics=(Topic.MY_VISITS,))

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


# -- booking ----------------------------------------------------------------------------------


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    if msg.action is None and msg.text and (cancel_wish(msg.text) or _NOT_NEEDED.search(msg.text)):
        await ctx.start(my_visits_flow.name, msg)  # «мастер не нужен уже, отмени»: cancelling
        return
    # «счётчик сломался»: the kind of visit is already said, its question is skipped.
    preset = visit_type(msg.text) if msg.action is None and msg.text else None
    if preset is not None:
        ctx.data["preset"] = preset.value
    if msg.action is None and msg.text:
        ctx.data["first"] = msg.text  # a day, a time, a phone said at once are not asked again
        if fire_risk(msg.text):
            ctx.say(fire_advice(ctx))  # «счётчик искрит»: safety before the booking
    remember_description(ctx, msg)
    await start_with_account(ctx, account, ask_type)


# «мастер в среду уже не нужен», «не надо приезжать»: a request no longer wanted.
_NOT_NEEDED = re.compile(
    r"(?:мастер\w*|заявк\w*|выезд\w*|приезжать)\s+(?:[\w,]+\s+){0,3}(?:не\s+нуж\w*|не\s+надо)"
    r"|не\s+(?:нуж\w*|надо)\s+(?:\w+\s+){0,2}(?:мастер\w*|приезжать|выезд\w*)",
    re.IGNORECASE,
)


def _grid_s_meter(account: Account, kind: VisitType) -> bool:
    """A private house's meter is the grid company's to replace (the supplier replaces meters in
    apartment blocks, since 1 July 2020): an address without a flat is a house."""
    return kind is VisitType.METER_REPLACEMENT and mask_address(account.address) == account.address


def _for_the_grid(ctx: Ctx) -> None:
    company = ctx.config.company
    ctx.goto(type_step)
    _type_question(
        ctx,
        text=ctx.t(
            "visits.private_meter",
            grid=company.grid_company,
            hotline=company.grid_hotline,
            website=company.grid_website,
        ),
        without=VisitType.METER_REPLACEMENT,
    )


async def ask_type(ctx: Ctx, account: Account) -> None:
    preset = ctx.data.pop("preset", None)
    if preset in set(VisitType) and _grid_s_meter(account, VisitType(preset)):
        ctx.data["account"] = account.number
        _for_the_grid(ctx)
        return
    if preset in set(VisitType):
        ctx.goto(date_step, account=account.number, type=preset, preset=True)
        await _date_or_ask(ctx, VisitType(preset))
        return
    ctx.goto(type_step, account=account.number)
    _type_question(ctx)


def _type_question(
    ctx: Ctx, key: str = "visits.ask_type", text: str = "", without: VisitType | None = None
) -> None:
    options = [
        (type_name(ctx, kind), f"{TYPE}{kind.value}") for kind in VisitType if kind != without
    ]
    ctx.say(text or ctx.t(key), options)


async def _type_named(ctx: Ctx, msg: Msg) -> str | None:
    kind = visit_type(msg.text)  # «замена счётчика» typed
    return f"{TYPE}{kind.value}" if kind else None


@flow.step("type", Choice(_type_named, kind="visit_type"))
async def type_step(ctx: Ctx, msg: Msg) -> None:
    try:
        kind = VisitType((msg.action or "").removeprefix(TYPE))
    except ValueError:
        await ctx.not_understood(msg)
        return
    chosen = await flow_account(ctx)
    if chosen is not None and _grid_s_meter(chosen, kind):
        _for_the_grid(ctx)
        return
    ctx.goto(date_step, type=kind.value, preset=False)
    await _date_or_ask(ctx, kind)


def _days(ctx: Ctx) -> list[date]:
    return ctx.config.hours.next_working_days(ctx.today, ctx.config.visit_days)


def _offered(ctx: Ctx, chosen: str) -> bool:
    """The day (ISO) is still one of the working days a visit can be booked for."""
    return chosen in {day.isoformat() for day in _days(ctx)}


async def _date_or_ask(ctx: Ctx, kind: VisitType) -> None:
    """The day the first message named («можно в среду после обеда?»), if one of those offered,
    with the time and the phone said along; else the day is asked."""
    first = ctx.data.pop("first", "")
    said = Msg(ctx_inbound(ctx, first), language=ctx.language) if first else None
    day = _day_said(ctx, said) if said is not None else None
    if said is None or day is None or not _offered(ctx, day.isoformat()):
        ask_date(ctx, kind)
        return
    phones = set(said.analysis.entities.phones)
    if len(phones) == 1:
        ctx.data["said_phone"] = phones.pop()
    if ctx.data.get("preset"):
        ctx.say(ctx.t("visits.preset_type", type=type_name(ctx, kind)))
    await _day_chosen(ctx, day.isoformat(), said)


def _day_said(ctx: Ctx, msg: Msg) -> date | None:
    """A day a message names in words or as a date with its month: «в среду», «завтра»,
    «5 декабря» (a number alone may be anything)."""
    reference = day_reference(msg.text)
    dated = [v for v in msg.analysis.entities.dates if isinstance(v, date) or v[1] != 0]
    if reference.offset is None and reference.weekday is None and not dated:
        return None
    return _day_named(ctx, msg)


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


async def _day_action(ctx: Ctx, msg: Msg) -> str | None:
    named = _day_named(ctx, msg)
    return None if named is None else f"{DAY}{named.isoformat()}"


async def _day_or_kind(ctx: Ctx, msg: Msg) -> str | None:
    """A day, or another kind of visit than the one being booked («не поверка, замена!»)."""
    kind = visit_type(msg.text)
    if kind is not None and kind.value != ctx.data.get("type"):
        return f"{TYPE}{kind.value}"
    return await _day_action(ctx, msg)


@flow.step("date", Choice(_day_or_kind, kind="date"))
async def date_step(ctx: Ctx, msg: Msg) -> None:
    if msg.action == RETYPE:
        ctx.goto(type_step, preset=False)
        _type_question(ctx)
        return
    if msg.action and msg.action.startswith(TYPE):
        await type_step.handler(ctx, msg)  # the kind of visit, said again and differently
        return
    kind = VisitType(ctx.data["type"])
    if msg.action and msg.action.startswith(DAY):
        chosen = msg.action.removeprefix(DAY)
        if _offered(ctx, chosen):
            await _day_chosen(ctx, chosen, msg)
        elif msg.inbound.kind is InboundKind.TEXT:
            named = ctx.t.day_month(date.fromisoformat(chosen))
            ask_date(ctx, kind, retry=True, text=ctx.t("visits.day_not_offered", date=named))
        else:
            # A day offered yesterday may be gone today: offer the current ones.
            ask_date(ctx, kind, retry=True)
        return
    await ctx.not_understood(msg)


async def _day_chosen(ctx: Ctx, chosen: str, msg: Msg) -> None:
    if "phone" in ctx.data:
        # A new day for a request already filled in (the old day had passed).
        ctx.goto(confirm_step, date=chosen)
        await ask_confirm(ctx)
        return
    ctx.goto(slot_step, date=chosen)
    slots = ctx.config.visit_slots
    typed = msg.kind is InboundKind.TEXT  # a day typed, not a pressed button
    slot = _slot_by_time(msg.text, slots, beside_day=True) if typed else None
    if slot is not None:  # «в пятницу после обеда»: the time is not asked again
        ctx.goto(phone_step, slot=slots[slot])
        await ask_phone(ctx)
        return
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


def ask_slot(ctx: Ctx) -> None:
    options = [
        (slot_name(ctx, slot), f"{SLOT}{i}") for i, slot in enumerate(ctx.config.visit_slots)
    ]
    ctx.say(ctx.t("visits.ask_slot"), options)


async def _slot_action(ctx: Ctx, msg: Msg) -> str | None:
    index = _slot_named(msg.text, ctx.config.visit_slots)
    return None if index is None else f"{SLOT}{index}"


@flow.step("slot", Choice(_slot_action, kind="slot"))
async def slot_step(ctx: Ctx, msg: Msg) -> None:
    slots = ctx.config.visit_slots
    number = (msg.action or "").removeprefix(SLOT)
    index = int(number) if number.isdigit() else None
    if index is None or not 0 <= index < len(slots):
        await ctx.not_understood(msg)
        return
    ctx.goto(phone_step, slot=slots[index])
    await ask_phone(ctx)


def _slot_named(text: str, slots: Sequence[str]) -> int | None:
    """«утром» → the first slot, «после обеда» → the later one, «второй», «к 14:00»."""
    by_time = _slot_by_time(text, slots)
    if by_time is not None:
        return by_time
    position = ordinal(text)
    if position == -1:
        return len(slots) - 1
    if position is not None:
        return position - 1
    return None


# «третий день»: the day itself, beside it, is no part of the day («днём» still is).
_THE_DAY = re.compile(r"(?<![^\W\d_])(?:день|дня|дню|day)(?![^\W\d_])", re.IGNORECASE)


def _slot_by_time(text: str, slots: Sequence[str], *, beside_day: bool = False) -> int | None:
    """The slot a part of the day or an hour names. Beside a day («в пятницу после обеда»)
    only a part of the day or a time with minutes counts: «12 декабря» is no noon."""
    starts = [_hour(slot.partition("-")[0]) for slot in slots]
    part = day_part(_THE_DAY.sub(" ", text) if beside_day else text)
    if part is DayPart.MORNING:
        return 0
    if part is DayPart.LATER:
        later = [i for i, hour in enumerate(starts) if hour is not None and hour >= AFTERNOON_HOUR]
        return later[0] if later else len(slots) - 1
    named = _HOUR.search(text)
    if named is not None and beside_day and named[2] is None:
        return None
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
    said = ctx.data.pop("said_phone", None)
    if said and not retry:  # «…звонить на 8 902 555 11 22» in the first message
        ctx.goto(comment_step, phone=said)
        ctx.say(ctx.t("visits.ask_comment"), [ctx.option("visits.no_comment", NO_COMMENT)])
        return
    account = await flow_account(ctx)
    options: list[Option] = []
    if account is not None and account.phone:
        options.append(
            ctx.option("visits.account_phone", ACCOUNT_PHONE, phone=mask_phone(account.phone))
        )
    ctx.say(
        ctx.t("common.phone_again" if retry else "visits.ask_phone"), options, request_phone=True
    )


class _PhoneOrAccounts(PhoneNumber):
    """A phone, or the account's own named in words («тот что в счёте», «по договору»)."""

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        answer = await PhoneNumber.read(self, ctx, msg)
        if answer.fit is Fit.NONE and msg.kind is InboundKind.TEXT and _ON_FILE.search(msg.text):
            account = await flow_account(ctx)
            if account is not None and account.phone:
                return Answer(Fit.STRONG, action=ACCOUNT_PHONE)
        return answer


# «тот что в счёте», «который в договоре», «этот же», «старый»: the phone billing has.
_ON_FILE = re.compile(
    r"в\s+сч[её]те|в\s+договоре|в\s+квитанции|тот\s+же|этот\s+же|прежн|(?:с|из|по)\s+"
    r"(?:лс|л/с|лицево\w*|договор\w*|квитанци\w*|сч[её]т\w*)|on\s+file",
    re.IGNORECASE,
)


# A typed «1» presses the account's phone button: a phone number is never one or two digits.
@flow.step("phone", _PhoneOrAccounts())
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
        await ask_phone(ctx, retry=True)
        return
    ctx.goto(comment_step, phone=phone)
    ctx.say(ctx.t("visits.ask_comment"), [ctx.option("visits.no_comment", NO_COMMENT)])


@flow.step("comment", FreeText())
async def comment_step(ctx: Ctx, msg: Msg) -> None:
    notes: list[str] = []
    if msg.action == NO_COMMENT:
        comment = ""
    elif msg.action is None and msg.kind is InboundKind.TEXT and _nothing_to_add(msg.text):
        comment = ""  # «не», «нет», «без комментариев»: nothing to add
    elif msg.action is None and msg.kind is InboundKind.TEXT and msg.text:
        comment = msg.text
        if len(comment) > MAX_COMMENT:
            comment = comment[:MAX_COMMENT].rstrip()
            notes.append(ctx.t("visits.comment_cut", count=MAX_COMMENT))
    else:
        ctx.say(ctx.t("visits.comment_text_only"), [ctx.option("visits.no_comment", NO_COMMENT)])
        return
    ctx.goto(confirm_step, comment=comment)
    await ask_confirm(ctx, notes)


_NO_COMMENT = re.compile(
    r"^\W*(?:(?:нет|не|да)\W+)?(?:без\s+(?:комм?ентари\w*|уточнени\w*)|нет\s+комм?ентари\w*|"
    r"ничего(?:\s+не\s+надо)?|нечего|no\s+comments?|nothing(?:\s+to\s+add)?)\W*$",
    re.IGNORECASE,
)


def _nothing_to_add(text: str) -> bool:
    return is_no(text) or bool(_NO_COMMENT.match(text))


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


class _Confirmation(YesNo):
    """Yes, no — or another day instead («ой нет, давайте в среду»)."""

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        if msg.kind is InboundKind.TEXT and msg.text:
            action = await _day_action(ctx, msg)
            if action is not None:
                return Answer(Fit.STRONG, action=action)
        return await YesNo.read(self, ctx, msg)


@flow.step("confirm", _Confirmation())
async def confirm_step(ctx: Ctx, msg: Msg) -> None:
    if msg.action and msg.action.startswith(DAY):
        chosen = msg.action.removeprefix(DAY)
        if _offered(ctx, chosen):
            ctx.data["date"] = chosen
            await ask_confirm(ctx)
        else:
            ctx.goto(date_step)
            named = ctx.t.day_month(date.fromisoformat(chosen))
            text = ctx.t("visits.day_not_offered", date=named)
            ask_date(ctx, VisitType(ctx.data["type"]), retry=True, text=text)
        return
    if not answered_yes(msg):
        await ctx.menu("visits.not_created")
        return
    data = ctx.data
    if not _offered(ctx, data["date"]):
        # Confirmed days later: that day is gone, the rest of the request still holds.
        ctx.goto(date_step)
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
    wants = msg.action is None and bool(msg.text) and _wants_to_cancel(msg)
    meant = _cancel_meant(msg, open_ones) if wants else None
    if meant is not None:  # «отмените заявку» with one open request, or with its number
        ctx.goto(cancel_step, visit=meant.id)
        _cancel_question(ctx, meant, "visits.cancel_question")
        return
    options = [
        ctx.option("visits.cancel_option", f"{CANCEL}{v.id}", number=v.number) for v in open_ones
    ]
    text = "\n\n".join([ctx.t("visits.list_title"), *(_visit_line(ctx, v) for v in visits)])
    if open_ones:
        ctx.goto(list_step)
    else:
        ctx.end()
    ctx.say(text, [*options, new_one, menu])


async def _own_visit(ctx: Ctx, visit_id: str) -> Visit | None:
    if not visit_id.isdigit():
        return None
    visit = await ctx.store.visits.get(int(visit_id))
    numbers = {a.number for a in await ctx.accounts()}
    return visit if visit is not None and visit.account in numbers else None


def _cancel_meant(msg: Msg, open_ones: Sequence[Visit]) -> Visit | None:
    """The open request a message asks to cancel: by its number («2612-00002», «…0002»), or
    the only one there is when the message asks to cancel («отмените заявку», «да отменяйте»)."""
    digits = "".join(ch if ch.isdigit() else " " for ch in msg.text).split()
    compact = [v.number.replace("-", "") for v in open_ones]
    named = [
        v
        for v, number in zip(open_ones, compact, strict=True)
        if any(len(d) >= 2 and number.endswith(d) for d in digits)
    ]
    if len(named) == 1:
        return named[0]
    return open_ones[0] if _wants_to_cancel(msg) and len(open_ones) == 1 and not digits else None


def _wants_to_cancel(msg: Msg) -> bool:
    """«отмените заявку», «не нужен мастер» — not «когда приедет мастер по заявке …?»."""
    wish = cancel_wish(msg.text) or _NOT_NEEDED.search(msg.text)
    return bool(wish) or command(msg.text) is Command.CANCEL


async def _visit_named(ctx: Ctx, msg: Msg) -> str | None:
    numbers = [a.number for a in await ctx.accounts()]
    visits = [v for v in await ctx.store.visits.for_accounts(numbers) if _cancellable(v)]
    meant = _cancel_meant(msg, visits)
    return f"{CANCEL}{meant.id}" if meant is not None and meant.id is not None else None


# The engine passes «отмена» here: with one open request it means cancelling that one.
@my_visits_flow.step("list", Choice(_visit_named), handles=frozenset({Command.CANCEL}))
async def list_step(ctx: Ctx, msg: Msg) -> None:
    if not (msg.action and msg.action.startswith(CANCEL)):
        await ctx.not_understood(msg)
        return
    visit = await _own_visit(ctx, msg.action.removeprefix(CANCEL))
    if visit is None or not _cancellable(visit):
        await my_visits(ctx, msg)
        return
    ctx.goto(cancel_step, visit=visit.id)
    _cancel_question(ctx, visit, "visits.cancel_question")


def _cancel_question(ctx: Ctx, visit: Visit, key: str) -> None:
    ctx.say(
        ctx.t(key, number=visit.number, type=type_name(ctx, visit.type)),
        yes_no(ctx, "visits.cancel_yes", "visits.cancel_no"),
    )


class _CancelAnswer(YesNo):
    """Yes, no, or nothing: «да», «отменить», even «отмена» cancel; «нет», «оставьте», «стоп»
    keep."""

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        if msg.kind is not InboundKind.TEXT:
            return NO_ANSWER
        if command(msg.text) is Command.CANCEL:
            # «отмена» here answers the question; «стоп», «передумал» keep the request.
            wish = cancel_wish(msg.text)
            return Answer(Fit.STRONG, True if wish is None else wish)
        if is_yes(msg.text):
            return Answer(Fit.STRONG, True)
        if is_no(msg.text):
            return Answer(Fit.STRONG, False)
        wish = cancel_wish(msg.text)
        return NO_ANSWER if wish is None else Answer(Fit.STRONG, wish)


# The engine passes «отмена» here: at «cancel request No. …?» it means yes.
@my_visits_flow.step("cancel", _CancelAnswer(), handles=frozenset({Command.CANCEL}))
async def cancel_step(ctx: Ctx, msg: Msg) -> None:
    visit = await _own_visit(ctx, str(ctx.data.get("visit", "")))
    answer = msg.action == "yes" if msg.action in ("yes", "no") else msg.answer
    if visit is None:
        await ctx.menu("visits.cancel_failed")
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
    if (ctx.state.suspended or {}).get("flow") == flow.name:
        ctx.state.suspended = None  # no other booking is offered to someone who cancels one
    await ctx.menu("visits.cancelled", number=visit.number)


account = account_step(flow, ask_type)
