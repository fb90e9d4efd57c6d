"""A month's receipt (квитанция): a PDF with everything a receipt shows and the payment QR
(receipt_document.py), captioned with a readable summary of it."""

from __future__ import annotations

import re

from core.accounts import Account
from core.balance import BalanceKind, BalanceSummary, HistoryEntry
from core.masking import mask_account, mask_address
from core.meters import Meter, Scheme, Zone
from dialogs.context import Ctx
from dialogs.flow import Flow, MenuEntry, Msg
from dialogs.flows.bill import difference_note, price_split
from dialogs.flows.billing import (
    account_summary,
    bank_lines,
    explain_month,
    latest_readings,
    payable,
    payment_link,
    summary_lines,
)
from dialogs.flows.common import account_step, remember_description, start_with_account
from dialogs.flows.email import offer as offer_by_email
from dialogs.flows.email import typed_address
from dialogs.flows.receipt_document import (
    RECEIPT_MONTHS,
    amount_due,
    payer,
    previous_value,
    receipt_pdf,
)
from dialogs.flows.tariffs import zone_rank
from dialogs.nlu import Intent

flow = Flow(
    "receipt", needs_account=True, intents=(Intent.RECEIPT,), menu=MenuEntry("menu.receipt", 30)
)

_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_YEARS_BACK = re.compile(r"(поза)?прошл\w*\s+год|(?:last|previous)\s+year", re.IGNORECASE)


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    # «квитанция за сентябрь»: the month (and year) asked for is kept while an account is chosen.
    if msg.action is None and msg.text and msg.analysis.entities.months:
        year = _YEAR.search(msg.text)
        back = _YEARS_BACK.search(msg.text)
        if year:
            asked: int | None = int(year[1])
        elif back:  # «прошлого года», «позапрошлого года»
            asked = ctx.today.year - (2 if back[1] else 1)
        else:
            asked = None
        ctx.data.update(month=msg.analysis.entities.months[0], year=asked)
    if msg.action is None and msg.text and (_BY_EMAIL.search(msg.text) or typed_address(msg.text)):
        # «скиньте на мейл ivanov@mail.ru»: the address typed along is kept for the e-mail flow.
        ctx.data["by_email"] = typed_address(msg.text) or True
    remember_description(ctx, msg)
    await start_with_account(ctx, account, show)


# «пришлите квитанцию на почту»: receipts are shown here only, and the customer is told so.
_BY_EMAIL = re.compile(
    r"(?<![^\W\d_])(?:почь?т(?:а|у|е|ой|ы)|электронк\w*|e-?mail\w*|[еи]-?м[еэ]йл\w*|"
    r"им[еэ]йл\w*|м[еэа]йл\w*)(?![^\W\d_])",
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


async def show(ctx: Ctx, account: Account) -> None:
    t = ctx.t
    month, year = ctx.data.get("month"), ctx.data.get("year")
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
    entry = history[0]
    if month is not None:
        wanted = [
            e for e in history if int(e.period[5:7]) == month and year in (None, int(e.period[:4]))
        ]
        if not wanted:
            # Never another month instead: say which months there are.
            ctx.say(
                t(
                    "receipt.month_missing",
                    period=t.period(_asked_period(ctx, month, year)),
                    first=t.period(history[-1].period),
                    last=t.period(entry.period),
                    example=t.period(entry.period),
                ),
                [ctx.option("receipt.latest", "go:receipt"), *options],
            )
            return
        entry = wanted[0]
    if by_email and ctx.config.email is not None:
        # E-mail is on: the month's PDF goes by mail once the address is settled (email.py).
        await offer_by_email(ctx, account, entry.period, by_email if by_email is not True else None)
        return
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
    due = due_lines(ctx, summary) if latest else [t("receipt.past_period")]
    pay = []
    url = payment_link(ctx, account.number)
    if latest and payable(summary) and url:
        pay.append(t("balance.pay_link", url=url))
    pdf = await receipt_pdf(ctx, account, history, entry, summary)
    if pdf is not None:
        # The bank details and the QR are in the file; the text stays a summary of it.
        with_qr = (
            latest and amount_due(summary) is not None and ctx.config.company.payee is not None
        )
        pay.append(t("receipt.pdf_attached_qr" if with_qr else "receipt.pdf_attached"))
    else:
        bank = bank_lines(ctx)
        if bank:
            pay += [t("balance.bank_title"), *bank]
    parts = ["\n".join(block) for block in (head, usage, due, pay) if block]
    if by_email:
        parts.insert(0, t("receipt.not_by_email"))
    options.insert(2, ctx.option("receipt.consumption", "go:consumption"))
    if latest and payable(summary) and not url:  # an acquirer: a link per request
        options.insert(0, ctx.option("balance.how_to_pay", "go:payment"))
    ctx.say("\n\n".join(parts), options, attachment=pdf)


def due_lines(ctx: Ctx, summary: BalanceSummary) -> list[str]:
    """What is due, said once: «Итого к оплате … до …», or the passed date, penalty and total."""
    t = ctx.t
    if summary.kind is not BalanceKind.DEBT:
        return summary_lines(ctx, summary)
    amount = t.money(summary.amount)
    if summary.overdue_days <= 0:
        if summary.due_date is None:
            return [t("receipt.total", amount=amount)]
        return [t("receipt.total_by", amount=amount, date=t.date(summary.due_date))]
    lines = summary_lines(ctx, summary)
    if summary.penalty > 0:
        total = t.money(summary.amount + summary.penalty)
        lines.append(t("receipt.total_with_penalty", amount=total))
    return lines


account = account_step(flow, show)
