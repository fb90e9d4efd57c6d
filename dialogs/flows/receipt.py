"""A month's receipt (квитанция): a PDF with everything a receipt shows and the payment QR
(receipt_document.py), captioned with a readable summary of it."""

from __future__ import annotations

import re
from decimal import Decimal

from core.accounts import Account
from core.balance import BalanceKind, BalanceSummary, HistoryEntry, PenaltySource
from core.masking import mask_account, mask_address
from core.meters import Meter, Scheme, Zone
from dialogs.context import Ctx, Option
from dialogs.expect import NO_ANSWER, Answer, Fit
from dialogs.flow import SURE, Flow, MenuEntry, Msg
from dialogs.flows.bill import difference_note, price_split
from dialogs.flows.billing import (
    account_summary,
    amount_to_pay,
    bank_lines,
    explain_month,
    latest_readings,
    payment_link,
    summary_lines,
)
from dialogs.flows.common import (
    AccountChoice,
    account_options,
    pick_account,
    picked_account,
    remember_description,
    start_with_account,
)
from dialogs.flows.email import offer as offer_by_email
from dialogs.flows.email import typed_address
from dialogs.flows.paid import online_lines
from dialogs.flows.receipt_document import (
    RECEIPT_MONTHS,
    payer,
    previous_value,
    receipt_pdf,
)
from dialogs.flows.receipt_months import Asked, asked_in
from dialogs.flows.tariffs import zone_rank
from dialogs.messages import InboundKind
from dialogs.nlu import Intent

flow = Flow(
    "receipt", needs_account=True, intents=(Intent.RECEIPT,), menu=MenuEntry("menu.receipt", 30)
)

# What the receipt shows right after its answer: «а за апрель» is that month's receipt, while
# anything else goes where it asks to (an informational step: no question is open there).
more = Flow("receipt_more", informational=True, continues="receipt")


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    # «квитанция за сентябрь»: the months (and year) asked for are kept while an account is chosen.
    _remember_request(ctx, msg)
    remember_description(ctx, msg)
    await start_with_account(ctx, account, show)


def _remember_request(ctx: Ctx, msg: Msg) -> None:
    """The months a message asks for, and whether it wants the receipt by e-mail. A typed
    message counts even when it also named a button («за октябрь по пушкина»)."""
    if msg.kind is not InboundKind.TEXT or not msg.text:
        return
    asked = asked_in(msg.text, msg.analysis.entities.months, ctx.today)
    if asked:
        ctx.data["asked"] = asked.dump()
    if _BY_EMAIL.search(msg.text) or typed_address(msg.text):
        # «скиньте на мейл ivanov@mail.ru»: the address typed along is kept for the e-mail flow.
        ctx.data["by_email"] = typed_address(msg.text) or True


# «пришлите квитанцию на почту»: receipts are shown here only, and the customer is told so.
_BY_EMAIL = re.compile(
    r"(?<![^\W\d_])(?:почь?т(?:а|у|е|ой|ы)|электронк\w*|e-?mail\w*|[еи]-?м[еэ]йл\w*|"
    r"им[еэ]йл\w*|м[еэа]йл\w*|на\s+мыл(?:о|ьце))(?![^\W\d_])",
    re.IGNORECASE,
)


def tariff_line(ctx: Ctx, account: Account, scheme: Scheme) -> str:
    t = ctx.t
    name = t(
        "receipt.tariff_name",
        category=t(f"tariffs.category.{account.category.value}"),
        scheme=t(f"tariffs.scheme.{scheme.value}"),
    )
    return t("receipt.tariff", name=name)


async def charge_line(
    ctx: Ctx, account: Account, meters: list[Meter], history: list[HistoryEntry], period: str
) -> str | None:
    """The month's volume by zone and range, each at its price, adding up to the charge
    («1 000 кВт·ч × 4,59 ₽ + 1 627 кВт·ч × 9,02 ₽ = 19 265,54 ₽»)."""
    explained = await explain_month(ctx, account, history, period)
    if explained is None or explained.estimate is None or len(meters) > 1:
        return None
    note = difference_note(ctx, explained.difference)
    return " ".join(filter(None, (price_split(ctx, explained.estimate), note)))


async def readings_lines(ctx: Ctx, meter: Meter, period: str) -> list[str]:
    t = ctx.t
    latest = await latest_readings(ctx, meter, period)
    lines = []
    for register in sorted(latest, key=lambda name: zone_rank(meter.zone_of(name))):
        reading = latest[register]
        zone = meter.zone_of(register)
        what = (
            t("receipt.readings_single")
            if zone is Zone.ALL
            else t("receipt.readings_zone", zone=t(f"tariffs.zone.{zone.value}"))
        )
        if reading.consumption_kwh is not None:
            previous = previous_value(reading, meter.digits)
            lines.append(
                t(
                    "receipt.reading_change",
                    what=what,
                    previous=t.number(previous),
                    current=t.number(reading.value),
                )
            )
        else:
            lines.append(t("receipt.reading_one", what=what, current=t.number(reading.value)))
    return lines


def _asked_period(ctx: Ctx, month: int, year: int | None) -> str:
    """«сентябрь» without a year is the latest September up to this month."""
    if year is None:
        today = ctx.today
        year = today.year if month <= today.month else today.year - 1
    return f"{year:04d}-{month:02d}"


def _find(history: list[HistoryEntry], month: int, year: int | None) -> HistoryEntry | None:
    return next(
        (e for e in history if int(e.period[5:7]) == month and year in (None, int(e.period[:4]))),
        None,
    )


async def show(ctx: Ctx, account: Account) -> None:
    """The receipts asked for — never another month instead: a month billing's twelve do not
    have is said so, with the months there are."""
    t = ctx.t
    asked = Asked.load(ctx.data.get("asked"))
    by_email = ctx.data.get("by_email")  # True, or the address typed along
    ctx.end()
    history = await ctx.store.history.for_account(account.number, RECEIPT_MONTHS)
    options = [
        ctx.option("menu.balance", "go:balance"),
        ctx.option("balance.readings", "go:readings"),
        ctx.menu_option(),
    ]
    if not history:
        ctx.say(t("receipt.no_history", account=mask_account(account.number)), options)
        return
    span = {
        "first": t.period(history[-1].period),
        "last": t.period(history[0].period),
        "example": t.period(history[0].period),
    }
    entries: list[HistoryEntry] = []
    notes: list[str] = []
    if asked.year is not None:
        of_year = [e for e in history if int(e.period[:4]) == asked.year]
        if of_year:  # the year's last receipt: it closes the year
            entries.append(of_year[0])
            notes.append(t("receipt.year_latest", year=asked.year))
        else:
            notes.append(t("receipt.year_missing", year=asked.year, **span))
    for month, year in asked.months:
        found = _find(history, month, year)
        if found is None:
            period = t.period(_asked_period(ctx, month, year))
            notes.append(t("receipt.month_missing", period=period, **span))
        elif found not in entries:
            entries.append(found)
    if asked.more:
        notes.append(t("receipt.more_months"))
    if not asked:
        entries.append(history[0])
    _expect_another_month(ctx, account)
    if not entries:
        ctx.say("\n\n".join(notes), [ctx.option("receipt.latest", "go:receipt"), *options])
        return
    if by_email and ctx.config.email is not None:
        # E-mail is on: the month's PDF goes by mail once the address is settled (email.py).
        ctx.end()
        typed = by_email if by_email is not True else None
        await offer_by_email(ctx, account, entries[0].period, typed)
        return
    for number, entry in enumerate(entries):
        last = number == len(entries) - 1
        lead = notes if number == 0 else []
        if by_email and number == 0:
            lead = [t("receipt.not_by_email"), *lead]
        await _show_month(ctx, account, history, entry, lead, options if last else [])


def _expect_another_month(ctx: Ctx, chosen: Account) -> None:
    ctx.goto(another_month, account=chosen.number)


async def _show_month(
    ctx: Ctx,
    account: Account,
    history: list[HistoryEntry],
    entry: HistoryEntry,
    lead: list[str],
    options: list[Option],
) -> None:
    """One month's receipt: its summary in the text, the PDF attached."""
    t = ctx.t
    meters = await ctx.meters(account.number)
    meter = meters[0] if meters else None
    scheme = meter.scheme if meter else Scheme.SINGLE

    head = [
        t("receipt.title", period=t.period(entry.period)),
        t("receipt.payer", payer=payer(account)),
        t("receipt.address", address=mask_address(account.address)),
        t("receipt.account", account=account.number),
        tariff_line(ctx, account, scheme),
    ]
    usage = await readings_lines(ctx, meter, entry.period) if meter else []
    split = await charge_line(ctx, account, meters, history, entry.period)
    usage += [
        t("receipt.volume", kwh=t.number(entry.kwh)),
        *([split] if split else []),
        t("receipt.charged", amount=t.money(entry.charged)),
        t("receipt.paid", amount=t.money(entry.paid)),
    ]
    latest = entry is history[0]
    summary = await account_summary(ctx, account)
    to_pay = await amount_to_pay(ctx, account, summary) if latest else None
    due = await due_lines(ctx, account, summary, to_pay) if latest else [t("receipt.past_period")]
    pay = []
    url = payment_link(ctx, account.number, to_pay)
    if to_pay is not None and url:
        pay.append(t("balance.pay_link", url=url))
    pdf = await receipt_pdf(ctx, account, history, entry, summary)
    if pdf is not None:
        # The bank details and the QR are in the file; the text stays a summary of it. A past
        # month's copy carries the QR of what is due now.
        now = to_pay if latest else await amount_to_pay(ctx, account, summary)
        if now is None or ctx.config.company.payee is None:
            pay.append(t("receipt.pdf_attached"))
        elif latest:
            pay.append(t("receipt.pdf_attached_qr"))
        else:
            pay.append(t("receipt.pdf_attached_qr_now", amount=t.money(now)))
    else:
        bank = bank_lines(ctx)
        if bank:
            pay += [t("balance.bank_title"), *bank]
    parts = [*lead, *("\n".join(block) for block in (head, usage, due, pay) if block)]
    if options:
        options = list(options)
        options.insert(2, ctx.option("receipt.consumption", "go:consumption"))
        if to_pay is not None and not url:  # an acquirer: a link per request
            options.insert(0, ctx.option("balance.how_to_pay", "go:payment"))
    ctx.say("\n\n".join(parts), options, attachment=pdf)


async def due_lines(
    ctx: Ctx, account: Account, summary: BalanceSummary, to_pay: Decimal | None
) -> list[str]:
    """What is due, said once: «Итого к оплате … до …», or the passed date, the penalty (an
    estimate is said as one, never added) and the total; online payments on their way come
    off the total (billing.amount_to_pay)."""
    t = ctx.t
    if summary.kind is not BalanceKind.DEBT:
        return summary_lines(ctx, summary)
    online = await online_lines(ctx, account.number)
    if summary.overdue_days <= 0:
        if to_pay is None:
            return online
        amount = t.money(to_pay)
        if summary.due_date is None:
            return [*online, t("receipt.total", amount=amount)]
        return [*online, t("receipt.total_by", amount=amount, date=t.date(summary.due_date))]
    lines = [*summary_lines(ctx, summary), *online]
    if to_pay is not None:
        billed = summary.penalty > 0 and summary.penalty_source is PenaltySource.BILLING
        key = "receipt.total_with_penalty" if billed else "receipt.total"
        lines.append(t(key, amount=t.money(to_pay)))
    return lines


@flow.step("account", AccountChoice())
async def account(ctx: Ctx, msg: Msg) -> None:
    """Which account: «квитанцию за октябрь по пушкина» answers it and asks for October."""
    _remember_request(ctx, msg)
    chosen = await picked_account(ctx, msg)
    if chosen is not None:
        await show(ctx, chosen)
    else:  # a wrong number, or a button of an account unlinked meanwhile
        ctx.say(ctx.t("common.account_not_found"), account_options(await ctx.accounts()))


class _AnotherMonth:
    """Right after a receipt: a message naming a month («а за апрель», «а за декабрь прошлого
    года?») that asks nothing else clearly — another place, account or task goes its way."""

    kind = "text"
    numeric = False

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        if msg.kind is not InboundKind.TEXT or not msg.text:
            return NO_ANSWER
        analysis = msg.analysis
        if analysis.entities.accounts or analysis.entities.readings or analysis.topic:
            # A whole account number, a reading, thanks or another topic go their own way.
            return NO_ANSWER
        if analysis.intent not in (Intent.RECEIPT, Intent.OTHER) and analysis.confidence >= SURE:
            return NO_ANSWER
        asked = asked_in(msg.text, analysis.entities.months, ctx.today)
        return Answer(Fit.STRONG, asked) if asked else NO_ANSWER


@more.step("month", _AnotherMonth())
async def another_month(ctx: Ctx, msg: Msg) -> None:
    accounts = await ctx.accounts()
    number = ctx.data.get("account")
    # «а за октябрь по даче»: another linked account described; else the one just shown.
    chosen = pick_account(msg.text, accounts) or next(
        (a for a in accounts if a.number == number), None
    )
    if chosen is None:  # unlinked meanwhile: the receipt flow asks again
        ctx.end()
        await ctx.start("receipt", msg)
        return
    ctx.end()
    _remember_request(ctx, msg)
    await show(ctx, chosen)
