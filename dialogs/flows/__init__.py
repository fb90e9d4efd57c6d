"""Every flow, by name. The engine routes to them; each module holds one concern."""

from __future__ import annotations

from dialogs.flow import Flow
from dialogs.flows import (
    accounts,
    balance,
    contacts,
    info,
    link,
    operator,
    outage,
    payment,
    readings,
    receipt,
    settings,
    tariffs,
    visits,
)

FLOWS: dict[str, Flow] = {
    flow.name: flow
    for flow in (
        info.start_flow,
        info.menu_flow,
        info.greeting_flow,
        info.thanks_flow,
        info.hours_flow,
        link.flow,
        accounts.flow,
        readings.flow,
        balance.flow,
        payment.flow,
        receipt.flow,
        tariffs.flow,
        visits.flow,
        visits.my_visits_flow,
        operator.flow,
        outage.flow,
        settings.flow,
        contacts.flow,
    )
}
