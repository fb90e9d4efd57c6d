"""Changing the phone or e-mail on an account: taken here, applied in billing by an operator."""

from __future__ import annotations

import re

from core.accounts import Account, normalize_phone
from core.conversations import Author
from core.masking import mask_account, mask_email, mask_phone
from dialogs.context import Ctx
from dialogs.expect import Choice, Email, PhoneNumber, YesNo
from dialogs.flow import Flow, Msg
from dialogs.flows.common import (
    account_step,
    answered_no,
    answered_yes,
    foreign_contact,
    phone_from,
    remember_description,
    start_with_account,
    yes_no,
)
from dialogs.flows.operator import cancel_option, closed_text, for_operators, open_escalation
from dialogs.nlu import ContactField, Intent, contact_field

flow = Flow(
    "contacts",
    needs_account=True,
    intents=(Intent.CHANGE_CONTACTS,),
    resume_question="contacts.resume",
)

FIELD = "ct:"
PHONE = ContactField.PHONE.value
EMAIL = ContactField.EMAIL.value
MAX_EMAIL = 254
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^\W\d_]{2,}")


def valid_email(text: str) -> str | None:
    email = text.strip().strip("<>").strip()
    if len(email) > MAX_EMAIL or not _EMAIL.fullmatch(email):
        return None
    return email


def _masked(field: str, value: str) -> str:
    return mask_phone(value) if field == PHONE else mask_email(value)


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    # What the first message already said: «поменяйте почту на ivanova@mail.ru».
    hint: dict[str, str] = {}
    if msg.action is None and msg.text:
        email = next((valid_email(w) for w in msg.text.split() if valid_email(w)), None)
        phones = [p for p in map(normalize_phone, msg.analysis.entities.phones) if p]
        named = contact_field(msg.text)
        if email:
            hint = {"field": EMAIL, "value": email}
        elif phones:
            hint = {"field": PHONE, "value": phones[0]}
        elif named is not None:
            hint = {"field": named.value}
    ctx.data.update(hint)
    remember_description(ctx, msg)
    await start_with_account(ctx, account, _with_account)


async def _with_account(ctx: Ctx, account: Account) -> None:
    ctx.goto(what_step, account=account.number)
    field, value = ctx.data.get("field"), ctx.data.get("value")
    if field and value:
        await ask_confirm(ctx)
    elif field:
        ask_value(ctx, field)
    else:
        ctx.say(
            ctx.t("contacts.ask_what", account=mask_account(account.number)),
            [
                ctx.option("contacts.phone", f"{FIELD}{PHONE}"),
                ctx.option("contacts.email", f"{FIELD}{EMAIL}"),
            ],
        )


async def _field_named(ctx: Ctx, msg: Msg) -> str | None:
    named = contact_field(msg.text)
    return f"{FIELD}{named.value}" if named else None


@flow.step("what", Choice(_field_named))
async def what_step(ctx: Ctx, msg: Msg) -> None:
    field = msg.action.removeprefix(FIELD) if msg.action and msg.action.startswith(FIELD) else None
    if field not in (PHONE, EMAIL):
        await ctx.not_understood(msg)
        return
    ask_value(ctx, field)


def ask_value(ctx: Ctx, field: str, retry: bool = False) -> None:
    if field == PHONE:
        ctx.goto(phone_step, field=field)
        key = "common.phone_again" if retry else "contacts.ask_phone"
        ctx.say(ctx.t(key), [ctx.cancel_option()], request_phone=True)
    else:
        ctx.goto(email_step, field=field)
        key = "contacts.email_again" if retry else "contacts.ask_email"
        ctx.say(ctx.t(key), [ctx.cancel_option()])


@flow.step("phone", PhoneNumber())
async def phone_step(ctx: Ctx, msg: Msg) -> None:
    if foreign_contact(msg):
        ctx.say(ctx.t("common.not_own_phone"))
        ask_value(ctx, PHONE)
        return
    value = phone_from(msg)
    if value is None:
        ask_value(ctx, PHONE, retry=True)
        return
    ctx.goto(confirm_step, value=value)
    await ask_confirm(ctx)


@flow.step("email", Email())
async def email_step(ctx: Ctx, msg: Msg) -> None:
    value = valid_email(msg.answer or "")
    if value is None:
        ask_value(ctx, EMAIL, retry=True)
        return
    ctx.goto(confirm_step, value=value)
    await ask_confirm(ctx)


async def ask_confirm(ctx: Ctx) -> None:
    ctx.goto(confirm_step)
    field, value = ctx.data["field"], ctx.data["value"]
    ctx.say(
        ctx.t(
            f"contacts.confirm_{field}",
            value=value,
            account=mask_account(ctx.data["account"]),
        ),
        yes_no(ctx),
    )


@flow.step("confirm", YesNo())
async def confirm_step(ctx: Ctx, msg: Msg) -> None:
    if answered_no(msg) or not answered_yes(msg):
        await ctx.menu("contacts.not_sent")
        return
    field, value, number = ctx.data["field"], ctx.data["value"], ctx.data["account"]
    account = mask_account(number)
    reason = for_operators(f"contacts.reason_{field}", value=_masked(field, value), account=account)
    escalation = await open_escalation(ctx, reason)
    # The reason is masked for the queue; the operator needs the full value to update billing.
    note = for_operators(f"contacts.note_{field}", value=value, account=number)
    await ctx.store.escalations.add_message(escalation.id, Author.BOT, note, ctx.now)
    await ctx.audit(
        "contact_change_requested",
        {
            "account": account,
            "field": field,
            "value": _masked(field, value),
            "escalation_id": escalation.id,
        },
    )
    parts = [ctx.t(f"contacts.requested_{field}", account=account)]
    closed = closed_text(ctx)
    if closed:
        parts.append(closed)
    ctx.say("\n\n".join(parts), [cancel_option(ctx)])


account = account_step(flow, _with_account)
