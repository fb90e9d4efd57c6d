"""Technician visits: book one (type → date → slot → phone → comment → confirm), list, cancel."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

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
    phone_from,
    start_with_account,
    yes_no,
)
from dialogs.messages import InboundKind

flow = Flow("visits", needs_account=True)
my_visits_flow = Flow("my_visits", needs_account=True)

TYPE = "vt:"
DAY = "day:"
SLOT = "slot:"
ACCOUNT_PHONE = "ph:account"
NO_COMMENT = "nocomment"
CANCEL = "cancel:"
MAX_COMMENT = 500
# Options shown for cancelling: more would not fit a messenger's button limit.
MAX_CANCEL_OPTIONS = 5


def type_name(ctx: Ctx, visit_type: VisitType | str) -> str:
    return ctx.t(f"visits.type.{VisitType(visit_type).value}")


def slot_name(ctx: Ctx, slot: str) -> str:
    start, _, end = slot.partition("-")
    return ctx.t("visits.slot", start=start, end=end) if end else slot


# -- booking ----------------------------------------------------------------------------------


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    await start_with_account(ctx, "visits", ask_type)


async def ask_type(ctx: Ctx, account: Account) -> None:
    ctx.goto("visits", "type", account=account.number)
    options = [(type_name(ctx, kind), f"{TYPE}{kind.value}") for kind in VisitType]
    ctx.say(ctx.t("visits.ask_type"), options)


@flow.step("type")
async def type_step(ctx: Ctx, msg: Msg) -> None:
    if not (msg.action and msg.action.startswith(TYPE)):
        await ctx.not_understood(msg)
        return
    try:
        kind = VisitType(msg.action.removeprefix(TYPE))
    except ValueError:
        await ctx.not_understood(msg)
        return
    ctx.goto("visits", "date", type=kind.value)
    ask_date(ctx, kind)


def _days(ctx: Ctx) -> list[date]:
    return ctx.config.hours.next_working_days(ctx.today, ctx.config.visit_days)


def _offered(ctx: Ctx, chosen: str) -> bool:
    """The day (ISO) is still one of the working days a visit can be booked for."""
    return chosen in {day.isoformat() for day in _days(ctx)}


def ask_date(ctx: Ctx, kind: VisitType, retry: bool = False, text: str | None = None) -> None:
    text = text or ctx.t("visits.ask_date_again" if retry else "visits.ask_date")
    if kind is VisitType.CONTROL_READING and not retry:
        text = "\n\n".join([ctx.t("visits.control_reading_note"), text])
    options = [(ctx.t.short_date(day), f"{DAY}{day.isoformat()}") for day in _days(ctx)]
    ctx.say(text, options)


@flow.step("date")
async def date_step(ctx: Ctx, msg: Msg) -> None:
    if msg.action and msg.action.startswith(DAY):
        chosen = msg.action.removeprefix(DAY)
        if _offered(ctx, chosen):
            if "phone" in ctx.data:
                # A new day for a request already filled in (the old day had passed).
                ctx.goto("visits", "confirm", date=chosen)
                await ask_confirm(ctx)
                return
            ctx.goto("visits", "slot", date=chosen)
            ask_slot(ctx)
            return
        # A day offered yesterday may be gone today: offer the current ones.
        ask_date(ctx, VisitType(ctx.data["type"]), retry=True)
        return
    if msg.action is None and msg.kind is InboundKind.TEXT and any(c.isdigit() for c in msg.text):
        ask_date(ctx, VisitType(ctx.data["type"]), retry=True)
        return
    await ctx.not_understood(msg)


def ask_slot(ctx: Ctx) -> None:
    options = [
        (slot_name(ctx, slot), f"{SLOT}{i}") for i, slot in enumerate(ctx.config.visit_slots)
    ]
    ctx.say(ctx.t("visits.ask_slot"), options)


@flow.step("slot")
async def slot_step(ctx: Ctx, msg: Msg) -> None:
    slots = ctx.config.visit_slots
    index = msg.action.removeprefix(SLOT) if msg.action and msg.action.startswith(SLOT) else ""
    if not index.isdigit() or int(index) >= len(slots):
        await ctx.not_understood(msg)
        return
    ctx.goto("visits", "phone", slot=slots[int(index)])
    await ask_phone(ctx)


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


@flow.step("phone", expects_input=True)
async def phone_step(ctx: Ctx, msg: Msg) -> None:
    phone: str | None = None
    if msg.action == ACCOUNT_PHONE:
        account = await flow_account(ctx)
        phone = account.phone if account else None
    elif msg.action is None:
        phone = phone_from(msg)
    if phone is None:
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
    await ctx.store.audit.record(
        f"customer:{ctx.customer.id}",
        "visit_created",
        ctx.now,
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
    ctx.say(
        ctx.t("visits.cancel_question", number=visit.number, type=type_name(ctx, visit.type)),
        yes_no(ctx),
    )


@my_visits_flow.step("cancel")
async def cancel_step(ctx: Ctx, msg: Msg) -> None:
    if answered_no(msg):
        await ctx.menu("visits.cancel_kept")
        return
    if not answered_yes(msg):
        ctx.say(ctx.t("common.yes_or_no"), yes_no(ctx))
        return
    visit = await _own_visit(ctx, str(ctx.data.get("visit", "")))
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
    await ctx.store.audit.record(
        f"customer:{ctx.customer.id}",
        "visit_cancelled",
        ctx.now,
        {"visit_id": visit.id, "number": visit.number},
    )
    await ctx.menu("visits.cancelled", number=visit.number)


account_step(flow, ask_type)
