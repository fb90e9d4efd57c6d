"""A notice's text, rendered just before it leaves: in the customer's language, from the values
its rule stored (raw: ISO dates, amounts as strings) and what the gate knows now (the balance).

The reply names its kind as `template` and carries the formatted values, so a channel that
may only send an approved template outside its window (WhatsApp) fills the template from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from core.masking import mask_account
from core.notices import TOPIC, Kind
from dialogs.config import CompanyInfo
from dialogs.i18n import Translator
from dialogs.messages import Button, Reply

# The flow each notice offers to start (a «go:» payload never goes stale).
_ACTIONS: dict[Kind, tuple[tuple[str, str], ...]] = {
    Kind.READING_REMINDER: (("readings", "go:readings"),),
    Kind.READING_LAST_DAY: (("readings", "go:readings"),),
    Kind.DEBT_DUE: (("pay", "go:payment"),),
    Kind.DEBT_OVERDUE: (("pay", "go:payment"), ("debt", "go:debt")),
    Kind.DEBT_RESTRICTION: (("pay", "go:payment"), ("operator", "go:operator")),
    Kind.OUTAGE_PLANNED: (),
    Kind.OUTAGE_EMERGENCY: (),
    Kind.OUTAGE_RESTORED: (("no_power", "go:outage"),),
    Kind.VISIT_STATUS: (("visits", "go:my_visits"),),
    Kind.RECEIPT_READY: (("receipt", "go:receipt"), ("pay", "go:payment")),
}


def values(
    kind: Kind, params: Mapping[str, Any], t: Translator, company: CompanyInfo, zone: tzinfo
) -> dict[str, str]:
    """The notice's values as the customer reads them."""
    shown: dict[str, str] = {}
    for name, raw in params.items():
        if raw is None or raw == "":
            continue
        if name == "account":
            shown[name] = mask_account(str(raw))  # as every reply shows it
        elif name == "amount":
            shown[name] = t("common.rub", amount=t.money(Decimal(str(raw))))
        elif name in ("due", "date"):
            shown[name] = t.day_month(date.fromisoformat(str(raw)))
        elif name in ("start", "end"):
            moment = datetime.fromisoformat(str(raw)).astimezone(zone)
            shown[name] = f"{t.day_month(moment.date())} {t.time(moment)}"
        elif name == "period":
            shown[name] = t.period(str(raw))
        elif name == "cutoff":
            shown[name] = t.day_month(date.fromisoformat(str(raw)))
        else:
            shown[name] = str(raw)
    if kind in (Kind.OUTAGE_PLANNED, Kind.OUTAGE_EMERGENCY):
        shown.setdefault("reason", t("notices.no_reason"))
        shown["grid"] = company.grid_company
        shown["hotline"] = company.grid_hotline
    return shown


def render(
    kind: Kind, params: Mapping[str, Any], t: Translator, company: CompanyInfo, zone: tzinfo
) -> Reply:
    shown = values(kind, params, t, company, zone)
    if kind is Kind.VISIT_STATUS:
        text = _visit_text(params, t)
    elif kind is Kind.RECEIPT_READY and "amount" not in shown:
        text = t("notices.receipt_ready_paid", **shown)
    else:
        text = t(f"notices.{kind.value}", **shown)
    actions = _ACTIONS[kind]
    if "amount" not in shown:  # nothing to pay: no «Оплатить»
        actions = tuple(action for action in actions if action[1] != "go:payment")
    buttons = [Button(t(f"notices.button.{label}"), payload) for label, payload in actions]
    buttons.append(Button(t("notices.button.unsubscribe"), f"unsub:{TOPIC[kind].value}"))
    return Reply(
        text,
        buttons=tuple(buttons),
        template=kind.value,
        values=tuple(sorted(shown.items())),
        language=t.language,
    )


def _visit_text(params: Mapping[str, Any], t: Translator) -> str:
    """A visit's change, in the words the console has always used for it."""
    number, status = params["number"], params["status"]
    if status == "scheduled":
        start, _, end = str(params.get("slot", "")).partition("-")
        return t(
            "console.customer.visit_scheduled",
            number=number,
            date=t.date(date.fromisoformat(str(params["date"]))),
            slot=t("visits.slot", start=start, end=end),
        )
    if status == "done":
        return t("console.customer.visit_done", number=number)
    if note := params.get("note"):
        return t("console.customer.visit_cancelled_because", number=number, note=note)
    return t("console.customer.visit_cancelled", number=number)
