"""Every flow, by name: each module of this package declares its own (routing included)."""

from __future__ import annotations

import importlib
import pkgutil

from dialogs.flow import Flow


def _discover() -> dict[str, Flow]:
    flows: dict[str, Flow] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, Flow) and value.name not in flows:
                flows[value.name] = value
            elif isinstance(value, Flow) and flows[value.name] is not value:
                raise ValueError(f"two flows are called {value.name}")
    return flows


FLOWS: dict[str, Flow] = _discover()
# The main menu, (label key, flow) in order: what the flows declared, for channels that show it
# before any conversation exists (Viber's welcome, Messenger's persistent menu).
MAIN_MENU: tuple[tuple[str, str], ...] = tuple(
    (entry.label, name)
    for entry, name in sorted(
        ((flow.menu, flow.name) for flow in FLOWS.values() if flow.menu is not None),
        key=lambda item: item[0].order,
    )
)
