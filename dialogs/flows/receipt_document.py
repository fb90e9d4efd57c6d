"""A month's receipt as a document: billing's figures worded in the customer's language
(papers.model.ReceiptDocument), rendered to a PDF and attached to a reply; and the payment QR
both the receipt and «сколько платить» carry.

The payer is masked in the PDF as in the chat: the file travels through the messengers' servers
(and e-mail), and an account is linked by its number and the holder's surname, which household
members and former tenants may know — the PDF shows no more than the conversation does.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.accounts import Account
from core.balance import BalanceKind, BalanceSummary, BillingBasis, HistoryEntry, PenaltySource
from core.masking import mask_address, mask_surname
from core.meters import Meter, Scheme, Zone
from core.payment_qr import PayeeError, payment_payload
from core.readings import Reading
from dialogs.context import Ctx
from dialogs.flows.bill import RECALCULATION, ROUNDING
from dialogs.flows.billing import (
    account_summary,
    amount_to_pay,
    explain_month,
    latest_readings,
    paid_online_sum,
)
from dialogs.flows.tariffs import zone_rank
from dialogs.i18n import translator
from dialogs.messages import PDF, Attachment
from papers.model import ReceiptDocument, Row, Section, Table

log = logging.getLogger(__name__)

RECEIPT_MONTHS = 12  # receipts of the last twelve months of billing's history (DOMAIN.md)
# The payment's purpose goes to the supplier's bank and accounting: always in Russian.
PURPOSE_LANGUAGE = "ru"


def payer(account: Account) -> str:
    """«И*****ва М. И.»: the holder as the chat shows them once the account is linked."""
    initials = " ".join(f"{name[0]}." for name in (account.first_name, account.patronymic) if name)
    return f"{mask_surname(account.surname)} {initials}".strip()


def previous_value(reading: Reading, digits: int) -> Decimal:
    """The reading before this one: after a rollover past zero it was just below 10^digits."""
    previous = reading.value - (reading.consumption_kwh or Decimal(0))
    if previous < 0:
        previous += Decimal(10) ** digits
    return previous


def closing_balance(balance: Decimal, history: Sequence[HistoryEntry], period: str) -> Decimal:
    """The balance at the end of `period` (+ debt, − overpayment): billing's balance today less
    what the later months' charges and payments changed."""
    later = (entry.charged - entry.paid for entry in history if entry.period > period)
    return balance - sum(later, Decimal(0))


def payment_qr_payload(ctx: Ctx, number: str, amount: Decimal | None, period: str | None) -> str:
    """The ГОСТ Р 56042 text paying `amount` for account `number`; raises PayeeError when the
    company's bank details cannot make one."""
    payee = ctx.config.company.payee
    if payee is None:
        raise PayeeError("company.bank is incomplete")
    words = translator(PURPOSE_LANGUAGE)
    purpose = (
        words("receipt.qr_purpose_period", account=number, period=words.period(period))
        if period
        else words("receipt.qr_purpose", account=number)
    )
    return payment_payload(payee, account=number, amount=amount, purpose=purpose, period=period)


def short_number(number: str) -> str:
    """The account's last four digits: enough to tell a customer's files apart, while the whole
    number stays out of file names (they travel into URLs, platform UIs and logs)."""
    return number[-4:]


def receipt_filename(number: str, period: str) -> str:
    return f"kvitanciya-{short_number(number)}-{period}.pdf"


@dataclass(frozen=True, slots=True)
class MonthFigures:
    """One month's money as billing imported it."""

    entry: HistoryEntry
    opening: Decimal  # the balance when the month began (+ debt, − overpayment)
    closing: Decimal  # when it ended; for the latest month, billing's balance today
    latest: bool


def month_figures(
    account: Account, history: Sequence[HistoryEntry], entry: HistoryEntry
) -> MonthFigures:
    closing = closing_balance(account.balance, history, entry.period)
    latest = all(other.period <= entry.period for other in history)
    return MonthFigures(entry, closing - entry.charged + entry.paid, closing, latest)


async def build_receipt(
    ctx: Ctx,
    account: Account,
    history: Sequence[HistoryEntry],
    entry: HistoryEntry,
    summary: BalanceSummary,
) -> ReceiptDocument:
    """The receipt of `entry`'s month with the payment QR of what is due now. On an older
    receipt, a copy, the QR too pays today's amount for the latest billed month — never that
    month's old charge, which is settled or counted in today's debt."""
    t = ctx.t
    figures = month_figures(account, history, entry)
    meters = await ctx.meters(account.number)
    charges, beyond_lines = await _charge_sections(ctx, account, history, entry)
    due = await amount_to_pay(ctx, account, summary)
    online = await paid_online_sum(ctx, account.number)
    sections = [
        _payer_section(ctx, account, meters, entry.period),
        *(await _readings_sections(ctx, meters, entry)),
        *charges,
        _money_section(ctx, figures, summary, beyond_lines, Due(due, online)),
    ]
    bank = _bank_section(ctx)
    if bank is not None and due is not None:
        sections.append(bank)  # where to pay, only on a receipt that asks for a payment
    qr: str | None = None
    if due is not None:
        paid_for = max(other.period for other in history)
        try:
            qr = payment_qr_payload(ctx, account.number, due, paid_for)
        except PayeeError:
            log.warning("receipt without a payment QR: the company's bank details are unusable")
    company = ctx.config.company
    return ReceiptDocument(
        title=t("receipt.title", period=t.period(entry.period)),
        supplier=company.name,
        sections=tuple(sections),
        qr_payload=qr,
        qr_caption=t(
            "receipt.pdf.qr_caption"
            if figures.latest or due is None
            else "receipt.pdf.qr_caption_now",
            amount=t.money(due or Decimal(0)),
        ),
        footer=t(
            "receipt.pdf.footer", name=company.name, phone=company.phone, site=company.website
        ),
        language=t.language,
    )


def _payer_section(ctx: Ctx, account: Account, meters: Sequence[Meter], period: str) -> Section:
    t = ctx.t
    scheme = meters[0].scheme if len(meters) == 1 else Scheme.SINGLE
    tariff = t(
        "receipt.tariff_name",
        category=t(f"tariffs.category.{account.category.value}"),
        scheme=t(f"tariffs.scheme.{scheme.value}"),
    )
    return Section(
        t("receipt.pdf.payer_title"),
        (
            Row(t("receipt.pdf.payer"), payer(account)),
            Row(t("receipt.pdf.address"), mask_address(account.address)),
            Row(t("receipt.pdf.account"), account.number),
            Row(t("receipt.pdf.period"), t.period(period)),
            Row(t("receipt.pdf.tariff"), tariff),
        ),
    )


async def _readings_sections(
    ctx: Ctx, meters: Sequence[Meter], entry: HistoryEntry
) -> list[Section]:
    """Each meter's previous and current readings of the month, and billing's volume."""
    t = ctx.t
    rows: list[tuple[str, ...]] = []
    for meter in meters:
        latest = await latest_readings(ctx, meter, entry.period)
        for register in sorted(latest, key=lambda name: zone_rank(meter.zone_of(name))):
            reading = latest[register]
            zone = meter.zone_of(register)
            what = t("receipt.pdf.meter", serial=meter.serial)
            if zone is not Zone.ALL:
                what = t("receipt.pdf.meter_zone", what=what, zone=t(f"tariffs.zone.{zone.value}"))
            used = reading.consumption_kwh
            rows.append(
                (
                    what,
                    "—" if used is None else t.number(previous_value(reading, meter.digits)),
                    t.number(reading.value),
                    "—" if used is None else t.number(used),
                )
            )
    basis = {
        BillingBasis.READING: "receipt.pdf.basis_reading",
        BillingBasis.AVERAGE: "receipt.pdf.basis_average",
        BillingBasis.NORM: "receipt.pdf.basis_norm",
    }
    volume = [Row(t("receipt.pdf.volume"), t("receipt.pdf.kwh", kwh=t.number(entry.kwh)))]
    if entry.basis is not None:
        volume.append(Row(t("receipt.pdf.basis"), t(basis[entry.basis])))
    table = None
    if rows:
        header = (
            t("receipt.pdf.readings_what"),
            t("receipt.pdf.readings_previous"),
            t("receipt.pdf.readings_current"),
            t("receipt.pdf.readings_used"),
        )
        table = Table(header, tuple(rows))
    elif entry.basis is not BillingBasis.READING:  # billing may have had them from elsewhere
        volume.append(Row(t("receipt.pdf.readings"), t("receipt.pdf.no_readings")))
    return [Section(t("receipt.pdf.readings_title"), tuple(volume), table)]


async def _charge_sections(
    ctx: Ctx, account: Account, history: Sequence[HistoryEntry], entry: HistoryEntry
) -> tuple[list[Section], Row | None]:
    """The month's charge by zone and consumption range, each at its price (no section when
    the month cannot be priced), and the row for what billing charged beyond those lines: a
    recalculation, or kopecks of rounding the zones' shares."""
    t = ctx.t
    explained = await explain_month(ctx, account, history, entry.period)
    if explained is None or explained.estimate is None:
        return [], None
    lines = sorted(explained.estimate.lines, key=lambda ln: (zone_rank(ln.zone), ln.range))
    table = Table(
        (
            t("receipt.pdf.charge_zone"),
            t("receipt.pdf.charge_range"),
            t("receipt.pdf.charge_kwh"),
            t("receipt.pdf.charge_price"),
            t("receipt.pdf.charge_amount"),
        ),
        tuple(
            (
                t(f"tariffs.zone.{line.zone.value}"),
                t(f"tariffs.range.{line.range}"),
                t.number(line.kwh),
                t.money(line.price),
                t.money(line.amount),
            )
            for line in lines
        ),
    )
    total = Row(t("receipt.pdf.charge_total"), _rubles(ctx, explained.estimate.total))
    difference = explained.difference or Decimal(0)
    extra = None
    if abs(difference) >= RECALCULATION:
        extra = Row(t("receipt.pdf.recalculation"), _rubles(ctx, difference))
    elif abs(difference) >= ROUNDING:
        extra = Row(t("receipt.pdf.rounding"), _rubles(ctx, difference))
    return [Section(t("receipt.pdf.charge_title"), (total,), table)], extra


def _rubles(ctx: Ctx, amount: Decimal) -> str:
    return ctx.t("receipt.pdf.rubles", amount=ctx.t.money(amount))


def _balance_row(ctx: Ctx, key: str, balance: Decimal) -> Row:
    """A balance as «Долг …» or «Переплата …» (`key` names when: start or end of the month)."""
    kind = "overpayment" if balance < 0 else "debt"
    return Row(ctx.t(f"receipt.pdf.{key}_{kind}"), _rubles(ctx, abs(balance)))


@dataclass(frozen=True, slots=True)
class Due:
    """What is to be paid now (billing.amount_to_pay) and the online payments it leaves out."""

    amount: Decimal | None
    paid_online: Decimal


def _money_section(
    ctx: Ctx, figures: MonthFigures, summary: BalanceSummary, beyond_lines: Row | None, due: Due
) -> Section:
    t = ctx.t
    rows = [
        _balance_row(ctx, "opening", figures.opening),
        Row(t("receipt.pdf.charged_month"), _rubles(ctx, figures.entry.charged)),
        *([beyond_lines] if beyond_lines else []),
        Row(t("receipt.pdf.paid_month"), _rubles(ctx, figures.entry.paid)),
        _balance_row(ctx, "closing", figures.closing),
    ]
    if not figures.latest:
        now = t("receipt.pdf.past_period") if due.amount is None else _rubles(ctx, due.amount)
        rows.append(Row(t("receipt.pdf.now"), now))
        return Section(t("receipt.pdf.money_title"), tuple(rows))
    if summary.penalty > 0 and summary.kind is BalanceKind.DEBT:
        key = (
            "receipt.pdf.penalty_billing"
            if summary.penalty_source is PenaltySource.BILLING
            else "receipt.pdf.penalty_estimate"
        )
        rows.append(Row(t(key), _rubles(ctx, summary.penalty)))
    if due.paid_online > 0 and summary.kind is BalanceKind.DEBT:
        rows.append(Row(t("receipt.pdf.paid_online"), _rubles(ctx, due.paid_online)))
    if due.amount is None:
        covered = due.paid_online > 0 and summary.kind is BalanceKind.DEBT
        nothing = "paid_online_covers" if covered else "nothing_due"
        rows.append(Row(t("receipt.pdf.total"), t(f"receipt.pdf.{nothing}"), strong=True))
    else:
        rows.append(Row(t("receipt.pdf.total"), _rubles(ctx, due.amount), strong=True))
        if summary.due_date is not None:
            key = "receipt.pdf.due_passed" if summary.overdue_days > 0 else "receipt.pdf.due_by"
            rows.append(Row(t(key), t.date(summary.due_date)))
    return Section(t("receipt.pdf.money_title"), tuple(rows))


def _bank_section(ctx: Ctx) -> Section | None:
    bank = ctx.config.company.bank
    if not bank:
        return None
    rows = tuple(Row(ctx.t(f"balance.bank_field.{field}"), value) for field, value in bank.items())
    return Section(ctx.t("receipt.pdf.bank_title"), rows)


async def receipt_pdf(
    ctx: Ctx,
    account: Account,
    history: Sequence[HistoryEntry],
    entry: HistoryEntry,
    summary: BalanceSummary,
) -> Attachment | None:
    """The month's receipt as a PDF attachment; None (logged) when it cannot be made — the
    reply then goes without the file, never the turn."""
    try:
        # Imported on first use: the renderer brings fpdf2 and its fonts, which a turn without
        # a receipt never needs.
        from papers.receipt_pdf import render_receipt

        document = await build_receipt(ctx, account, history, entry, summary)
        data = render_receipt(document)
    except Exception:
        log.exception("receipt PDF for %s could not be made", entry.period)
        return None
    return Attachment.of(receipt_filename(account.number, entry.period), PDF, data)


async def receipt_attachment(ctx: Ctx, account: Account, period: str) -> Attachment | None:
    """The receipt of `period` (YYYY-MM) for the account as a PDF; None when billing's last
    twelve months have no such period or the file cannot be made."""
    history = await ctx.store.history.for_account(account.number, RECEIPT_MONTHS)
    entry = next((e for e in history if e.period == period), None)
    if entry is None:
        return None
    summary = await account_summary(ctx, account)
    return await receipt_pdf(ctx, account, history, entry, summary)
