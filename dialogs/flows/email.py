"""A receipt by e-mail: to the account's address from billing or one the customer confirmed
before, after a yes to the masked address; to a new address only after a one-time code sent
there is typed back here — nobody gets another person's receipt by typing an address.

The mail is an outbox row of channel `email` in this conversation (lane PERSONAL: it never
holds the replies back), queued in the turn; the sender retries it like any send.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.accounts import Account
from core.notices import Lane
from dialogs.config import EmailRules
from dialogs.context import Ctx
from dialogs.expect import NO_ANSWER, Answer, Choice, Email, Fit
from dialogs.flow import Flow, Msg
from dialogs.flows.common import flow_account
from dialogs.flows.receipt_document import receipt_attachment
from dialogs.messages import InboundKind, Reply
from dialogs.nlu.answers import is_no

# Left for a question at the code step, it is offered back, and a code typed later resumes it.
flow = Flow("email", resume_question="email.resume")

CHANNEL = "email"  # the outbox channel of mails (bots/email)
SUBJECT = "subject"  # the Reply value the e-mail channel takes the subject from
KEPT_TEXT = "kept_text"  # the Reply value with the text its row keeps once sent (outbox.sender)
HIDDEN_CODE = "••••••"
MAX_ADDRESS = 128  # what an outbox row's recipient holds
CODE_DIGITS = 6
MAX_KNOWN = 3  # addresses offered as buttons
# Actions of this flow's buttons.
PICK = "em:"  # em:<index of a known address>
OTHER = "em:other"
FORGET = "em:forget"
RESEND = "em:resend"
DECLINE = "em:no"  # «нет» to the address offered

_ADDRESS = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_WORD_WITH_AT = re.compile(r"\S*@\S*")
_CODE = re.compile(r"(?<!\d)(\d{3})[ -]?(\d{3})(?!\d)")


def typed_address(text: str) -> str | None:
    """The first valid address in a message («скиньте на мейл ivanov@mail.ru»), else None."""
    for word in _WORD_WITH_AT.findall(text):
        address = valid_address(word)
        if address is not None:
            return address
    return None


def valid_address(text: str) -> str | None:
    address = text.strip().strip("<>()[]«»\"'.,;:!?").strip()
    if len(address) > MAX_ADDRESS or not _ADDRESS.fullmatch(address) or ".." in address:
        return None
    return address


def address_problem(text: str) -> str:
    """The catalog key that says what is wrong with an address that is not one."""
    word = next(iter(_WORD_WITH_AT.findall(text)), text.strip())
    word = word.strip("<>()[]«»\"'.,;:!?")
    local, at, domain = word.partition("@")
    if not at or not local:
        return "email.address_invalid"
    if not word.isascii():
        return "email.address_latin"
    if len(word) > MAX_ADDRESS:
        return "email.address_long"
    if "." not in domain:
        return "email.address_incomplete"  # «ivanov@mail»
    return "email.address_invalid"


def masked(address: str) -> str:
    """«ivanov@mail.ru» → «i***v@mail.ru»: enough to recognise one's own, not to learn it."""
    local, _, domain = address.partition("@")
    shown = f"{local[0]}***{local[-1]}" if len(local) > 2 else f"{local[:1]}***"
    return f"{shown}@{domain}"


def _same(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


def code_hash(rules: EmailRules, customer_id: int, address: str, code: str) -> str:
    """The keyed hash kept in the state instead of the code (bound to customer and address)."""
    message = f"{customer_id}\0{address.lower()}\0{code}".encode()
    return hmac.new(rules.code_key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class EmailCode:
    """The six digits of the code («123456», «123 456», «код 123-456»)."""

    kind: str = "email_code"
    numeric: bool = True
    # Six digits while a code is awaited are the code, never a reading (dialogs/engine.py
    # resumes the left code step on them).
    exact: bool = True

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        if msg.kind is not InboundKind.TEXT or not msg.text:
            return NO_ANSWER
        found = _CODE.findall(msg.text)
        digits = sum(ch.isdigit() for ch in msg.text)
        if len(found) == 1 and digits == CODE_DIGITS:
            return Answer(Fit.STRONG, "".join(found[0]))
        # Digits, but not six of them: a code mistyped, said as such at the step.
        return Answer(Fit.WEAK, None) if digits else NO_ANSWER


# -- the start: from the receipt flow ---------------------------------------------------------


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    # Not routed to by itself: the receipt flow finds the month and the account first.
    await ctx.start("receipt", msg)


async def offer(ctx: Ctx, account: Account, period: str, typed: str | None) -> None:
    """Called by the receipt flow for «квитанцию за март на почту»: where shall it go?"""
    rules = ctx.config.email
    assert rules is not None
    saved = await ctx.store.email_addresses.confirmed(ctx.customer.id)
    known = _known(account, saved)
    ctx.goto(choose_step, account=account.number, period=period, known=known, saved=bool(saved))
    if typed is not None:
        if any(_same(typed, k) for k in known):
            ctx.data["known"] = [typed, *(k for k in known if not _same(k, typed))][:MAX_KNOWN]
            _ask_choice(ctx)
            return
        await _send_code(ctx, typed)
        return
    if not known:
        _ask_address(ctx)
        return
    _ask_choice(ctx)


def _known(account: Account, saved: list[str]) -> list[str]:
    """Billing's address of the account first, then the ones the customer confirmed."""
    found: list[str] = []
    for address in [account.email or "", *saved]:
        valid = valid_address(address) if address else None
        if valid and not any(_same(valid, k) for k in found):
            found.append(valid)
    return found[:MAX_KNOWN]


def _period(ctx: Ctx) -> str:
    return ctx.t.period(str(ctx.data["period"]))


def _ask_choice(ctx: Ctx) -> None:
    known: list[str] = ctx.data["known"]
    period = _period(ctx)
    if len(known) == 1:
        text = ctx.t("email.confirm_one", period=period, address=masked(known[0]))
        options = [ctx.option("email.send_here", f"{PICK}0")]
    else:
        text = ctx.t("email.choose", period=period)
        options = [
            ctx.option("email.to_address", f"{PICK}{i}", address=masked(a))
            for i, a in enumerate(known)
        ]
    options.append(ctx.option("email.other", OTHER))
    if ctx.data.get("saved"):
        options.append(ctx.option("email.forget", FORGET))
    ctx.say(text, [*options, ctx.cancel_option()])


def _ask_address(ctx: Ctx, key: str = "email.ask_address", **params: str) -> None:
    ctx.goto(address_step)
    ctx.say(ctx.t(key, period=_period(ctx), **params), [ctx.cancel_option()])


async def _read_choice(ctx: Ctx, msg: Msg) -> str | None:
    """Typed instead of pressed: an address, «другой», «да»."""
    text = msg.text.lower()
    if typed_address(msg.text) is not None or "@" in text:
        return "typed"
    if re.search(r"друг|нов|другой|other|another|new", text):
        return OTHER
    if is_no(msg.text):
        return DECLINE
    if len(ctx.data.get("known", [])) == 1 and re.fullmatch(
        r"\s*(да|ага|угу|давай\w*|отправ\w*|туда|yes|ok|okay|sure)\W*", text
    ):
        return f"{PICK}0"
    return None


@flow.step("choose", Choice(_read_choice))
async def choose_step(ctx: Ctx, msg: Msg) -> None:
    known: list[str] = ctx.data.get("known", [])
    action = msg.action or ""
    if action == "typed":
        await _address_given(ctx, msg.text)
    elif action == OTHER:
        _ask_address(ctx)
    elif action == DECLINE:
        # Not there: nothing is sent; another address or the receipt here instead.
        options = [ctx.option("email.other", OTHER), ctx.option("email.in_chat", "go:receipt")]
        ctx.say(ctx.t("email.declined"), [*options, ctx.menu_option()])
    elif action == FORGET:
        await ctx.store.email_addresses.forget(ctx.customer.id)
        await ctx.audit("email_forgotten")
        account = await flow_account(ctx)
        # Only billing's own address stays offered: a forgotten one needs a code again.
        ctx.data.update(known=_known(account, []) if account else [], saved=False)
        ctx.say(ctx.t("email.forgotten"))
        if ctx.data["known"]:
            _ask_choice(ctx)
        else:
            _ask_address(ctx)
    elif action.startswith(PICK) and action[len(PICK) :].isdigit():
        index = int(action[len(PICK) :])
        if index < len(known):
            await _send_receipt(ctx, known[index])
        else:
            await ctx.not_understood(msg)
    else:
        await ctx.not_understood(msg)


@flow.step("address", Email())
async def address_step(ctx: Ctx, msg: Msg) -> None:
    await _address_given(ctx, msg.answer or msg.text)


async def _address_given(ctx: Ctx, text: str) -> None:
    address = typed_address(text)
    if address is None:
        _ask_address(ctx, address_problem(text))
        return
    if any(_same(address, k) for k in ctx.data.get("known", [])):
        await _send_receipt(ctx, address)  # billing's or confirmed before: no code needed
        return
    await _send_code(ctx, address)


# -- the one-time code ------------------------------------------------------------------------


async def _send_code(ctx: Ctx, address: str) -> None:
    rules = ctx.config.email
    assert rules is not None
    t = ctx.t
    # The last code's mail to this address, whatever became of the flow since («отмена»).
    last = await ctx.store.outbox.last_queued(ctx.conversation.id, CHANNEL, address)
    if last is not None:
        wait = rules.code_every_seconds - (ctx.now - last).total_seconds()
        if wait > 0:
            if not _same(address, ctx.data.get("address", "")):
                # After «отмена» the earlier code went with the flow: a new one after the wait.
                ctx.data.update(address=address, code_hash=None)
            ctx.goto(code_step)
            ctx.say(t("email.code_wait", count=math.ceil(wait)), _code_options(ctx))
            return
    key = f"email-code:{ctx.customer.id}"
    if (
        await ctx.store.throttle.reserve(key, rules.codes_per_day, timedelta(days=1), ctx.now)
        is None
    ):
        ctx.goto(choose_step)
        ctx.say(t("email.code_limit"), _fallback_options(ctx))
        return
    await _void_code_mail(ctx)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    company = ctx.config.company.name
    subject = t("email.code_subject", company=company)
    mail = Reply(
        t("email.code_body", code=code, count=rules.code_minutes, company=company),
        # The row keeps the mail with the code hidden once sent: only the state's hash remains.
        values=(
            (SUBJECT, subject),
            (
                KEPT_TEXT,
                t("email.code_body", code=HIDDEN_CODE, count=rules.code_minutes, company=company),
            ),
        ),
        language=ctx.language,
    )
    row = await ctx.store.outbox.add(
        ctx.conversation.id, CHANNEL, address, mail.to_dict(), ctx.now, lane=Lane.PERSONAL
    )
    ctx.goto(
        code_step,
        address=address,
        code_hash=code_hash(rules, ctx.customer.id, address, code),
        code_at=ctx.now.isoformat(),
        code_tries=0,
        code_row=row,
    )
    await ctx.audit("email_code_sent", {"address": masked(address)})
    ctx.say(t("email.code_sent", address=address, count=rules.code_minutes), _code_options(ctx))


def _code_options(ctx: Ctx) -> list[tuple[str, str]]:
    return [
        ctx.option("email.new_code", RESEND),
        ctx.option("email.other", OTHER),
        ctx.cancel_option(),
    ]


def _fallback_options(ctx: Ctx) -> list[tuple[str, str]]:
    """After a refused code: the addresses that need none, or the receipt here."""
    known: list[str] = ctx.data.get("known", [])
    return [
        *(
            ctx.option("email.to_address", f"{PICK}{i}", address=masked(a))
            for i, a in enumerate(known)
        ),
        ctx.option("email.in_chat", "go:receipt"),
        ctx.cancel_option(),
    ]


async def _void_code_mail(ctx: Ctx) -> None:
    """The code's mail no longer carries it once the code is used or replaced: a pending one is
    not sent, and its text is replaced (the code lives on only as the state's hash, if at all)."""
    row = ctx.data.pop("code_row", None)
    if not isinstance(row, int):
        return
    await ctx.store.outbox.skip({row: "code replaced"})
    void = Reply(ctx.t("email.code_void_mail"), language=ctx.language)
    await ctx.store.outbox.rewrite({row: void.to_dict()})


@flow.step("code", EmailCode())
async def code_step(ctx: Ctx, msg: Msg) -> None:
    rules = ctx.config.email
    assert rules is not None
    t = ctx.t
    address: str = ctx.data["address"]
    if msg.action == RESEND:
        await _send_code(ctx, address)
        return
    if msg.action == OTHER:
        _ask_address(ctx)
        return
    if msg.action is None and msg.answer is None and typed_address(msg.text):
        await _address_given(ctx, msg.text)  # another address instead of the code
        return
    expected = ctx.data.get("code_hash")
    if not expected:  # void: three wrong tries
        ctx.say(t("email.code_gone"), _code_options(ctx))
        return
    if msg.answer is None:
        ctx.say(t("email.code_digits"), _code_options(ctx))
        return
    sent_at = datetime.fromisoformat(ctx.data["code_at"])
    if ctx.now - sent_at > timedelta(minutes=rules.code_minutes):
        ctx.data.pop("code_hash", None)
        ctx.say(t("email.code_expired"), _code_options(ctx))
        return
    if not hmac.compare_digest(code_hash(rules, ctx.customer.id, address, msg.answer), expected):
        tries = int(ctx.data.get("code_tries", 0)) + 1
        ctx.data["code_tries"] = tries
        left = rules.code_tries - tries
        if left > 0:
            ctx.say(t("email.code_wrong", count=left), _code_options(ctx))
            return
        ctx.data.pop("code_hash", None)
        await _void_code_mail(ctx)
        await ctx.audit("email_code_failed", {"address": masked(address)})
        ctx.say(t("email.code_void"), _code_options(ctx))
        return
    await _void_code_mail(ctx)
    await ctx.store.email_addresses.confirm(ctx.customer.id, address, ctx.customer.channel, ctx.now)
    await ctx.audit("email_confirmed", {"address": masked(address)})
    await _send_receipt(ctx, address)


# -- the receipt's mail -----------------------------------------------------------------------


async def _send_receipt(ctx: Ctx, address: str) -> None:
    t = ctx.t
    period = str(ctx.data["period"])
    account = await flow_account(ctx)
    ctx.end()
    if account is None:  # unlinked meanwhile
        ctx.say(t("email.not_linked"), [ctx.menu_option()])
        return
    attachment = await receipt_attachment(ctx, account, period)
    if attachment is None:
        ctx.say(
            t("email.not_ready", period=t.period(period)),
            [ctx.option("email.in_chat", "go:receipt"), ctx.menu_option()],
        )
        return
    company = ctx.config.company.name
    mail = Reply(
        t(
            "email.receipt_body",
            period=t.period(period),
            account=account.number,
            company=company,
            phone=ctx.config.company.phone,
        ),
        attachment=attachment,
        values=((SUBJECT, t("email.receipt_subject", period=t.period(period), company=company)),),
        language=ctx.language,
    )
    await ctx.store.outbox.add(
        ctx.conversation.id, CHANNEL, address, mail.to_dict(), ctx.now, lane=Lane.PERSONAL
    )
    await ctx.audit("email_receipt_queued", {"address": masked(address), "period": period})
    ctx.say(
        t("email.sent", period=t.period(period), address=masked(address)),
        [ctx.option("menu.balance", "go:balance"), ctx.menu_option()],
    )
